/** Public types of both components: event details, method signatures, error codes. */
import type { MqttErrorDetail } from './core/errors';
import type { MqttMessage } from './core/message';
import type { Locale } from './core/errors';
import type { QoS, WillInput } from './core/options';
import type { PublishProperties, UserProperties } from './core/properties';
import type { ConnectionStatus } from './core/state';

export type { ErrorCode, Locale, MqttErrorDetail } from './core/errors';
export type { Direction, MqttMessage, PayloadFormat, PendingMessage } from './core/message';
export type { QoS, WillInput } from './core/options';
export type { MessageProperties, PublishProperties, UserProperties, WillProperties } from './core/properties';
export type { ConnectionStatus } from './core/state';

/** <mqtt-panel> `status` */
export interface StatusEventDetail {
  status: ConnectionStatus;
  previous: ConnectionStatus;
  reason?: string;
}

/** <mqtt-panel> `connect`: never carries the password. */
export interface ConnectEventDetail {
  clientId: string;
  url: string;
  sessionPresent: boolean;
}

/** <mqtt-panel> `message`: an incoming message. */
export interface MessageEventDetail extends MqttMessage {
  bytes: ArrayBuffer;
  dup: boolean;
  direction: 'in';
}

/** <mqtt-panel> `publish`: sent, and acknowledged by the broker for QoS 1/2. */
export interface PublishEventDetail extends MqttMessage {
  direction: 'out';
  /** `persist`: published before a relaunch (or before end()), restored from storage and now acknowledged. */
  restored?: boolean;
}

/** createClient({ persist }): keep QoS 1/2 state in the platform's storage across relaunches. */
export interface PersistOptions {
  /** Storage the outgoing messages may take, in characters of stored JSON; default 1,048,576. Past it publish() rejects OFFLINE_QUEUE_FULL. */
  maxBytes?: number;
  /**
   * ms a stored queue (this client's or another's) may stay untouched by any run before
   * createClient removes it with QUEUE_EXPIRED; default 604,800,000 (7 days); 0 keeps queues forever.
   */
  maxAge?: number;
}

/** storedQueues(): a queue that `persist` keeps in storage. */
export interface StoredQueue {
  /** Its storage key: what discardStoredQueue() takes. */
  key: string;
  /** Whose queue it is ('' when its index cannot be read). */
  clientId: string;
  /** Its broker (wss://host:port/path …); never credentials. */
  url: string;
  /** Messages it holds: publishes not yet acknowledged, and incoming QoS 2 messages not yet completed. */
  messages: number;
  /** Characters it takes in storage (about bytes; counted against the platform's 10 MB). */
  bytes: number;
  /** When its oldest message was stored (ms since the epoch); 0 when it holds none. */
  since: number;
  /** When a run last used it (ms since the epoch): `persist.maxAge` counts from here. */
  touched: number;
  /** Whether a client created in this run uses it (a client's own queue is never foreign). */
  inUse: boolean;
}

/** <mqtt-panel> `subscribe`: after SUBACK. */
export interface SubscribeEventDetail {
  topic: string;
  qos: QoS;
  granted: number;
}

/** <mqtt-panel> `unsubscribe`: after UNSUBACK. */
export interface UnsubscribeEventDetail {
  topic: string;
}

/** <mqtt-panel> `error`, and what every method rejects with. */
export type ErrorEventDetail = MqttErrorDetail;

export type WarningCode =
  | 'INSECURE_TRANSPORT'
  | 'SHARED_CONNECTION_OPTIONS'
  | 'SESSION_LOST'
  | 'QUEUE_RESTORED'
  | 'QUEUE_EXPIRED'
  | 'QUEUE_DISCARDED'
  | 'STORAGE_CORRUPTED'
  | 'STORAGE_FOREIGN'
  | 'TCP_BUDGET';

/**
 * <mqtt-panel> `warning`: something works but will not in production, a session ended with
 * exchanges open, or (`persist`) what the stored state held at the first connect.
 */
export interface WarningEventDetail {
  code: WarningCode;
  message: string;
  /** QUEUE_RESTORED, QUEUE_EXPIRED, QUEUE_DISCARDED, STORAGE_CORRUPTED: how many messages or items; STORAGE_FOREIGN at createClient: how many queues. */
  count?: number;
  /** SESSION_LOST: what happened to the QoS 1/2 exchanges that were open when the broker's session ended. */
  session?: SessionLostDetail;
  /** TCP_BUDGET: when (ms since the epoch) the next socket will be tried. */
  retryAt?: number;
  /** STORAGE_FOREIGN at createClient: the queues other connections left in storage (`count` of them). */
  queues?: ForeignQueue[];
}

