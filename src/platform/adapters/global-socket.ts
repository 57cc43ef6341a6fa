/**
 * The one socket of platforms without SocketTask (Alipay without `multiple`, DingTalk, JD,
 * Xiaohongshu), driven through the global onSocket* / sendSocketMessage /
 * closeSocket, as a SocketTask. The global events go to whichever socket is open now. Where the
 * platform has off* (Alipay) its listeners are removed when the socket closes, so an app's own
 * off…() cannot leave the next socket deaf; where it has none (JD), they are added once per API
 * and never pile up.
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

const GLOBAL_LIMIT_ERRMSG = 'connectSocket:fail exceed max concurrent count 1';

type GlobalEvent = 'open' | 'message' | 'close' | 'error';

/** The open socket of each API: its listeners per event. */
const current = new WeakMap<object, Record<GlobalEvent, Callback[]>>();
/** What removes an API's global listeners when its socket goes (nothing without off*). */
const unlistens = new WeakMap<object, () => void>();
/** APIs without off*, whose global listeners were added for good. */
const listening = new WeakSet<object>();

const EVENTS: [GlobalEvent, 'onSocketOpen' | 'onSocketMessage' | 'onSocketClose' | 'onSocketError', 'offSocketOpen' | 'offSocketMessage' | 'offSocketClose' | 'offSocketError'][] = [
  ['open', 'onSocketOpen', 'offSocketOpen'],
  ['message', 'onSocketMessage', 'offSocketMessage'],
  ['close', 'onSocketClose', 'offSocketClose'],
  ['error', 'onSocketError', 'offSocketError'],
];

/** Adds the global listeners that hand each event to the open socket; returns what removes them (nothing without off*). */
function listen(api: GlobalSocketApi): () => void {
  if (listening.has(api)) return () => undefined;
  const added = EVENTS.map(([event, on, off]) => {
    const cb: Callback = (res) => {
      const listeners = current.get(api);
      if (event === 'close') release(api);
      listeners?.[event].forEach((l) => l(res));
    };
    (api[on] as (cb: Callback) => void)(cb);
    return [off, cb] as const;
  });
  if (added.some(([off]) => typeof api[off] !== 'function')) {
    listening.add(api);
    return () => undefined;
  }
  return () => added.forEach(([off, cb]) => (api[off] as (cb?: Callback) => void)(cb));
}

/** The socket is gone: the next one may start, with listeners of its own. */
function release(api: object): void {
  current.delete(api);
  unlistens.get(api)?.();
  unlistens.delete(api);
}

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

/** The global socket as a SocketTask; taskOrGlobalSocket() asks for it only while none is open. */
function globalSocketTask(api: GlobalSocketApi, shape: GlobalSocketShape): WxSocketTask {
  const listeners: Record<GlobalEvent, Callback[]> = { open: [], message: [], close: [], error: [] };
  current.set(api, listeners);
  unlistens.set(api, listen(api));
  return {
    onOpen: (l) => void listeners.open.push((res) => l(res)),
    onMessage: (l) => void listeners.message.push((res) => l(shape.message(res))),
    onClose: (l) =>
      void listeners.close.push((res) => {
        const r = (res ?? {}) as { code?: number; reason?: string };
        l({ code: Number(r.code ?? 1000), reason: String(r.reason ?? '') });
      }),
    onError: (l) => void listeners.error.push((res) => l({ errMsg: shape.errMsg('onSocketError', res) })),
    send: (options) =>
      api.sendSocketMessage(assign(shape.send(options.data), { success: () => options.success?.(), fail: (res?: unknown) => options.fail?.({ errMsg: shape.errMsg('sendSocketMessage', res) }) })),
    close: (options = {}) => api.closeSocket({ code: options.code ?? 1000, reason: options.reason ?? '', success: () => options.success?.(), fail: () => options.fail?.() }),
  };
}

/**
 * connectSocket of a platform that returns a SocketTask (`wrap` makes it WeChat's) or, on base
 * libraries without one, opens its one global socket: asked for another only once that one is
 * gone, and freed when connectSocket fails — no onSocketClose is documented to follow a failure,
 * and a socket held forever would refuse every later connect as over the limit of 1.
 * `connect` calls the platform with the fail callback it is given; `failed` reports the failure.
 */
export function taskOrGlobalSocket<T extends object>(
  api: Partial<GlobalSocketApi>,
  shape: GlobalSocketShape,
  wrap: (task: T) => WxSocketTask,
): (connect: (fail: (res: unknown) => void) => T | undefined | void, failed: (res: unknown) => void) => WxSocketTask {
  /** Learnt on the first connect: no SocketTask here, only the global socket. */
  let globalOnly = false;
  return (connect, failed) => {
    // asking again would fail, or replace the open socket
    if (globalOnly && current.has(api)) return refused(GLOBAL_LIMIT_ERRMSG);
    let failedAlready = false;
    const task = connect((res) => {
      failedAlready = true;
      if (globalOnly) release(api);
      failed(res);
    });
    if (task && typeof (task as { onMessage?: unknown }).onMessage === 'function') return wrap(task);
    if (typeof api.onSocketMessage !== 'function') throw new Error('connectSocket:fail connectSocket returned no SocketTask and there is no onSocketMessage');
    globalOnly = true;
    const socket = globalSocketTask(api as GlobalSocketApi, shape);
    // failed within connectSocket itself: no close will come for it
    if (failedAlready) release(api);
    return socket;
  };
}
