/**
 * One MQTT connection on its own evaluated copy of mqtt.js, built on three seams: the transport
 * (a byte pipe, transport/), the session (the mqtt.js client and its QoS 1/2 state: outbox.ts,
 * persistence.ts) and the reconnect policy (reconnect-policy.ts). The library, not mqtt.js,
 * decides when to reconnect.
 *
 * How a close travels (the only route):
 * 1. the transport reports its end exactly once (transport/websocket.ts);
 * 2. MqttSocket hands it to onSocketClosed here, never to mqtt.js's own handlers;
 * 3. onSocketClosed tells mqtt.js (its wx stream never emits 'close' by itself);
 * 4. then reads why in `end`: the user's disconnect, a pause, a server DISCONNECT or a failure;
 * 5. and asks the policy: closed, offline, give up, or reconnect after a back-off.
 */
import { encodeUtf8 } from '../core/codec';
import { Emitter } from '../core/emitter';
import { assign, CodedError, ErrorInfo, errorFromConnack, errorFromDisconnect, errorText } from '../core/errors';
import type { PendingMessage } from '../core/message';
import type { ConnectionConfig, QoS } from '../core/options';
import { AuthInfo, authPacket, ConnackInfo, DisconnectInfo, InboundEvent, publishPacketSize } from '../core/packets';
import { propertyBytes, SubscriptionOptions, VendorProperties } from '../core/properties';
import { ConnectionStatus, StateMachine } from '../core/state';
import { joinRepeated } from '../core/user-properties';
import createMqtt, { type VendorClient, type VendorMqtt, type VendorPacket } from '../vendor/mqtt';
import { sendSubscribe, SubscribeContext } from './handlers/subscribe';
import { ConnectionEnv, ConnectionEventMap, ConnectionLimits, DEFAULT_LIMITS, InboundMessage, OnAuth, SessionLost } from './connection-types';
import { Outbox, storedPending } from './session/outbox';
import { vendorOptions } from './session/vendor-options';
import { PacketStore } from './session/packet-store';
import { Persistence } from './session/persistence';
import { ConnectPlan, ConnectReason, ReconnectPolicy } from './reconnect-policy';
import { platformStorage } from './storage';
import { Holder, Settle, SubscriptionTable } from './subscriptions';
import { TopicAliases } from './topic-aliases';
import { MqttSocket } from './transport/mqtt-socket';
import { webSocketTransport } from './transport/websocket';

/** Why the current socket ends, as far as anyone knows: set while it lives, read once when it closes. */
interface SocketEnd {
  /**
   * The user's disconnect() (with what to do once closed), a pause (app hidden, network gone), or
   * credentials about to expire (reconnect at once with the new ones).
   */
  ending?: { kind: 'user'; done: () => void } | { kind: 'pause' } | { kind: 'renew'; plan: ConnectPlan };
  /** The failure that ends it (timeout, refusal, socket error…). */
  failure?: ErrorInfo;
  /** A server DISCONNECT with a reason code ≥ 0x80 (MQTT 5). */
  byServer?: ErrorInfo;
  /** mqtt.js has been told that its stream closed. */
  told?: boolean;
}

type Timer = ReturnType<typeof setTimeout>;

const noop = (): void => undefined;

/** Failures to reach a server, after which a server list moves on to the next one. */
const CONNECT_FAILURES: readonly string[] = ['SOCKET_ERROR', 'CONNECT_TIMEOUT', 'CONNECT_REFUSED', 'TLS_ERROR', 'DOMAIN_NOT_ALLOWED', 'PROTOCOL_ERROR', 'SERVER_MOVED'];

/** Messages of a persistent session that no holder wants yet, kept per connection (oldest dropped first). */
const UNCLAIMED_LIMIT = 1000;

const toBytes = (payload: Uint8Array | string | undefined): Uint8Array =>
  typeof payload === 'string' ? encodeUtf8(payload) : (payload ?? new Uint8Array(0));

const notConnected = (reason?: string): CodedError => new CodedError(reason === undefined ? { code: 'NOT_CONNECTED' } : { code: 'NOT_CONNECTED', reason });

