/**
 * <mqtt-panel>: a UI (or headless) on a client — its own, made from its properties, or the one
 * named by `client`. Properties ⇄ client, the draft the user types, client events → triggerEvent.
 */
import { Batcher } from '../../src/core/batcher';
import { normalizeLocale } from '../../src/core/errors';
import { PANEL_LABELS } from '../../src/core/labels';
import { DEFAULTS, isQos } from '../../src/core/options';
import { createClient, onClient, toMqttError } from '../../src/index';
import type { MqttClient, MqttScope } from '../../src/index';
import type {
  ClientOptions,
  MessageListMethods,
  PanelState,
  PublishEventDetail,
  PublishOptions,
  PublishProperties,
  QoS,
  SubscribeEventDetail,
  UnsubscribeEventDetail,
  UserProperties,
} from '../../src/types';

export type * from '../../src/types';

type ErrorPlace = 'connection' | 'subscribe' | 'publish';
interface Draft {
  host: string;
  port: string;
  path: string;
  clientId: string;
  username: string;
  topic: string;
  pubTopic: string;
  payload: string;
  qos: number;
  retain: boolean;
}

/** The MQTT 5 part of the publish form (shown at protocolVersion 5). A row keeps its id, so removing one leaves the others' inputs be. */
interface Form5 {
  rows: { id: number; key: string; value: string }[];
  contentType: string;
  /** Message Expiry Interval as typed, in seconds. */
  expiry: string;
  responseTopic: string;
  correlationData: string;
}

/** What the module functions use of a panel instance. */
interface Panel {
  data: {
    client: string; secure: boolean; password: string; protocolVersion: number; clean: boolean | null; persist: boolean; keepalive: number; reconnectPeriod: number;
    connectTimeout: number; will: Record<string, unknown>; sessionExpiryInterval: number; topic: string; autoSubscribe: boolean; headless: boolean;
    locale: string; host: string; port: number; path: string; clientId: string; username: string; pubTopic: string; payload: string; qos: number;
    retain: boolean; draft: Draft; errors: Record<ErrorPlace, string>;
  };
  setData(data: Record<string, unknown>): void;
  triggerEvent(name: string, detail: object): void;
  selectComponent(selector: string): unknown;
  connect(): Promise<unknown>;
  subscribe(topic?: string, qos?: QoS): Promise<unknown>;
}

interface PanelState$ {
  client?: MqttClient;
  /** The panel made its client (no `client` property): it ends it when it goes. */
  owns: boolean;
  scope?: MqttScope;
  offs: (() => void)[];
  /** Typed into the password box; never in `data`. */
  typedPassword?: string;
  /** The filter subscribed from `topic`. */
  panelFilter?: string;
  counts: { in: number; out: number };
  counter: Batcher<void>;
  reconfigure?: ReturnType<typeof setTimeout>;
  waitForClient?: () => void;
  list?: MessageListMethods;
}

const DRAFT_FIELDS = ['host', 'port', 'path', 'clientId', 'username', 'topic', 'pubTopic', 'payload'];
const FORM5_FIELDS = ['contentType', 'expiry', 'responseTopic', 'correlationData'];
const MAX_UINT32 = 0xffffffff;
const states = new WeakMap<Panel, PanelState$>();

function stateOf(panel: Panel): PanelState$ {
  const state = states.get(panel);
  if (!state) throw { code: 'DESTROYED' };
  return state;
}

/** Shows an error's message and fix next to its cause ('' clears it). */
function showError(panel: Panel, place: ErrorPlace, detail: { message: string; fix?: string } | undefined): void {
  panel.setData({ [`errors.${place}`]: detail ? detail.message : '', [`fixes.${place}`]: detail?.fix ?? '' });
}

