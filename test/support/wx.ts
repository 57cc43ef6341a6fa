import WebSocket from 'ws';
import { StorageArea, WechatStorageWrites, wechatStorageWrites } from './storage';
import { NodeTcpApi, TcpApiOptions } from './tcp-socket';

/** WeChat-style callbacks: success/fail/complete, each given `{ errMsg }`. */
export interface WxCallbacks {
  success?: (res: { errMsg: string }) => void;
  fail?: (res: { errMsg: string }) => void;
  complete?: (res: { errMsg: string }) => void;
}

export interface ConnectSocketOptions extends WxCallbacks {
  url: string;
  protocols?: string[] | string;
  header?: Record<string, string>;
}

type Listener<T> = (res: T) => void;

/** An MQTT packet on a Node wx socket (type: MQTT 3.1.1 §2.2.1, e.g. 5 PUBREC, 6 PUBREL, 7 PUBCOMP). */
export interface WirePacket {
  type: number;
  bytes: Uint8Array;
}

/** Returns true to swallow the packet: it never arrives (a lossy path; the test decides which). */
export type PacketFilter = (packet: WirePacket) => boolean;

/** Splits whole MQTT packets off the front of `bytes`; returns them and the incomplete rest. */
function splitPackets(bytes: Uint8Array): { packets: WirePacket[]; rest: Uint8Array } {
  const packets: WirePacket[] = [];
  let at = 0;
  for (;;) {
    let length = 0;
    let multiplier = 1;
    let i = at + 1;
    let complete = false;
    for (let n = 0; n < 4 && i < bytes.length; n++, i++) {
      length += (bytes[i] & 0x7f) * multiplier;
      multiplier *= 128;
      if ((bytes[i] & 0x80) === 0) {
        complete = true;
        i++;
        break;
      }
    }
    if (!complete || bytes.length - i < length) break;
    packets.push({ type: bytes[at] >> 4, bytes: bytes.slice(at, i + length) });
    at = i + length;
  }
  return { packets, rest: bytes.slice(at) };
}

export interface NodeWxOptions {
  /** WeChat allows 5 concurrent sockets (base library ≥ 1.7.0). */
  maxSockets?: number;
  /** Hosts of the mini-program's domain list; undefined = checks off (DevTools' 不校验合法域名). */
  domains?: string[];
  /** Delay after app hide before WeChat interrupts sockets; WeChat uses about 5 s. */
  suspendAfterMs?: number;
  /** The device's storage; a relaunch hands the same one (revived) to a new NodeWx. */
  storage?: StorageArea;
  /** `wx.createTCPSocket` (test/support/tcp-socket.ts) with these limits; false: a platform without it. */
  tcp?: TcpApiOptions | false;
  /** `wx.cloud.connectContainer`: 'env/service' → the ws:// base URL that service answers on; absent: no `wx.cloud`. */
  containers?: Record<string, string>;
  /** mDNS services on the "LAN" (wx.startLocalServiceDiscovery); absent: no mDNS API. */
  services?: { serviceType: string; serviceName: string; ip: string; port: number }[];
}

type ServiceListener = (res: { serviceType: string; serviceName: string; ip: string; port: number }) => void;

interface ConnectContainerOptions {
  config?: { env?: string };
  service?: string;
  path?: string;
  success?: (res: { socketTask: NodeSocketTask; errMsg: string }) => void;
  fail?: (res: { errMsg: string }) => void;
  complete?: (res: { errMsg: string }) => void;
}

const done = (cb: WxCallbacks, ok: boolean, errMsg: string): void => {
  const res = { errMsg };
  if (ok) cb.success?.(res);
  else cb.fail?.(res);
  cb.complete?.(res);
};

/** A SocketTask as WeChat gives it: ArrayBuffer binary frames, errMsg callbacks, listeners set once. */
export class NodeSocketTask {
  readyState = 0;
  readonly url: string;
  private ws?: WebSocket;
  private openListeners: Listener<{ header: Record<string, string> }>[] = [];
  private messageListeners: Listener<{ data: string | ArrayBuffer }>[] = [];
  private closeListeners: Listener<{ code: number; reason: string }>[] = [];
  private errorListeners: Listener<{ errMsg: string }>[] = [];

