/**
 * <mqtt-panel>: a UI (or headless) on a client — its own, made from its properties, or the one
 * named by `client` — held through a ClientBinding (src/client/binding.ts). Here: the draft the
 * user types, the MQTT 5 form, where each error is shown, and client events → triggerEvent.
 */
import { toMqttError } from '../../src/index';
import type { MqttError } from '../../src/index';
import { assign, Batcher, ClientBinding, CodedError, DEFAULTS, normalizeLocale, PANEL_LABELS } from '../../src/ui';
import type { BindingEvents } from '../../src/ui';
import type { ClientOptions, MessageListMethods, PanelState, PublishEventDetail, PublishOptions, QoS, SubscribeEventDetail, UnsubscribeEventDetail } from '../../src/types';
import { LOCALE, mqttComponent, THEME } from '../common/component';
import { draftBehavior, formProperties } from './draft';

export type * from '../../src/types';

type ErrorPlace = 'connection' | 'subscribe' | 'publish';
/** The connection properties: a change reconnects the panel's own client. */
const CONNECTION = ['transport', 'host', 'port', 'path', 'secure', 'clientId', 'username', 'password', 'protocolVersion', 'clean', 'persist', 'keepalive', 'reconnectPeriod', 'connectTimeout', 'will', 'sessionExpiryInterval'];
/** Errors of these codes are shown under the subscribe controls; other client errors under the connection. */
const SUBSCRIBE_CODES = ['SUBSCRIBE_REJECTED', 'INVALID_TOPIC', 'INVALID_QOS'];

/** What the module functions use of a panel instance. */
interface Panel {
  data: WechatMiniprogram.IAnyObject;
  setData(data: Record<string, unknown>): void;
  triggerEvent(name: string, detail: object): void;
  selectComponent(selector: string): unknown;
}

interface State {
  binding: ClientBinding;
  /** Typed into the password box; never in `data`. */
  typedPassword?: string;
  counts: { in: number; out: number };
  counter: Batcher<void>;
  list?: MessageListMethods;
}

const states = new WeakMap<Panel, State>();

/** Shows an error's message and fix next to its cause ('' clears it). */
function showError(panel: Panel, place: ErrorPlace, detail: { message: string; fix?: string } | undefined): void {
  panel.setData({ [`errors.${place}`]: detail ? detail.message : '', [`fixes.${place}`]: detail?.fix ?? '' });
}

/** A method's failure is shown next to its cause, emitted as `error`, and rejected (an MqttError); a success clears it. */
function guard<T>(panel: Panel, place: ErrorPlace, body: (state: State) => Promise<T>): Promise<T> {
  const state = states.get(panel);
  if (!state) return Promise.reject(toMqttError(new CodedError({ code: 'DESTROYED' }), normalizeLocale(panel.data.locale)));
  return state.binding.run(() => body(state)).then(
    (value) => {
      if (panel.data.errors[place]) showError(panel, place, undefined);
      return value;
    },
    (error: MqttError) => {
      if (states.has(panel)) {
        showError(panel, place, error);
        panel.triggerEvent('error', error.toJSON());
      }
      throw error;
    },
  );
}

/** The subscriptions view, read from the client's table through the panel's scope. */
function refresh(panel: Panel, state: State): void {
  panel.setData({ subscriptions: state.binding.subscriptions });
}

/** The connection properties as client options; what the user typed wins. */
function clientOptions(panel: Panel, state: State): ClientOptions {
  const d = panel.data;
  const options: Record<string, unknown> = { locale: normalizeLocale(d.locale) };
  for (const field of CONNECTION) options[field] = field in d.draft ? d.draft[field] : d[field];
  options.password = state.typedPassword ?? d.password;
  options.clean = d.clean ?? undefined;
  // secure and the default port are WebSocket notions: over TCP, plain TCP and 1883 unless a port is given
  if (options.transport === 'tcp') assign(options, { secure: undefined, port: options.port === DEFAULTS.port ? undefined : options.port });
  return options as unknown as ClientOptions;
}

/** Counts a message in or out and shows it in the embedded list (found once). */
function traffic(panel: Panel, state: State, message: BindingEvents['message'] | BindingEvents['publish']): void {
  state.counts[message.direction]++;
  if (panel.data.headless) return;
  state.counter.add();
  state.list ??= (panel.selectComponent('#list') as MessageListMethods | null) ?? undefined;
  state.list?.append(message);
}

/** Each binding event: the view follows, then the event goes out, once. */
const EVENTS: { [K in keyof BindingEvents]: (panel: Panel, state: State, detail: BindingEvents[K]) => void } = {
  status: (panel, state, detail) => (panel.setData({ status: detail.status }), refresh(panel, state), panel.triggerEvent('status', detail)),
  connect: (panel, state, detail) => (refresh(panel, state), panel.triggerEvent('connect', detail)),
  subscribe: (panel, state, detail) => (refresh(panel, state), panel.triggerEvent('subscribe', detail)),
  unsubscribe: (panel, state, detail) => (refresh(panel, state), panel.triggerEvent('unsubscribe', detail)),
  error: (panel, state, detail) => {
    showError(panel, SUBSCRIBE_CODES.includes(detail.code) ? 'subscribe' : 'connection', detail);
    refresh(panel, state);
    panel.triggerEvent('error', detail);
  },
  warning: (panel, _state, detail) => panel.triggerEvent('warning', detail),
  message: (panel, state, detail) => (traffic(panel, state, detail), panel.triggerEvent('message', detail)),
  publish: (panel, state, detail) => (traffic(panel, state, detail), panel.triggerEvent('publish', detail)),
};

