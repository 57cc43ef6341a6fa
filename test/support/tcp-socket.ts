/**
 * A Node double of WeChat's `wx.createTCPSocket` (base library 2.18.0) over node:net, for tests that
 * need a real TCP peer (a mosquitto listener) behind the mini-program API.
 *
 * Documentation used (official pages, developers.weixin.qq.com, read 2026-11):
 * - wx.createTCPSocket — https://developers.weixin.qq.com/miniprogram/dev/api/network/tcp/wx.createTCPSocket.html
 *   连接限制: LAN IPs other than the device's own, or configured server domains; ports refused: below
 *   1024 and the list in FORBIDDEN_TCP_PORTS; at most 20 TCPSockets created in any 5 minutes.
 *   Optional `{ type: 'ipv4' | 'ipv6' }` (base library 3.6.4).
 * - TCPSocket — https://developers.weixin.qq.com/miniprogram/dev/api/network/tcp/TCPSocket.html and its
 *   English page https://developers.weixin.qq.com/miniprogram/en/dev/api/network/tcp/TCPSocket.html,
 *   whose error table gives errCode -1 system error, -2 socket interface error (see the system's
 *   socket error codes), -3 no interface permission, 1 parameter error: address illegal, 2 parameter
 *   error: port illegal. The Tencent Cloud copy (https://cloud.tencent.com/document/product/1593/94998)
 *   adds: with errCode -2 the errMsg carries the errno (Linux errno-base.h / errno.h).
 * - TCPSocket.connect — https://developers.weixin.qq.com/miniprogram/dev/api/network/tcp/TCPSocket.connect.html
 *   `{ address, port, timeout }`, timeout in seconds, default 2.
 * - TCPSocket.write — https://developers.weixin.qq.com/miniprogram/dev/api/network/tcp/TCPSocket.write.html
 *   (string | ArrayBuffer).
 * - TCPSocket.close — https://developers.weixin.qq.com/miniprogram/dev/api/network/tcp/TCPSocket.close.html
 * - TCPSocket.onConnect / onClose ("once the socket is fully closed") / offClose ("no listener removes
 *   every listener"; the same for each off*) —
 *   https://developers.weixin.qq.com/miniprogram/dev/api/network/tcp/TCPSocket.onClose.html,
 *   https://developers.weixin.qq.com/miniprogram/dev/api/network/tcp/TCPSocket.offClose.html
 * - TCPSocket.onConnect — https://developers.weixin.qq.com/miniprogram/dev/api/network/tcp/TCPSocket.onConnect.html
 *   (res: useHttpDNS, exception.reasons (3.4.0); remoteInfo, localInfo (3.4.1)).
 * - TCPSocket.onError — https://developers.weixin.qq.com/miniprogram/dev/api/network/tcp/TCPSocket.onError.html
 *   (res: `{ errMsg }`).
 * - TCPSocket.onMessage — https://developers.weixin.qq.com/miniprogram/dev/api/network/tcp/TCPSocket.onMessage.html
 *   and https://developers.weixin.qq.com/miniprogram/en/dev/api/network/tcp/TCPSocket.onMessage.html
 *   (`message` ArrayBuffer; `remoteInfo` {address, family, port, size (English page only)};
 *   `localInfo` {address, family, port}; family is 'IPv4' or 'IPv6').
 * - TCPSocket.bindWifi / onBindWifi — https://developers.weixin.qq.com/miniprogram/dev/api/network/tcp/TCPSocket.bindWifi.html
 *   (2.25.0, Android only; onBindWifi fires on success).
 * - miniprogram-api-typings 5.2.3 types onClose/onError listeners as `(res: { errMsg }) => void`.
 *
 * Where the docs are silent, this double chooses (and tests may rely on it):
 * - A refused port: the page lists the ports but not how a refusal surfaces. connect() returns;
 *   onError `{ errMsg: 'connect:fail port N is not allowed', errCode: 2 }` (the table's "port
 *   illegal") follows asynchronously, with no network use and no onClose; the socket stays
 *   unconnected (connect() again, or close()). A malformed address is the same with errCode 1.
 * - The 21st socket in 5 minutes: the page does not say whether createTCPSocket throws or how it
 *   fails. It returns a socket whose every connect() fails through onError `{ errMsg:
 *   'createTCPSocket:fail exceed max count: at most 20 TCPSockets created in any 5 minutes',
 *   errCode: -1 }`; refused sockets are not counted in `created` (the window slides over granted ones).
 * - Network failures (refused, reset, DNS, connect timeout): onError with errCode -2 and the errno in
 *   errMsg, then onClose — Node's order; the TCPSocket pages are translations of Node's net.Socket
 *   event descriptions ("Emitted once the socket is fully closed").
 * - onClose's res is `{ errMsg: 'close:ok' }` (the page names no fields; the typings say errMsg).
 * - After close() the socket is finished: connect() fails with errCode -1. write() before connect()
 *   or after close: onError errCode -1; while connecting, writes are queued (as Node does).
 * - The LAN / configured-domain rule is not enforced: tests reach brokers on loopback, which a
 *   device would refuse as its own address.
 * Callbacks run on a later macrotask (Node's setImmediate, immune to jest fake timers), in order.
 * Received chunks are copied into ArrayBuffers of the caller's realm (jsdom has its own ArrayBuffer).
 */