export class Connection {
  readonly config: ConnectionConfig;
  private readonly machine = new StateMachine();
  private readonly events = new Emitter<ConnectionEventMap>();
  private readonly socket: MqttSocket;
  private readonly policy: ReconnectPolicy;
  private readonly limits: ConnectionLimits;
  /** This connection's own evaluated copy of mqtt.js, and its client (one for the connection's life, reused across reconnects). */
  private vendor?: VendorMqtt;
  private client?: VendorClient;
  private readonly subscriptions = new SubscriptionTable();
  private readonly aliases = new TopicAliases();
  /**
   * Messages of a persistent session that arrived before anyone subscribed to them (the broker
   * sends them right after CONNACK): handed over when a matching filter is subscribed.
   */
  private unclaimed: InboundMessage[] = [];
  /** QoS 0 publishes and UNSUBSCRIBEs waiting for mqtt.js's callback: rejected when the connection closes. */
  private readonly operations = new Set<Settle<never>>();
  private connectWaiters: Settle<{ sessionPresent: boolean }>[] = [];
  private connectTimer?: Timer;
  private graceTimer?: Timer;
  private reconnectTimer?: Timer;
  /** Fetches new credentials before the current ones expire (ConnectPlan.renewAt). */
  private renewTimer?: Timer;
  /** What the current socket's CONNECT used. */
  private plan?: ConnectPlan;
  private end: SocketEnd = { told: true };
  /** Counts CONNECT attempts: a step before CONNECT that settles after a newer attempt, a pause or a disconnect is ignored. */
  private attempt = 0;
  /** `servers`: the one in use (index), and failed attempts since the last CONNACK (a round is one per server). */
  private serverIndex = 0;
  private failedInRound = 0;
  /** `servers`: whether a failure of this round was worth another try (a round may end on a server that refuses for good while another one was only down). */
  private retryableInRound = false;
  /** Set while the app is in the background or offline: reconnect on resume, not before. */
  private pausedBy?: string;
  /** The policy gave up (not a pause): only the user's connect() starts again. */
  private stopped = false;
  private sessionPresent = false;
  /** From the last CONNACK (MQTT 5). */
  private server: Pick<ConnackInfo, 'topicAliasMaximum' | 'responseInformation' | 'subscriptionIdentifiersAvailable'> = {};
  /** SUBACK properties, read while mqtt.js calls back for it. */
  private lastAckProperties?: Record<string, unknown>;
  private readonly outbox: Outbox;
  private readonly persistence?: Persistence;
  /** The session's stores of open QoS 1/2 exchanges, handed to mqtt.js at construction (memory, or persistent with hooks). */
  private readonly incoming: PacketStore;
  private readonly outgoing: PacketStore;
  private readonly onAuth?: OnAuth;
  private readonly socketBudget?: ConnectionEnv['socketBudget'];
  /** A re-authentication waiting for the server's AUTH 0x00. */
  private reauth?: { done: Promise<void>; settle: Settle<void>; timer: Timer };

  constructor(config: ConnectionConfig, env: ConnectionEnv) {
    this.config = config;
    this.onAuth = env.onAuth;
    this.socketBudget = env.socketBudget;
    this.limits = assign({}, DEFAULT_LIMITS, env.limits);
    this.policy = new ReconnectPolicy(config.reconnectPeriod, this.limits, env.random, env.beforeConnect);
    if (config.persist) {
      const identity = { url: config.url, clientId: config.clientId, username: config.username };
      this.persistence = new Persistence(identity, platformStorage(env.wx), config.persist.maxBytes, {
        notice: (notice) => this.events.emit('storage', notice),
        error: (error) => this.events.emit('error', error),
      });
    }
    const emptyStream = (): object => new this.vendor!.Store().createStream();
    this.incoming = new PacketStore(emptyStream, this.persistence?.incomingHooks);
    this.outgoing = new PacketStore(emptyStream, this.persistence?.outgoingHooks);
    this.outbox = new Outbox(config.protocolVersion, this.limits.inflightLimit311, this.outgoing, this.persistence);
    this.socket = new MqttSocket(
      env.transport ?? webSocketTransport(env.wx, env.counter),
      {
        onError: (error) => (this.end.failure = error),
        onClose: (res) => this.onSocketClosed(res.reason),
        onPacket: (event) => this.onPacket(event),
        onViolation: (violation) => {
          this.end.failure = { code: 'PROTOCOL_ERROR', returnCode: violation.reasonCode, reason: violation.message };
          this.events.emit('error', this.end.failure);
        },
      },
      { protocolVersion: config.protocolVersion, topicAliasMaximum: config.connectProperties.topicAliasMaximum ?? 0 },
      config.servers ? () => this.url : undefined,
    );
    this.machine.onChange((change) => this.events.emit('status', change));
  }

