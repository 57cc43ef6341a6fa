/**
 * Alipay `my` → the WeChat-shaped API the platform uses. From Alipay's docs
 * (opendocs.alipay.com/mini/api/vx19c3 my.connectSocket, /gecnap my.onSocketMessage, /mr91d1
 * my.sendSocketMessage, /tv6qvi my.onAppHide, /ympi0l my.onNetworkStatusChange):
 * - `multiple: true` returns a SocketTask (at most 5); without it, or on base libraries that
 *   ignore it, there is one socket driven by the global my.onSocket* / my.sendSocketMessage.
 * - A message is documented as `{data, isBuffer}` (gecnap; vx19c3's SocketTask.onMessage says
 *   "接口参数同 my.onSocketMessage"), but clients have delivered a task's message nested as
 *   `{data: {data, isBuffer}}`: both are read. Anything else is FRAME_UNREADABLE, at once.
 * - Binary is sent as base64 with `isBuffer: true`, which every client version accepts.
 * - Failures carry `{error, errorMessage}`, not `errMsg`: turned into errMsg strings.
 * - networkType is upper case (WIFI, 4G, NOTREACHABLE …): lower-cased, NOTREACHABLE → none.
 */
import { fromBase64, isArrayBuffer, toBase64 } from '../../core/codec';
import { assign } from '../../core/errors';
import { shapeOf, WxMessage } from '../frames';
import type { NetworkStatus, PlatformWx, WxConnectSocketOptions, WxSocketTask } from '../wx';
import { networkEvents, plainListeners } from './events';
import { GlobalSocketApi, taskOrGlobalSocket } from './global-socket';
import { alipayStorage, AlipayStorageApi } from './storage';

type Callback = (res?: unknown) => void;

interface AlipayTask {
  onOpen(cb: Callback): void;
  onMessage(cb: (res: unknown) => void): void;
  onClose(cb: (res: unknown) => void): void;
  onError(cb: (res: unknown) => void): void;
  send(options: { data: string; isBuffer?: boolean; success?: Callback; fail?: Callback }): void;
  close(options?: { code?: number; reason?: string; success?: Callback; fail?: Callback }): void;
}

export interface AlipayApi extends Partial<GlobalSocketApi>, AlipayStorageApi {
  connectSocket(options: Record<string, unknown>): AlipayTask | undefined | void;
  onAppShow?(cb: Callback): void;
  offAppShow?(cb: Callback): void;
  onAppHide?(cb: Callback): void;
  offAppHide?(cb: Callback): void;
  onNetworkStatusChange?(cb: (res: { isConnected?: boolean; networkType?: string }) => void): void;
  offNetworkStatusChange?(cb: (res: { isConnected?: boolean; networkType?: string }) => void): void;
}

/** `{error, errorMessage}` (or an errMsg, or nothing) → one errMsg string. */
export function alipayErrMsg(api: string, res: unknown): string {
  const r = (res ?? {}) as { errMsg?: string; error?: unknown; errorMessage?: string; data?: { error?: unknown; errorMessage?: string } };
  if (typeof r.errMsg === 'string') return r.errMsg;
  const detail = r.errorMessage ?? r.data?.errorMessage ?? r.error ?? r.data?.error ?? 'unknown error';
  // error 3: the single socket exists already
  if ((r.error ?? r.data?.error) === 3) return `${api}:fail exceed max concurrent count 1 (${String(detail)})`;
  return `${api}:fail ${String(detail)}`;
}

type AlipayMessage = { data?: unknown; isBuffer?: unknown };

/** A message as Alipay delivers it, documented or nested (see above) → WeChat's message (ArrayBuffer for binary). */
function alipayMessage(res: unknown): WxMessage {
  const top = (res ?? {}) as AlipayMessage;
  const inner = top.data as AlipayMessage | null | undefined;
  const p = typeof inner === 'object' && inner !== null && !isArrayBuffer(inner) && 'data' in inner ? inner : top;
  if (isArrayBuffer(p.data) || (typeof p.data === 'string' && p.isBuffer !== true)) return { data: p.data };
  if (typeof p.data === 'string') {
    try {
      const bytes = fromBase64(p.data);
      return { data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer };
    } catch {
      return { data: '', unreadable: 'onMessage gave isBuffer: true with data that is not base64' };
    }
  }
  return { data: '', unreadable: `onMessage gave ${shapeOf(res)} whose data is ${shapeOf(p.data)}` };
}

/** What to hand Alipay's send: strings as they are, binary as base64 with isBuffer. */
function alipaySendData(data: string | ArrayBuffer): { data: string; isBuffer?: boolean } {
  return typeof data === 'string' ? { data } : { data: toBase64(new Uint8Array(data)), isBuffer: true };
}

function wrapTask(task: AlipayTask): WxSocketTask {
  return {
    onOpen: (l) => task.onOpen((res) => l(res)),
    // a task's payload is res.data (holding data and isBuffer)
    onMessage: (l) => task.onMessage((res) => l(alipayMessage(res))),
    onClose: (l) =>
      task.onClose((res) => {
        const r = (res ?? {}) as { code?: number; reason?: string; data?: { code?: number; reason?: string } };
        l({ code: Number(r.code ?? r.data?.code ?? 1000), reason: String(r.reason ?? r.data?.reason ?? '') });
      }),
    onError: (l) => task.onError((res) => l({ errMsg: alipayErrMsg('SocketTask.onError', res) })),
    send: (options) =>
      task.send(assign(alipaySendData(options.data), { success: () => options.success?.(), fail: (res?: unknown) => options.fail?.({ errMsg: alipayErrMsg('sendSocketMessage', res) }) })),
    close: (options = {}) => task.close({ code: options.code ?? 1000, reason: options.reason ?? '', success: () => options.success?.(), fail: () => options.fail?.() }),
  };
}

export function adaptAlipay(my: AlipayApi): PlatformWx {
  const open = taskOrGlobalSocket<AlipayTask>(my, { message: alipayMessage, send: alipaySendData, errMsg: alipayErrMsg }, wrapTask);
  return assign(
    {
      connectSocket: (options: WxConnectSocketOptions): WxSocketTask =>
        open(
          (fail) => my.connectSocket({ url: options.url, protocols: options.protocols, multiple: true, success: () => options.success?.({ errMsg: 'connectSocket:ok' }), fail }),
          (res) => options.fail?.({ errMsg: alipayErrMsg('connectSocket', res) }),
        ),
    },
    plainListeners(my),
    alipayStorage(my),
    networkEvents(my, (res): NetworkStatus => {
      const type = String(res.networkType ?? 'unknown').toLowerCase();
      return { isConnected: res.isConnected !== false && type !== 'notreachable', networkType: type === 'notreachable' ? 'none' : type };
    }),
  );
}