import * as net from 'net';
import { setImmediate as nodeSetImmediate, setTimeout as nodeSetTimeout, clearTimeout as nodeClearTimeout } from 'timers';

/** Ports `wx.createTCPSocket` refuses: below 1024 (`[0, 1023]`), single ports and inclusive ranges. */
export const FORBIDDEN_TCP_PORTS: readonly (number | readonly [number, number])[] = [
  [0, 1023], 1099, 1433, 1521, 1719, 1720, 1723, 2049, 2375, 3128, 3306, 3389, 3659, 4045, 5060, 5061, 5432, 5984, 6379,
  6000, 6566, 7001, 7002, [8000, 8100], 8443, 8888, 9200, 9300, 10051, 10080, 11211, 27017, 27018, 27019,
];

export function isForbiddenTcpPort(port: number): boolean {
  return FORBIDDEN_TCP_PORTS.some((entry) => (typeof entry === 'number' ? entry === port : port >= entry[0] && port <= entry[1]));
}

export interface TcpApiOptions {
  /** The clock of the creation budget (default Date.now). */
  now?: () => number;
  /** Sockets that may be created in any `windowMs` (default 20). */
  budget?: number;
  /** The budget's window (default 300000: 5 minutes). */
  windowMs?: number;
}

export interface TcpAddressInfo {
  address: string;
  family: string;
  port: number;
}
export interface TcpMessageResult {
  message: ArrayBuffer;
  remoteInfo: TcpAddressInfo & { size: number };
  localInfo: TcpAddressInfo;
}
export interface TcpConnectResult {
  useHttpDNS: boolean;
  exception: { reasons: { errMsg: string; errno: string }[] };
  remoteInfo: TcpAddressInfo;
  localInfo: TcpAddressInfo;
}
export interface TcpErrorResult {
  errMsg: string;
  /** From the TCPSocket page's error table: -1 system, -2 socket (errno in errMsg), 1 address, 2 port. */
  errCode: number;
}
export interface TcpConnectOptions {
  address: string;
  port: number;
  /** Seconds (default 2). */
  timeout?: number;
}

type Listener<T> = (res: T) => void;
interface Events {
  connect: TcpConnectResult;
  message: TcpMessageResult;
  close: { errMsg: string };
  error: TcpErrorResult;
  bindWifi: { errMsg: string };
}

const ERRNO: Record<string, number> = { ECONNREFUSED: 111, ECONNRESET: 104, ETIMEDOUT: 110, EHOSTUNREACH: 113, ENETUNREACH: 101, EPIPE: 32 };
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const familyOf = (address: string): string => (net.isIPv6(address) ? 'IPv6' : 'IPv4');
const addresses = (socket: net.Socket): { remoteInfo: TcpAddressInfo; localInfo: TcpAddressInfo } => {
  const remote = socket.remoteAddress ?? '';
  const local = socket.localAddress ?? '';
  return {
    remoteInfo: { address: remote, family: familyOf(remote), port: socket.remotePort ?? 0 },
    localInfo: { address: local, family: familyOf(local), port: socket.localPort ?? 0 },
  };
};