  private inbound: Uint8Array = new Uint8Array(0);
  /** After vanish(): nothing the dead runtime calls does anything. */
  private dead = false;

  constructor(
    url: string,
    private readonly onEnd: (task: NodeSocketTask) => void,
    private readonly filters: { inbound?: PacketFilter; outbound?: PacketFilter } = {},
  ) {
    this.url = url;
  }

  /** With an inbound filter: whole packets, one per frame, minus the swallowed ones. */
  private receive(data: ArrayBuffer): ArrayBuffer[] {
    const filter = this.filters.inbound;
    if (!filter) return [data];
    const joined = new Uint8Array(this.inbound.length + data.byteLength);
    joined.set(this.inbound);
    joined.set(new Uint8Array(data), this.inbound.length);
    const { packets, rest } = splitPackets(joined);
    this.inbound = rest;
    return packets.filter((p) => !filter(p)).map((p) => p.bytes.buffer.slice(p.bytes.byteOffset, p.bytes.byteOffset + p.bytes.byteLength) as ArrayBuffer);
  }

  /** Opens the real WebSocket (called by connectSocket once the request is accepted). */
  start(protocols: string[]): void {
    const ws = new WebSocket(this.url, protocols);
    this.ws = ws;
    ws.binaryType = 'arraybuffer';
    ws.on('open', () => {
      this.readyState = 1;
      this.openListeners.forEach((l) => l({ header: {} }));
    });
    ws.on('message', (data: ArrayBuffer | Buffer, isBinary: boolean) => {
      const frames = isBinary ? this.receive(data as ArrayBuffer) : [Buffer.from(data as ArrayBuffer).toString('utf8')];
      frames.forEach((payload) => this.messageListeners.forEach((l) => l({ data: payload })));
    });
    ws.on('error', (err: Error) => this.fail(`${err.message}`));
    ws.on('close', (code: number, reason: Buffer) => this.finish(code, reason.toString() || 'abnormal closure'));
  }

  /** Fails the task the way WeChat does: onError with errMsg, then onClose. */
  fail(errMsg: string): void {
    if (this.readyState === 3) return;
    this.errorListeners.forEach((l) => l({ errMsg }));
    this.finish(1006, errMsg);
  }

  /** The process died: the connection drops (the broker sees the TCP connection end), no callback runs. */
  vanish(): void {
    this.dead = true;
    this.closeListeners = [];
    this.errorListeners = [];
    this.messageListeners = [];
    this.openListeners = [];
    this.ws?.terminate();
    this.readyState = 3;
  }

  /** WeChat's interruption of a socket, e.g. 5 s after the app went to the background. */
  interrupt(reason = 'interrupted'): void {
    if (this.readyState === 3) return;
    this.ws?.terminate();
    this.finish(1006, reason);
  }

  private finish(code: number, reason: string): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.ws?.removeAllListeners();
    this.ws?.on('error', () => undefined);
    this.onEnd(this);
    this.closeListeners.forEach((l) => l({ code, reason }));
  }

  onOpen(listener: Listener<{ header: Record<string, string> }>): void {
    this.openListeners.push(listener);
  }

  onMessage(listener: Listener<{ data: string | ArrayBuffer }>): void {
    this.messageListeners.push(listener);
  }

  onClose(listener: Listener<{ code: number; reason: string }>): void {
    this.closeListeners.push(listener);
  }

  onError(listener: Listener<{ errMsg: string }>): void {
    this.errorListeners.push(listener);
  }

  send(options: { data: string | ArrayBuffer } & WxCallbacks): void {
    if (this.dead) return;
    if (this.readyState !== 1 || !this.ws) {
      done(options, false, 'sendSocketMessage:fail WebSocket is not connected');
      return;
    }
    const data = options.data;
    if (typeof data !== 'string' && !(data instanceof ArrayBuffer)) {
      done(options, false, 'sendSocketMessage:fail parameter error: parameter.data should be String or ArrayBuffer');
      return;
    }
    const outbound = this.filters.outbound;
    if (outbound && typeof data !== 'string' && splitPackets(new Uint8Array(data)).packets.some((p) => outbound(p))) {
      setTimeout(() => done(options, true, 'sendSocketMessage:ok'), 0);
      return;
    }
    this.ws.send(typeof data === 'string' ? data : Buffer.from(data), { binary: typeof data !== 'string' }, (err) => {
      done(options, !err, err ? `sendSocketMessage:fail ${err.message}` : 'sendSocketMessage:ok');
    });
  }

  close(options: { code?: number; reason?: string } & WxCallbacks = {}): void {
    if (this.dead) return;
    const ws = this.ws;
    if (ws && this.readyState <= 1) {
      this.readyState = 2;
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(options.code ?? 1000, options.reason ?? '');
    }
    setTimeout(() => done(options, true, 'closeSocket:ok'), 0);
  }
}

