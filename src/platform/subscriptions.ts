/**
 * The one owner of a connection's subscriptions: each filter, who holds it at which QoS, what the
 * broker confirmed, and who waits for its SUBACK. A filter leaves the broker when its last holder
 * lets go; the broker is asked for the highest QoS any holder wants.
 */
import { CodedError, ErrorInfo } from '../core/errors';
import type { QoS } from '../core/options';
import type { SubscriptionOptions } from '../core/properties';
import { compileFilter } from '../core/topics';

/** Whoever holds filters: a client scope. Compared by identity. */
export type Holder = object;

export type Settle<T> = { resolve: (value: T) => void; reject: (error: ErrorInfo) => void };

export interface Subscription {
  readonly test: (topic: string) => boolean;
  readonly holders: Map<Holder, QoS>;
  /** The QoS asked of the broker: the highest any holder wants. */
  qos: QoS;
  /** The broker has it in the current session. */
  confirmed: boolean;
  granted?: number;
  /** MQTT 5 options and properties of the last subscribe() for this filter (a new SUBSCRIBE replaces them at the broker). */
  options: SubscriptionOptions;
  waiters: Settle<number>[];
}

const highest = (holders: Map<Holder, QoS>): QoS => Math.max(...holders.values()) as QoS;

/** Topics whose holders are remembered between changes of the table (a stream on few topics matches once each). */
const MATCH_CACHE_TOPICS = 256;

export class SubscriptionTable {
  private readonly entries = new Map<string, Subscription>();
  /** Derived: the holders of recently seen topics, forgotten whenever a holder or filter changes. */
  private readonly matched = new Map<string, ReadonlySet<Holder>>();

  get(filter: string): Subscription | undefined {
    return this.entries.get(filter);
  }

  get filters(): string[] {
    return [...this.entries.keys()];
  }

  /** Adds a holder; true when the broker must be asked (a new filter, a higher QoS, other options). */
  add(holder: Holder, filter: string, qos: QoS, options: SubscriptionOptions = {}): { entry: Subscription; ask: boolean } {
    let entry = this.entries.get(filter);
    if (!entry) {
      entry = { test: compileFilter(filter), holders: new Map(), qos, confirmed: false, options, waiters: [] };
      this.entries.set(filter, entry);
    }
    entry.holders.set(holder, qos);
    this.matched.clear();
    const wanted = highest(entry.holders);
    const changed = JSON.stringify(options) !== JSON.stringify(entry.options);
    entry.options = options;
    const ask = !entry.confirmed || wanted !== entry.qos || changed;
    if (wanted !== entry.qos) {
      entry.qos = wanted;
      entry.confirmed = false;
    }
    return { entry, ask };
  }

  /**
   * Removes a holder: 'last' when nobody holds the filter any more (it is gone from the table),
   * 'lower' when the remaining holders want a lower QoS, 'kept' otherwise.
   */
  remove(holder: Holder, filter: string): 'last' | 'lower' | 'kept' | 'absent' {
    const entry = this.entries.get(filter);
    if (!entry || !entry.holders.delete(holder)) return 'absent';
    this.matched.clear();
    if (entry.holders.size === 0) {
      this.entries.delete(filter);
      entry.waiters.splice(0).forEach((w) => w.reject(new CodedError({ code: 'NOT_CONNECTED', topic: filter, reason: 'unsubscribed' })));
      return 'last';
    }
    const wanted = highest(entry.holders);
    if (wanted === entry.qos) return 'kept';
    entry.qos = wanted;
    entry.confirmed = false;
    return 'lower';
  }

  /** Filters this holder holds. */
  filtersOf(holder: Holder): string[] {
    return [...this.entries].filter(([, e]) => e.holders.has(holder)).map(([f]) => f);
  }

  /** The holder's filters the broker confirmed, with the QoS the holder asked for. */
  confirmedOf(holder: Holder): { topic: string; qos: QoS }[] {
    const out: { topic: string; qos: QoS }[] = [];
    this.entries.forEach((e, topic) => {
      const qos = e.holders.get(holder);
      if (qos !== undefined && e.confirmed) out.push({ topic, qos });
    });
    return out;
  }

  /** Everyone holding a filter that matches `topic`. */
  holdersOf(topic: string): ReadonlySet<Holder> {
    let out = this.matched.get(topic);
    if (out) return out;
    const found = new Set<Holder>();
    this.entries.forEach((e) => {
      if (e.test(topic)) e.holders.forEach((_, h) => found.add(h));
    });
    if (this.matched.size >= MATCH_CACHE_TOPICS) this.matched.clear();
    this.matched.set(topic, (out = found));
    return out;
  }

  unconfirmed(): string[] {
    return [...this.entries].filter(([, e]) => !e.confirmed).map(([f]) => f);
  }

  /** A new session without the broker's copy: everything must be asked for again. */
  unconfirmAll(): void {
    this.entries.forEach((e) => (e.confirmed = false));
  }

  /** Drops a filter the broker refused, whoever held it. */
  delete(filter: string): void {
    this.entries.delete(filter);
    this.matched.clear();
  }

  rejectWaiters(error: ErrorInfo): void {
    this.entries.forEach((e) => e.waiters.splice(0).forEach((w) => w.reject(new CodedError(error))));
  }
}
