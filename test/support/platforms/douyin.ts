/**
 * Douyin's `tt` socket, app-life and network API, for Node (on `ws`, through test/support/wx.ts's
 * NodeSocketTask), written from Douyin's documentation:
 *   tt.connectSocket  https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/api/network/web-socket/tt-connect-socket
 *     — always returns a SocketTask; success {errMsg, socketTaskId}, fail {errMsg, errNo?}; at most 5,
 *       a new one does not close the old; a non-empty protocols must be echoed by the server or the
 *       creation fails; "请通过此 api 的回调判断 api 调用成功后，再调用返回实例上的方法";
 *   SocketTask (same section) — readyState, send {data: string|ArrayBuffer}, close {code, reason},
 *     onOpen {header, protocolType, socketType}, onMessage {data}, onClose {errMsg, code, reason},
 *     onError {errMsg}; no off*; no global tt.onSocket* API;
 *   tt.onAppHide / tt.onAppShow (off*: base library 1.46.0), tt.onNetworkStatusChange {networkType};
 *   typings: @douyin-microapp/typings 1.3.1 (onClose code typed string).
 * What the documentation leaves open is chosen here and said so ("undocumented:").
 */
import { NodeSocketTask } from '../wx';
import { isArrayBufferAnyRealm, Listeners, localArrayBuffer, PlatformDouble } from './common';

type Res = { errMsg: string; errNo?: number };
type Callbacks<S = Res> = { success?: (res: S) => void; fail?: (res: Res) => void; complete?: (res: unknown) => void };

export interface NodeTtOptions {
  /** At most 5 sockets (tt.connectSocket). */
  maxSockets?: number;
  /** Sockets are cut about 5 s after the app goes to the background (as NodeWx; research notes). */
  suspendAfterMs?: number;
}

const later = (fn: () => void): void => void setTimeout(fn, 0);

/** The SocketTask tt.connectSocket always returns. */
export class DouyinSocketTask {
  /** socket-task: 0 CONNECTING, 1 OPEN, 2 CLOSING, 3 CLOSED. */
  get readyState(): number {
    return this.inner.readyState;
  }
  /** Whether connectSocket's success callback has run: only then may send/close be called. */
  usable = false;
  private readonly opens = new Listeners<{ header: Record<string, string>; protocolType: string; socketType: string }>();
  private readonly messages = new Listeners<{ data: string | ArrayBuffer }>();
  private readonly closes = new Listeners<{ errMsg: string; code: string; reason: string }>();
  private readonly errors = new Listeners<{ errMsg: string }>();
  private closeCode?: number;

  constructor(
    readonly inner: NodeSocketTask,
    private readonly violation: (what: string) => void,
  ) {
    // socket-task onMessage: data is string or ArrayBuffer.
    inner.onMessage(({ data }) => this.messages.emit({ data: typeof data === 'string' ? data : localArrayBuffer(data) }));
    // socket-task onClose: {errMsg, code, reason}; code may arrive as a string (typings: string).
    inner.onClose(({ code, reason }) => this.closes.emit({ errMsg: 'closeSocket:ok', code: String(this.closeCode ?? code), reason }));
    inner.onError(({ errMsg }) => this.errors.emit({ errMsg: `SocketTask.onError: ${errMsg}` }));
  }

  /** Called by NodeTt when the handshake is done: success first, then onOpen. */
  opened(protocol: string): void {
    this.opens.emit({ header: {}, protocolType: protocol, socketType: 'tradition' });
  }

  /** Douyin cuts the socket (SocketTask close code 1001: closed because of the background and the like). */
  cut(code: number, reason: string): void {
    this.closeCode = code;
    this.inner.interrupt(reason);
  }

  // socket-task: no off* methods.
  onOpen = this.opens.add;
  onMessage = this.messages.add;
  onClose = this.closes.add;
  onError = this.errors.add;

  /**
   * tt.connectSocket: "请通过此 api 的回调判断 api 调用成功后，再调用返回实例上的方法" — methods only
   * after success. Undocumented what happens otherwise: this double THROWS (and records it), the
   * loudest outcome: a library that calls too early fails in its own stack instead of relying on a
   * fail callback it might ignore.
   */
  private guard(method: string): void {
    if (this.usable) return;
    const what = `SocketTask.${method} called before tt.connectSocket's success callback`;
    this.violation(what);
    throw new Error(what);
  }

  send = (options: { data: string | ArrayBuffer } & Callbacks): void => {
    this.guard('send');
    if (this.inner.readyState !== 1) {
      later(() => options.fail?.({ errMsg: 'sendSocketMessage:fail socket is not connected' }));
      return;
    }
    const data = options.data;
    if (typeof data !== 'string' && !isArrayBufferAnyRealm(data)) {
      later(() => options.fail?.({ errMsg: 'sendSocketMessage:fail data should be string or ArrayBuffer' }));
      return;
    }
    this.inner.send({
      data: typeof data === 'string' ? data : localArrayBuffer(data),
      success: () => options.success?.({ errMsg: 'sendSocketMessage:ok' }),
      fail: (res) => options.fail?.(res),
    });
  };

  close = (options: { code?: number; reason?: string } & Callbacks = {}): void => {
    this.guard('close');
    this.inner.close({ code: options.code ?? 1000, reason: options.reason ?? '' });
    later(() => options.success?.({ errMsg: 'closeSocket:ok' }));
  };
}

