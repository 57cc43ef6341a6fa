/**
 * The public client: one MQTT connection per set of connection options, shared by every client,
 * scope and component that asks for the same one. Validates every input, builds every event
 * detail, and never throws: methods reject with MqttError, listeners get plain objects.
 */
import { encodePayload } from '../core/codec';
import { Emitter } from '../core/emitter';
import { assign, CodedError, describeError, ErrorInfo, Locale, normalizeLocale } from '../core/errors';
import { WARNING_TEXTS, WarningTexts } from '../core/labels';
import { ConnectionConfig, connectionKey, isLoopback, isObject, isQos, PersistConfig, QoS, resolveOptions, sameConnection } from '../core/options';
import { binary, messageProperties, publishProperties, sentProperties, subscriptionOptions } from '../core/properties';
import { ConnectionStatus, StateMachine } from '../core/state';
import { topicFilterProblem, topicNameProblem } from '../core/topics';
import { type BeforeConnect, Connection, Delivery, type OnAuth, getPool, InboundMessage, keptClientId, platformStorage, Pool, SessionLost, StorageNotice } from '../platform/index';
import type { StoredMessage } from '../core/journal';
import { PANEL_EVENTS } from '../types';
import type {
  ClientEventMap,
  ClientOptions,
  ConnectEventDetail,
  MessageEventDetail,
  PendingMessage,
  PublishEventDetail,
  PublishOptions,
  RequestHandler,
  RequestOptions,
  RespondOptions,
  SubscribeEventDetail,
  SubscribeOptions,
  UnsubscribeEventDetail,
} from '../types';
import { authAnswer, credentialsStep, DEFAULT_CREDENTIALS_REFRESH } from './credentials';
import { messageDetail } from './detail';
import { MqttError, rejectingMqttErrors } from './error';
import { Requests } from './request';
import { foreignQueues, openStoredQueue } from './stored-queues';
import { MqttScope, ScopeHost } from './scope';

/** Events every scope hears from its client; the others only for its own filters and calls. */
const BROADCAST: readonly (keyof ClientEventMap)[] = ['status', 'connect', 'error', 'warning'];

/** How long end() waits for UNSUBACKs before it disconnects anyway. */
const END_WAIT_MS = 1000;

const named = new Map<string, MqttClient>();
const namedListeners = new Map<string, Set<(client: MqttClient) => void>>();

let inboundSeq = 0;
let ownConnections = 0;

/** What the platform lacks for this transport (checked at connect(), before any socket), or undefined. */
function missingPlatformApi(transport: ConnectionConfig['transport'], wx: object): string | undefined {
  const api = wx as { createTCPSocket?: unknown; cloud?: { connectContainer?: unknown } };
  if (transport === 'tcp' && typeof api.createTCPSocket !== 'function') return "transport 'tcp' needs wx.createTCPSocket (WeChat base library ≥ 2.18.0)";
  if (transport === 'container' && typeof api.cloud?.connectContainer !== 'function') return "transport 'container' needs wx.cloud.connectContainer (WeChat base library ≥ 2.21.1; call wx.cloud.init first)";
  return undefined;
}

/** `credentials` and `onAuth` must be functions and `credentialsRefresh` a number of ms ≥ 0, when given. */
function credentialsProblem(input: Record<string, unknown>): ErrorInfo | undefined {
  const { credentials, credentialsRefresh, onAuth } = input;
  if (credentials !== undefined && typeof credentials !== 'function') return { code: 'INVALID_OPTION', field: 'credentials', reason: `${typeof credentials}; expected a function returning { username, password, expiresAt }` };
  if (onAuth !== undefined && typeof onAuth !== 'function') return { code: 'INVALID_OPTION', field: 'onAuth', reason: `${typeof onAuth}; expected a function returning the authentication data` };
  if (credentialsRefresh !== undefined && (typeof credentialsRefresh !== 'number' || !Number.isFinite(credentialsRefresh) || credentialsRefresh < 0)) {
    return { code: 'INVALID_OPTION', field: 'credentialsRefresh', reason: `${String(credentialsRefresh)}; expected ms ≥ 0` };
  }
  return undefined;
}