type AppListener = (res: Record<string, unknown>) => void;
type NetworkListener = (res: { isConnected: boolean; networkType: string }) => void;

/** The part of `wx` the library uses, implemented for Node on top of `ws`. */
export class NodeWx {
  readonly sockets = new Set<NodeSocketTask>();
  /** Every connectSocket request, for assertions (url, protocols). */
  readonly requests: { url: string; protocols: unknown }[] = [];
  suspended = false;
  isConnected = true;
  /** Packets to swallow on the way in / out, on every socket (open ones included). */
  readonly filters: { inbound?: PacketFilter; outbound?: PacketFilter } = {};
  private readonly showListeners = new Set<AppListener>();
  private readonly hideListeners = new Set<AppListener>();
  private readonly networkListeners = new Set<NetworkListener>();
  private suspendTimer?: NodeJS.Timeout;

  readonly storage: StorageArea;
  declare setStorage: WechatStorageWrites<{ errMsg: string }>['setStorage'];
  declare setStorageSync: WechatStorageWrites<{ errMsg: string }>['setStorageSync'];
  declare removeStorage: WechatStorageWrites<{ errMsg: string }>['removeStorage'];
  declare removeStorageSync: WechatStorageWrites<{ errMsg: string }>['removeStorageSync'];
  private killed = false;

  /**
   * WeChat Cloud Hosting's `wx.cloud.connectContainer` (developers.weixin.qq.com/miniprogram/dev/
   * wxcloudrun/src/development/websocket/miniprogram.html, base library 2.21.1): a Promise of
   * `{ socketTask }` when no callback is given, success/fail/complete otherwise; the socketTask is
   * an ordinary SocketTask (no domain list), counted with the others; `containerCalls` records each call.
   */
  readonly cloud?: { connectContainer(options: ConnectContainerOptions): Promise<{ socketTask: NodeSocketTask; errMsg: string }> | undefined };
  readonly containerCalls: { env?: string; service?: string; path?: string }[] = [];

  /**
   * mDNS (developers.weixin.qq.com/miniprogram/dev/api/network/mdns/wx.startLocalServiceDiscovery.html):
   * fail 'invalid param' for an empty serviceType, 'scan task already exist' while a search runs;
   * each matching service is reported twice (as phones do when it answers on two interfaces); a
   * search stops by itself after 30 s; stopLocalServiceDiscovery without one fails 'task not found'.
   */
  declare startLocalServiceDiscovery?: (o: { serviceType?: string; success?: (r: { errMsg: string }) => void; fail?: (r: { errMsg: string }) => void }) => void;
  declare stopLocalServiceDiscovery?: (o?: { success?: (r: { errMsg: string }) => void; fail?: (r: { errMsg: string }) => void }) => void;
  declare onLocalServiceFound?: (listener: ServiceListener) => void;
  declare offLocalServiceFound?: (listener: ServiceListener) => void;
  /** For assertions: whether a search runs, and the onLocalServiceFound listeners registered. */
  readonly mdns = { searching: false, listeners: new Set<ServiceListener>() };

  /** WeChat's TCPSockets; absent with `tcp: false`. */
  readonly tcp?: NodeTcpApi;
  declare createTCPSocket?: NodeTcpApi['createTCPSocket'];

  constructor(private readonly options: NodeWxOptions = {}) {
    this.storage = options.storage ?? new StorageArea();
    if (options.services) this.installMdns(options.services);
    const containers = options.containers;
    if (containers) this.cloud = { connectContainer: (o) => this.connectContainer(containers, o) };
    if (options.tcp !== false) {
      const tcp = new NodeTcpApi(options.tcp);
      this.tcp = tcp;
      this.createTCPSocket = (option) => tcp.createTCPSocket(option);
    }
    Object.assign(
      this,
      wechatStorageWrites(this.storage, (api, key, data) => {
        const errMsg = this.storageFailure(api, key, data);
        return errMsg === undefined ? undefined : { errMsg };
      }),
    );
  }

