/**
 * A framework's API over the native WeChat double (uni-app, Taro): app and network events are the
 * native runtime's, and so are the test's controls (sockets, hide/show, network) and the storage:
 * on a mini-program target uni.setStorage / Taro.setStorage & co. call the host's (WeChat-shaped)
 * storage (https://uniapp.dcloud.net.cn/api/storage/storage.html,
 * https://docs.taro.zone/docs/apis/storage/setStorage), so they pass through to the native double.
 */
import type { StorageArea } from '../storage';
import { NodeWx } from '../wx';
import { PlatformDouble, silence } from './common';

export abstract class OverNativeWx implements PlatformDouble {
  abstract readonly requests: { url: string; protocols?: unknown }[];
  /** Set by kill(): the process is gone. */
  protected killed = false;

  constructor(readonly native: NodeWx = new NodeWx()) {}

  get api(): this {
    return this;
  }

  /** The native double's storage. */
  get storage(): StorageArea {
    return this.native.storage;
  }

  onAppShow: NodeWx['onAppShow'] = (l) => this.native.onAppShow(l);
  offAppShow: NodeWx['offAppShow'] = (l) => this.native.offAppShow(l);
  onAppHide: NodeWx['onAppHide'] = (l) => this.native.onAppHide(l);
  offAppHide: NodeWx['offAppHide'] = (l) => this.native.offAppHide(l);
  onNetworkStatusChange: NodeWx['onNetworkStatusChange'] = (l) => this.native.onNetworkStatusChange(l);
  offNetworkStatusChange: NodeWx['offNetworkStatusChange'] = (l) => this.native.offNetworkStatusChange(l);

  getStorageInfoSync: NodeWx['getStorageInfoSync'] = () => this.native.getStorageInfoSync();
  getStorageSync: NodeWx['getStorageSync'] = (key) => this.native.getStorageSync(key);
  setStorage: (options: Parameters<NodeWx['setStorage']>[0]) => unknown = (options) => this.native.setStorage(options);
  setStorageSync: NodeWx['setStorageSync'] = (key, data) => this.native.setStorageSync(key, data);
  removeStorage: (options: Parameters<NodeWx['removeStorage']>[0]) => unknown = (options) => this.native.removeStorage(options);
  removeStorageSync: NodeWx['removeStorageSync'] = (key) => this.native.removeStorageSync(key);

  openSockets(): number {
    return this.native.sockets.size;
  }

  hideApp(): void {
    if (!this.killed) this.native.hideApp();
  }

  showApp(): void {
    if (!this.killed) this.native.showApp();
  }

  setNetwork(connected: boolean): void {
    if (!this.killed) this.native.setNetwork(connected);
  }

  /** The native double's kill(); sends or closes the dead runtime still tries call nothing back; its sockets are gone. */
  kill(): void {
    this.killed = true;
    [...this.native.sockets].forEach((s) => silence(s));
    this.native.kill();
    this.native.sockets.clear();
  }

  dispose(): void {
    this.native.dispose();
  }
}