/** What `wx.createTCPSocket` returns. */
export class NodeTcpSocket {
  private readonly listeners: { [K in keyof Events]: Listener<Events[K]>[] } = { connect: [], message: [], close: [], error: [], bindWifi: [] };
  private socket?: net.Socket;
  private connected = false;
  private closed = false;
  private timer?: ReturnType<typeof nodeSetTimeout>;

  /** @internal Made by NodeTcpApi; `refused` is the errMsg of a socket over the creation budget. */
  constructor(
    private readonly owner: Set<NodeTcpSocket>,
    private readonly refused?: string,
    private readonly family: 4 | 6 = 4,
  ) {}

  connect(options: TcpConnectOptions): void {
    const { address, port, timeout = 2 } = options ?? ({} as TcpConnectOptions);
    if (this.closed) return this.error('connect:fail socket is closed', -1);
    if (this.refused) return this.error(this.refused, -1);
    if (this.socket) return this.error('connect:fail socket is already connecting or connected', -1);
    if (typeof address !== 'string' || !(net.isIP(address) || HOSTNAME.test(address))) {
      return this.error(`connect:fail parameter error: address ${JSON.stringify(address)} is illegal`, 1);
    }
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
      return this.error(`connect:fail parameter error: port ${String(port)} is illegal`, 2);
    }
    if (isForbiddenTcpPort(port)) return this.error(`connect:fail port ${port} is not allowed`, 2);
    const socket = net.connect({ host: address, port, family: this.family });
    this.socket = socket;
    this.timer = nodeSetTimeout(() => {
      if (this.socket !== socket || this.connected) return;
      this.error(`connect:fail timeout after ${timeout} s (ETIMEDOUT, errno ${ERRNO.ETIMEDOUT})`, -2);
      this.finish((s) => s.destroy());
    }, timeout * 1000);
    socket.on('connect', () => {
      this.connected = true;
      this.clearTimer();
      const { remoteInfo, localInfo } = addresses(socket);
      this.emit('connect', { useHttpDNS: false, exception: { reasons: [] }, remoteInfo, localInfo });
    });
    socket.on('data', (chunk: Buffer) => this.received(socket, chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const errno = Math.abs(Number(error.errno)) || (error.code ? ERRNO[error.code] : undefined) || 0;
      this.error(`${this.connected ? 'TCPSocket' : 'connect'}:fail ${error.message} (errno ${errno})`, -2);
    });
    socket.on('close', () => this.finish((s) => s.destroy()));
  }

  write(data: string | ArrayBuffer | ArrayBufferView): void {
    if (this.closed || !this.socket) return this.error('write:fail socket is not connected', -1);
    let bytes: Buffer;
    if (typeof data === 'string') bytes = Buffer.from(data, 'utf8');
    else if (Object.prototype.toString.call(data) === '[object ArrayBuffer]') bytes = Buffer.from(new Uint8Array(data as ArrayBuffer));
    else if (ArrayBuffer.isView(data)) bytes = Buffer.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    else return this.error(`write:fail parameter error: data should be string or ArrayBuffer, got ${Object.prototype.toString.call(data)}`, -1);
    this.socket.write(bytes);
  }

  /** Idempotent; onClose fires once. */
  close(): void {
    this.finish((socket) => socket.destroy());
  }

  /** For tests: the connection ends abruptly (a Wi-Fi loss): RST to the peer, onClose (no onError). */
  drop(): void {
    this.finish((socket) => socket.resetAndDestroy());
  }

  bindWifi(options: { BSSID: string }): void {
    if (typeof options?.BSSID !== 'string' || options.BSSID === '') return this.error('bindWifi:fail parameter error: BSSID is required', -1);
    this.emit('bindWifi', { errMsg: 'bindWifi:ok' });
  }

  onConnect(cb: Listener<Events['connect']>): void {
    this.listeners.connect.push(cb);
  }
  offConnect(cb?: Listener<Events['connect']>): void {
    this.off('connect', cb);
  }
  onMessage(cb: Listener<TcpMessageResult>): void {
    this.listeners.message.push(cb);
  }
  offMessage(cb?: Listener<TcpMessageResult>): void {
    this.off('message', cb);
  }
  onClose(cb: Listener<Events['close']>): void {
    this.listeners.close.push(cb);
  }
  offClose(cb?: Listener<Events['close']>): void {
    this.off('close', cb);
  }
  onError(cb: Listener<TcpErrorResult>): void {
    this.listeners.error.push(cb);
  }
  offError(cb?: Listener<TcpErrorResult>): void {
    this.off('error', cb);
  }
  onBindWifi(cb: Listener<Events['bindWifi']>): void {
    this.listeners.bindWifi.push(cb);
  }
  offBindWifi(cb?: Listener<Events['bindWifi']>): void {
    this.off('bindWifi', cb);
  }

  /** @internal NodeTcpApi.dispose: destroys the connection without calling back. */
  destroy(): void {
    for (const list of Object.values(this.listeners)) list.length = 0;
    this.release((socket) => socket.destroy());
    this.closed = true;
    this.owner.delete(this);
  }

  private received(socket: net.Socket, chunk: Buffer): void {
    // Its own ArrayBuffer, of this realm: never the Buffer, never a pooled slab's whole `.buffer`.
    const message = new ArrayBuffer(chunk.byteLength);
    new Uint8Array(message).set(chunk);
    const { remoteInfo, localInfo } = addresses(socket);
    this.emit('message', { message, remoteInfo: { ...remoteInfo, size: chunk.byteLength }, localInfo });
  }

  private release(end: (socket: net.Socket) => void): void {
    this.clearTimer();
    const socket = this.socket;
    if (!socket) return;
    socket.removeAllListeners();
    socket.on('error', () => undefined);
    if (!socket.destroyed) end(socket);
  }

  /** Ends the connection (if any) with `end`, once; onClose follows the events already queued. */
  private finish(end: (socket: net.Socket) => void): void {
    if (this.closed) return;
    this.release(end);
    this.closed = true;
    this.owner.delete(this);
    this.emit('close', { errMsg: 'close:ok' });
  }

  private clearTimer(): void {
    if (this.timer) nodeClearTimeout(this.timer);
    this.timer = undefined;
  }

  private error(errMsg: string, errCode: number): void {
    this.emit('error', { errMsg, errCode });
  }

  private off<K extends keyof Events>(event: K, cb?: Listener<Events[K]>): void {
    const list = this.listeners[event];
    if (!cb) list.length = 0;
    else if (list.includes(cb)) list.splice(list.indexOf(cb), 1);
  }

  /** Queued now, delivered later (in order) to the listeners set by then. Nothing from the network
   * follows a close: release() detaches node's socket first. */
  private emit<K extends keyof Events>(event: K, res: Events[K]): void {
    nodeSetImmediate(() => {
      for (const cb of [...this.listeners[event]]) cb(res);
    });
  }
}