mqttComponent(PANEL_LABELS, {
  behaviors: [draftBehavior],
  properties: {
    client: { type: String, value: '' },
    /** 'websocket' (default) or 'tcp' (WeChat's TCPSocket to a LAN broker). */
    transport: { type: String, value: 'websocket' },
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
    locale: assign({}, LOCALE),
    theme: assign({}, THEME),
  },
  data: {
    status: 'idle',
    qosLevels: [0, 1, 2],
    passwordSet: false,
    errors: { connection: '', subscribe: '', publish: '' },
    /** The fix of each shown error ('' when it has none). */
    fixes: { connection: '', subscribe: '', publish: '' },
    /** What the panel's scope holds, read from the client's subscription table. */
    subscriptions: [] as { topic: string; qos: number }[],
    counts: { in: 0, out: 0 },
    /** With `client`: the named client's WebSocket URL and clientId. */
    url: '',
    boundClientId: '',
  },
  observers: {
    password(password: string) {
      const state = states.get(this);
      if (state) state.typedPassword = undefined;
      this.setData({ passwordSet: Boolean(password) });
    },
    [CONNECTION.join(', ')](this: Panel) {
      states.get(this)?.binding.optionsChanged();
    },
    topic() {
      states.get(this)?.binding.mainChanged();
    },
  },
  lifetimes: {
    attached() {
      this.setData({ passwordSet: Boolean(this.data.password) });
      const state = { counts: { in: 0, out: 0 }, counter: new Batcher<void>(() => this.setData({ counts: assign({}, state.counts) })) } as State;
      state.binding = new ClientBinding({
        name: this.data.client,
        locale: normalizeLocale(this.data.locale),
        autoConnect: this.data.autoConnect,
        options: () => clientOptions(this, state),
        main: () => ({ filter: this.data.draft.topic, qos: this.data.draft.qos as QoS, auto: this.data.autoSubscribe }),
        emit: (event, detail) => EVENTS[event](this, state, detail),
        // a new scope holds no subscription yet
        bound: (client) => this.setData({ status: client.status, url: client.url, boundClientId: client.clientId, subscriptions: [] }),
      });
      states.set(this, state);
      if (!this.data.client && this.data.autoConnect) this.connect().catch(() => undefined);
    },
    detached() {
      const state = states.get(this);
      states.delete(this);
      state?.counter.dispose();
      state?.binding.release();
    },
  },
  methods: {
    /** Connects (its own client with the current properties, or the named one). */
    connect() {
      return guard(this, 'connection', (state) => state.binding.connect());
    },

    /** Its own client ends (the socket closes when nothing else uses it); on the App's client only the panel's subscriptions go. */
    disconnect() {
      return guard(this, 'connection', (state) => state.binding.disconnect());
    },

    subscribe(topic?: string, qos?: QoS): Promise<SubscribeEventDetail> {
      return guard(this, 'subscribe', (state) => {
        const filter = topic === undefined ? this.data.draft.topic : topic;
        return state.binding.subscribe(filter, (qos === undefined ? this.data.draft.qos : qos) as QoS, topic === undefined || filter === this.data.topic);
      });
    },

    unsubscribe(topic?: string): Promise<UnsubscribeEventDetail> {
      return guard(this, 'subscribe', (state) => state.binding.unsubscribe(topic === undefined ? (state.binding.mainFilter ?? this.data.draft.topic) : topic));
    },

    publish(topic?: string, payload?: unknown, options?: PublishOptions): Promise<PublishEventDetail> {
      return guard(this, 'publish', async (state) => {
        const draft = this.data.draft;
        const given = options === undefined || options === null ? {} : options;
        const name = topic === undefined ? draft.pubTopic || draft.topic : topic;
        const body = payload === undefined ? draft.payload : payload;
        if (typeof given !== 'object') return state.binding.publish(name, body, given);
        // the MQTT 5 form, unless the caller passes properties of its own
        const properties = given.properties !== undefined ? given.properties : Number(this.data.protocolVersion) === 5 ? formProperties(this.data.v5) : undefined;
        const sent: PublishOptions = { qos: (given.qos === undefined ? draft.qos : given.qos) as QoS, retain: given.retain === undefined ? draft.retain : given.retain };
        if (properties !== undefined) sent.properties = properties as PublishOptions['properties'];
        return state.binding.publish(name, body, sent);
      });
    },

    getState(): PanelState {
      const client = states.get(this)?.binding.client;
      return { status: client ? client.status : 'idle', clientId: client ? client.clientId : this.data.clientId, subscriptions: states.get(this)?.binding.subscriptions ?? [] };
    },

    onPassword(event: WechatMiniprogram.Input) {
      const state = states.get(this);
      if (state) state.typedPassword = event.detail.value;
    },
    /** "Reconnect" with what was typed: a fresh client of its own from the draft. */
    onConnectTap() {
      guard(this, 'connection', (state) => state.binding.renew()).catch(() => undefined);
    },
    // taps: the failure is shown and emitted already
    onDisconnectTap() { this.disconnect().catch(() => undefined); },
    onSubscribeTap() { this.subscribe().catch(() => undefined); },
    onUnsubscribeTap() { this.unsubscribe().catch(() => undefined); },
    onPublishTap() { this.publish().catch(() => undefined); },
  },
});