  /**
   * Storage as WeChat documents it (developers.weixin.qq.com/miniprogram/dev/api/storage/
   * wx.setStorage.html): 1 MB per key, 10 MB in all, Sync calls throw, getStorageSync of a missing
   * key gives ''. Undocumented, chosen here: the errMsg texts (after Douyin's documented
   * "exceed storage item max length" / "exceed storage max size").
   */
  private storageFailure(api: string, key: unknown, data?: unknown): string | undefined {
    if (this.storage.broken) return `${api}:fail storage is broken (test)`;
    if (typeof key !== 'string' || key === '') return `${api}:fail parameter error: parameter.key should be String instead of ${typeof key};`;
    const refusal = data === undefined ? undefined : this.storage.refusal(key, data);
    if (refusal === 'item') return `${api}:fail exceed storage item max length`;
    if (refusal === 'total') return `${api}:fail exceed storage max size 10MB`;
    return undefined;
  }

  /** wx.getStorageInfoSync(): {keys, currentSize, limitSize} (developers.weixin.qq.com/miniprogram/dev/api/storage/wx.getStorageInfoSync.html). */
  getStorageInfoSync = (): unknown => this.storage.info();

  getStorageSync = (key: string): unknown => {
    if (this.storage.broken) throw new Error('getStorageSync:fail storage is broken (test)');
    const value = this.storage.data.get(key);
    return value === undefined ? '' : value;
  };

  /**
   * The mini-program process is killed (swiped away, reclaimed in the background): sockets vanish
   * without a close frame or a callback, storage writes under way are lost, and whatever the old
   * runtime still tries to do (timers, reconnects) reaches nothing.
   */
  kill(): void {
    this.killed = true;
    this.storage.kill();
    clearTimeout(this.suspendTimer);
    [...this.sockets].forEach((s) => s.vanish());
    this.tcp?.dispose();
  }

  connectSocket = (options: ConnectSocketOptions): NodeSocketTask => {
    this.requests.push({ url: options.url, protocols: options.protocols });
    const task = new NodeSocketTask(options.url, (t) => this.sockets.delete(t), this.filters);
    if (this.killed) {
      task.vanish();
      return task;
    }
    const error = this.refusal(options);
    if (error) {
      setTimeout(() => {
        done(options, false, error);
        task.fail(error);
      });
      return task;
    }
    this.sockets.add(task);
    const protocols = Array.isArray(options.protocols) ? options.protocols : [];
    task.start(protocols);
    setTimeout(() => done(options, true, 'connectSocket:ok'), 0);
    return task;
  };

  private installMdns(services: NonNullable<NodeWxOptions['services']>): void {
    const mdns = this.mdns;
    let stopTimer: ReturnType<typeof setTimeout> | undefined;
    this.onLocalServiceFound = (listener) => void mdns.listeners.add(listener);
    this.offLocalServiceFound = (listener) => void mdns.listeners.delete(listener);
    this.startLocalServiceDiscovery = (o) => {
      const type = o?.serviceType;
      const refused = !type ? 'startLocalServiceDiscovery:fail invalid param' : mdns.searching ? 'startLocalServiceDiscovery:fail scan task already exist' : undefined;
      setTimeout(() => (refused ? o?.fail?.({ errMsg: refused }) : o?.success?.({ errMsg: 'startLocalServiceDiscovery:ok' })), 0);
      if (refused) return;
      mdns.searching = true;
      for (const service of services.filter((x) => x.serviceType === type)) {
        for (const delay of [20, 60]) setTimeout(() => mdns.searching && mdns.listeners.forEach((l) => l({ ...service })), delay);
      }
      stopTimer = setTimeout(() => (mdns.searching = false), 30000);
    };
    this.stopLocalServiceDiscovery = (o) => {
      clearTimeout(stopTimer);
      const running = mdns.searching;
      mdns.searching = false;
      setTimeout(() => (running ? o?.success?.({ errMsg: 'stopLocalServiceDiscovery:ok' }) : o?.fail?.({ errMsg: 'stopLocalServiceDiscovery:fail task not found' })), 0);
    };
  }