/** One detail per inbound message, whoever hears it: its payload is decoded at most once. */
function inboundDetail(message: InboundMessage): MessageEventDetail {
  let detail = message.detail as MessageEventDetail | undefined;
  if (!detail) {
    detail = messageDetail('in', `in_${++inboundSeq}`, message, { dup: message.dup, properties: messageProperties(message.properties as Record<string, unknown> | undefined) });
    message.detail = detail;
  }
  return detail;
}

export class MqttClient {
  readonly name?: string;
  readonly locale: Locale;
  /** The `platform` option: a mini-program API object (wx, qq, tt, swan, my, uni, Taro). */
  private readonly platform?: object;
  /** The options, normalised once and frozen. */
  private readonly config?: Readonly<ConnectionConfig>;
  /** The config the connection runs with: `config`, or (persist, no clientId given) a frozen copy with the clientId kept from an earlier launch. */
  private session?: Readonly<ConnectionConfig>;
  private readonly problem?: ErrorInfo;
  /** The `credentials` option as the step before each CONNECT. */
  private readonly beforeConnect?: BeforeConnect;
  /** The `onAuth` option (MQTT 5 enhanced authentication). */
  private readonly onAuth?: OnAuth;
  /** The functions given as `credentials` and `onAuth`: another createClient with this name must give the same ones. */
  private readonly functions: readonly unknown[] = [];
  private readonly events = new Emitter<ClientEventMap>();
  private readonly own: MqttScope;
  private readonly scopes = new Set<MqttScope>();
  private connection?: Connection;
  /** The pool the connection came from (setPlatformWx may have replaced the global one since). */
  private pool?: Pool;
  private offs: (() => void)[] = [];
  /** This client's view of its connection's status: the same checked table, following the connection's transitions. */
  private readonly view = new StateMachine();
  private outboundSeq = 0;
  private readonly host: ScopeHost;
  private readonly requests: Requests;
  /** persist: the stored publishes found at creation, listed by pending() until a connection restores them. */
  private launchPending: PendingMessage[] = [];

  /** @internal Use createClient(). */
  constructor(options: unknown, problem?: ErrorInfo) {
    const input = isObject(options) ? options : {};
    this.locale = normalizeLocale(input.locale);
    if (typeof input.name === 'string' && input.name !== '') this.name = input.name;
    if (typeof input.platform === 'object' && input.platform !== null) this.platform = input.platform;
    const resolved = problem ? undefined : isObject(options) ? resolveOptions(input) : undefined;
    const badPlatform = input.platform !== undefined && typeof (input.platform as { connectSocket?: unknown } | null)?.connectSocket !== 'function';
    if (problem) this.problem = problem;
    else if (badPlatform) this.problem = { code: 'INVALID_OPTION', field: 'platform', reason: 'expected a mini-program API object with connectSocket (wx, qq, tt, swan, my, uni, Taro)' };
    else if (!resolved) this.problem = { code: 'INVALID_OPTION', field: 'options', reason: `${typeof options}; expected {host, port, …}` };
    else if (!resolved.ok) this.problem = resolved.error;
    else this.problem = credentialsProblem(input);
    if (resolved?.ok && !this.problem) {
      this.config = freeze(resolved.config);
      this.functions = [input.credentials, input.onAuth];
      if (typeof input.credentials === 'function') {
        const refresh = typeof input.credentialsRefresh === 'number' ? input.credentialsRefresh : DEFAULT_CREDENTIALS_REFRESH;
        this.beforeConnect = credentialsStep(input.credentials as NonNullable<ClientOptions['credentials']>, refresh, () => ({ clientId: this.clientId, url: this.url }));
      }
      if (typeof input.onAuth === 'function') this.onAuth = authAnswer(input.onAuth as NonNullable<ClientOptions['onAuth']>);
    }
    if (this.config?.persist) this.openPersisted(this.config.persist);
    this.view.onChange((change) => this.emitAll('status', change));
    const status = (): ConnectionStatus => this.view.status;
    this.host = {
      get status() {
        return status();
      },
      subscribeFor: (scope, filter, opts) => this.run(() => this.doSubscribe(scope, filter, opts)),
      unsubscribeFor: (scope, filter) => this.run(() => this.doUnsubscribe(scope, filter)),
      publishFor: (scope, topic, payload, opts) => this.run(() => this.doPublish(scope, topic, payload, opts)),
      subscriptionsOf: (scope) => (this.connection ? this.connection.subscriptionsOf(scope) : []),
      releaseScope: (scope) => this.run(() => this.doRelease(scope)),
      listen: (emitter, event, listener) => this.listen(emitter, event, listener),
    };
    this.own = new MqttScope(this.host);
    this.requests = new Requests({
      scope: () => this.scope(),
      session: () => ({
        clientId: this.connection?.config.clientId ?? this.clientId,
        protocolVersion: this.validConfig().protocolVersion,
        responseInformation: this.connection?.serverInfo.responseInformation,
      }),
      report: (info) => this.emitAll('error', describeError(info, this.locale)),
    });
  }