/** Every failure: shown next to its cause, emitted as `error`, rejected as MqttError. */
function guard<T>(panel: Panel, place: ErrorPlace, body: () => Promise<T>): Promise<T> {
  let run: Promise<T>;
  try {
    run = body();
  } catch (error) {
    run = Promise.reject(error);
  }
  return run.then(
    (value) => {
      if (panel.data.errors[place]) showError(panel, place, undefined);
      return value;
    },
    (error: unknown) => {
      const mqttError = toMqttError(error, normalizeLocale(panel.data.locale));
      if (states.has(panel)) {
        showError(panel, place, mqttError);
        panel.triggerEvent('error', mqttError.toJSON());
      }
      throw mqttError;
    },
  );
}

function clientOptions(panel: Panel, state: PanelState$): ClientOptions {
  const d = panel.data;
  const options: ClientOptions = {
    host: d.draft.host, port: d.draft.port, path: d.draft.path, secure: d.secure, clientId: d.draft.clientId, username: d.draft.username,
    password: state.typedPassword !== undefined ? state.typedPassword : d.password, protocolVersion: d.protocolVersion, clean: d.clean ?? undefined, persist: d.persist,
    keepalive: d.keepalive, reconnectPeriod: d.reconnectPeriod, connectTimeout: d.connectTimeout, will: d.will,
    sessionExpiryInterval: d.sessionExpiryInterval, locale: normalizeLocale(d.locale),
  } as unknown as ClientOptions;
  // keep this panel's random id across reconnects
  if (!options.clientId && state.client && state.owns) options.clientId = state.client.clientId;
  return options;
}

/** Follows a client through a scope of its own: its events become the panel's. */
function bind(panel: Panel, state: PanelState$, client: MqttClient, owns: boolean): void {
  state.client = client;
  state.owns = owns;
  const scope = client.scope();
  state.scope = scope;
  state.offs = [
    scope.on('status', (detail) => {
      panel.setData({ status: detail.status });
      panel.triggerEvent('status', detail);
    }),
    scope.on('connect', (detail) => {
      panel.triggerEvent('connect', detail);
      if (panel.data.autoSubscribe && state.panelFilter === undefined && panel.data.topic) panel.subscribe().catch(() => undefined);
    }),
    scope.on('error', (detail) => {
      showError(panel, detail.code === 'SUBSCRIBE_REJECTED' ? 'subscribe' : 'connection', detail);
      panel.triggerEvent('error', detail);
    }),
    scope.on('warning', (detail) => panel.triggerEvent('warning', detail)),
    scope.on('message', (detail) => {
      state.counts.in++;
      if (!panel.data.headless) state.counter.add();
      panel.triggerEvent('message', detail);
      list(panel, state)?.append(detail);
    }),
  ];
  panel.setData({ status: client.status, url: client.url, boundClientId: client.clientId });
}

function unbind(state: PanelState$): void {
  const { client, scope, owns } = state;
  state.offs.forEach((off) => off());
  state.offs = [];
  state.client = state.scope = undefined;
  state.panelFilter = undefined;
  // its own client ends (a persistent session keeps its subscriptions); on a shared one, only its scope goes
  if (owns) client?.end().catch(() => undefined);
  else scope?.release().catch(() => undefined);
}

function list(panel: Panel, state: PanelState$): MessageListMethods | undefined {
  if (panel.data.headless) return undefined;
  if (!state.list) {
    const found = panel.selectComponent('#list') as unknown as Partial<MessageListMethods> | null;
    if (found && typeof found.append === 'function') state.list = found as MessageListMethods;
  }
  return state.list;
}

/**
 * The MQTT 5 form → publish properties: blank fields are left out, a name given twice becomes an
 * array of its values; undefined when nothing is filled. A bad field throws the coded error the
 * panel shows under the publish form.
 */
function formProperties(form: Form5): PublishProperties | undefined {
  const properties: PublishProperties = {};
  const user: UserProperties = {};
  for (const { key, value } of form.rows) {
    if (key === '' && value === '') continue;
    if (key === '') throw { code: 'INVALID_OPTION', field: 'properties.userProperties', reason: `${JSON.stringify(value)} has no name` };
    const had = user[key];
    user[key] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  }
  if (Object.keys(user).length > 0) properties.userProperties = user;
  if (form.contentType !== '') properties.contentType = form.contentType;
  const expiry = form.expiry.trim();
  if (expiry !== '') {
    if (!/^\d+$/.test(expiry) || Number(expiry) > MAX_UINT32) {
      throw { code: 'INVALID_OPTION', field: 'properties.messageExpiryInterval', reason: `${JSON.stringify(form.expiry)}; expected whole seconds 0–${MAX_UINT32}` };
    }
    properties.messageExpiryInterval = Number(expiry);
  }
  if (form.responseTopic !== '') properties.responseTopic = form.responseTopic;
  if (form.correlationData !== '') properties.correlationData = form.correlationData;
  return Object.keys(properties).length > 0 ? properties : undefined;
}

