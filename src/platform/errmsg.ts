/** WeChat's `errMsg` texts (connectSocket, SocketTask.onError) → the library's error codes. */
import type { ErrorCode, ErrorInfo } from '../core/errors';

/** Maps a WeChat `errMsg` (connectSocket, SocketTask.onError) to a code. */
export function errorFromErrMsg(errMsg: string): ErrorInfo {
  let code: ErrorCode = 'SOCKET_ERROR';
  const limit = /exceed max (?:concurrent|connect)\D*(\d+)/i.exec(errMsg);
  if (/url not in domain list/i.test(errMsg)) code = 'DOMAIN_NOT_ALLOWED';
  else if (/binary websocket frames need|arraybuffer is not supported/i.test(errMsg)) code = 'UNSUPPORTED_PLATFORM';
  else if (limit) return { code: 'SOCKET_LIMIT', errMsg, limit: Number(limit[1]) };
  else if (/exceed max (concurrent|connect)/i.test(errMsg)) code = 'SOCKET_LIMIT';
  else if (/runningState=suspend|jsapi has no permission/i.test(errMsg)) code = 'SUSPENDED';
  else if (/ssl|tls|certificate|handshake/i.test(errMsg)) code = 'TLS_ERROR';
  return { code, errMsg };
}
