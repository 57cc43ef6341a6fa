/**
 * One MQTT connection on its own evaluated copy of mqtt.js. The library, not mqtt.js, decides when
 * to reconnect.
 *
 * How a close travels (the only route): the socket adapter reports every socket's end exactly once
 * (onClose, socket.ts; it never gives mqtt.js's own close/error handlers the SocketTask events,
 * since those act on whichever socket mqtt.js's module variable holds by then) → onSocketClosed
 * here tells mqtt.js (its wx stream never emits 'close' by itself) and then decides: the user
 * closed it, the app paused it, or reconnect with back-off.
 */
import { encodeUtf8 } from '../core/codec';
import { Emitter } from '../core/emitter';
import { ErrorCode, ErrorInfo, errorFromConnack, errorFromDisconnect } from '../core/errors';
import type { ConnectionConfig, QoS } from '../core/options';
import { ConnackInfo, DisconnectInfo, InboundEvent, publishPacketSize } from '../core/packets';
import { propertyBytes, SubscriptionOptions, VendorProperties } from '../core/properties';
import { joinRepeated } from '../core/user-properties';
import { ConnectionStatus, StateMachine, StatusChange } from '../core/state';
import createMqtt, { type VendorClient, type VendorConnectProperties, type VendorPacket, type VendorSubscription } from '../vendor/mqtt';
import type { PendingMessage } from '../core/message';
import { Outbox } from './outbox';
import { Persistence, StorageNotice } from './persistence';
import type { StoredMessage } from '../core/journal';
import { platformStorage } from './storage';
import { SocketAdapter, SocketCounter } from './socket';
import { Holder, Settle, SubscriptionTable } from './subscriptions';
import type { PlatformWx } from './wx';

export interface InboundMessage {
  topic: string;
  bytes: Uint8Array;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  /** MQTT 5 properties as mqtt.js parsed them. */
  properties?: Record<string, unknown>;
  /** Filled by the first client that hears it, so that every client shares one decoded detail. */
  detail?: object;
}

/** The broker ended the session while QoS 1/2 exchanges were open (MQTT 3.1.1/5.0 §4.4). */
export interface SessionLost {
  /** Sent, unacknowledged QoS 1/2 publishes: sent again in the new session (QoS 2 may arrive twice). */
  resent: number;
  /** QoS 2 publishes the broker had taken (PUBREC) but not completed: counted as delivered. */
  released: number;
  /** QoS 2 messages received (PUBREC sent) whose PUBREL will never come: delivered now. */
  delivered: number;
}

/** A message and the holders whose filters match it. */
export interface Delivery {
  message: InboundMessage;
  holders: ReadonlySet<Holder>;
}