function syncDraft(panel: Panel): void {
  const d = panel.data;
  const draft = { host: d.host, port: String(d.port), path: d.path, clientId: d.clientId, username: d.username, topic: d.topic, pubTopic: d.pubTopic, payload: d.payload };
  panel.setData({ draft: { ...draft, qos: isQos(d.qos) ? d.qos : 0, retain: d.retain } });
}

/** Connection properties changed while this panel's own client is connected: reconnect once with all of them. */
function scheduleReconfigure(panel: Panel): void {
  const state = states.get(panel);
  if (!state || !state.owns || !state.client || state.reconfigure !== undefined) return;
  state.reconfigure = setTimeout(() => {
    state.reconfigure = undefined;
    const client = state.client;
    if (!client || !states.has(panel) || client.status === 'idle' || client.status === 'closed') return;
    if (client.accepts(clientOptions(panel, state))) return;
    const filter = state.panelFilter;
    unbind(state);
    panel.connect().then(() => (filter !== undefined && !panel.data.autoSubscribe ? panel.subscribe(filter) : undefined)).catch(() => undefined);
  }, 0);
}

Component({
  externalClasses: ['custom-class'],
  properties: {
    client: { type: String, value: '' },
    host: { type: String, value: '' },
    port: { type: Number, value: DEFAULTS.port },
    path: { type: String, value: DEFAULTS.path },
    secure: { type: Boolean, value: DEFAULTS.secure },
    clientId: { type: String, value: '' },
    username: { type: String, value: '' },
    password: { type: String, value: '' },
    protocolVersion: { type: Number, value: DEFAULTS.protocolVersion },
    /** Empty: true, or false with `persist` (a stored session needs the broker's half). */
    clean: { type: null, value: null as unknown as boolean },
    /** Keep QoS 1/2 messages in storage across relaunches (createClient's `persist`). */
    persist: { type: Boolean, value: false },
    keepalive: { type: Number, value: DEFAULTS.keepalive },
    reconnectPeriod: { type: Number, value: DEFAULTS.reconnectPeriod },
    connectTimeout: { type: Number, value: DEFAULTS.connectTimeout },
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
    /** 'auto' follows the system (prefers-color-scheme); 'light' or 'dark' forces one, for the panel and its list. */
    theme: { type: String, value: 'auto' },
  },
  data: {
    status: 'idle',
    labels: PANEL_LABELS['zh-CN'],
    qosLevels: [0, 1, 2],
    draft: { host: '', port: String(DEFAULTS.port), path: DEFAULTS.path, clientId: '', username: '', topic: 'testtopic/miniprogram', pubTopic: '', payload: '', qos: 0, retain: false },
    passwordSet: false,
    errors: { connection: '', subscribe: '', publish: '' },
    /** The fix of each shown error ('' when it has none). */
    fixes: { connection: '', subscribe: '', publish: '' },
    subscriptions: [] as { topic: string; qos: number }[],
    counts: { in: 0, out: 0 },
    /** With `client`: the named client's WebSocket URL and clientId. */
    url: '',
    boundClientId: '',
    v5: { rows: [{ id: 0, key: '', value: '' }], contentType: '', expiry: '', responseTopic: '', correlationData: '' } as Form5,
  },
  observers: {
    'host, port, path, clientId, username, topic, pubTopic, payload, qos, retain'() {
      syncDraft(this);
    },
    password(password: string) {
      const state = states.get(this);
      if (state) state.typedPassword = undefined;
      this.setData({ passwordSet: Boolean(password) });
    },
    locale(locale: string) {
      this.setData({ labels: PANEL_LABELS[normalizeLocale(locale)] });
    },
    'host, port, path, secure, clientId, username, password, protocolVersion, clean, persist, keepalive, reconnectPeriod, connectTimeout, will, sessionExpiryInterval'() {
      scheduleReconfigure(this);
    },
    topic(next: string) {
      const state = states.get(this);
      if (!state?.client || state.client.status !== 'connected' || state.panelFilter === next) return;
      const old = state.panelFilter;
      (old !== undefined ? this.unsubscribe(old) : Promise.resolve()).then(() => (next ? this.subscribe(next) : undefined)).catch(() => undefined);
    },
  },
  lifetimes: {
    attached() {
      const state: PanelState$ = { owns: false, offs: [], counts: { in: 0, out: 0 }, counter: new Batcher<void>(() => this.setData({ counts: { ...state.counts } })) };
      states.set(this, state);
      syncDraft(this);
      this.setData({ labels: PANEL_LABELS[normalizeLocale(this.data.locale)], passwordSet: Boolean(this.data.password) });
      const name = this.data.client;
      if (name) {
        let waiting = true;
        state.waitForClient = onClient(name, (client) => {
          waiting = false;
          if (!states.has(this)) return;
          bind(this, state, client, false);
          if (this.data.autoConnect || client.status === 'connected') this.connect().catch(() => undefined);
        });
        if (waiting) guard(this, 'connection', () => Promise.reject({ code: 'NO_CLIENT', field: name })).catch(() => undefined);
      } else if (this.data.autoConnect) {
        this.connect().catch(() => undefined);
      }
    },
    detached() {
      const state = states.get(this);
      if (!state) return;
      states.delete(this);
      state.counter.dispose();
      if (state.reconfigure !== undefined) clearTimeout(state.reconfigure);
      state.waitForClient?.();
      unbind(state);
    },
  },
  methods: {
    /** Connects (its own client with the current properties, or the named one). */
    connect() {
      return guard(this, 'connection', async () => {
        const state = stateOf(this);
        if (state.owns && state.client && !state.client.accepts(clientOptions(this, state))) unbind(state);
        if (!state.client) {
          if (this.data.client) throw { code: 'NO_CLIENT', field: this.data.client };
          bind(this, state, createClient(clientOptions(this, state)), true);
        }
        const client = state.client!;
        // joining a client that is already connected: no connect event comes from it
        const joined = client.status === 'connected';
        const detail = await client.connect();
        if (joined) this.triggerEvent('connect', detail);
        if (this.data.autoSubscribe && state.panelFilter === undefined && this.data.topic) this.subscribe().catch(() => undefined);
        return detail;
      });
    },

    /**
     * Its own client: ends it (the socket closes when nothing else uses it). A named client belongs
     * to the App: only the panel's own subscriptions go.
     */
    disconnect() {
      return guard(this, 'connection', async () => {
        const state = stateOf(this);
        state.panelFilter = undefined;
        if (state.owns) await state.client?.end();
        else if (state.client) {
          const client = state.client;
          unbind(state);
          bind(this, state, client, false);
        }
        this.setData({ subscriptions: [] });
      });
    },

    subscribe(topic?: string, qos?: QoS): Promise<SubscribeEventDetail> {
      return guard(this, 'subscribe', async () => {
        const state = stateOf(this);
        const filter = topic === undefined ? this.data.draft.topic : topic;
        const ownTopic = topic === undefined || filter === this.data.topic;
        if (ownTopic) state.panelFilter = filter;
        try {
          const detail = await (state.scope ?? notConnected()).subscribe(filter, { qos: (qos === undefined ? this.data.draft.qos : qos) as QoS });
          this.triggerEvent('subscribe', detail);
          return detail;
        } catch (error) {
          if (ownTopic && state.panelFilter === filter) state.panelFilter = undefined;
          throw error;
        } finally {
          this.setData({ subscriptions: state.scope?.subscriptions ?? [] });
        }
      });
    },

    unsubscribe(topic?: string): Promise<UnsubscribeEventDetail> {
      return guard(this, 'subscribe', async () => {
        const state = stateOf(this);
        const filter = topic === undefined ? (state.panelFilter ?? this.data.draft.topic) : topic;
        const detail = await (state.scope ?? notConnected()).unsubscribe(filter);
        if (state.panelFilter === filter) state.panelFilter = undefined;
        this.setData({ subscriptions: state.scope?.subscriptions ?? [] });
        this.triggerEvent('unsubscribe', detail);
        return detail;
      });
    },

    publish(topic?: string, payload?: unknown, options?: PublishOptions): Promise<PublishEventDetail> {
      return guard(this, 'publish', async () => {
        const state = stateOf(this);
        const draft = this.data.draft;
        const opts = options === undefined || options === null ? {} : options;
        if (typeof opts !== 'object') throw { code: 'INVALID_OPTION', field: 'options', reason: 'expected {qos, retain, properties}' };
        const name = topic === undefined ? draft.pubTopic || draft.topic : topic;
        const body = payload === undefined ? draft.payload : payload;
        // the MQTT 5 form, unless the caller passes properties of its own
        const properties = opts.properties !== undefined ? opts.properties : Number(this.data.protocolVersion) === 5 ? formProperties(this.data.v5) : undefined;
        const qos = (opts.qos === undefined ? draft.qos : opts.qos) as QoS;
        const retain = opts.retain === undefined ? draft.retain : opts.retain;
        const detail = await (state.scope ?? notConnected()).publish(name, body, properties === undefined ? { qos, retain } : { qos, retain, properties });
        state.counts.out++;
        if (!this.data.headless) state.counter.add();
        this.triggerEvent('publish', detail);
        list(this, state)?.append(detail);
        return detail;
      });
    },

    getState(): PanelState {
      const state = states.get(this);
      const client = state?.client;
      return { status: client ? client.status : 'idle', clientId: client ? client.clientId : this.data.clientId, subscriptions: state?.scope?.subscriptions ?? [] };
    },

    onInput(event: WechatMiniprogram.Input) {
      const field = String(event.currentTarget.dataset.field);
      if (DRAFT_FIELDS.includes(field)) this.setData({ [`draft.${field}`]: event.detail.value });
    },
    onPassword(event: WechatMiniprogram.Input) {
      stateOf(this).typedPassword = event.detail.value;
    },
    onQosTap(event: WechatMiniprogram.TouchEvent) {
      this.setData({ 'draft.qos': Number(event.currentTarget.dataset.qos) });
    },
    onRetainChange(event: WechatMiniprogram.SwitchChange) {
      this.setData({ 'draft.retain': Boolean(event.detail.value) });
    },
    onV5Input(event: WechatMiniprogram.Input) {
      const field = String(event.currentTarget.dataset.field);
      if (FORM5_FIELDS.includes(field)) this.setData({ [`v5.${field}`]: event.detail.value });
    },
    onUserPropertyInput(event: WechatMiniprogram.Input) {
      const { index, part } = event.currentTarget.dataset;
      const i = Number(index);
      if ((part === 'key' || part === 'value') && this.data.v5.rows[i]) this.setData({ [`v5.rows[${i}].${part}`]: event.detail.value });
    },
    onAddUserProperty() {
      const rows = this.data.v5.rows;
      this.setData({ [`v5.rows[${rows.length}]`]: { id: rows.reduce((max, row) => Math.max(max, row.id), -1) + 1, key: '', value: '' } });
    },
    onRemoveUserProperty(event: WechatMiniprogram.TouchEvent) {
      const i = Number(event.currentTarget.dataset.index);
      this.setData({ 'v5.rows': this.data.v5.rows.filter((_, n) => n !== i) });
    },
    onConnectTap() {
      const state = states.get(this);
      // "reconnect" with what was typed: a fresh client from the draft
      if (state?.owns && state.client?.status === 'connected') unbind(state);
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
  },
});

function notConnected(): never {
  throw { code: 'NOT_CONNECTED' };
}
