/** WeChat's `errMsg` texts (connectSocket, SocketTask.onError) → the library's error codes. */
import type { ErrorCode, ErrorInfo } from '../core/errors';

/** Maps a WeChat `errMsg` (connectSocket, SocketTask.onError) to a code. */
export function errorFromErrMsg(errMsg: string): ErrorInfo {
  let code: ErrorCode = 'SOCKET_ERROR';
  if (/url not in domain list/i.test(errMsg)) code = 'DOMAIN_NOT_ALLOWED';
  else if (/exceed max (concurrent|connect)/i.test(errMsg)) code = 'SOCKET_LIMIT';
  else if (/runningState=suspend|jsapi has no permission/i.test(errMsg)) code = 'SUSPENDED';
  else if (/ssl|tls|certificate|handshake/i.test(errMsg)) code = 'TLS_ERROR';
  return { code, errMsg };
}
