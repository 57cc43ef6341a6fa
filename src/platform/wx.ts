/** The part of `wx` the platform uses, typed narrowly so tests can hand in a Node implementation. */

import type { WxMessage } from './frames';

export interface WxCallbackResult {
  errMsg: string;
}

export interface WxSocketTask {
  onOpen(listener: (res: unknown) => void): void;
  onMessage(listener: (res: WxMessage) => void): void;
  onClose(listener: (res: { code?: number; reason?: string }) => void): void;
  /** Absent on Feishu/Lark, whose SocketTask documents send, close, onOpen, onClose and onMessage only. */
  onError?(listener: (res: { errMsg?: string }) => void): void;
  send(options: { data: string | ArrayBuffer; success?: () => void; fail?: (res: WxCallbackResult) => void }): void;
  close(options?: { code?: number; reason?: string; success?: () => void; fail?: () => void; complete?: () => void }): void;
}

export interface WxConnectSocketOptions {
  url: string;
  protocols?: string[];
  success?: (res: WxCallbackResult) => void;
  fail?: (res: WxCallbackResult) => void;
}

export interface NetworkStatus {
  isConnected: boolean;
  networkType: string;
}

/** WeChat's storage calls (developers.weixin.qq.com/miniprogram/dev/api/storage/wx.setStorage.html). */
export interface WxStorage {
  /** Characters one key may hold, when less than WeChat's 1 MB (Alipay: 200 KB). */
  storageItemChars?: number;
  /** What was stored under `key`; '' when nothing is. May throw. */
  getStorageSync?(key: string): unknown;
  setStorage?(options: { key: string; data: string; success?: (res: WxCallbackResult) => void; fail?: (res: WxCallbackResult) => void }): void;
  /** Throws on failure. */
  setStorageSync?(key: string, data: string): void;
  removeStorage?(options: { key: string; success?: (res: WxCallbackResult) => void; fail?: (res: WxCallbackResult) => void }): void;
  removeStorageSync?(key: string): void;
  /** `{ keys, currentSize, limitSize }` (sizes in KB); used to list the queues this library stored. May throw. */
  getStorageInfoSync?(): unknown;
}

export interface PlatformWx extends WxStorage {
  connectSocket(options: WxConnectSocketOptions): WxSocketTask;
  onAppShow?(listener: (res: unknown) => void): void;
  offAppShow?(listener: (res: unknown) => void): void;
  onAppHide?(listener: (res: unknown) => void): void;
  offAppHide?(listener: (res: unknown) => void): void;
  onNetworkStatusChange?(listener: (res: NetworkStatus) => void): void;
  offNetworkStatusChange?(listener: (res: NetworkStatus) => void): void;
}