  get status(): ConnectionStatus {
    return this.machine.status;
  }

  /** Where the connection goes now: with `servers`, the one in use. */
  get url(): string {
    return this.config.servers?.[this.serverIndex].url ?? this.config.url;
  }

  /** What the broker said in its last CONNACK (MQTT 5): its Topic Alias Maximum, Response Information. */
  get serverInfo(): Readonly<Pick<ConnackInfo, 'topicAliasMaximum' | 'responseInformation' | 'subscriptionIdentifiersAvailable'>> {
    return this.server;
  }

  /** The holder's filters the broker confirmed. */
  subscriptionsOf(holder: Holder): { topic: string; qos: QoS }[] {
    return this.subscriptions.confirmedOf(holder);
  }

  on<K extends keyof ConnectionEventMap>(event: K, listener: (payload: ConnectionEventMap[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  connect(): Promise<{ sessionPresent: boolean }> {
    if (this.status === 'connected') return Promise.resolve({ sessionPresent: this.sessionPresent });
    const done = new Promise<{ sessionPresent: boolean }>((resolve, reject) => this.connectWaiters.push({ resolve, reject }));
    if (this.status === 'idle' || this.status === 'closed' || this.status === 'offline') {
      this.policy.start();
      this.pausedBy = undefined;
      this.stopped = false;
      this.machine.transition('connecting');
      // what storage holds is known (and QUEUE_RESTORED said) at connect(), whenever the first socket starts
      this.persistence?.load(this.config.clean);
      this.openSocket('connect');
    } else if (this.status === 'reconnecting' && this.reconnectTimer !== undefined) {
      this.openSocket('reconnect');
    }
    return done;
  }

  /** Sends DISCONNECT (briefly), closes the socket, and settles everything still pending. */
  disconnect(reason = 'disconnect'): Promise<void> {
    this.clearTimers();
    this.attempt++;
    this.pausedBy = undefined;
    const error: ErrorInfo = { code: 'NOT_CONNECTED', reason };
    this.rejectConnectWaiters(error);
    if (this.status === 'idle' || this.status === 'closed') return Promise.resolve();
    const client = this.client;
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        this.dropClient();
        this.settleAll(error);
        this.machine.transition('closed', reason);
        resolve();
      };
      if (!client || !this.socket.isOpen) {
        finish();
        return;
      }
      this.end.ending = { kind: 'user', done: finish };
      if (this.status === 'connected') {
        this.socket.vendorMayClose = true;
        client.end(false, {}, noop);
        this.graceTimer = setTimeout(() => this.socket.close(1000, reason), this.limits.disconnectGraceMs);
      } else {
        this.socket.close(1000, reason);
      }
    });
  }

  /** The app went to the background or the network went away: close now, resume later. */
  pause(reason: string): void {
    // stopped by the policy (refused credentials…): an app show or the network coming back must not restart it
    if (!this.stopped) this.pausedBy = reason;
    // in the background the app may be killed without another word: store everything now
    if (reason === 'background') this.persistence?.flushNow();
    if (this.status !== 'connected' && this.status !== 'connecting' && this.status !== 'reconnecting') return;
    this.clearTimers();
    this.attempt++;
    if (this.socket.isOpen) {
      this.end.ending = { kind: 'pause' };
      this.socket.close(1000, reason);
    } else {
      this.machine.transition('offline', reason);
    }
  }

  /** Back in the foreground or online: reconnect at once rather than after the back-off. */
  resume(reason: string): void {
    const wasPaused = this.pausedBy !== undefined;
    this.pausedBy = undefined;
    if ((this.status === 'offline' && wasPaused) || (this.status === 'reconnecting' && this.reconnectTimer !== undefined)) {
      this.policy.resumed();
      this.machine.transition('reconnecting', reason);
      this.openSocket('reconnect');
    }
  }

