/** Coalesces items into at most one flush per interval: the basis for keeping setData rare. */

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export const DEFAULT_BATCH_INTERVAL_MS = 50;

export class Batcher<T> {
  private pending: T[] = [];
  private timer: unknown;
  private lastFlush = -Infinity;
  /** Keep at least this many of the newest pending items; older ones may be dropped (a bounded view needs no more). */
  keepLast = Infinity;

  constructor(
    private readonly flushFn: (items: T[]) => void,
    private interval = DEFAULT_BATCH_INTERVAL_MS,
    private readonly clock: Clock = systemClock,
  ) {}

  get size(): number {
    return this.pending.length;
  }

  get intervalMs(): number {
    return this.interval;
  }

  /** A new interval, e.g. to flush less often under load; a flush already waiting moves to match. */
  set intervalMs(ms: number) {
    this.interval = ms;
    if (this.timer === undefined) return;
    this.cancelTimer();
    this.schedule();
  }

  add(item: T): void {
    this.pending.push(item);
    this.trim();
    this.schedule();
  }

  addAll(items: readonly T[]): void {
    for (const item of items) this.pending.push(item);
    this.trim();
    if (items.length > 0) this.schedule();
  }

  /** Flushes now whatever is pending (e.g. before a full re-render). */
  flush(): void {
    this.cancelTimer();
    if (this.pending.length === 0) return;
    const items = this.pending;
    this.pending = [];
    this.lastFlush = this.clock.now();
    this.flushFn(items);
  }

  /** Drops pending items and the timer. */
  dispose(): void {
    this.cancelTimer();
    this.pending = [];
  }

  private trim(): void {
    if (this.pending.length > 2 * this.keepLast) this.pending = this.pending.slice(-this.keepLast);
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastFlush + this.interval - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