/** A queue in storage that belongs to another clientId, username or url; see storedQueues(). */
export interface ForeignQueue {
  key: string;
  clientId: string;
  url: string;
  messages: number;
}

/** SESSION_LOST counts (MQTT 3.1.1/5.0 §4.4). */
export interface SessionLostDetail {
  /** Unacknowledged QoS 1/2 publishes sent again in the new session (a QoS 2 one may arrive twice). */
  resent: number;
  /** QoS 2 publishes the broker had taken (PUBREC) but not completed: resolved as delivered. */
  released: number;
  /** QoS 2 messages received whose PUBREL will never come: delivered to you now. */
  delivered: number;
}

export interface PanelState {
  status: ConnectionStatus;
  clientId: string;
  subscriptions: { topic: string; qos: QoS }[];
}

export interface PublishOptions {
  qos?: QoS;
  retain?: boolean;
  /** MQTT 5 only. */
  properties?: PublishProperties;
}

export interface SubscribeOptions {
  qos?: QoS;
  /** MQTT 5 No Local: messages this connection publishes are not sent back to it. */
  nl?: boolean;
  /** MQTT 5 Retain As Published: keep the retain flag the publisher set. */
  rap?: boolean;
  /** MQTT 5 Retain Handling: 0 retained messages on subscribe, 1 only for a new subscription, 2 never. */
  rh?: 0 | 1 | 2;
  /** MQTT 5 SUBSCRIBE user properties. */
  userProperties?: UserProperties;
  /** MQTT 5: 1 … 268,435,455; messages this subscription matched carry it in `properties.subscriptionIdentifiers`. */
  subscriptionIdentifier?: number;
}

/** client.request() options. */
export interface RequestOptions {
  /** Milliseconds to wait for the response; default 10,000. */
  timeout?: number;
  qos?: QoS;
  /** PUBLISH properties besides responseTopic and correlationData, which request() sets. */
  properties?: Omit<PublishProperties, 'responseTopic' | 'correlationData'>;
}

/** client.respond() options. */
export interface RespondOptions {
  /** QoS of the subscription and of the responses; default 1. */
  qos?: QoS;
}

/**
 * Answers one request: returns (or resolves to) the response payload, anything publish() takes.
 * Returning undefined sends no response.
 */
export type RequestHandler = (request: MessageEventDetail) => unknown;

/** createClient() options: the panel's connection properties, plus a name and a locale. */
/** What `credentials()` is told about the CONNECT it is asked for. */
export interface CredentialsContext {
  /** 'connect': the user's connect(); 'reconnect': after a drop; 'rejected': the broker just refused the last ones; 'expiring': the current ones expire within credentialsRefresh. */
  reason: 'connect' | 'reconnect' | 'rejected' | 'expiring';
  /** CONNECTs of this connection so far, this one included (from 1). */
  attempt: number;
  clientId: string;
  /** The WebSocket URL (never holds credentials). */
  url: string;
}

/** What `credentials()` returns for one CONNECT. */
export interface Credentials {
  username?: string;
  password?: string;
  /** When they expire, ms since the epoch; when absent and the password is a JWT, its `exp` claim. */
  expiresAt?: number;
}

export type CredentialsProvider = (context: CredentialsContext) => Credentials | Promise<Credentials>;

/** MQTT 5 enhanced authentication: a server AUTH asking for the next step (reason code 0x18). */
export interface AuthChallenge {
  reasonCode: number;
  authenticationMethod: string;
  authenticationData?: ArrayBuffer;
}