export interface ConnectionEventMap {
  status: StatusChange;
  connect: { sessionPresent: boolean };
  message: Delivery;
  error: ErrorInfo;
  sessionLost: SessionLost;
  /** `persist`: what loading the stored state found. */
  storage: StorageNotice;
  /** `persist`: a publish restored from storage was acknowledged (no error) or refused. */
  restored: { message: StoredMessage; error?: ErrorInfo };
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
  /**
   * Unacknowledged QoS 1/2 publishes at MQTT 3.1.1, which has no Receive Maximum: mosquitto
   * silently drops QoS 2 publishes beyond its max_inflight_messages (20 by default), and acks them.
   */
  inflightLimit311: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = {
  reconnectCapMs: 30000,
  conflictStrikes: 3,
  offlineQueueLimit: 1000,
  disconnectGraceMs: 500,
  inflightLimit311: 10,
};



export interface ConnectionEnv {
  wx: PlatformWx;
  counter: SocketCounter;
  random?: () => number;
  limits?: Partial<ConnectionLimits>;
}


type Closing = 'none' | 'user' | 'pause';

/** Server DISCONNECTs after which reconnecting to the same server cannot help. */
const FINAL_DISCONNECTS: ErrorCode[] = ['CLIENT_ID_CONFLICT', 'SERVER_MOVED'];

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

const noop = (): void => undefined;

/** Messages of a persistent session that no holder wants yet, kept per connection (oldest dropped first). */
export const UNCLAIMED_LIMIT = 1000;

const toBytes = (payload: Uint8Array | string | undefined): Uint8Array =>
  typeof payload === 'string' ? encodeUtf8(payload) : (payload ?? new Uint8Array(0));

export class Connection {
  readonly config: ConnectionConfig;
  private readonly machine = new StateMachine();
  private readonly events = new Emitter<ConnectionEventMap>();
  private readonly adapter: SocketAdapter;
  private readonly limits: ConnectionLimits;
  private readonly random: () => number;
  private client?: VendorClient;
  private readonly subscriptions = new SubscriptionTable();
  /** Whoever called connect() and has not left: the socket closes when the last one leaves. */
  private readonly users = new Set<object>();
  /**
   * Messages of a persistent session that arrived before anyone subscribed to them (the broker
   * sends them right after CONNACK): handed over when a matching filter is subscribed.
   */
  private unclaimed: InboundMessage[] = [];
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
  private sessionPresent = false;
  /** A server DISCONNECT on the current socket (MQTT 5), reported when the socket closes. */
  private disconnectedBy?: ErrorInfo;
  /** From the last CONNACK (MQTT 5). */
  private server: Pick<ConnackInfo, 'topicAliasMaximum' | 'responseInformation' | 'subscriptionIdentifiersAvailable'> = {};
  /** Topic aliases sent on the current socket (QoS 0 publishes use them without the topic). */
  private readonly sentAliases = new Map<number, string>();
  /** SUBACK properties, read while mqtt.js calls back for it. */
  private lastAckProperties?: Record<string, unknown>;
  private onClosedOnce?: () => void;
  private readonly outbox: Outbox;
  private readonly persistence?: Persistence;

  constructor(config: ConnectionConfig, env: ConnectionEnv) {
    this.config = config;
    this.limits = { ...DEFAULT_LIMITS, ...env.limits };
    this.random = env.random ?? Math.random;
    if (config.persist) {
      const identity = { url: config.url, clientId: config.clientId, username: config.username };
      this.persistence = new Persistence(identity, platformStorage(env.wx), config.persist.maxBytes, {
        notice: (notice) => this.events.emit('storage', notice),
        error: (error) => this.events.emit('error', error),
      });
    }
    this.outbox = new Outbox(config.protocolVersion, this.limits.inflightLimit311, this.persistence);
    this.adapter = new SocketAdapter(
      env.wx,
      env.counter,
      {
        onOpen: () => undefined,
        onError: (error) => {
          this.lastError = error;
        },
        onClose: (res) => this.onSocketClosed(res.reason),
        onPacket: (event) => this.onPacket(event),
        onViolation: (violation) => {
          this.lastError = { code: 'PROTOCOL_ERROR', returnCode: violation.reasonCode, reason: violation.message };
          this.events.emit('error', this.lastError);
        },
      },
      { protocolVersion: config.protocolVersion, topicAliasMaximum: config.connectProperties.topicAliasMaximum ?? 0 },
    );
    this.machine.onChange((change) => this.events.emit('status', change));
  }

  get status(): ConnectionStatus {
    return this.machine.status;
  }

  /** What the broker said in its last CONNACK (MQTT 5): its Topic Alias Maximum, Response Information. */
  get serverInfo(): Readonly<Pick<ConnackInfo, 'topicAliasMaximum' | 'responseInformation' | 'subscriptionIdentifiersAvailable'>> {
    return this.server;
  }

  /** The holder's filters the broker confirmed. */
  subscriptionsOf(holder: Holder): { topic: string; qos: QoS }[] {
    return this.subscriptions.confirmedOf(holder);
  }

  /** Whether anyone besides `user` is using the connection. */
  isSharedBeyond(user: object): boolean {
    return [...this.users].some((u) => u !== user);
  }

