/**
 * <mqtt-panel>: connect, subscribe and publish over wss, as a UI or headless. The host page listens
 * to events and calls methods; MQTT logic lives in src/platform, this file only maps props ⇄ engine.
 */
import { Batcher } from '../../src/core/batcher';
import { decodeUtf8, encodePayload, exactArrayBuffer } from '../../src/core/codec';
import { describeError, ErrorInfo, isErrorInfo, MqttErrorDetail, normalizeLocale } from '../../src/core/errors';
import { PANEL_LABELS, PanelLabels } from '../../src/core/labels';
import { ConnectionConfig, ConnectionInput, isLoopback, isQos, QoS, resolveOptions, sameConnection } from '../../src/core/options';
import { topicFilterProblem, topicNameProblem } from '../../src/core/topics';
import { getRegistry } from '../../src/index';
import type { Lease } from '../../src/platform/registry';
import type {
  ConnectEventDetail,
  MessageEventDetail,
  MessageListMethods,
  PanelState,
  PublishEventDetail,
  PublishOptions,
  SessionLostDetail,
  StatusEventDetail,
  SubscribeEventDetail,
  UnsubscribeEventDetail,
  WarningEventDetail,
} from '../../src/types';

export type * from '../../src/types';

type ErrorPlace = 'connection' | 'subscribe' | 'publish';

interface PanelInstanceState {
  lease?: Lease;
  offs: (() => void)[];
  /** Typed into the password box; never in `data`. */
  typedPassword?: string;
  /** The filter the panel's own `topic` is subscribed as. */
  panelFilter?: string;
  counts: { in: number; out: number };
  counter: Batcher<void>;
  reconfigure?: ReturnType<typeof setTimeout>;
  seq: number;
  detached: boolean;
  /** The embedded <message-list>, found once. */
  list?: MessageListMethods;
}

const DRAFT_FIELDS = ['host', 'port', 'path', 'clientId', 'username', 'topic', 'pubTopic', 'payload'] as const;

const states = new WeakMap<object, PanelInstanceState>();

