/**
 * The one socket of base libraries without SocketTask (Alipay without `multiple`, Baidu before
 * 1.9.4), driven through the global onSocket* / sendSocketMessage / closeSocket, as a SocketTask.
 * Its listeners are removed when it closes, so the next socket starts clean.
 */
import type { WxMessage } from '../frames';
import { assign } from '../../core/errors';
import type { WxSocketTask } from '../wx';

type Callback = (res?: unknown) => void;

export interface GlobalSocketApi {
  onSocketOpen(cb: Callback): void;
  onSocketMessage(cb: (res: unknown) => void): void;
  onSocketClose(cb: (res: unknown) => void): void;
  onSocketError(cb: (res: unknown) => void): void;
  offSocketOpen?(cb?: Callback): void;
  offSocketMessage?(cb?: Callback): void;
  offSocketClose?(cb?: Callback): void;
  offSocketError?(cb?: Callback): void;
  sendSocketMessage(options: { data: string | ArrayBuffer; isBuffer?: boolean; success?: Callback; fail?: Callback }): void;
  closeSocket(options?: { code?: number; reason?: string; success?: Callback; fail?: Callback }): void;
}

interface GlobalSocketShape {
  /** A message event's payload → WeChat's message (`unreadable` when it has no shape the adapter knows). */
  message(res: unknown): WxMessage;
  /** What to hand sendSocketMessage. */
  send(data: string | ArrayBuffer): { data: string | ArrayBuffer; isBuffer?: boolean };
  errMsg(api: string, res: unknown): string;
}

export const GLOBAL_LIMIT_ERRMSG = 'connectSocket:fail exceed max concurrent count 1';

/** APIs whose one global socket is in use. */
const busy = new WeakSet<object>();

/** Whether the one global socket of this API is open. */
export const globalSocketBusy = (api: object): boolean => busy.has(api);

/** A socket that could not be opened: it fails with `errMsg`, as WeChat reports a refusal. */
export function refused(errMsg: string): WxSocketTask {
  const closes: ((res: { code: number; reason: string }) => void)[] = [];
  const errors: ((res: { errMsg: string }) => void)[] = [];
  setTimeout(() => {
    errors.forEach((l) => l({ errMsg }));
    closes.forEach((l) => l({ code: 1006, reason: errMsg }));
  }, 0);
  return {
    onOpen: () => undefined,
    onMessage: () => undefined,
    onClose: (l) => void closes.push(l),
    onError: (l) => void errors.push(l),
    send: (o) => o.fail?.({ errMsg: 'sendSocketMessage:fail socket not open' }),
    close: () => undefined,
  };
}

export function globalSocketTask(api: GlobalSocketApi, shape: GlobalSocketShape): WxSocketTask {
  if (busy.has(api)) return refused(GLOBAL_LIMIT_ERRMSG);
  busy.add(api);
  const registered: [keyof GlobalSocketApi, Callback][] = [];
  const on = (name: 'onSocketOpen' | 'onSocketMessage' | 'onSocketClose' | 'onSocketError', off: keyof GlobalSocketApi, cb: Callback): void => {
    (api[name] as (cb: Callback) => void)(cb);
    registered.push([off, cb]);
  };
  const release = (): void => {
    busy.delete(api);
    registered.splice(0).forEach(([off, cb]) => (api[off] as ((cb?: Callback) => void) | undefined)?.(cb));
  };
  return {
    onOpen: (l) => on('onSocketOpen', 'offSocketOpen', (res) => l(res)),
    onMessage: (l) => on('onSocketMessage', 'offSocketMessage', (res) => l(shape.message(res))),
    onClose: (l) =>
      on('onSocketClose', 'offSocketClose', (res) => {
        release();
        const r = (res ?? {}) as { code?: number; reason?: string };
        l({ code: Number(r.code ?? 1000), reason: String(r.reason ?? '') });
      }),
    onError: (l) => on('onSocketError', 'offSocketError', (res) => l({ errMsg: shape.errMsg('onSocketError', res) })),
    send: (options) =>
      api.sendSocketMessage(assign(shape.send(options.data), { success: () => options.success?.(), fail: (res?: unknown) => options.fail?.({ errMsg: shape.errMsg('sendSocketMessage', res) }) })),
    close: (options = {}) => api.closeSocket({ code: options.code ?? 1000, reason: options.reason ?? '', success: () => options.success?.(), fail: () => options.fail?.() }),
  };
}
