/**
 * JD's `jd` API, for Node. JD's own pages (mp-docs.jd.com) were not in the sources searchable here;
 * what this double follows, and from where:
 *   sockets   a summary of mp-docs.jd.com's network API (and its 2020 mirror, bookstack.cn/read/mp-jd-20200423):
 *             jd.connectSocket "建立连接（最多 1 个）", the global jd.onSocketOpen/onSocketMessage/
 *             onSocketError/onSocketClose, jd.sendSocketMessage({data}), jd.closeSocket — no SocketTask,
 *             no off*; RongCloud IMLib's JD adapter drives exactly these (onSocketMessage res.data,
 *             onSocketClose {code, reason}, onSocketError {errMsg}).
 *   storage   the same summary: WeChat's calls, 1 MB per key, 10 MB in all (as NodeWx).
 *   life      jd.onAppShow / jd.onAppHide not found (an adapter that checks for them has the check
 *             commented out): this double has none.
 * Undocumented, chosen as WeChat's (NodeWx): frames (string or ArrayBuffer), errMsg texts,
 * onNetworkStatusChange, background behaviour; a second socket fails (see global-wx.ts).
 */
import { NodeGlobalWx, GlobalWxOptions } from './global-wx';

export class NodeJd extends NodeGlobalWx {
  constructor(options: Omit<GlobalWxOptions, 'offs'> = {}) {
    super({ ...options, offs: false });
    const self = this as unknown as Record<string, unknown>;
    for (const absent of ['onAppShow', 'offAppShow', 'onAppHide', 'offAppHide']) delete self[absent];
  }

  getSystemInfoSync = (): { hostName: string; hostVersionName: string; platform: string } => ({ hostName: 'jdapp', hostVersionName: '13.0.0', platform: 'android' });
}