  on<K extends keyof ConnectionEventMap>(event: K, listener: (payload: ConnectionEventMap[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** `user` starts using the connection; it opens unless it is open already. */
  join(user: object): Promise<{ sessionPresent: boolean }> {
    this.users.add(user);
    return this.connect();
  }

  /**
   * `user` stops using the connection, after releasing its holders; the last one to leave
   * closes it (DISCONNECT).
   */
  async leave(user: object): Promise<void> {
    if (!this.users.delete(user) || this.users.size > 0) return;
    await this.disconnect();
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
        this.adapter.vendorMayClose = true;
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
    // in the background the app may be killed without another word: store everything now
    if (reason === 'background') this.persistence?.flushNow();
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

  /** `holder` subscribes; resolves with the QoS the broker granted. */
  subscribe(holder: Holder, filter: string, qos: QoS, options: SubscriptionOptions = {}): Promise<number> {
    if (this.status === 'idle' || this.status === 'closed') return Promise.reject<number>({ code: 'NOT_CONNECTED' });
    if (options.subscriptionIdentifier !== undefined && this.server.subscriptionIdentifiersAvailable === false) {
      return Promise.reject<number>({ code: 'INVALID_OPTION', field: 'subscriptionIdentifier', reason: 'the broker does not support Subscription Identifiers' });
    }
    const { entry, ask } = this.subscriptions.add(holder, filter, qos, options);
    this.claim(holder, entry.test);
    if (!ask) return Promise.resolve(entry.granted ?? entry.qos);
    const granted = new Promise<number>((resolve, reject) => entry.waiters.push({ resolve, reject }));
    if (this.status === 'connected') this.sendSubscribe([filter]);
    return granted;
  }

  /** `holder` lets go of a filter; the broker hears UNSUBSCRIBE when nobody else holds it. */
  unsubscribe(holder: Holder, filter: string): Promise<void> {
    const left = this.subscriptions.remove(holder, filter);
    if (left === 'lower' && this.status === 'connected') this.sendSubscribe([filter]);
    if (left !== 'last' || this.status !== 'connected' || !this.client) return Promise.resolve();
    const client = this.client;
    return this.track<void>((resolve) => client.unsubscribe(filter, () => resolve()));
  }

  /**
   * `holder` lets go of all its filters. When `keepAtBroker` (the last user of a persistent
   * session leaving), filters nobody else holds stay subscribed at the broker, which queues their
   * QoS 1/2 messages for the next visit.
   */
  async release(holder: Holder, keepAtBroker: boolean): Promise<void> {
    const filters = this.subscriptions.filtersOf(holder);
    if (keepAtBroker) {
      filters.forEach((f) => this.subscriptions.remove(holder, f));
      return;
    }
    await Promise.all(filters.map((f) => this.unsubscribe(holder, f).catch(() => undefined)));
  }

  /** Hands the session's waiting messages that a new filter matches to its holder. */
  private claim(holder: Holder, test: (topic: string) => boolean): void {
    if (this.unclaimed.length === 0) return;
    const mine = this.unclaimed.filter((m) => test(m.topic));
    if (mine.length === 0) return;
    this.unclaimed = this.unclaimed.filter((m) => !test(m.topic));
    const holders = new Set([holder]);
    mine.forEach((message) => this.events.emit('message', { message, holders }));
  }

  publish(topic: string, bytes: Uint8Array, qos: QoS, retain: boolean, properties?: VendorProperties): Promise<void> {
    const alias = properties?.topicAlias;
    if (alias !== undefined && alias > (this.server.topicAliasMaximum ?? 0)) {
      return Promise.reject<void>({ code: 'INVALID_OPTION', field: 'properties.topicAlias', reason: `${alias}; the broker allows ${this.server.topicAliasMaximum ?? 0}` });
    }
    const v5 = this.config.protocolVersion === 5;
    const size = publishPacketSize(encodeUtf8(topic).length, bytes.length, qos, v5 ? propertyBytes(properties) : undefined);
    const tooLarge = this.outbox.tooLarge(size);
    if (tooLarge) return Promise.reject<void>(tooLarge);
    const client = this.client;
    if (qos === 0) {
      if (this.status !== 'connected' || !client) return Promise.reject<void>({ code: 'NOT_CONNECTED' });
      // Aliases last for one socket: a QoS 0 publish is never resent, so only it may leave the topic out.
      const wireTopic = alias !== undefined && this.sentAliases.get(alias) === topic ? '' : topic;
      if (alias !== undefined) this.sentAliases.set(alias, topic);
      return this.track<void>((resolve, reject) =>
        client.publish(wireTopic, bytes, { qos, retain, properties: properties && joinRepeated({ ...properties }) }, (error) =>
          error ? reject({ code: 'NOT_CONNECTED', reason: error.message }) : resolve(),
        ),
      );
    }
    if (alias !== undefined) this.sentAliases.set(alias, topic);
    const open = this.status === 'connected' || this.status === 'connecting' || this.status === 'reconnecting' || this.status === 'offline';
    if (!open || !client) return Promise.reject<void>({ code: 'NOT_CONNECTED' });
    if (this.outbox.size(this.status !== 'connected') >= this.limits.offlineQueueLimit) {
      return Promise.reject<void>({ code: 'OFFLINE_QUEUE_FULL', limit: this.limits.offlineQueueLimit, reason: 'messages waiting to be sent' });
    }
    const since = Date.now();
    const queued = this.persistence?.queue({ topic, bytes, qos, retain, properties, since });
    if (queued && 'code' in queued) return Promise.reject<void>(queued);
    const record = queued;
    return this.track<void>((resolve, reject) => this.outbox.add(client, { topic, bytes, qos, retain, properties, size, since, settle: { resolve, reject }, record }));
  }

  /** QoS 1/2 publishes queued or waiting for their acknowledgement. */
  pending(): PendingMessage[] {
    return this.outbox.pending();
  }

  /** `persist`: resolves once every publish accepted so far is in storage. */
  flush(): Promise<void> {
    return this.persistence?.durable() ?? Promise.resolve();
  }

  /** Closes for good: no events after this. Stored state stays for the next connection or launch. */
  async destroy(): Promise<void> {
    await this.disconnect('destroyed');
    this.persistence?.close();
    this.events.clear();
  }

  private connectProperties(): VendorConnectProperties | undefined {
    if (this.config.protocolVersion !== 5) return undefined;
    const properties: VendorConnectProperties = joinRepeated({ ...this.config.connectProperties });
    if (this.config.sessionExpiryInterval !== undefined) properties.sessionExpiryInterval = this.config.sessionExpiryInterval;
    return properties;
  }

  private openSocket(): void {
    this.clearTimers();
    this.lastError = undefined;
    this.disconnectedBy = undefined;
    this.sentAliases.clear();
    this.closing = 'none';
    this.adapter.vendorMayClose = false;
    this.streamClosed = false;
    this.outbox.nextSocket(this.client);
    this.connectTimer = setTimeout(() => {
      this.lastError = { code: 'CONNECT_TIMEOUT', limit: this.config.connectTimeout };
      this.adapter.close(1000, 'connect timeout');
    }, this.config.connectTimeout);
    if (this.client) {
      // mqtt.js copied the last CONNACK's limits and keepalive into its options: CONNECT carries
      // only what the user asked for.
      this.client.options.properties = this.connectProperties();
      this.client.options.keepalive = this.config.keepalive;
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
      will: c.will && { ...c.will, properties: joinRepeated(c.will.properties) },
      properties: this.connectProperties(),
    });
    this.client = client;
    if (this.persistence) this.restore(client, this.persistence);
    client.on('connect', (connack) => this.onConnack(client, connack));
    client.on('message', (topic, payload, packet) => this.onMessage(client, topic, payload, packet));
    client.on('packetsend', (packet) => {
      if (packet.cmd === 'publish') this.outbox.sent(packet.messageId);
    });
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'suback') this.lastAckProperties = packet.properties;
    });
    client.on('error', (error) => {
      // the CONNACK filter already reported this refusal, with its reason string
      if (typeof error.code === 'number' && this.lastError?.returnCode !== error.code) this.lastError = errorFromConnack(error.code);
    });
  }

