/**
 * One cold-start sample, in a fresh Node process. Not run as TypeScript: bench/esbuild-tasks.ts
 * bundles it (with NodeWx) into one plain JS file once, before the samples, so no sample compiles
 * anything. Usage: node cold-child.js <ours|raw> <module path> <ws port> <ws path>
 *
 * The Node wx is loaded (with `ws`) before the clock starts: on a phone `wx` is already there.
 * Measured with performance.now(): from just before require() of the package (ours:
 * miniprogram_dist/index.js, which itself requires vendor/mqtt.js) or of mqtt.js alone (raw) to
 * CONNACK. Prints `{"ms":…,"socketMs":…}` on stdout and exits at once (the broker sees the
 * socket drop); socketMs is the part before the first wx.connectSocket call: loading, creating the
 * client, building CONNECT's way out, without the WebSocket handshake and the broker.
 */
import { NodeWx } from '../test/support/wx';

const [kind, modulePath, port, wsPath] = process.argv.slice(2);
const wx = new NodeWx();
let socketAt: number | undefined;
const connectSocket = wx.connectSocket;
wx.connectSocket = (options) => {
  socketAt ??= performance.now();
  return connectSocket(options);
};
const done = (t0: number): never => {
  const end = performance.now();
  process.stdout.write(`${JSON.stringify({ ms: end - t0, socketMs: (socketAt ?? end) - t0 })}\n`);
  process.exit(0);
};
const fail = (error: unknown): never => {
  process.stderr.write(`${kind}: ${error instanceof Error ? error.stack : JSON.stringify(error)}\n`);
  process.exit(1);
};
process.on('unhandledRejection', fail);

if (kind === 'ours') {
  const t0 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require(modulePath) as typeof import('../src/index');
  const client = lib.createClient({ host: '127.0.0.1', port: Number(port), path: wsPath, secure: false, protocolVersion: 4, keepalive: 60, platform: wx });
  client.connect().then(() => done(t0), fail);
} else if (kind === 'raw') {
  const t0 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const createMqtt = require(modulePath) as typeof import('../src/vendor/mqtt');
  // the same client bench.bench.ts's (a) makes: mqtt.js wants `protocols` as an array
  const arrayWx = { connectSocket: (o: { url: string; protocols?: string | string[] }) => wx.connectSocket({ ...o, protocols: [String(o.protocols)] }) };
  const client = createMqtt(arrayWx).connect(`wx://127.0.0.1:${port}${wsPath}`, { clientId: `cold_raw_${process.pid}`, protocolVersion: 4, clean: true, keepalive: 60, reconnectPeriod: 0, connectTimeout: 10000, resubscribe: false, queueQoSZero: false });
  client.on('connect', () => done(t0));
  client.on('error', fail);
} else {
  fail(new Error(`unknown kind ${kind}`));
}
