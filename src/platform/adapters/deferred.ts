/**
 * A WeChat-shaped SocketTask whose real task arrives later (Taro's Promise<SocketTask>) or may be
 * used only after connectSocket's success callback (Douyin): listeners are attached as soon as the
 * task exists, send/close wait until it may be used.
 */
import type { WxCallbackResult, WxSocketTask } from '../wx';

type Listener<T> = (res: T) => void;
type SendOptions = Parameters<WxSocketTask['send']>[0];
type CloseOptions = NonNullable<Parameters<WxSocketTask['close']>[0]>;

export class DeferredTask implements WxSocketTask {
  private task?: WxSocketTask;
  private usable = false;
  private ended = false;
  private waiting: ((task: WxSocketTask) => void)[] = [];
  private readonly listeners = {
    open: [] as Listener<unknown>[],
    message: [] as Listener<{ data: string | ArrayBuffer }>[],
    close: [] as Listener<{ code?: number; reason?: string }>[],
    error: [] as Listener<{ errMsg?: string }>[],
  };

  /** The real task exists: its events reach the listeners from now on. */
  attach(task: WxSocketTask): void {
    if (this.task) return;
    if (this.ended) {
      // closed before it arrived (app hidden, end()): it must not stay open
      task.close({});
      return;
    }
    this.task = task;
    task.onOpen((res) => this.listeners.open.forEach((l) => l(res)));
    task.onMessage((res) => this.listeners.message.forEach((l) => l(res)));
    task.onClose((res) => this.finish(res));
    task.onError?.((res) => this.listeners.error.forEach((l) => l(res)));
    // a task that arrives already open (Taro resolves in the success callback, which may come after
    // onOpen) would never report its open: report it now
    if ((task as { readyState?: number }).readyState === 1) setTimeout(() => this.listeners.open.forEach((l) => l({})), 0);
  }

  /** Its methods may be called now. */
  ready(): void {
    if (!this.task || this.usable) return;
    this.usable = true;
    const task = this.task;
    this.waiting.splice(0).forEach((run) => run(task));
  }

  /** It never came: reported the way a failed socket is (onError, then onClose). */
  fail(errMsg: string): void {
    if (this.ended) return;
    this.listeners.error.forEach((l) => l({ errMsg }));
    this.finish({ code: 1006, reason: errMsg });
  }

  onOpen(listener: Listener<unknown>): void {
    this.listeners.open.push(listener);
  }
  onMessage(listener: Listener<{ data: string | ArrayBuffer }>): void {
    this.listeners.message.push(listener);
  }
  onClose(listener: Listener<{ code?: number; reason?: string }>): void {
    this.listeners.close.push(listener);
  }
  onError(listener: Listener<{ errMsg?: string }>): void {
    this.listeners.error.push(listener);
  }

  send(options: SendOptions): void {
    if (this.ended) options.fail?.({ errMsg: 'sendSocketMessage:fail socket closed' } as WxCallbackResult);
    else if (this.usable && this.task) this.task.send(options);
    else this.waiting.push((task) => task.send(options));
  }

  close(options: CloseOptions = {}): void {
    if (this.usable && this.task) this.task.close(options);
    else if (this.task) this.waiting.push((task) => task.close(options));
    else this.finish({ code: options.code ?? 1000, reason: options.reason ?? '' });
  }

  private finish(res: { code?: number; reason?: string }): void {
    if (this.ended) return;
    this.ended = true;
    this.waiting = [];
    this.listeners.close.forEach((l) => l(res));
  }
}