  get status(): ConnectionStatus {
    return this.view.status;
  }

  get clientId(): string {
    return (this.session ?? this.config)?.clientId ?? '';
  }

  /** Where the connection goes (wss://host:port/path, tcp://host:port, container://env/service/path; with `servers`, the one in use); never holds credentials. */
  get url(): string {
    return this.connection?.url ?? this.config?.url ?? '';
  }

  /** Every filter this client and its scopes hold that the broker confirmed (request()'s response topic aside). */
  get subscriptions(): { topic: string; qos: QoS }[] {
    const byTopic = new Map<string, QoS>();
    for (const scope of [this.own, ...this.scopes]) {
      if (this.requests.isReplyScope(scope)) continue;
      for (const s of scope.subscriptions) byTopic.set(s.topic, Math.max(s.qos, byTopic.get(s.topic) ?? 0) as QoS);
    }
    return [...byTopic].map(([topic, qos]) => ({ topic, qos }));
  }

  /** Opens the connection, or joins it when another client with the same options has. */
  connect(): Promise<ConnectEventDetail> {
    return this.run(async () => {
      this.validConfig();
      let connection = this.connection;
      if (!connection) {
        const pool = getPool(this.platform);
        if (!pool) throw new CodedError({ code: 'SOCKET_ERROR', errMsg: 'no connectSocket: not in a mini-program, and no platform option' });
        const missing = missingPlatformApi(this.validConfig().transport, pool.wx);
        if (missing) throw new CodedError({ code: 'UNSUPPORTED_PLATFORM', field: 'transport', reason: missing });
        this.pool = pool;
        const config = this.sessionConfig(pool);
        connection = this.attach(pool.acquire(config, { beforeConnect: this.beforeConnect, onAuth: this.onAuth }));
        if (config.transport === 'websocket' && !config.secure && !isLoopback(config.host)) this.warn('INSECURE_TRANSPORT');
        if (!sameConnection(connection.config, config)) this.warn('SHARED_CONNECTION_OPTIONS');
      }
      const joiningOpen = connection.status === 'connected' && this.status !== 'connected';
      const done = connection.connect();
      this.follow(joiningOpen ? 'connecting' : connection.status);
      const { sessionPresent } = await done;
      const detail: ConnectEventDetail = { clientId: connection.config.clientId, url: connection.url, sessionPresent };
      if (joiningOpen) {
        this.follow('connected');
        this.emitAll('connect', detail);
      }
      return detail;
    });
  }

  /**
   * MQTT 5 enhanced authentication: re-authenticates on the open connection (AUTH 0x19 with
   * `authenticationData`, else the option's), `onAuth` answering each challenge; resolves at the
   * server's success, rejects NOT_AUTHORIZED when it refuses.
   */
  reauthenticate(authenticationData?: string | ArrayBuffer | ArrayBufferView): Promise<void> {
    return this.run(async () => {
      const config = this.validConfig();
      if (config.protocolVersion !== 5) throw new CodedError({ code: 'MQTT5_REQUIRED', field: 'reauthenticate' });
      const data = authenticationData === undefined ? undefined : binary(authenticationData, 'authenticationData');
      await this.requireConnection(this.own).reauthenticate(data);
    });
  }

