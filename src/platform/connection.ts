/**
 * One MQTT connection on its own evaluated copy of mqtt.js. The library, not mqtt.js, decides when
 * to reconnect: on the wx path mqtt.js never learns that the socket closed (see socket.ts).
 */
import { Emitter } from '../core/emitter';
import { ErrorInfo, errorFromConnack } from '../core/errors';
import type { ConnectionConfig, QoS } from '../core/options';
import { ConnectionStatus, StateMachine, StatusChange } from '../core/state';
import createMqtt, { type VendorClient, type VendorPacket } from '../vendor/mqtt';
import { SocketAdapter, SocketCounter } from './socket';
import type { PlatformWx } from './wx';

export interface InboundMessage {
  topic: string;
  bytes: Uint8Array;
  qos: QoS;
  retain: boolean;
  dup: boolean;
}

export interface ConnectionEventMap {
  status: StatusChange;
  connect: { sessionPresent: boolean };
  message: InboundMessage;
  error: ErrorInfo;
}

export interface ConnectionLimits {
  /** Longest wait between reconnect attempts. */
  reconnectCapMs: number;
  /**
   * A session shorter than this that ends counts as a strike towards CLIENT_ID_CONFLICT. Undefined:
   * 1.5 × reconnectPeriod + 1 s, since a twin with the same clientId takes over about one
   * reconnect period after it was kicked.
   */
  conflictWindowMs?: number;
  /** Consecutive short sessions that mean another client keeps taking over the clientId. */
  conflictStrikes: number;
  /** QoS 1/2 publishes held while not connected. */
  offlineQueueLimit: number;
  /** How long a graceful DISCONNECT may take before the socket is closed anyway. */
  disconnectGraceMs: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = {
  reconnectCapMs: 30000,
  conflictStrikes: 3,
  offlineQueueLimit: 1000,
  disconnectGraceMs: 500,
};

export interface ConnectionEnv {
  wx: PlatformWx;
  counter: SocketCounter;
  random?: () => number;
  limits?: Partial<ConnectionLimits>;
}

type Settle<T> = { resolve: (value: T) => void; reject: (error: ErrorInfo) => void };

interface Subscription {
  qos: QoS;
  /** The broker has it in the current session. */
  confirmed: boolean;
  waiters: Settle<number>[];
}

type Closing = 'none' | 'user' | 'pause';

/** CONNACK codes worth retrying: server unavailable / busy / quota exceeded. */
const RETRYABLE_RETURN_CODES = [3, 0x88, 0x89, 0x97];

type Timer = ReturnType<typeof setTimeout>;

function stopTimer(timer: Timer | undefined): void {
  if (timer !== undefined) clearTimeout(timer);
}

function retryable(error: ErrorInfo): boolean {
  if (error.code === 'CONNECT_REFUSED') return RETRYABLE_RETURN_CODES.includes(error.returnCode ?? -1);
  return error.code === 'SOCKET_ERROR' || error.code === 'CONNECT_TIMEOUT';
}

export class Connection {
  readonly config: ConnectionConfig;
  private readonly machine = new StateMachine();
  private readonly events = new Emitter<ConnectionEventMap>();
  private readonly adapter: SocketAdapter;
  private readonly limits: ConnectionLimits;
  private readonly random: () => number;
  private client?: VendorClient;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly operations = new Set<Settle<never>>();
  private connectWaiters: Settle<{ sessionPresent: boolean }>[] = [];
  private connectTimer?: Timer;
  private reconnectTimer?: Timer;
  private attempts = 0;
  private lastError?: ErrorInfo;
  private connectedAt = 0;
  private shortSessions = 0;
  private closing: Closing = 'none';
  private pausedBy?: string;
  private streamClosed = true;
  private offlinePublishes = 0;
  private sessionPresent = false;
  private onClosedOnce?: () => void;

  constructor(config: ConnectionConfig, env: ConnectionEnv) {
    this.config = config;
    this.limits = { ...DEFAULT_LIMITS, ...env.limits };
    this.random = env.random ?? Math.random;
    this.adapter = new SocketAdapter(env.wx, env.counter, {
      onOpen: () => undefined,
      onError: (error) => {
        this.lastError = error;
      },
      onClose: (res) => this.onSocketClosed(res.reason),
    });
    this.machine.onChange((change) => this.events.emit('status', change));
  }

  get status(): ConnectionStatus {
    return this.machine.status;
  }