export interface ClientOptions {
  /** Required, unless `servers` or transport 'container' says where to go. */
  host?: string;
  port?: number;
  path?: string;
  secure?: boolean;
  clientId?: string;
  username?: string;
  password?: string;
  /**
   * Called before every CONNECT (the first, each reconnect, after a refusal, before expiry); what it
   * returns is used for that CONNECT only, and never stored or shown. `username`/`password` are the
   * fallback when absent.
   */
  credentials?: CredentialsProvider;
  /**
   * 'websocket' (default: wx.connectSocket, wss), 'tcp' (WeChat's TCPSocket to a LAN broker: plain
   * TCP, port 1883 by default) or 'container' (a WeChat Cloud Hosting service: `container`, no host).
   */
  transport?: 'websocket' | 'tcp' | 'container';
  /**
   * Brokers to try in order instead of `host` (missing fields from port, path and secure): a failure
   * to connect moves on to the next at once, a dropped connection retries its server once first;
   * after a whole round fails, back-off. An MQTT 5 Server Reference naming a listed server switches to it.
   */
  servers?: { host: string; port?: number; path?: string; secure?: boolean }[];
  /** transport 'container': what wx.cloud.connectContainer opens (path defaults to '/'). */
  container?: { env: string; service: string; path?: string };
  /** ms before the credentials' expiry to fetch new ones and reconnect with them (default 60000). */
  credentialsRefresh?: number;
  /** MQTT 5 enhanced authentication: the method (SCRAM-SHA-256…), sent in CONNECT. */
  authenticationMethod?: string;
  /** MQTT 5: the first authentication data, sent in CONNECT (and by reauthenticate() when given none). */
  authenticationData?: string | ArrayBuffer | ArrayBufferView;
  /** MQTT 5: answers each server AUTH 0x18 (continue) with the next authentication data (a string or bytes). */
  onAuth?: (challenge: AuthChallenge) => string | ArrayBuffer | ArrayBufferView | Promise<string | ArrayBuffer | ArrayBufferView>;
  protocolVersion?: 4 | 5;
  clean?: boolean;
  keepalive?: number;
  reconnectPeriod?: number;
  connectTimeout?: number;
  will?: WillInput;
  /** MQTT 5 only, seconds; default 7200 with clean: false. */
  sessionExpiryInterval?: number;
  /** MQTT 5: QoS 1/2 messages the broker may have in flight to this client at once. */
  receiveMaximum?: number;
  /** MQTT 5: the largest packet this client accepts, in bytes. */
  maximumPacketSize?: number;
  /** MQTT 5: topic aliases the broker may use towards this client (0: none). */
  topicAliasMaximum?: number;
  /** MQTT 5 CONNECT user properties. */
  userProperties?: UserProperties;
  /** MQTT 5: ask the broker for Response Information (request() then uses it as its response topic prefix). */
  requestResponseInformation?: boolean;
  /**
   * Keep queued and in-flight QoS 1/2 messages (and incoming QoS 2 state) in the platform's
   * storage, restored when the app is launched again. Makes `clean` default to false, and a
   * generated clientId is kept and reused.
   */
  persist?: boolean | PersistOptions;
  /** Registers the client: getClient(name) returns it, `<mqtt-panel client="name">` uses it. */
  name?: string;
  /** Language of error and warning messages. */
  locale?: Locale;
  /** The mini-program API to use (wx, qq, tt, swan, my, uni, Taro); detected when absent. */
  platform?: object;
}

/** What a client and a scope emit: the same details as the panel's events. */
export interface ClientEventMap {
  status: StatusEventDetail;
  connect: ConnectEventDetail;
  message: MessageEventDetail;
  publish: PublishEventDetail;
  subscribe: SubscribeEventDetail;
  unsubscribe: UnsubscribeEventDetail;
  error: ErrorEventDetail;
  warning: WarningEventDetail;
}

/** <mqtt-panel> methods, for `this.selectComponent('#panel')`. Every Promise rejects with ErrorEventDetail. */
export interface MqttPanelMethods {
  connect(): Promise<ConnectEventDetail>;
  disconnect(): Promise<void>;
  subscribe(topic?: string, qos?: QoS): Promise<SubscribeEventDetail>;
  unsubscribe(topic?: string): Promise<UnsubscribeEventDetail>;
  publish(topic?: string, payload?: unknown, options?: PublishOptions): Promise<PublishEventDetail>;
  getState(): PanelState;
}

/** <message-list> `select` */
export interface MessageListSelectDetail {
  message: MqttMessage;
}

/** <message-list> `clear` */
export interface MessageListClearDetail {
  count: number;
}

/** <message-list> methods. */
export interface MessageListMethods {
  append(messageOrArray: MqttMessage | MqttMessage[]): void;
  clear(): void;
  getMessages(): MqttMessage[];
}

export const PANEL_EVENTS = ['status', 'connect', 'message', 'publish', 'subscribe', 'unsubscribe', 'error', 'warning'] as const;
export const LIST_EVENTS = ['select', 'clear'] as const;