  /** Leaves the connection: the socket closes with its last user. Every subscription made through this client and its scopes is released. */
  end(): Promise<void> {
    return this.run(async () => {
      const connection = this.connection;
      if (!connection) return;
      const pool = this.pool;
      const keepAtBroker = !connection.config.clean && !pool?.isShared(connection);
      // UNSUBSCRIBEs go out before DISCONNECT; a broker that never acknowledges them does not hold end() up
      let timer: ReturnType<typeof setTimeout> | undefined;
      const patience = new Promise<void>((resolve) => (timer = setTimeout(resolve, END_WAIT_MS)));
      await Promise.race([Promise.all([this.own, ...this.scopes].map((s) => connection.release(s, keepAtBroker))), patience]);
      if (timer !== undefined) clearTimeout(timer);
      this.requests.close({ code: 'NOT_CONNECTED', reason: 'end()' });
      this.detach();
      await pool?.release(connection);
      this.follow('closed', 'end');
    });
  }

  subscribe(filter: string, options?: SubscribeOptions | QoS): Promise<SubscribeEventDetail> {
    return this.own.subscribe(filter, options);
  }

  unsubscribe(filter: string): Promise<UnsubscribeEventDetail> {
    return this.own.unsubscribe(filter);
  }

  publish(topic: string, payload: unknown, options?: PublishOptions): Promise<PublishEventDetail> {
    return this.own.publish(topic, payload, options);
  }

  /**
   * MQTT 5: publishes a request with a Response Topic and a unique Correlation Data, and resolves
   * with the response; REQUEST_TIMEOUT when none comes within `timeout` ms.
   */
  request(topic: string, payload: unknown, options?: RequestOptions): Promise<MessageEventDetail> {
    return this.run(() => this.requests.request(topic, payload, options));
  }

  /**
   * MQTT 5: subscribes `filter` and answers each request with what `handler` returns, to its
   * Response Topic with its Correlation Data. Resolves, after SUBACK, with the function that stops.
   */
  respond(filter: string, handler: RequestHandler, options?: RespondOptions): Promise<() => Promise<void>> {
    return this.run(() => this.requests.respond(filter, handler, options));
  }

  /** QoS 1/2 publishes not yet acknowledged by the broker, oldest first; with persist, the stored ones from creation on. */
  pending(): PendingMessage[] {
    return this.connection ? this.connection.pending() : this.launchPending.slice();
  }

  /** `persist`: resolves once every publish accepted so far is in storage (at once without persist). */
  flush(): Promise<void> {
    return this.run(() => this.connection?.flush() ?? Promise.resolve());
  }

  /** Listens to one event of everything this client and its scopes do; returns the function that stops listening. */
  on<K extends keyof ClientEventMap>(event: K, listener: (detail: ClientEventMap[K]) => void): () => void {
    return this.listen(this.events, event, listener);
  }

  /** @internal Whether `options` describe this client's connection (a random clientId counts as any). */
  accepts(options: unknown): boolean {
    const config = this.session ?? this.config;
    if (!config || !isObject(options)) return false;
    const again = resolveOptions(assign({ clientId: config.clientId }, options));
    return again.ok && sameConnection(again.config, config) && options.credentials === this.functions[0] && options.onAuth === this.functions[1];
  }

  /** A new scope: its subscriptions and listeners are released together by `release()`. */
  scope(): MqttScope {
    const scope = new MqttScope(this.host);
    this.scopes.add(scope);
    return scope;
  }

  private listen<K extends keyof ClientEventMap>(emitter: Emitter<ClientEventMap>, event: K, listener: unknown): () => void {
    if (!(PANEL_EVENTS as readonly string[]).includes(event as string) || typeof listener !== 'function') {
      const field = typeof listener !== 'function' ? 'listener' : 'event';
      setTimeout(() => this.emitAll('error', describeError({ code: 'INVALID_OPTION', field, reason: `on(${JSON.stringify(String(event))}, ${typeof listener})` }, this.locale)), 0);
      return () => undefined;
    }
    return emitter.on(event, listener as (detail: ClientEventMap[K]) => void);
  }

