/**
 * MQTT straight over WeChat's TCPSocket (`wx.createTCPSocket`, base library 2.18.0:
 * developers.weixin.qq.com/miniprogram/dev/api/network/tcp/wx.createTCPSocket.html): LAN brokers
 * with no certificate and no registered domain. Plain TCP only; the platform refuses ports below
 * 1024 and a documented list (checked before any call, see options), and at most 20 sockets created
 * in any 5 minutes (TcpBudget: the connection waits rather than ask for a 21st).
 * `TCPSocket.onMessage` gives `res.message`, an ArrayBuffer; anything else is a coded error that
 * ends the socket at once rather than a frame silently lost.
 */
import { encodeUtf8, isArrayBuffer } from '../../core/codec';
import { type ErrorInfo, errorText } from '../../core/errors';
import { errorFromErrMsg } from '../errmsg';
import { later, type Transport, type TransportEvents, type TransportFactory } from './transport';

type Listener<T> = (res: T) => void;

/** WeChat's TCPSocket, as far as the transport uses it. */
export interface WxTcpSocket {
  connect(options: { address: string; port: number }): void;
  write(data: ArrayBuffer): void;
  close(): void;
  onConnect(listener: Listener<unknown>): void;
  offConnect?(listener: Listener<unknown>): void;
  onMessage(listener: Listener<{ message?: unknown }>): void;
  offMessage?(listener: Listener<{ message?: unknown }>): void;
  onClose(listener: Listener<unknown>): void;
  offClose?(listener: Listener<unknown>): void;
  onError(listener: Listener<{ errMsg?: string }>): void;
  offError?(listener: Listener<{ errMsg?: string }>): void;
}

export interface TcpWx {
  createTCPSocket?(): WxTcpSocket;
}

/** The platform's budget of TCP sockets: `limit` created in any `windowMs`; one per mini-program (the pool owns it). */
export class TcpBudget {
  private readonly created: number[] = [];

  constructor(
    readonly limit = 20,
    readonly windowMs = 5 * 60 * 1000,
  ) {}

  /** Milliseconds until one more socket may be created (0: now). */
  wait(now: number): number {
    this.forget(now);
    return this.created.length < this.limit ? 0 : this.created[0] + this.windowMs - now;
  }

  spend(now: number): void {
    this.forget(now);
    this.created.push(now);
  }

  private forget(now: number): void {
    while (this.created.length > 0 && now - this.created[0] >= this.windowMs) this.created.shift();
  }
}

/** Opens TCP sockets to `address`:`port` (the url mqtt.js built is not used); each spends from `budget`. */
export function tcpTransport(wx: TcpWx, address: string, port: number, budget: TcpBudget): TransportFactory {
  return (_url, events) => new TcpTransport(wx, address, port, budget, events);
}

class TcpTransport implements Transport {
  ended = false;
  private socket?: WxTcpSocket;
  private readonly listeners = {
    connect: () => {
      if (!this.ended) this.events.open();
    },
    message: (res: { message?: unknown }) => this.received(res?.message),
    close: () => this.end(1006, 'closed'),
    error: (res: { errMsg?: string }) => this.fail(errorFromErrMsg(typeof res?.errMsg === 'string' ? res.errMsg : 'TCPSocket error')),
  };

  constructor(
    wx: TcpWx,
    address: string,
    port: number,
    budget: TcpBudget,
    private readonly events: TransportEvents,
  ) {
    if (typeof wx.createTCPSocket !== 'function') {
      later(() => this.fail({ code: 'UNSUPPORTED_PLATFORM', reason: 'no wx.createTCPSocket (base library ≥ 2.18.0)' }));
      return;
    }
    try {
      budget.spend(Date.now());
      const socket = wx.createTCPSocket();
      this.socket = socket;
      socket.onConnect(this.listeners.connect);
      socket.onMessage(this.listeners.message);
      socket.onClose(this.listeners.close);
      socket.onError(this.listeners.error);
      socket.connect({ address, port });
    } catch (error) {
      const errMsg = errorText(error);
      later(() => this.fail(errorFromErrMsg(errMsg)));
    }
  }

  send(frame: ArrayBuffer, done: (error?: ErrorInfo) => void): void {
    try {
      this.socket!.write(frame);
      done();
    } catch (error) {
      const failure = errorFromErrMsg(errorText(error));
      done(failure);
      this.fail(failure);
    }
  }

  close(code: number, reason: string): void {
    if (this.ended) return;
    try {
      this.socket?.close();
    } catch {
      // closing anyway: the close below is reported whatever the platform says
    }
    this.end(code, reason);
  }

  private received(message: unknown): void {
    if (this.ended) return;
    if (isArrayBuffer(message)) this.events.data(new Uint8Array(message));
    else if (typeof message === 'string') this.events.data(encodeUtf8(message));
    else this.fail({ code: 'PROTOCOL_ERROR', reason: `TCPSocket.onMessage gave ${message === null ? 'null' : typeof message}; expected res.message, an ArrayBuffer` });
  }

  private fail(error: ErrorInfo): void {
    if (this.ended) return;
    this.events.error(error);
    this.close(1006, error.reason ?? error.errMsg ?? error.code);
  }

  private end(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    const socket = this.socket;
    if (socket) {
      socket.offConnect?.(this.listeners.connect);
      socket.offMessage?.(this.listeners.message);
      socket.offClose?.(this.listeners.close);
      socket.offError?.(this.listeners.error);
    }
    this.events.close({ code, reason });
  }
}