  /** A new mqtt.js client takes over what storage holds (loaded at the first connect). */
  private restore(client: VendorClient, persistence: Persistence): void {
    persistence.load(this.config.clean);
    persistence.attach(client);
    this.outbox.restore(client, persistence.outgoing(), (record) => ({
      resolve: () => this.events.emit('restored', { message: record.message }),
      reject: (error) => this.events.emit('restored', { message: record.message, error }),
    }));
  }

  private onPacket(event: InboundEvent): void {
    if (event.type === 'connack') this.onConnackSeen(event.info);
    else this.onServerDisconnect(event.info);
  }

  /** CONNACK, before mqtt.js acts on it: the server's limits, and what a lost session means for open exchanges. */
  private onConnackSeen(info: ConnackInfo): void {
    if (info.returnCode !== 0) {
      // Refused: the server should close the socket; do not wait for it to.
      this.lastError = errorFromConnack(info.returnCode, { reasonString: info.reasonString, serverReference: info.serverReference });
      this.adapter.close(1000, 'connection refused');
      return;
    }
    this.server = { topicAliasMaximum: info.topicAliasMaximum, responseInformation: info.responseInformation, subscriptionIdentifiersAvailable: info.subscriptionIdentifiersAvailable };
    const client = this.client;
    if (!client) return;
    const lost: SessionLost = { ...this.outbox.connected(client, info), delivered: 0 };
    // MQTT §4.4: the broker will never send PUBREL for a QoS 2 message of a session it lost: deliver it now.
    if (!info.sessionPresent) {
      this.persistence?.sessionLost();
      for (const [, packet] of [...client.incomingStore._inflights]) {
        client.incomingStore.del({ messageId: packet.messageId! }, noop);
        lost.delivered++;
        this.onMessage(client, packet.topic ?? '', toBytes(packet.payload), packet);
      }
    }
    if (lost.resent + lost.released + lost.delivered > 0) this.events.emit('sessionLost', lost);
  }