  get filters(): string[] {
    return [...this.subscriptions.keys()];
  }

  /** QoS 1/2 publishes waiting for a connection. */
  get queued(): number {
    return this.offlinePublishes;
  }

  on<K extends keyof ConnectionEventMap>(event: K, listener: (payload: ConnectionEventMap[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  connect(): Promise<{ sessionPresent: boolean }> {
    if (this.status === 'connected') return Promise.resolve({ sessionPresent: this.sessionPresent });
    const done = new Promise<{ sessionPresent: boolean }>((resolve, reject) => this.connectWaiters.push({ resolve, reject }));
    if (this.status === 'idle' || this.status === 'closed' || this.status === 'offline') {
      this.attempts = 0;
      this.shortSessions = 0;
      this.pausedBy = undefined;
      this.machine.transition('connecting');
      this.openSocket();
    } else if (this.status === 'reconnecting' && this.reconnectTimer !== undefined) {
      this.openSocket();
    }
    return done;
  }

  /** Sends DISCONNECT (briefly), closes the socket, and settles everything still pending. */
  disconnect(reason = 'disconnect'): Promise<void> {
    this.clearTimers();
    this.pausedBy = undefined;
    const error: ErrorInfo = { code: 'NOT_CONNECTED', reason };
    this.rejectConnectWaiters(error);
    if (this.status === 'idle' || this.status === 'closed') return Promise.resolve();
    this.closing = 'user';
    const client = this.client;
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        this.dropClient();
        this.settleAll(error);
        this.closing = 'none';
        this.machine.transition('closed', reason);
        resolve();
      };
      if (!client || !this.adapter.isOpen) {
        finish();
        return;
      }
      this.onClosedOnce = finish;
      if (this.status === 'connected') {
        client.end(false, {}, () => undefined);
        this.connectTimer = setTimeout(() => this.adapter.close(1000, reason), this.limits.disconnectGraceMs);
      } else {
        this.adapter.close(1000, reason);
      }
    });
  }

  /** The app went to the background or the network went away: close now, resume later. */
  pause(reason: string): void {
    this.pausedBy = reason;
    if (this.status === 'connected' || this.status === 'connecting' || this.status === 'reconnecting') {
      this.clearTimers();
      if (this.adapter.isOpen) {
        this.closing = 'pause';
        this.adapter.close(1000, reason);
      } else {
        this.machine.transition('offline', reason);
      }
    }
  }

  /** Back in the foreground or online: reconnect at once rather than after the back-off. */
  resume(reason: string): void {
    const wasPaused = this.pausedBy !== undefined;
    this.pausedBy = undefined;
    if ((this.status === 'offline' && wasPaused) || (this.status === 'reconnecting' && this.reconnectTimer !== undefined)) {
      this.attempts = 0;
      this.machine.transition('reconnecting', reason);
      this.openSocket();
    }
  }

  subscribe(filter: string, qos: QoS): Promise<number> {
    if (this.status === 'idle' || this.status === 'closed') return Promise.reject<number>({ code: 'NOT_CONNECTED' });
    const existing = this.subscriptions.get(filter);
    const subscription: Subscription = existing && existing.qos === qos ? existing : { qos, confirmed: false, waiters: existing?.waiters ?? [] };
    this.subscriptions.set(filter, subscription);
    if (subscription.confirmed) return Promise.resolve(qos);
    const granted = new Promise<number>((resolve, reject) => subscription.waiters.push({ resolve, reject }));
    if (this.status === 'connected') this.sendSubscribe([filter]);
    return granted;
  }

  unsubscribe(filter: string): Promise<void> {
    const subscription = this.subscriptions.get(filter);
    this.subscriptions.delete(filter);
    subscription?.waiters.forEach((w) => w.reject({ code: 'NOT_CONNECTED', topic: filter, reason: 'unsubscribed' }));
    if (this.status !== 'connected' || !this.client) return Promise.resolve();
    const client = this.client;
    return this.track<void>((resolve) => client.unsubscribe(filter, () => resolve()));
  }