  /** `holder` subscribes; resolves with the QoS the broker granted. */
  subscribe(holder: Holder, filter: string, qos: QoS, options: SubscriptionOptions = {}): Promise<number> {
    if (this.status === 'idle' || this.status === 'closed') return Promise.reject<number>(notConnected());
    if (options.subscriptionIdentifier !== undefined && this.server.subscriptionIdentifiersAvailable === false) {
      return Promise.reject<number>(new CodedError({ code: 'INVALID_OPTION', field: 'subscriptionIdentifier', reason: 'the broker does not support Subscription Identifiers' }));
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
    await Promise.all(filters.map((f) => this.unsubscribe(holder, f).catch(noop)));
  }

  publish(topic: string, bytes: Uint8Array, qos: QoS, retain: boolean, properties?: VendorProperties): Promise<void> {
    const alias = properties?.topicAlias;
    if (alias !== undefined && alias > (this.server.topicAliasMaximum ?? 0)) {
      return Promise.reject<void>(new CodedError({ code: 'INVALID_OPTION', field: 'properties.topicAlias', reason: `${alias}; the broker allows ${this.server.topicAliasMaximum ?? 0}` }));
    }
    const v5 = this.config.protocolVersion === 5;
    const size = publishPacketSize(encodeUtf8(topic).length, bytes.length, qos, v5 ? propertyBytes(properties) : undefined);
    const tooLarge = this.outbox.tooLarge(size);
    if (tooLarge) return Promise.reject<void>(new CodedError(tooLarge));
    const client = this.client;
    if (qos === 0) {
      if (this.status !== 'connected' || !client) return Promise.reject<void>(notConnected());
      const wireTopic = this.aliases.wireTopic(topic, alias, qos);
      return this.track<void>((resolve, reject) =>
        client.publish(wireTopic, bytes, { qos, retain, properties: properties && joinRepeated(assign({}, properties)) }, (error) =>
          error ? reject(notConnected(error.message)) : resolve(),
        ),
      );
    }
    this.aliases.wireTopic(topic, alias, qos);
    if (this.status === 'idle' || this.status === 'closed' || !client) return Promise.reject<void>(notConnected());
    if (this.outbox.size(this.status !== 'connected') >= this.limits.offlineQueueLimit) {
      return Promise.reject<void>(new CodedError({ code: 'OFFLINE_QUEUE_FULL', limit: this.limits.offlineQueueLimit, reason: 'messages waiting to be sent' }));
    }
    const since = Date.now();
    const queued = this.persistence?.queue({ topic, bytes, qos, retain, properties, since });
    if (queued && 'code' in queued) return Promise.reject<void>(new CodedError(queued));
    const record = queued;
    return this.track<void>((resolve, reject) => this.outbox.add(client, { topic, bytes, qos, retain, properties, size, since, settle: { resolve, reject }, record }));
  }

  /** QoS 1/2 publishes queued or waiting for their acknowledgement. */
  pending(): PendingMessage[] {
    // until the first socket starts, the stored publishes are the persistence's alone
    if (!this.client && this.persistence) return storedPending(this.persistence.outgoing(), this.config.protocolVersion);
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

  /** Hands the session's waiting messages that a new filter matches to its holder. */
  private claim(holder: Holder, test: (topic: string) => boolean): void {
    if (this.unclaimed.length === 0) return;
    const mine = this.unclaimed.filter((m) => test(m.topic));
    if (mine.length === 0) return;
    this.unclaimed = this.unclaimed.filter((m) => !test(m.topic));
    const holders = new Set([holder]);
    mine.forEach((message) => this.events.emit('message', { message, holders }));
  }

  /**
   * Asks the policy what this CONNECT uses (unless `given`), then opens the socket: at once, or after
   * its async step, which the connect timeout covers too. A step that throws, rejects or outlives the
   * timeout fails this attempt with CREDENTIALS_FAILED (no CONNECT is sent); one that settles after a
   * pause, a disconnect or a newer attempt is ignored.
   */
  private openSocket(reason: ConnectReason, given?: ConnectPlan): void {
    this.clearTimers();
    const wait = this.socketBudget?.wait(Date.now()) ?? 0;
    if (wait > 0) {
      // the platform would refuse one more socket now: wait for it, status as it is
      this.events.emit('budget', { retryAt: Date.now() + wait });
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        this.openSocket(reason, given);
      }, wait);
      return;
    }
    const attempt = ++this.attempt;
    const plan = given ?? this.askPlan(reason);
    if (plan === undefined || !isThenable(plan)) {
      this.startSocket(plan);
      return;
    }
    const failed = (failure: ErrorInfo): void => {
      if (attempt !== this.attempt) return;
      this.attempt++;
      stopTimer(this.connectTimer);
      this.end = { told: true, failure };
      this.onSocketClosed('before CONNECT');
    };
    this.connectTimer = setTimeout(() => failed(stepTimedOut(this.config.connectTimeout)), this.config.connectTimeout);
    plan.then(
      (plan) => {
        if (attempt === this.attempt) this.startSocket(plan);
      },
      (error: unknown) => failed(stepFailure(error)),
    );
  }

