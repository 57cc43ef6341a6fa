import * as net from 'net';

/** A loopback TCP proxy that a test can cut: every connection through it is destroyed at once. */
export interface CuttableProxy {
  port: number;
  cuts: number;
  cut(): number;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<CuttableProxy> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const drop = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: CuttableProxy = {
    port: (server.address() as net.AddressInfo).port,
    cuts: 0,
    cut() {
      const open = [...pairs];
      open.forEach(([a, b]) => {
        a.destroy();
        b.destroy();
      });
      pairs.clear();
      if (open.length > 0) proxy.cuts++;
      return open.length;
    },
    async close() {
      proxy.cut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return proxy;
}