  private connectContainer(containers: Record<string, string>, o: ConnectContainerOptions): Promise<{ socketTask: NodeSocketTask; errMsg: string }> | undefined {
    const target = { env: o?.config?.env, service: o?.service, path: o?.path };
    this.containerCalls.push(target);
    const base = containers[`${target.env}/${target.service}`];
    const refused = !base ? `connectContainer:fail service ${String(target.service)} not found in env ${String(target.env)}` : this.suspended || !this.isConnected ? 'connectContainer:fail network is down' : undefined;
    const callbacks = typeof o?.success === 'function' || typeof o?.fail === 'function' || typeof o?.complete === 'function';
    const outcome = new Promise<{ socketTask: NodeSocketTask; errMsg: string }>((resolve, reject) =>
      setTimeout(() => {
        if (refused) return reject({ errMsg: refused });
        const task = new NodeSocketTask(`${base}${target.path ?? '/'}`, (t) => this.sockets.delete(t), this.filters);
        this.sockets.add(task);
        task.start(['mqtt']);
        resolve({ socketTask: task, errMsg: 'connectContainer:ok' });
      }, 0),
    );
    if (!callbacks) return outcome;
    outcome.then(
      (res) => (o.success?.(res), o.complete?.(res)),
      (res: { errMsg: string }) => (o.fail?.(res), o.complete?.(res)),
    );
    return undefined;
  }

  private refusal(options: ConnectSocketOptions): string | undefined {
    if (this.suspended) {
      return 'connectSocket:fail jsapi has no permission, event=connectSocket, runningState=suspend, permissionBit=0';
    }
    if (typeof options.url !== 'string' || !/^wss?:\/\//.test(options.url)) {
      return `connectSocket:fail invalid url "${String(options.url)}"`;
    }
    if (!this.isConnected) return 'connectSocket:fail network is down';
    if (this.options.domains && !this.options.domains.includes(new URL(options.url).hostname)) {
      return `connectSocket:fail url not in domain list, url == "${options.url}"`;
    }
    if (this.sockets.size >= (this.options.maxSockets ?? 5)) {
      return 'connectSocket:fail createSocketTask:fail exceed max concurrent count 5';
    }
    return undefined;
  }

  onAppShow = (l: AppListener): void => void this.showListeners.add(l);
  offAppShow = (l: AppListener): void => void this.showListeners.delete(l);
  onAppHide = (l: AppListener): void => void this.hideListeners.add(l);
  offAppHide = (l: AppListener): void => void this.hideListeners.delete(l);
  onNetworkStatusChange = (l: NetworkListener): void => void this.networkListeners.add(l);
  offNetworkStatusChange = (l: NetworkListener): void => void this.networkListeners.delete(l);

  getNetworkType = (options: WxCallbacks & { success?: (res: { networkType: string; errMsg: string }) => void }): void => {
    setTimeout(() => options.success?.({ networkType: this.isConnected ? 'wifi' : 'none', errMsg: 'getNetworkType:ok' }), 0);
  };

  /** The app goes to the background: after suspendAfterMs WeChat interrupts every socket. */
  hideApp(): void {
    if (this.killed) return;
    this.hideListeners.forEach((l) => l({}));
    this.suspendTimer = setTimeout(() => {
      this.suspended = true;
      [...this.sockets].forEach((s) => s.interrupt('interrupted'));
    }, this.options.suspendAfterMs ?? 5000);
  }

  showApp(): void {
    if (this.killed) return;
    clearTimeout(this.suspendTimer);
    this.suspended = false;
    this.showListeners.forEach((l) => l({ path: 'pages/index/index', scene: 1001 }));
  }

  /** Network lost (sockets interrupted) or regained. */
  setNetwork(isConnected: boolean): void {
    if (this.killed) return;
    this.isConnected = isConnected;
    if (!isConnected) [...this.sockets].forEach((s) => s.interrupt('network is down'));
    this.networkListeners.forEach((l) => l({ isConnected, networkType: isConnected ? 'wifi' : 'none' }));
  }

  /** Stops timers and closes every socket (test teardown). */
  dispose(): void {
    clearTimeout(this.suspendTimer);
    [...this.sockets].forEach((s) => s.interrupt('disposed'));
    this.tcp?.dispose();
  }
}
