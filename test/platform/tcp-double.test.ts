/**
 * The wx.createTCPSocket double (test/support/tcp-socket.ts) against a real mosquitto TCP listener:
 * a hand-written MQTT CONNECT gets its CONNACK as an ArrayBuffer in res.message; refused ports and
 * the 20-per-5-minutes budget fail through onError as documented there; onClose fires exactly once.
 */
import net from 'net'; // the module object itself, so that a spy sees the double's calls
import { MosquittoBroker, startMosquitto } from '../support/brokers';
import { FORBIDDEN_TCP_PORTS, NodeTcpApi, NodeTcpSocket, TcpConnectResult, TcpErrorResult, TcpMessageResult, isForbiddenTcpPort } from '../support/tcp-socket';

// CONNECT, MQTT 3.1.1, empty client id, clean session, keepalive 60; and its CONNACK (accepted).
const CONNECT = [0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00];
const CONNACK = [0x20, 0x02, 0x00, 0x00];

const first = <T>(on: (cb: (res: T) => void) => void): Promise<T> => new Promise((resolve) => on(resolve));
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

describe('NodeTcpApi: wx.createTCPSocket over node:net', () => {
  let broker: MosquittoBroker;
  let api: NodeTcpApi;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(() => broker.stop());
  beforeEach(() => {
    api = new NodeTcpApi();
  });
  afterEach(() => api.dispose());

  const connected = async (socket: NodeTcpSocket): Promise<TcpConnectResult> => {
    const connect = first<TcpConnectResult>(socket.onConnect.bind(socket));
    socket.connect({ address: broker.host, port: broker.tcpPort });
    return connect;
  };

  it('the refused ports, as data', () => {
    expect(FORBIDDEN_TCP_PORTS).toContainEqual([8000, 8100]);
    for (const port of [0, 80, 443, 1023, 1099, 3306, 6379, 8000, 8080, 8100, 8443, 27019]) expect(isForbiddenTcpPort(port)).toBe(true);
    for (const port of [1024, 1883, 8101, 8883, 9001, broker.tcpPort]) expect(isForbiddenTcpPort(port)).toBe(false);
  });

  it('CONNECT written by hand gets CONNACK as its own ArrayBuffer in res.message, with remoteInfo and localInfo', async () => {
    const socket: WechatMiniprogram.TCPSocket & NodeTcpSocket = api.createTCPSocket(); // the platform's declared shape
    expect((await connected(socket)).remoteInfo).toEqual({ address: broker.host, family: 'IPv4', port: broker.tcpPort });
    const message = first<TcpMessageResult>(socket.onMessage.bind(socket));
    socket.write(Uint8Array.from(CONNECT).buffer);
    const res = await message;
    expect(res.message).toBeInstanceOf(ArrayBuffer);
    expect(Array.from(new Uint8Array(res.message))).toEqual(CONNACK);
    expect(res.message.byteLength).toBe(CONNACK.length);
    expect(res.remoteInfo).toEqual({ address: broker.host, family: 'IPv4', port: broker.tcpPort, size: CONNACK.length });
    expect(res.localInfo).toEqual({ address: '127.0.0.1', family: 'IPv4', port: expect.any(Number) });
    expect(api.sockets.has(socket)).toBe(true);
  });

  it('a refused port fails through onError, later and before any network use', async () => {
    const spy = jest.spyOn(net, 'connect');
    try {
      const socket = api.createTCPSocket();
      const errors: TcpErrorResult[] = [];
      socket.onError((res) => errors.push(res));
      socket.connect({ address: broker.host, port: 8080 });
      expect(errors).toEqual([]);
      await tick();
      expect(errors).toEqual([{ errMsg: 'connect:fail port 8080 is not allowed', errCode: 2 }]);
      socket.connect({ address: 'not a host!', port: broker.tcpPort });
      expect((await first<TcpErrorResult>(socket.onError.bind(socket))).errCode).toBe(1);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('the 21st createTCPSocket within 5 minutes is refused; 5 minutes on it is allowed again', async () => {
    let now = 1_000_000;
    const limited = new NodeTcpApi({ now: () => now });
    for (let i = 0; i < 20; i++, now += 1000) limited.createTCPSocket();
    const refused = limited.createTCPSocket();
    expect(limited.created).toHaveLength(20);
    const error = first<TcpErrorResult>(refused.onError.bind(refused));
    refused.connect({ address: broker.host, port: broker.tcpPort });
    expect(await error).toEqual({ errMsg: expect.stringMatching(/exceed max count.*20 TCPSockets.*5 minutes/), errCode: -1 });
    now = 1_000_000 + 5 * 60 * 1000; // the first socket leaves the window
    const again = limited.createTCPSocket();
    expect(limited.created).toHaveLength(21);
    const ok = first(again.onConnect.bind(again));
    again.connect({ address: broker.host, port: broker.tcpPort });
    await ok;
    limited.createTCPSocket(); // the other 19 are still in the window: refused again
    expect(limited.created).toHaveLength(21);
    limited.dispose();
    expect(limited.sockets.size).toBe(0);
  });

  it('close() → onClose once, however often it is called', async () => {
    const socket = api.createTCPSocket();
    await connected(socket);
    const closes: unknown[] = [];
    socket.onClose((res) => closes.push(res));
    socket.close();
    socket.close();
    await tick();
    socket.close();
    await tick();
    expect(closes).toEqual([{ errMsg: 'close:ok' }]);
    expect(api.sockets.has(socket)).toBe(false);
  });

  it('drop() → onClose (no onError), as a Wi-Fi loss', async () => {
    const socket = api.createTCPSocket();
    await connected(socket);
    const errors: unknown[] = [];
    socket.onError((res) => errors.push(res));
    const closed = first(socket.onClose.bind(socket));
    socket.drop();
    expect(await closed).toEqual({ errMsg: 'close:ok' });
    expect(errors).toEqual([]);
  });
});