/** `wx` as far as TCP goes: `createTCPSocket`, with the platform's creation budget. */
export class NodeTcpApi {
  /** now() of each socket created within the budget. */
  readonly created: number[] = [];
  /** Sockets not closed yet. */
  readonly sockets = new Set<NodeTcpSocket>();
  private readonly now: () => number;
  private readonly budget: number;
  private readonly windowMs: number;

  constructor(options: TcpApiOptions = {}) {
    this.now = options.now ?? Date.now;
    this.budget = options.budget ?? 20;
    this.windowMs = options.windowMs ?? 5 * 60 * 1000;
  }

  createTCPSocket(option?: { type?: 'ipv4' | 'ipv6' }): NodeTcpSocket {
    const now = this.now();
    const recent = this.created.filter((at) => now - at < this.windowMs).length;
    const family = option?.type === 'ipv6' ? 6 : 4;
    let socket: NodeTcpSocket;
    if (recent >= this.budget) {
      const minutes = this.windowMs / 60000;
      const refused = `createTCPSocket:fail exceed max count: at most ${this.budget} TCPSockets created in any ${minutes} minutes`;
      socket = new NodeTcpSocket(this.sockets, refused, family);
    } else {
      this.created.push(now);
      socket = new NodeTcpSocket(this.sockets, undefined, family);
    }
    this.sockets.add(socket);
    return socket;
  }

  /** Destroys every socket (no callbacks). */
  dispose(): void {
    for (const socket of [...this.sockets]) socket.destroy();
  }
}