  /** Runs a method body: anything thrown or rejected becomes an MqttError rejection. */
  private run<T>(body: () => Promise<T>): Promise<T> {
    return rejectingMqttErrors(body, () => this.locale);
  }

  private validConfig(): Readonly<ConnectionConfig> {
    if (this.problem || !this.config) throw new CodedError(this.problem ?? { code: 'INTERNAL', reason: 'no config' });
    return this.config;
  }

  private requireConnection(scope: MqttScope): Connection {
    if (scope.isReleased) throw new CodedError({ code: 'DESTROYED' });
    this.validConfig();
    const connection = this.connection;
    if (!connection || this.status === 'idle' || this.status === 'closed') throw new CodedError({ code: 'NOT_CONNECTED' });
    return connection;
  }

  private async doSubscribe(scope: MqttScope, filter: unknown, options: unknown): Promise<SubscribeEventDetail> {
    const problem = topicFilterProblem(filter);
    if (problem) throw new CodedError({ code: 'INVALID_TOPIC', topic: typeof filter === 'string' ? filter : undefined, reason: problem });
    const qos = qosOf(options, 'qos');
    const config = this.validConfig();
    const extra = isObject(options) ? subscriptionOptions(options, config.protocolVersion) : { ok: true as const, options: {} };
    if (!extra.ok) throw new CodedError(extra.error);
    const connection = this.requireConnection(scope);
    const granted = await connection.subscribe(scope, filter as string, qos, extra.options);
    const detail: SubscribeEventDetail = { topic: filter as string, qos, granted };
    this.emitFor(scope, 'subscribe', detail);
    return detail;
  }

  private async doUnsubscribe(scope: MqttScope, filter: unknown): Promise<UnsubscribeEventDetail> {
    const problem = topicFilterProblem(filter);
    if (problem) throw new CodedError({ code: 'INVALID_TOPIC', topic: typeof filter === 'string' ? filter : undefined, reason: problem });
    await this.requireConnection(scope).unsubscribe(scope, filter as string);
    const detail: UnsubscribeEventDetail = { topic: filter as string };
    this.emitFor(scope, 'unsubscribe', detail);
    return detail;
  }

  private async doPublish(scope: MqttScope, topic: unknown, payload: unknown, options: unknown): Promise<PublishEventDetail> {
    const problem = topicNameProblem(topic);
    if (problem) throw new CodedError({ code: 'INVALID_TOPIC', topic: typeof topic === 'string' ? topic : undefined, reason: problem });
    if (options !== undefined && options !== null && !isObject(options)) throw new CodedError({ code: 'INVALID_OPTION', field: 'options', reason: `${typeof options}; expected {qos, retain}` });
    const qos = qosOf(options, 'qos');
    const retainValue = isObject(options) ? options.retain : undefined;
    if (retainValue !== undefined && typeof retainValue !== 'boolean') throw new CodedError({ code: 'INVALID_OPTION', field: 'retain', reason: `${typeof retainValue}; expected true or false` });
    const properties = publishProperties(isObject(options) ? options.properties : undefined, this.validConfig().protocolVersion);
    if (!properties.ok) throw new CodedError(properties.error);
    const encoded = encodePayload(payload);
    if (!encoded.ok) throw new CodedError(encoded.error);
    const connection = this.requireConnection(scope);
    const retain = retainValue === true;
    await connection.publish(topic as string, encoded.bytes, qos, retain, properties.properties);
    const text = typeof payload === 'string' ? payload : undefined;
    const detail = messageDetail('out', `out_${++this.outboundSeq}`, { topic: topic as string, bytes: encoded.bytes, qos, retain }, { text, properties: sentProperties(properties.properties) });
    this.emitFor(scope, 'publish', detail);
    return detail;
  }

  private async doRelease(scope: MqttScope): Promise<void> {
    this.scopes.delete(scope);
    await this.connection?.release(scope, false);
  }