Component({
  externalClasses: ['custom-class'],
  properties: {
    host: { type: String, value: '' },
    port: { type: Number, value: 8084 },
    path: { type: String, value: '/mqtt' },
    secure: { type: Boolean, value: true },
    clientId: { type: String, value: '' },
    username: { type: String, value: '' },
    password: { type: String, value: '' },
    protocolVersion: { type: Number, value: 4 },
    clean: { type: Boolean, value: true },
    keepalive: { type: Number, value: 60 },
    reconnectPeriod: { type: Number, value: 1000 },
    connectTimeout: { type: Number, value: 30000 },
    will: { type: Object, value: null as unknown as Record<string, unknown> },
    /** MQTT 5 only; empty = 7200 s with clean: false, none with clean: true. */
    sessionExpiryInterval: { type: null, value: null as unknown as number },
    topic: { type: String, value: 'testtopic/miniprogram' },
    qos: { type: Number, value: 0 },
    pubTopic: { type: String, value: '' },
    payload: { type: String, value: '' },
    retain: { type: Boolean, value: false },
    autoConnect: { type: Boolean, value: false },
    autoSubscribe: { type: Boolean, value: true },
    headless: { type: Boolean, value: false },
    maxMessages: { type: Number, value: 100 },
    locale: { type: String, value: 'zh-CN' },
  },
  data: {
    status: 'idle',
    labels: PANEL_LABELS['zh-CN'],
    qosLevels: [0, 1, 2],
    draft: { host: '', port: '8084', path: '/mqtt', clientId: '', username: '', topic: 'testtopic/miniprogram', pubTopic: '', payload: '', qos: 0, retain: false },
    passwordSet: false,
    errors: { connection: '', subscribe: '', publish: '' },
    subscriptions: [] as { topic: string; qos: number }[],
    counts: { in: 0, out: 0 },
  },
  observers: {
    'host, port, path, clientId, username, topic, pubTopic, payload, qos, retain'() {
      this.syncDraft();
    },
    password(password: string) {
      const state = states.get(this);
      if (state) state.typedPassword = undefined;
      this.setData({ passwordSet: Boolean(password) });
    },
    locale(locale: string) {
      this.setData({ labels: PANEL_LABELS[normalizeLocale(locale)] });
    },
    'host, port, path, secure, clientId, username, password, protocolVersion, clean, keepalive, reconnectPeriod, connectTimeout, will'() {
      this.scheduleReconfigure();
    },
    topic() {
      this.moveSubscription();
    },
  },
  lifetimes: {
    attached() {
      const state: PanelInstanceState = {
        offs: [],
        counts: { in: 0, out: 0 },
        counter: new Batcher<void>(() => this.setData({ counts: { ...state.counts } })),
        seq: 0,
        detached: false,
      };
      states.set(this, state);
      this.syncDraft();
      this.setData({ labels: PANEL_LABELS[normalizeLocale(this.data.locale)], passwordSet: Boolean(this.data.password) });
      if (this.data.autoConnect) this.connect().catch(() => undefined);
    },
    detached() {
      const state = states.get(this);
      if (!state) return;
      state.detached = true;
      state.counter.dispose();
      if (state.reconfigure !== undefined) clearTimeout(state.reconfigure);
      this.releaseLease();
      states.delete(this);
    },
  },
  methods: {
    /** Connects with the current properties (and what was typed in the panel). */
    connect(): Promise<ConnectEventDetail> {
      return this.guard('connection', async () => {
        const state = this.state();
        const config = this.resolveConfig();
        if (state.lease && state.lease.config.key !== config.key) this.releaseLease();
        if (state.lease && state.lease.config.password !== config.password) this.releaseLease();
        if (!state.lease) this.acquire(config);
        const lease = state.lease!;
        if (!config.secure && !isLoopback(config.host)) {
          this.warn({ code: 'INSECURE_TRANSPORT', message: this.labels().insecure });
        }
        const { sessionPresent } = await lease.connect();
        const detail: ConnectEventDetail = { clientId: lease.clientId, url: config.url, sessionPresent };
        this.clearError('connection');
        if (this.data.autoSubscribe && state.panelFilter === undefined && this.data.topic) {
          this.subscribe().catch(() => undefined);
        }
        return detail;
      });
    },

    /** Leaves the connection (the socket closes when no other panel shares it). */
    disconnect(): Promise<void> {
      return this.guard('connection', async () => {
        const state = this.state();
        const lease = state.lease;
        state.panelFilter = undefined;
        if (lease) await lease.disconnect();
        this.setData({ subscriptions: [] });
      });
    },

    subscribe(topic?: string, qos?: QoS): Promise<SubscribeEventDetail> {
      return this.guard('subscribe', async () => {
        const filter = topic === undefined ? this.data.draft.topic : topic;
        const problem = topicFilterProblem(filter);
        if (problem) throw { code: 'INVALID_TOPIC', topic: typeof filter === 'string' ? filter : undefined, reason: problem };
        const level = qos === undefined ? this.data.draft.qos : qos;
        if (!isQos(level)) throw { code: 'INVALID_QOS', reason: String(level) };
        const lease = this.requireLease();
        const state = this.state();
        const isPanelTopic = topic === undefined || filter === this.data.topic;
        if (isPanelTopic) state.panelFilter = filter;
        let granted: number;
        try {
          granted = await lease.subscribe(filter, level);
        } catch (error) {
          if (isPanelTopic && state.panelFilter === filter) state.panelFilter = undefined;
          this.refreshSubscriptions();
          throw error;
        }
        this.refreshSubscriptions();
        this.clearError('subscribe');
        const detail: SubscribeEventDetail = { topic: filter, qos: level, granted };
        this.triggerEvent('subscribe', detail);
        return detail;
      });
    },

    unsubscribe(topic?: string): Promise<UnsubscribeEventDetail> {
      return this.guard('subscribe', async () => {
        const state = this.state();
        const filter = topic === undefined ? (state.panelFilter ?? this.data.draft.topic) : topic;
        const problem = topicFilterProblem(filter);
        if (problem) throw { code: 'INVALID_TOPIC', topic: typeof filter === 'string' ? filter : undefined, reason: problem };
        const lease = this.requireLease();
        await lease.unsubscribe(filter);
        if (state.panelFilter === filter) state.panelFilter = undefined;
        this.refreshSubscriptions();
        this.clearError('subscribe');
        const detail: UnsubscribeEventDetail = { topic: filter };
        this.triggerEvent('unsubscribe', detail);
        return detail;
      });
    },

    publish(topic?: string, payload?: unknown, options?: PublishOptions): Promise<PublishEventDetail> {
      return this.guard('publish', async () => {
        const draft = this.data.draft;
        const name = topic === undefined ? draft.pubTopic || draft.topic : topic;
        const problem = topicNameProblem(name);
        if (problem) throw { code: 'INVALID_TOPIC', topic: typeof name === 'string' ? name : undefined, reason: problem };
        const opts = options === undefined || options === null ? {} : options;
        if (typeof opts !== 'object') throw { code: 'INVALID_OPTION', field: 'options', reason: 'expected {qos, retain}' };
        const qos = opts.qos === undefined ? draft.qos : opts.qos;
        if (!isQos(qos)) throw { code: 'INVALID_QOS', reason: String(qos) };
        const retain = opts.retain === undefined ? draft.retain : opts.retain === true;
        const encoded = encodePayload(payload === undefined ? draft.payload : payload);
        if (!encoded.ok) throw encoded.error;
        const lease = this.requireLease();
        await lease.publish(name, encoded.bytes, qos, retain);
        const state = this.state();
        const detail: PublishEventDetail = {
          id: `out_${++state.seq}`,
          topic: name,
          payload: decodeUtf8(encoded.bytes),
          qos,
          retain,
          direction: 'out',
          time: Date.now(),
        };
        state.counts.out++;
        if (!this.data.headless) state.counter.add();
        this.clearError('publish');
        this.triggerEvent('publish', detail);
        this.list()?.append({ ...detail, bytes: exactArrayBuffer(encoded.bytes) });
        return detail;
      });
    },

    getState(): PanelState {
      const lease = states.get(this)?.lease;
      return {
        status: lease ? lease.status : 'idle',
        clientId: lease ? lease.clientId : this.data.clientId,
        subscriptions: lease ? lease.subscriptions : [],
      };
    },

    // ——— UI handlers ———

    onInput(event: WechatMiniprogram.Input) {
      const field = String(event.currentTarget.dataset.field);
      if ((DRAFT_FIELDS as readonly string[]).includes(field)) this.setData({ [`draft.${field}`]: event.detail.value });
    },
    onPassword(event: WechatMiniprogram.Input) {
      this.state().typedPassword = event.detail.value;
    },
    onQosTap(event: WechatMiniprogram.TouchEvent) {
      this.setData({ 'draft.qos': Number(event.currentTarget.dataset.qos) });
    },
    onRetainChange(event: WechatMiniprogram.SwitchChange) {
      this.setData({ 'draft.retain': Boolean(event.detail.value) });
    },
    onConnectTap() {
      const state = this.state();
      if (state.lease && state.lease.status === 'connected') this.releaseLease();
      this.connect().catch(() => undefined);
    },
    onDisconnectTap() {
      this.disconnect().catch(() => undefined);
    },
    onSubscribeTap() {
      this.subscribe().catch(() => undefined);
    },
    onUnsubscribeTap() {
      this.unsubscribe().catch(() => undefined);
    },
    onPublishTap() {
      this.publish().catch(() => undefined);
    },

    // ——— internals ———

    state(): PanelInstanceState {
      const state = states.get(this);
      if (!state) throw { code: 'DESTROYED' };
      return state;
    },

    labels(): PanelLabels {
      return PANEL_LABELS[normalizeLocale(this.data.locale)];
    },

    /** Runs a method body: every failure becomes one coded error, emitted and rejected; nothing throws. */
    guard<T>(place: ErrorPlace, body: () => Promise<T>): Promise<T> {
      let run: Promise<T>;
      try {
        run = body();
      } catch (error) {
        run = Promise.reject(error);
      }
      return run.catch((error: unknown) => {
        const detail = this.toErrorDetail(error);
        if (!states.get(this)?.detached) {
          this.setData({ [`errors.${place}`]: detail.message });
          this.triggerEvent('error', detail);
        }
        throw detail;
      });
    },

    toErrorDetail(error: unknown): MqttErrorDetail {
      const locale = normalizeLocale(this.data.locale);
      if (isErrorInfo(error)) return describeError(error, locale);
      const text = error instanceof Error ? error.message : String(error);
      return describeError({ code: 'SOCKET_ERROR', errMsg: text }, locale);
    },

    clearError(place: ErrorPlace) {
      if (this.data.errors[place]) this.setData({ [`errors.${place}`]: '' });
    },

    warn(detail: WarningEventDetail) {
      this.triggerEvent('warning', detail);
    },

    resolveConfig(): ConnectionConfig {
      const data = this.data;
      const draft = data.draft;
      const state = this.state();
      const input: ConnectionInput = {
        host: draft.host,
        port: draft.port,
        path: draft.path,
        secure: data.secure,
        clientId: draft.clientId,
        username: draft.username,
        password: state.typedPassword !== undefined ? state.typedPassword : data.password,
        protocolVersion: data.protocolVersion,
        clean: data.clean,
        keepalive: data.keepalive,
        reconnectPeriod: data.reconnectPeriod,
        connectTimeout: data.connectTimeout,
        will: data.will,
        sessionExpiryInterval: data.sessionExpiryInterval,
      };
      const result = resolveOptions(input);
      if (!result.ok) throw result.error;
      if (state.lease && result.config.generatedClientId && state.lease.config.generatedClientId) {
        // keep the random id of this panel across reconnects
        const kept = resolveOptions({ ...input, clientId: state.lease.clientId });
        if (kept.ok) return { ...kept.config, generatedClientId: true };
      }
      return result.config;
    },

    acquire(config: ConnectionConfig) {
      const registry = getRegistry();
      if (!registry) throw { code: 'SOCKET_ERROR', errMsg: 'wx.connectSocket is not available' } as ErrorInfo;
      const state = this.state();
      const lease = registry.acquire(config);
      state.lease = lease;
      state.offs = [
        lease.on('status', (change) => {
          const detail: StatusEventDetail = { ...change };
          this.setData({ status: change.status });
          this.triggerEvent('status', detail);
        }),
        lease.on('connect', ({ sessionPresent }) => {
          const detail: ConnectEventDetail = { clientId: lease.clientId, url: config.url, sessionPresent };
          this.triggerEvent('connect', detail);
        }),
        lease.on('error', (info) => {
          const detail = describeError(info, normalizeLocale(this.data.locale));
          this.setData({ [`errors.${info.code === 'SUBSCRIBE_REJECTED' ? 'subscribe' : 'connection'}`]: detail.message });
          this.triggerEvent('error', detail);
        }),
        lease.on('sessionLost', (session) => {
          const message = this.labels().sessionLost.replace(/\{(resent|released|delivered)\}/g, (_, key: keyof SessionLostDetail) => String(session[key]));
          this.warn({ code: 'SESSION_LOST', message, session: { ...session } });
        }),
        lease.on('message', (message) => {
          const payload = decodeUtf8(message.bytes);
          const detail: MessageEventDetail = {
            id: `in_${++state.seq}`,
            topic: message.topic,
            payload,
            bytes: exactArrayBuffer(message.bytes),
            qos: message.qos,
            retain: message.retain,
            dup: message.dup,
            direction: 'in',
            time: Date.now(),
          };
          state.counts.in++;
          if (!this.data.headless) state.counter.add();
          this.triggerEvent('message', detail);
          this.list()?.append(detail);
        }),
      ];
      if (lease.sharedBy > 1) {
        this.warn({ code: 'SHARED_CONNECTION_OPTIONS', message: this.labels().sharedOptions });
      }
    },

    releaseLease() {
      const state = states.get(this);
      if (!state || !state.lease) return;
      const lease = state.lease;
      state.offs.forEach((off) => off());
      state.offs = [];
      state.lease = undefined;
      state.panelFilter = undefined;
      lease.release().catch(() => undefined);
      if (!state.detached) this.setData({ status: 'closed', subscriptions: [] });
    },

    requireLease(): Lease {
      const lease = this.state().lease;
      if (!lease || lease.status === 'idle' || lease.status === 'closed') throw { code: 'NOT_CONNECTED' } as ErrorInfo;
      return lease;
    },

    refreshSubscriptions() {
      const lease = states.get(this)?.lease;
      this.setData({ subscriptions: lease ? lease.subscriptions : [] });
    },

    /** The embedded list, when it is rendered and ready. */
    list(): MessageListMethods | undefined {
      if (this.data.headless) return undefined;
      const state = states.get(this);
      if (state?.list) return state.list;
      const list = this.selectComponent('#list') as unknown as Partial<MessageListMethods> | null;
      if (!list || typeof list.append !== 'function') return undefined;
      if (state) state.list = list as MessageListMethods;
      return list as MessageListMethods;
    },

    syncDraft() {
      const d = this.data;
      this.setData({
        draft: {
          host: d.host,
          port: String(d.port),
          path: d.path,
          clientId: d.clientId,
          username: d.username,
          topic: d.topic,
          pubTopic: d.pubTopic,
          payload: d.payload,
          qos: isQos(d.qos) ? d.qos : 0,
          retain: d.retain,
        },
      });
    },

    /** Connection properties changed while connected: reconnect once with all the changes. */
    scheduleReconfigure() {
      const state = states.get(this);
      if (!state || !state.lease || state.reconfigure !== undefined) return;
      state.reconfigure = setTimeout(() => {
        state.reconfigure = undefined;
        const lease = state.lease;
        if (!lease || state.detached || lease.status === 'idle' || lease.status === 'closed') return;
        let next: ConnectionConfig;
        try {
          next = this.resolveConfig();
        } catch {
          next = { ...lease.config, key: '' };
        }
        if (sameConnection(next, lease.config)) return;
        const filter = state.panelFilter;
        this.releaseLease();
        this.connect()
          .then(() => (filter !== undefined && !this.data.autoSubscribe ? this.subscribe(filter) : undefined))
          .catch(() => undefined);
      }, 0);
    },

    /** `topic` changed while connected: unsubscribe the old filter, subscribe the new one. */
    moveSubscription() {
      const state = states.get(this);
      if (!state || !state.lease || state.lease.status !== 'connected') return;
      const old = state.panelFilter;
      if (old === this.data.topic) return;
      const next = this.data.topic;
      (old !== undefined ? this.unsubscribe(old) : Promise.resolve())
        .then(() => (next ? this.subscribe(next) : undefined))
        .catch(() => undefined);
    },
  },
});