type AppListener = (res: Record<string, unknown>) => void;
/** tt.onNetworkStatusChange: {networkType} (isConnected not given on Douyin, per uni-app's table). */
type NetworkListener = (res: { networkType: string }) => void;

export class NodeTt implements PlatformDouble {
  readonly requests: { url: string; protocols?: unknown }[] = [];
  readonly tasks = new Set<DouyinSocketTask>();
  /** Every call to a SocketTask method before its success callback (should stay empty). */
  readonly violations: string[] = [];
  suspended = false;
  isConnected = true;
  private readonly options: Required<NodeTtOptions>;
  private readonly shows = new Listeners<Record<string, unknown>>();
  private readonly hides = new Listeners<Record<string, unknown>>();
  private readonly network = new Listeners<{ networkType: string }>();
  private suspendTimer?: NodeJS.Timeout;
  private nextId = 1;

  constructor(options: NodeTtOptions = {}) {
    this.options = { maxSockets: 5, suspendAfterMs: 5000, ...options };
  }

  get api(): this {
    return this;
  }

  /**
   * tt.connectSocket: always returns a SocketTask; success {errMsg, socketTaskId}, fail {errMsg,
   * errNo?}. A non-empty protocols that the server does not echo fails the creation. Since creation
   * can fail on the handshake, this double calls success (or fail) when the handshake is done,
   * success before onOpen (undocumented: when exactly success comes).
   * A new socket does not close older ones.
   */
  /** tt.getEnvInfoSync (a stub: only here so the object looks like `tt`; Douyin-only, developer.open-douyin.com … tt-get-env-info-sync). */
  getEnvInfoSync = (): { microapp: { appId: string; envType: string }; common: { USER_DATA_PATH: string } } => ({
    microapp: { appId: 'node-tt', envType: 'development' },
    common: { USER_DATA_PATH: 'ttfile://user' },
  });

  connectSocket = (options: { url: string; header?: Record<string, string>; protocols?: string[] } & Callbacks<Res & { socketTaskId: number }>): DouyinSocketTask => {
    this.requests.push({ url: options.url, protocols: options.protocols });
    const id = this.nextId++;
    const inner = new NodeSocketTask(options.url, () => this.tasks.delete(task));
    const task = new DouyinSocketTask(inner, (what) => this.violations.push(what));
    const fail = (errMsg: string): void => {
      options.fail?.({ errMsg });
      options.complete?.({ errMsg });
    };
    const refusal = this.refusal(options);
    if (refusal) {
      later(() => {
        fail(refusal);
        inner.fail(refusal);
      });
      return task;
    }
    this.tasks.add(task);
    let settled = false;
    inner.onOpen(() => {
      settled = true;
      task.usable = true;
      const res = { errMsg: 'connectSocket:ok', socketTaskId: id };
      options.success?.(res);
      options.complete?.(res);
      const ws = (inner as unknown as { ws?: { protocol?: string } }).ws;
      task.opened(ws?.protocol ?? '');
    });
    inner.onError(({ errMsg }) => {
      if (settled) return;
      settled = true;
      // e.g. `ws`: "Server sent no subprotocol" when a requested protocol is not echoed.
      fail(`connectSocket:fail ${errMsg}`);
    });
    inner.start(Array.isArray(options.protocols) ? options.protocols : []);
    return task;
  };

  /** undocumented: the errMsg texts of these refusals. */
  private refusal(options: { url: string }): string | undefined {
    if (this.suspended) return 'connectSocket:fail app is in background';
    if (typeof options.url !== 'string' || !/^wss?:\/\//.test(options.url)) return `connectSocket:fail invalid url "${String(options.url)}"`;
    if (!this.isConnected) return 'connectSocket:fail network is down';
    if (this.tasks.size >= this.options.maxSockets) return `connectSocket:fail exceed max concurrent count ${this.options.maxSockets}`;
    return undefined;
  }

  // tt.onAppHide / tt.onAppShow (off*: base library 1.46.0)
  onAppShow = (l: AppListener): void => this.shows.add(l);
  offAppShow = (l: AppListener): void => this.shows.remove(l);
  onAppHide = (l: AppListener): void => this.hides.add(l);
  offAppHide = (l: AppListener): void => this.hides.remove(l);
  onNetworkStatusChange = (l: NetworkListener): void => this.network.add(l);
  offNetworkStatusChange = (l: NetworkListener): void => this.network.remove(l);

  openSockets(): number {
    return this.tasks.size;
  }

  /** After suspendAfterMs in the background Douyin cuts sockets (close code 1001) and refuses new ones. */
  hideApp(): void {
    this.hides.emit({});
    this.suspendTimer = setTimeout(() => {
      this.suspended = true;
      [...this.tasks].forEach((t) => t.cut(1001, 'interrupted'));
    }, this.options.suspendAfterMs);
  }

  showApp(): void {
    clearTimeout(this.suspendTimer);
    this.suspended = false;
    this.shows.emit({ path: 'pages/index/index', query: {}, scene: '990001' });
  }

  setNetwork(connected: boolean): void {
    this.isConnected = connected;
    if (!connected) [...this.tasks].forEach((t) => t.cut(1006, 'network is down'));
    this.network.emit({ networkType: connected ? 'wifi' : 'none' });
  }

  dispose(): void {
    clearTimeout(this.suspendTimer);
    [...this.tasks].forEach((t) => t.cut(1006, 'disposed'));
  }
}