  /** The policy's plan for the next CONNECT; a step that throws at once is a rejected one. */
  private askPlan(reason: ConnectReason): ConnectPlan | PromiseLike<ConnectPlan> | undefined {
    try {
      return this.policy.plan(reason);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** While connected: new credentials before the current ones expire, then a swap (DISCONNECT, CONNECT with them). A failure leaves the connection as it is. */
  private renew(): void {
    this.renewTimer = undefined;
    if (this.status !== 'connected') return;
    const attempt = this.attempt;
    let settled = false;
    const settle = (): boolean => {
      const first = !settled;
      settled = true;
      clearTimeout(timer);
      return first && attempt === this.attempt && this.status === 'connected';
    };
    const failed = (error: ErrorInfo): void => {
      if (settle()) this.events.emit('error', error);
    };
    const timer = setTimeout(() => failed(stepTimedOut(this.config.connectTimeout)), this.config.connectTimeout);
    Promise.resolve(this.askPlan('expiring')).then(
      (plan) => {
        if (!settle()) return;
        this.end.ending = { kind: 'renew', plan: plan ?? {} };
        this.socket.disconnectAndClose('credentials');
      },
      (error: unknown) => failed(stepFailure(error)),
    );
  }

  private startSocket(plan: ConnectPlan | undefined): void {
    stopTimer(this.connectTimer);
    this.end = {};
    this.plan = plan;
    this.aliases.reset();
    this.socket.vendorMayClose = false;
    this.outbox.nextSocket();
    this.connectTimer = setTimeout(() => {
      this.end.failure = { code: 'CONNECT_TIMEOUT', limit: this.config.connectTimeout };
      this.socket.close(1000, 'connect timeout');
    }, this.config.connectTimeout);
    const options = vendorOptions(this.config, plan, { incomingStore: this.incoming, outgoingStore: this.outgoing });
    if (this.client) {
      // mqtt.js copied the last CONNACK's limits into its options: each CONNECT is built anew.
      Object.assign(this.client.options, options);
      this.client.reconnect({ incomingStore: this.incoming, outgoingStore: this.outgoing });
      return;
    }
    this.vendor = createMqtt(this.socket.vendorWx);
    const client = this.vendor.connect(this.config.mqttUrl, options);
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
      if (typeof error.code === 'number' && this.end.failure?.returnCode !== error.code) this.end.failure = errorFromConnack(error.code);
    });
  }

  /** A new mqtt.js client takes over what storage holds (loaded at the first connect). */
  private restore(client: VendorClient, persistence: Persistence): void {
    persistence.load(this.config.clean);
    persistence.restoreIncoming(this.incoming);
    this.outbox.restore(client, persistence.outgoing(), (record) => ({
      resolve: () => this.events.emit('restored', { message: record.message }),
      reject: (error) => this.events.emit('restored', { message: record.message, error }),
    }));
  }

  private onPacket(event: InboundEvent): void {
    if (event.type === 'connack') this.onConnackSeen(event.info);
    else if (event.type === 'disconnect') this.onServerDisconnect(event.info);
    else this.onServerAuth(event.info);
  }

  /**
   * MQTT 5 enhanced authentication: a server AUTH. 0x18 (continue) is answered with what onAuth
   * gives, on the socket it came on; 0x00 completes a re-authentication. No answer possible, or
   * onAuth failing, ends the socket.
   */
  private onServerAuth(info: AuthInfo): void {
    if (info.reasonCode === 0x00) return this.settleReauth();
    const method = this.config.connectProperties.authenticationMethod;
    const end = this.end;
    const fail = (failure: ErrorInfo): void => {
      if (this.end !== end) return;
      end.failure = failure;
      this.socket.close(1000, 'authentication failed');
    };
    if (info.reasonCode !== 0x18 || !method || !this.onAuth) {
      return fail({ code: 'NOT_AUTHORIZED', returnCode: info.reasonCode, reason: info.reasonString ?? (this.onAuth ? `AUTH 0x${info.reasonCode.toString(16)}` : 'the broker asked for authentication data and there is no onAuth') });
    }
    const onAuth = this.onAuth;
    Promise.resolve()
      .then(() => onAuth(info))
      .then(
        (data) => {
          if (this.end === end) this.socket.sendPacket(authPacket(0x18, method, data));
        },
        (error: unknown) => fail(stepFailure(error)),
      );
  }

