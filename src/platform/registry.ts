/**
 * Shared connections: components that ask for the same connection key share one socket,
 * reference-counted. Each lease (one per component) hears only messages matching its own filters;
 * a filter leaves the broker only when its last lease lets go.
 */
import { Emitter } from '../core/emitter';
import type { ErrorInfo } from '../core/errors';
import type { ConnectionConfig, QoS } from '../core/options';
import type { ConnectionStatus, StatusChange } from '../core/state';
import { compileFilter } from '../core/topics';
import { Connection, ConnectionEventMap, ConnectionLimits, InboundMessage } from './connection';
import { AppLife } from './life';
import { SocketCounter } from './socket';
import type { PlatformWx } from './wx';

export type LeaseEventMap = ConnectionEventMap;

interface Shared {
  connection: Connection;
  leases: Set<Lease>;
  /** filter → the QoS each lease asked for. */
  owners: Map<string, Map<Lease, QoS>>;
  /**
   * Messages of a persistent session that arrived before any lease subscribed to them (the broker
   * sends them right after CONNACK), oldest first: handed over when a lease subscribes.
   */
  unclaimed: InboundMessage[];
}

/** Unclaimed session messages kept per connection; older ones are dropped first. */
export const UNCLAIMED_LIMIT = 1000;

const maxQos = (wanted: Map<Lease, QoS>): QoS => Math.max(...wanted.values()) as QoS;

export class Lease {
  private readonly events = new Emitter<LeaseEventMap>();
  private readonly filters = new Map<string, { qos: QoS; test: (topic: string) => boolean; acked: boolean }>();
  private active = false;
  private released = false;
  private current: ConnectionStatus = 'idle';

  constructor(
    private readonly shared: Shared,
    private readonly onRelease: (lease: Lease) => void,
  ) {}

  get status(): ConnectionStatus {
    return this.current;
  }

  get clientId(): string {
    return this.shared.connection.config.clientId;
  }

  get config(): ConnectionConfig {
    return this.shared.connection.config;
  }

  /** Other leases on the same socket, this one included. */
  get sharedBy(): number {
    return this.shared.leases.size;
  }

  /** This lease's filters that the broker has acknowledged. */
  get subscriptions(): { topic: string; qos: QoS }[] {
    return [...this.filters].filter(([, f]) => f.acked).map(([topic, f]) => ({ topic, qos: f.qos }));
  }