  publish(topic: string, bytes: Uint8Array, qos: QoS, retain: boolean): Promise<void> {
    const client = this.client;
    if (this.status === 'connected' && client) {
      return this.track<void>((resolve, reject) =>
        client.publish(topic, bytes, { qos, retain }, (error) => (error ? reject({ code: 'NOT_CONNECTED', reason: error.message }) : resolve())),
      );
    }
    const waiting = this.status === 'connecting' || this.status === 'reconnecting' || this.status === 'offline';
    if (qos === 0 || !waiting || !client) return Promise.reject<void>({ code: 'NOT_CONNECTED' });
    if (this.offlinePublishes >= this.limits.offlineQueueLimit) {
      return Promise.reject<void>({ code: 'OFFLINE_QUEUE_FULL', limit: this.limits.offlineQueueLimit });
    }
    this.offlinePublishes++;
    return this.track<void>((resolve, reject) =>
      client.publish(topic, bytes, { qos, retain }, (error) => {
        this.offlinePublishes = Math.max(0, this.offlinePublishes - 1);
        if (error) reject({ code: 'NOT_CONNECTED', reason: error.message });
        else resolve();
      }),
    );
  }

  /** Closes for good: no events after this. */
  async destroy(): Promise<void> {
    await this.disconnect('destroyed');
    this.events.clear();
  }

  private openSocket(): void {
    this.clearTimers();
    this.lastError = undefined;
    this.closing = 'none';
    this.streamClosed = false;
    this.connectTimer = setTimeout(() => {
      this.lastError = { code: 'CONNECT_TIMEOUT', limit: this.config.connectTimeout };
      this.adapter.close(1000, 'connect timeout');
    }, this.config.connectTimeout);
    if (this.client) {
      this.client.reconnect({ incomingStore: this.client.incomingStore, outgoingStore: this.client.outgoingStore });
      return;
    }
    const c = this.config;
    const client = createMqtt(this.adapter.vendorWx).connect(c.mqttUrl, {
      clientId: c.clientId,
      username: c.username || undefined,
      password: c.password || undefined,
      protocolVersion: c.protocolVersion,
      clean: c.clean,
      keepalive: c.keepalive,
      // mqtt.js must not reconnect or time out on its own: this class does both.
      reconnectPeriod: 0,
      connectTimeout: c.connectTimeout + 60000,
      resubscribe: false,
      queueQoSZero: false,
      will: c.will,
    });
    this.client = client;
    client.on('connect', (connack) => this.onConnack(client, connack));
    client.on('message', (topic, payload, packet) => this.onMessage(client, topic, payload, packet));
    client.on('error', (error) => {
      if (typeof error.code === 'number') this.lastError = errorFromConnack(error.code);
    });
  }

  private onConnack(client: VendorClient, connack: VendorPacket): void {
    if (client !== this.client) return;
    stopTimer(this.connectTimer);
    this.attempts = 0;
    this.connectedAt = Date.now();
    this.sessionPresent = Boolean(connack.sessionPresent);
    if (!this.sessionPresent) this.subscriptions.forEach((s) => (s.confirmed = false));
    this.machine.transition('connected');
    const waiters = this.connectWaiters;
    this.connectWaiters = [];
    waiters.forEach((w) => w.resolve({ sessionPresent: this.sessionPresent }));
    this.events.emit('connect', { sessionPresent: this.sessionPresent });
    const unconfirmed = [...this.subscriptions].filter(([, s]) => !s.confirmed).map(([filter]) => filter);
    if (unconfirmed.length > 0) this.sendSubscribe(unconfirmed);
  }

  private onMessage(client: VendorClient, topic: string, payload: Uint8Array, packet: VendorPacket): void {
    if (client !== this.client) return;
    this.events.emit('message', {
      topic,
      bytes: payload,
      qos: (packet.qos ?? 0) as QoS,
      retain: Boolean(packet.retain),
      dup: Boolean(packet.dup),
    });
  }

  private sendSubscribe(filters: string[]): void {
    const client = this.client;
    if (!client) return;
    const request: Record<string, { qos: QoS }> = {};
    filters.forEach((f) => (request[f] = { qos: this.subscriptions.get(f)!.qos }));
    client.subscribe(request, (error, granted) => {
      if (error || !Array.isArray(granted)) return; // connection lost: resubscribed after reconnect
      granted.forEach((grant, i) => {
        const filter = grant?.topic ?? filters[i];
        const subscription = this.subscriptions.get(filter);
        if (!subscription) return;
        const waiters = subscription.waiters;
        subscription.waiters = [];
        if (grant.qos === 0x80 || grant.qos > 2) {
          this.subscriptions.delete(filter);
          const rejected: ErrorInfo = { code: 'SUBSCRIBE_REJECTED', topic: filter, returnCode: grant.qos };
          waiters.forEach((w) => w.reject(rejected));
          if (waiters.length === 0) this.events.emit('error', rejected);
        } else {
          subscription.confirmed = true;
          waiters.forEach((w) => w.resolve(grant.qos));
        }
      });
    });
  }