  /** MQTT 5: sends AUTH 0x19 (re-authenticate); resolves at the server's AUTH 0x00, rejects with why the socket ended or REQUEST_TIMEOUT. */
  reauthenticate(data?: Uint8Array): Promise<void> {
    const method = this.config.connectProperties.authenticationMethod;
    if (this.config.protocolVersion !== 5) return Promise.reject<void>(new CodedError({ code: 'MQTT5_REQUIRED', field: 'reauthenticate' }));
    if (!method) return Promise.reject<void>(new CodedError({ code: 'INVALID_OPTION', field: 'authenticationMethod', reason: 'reauthenticate() needs the authenticationMethod option' }));
    if (this.status !== 'connected') return Promise.reject<void>(notConnected());
    if (this.reauth) return this.reauth.done;
    let settle!: Settle<void>;
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    const limit = this.config.connectTimeout;
    const timer = setTimeout(() => this.settleReauth({ code: 'REQUEST_TIMEOUT', field: 'reauthenticate', limit }), limit);
    this.reauth = { done, settle, timer };
    this.socket.sendPacket(authPacket(0x19, method, data ?? this.config.connectProperties.authenticationData));
    return done;
  }

  private settleReauth(error?: ErrorInfo): void {
    const reauth = this.reauth;
    if (!reauth) return;
    this.reauth = undefined;
    clearTimeout(reauth.timer);
    if (error) reauth.settle.reject(new CodedError(error));
    else reauth.settle.resolve();
  }

  /** CONNACK, before mqtt.js acts on it: the server's limits, and what a lost session means for open exchanges. */
  private onConnackSeen(info: ConnackInfo): void {
    if (info.returnCode !== 0) {
      // Refused: the server should close the socket; do not wait for it to.
      this.end.failure = errorFromConnack(info.returnCode, { reasonString: info.reasonString, serverReference: info.serverReference });
      this.socket.close(1000, 'connection refused');
      return;
    }
    this.server = { topicAliasMaximum: info.topicAliasMaximum, responseInformation: info.responseInformation, subscriptionIdentifiersAvailable: info.subscriptionIdentifiersAvailable };
    const client = this.client;
    if (!client) return;
    const lost: SessionLost = assign({}, this.outbox.connected(client, info), { delivered: 0 });
    // MQTT §4.4: the broker will never send PUBREL for a QoS 2 message of a session it lost: deliver it now.
    if (!info.sessionPresent) {
      this.persistence?.sessionLost();
      for (const packet of this.incoming.all()) {
        this.incoming.del(packet, noop);
        lost.delivered++;
        this.onMessage(client, packet.topic ?? '', toBytes(packet.payload), packet);
      }
    }
    if (lost.resent + lost.released + lost.delivered > 0) this.events.emit('sessionLost', lost);
  }

  /** A server DISCONNECT (MQTT 5). 0x95: the largest publish on this socket was too large; never send it again. */
  private onServerDisconnect(info: DisconnectInfo): void {
    this.end.failure = errorFromDisconnect({ returnCode: info.reasonCode, reasonString: info.reasonString, serverReference: info.serverReference });
    if (info.reasonCode >= 0x80) this.end.byServer = this.end.failure;
    // MQTT 5.0 §3.14.4: the connection ends with a DISCONNECT, whether or not the server closes it.
    this.socket.close(1000, `server DISCONNECT 0x${info.reasonCode.toString(16)}`);
    if (info.reasonCode === 0x95 && this.client) this.outbox.refusedAsTooLarge(this.client, info.reasonString);
  }

  private onConnack(client: VendorClient, connack: VendorPacket): void {
    if (client !== this.client) return;
    stopTimer(this.connectTimer);
    this.policy.connected();
    this.failedInRound = 0;
    this.retryableInRound = false;
    const renewAt = this.plan?.renewAt;
    if (renewAt !== undefined) this.renewTimer = setTimeout(() => this.renew(), Math.max(0, renewAt - Date.now()));
    this.sessionPresent = Boolean(connack.sessionPresent);
    if (!this.sessionPresent) this.subscriptions.unconfirmAll();
    // resubscribe before anyone hears of the connection (a listener that subscribes sends its own
    // SUBSCRIBE), and before the publishes held while down: the broker then has our filters first
    const unconfirmed = this.subscriptions.unconfirmed();
    if (unconfirmed.length > 0) this.sendSubscribe(unconfirmed);
    this.outbox.resume(client);
    this.machine.transition('connected');
    const waiters = this.connectWaiters;
    this.connectWaiters = [];
    waiters.forEach((w) => w.resolve({ sessionPresent: this.sessionPresent }));
    this.events.emit('connect', { sessionPresent: this.sessionPresent });
  }