  on<K extends keyof LeaseEventMap>(event: K, listener: (payload: LeaseEventMap[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  connect(): Promise<{ sessionPresent: boolean }> {
    if (this.released) return Promise.reject<{ sessionPresent: boolean }>({ code: 'DESTROYED' });
    this.active = true;
    const connection = this.shared.connection;
    const done = connection.connect();
    this.follow(connection.status, undefined, true);
    return done;
  }

  /**
   * Leaves the shared connection; the socket closes when no other lease is active. The last lease
   * of a persistent session (clean: false) leaves its subscriptions at the broker, which queues
   * their QoS 1/2 messages for the next visit.
   */
  async disconnect(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    const filters = [...this.filters.keys()];
    this.filters.clear();
    const others = [...this.shared.leases].some((l) => l.active);
    if (!others && !this.config.clean) {
      filters.forEach((f) => this.forgetFilter(f));
    } else {
      await Promise.all(filters.map((f) => this.dropFilter(f).catch(() => undefined)));
    }
    if (!others) await this.shared.connection.disconnect();
    this.setStatus('closed', 'disconnect');
  }

  subscribe(filter: string, qos: QoS): Promise<number> {
    if (this.released) return Promise.reject<number>({ code: 'DESTROYED' });
    if (!this.active) return Promise.reject<number>({ code: 'NOT_CONNECTED' });
    const entry = { qos, test: compileFilter(filter), acked: false };
    this.filters.set(filter, entry);
    this.claim(entry.test);
    let wanted = this.shared.owners.get(filter);
    if (!wanted) this.shared.owners.set(filter, (wanted = new Map()));
    wanted.set(this, qos);
    return this.shared.connection.subscribe(filter, maxQos(wanted)).then(
      (granted) => {
        entry.acked = true;
        return granted;
      },
      (error: unknown) => {
        if (this.filters.get(filter) === entry) {
          this.filters.delete(filter);
          this.dropFilter(filter).catch(() => undefined);
        }
        throw error;
      },
    );
  }

  unsubscribe(filter: string): Promise<void> {
    if (!this.filters.delete(filter)) return Promise.resolve();
    return this.dropFilter(filter);
  }

  publish(topic: string, bytes: Uint8Array, qos: QoS, retain: boolean): Promise<void> {
    if (this.released) return Promise.reject<void>({ code: 'DESTROYED' });
    if (!this.active) return Promise.reject<void>({ code: 'NOT_CONNECTED' });
    return this.shared.connection.publish(topic, bytes, qos, retain);
  }

  /** Disconnects this lease and forgets it; no events after this. */
  async release(): Promise<void> {
    if (this.released) return;
    await this.disconnect();
    this.released = true;
    this.events.clear();
    this.onRelease(this);
  }

  /** Whether `topic` matches one of this lease's filters. */
  wants(topic: string): boolean {
    if (!this.active) return false;
    for (const f of this.filters.values()) if (f.test(topic)) return true;
    return false;
  }

  /** Called by the registry for every connection event. */
  deliver<K extends keyof LeaseEventMap>(event: K, payload: LeaseEventMap[K]): void {
    if (!this.active) return;
    if (event === 'status') {
      const change = payload as StatusChange;
      this.follow(change.status, change.reason);
    } else {
      this.events.emit(event, payload);
    }
  }

  private follow(status: ConnectionStatus, reason?: string, joining = false): void {
    if (joining && status === 'connected' && this.current !== 'connected') {
      this.setStatus('connecting');
      this.setStatus('connected');
      this.events.emit('connect', { sessionPresent: false });
      return;
    }
    this.setStatus(status, reason);
  }

  private setStatus(status: ConnectionStatus, reason?: string): void {
    if (status === this.current) return;
    const change: StatusChange = { status, previous: this.current };
    if (reason !== undefined) change.reason = reason;
    this.current = status;
    this.events.emit('status', change);
  }

  /** Delivers the session's waiting messages that this new filter matches. */
  private claim(test: (topic: string) => boolean): void {
    const shared = this.shared;
    if (shared.unclaimed.length === 0) return;
    const mine = shared.unclaimed.filter((m) => test(m.topic));
    if (mine.length === 0) return;
    shared.unclaimed = shared.unclaimed.filter((m) => !test(m.topic));
    mine.forEach((m) => this.events.emit('message', m));
  }

  private forgetFilter(filter: string): void {
    const wanted = this.shared.owners.get(filter);
    wanted?.delete(this);
    if (wanted && wanted.size > 0) return;
    this.shared.owners.delete(filter);
    this.shared.connection.forget(filter);
  }

  private dropFilter(filter: string): Promise<void> {
    const wanted = this.shared.owners.get(filter);
    if (!wanted) return Promise.resolve();
    wanted.delete(this);
    if (wanted.size > 0) {
      this.shared.connection.subscribe(filter, maxQos(wanted)).catch(() => undefined);
      return Promise.resolve();
    }
    this.shared.owners.delete(filter);
    return this.shared.connection.unsubscribe(filter);
  }
}

export interface RegistryOptions {
  limits?: Partial<ConnectionLimits>;
  socketLimit?: number;
  random?: () => number;
}

export class Registry {
  readonly counter: SocketCounter;
  private readonly shared = new Map<string, Shared>();
  private readonly life: AppLife;

  constructor(
    readonly wx: PlatformWx,
    private readonly options: RegistryOptions = {},
  ) {
    this.counter = new SocketCounter(options.socketLimit);
    this.life = new AppLife(wx, {
      pause: (reason) => this.shared.forEach((s) => s.connection.pause(reason)),
      resume: (reason) => this.shared.forEach((s) => s.connection.resume(reason)),
    });
  }

  /** Connections alive now (for tests and diagnostics). */
  get size(): number {
    return this.shared.size;
  }

  acquire(config: ConnectionConfig): Lease {
    let shared = this.shared.get(config.key);
    if (!shared) {
      shared = this.create(config);
      this.shared.set(config.key, shared);
      this.life.watch(this.shared.size);
    }
    const lease = new Lease(shared, (l) => this.release(config.key, l));
    shared.leases.add(lease);
    return lease;
  }

  private create(config: ConnectionConfig): Shared {
    const connection = new Connection(config, {
      wx: this.wx,
      counter: this.counter,
      random: this.options.random,
      limits: this.options.limits,
    });
    const shared: Shared = { connection, leases: new Set(), owners: new Map(), unclaimed: [] };
    const forward =
      <K extends keyof LeaseEventMap>(event: K) =>
      (payload: LeaseEventMap[K]): void =>
        shared.leases.forEach((l) => l.deliver(event, payload));
    connection.on('status', forward('status'));
    connection.on('connect', forward('connect'));
    connection.on('error', forward('error') as (e: ErrorInfo) => void);
    connection.on('sessionLost', forward('sessionLost'));
    connection.on('message', (message: InboundMessage) => {
      let claimed = false;
      shared.leases.forEach((l) => {
        if (!l.wants(message.topic)) return;
        claimed = true;
        l.deliver('message', message);
      });
      if (claimed || config.clean) return;
      shared.unclaimed.push(message);
      if (shared.unclaimed.length > UNCLAIMED_LIMIT) shared.unclaimed.shift();
    });
    return shared;
  }

  private release(key: string, lease: Lease): void {
    const shared = this.shared.get(key);
    if (!shared) return;
    shared.leases.delete(lease);
    if (shared.leases.size > 0) return;
    this.shared.delete(key);
    void shared.connection.destroy();
    this.life.watch(this.shared.size);
  }
}
