/**
 * The connectSocket adapter each mqtt.js copy is given. It fixes what mqtt.js 4.0.1 gets wrong on
 * the wx path: `protocols` goes out as an array, every errMsg is kept and mapped to a code, the
 * owner hears of every close, the 5-socket limit is enforced before WeChat is asked, inbound
 * bytes pass an InboundFilter (packets its parser cannot read, CONNACK seen first), and outbound
 * writes are sent one frame per MQTT packet (mqtt.js writes a PUBLISH in about a dozen pieces).
 */
import { exactArrayBuffer, isArrayBuffer } from '../core/codec';
import { expandJoinedPairs } from '../core/user-properties';
import { ErrorInfo, WECHAT_SOCKET_LIMIT } from '../core/errors';
import { errorFromErrMsg } from './errmsg';
import { concat, InboundEvent, InboundFilter, PacketSplitter, ProtocolViolation } from '../core/packets';
import type { VendorSocketTask, VendorWx } from '../vendor/mqtt';
import type { PlatformWx, WxSocketTask } from './wx';

export { WECHAT_SOCKET_LIMIT };

/** Open sockets of this mini-program, across every connection. */
export class SocketCounter {
  open = 0;
  constructor(readonly limit = WECHAT_SOCKET_LIMIT) {}
}

export interface SocketEvents {
  onOpen(): void;
  onError(error: ErrorInfo): void;
  /** Called exactly once per socket, whatever ended it. */
  onClose(res: { code: number; reason: string }): void;
  /** CONNACK or DISCONNECT arrived; called before mqtt.js reads it. */
  onPacket(event: InboundEvent): void;
  /** The server sent what MQTT forbids; the socket is closed right after. */
  onViolation(violation: ProtocolViolation): void;
}

/** What the inbound filter needs to know of the connection. */
export interface InboundProtocol {
  protocolVersion: 4 | 5;
  topicAliasMaximum?: number;
}

type Listener<T> = (res: T) => void;

class AdaptedTask implements VendorSocketTask {
  ended = false;
  private opened = false;
  private readonly openListeners: Listener<unknown>[] = [];
  private readonly messageListeners: Listener<{ data: string | ArrayBuffer }>[] = [];
  private real?: WxSocketTask;
  private readonly outbound = new PacketSplitter();

  constructor(
    private readonly events: SocketEvents,
    private readonly counter: SocketCounter,
    private readonly filter: InboundFilter,
    private readonly protocolVersion: 4 | 5,
    private readonly owner: { readonly vendorMayClose: boolean },
  ) {}

  attach(real: WxSocketTask): void {
    this.real = real;
    this.counter.open++;
    real.onOpen((res) => {
      if (this.ended) return;
      this.opened = true;
      this.events.onOpen();
      this.openListeners.forEach((l) => l(res));
    });
    real.onMessage((res) => {
      if (this.ended) return;
      const data = res?.data;
      if (!isArrayBuffer(data)) {
        this.messageListeners.forEach((l) => l(res));
        return;
      }
      const chunk = new Uint8Array(data);
      let bytes: Uint8Array;
      try {
        const filtered = this.filter.push(chunk);
        filtered.events.forEach((event) => this.events.onPacket(event));
        bytes = filtered.bytes;
      } catch (error) {
        if (!(error instanceof ProtocolViolation)) throw error;
        this.events.onViolation(error);
        this.abort(1002, error.message);
        return;
      }
      if (this.ended || bytes.length === 0) return;
      const forwarded = bytes === chunk ? res : { data: exactArrayBuffer(bytes) };
      this.messageListeners.forEach((l) => l(forwarded));
    });
    real.onError((res) => this.fail(typeof res?.errMsg === 'string' ? res.errMsg : 'socket error'));
    real.onClose((res) => this.end(res?.code ?? 1006, res?.reason ?? ''));
  }

  fail(errMsg: string): void {
    if (this.ended) return;
    this.events.onError(errorFromErrMsg(errMsg));
  }

  /** Ends the task once: frees its slot, tells mqtt.js and the owner. */
  end(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    if (this.real) this.counter.open--;
    this.events.onClose({ code, reason });
  }

  /** Closes the real socket and ends at once, without waiting for WeChat's onClose. */
  abort(code = 1000, reason = ''): void {
    if (this.ended) return;
    try {
      this.real?.close({ code, reason });
    } catch {
      // a socket that is already gone may throw on some base library versions
    }
    this.end(code, reason);
  }