  private attach(connection: Connection): Connection {
    this.connection = connection;
    // the connection owns the stored queue from now on
    this.launchPending = [];
    this.offs = [
      connection.on('status', (change) => this.follow(change.status, change.reason)),
      connection.on('connect', ({ sessionPresent }) =>
        this.emitAll('connect', { clientId: connection.config.clientId, url: connection.url, sessionPresent }),
      ),
      connection.on('error', (info) => this.emitAll('error', describeError(info, this.locale))),
      connection.on('sessionLost', (lost) => this.onSessionLost(lost)),
      connection.on('storage', (notice) => this.onStorageNotice(notice)),
      connection.on('budget', ({ retryAt }) => {
        const seconds = String(Math.ceil((retryAt - Date.now()) / 1000));
        this.emitAll('warning', { code: 'TCP_BUDGET', message: this.warningText('TCP_BUDGET', { seconds }), retryAt });
      }),
      connection.on('restored', ({ message, error }) => this.onRestored(message, error)),
      connection.on('message', (delivery) => this.onDelivery(delivery)),
    ];
    return connection;
  }

  private detach(): void {
    this.offs.forEach((off) => off());
    this.offs = [];
    this.connection = undefined;
    this.pool = undefined;
  }

  /** Moves this client's view by the table; a client joining a shared connection passes through 'connecting'. */
  private follow(status: ConnectionStatus, reason?: string): void {
    const from = this.view.status;
    if (status === from) return;
    if ((from === 'idle' || from === 'closed') && status !== 'connecting' && status !== 'closed') this.view.transition('connecting');
    this.view.transition(status, reason);
  }

  private onDelivery({ message, holders }: Delivery): void {
    let mine = holders.has(this.own);
    // the client's own scope emits nothing of its own: its listeners are the client's
    for (const scope of this.scopes) {
      if (!holders.has(scope)) continue;
      if (!this.requests.isReplyScope(scope)) mine = true;
      scope.events.emit('message', inboundDetail(message));
    }
    if (mine) this.events.emit('message', inboundDetail(message));
  }

  private onSessionLost(lost: SessionLost): void {
    this.emitAll('warning', { code: 'SESSION_LOST', message: this.warningText('SESSION_LOST', lost), session: assign({}, lost) });
  }

  private onStorageNotice(notice: StorageNotice): void {
    const detail: ClientEventMap['warning'] = { code: notice.code, message: this.warningText(notice.code, notice) };
    if (notice.code !== 'STORAGE_FOREIGN') detail.count = notice.count;
    this.emitAll('warning', detail);
  }

  /** A publish restored from storage was acknowledged (`publish`, restored: true) or refused (`error`). */
  private onRestored(message: StoredMessage, error?: ErrorInfo): void {
    if (error) {
      this.emitAll('error', describeError(assign({ topic: message.topic }, error), this.locale));
      return;
    }
    const detail = messageDetail('out', `out_${++this.outboundSeq}`, message, { restored: true, properties: sentProperties(message.properties) });
    this.events.emit('publish', detail);
  }

  /** The config the connection runs with; with persist and no clientId given, the one kept from an earlier launch, so its session and records are found. */
  private sessionConfig(pool: Pool): Readonly<ConnectionConfig> {
    const config = this.validConfig();
    if (this.session) return this.session;
    const kept = config.persist && config.generatedClientId ? keptClientId(platformStorage(pool.wx), { url: config.url, username: config.username }, config.clientId) : config.clientId;
    // a client with its own credentials or onAuth function has a connection of its own
    const key = connectionKey(assign({}, config, { clientId: kept })) + (this.beforeConnect || this.onAuth ? `#own:${++ownConnections}` : '');
    this.session = key === config.key ? config : freeze(assign({}, config, { clientId: kept, key }));
    return this.session;
  }