  /** A server DISCONNECT (MQTT 5). 0x95: the largest publish on this socket was too large; never send it again. */
  private onServerDisconnect(info: DisconnectInfo): void {
    this.lastError = errorFromDisconnect({ returnCode: info.reasonCode, reasonString: info.reasonString, serverReference: info.serverReference });
    if (info.reasonCode >= 0x80) this.disconnectedBy = this.lastError;
    // MQTT 5.0 §3.14.4: the connection ends with a DISCONNECT, whether or not the server closes it.
    this.adapter.close(1000, `server DISCONNECT 0x${info.reasonCode.toString(16)}`);
    if (info.reasonCode === 0x95 && this.client) this.outbox.refusedAsTooLarge(this.client, info.reasonString);
  }

  private onConnack(client: VendorClient, connack: VendorPacket): void {
    if (client !== this.client) return;
    stopTimer(this.connectTimer);
    this.attempts = 0;
    this.connectedAt = Date.now();
    this.sessionPresent = Boolean(connack.sessionPresent);
    this.outbox.resume(client);
    if (!this.sessionPresent) this.subscriptions.unconfirmAll();
    // resubscribe before anyone hears of the connection: a listener that subscribes sends its own SUBSCRIBE
    const unconfirmed = this.subscriptions.unconfirmed();
    if (unconfirmed.length > 0) this.sendSubscribe(unconfirmed);
    this.machine.transition('connected');
    const waiters = this.connectWaiters;
    this.connectWaiters = [];
    waiters.forEach((w) => w.resolve({ sessionPresent: this.sessionPresent }));
    this.events.emit('connect', { sessionPresent: this.sessionPresent });
  }