  private onMessage(client: VendorClient, topic: string, payload: Uint8Array, packet: VendorPacket): void {
    if (client !== this.client) return;
    const message: InboundMessage = { topic, bytes: payload, qos: (packet.qos ?? 0) as QoS, retain: Boolean(packet.retain), dup: Boolean(packet.dup), detail: undefined };
    if (packet.properties) message.properties = packet.properties;
    const holders = this.subscriptions.holdersOf(topic);
    if (holders.size > 0) {
      this.events.emit('message', { message, holders });
    } else if (!this.config.clean) {
      this.unclaimed.push(message);
      if (this.unclaimed.length > UNCLAIMED_LIMIT) this.unclaimed.shift();
    }
  }

  private sendSubscribe(filters: string[]): void {
    const client = this.client;
    if (!client) return;
    const context: SubscribeContext = {
      client,
      table: this.subscriptions,
      protocolVersion: this.config.protocolVersion,
      takeAckProperties: () => {
        const properties = this.lastAckProperties;
        this.lastAckProperties = undefined;
        return properties;
      },
      report: (error) => this.events.emit('error', error),
      writeFailed: (error) => this.writeFailed(error),
    };
    sendSubscribe(context, filters);
  }

  private onSocketClosed(reason: string): void {
    stopTimer(this.connectTimer);
    stopTimer(this.graceTimer);
    const end = this.end;
    this.settleReauth(end.byServer ?? end.failure ?? { code: 'NOT_CONNECTED', reason: reason || 'connection lost' });
    if (this.client && !end.told) {
      end.told = true;
      // mqtt.js 4.0.1's wx stream never emits 'close' itself; without it the client stays "connected".
      this.client.stream.emit('close');
    }
    stopTimer(this.renewTimer);
    if (end.ending?.kind === 'user') {
      end.ending.done();
      return;
    }
    if (end.ending?.kind === 'pause' || this.pausedBy !== undefined) {
      this.machine.transition('offline', this.pausedBy ?? reason);
      return;
    }
    if (end.ending?.kind === 'renew') {
      this.machine.transition('reconnecting', 'credentials');
      this.openSocket('expiring', end.ending.plan);
      return;
    }
    if (this.status === 'connected') {
      if (this.switchTo(end.byServer?.serverReference)) return;
      if (end.byServer && this.policy.isFinal(end.byServer)) return this.giveUp(end.byServer);
      if (end.byServer?.code === 'NOT_AUTHORIZED') return this.refused(end.byServer, true);
      if (end.byServer) this.events.emit('error', end.byServer);
      if (this.policy.sessionEnded() === 'conflict') return this.giveUp({ code: 'CLIENT_ID_CONFLICT', field: 'clientId' });
      this.scheduleReconnect(reason || 'connection lost');
      return;
    }
    const error = end.failure ?? { code: 'SOCKET_ERROR', errMsg: reason || 'closed before CONNACK' };
    if (error.code === 'NOT_AUTHORIZED') return this.refused(error, false);
    const retryableRound = this.retryableInRound;
    if (this.switchTo(error.serverReference) || this.nextServer(error)) return;
    this.events.emit('error', error);
    this.rejectConnectWaiters(error);
    if (this.policy.retryable(error) || retryableRound) this.scheduleReconnect(error.code);
    else this.giveUp(error, false);
  }