  /**
   * persist, at creation: reads this client's stored queue (pending() lists it from now on) and
   * removes queues past maxAge; a tick later, once the App has made its clients, reports queues
   * of other identities (STORAGE_FOREIGN) and what maxAge removed (QUEUE_EXPIRED).
   */
  private openPersisted(persist: PersistConfig): void {
    const pool = getPool(this.platform);
    const storage = pool && platformStorage(pool.wx);
    if (!pool || !storage) return;
    const config = this.sessionConfig(pool);
    const found = openStoredQueue(storage, config, { maxAge: persist.maxAge, clean: config.clean, protocolVersion: config.protocolVersion });
    this.launchPending = found.pending;
    setTimeout(() => {
      if (found.aged > 0) {
        const days = Math.round((persist.maxAge / 86400000) * 10) / 10;
        this.emitAll('warning', { code: 'QUEUE_EXPIRED', message: this.warningText('QUEUE_AGED', { count: found.aged, days }), count: found.aged });
      }
      const queues = foreignQueues(storage, found.others);
      if (queues.length === 0) return;
      const named = queues.map((q) => `${q.clientId || '?'} @ ${q.url || '?'}`).join(', ');
      this.emitAll('warning', { code: 'STORAGE_FOREIGN', message: this.warningText('FOREIGN_QUEUES', { count: queues.length, queues: named }), count: queues.length, queues });
    }, 0);
  }

  private warn(code: 'INSECURE_TRANSPORT' | 'SHARED_CONNECTION_OPTIONS'): void {
    const message = this.warningText(code);
    setTimeout(() => this.emitAll('warning', { code, message }), 0);
  }

  /** A warning's text in this client's locale, each {placeholder} filled from `values`. */
  private warningText(key: keyof WarningTexts, values: object = {}): string {
    return WARNING_TEXTS[this.locale][key].replace(/\{(\w+)\}/g, (_, name: string) => String((values as Record<string, unknown>)[name] ?? ''));
  }

  /** To the client and every scope. */
  private emitAll<K extends keyof ClientEventMap>(event: K, detail: ClientEventMap[K]): void {
    this.events.emit(event, detail);
    if (BROADCAST.includes(event)) for (const scope of [this.own, ...this.scopes]) scope.events.emit(event, detail);
  }

  /** To the scope that did it, and to the client. */
  private emitFor<K extends keyof ClientEventMap>(scope: MqttScope, event: K, detail: ClientEventMap[K]): void {
    if (scope !== this.own) scope.events.emit(event, detail);
    this.events.emit(event, detail);
  }
}

/** A config no one can change: its nested parts frozen too. */
function freeze(config: ConnectionConfig): Readonly<ConnectionConfig> {
  Object.freeze(config.connectProperties);
  if (config.will) Object.freeze(config.will);
  if (config.persist) Object.freeze(config.persist);
  return Object.freeze(config);
}

/** `{qos}` or a bare QoS number; absent means 0. */
function qosOf(options: unknown, field: string): QoS {
  if (options === undefined || options === null) return 0;
  const value = isObject(options) ? options.qos : options;
  if (value === undefined) return 0;
  if (!isQos(value)) throw new CodedError({ code: 'INVALID_QOS', field, reason: String(value) });
  return value;
}

/**
 * Creates a client, or returns the one already registered under `options.name`. Never throws: a
 * client made from bad options rejects every call with the INVALID_OPTION error that explains why.
 */
export function createClient(options: ClientOptions): MqttClient {
  const name = isObject(options) && typeof options.name === 'string' && options.name !== '' ? options.name : undefined;
  const existing = name === undefined ? undefined : named.get(name);
  if (!existing) {
    const client = new MqttClient(options);
    if (name !== undefined) {
      named.set(name, client);
      namedListeners.get(name)?.forEach((listener) => listener(client));
    }
    return client;
  }
  if (existing.accepts(options)) return existing;
  return new MqttClient(options, { code: 'INVALID_OPTION', field: 'name', reason: `"${name}" is taken by a client with other connection options` });
}

/** The client registered under `name`, or undefined. */
export function getClient(name: string): MqttClient | undefined {
  return named.get(name);
}

/** Calls `listener` with the client named `name` now if it exists, else as soon as it is created. */
export function onClient(name: string, listener: (client: MqttClient) => void): () => void {
  const now = named.get(name);
  if (now) {
    listener(now);
    return () => undefined;
  }
  let set = namedListeners.get(name);
  if (!set) namedListeners.set(name, (set = new Set()));
  set.add(listener);
  return () => set!.delete(listener);
}

export { MqttError };