  onOpen(l: Listener<unknown>): void {
    this.openListeners.push(l);
  }
  onMessage(l: Listener<{ data: string | ArrayBuffer }>): void {
    this.messageListeners.push(l);
  }
  /**
   * mqtt.js's own close and error handlers are not called: they act on its module-level
   * `socketTask`, which by then may already be the next socket. The owner tells mqtt.js instead.
   */
  onClose(): void {}
  onError(): void {}

  send(options: { data: string | ArrayBuffer; success?: () => void; fail?: (res: unknown) => void }): void {
    if (this.ended || !this.real) {
      options.fail?.({ errMsg: 'sendSocketMessage:fail socket closed' });
      return;
    }
    const data = this.frame(options.data);
    if (data === undefined) {
      options.success?.(); // part of a packet: mqtt.js writes the rest next
      return;
    }
    this.real.send({
      data,
      success: options.success,
      // A frame that did not go out on an open socket breaks the MQTT stream: end the socket, saying
      // why (mqtt.js would drop the error). Before open, only a stale mqtt.js stream writes here.
      fail: (res) => {
        options.fail?.(res);
        if (!this.opened) return;
        this.fail(typeof res?.errMsg === 'string' ? res.errMsg : 'sendSocketMessage:fail');
        setTimeout(() => this.abort(1006, 'send failed'), 0);
      },
    });
  }

  /** The whole packets this write completes, as one frame (repeated user property names expanded at MQTT 5). */
  private frame(data: string | ArrayBuffer): string | ArrayBuffer | undefined {
    if (!isArrayBuffer(data)) return data;
    let packets = this.outbound.push(new Uint8Array(data));
    if (packets.length === 0) return undefined;
    if (this.protocolVersion === 5) packets = packets.map(expandJoinedPairs);
    const frame = packets.length === 1 ? packets[0] : concat(packets);
    return frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength ? (frame.buffer as ArrayBuffer) : exactArrayBuffer(frame);
  }

  /**
   * mqtt.js closes "its" socket when its stream ends — through a module variable that may by then
   * hold the next socket (a write pending on a dropped socket ends that stream after a reconnect).
   * So it is obeyed only while the owner is ending the connection (after DISCONNECT).
   */
  close(options: { code?: number; reason?: string; success?: () => void; fail?: () => void } = {}): void {
    if (!this.ended && this.owner.vendorMayClose) this.abort(options.code ?? 1000, options.reason ?? '');
    setTimeout(() => options.success?.(), 0);
  }
}

/** The socket side of one connection: hands mqtt.js a `wx` whose sockets report to `events`. */
export class SocketAdapter {
  private current?: AdaptedTask;
  /** Set by the owner while it ends the connection: mqtt.js may then close the socket itself. */
  vendorMayClose = false;

  constructor(
    private readonly wx: PlatformWx,
    private readonly counter: SocketCounter,
    private readonly events: SocketEvents,
    private readonly protocol: InboundProtocol,
  ) {}

  /** The `wx` the vendored mqtt.js copy sees. */
  readonly vendorWx: VendorWx = {
    connectSocket: (options) => this.open(options.url, options.protocols),
  };

  get isOpen(): boolean {
    return this.current !== undefined && !this.current.ended;
  }

  private open(url: string, protocols: string | string[] | undefined): VendorSocketTask {
    this.current?.abort(1000, 'replaced');
    const filter = new InboundFilter(this.protocol.protocolVersion, this.protocol.topicAliasMaximum);
    const task = new AdaptedTask(this.events, this.counter, filter, this.protocol.protocolVersion, this);
    this.current = task;
    const later = (fn: () => void): unknown => setTimeout(fn, 0);
    if (this.counter.open >= this.counter.limit) {
      later(() => {
        this.events.onError({ code: 'SOCKET_LIMIT', limit: this.counter.limit });
        task.end(1006, 'socket limit');
      });
      return task;
    }
    const list = protocols === undefined ? ['mqtt'] : Array.isArray(protocols) ? protocols : [protocols];
    try {
      const real = this.wx.connectSocket({
        url,
        protocols: list,
        fail: (res) => {
          task.fail(res?.errMsg ?? 'connectSocket:fail');
          task.end(1006, res?.errMsg ?? 'connectSocket:fail');
        },
      });
      task.attach(real);
    } catch (e) {
      const errMsg = e instanceof Error ? e.message : String(e);
      later(() => {
        task.fail(errMsg);
        task.end(1006, errMsg);
      });
    }
    return task;
  }

  /** Closes the current socket now; its close is reported as usual. */
  close(code = 1000, reason = ''): void {
    this.current?.abort(code, reason);
  }
}