  private onSocketClosed(reason: string): void {
    stopTimer(this.connectTimer);
    if (this.client && !this.streamClosed) {
      this.streamClosed = true;
      // mqtt.js 4.0.1's wx stream never emits 'close' itself; without it the client stays "connected".
      this.client.stream.emit('close');
    }
    const closedOnce = this.onClosedOnce;
    this.onClosedOnce = undefined;
    if (this.closing === 'user') {
      closedOnce?.();
      return;
    }
    const wasConnected = this.status === 'connected';
    if (this.closing === 'pause' || this.pausedBy !== undefined) {
      this.closing = 'none';
      this.machine.transition('offline', this.pausedBy ?? reason);
      return;
    }
    if (wasConnected) {
      const window = this.limits.conflictWindowMs ?? 1.5 * this.config.reconnectPeriod + 1000;
      this.shortSessions = Date.now() - this.connectedAt < window ? this.shortSessions + 1 : 0;
      if (this.shortSessions >= this.limits.conflictStrikes) {
        this.giveUp({ code: 'CLIENT_ID_CONFLICT', field: 'clientId' });
        return;
      }
      this.scheduleReconnect(reason || 'connection lost');
      return;
    }
    const error = this.lastError ?? { code: 'SOCKET_ERROR', errMsg: reason || 'closed before CONNACK' };
    this.events.emit('error', error);
    this.rejectConnectWaiters(error);
    if (retryable(error) && this.config.reconnectPeriod > 0) this.scheduleReconnect(error.code);
    else this.giveUp(error, false);
  }

  /** Stops trying: connect() and subscribe() callers hear why; queued publishes wait for a later connect. */
  private giveUp(error: ErrorInfo, emit = true): void {
    // Refused while the app is suspended: come back on the next app show, like a pause.
    if (error.code === 'SUSPENDED') this.pausedBy = 'background';
    if (emit) this.events.emit('error', error);
    this.rejectConnectWaiters(error);
    this.rejectSubscriptionWaiters(error);
    this.machine.transition('offline', error.code);
  }

  private scheduleReconnect(reason: string): void {
    if (this.config.reconnectPeriod === 0) {
      this.machine.transition('offline', reason);
      return;
    }
    this.machine.transition('reconnecting', reason);
    const base = Math.min(this.limits.reconnectCapMs, this.config.reconnectPeriod * 2 ** Math.min(this.attempts, 16));
    const delay = Math.round(base * (0.75 + 0.5 * this.random()));
    this.attempts++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.openSocket();
    }, delay);
  }

  private track<T>(start: (resolve: (value: T) => void, reject: (error: ErrorInfo) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Settle<never> = { resolve: resolve as (value: never) => void, reject };
      this.operations.add(entry);
      const settle =
        <A>(fn: (arg: A) => void) =>
        (arg: A): void => {
          if (!this.operations.delete(entry)) return;
          fn(arg);
        };
      try {
        start(settle(resolve), settle(reject));
      } catch (error) {
        settle(reject)({ code: 'SOCKET_ERROR', errMsg: error instanceof Error ? error.message : String(error) });
      }
    });
  }

  private settleAll(error: ErrorInfo): void {
    const operations = [...this.operations];
    this.operations.clear();
    operations.forEach((o) => o.reject(error));
    this.subscriptions.forEach((s) => (s.confirmed = false));
    this.rejectSubscriptionWaiters(error);
    this.offlinePublishes = 0;
  }

  private rejectSubscriptionWaiters(error: ErrorInfo): void {
    this.subscriptions.forEach((s) => {
      const waiters = s.waiters;
      s.waiters = [];
      waiters.forEach((w) => w.reject(error));
    });
  }

  private rejectConnectWaiters(error: ErrorInfo): void {
    const waiters = this.connectWaiters;
    this.connectWaiters = [];
    waiters.forEach((w) => w.reject(error));
  }

  private dropClient(): void {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    client.removeAllListeners();
    client.on('error', () => undefined);
  }

  private clearTimers(): void {
    stopTimer(this.connectTimer);
    stopTimer(this.reconnectTimer);
    this.connectTimer = undefined;
    this.reconnectTimer = undefined;
  }
}
