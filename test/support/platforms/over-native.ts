/**
 * A framework's API over the native WeChat double (uni-app, Taro): app and network events are the
 * native runtime's, and so are the test's controls (sockets, hide/show, network).
 */
import { NodeWx } from '../wx';
import type { PlatformDouble } from './common';

export abstract class OverNativeWx implements PlatformDouble {
  abstract readonly requests: { url: string; protocols?: unknown }[];

  constructor(readonly native: NodeWx = new NodeWx()) {}

  get api(): this {
    return this;
  }

  onAppShow: NodeWx['onAppShow'] = (l) => this.native.onAppShow(l);
  offAppShow: NodeWx['offAppShow'] = (l) => this.native.offAppShow(l);
  onAppHide: NodeWx['onAppHide'] = (l) => this.native.onAppHide(l);
  offAppHide: NodeWx['offAppHide'] = (l) => this.native.offAppHide(l);
  onNetworkStatusChange: NodeWx['onNetworkStatusChange'] = (l) => this.native.onNetworkStatusChange(l);
  offNetworkStatusChange: NodeWx['offNetworkStatusChange'] = (l) => this.native.offNetworkStatusChange(l);

  openSockets(): number {
    return this.native.sockets.size;
  }

  hideApp(): void {
    this.native.hideApp();
  }

  showApp(): void {
    this.native.showApp();
  }

  setNetwork(connected: boolean): void {
    this.native.setNetwork(connected);
  }

  dispose(): void {
    this.native.dispose();
  }
}