  private onMessage(client: VendorClient, topic: string, payload: Uint8Array, packet: VendorPacket): void {
    if (client !== this.client) return;
    const message: InboundMessage = { topic, bytes: payload, qos: (packet.qos ?? 0) as QoS, retain: Boolean(packet.retain), dup: Boolean(packet.dup) };
    if (packet.properties) message.properties = packet.properties;
    const holders = this.subscriptions.holdersOf(topic);
    if (holders.size > 0) {
      this.events.emit('message', { message, holders });
    } else if (!this.config.clean) {
      this.unclaimed.push(message);
      if (this.unclaimed.length > UNCLAIMED_LIMIT) this.unclaimed.shift();
    }
  }

  /** One SUBSCRIBE per set of SUBSCRIBE properties (they belong to the packet, not the filter). */
  private sendSubscribe(filters: string[]): void {
    const client = this.client;
    if (!client) return;
    const packets = new Map<string, { request: Record<string, VendorSubscription>; properties?: VendorProperties; filters: string[] }>();
    filters.forEach((f) => {
      const entry = this.subscriptions.get(f);
      if (!entry) return;
      const { nl, rap, rh, userProperties, subscriptionIdentifier } = entry.options;
      // only keys with a value: mqtt.js's property writer fails on an undefined one
      const given: VendorProperties = {};
      if (userProperties) given.userProperties = userProperties;
      if (subscriptionIdentifier) given.subscriptionIdentifier = subscriptionIdentifier;
      const properties = Object.keys(given).length > 0 ? joinRepeated(given) : undefined;
      const key = JSON.stringify(properties ?? null);
      let packet = packets.get(key);
      if (!packet) packets.set(key, (packet = { request: {}, properties, filters: [] }));
      packet.request[f] = this.config.protocolVersion === 5 ? { qos: entry.qos, nl: nl ?? false, rap: rap ?? false, rh: rh ?? 0 } : { qos: entry.qos };
      packet.filters.push(f);
    });
    packets.forEach(({ request, properties, filters: sent }) => {
      try {
        this.subscribeOne(client, request, properties, sent);
      } catch (error) {
        this.writeFailed(error);
        sent.forEach((f) => this.subscriptions.get(f)?.waiters.splice(0).forEach((w) => w.reject({ code: 'INTERNAL', topic: f, reason: String(error) })));
      }
    });
  }

  private subscribeOne(client: VendorClient, request: Record<string, VendorSubscription>, properties: VendorProperties | undefined, filters: string[]): void {
    client.subscribe(request, properties ? { properties } : {}, (error, granted) => {
      const reasonString = this.lastAckProperties?.reasonString;
      this.lastAckProperties = undefined;
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
          if (typeof reasonString === 'string') rejected.reasonString = rejected.reason = reasonString;
          waiters.forEach((w) => w.reject(rejected));
          if (waiters.length === 0) this.events.emit('error', rejected);
        } else {
          subscription.confirmed = true;
          subscription.granted = grant.qos;
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
      const byServer = this.disconnectedBy;
      this.disconnectedBy = undefined;
      if (byServer && FINAL_DISCONNECTS.includes(byServer.code)) {
        this.giveUp(byServer);
        return;
      }
      if (byServer) this.events.emit('error', byServer);
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
    this.subscriptions.rejectWaiters(error);
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
        this.writeFailed(error);
        settle(reject)({ code: 'SOCKET_ERROR', errMsg: error instanceof Error ? error.message : String(error) });
      }
    });
  }

  /** mqtt.js threw while writing a packet: part of it may be on the stream, so this socket is done. */
  private writeFailed(error: unknown): void {
    this.lastError = { code: 'INTERNAL', reason: `mqtt.js could not write a packet: ${error instanceof Error ? error.message : String(error)}` };
    this.adapter.close(1006, 'write failed');
  }

  private settleAll(error: ErrorInfo): void {
    const operations = [...this.operations];
    this.operations.clear();
    operations.forEach((o) => o.reject(error));
    this.subscriptions.unconfirmAll();
    this.subscriptions.rejectWaiters(error);
    this.outbox.clear();
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
