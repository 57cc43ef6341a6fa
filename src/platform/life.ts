/**
 * Mini-program life: about 5 s after the app goes to the background WeChat interrupts its sockets
 * and refuses network calls; so close first on hide, and reconnect at once on show or when the
 * network comes back.
 */
import type { NetworkStatus, PlatformWx } from './wx';

interface LifeHandlers {
  pause(reason: 'background' | 'network'): void;
  resume(reason: 'foreground' | 'network'): void;
}

export class AppLife {
  private watching = false;
  private online = true;

  constructor(
    private readonly wx: PlatformWx,
    private readonly handlers: LifeHandlers,
  ) {}

  private readonly onHide = (): void => this.handlers.pause('background');
  private readonly onShow = (): void => {
    if (this.online) this.handlers.resume('foreground');
  };
  private readonly onNetwork = (res: NetworkStatus): void => {
    const online = Boolean(res && res.isConnected);
    if (online === this.online) return;
    this.online = online;
    if (online) this.handlers.resume('network');
    else this.handlers.pause('network');
  };

  /** Listens while there is at least one connection, and not otherwise. */
  watch(connections: number): void {
    const wx = this.wx;
    if (connections > 0 && !this.watching) {
      this.watching = true;
      wx.onAppHide?.(this.onHide);
      wx.onAppShow?.(this.onShow);
      wx.onNetworkStatusChange?.(this.onNetwork);
    } else if (connections === 0 && this.watching) {
      this.watching = false;
      wx.offAppHide?.(this.onHide);
      wx.offAppShow?.(this.onShow);
      wx.offNetworkStatusChange?.(this.onNetwork);
    }
  }
}
