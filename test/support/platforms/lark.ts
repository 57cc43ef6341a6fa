/**
 * Feishu/Lark's gadget API, on the global `tt` like Douyin's, for Node: NodeWx with Feishu's
 * differences, from Feishu's documentation (open.feishu.cn / open.larksuite.com):
 *   tt.connectSocket    https://open.feishu.cn/document/uYjL24iN/ugDMx4COwEjL4ATM — {url, header, protocols,
 *                       success, fail, complete}, returns a SocketTask; "Socket 数量的最大限制为 5";
 *   SocketTask          https://open.larksuite.com/document/uYjL24iN/ugDOugDOugDO/sockettask/… — send, close,
 *                       onOpen, onClose, onMessage ({data: string | arraybuffer}); NO onError is listed
 *                       (nor in the 2025 API overview, open.feishu.cn/document/client-docs/gadget/gadget-api-list);
 *   standard callbacks  https://open.larksuite.com/document/uYjL24iN/ukzNy4SO3IjL5cjM — errMsg "API:ok" /
 *                       "API:fail …", errCode on some APIs;
 *   getSystemInfoSync   https://open.larksuite.com/document/uYjL24iN/uQjNx4CN2EjL0YTM — appName "宿主app名字"
 *                       from Lark 3.5.0, example "Lark";
 *   onNetworkStatusChange https://open.larksuite.com/document/uYjL24iN/ucjNx4yN2EjL3YTM — {isConnected, networkType};
 *   storage             WeChat's calls; 1 MB per key, 10 MB in all; getStorageInfoSync {keys, currentSize,
 *                       limitSize} (https://open.larksuite.com/document/uYjL24iN/ugTOx4CO5EjL4kTM).
 * tt.onAppShow / tt.onAppHide are absent from Feishu's API list: this double has none, so the library
 * cannot see the app go to the background there. Undocumented, chosen as WeChat's (NodeWx): errMsg
 * texts, the close callback's {code, reason}, background behaviour.
 */
import type { ConnectSocketOptions } from '../wx';
import { NodeQq } from './qq';

export class NodeLark extends NodeQq {
  constructor(...args: ConstructorParameters<typeof NodeQq>) {
    super(...args);
    const self = this as unknown as Record<string, unknown>;
    for (const absent of ['onAppShow', 'offAppShow', 'onAppHide', 'offAppHide']) delete self[absent];
    const connect = this.connectSocket;
    // the SocketTask as documented: no onError
    this.connectSocket = ((options: ConnectSocketOptions) => {
      const task = connect(options);
      return { send: task.send.bind(task), close: task.close.bind(task), onOpen: task.onOpen.bind(task), onClose: task.onClose.bind(task), onMessage: task.onMessage.bind(task) };
    }) as unknown as NodeQq['connectSocket'];
  }

  getSystemInfoSync = (): { appName: string; platform: string } => ({ appName: 'Lark', platform: 'android' });
}