  /** `servers`: a Server Reference (0x9C/0x9D) naming a listed server: that one, at once. */
  private switchTo(reference: string | undefined): boolean {
    const servers = this.config.servers;
    if (!servers || !reference) return false;
    const [host, port] = reference.replace(/^[a-z]+:\/\//i, '').split('/')[0].split(':');
    const index = servers.findIndex((s) => s.host === host && (port === undefined || s.port === Number(port)));
    if (index < 0) return false;
    this.serverIndex = index;
    this.failedInRound = 0;
    this.retryableInRound = false;
    if (this.status === 'connected') this.machine.transition('reconnecting', 'server moved');
    this.openSocket('reconnect');
    return true;
  }

  /**
   * `servers`: a failure to connect moves on to the next server at once (connect() callers keep
   * waiting); after a whole round of failures, false: the usual error and back-off follow, and the
   * next round starts with the server after the last one tried.
   */
  private nextServer(error: ErrorInfo): boolean {
    const servers = this.config.servers;
    if (!servers || !CONNECT_FAILURES.includes(error.code)) return false;
    this.serverIndex = (this.serverIndex + 1) % servers.length;
    if (++this.failedInRound >= servers.length) {
      this.failedInRound = 0;
      this.retryableInRound = false;
      return false;
    }
    if (this.policy.retryable(error)) this.retryableInRound = true;
    this.openSocket(this.status === 'connecting' ? 'connect' : 'reconnect');
    return true;
  }

  /**
   * The broker refused the credentials (CONNACK, or a DISCONNECT while connected): at once one more
   * CONNECT with new ones when the policy allows (connect() callers keep waiting), else stop.
   */
  private refused(error: ErrorInfo, wasConnected: boolean): void {
    if (this.policy.refused() === 'stop') return this.giveUp(error);
    if (wasConnected) {
      this.events.emit('error', error);
      this.machine.transition('reconnecting', 'rejected');
    }
    this.openSocket('rejected');
  }

  /** Stops trying: connect() and subscribe() callers hear why; queued publishes wait for a later connect. */
  private giveUp(error: ErrorInfo, emit = true): void {
    // Refused while the app is suspended: come back on the next app show, like a pause.
    if (error.code === 'SUSPENDED') this.pausedBy = 'background';
    else this.stopped = true;
    if (emit) this.events.emit('error', error);
    this.rejectConnectWaiters(error);
    this.subscriptions.rejectWaiters(error);
    this.machine.transition('offline', error.code);
  }

  private scheduleReconnect(reason: string): void {
    const delay = this.policy.nextDelay();
    if (delay === undefined) {
      this.machine.transition('offline', reason);
      return;
    }
    this.machine.transition('reconnecting', reason);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.openSocket('reconnect');
    }, delay);
  }

  /** A promise settled once, by mqtt.js's callback or by the connection closing; it rejects with a CodedError. */
  private track<T>(start: (resolve: (value: T) => void, reject: (error: ErrorInfo) => void) => void): Promise<T> {
    return new Promise<T>((resolve, rejectWith) => {
      const reject = (error: ErrorInfo): void => rejectWith(error instanceof CodedError ? error : new CodedError(error));
      const entry: Settle<never> = { resolve: resolve as (value: never) => void, reject };
      this.operations.add(entry);
      const settle =
        <A>(fn: (arg: A) => void) =>
        (arg: A): void => {
          if (this.operations.delete(entry)) fn(arg);
        };
      try {
        start(settle(resolve), settle(reject));
      } catch (error) {
        this.writeFailed(error);
        settle(reject)(new CodedError({ code: 'SOCKET_ERROR', errMsg: errorText(error) }));
      }
    });
  }

  /** mqtt.js threw while writing a packet: part of it may be on the stream, so this socket is done. */
  private writeFailed(error: unknown): void {
    this.end.failure = { code: 'INTERNAL', reason: `mqtt.js could not write a packet: ${errorText(error)}` };
    this.socket.close(1006, 'write failed');
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
    waiters.forEach((w) => w.reject(new CodedError(error)));
  }

  private dropClient(): void {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    client.removeAllListeners();
    client.on('error', noop);
  }

  private clearTimers(): void {
    [this.connectTimer, this.graceTimer, this.reconnectTimer, this.renewTimer].forEach(stopTimer);
    this.connectTimer = this.graceTimer = this.reconnectTimer = this.renewTimer = undefined;
  }
}

function stopTimer(timer: Timer | undefined): void {
  if (timer !== undefined) clearTimeout(timer);
}

const isThenable = <T>(value: T | PromiseLike<T>): value is PromiseLike<T> => typeof (value as PromiseLike<T>).then === 'function';

/** What a failed step before CONNECT is reported as: its own coded error, or CREDENTIALS_FAILED with its text. */
function stepFailure(error: unknown): ErrorInfo {
  if (error instanceof CodedError) return error;
  return { code: 'CREDENTIALS_FAILED', reason: errorText(error) };
}

const stepTimedOut = (ms: number): ErrorInfo => ({ code: 'CREDENTIALS_FAILED', limit: ms, reason: `no answer within ${ms} ms (connectTimeout)` });
