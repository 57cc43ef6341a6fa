/** What a connection hands up, its limits and what it is built with. */
import type { ErrorInfo } from '../core/errors';
import type { StoredMessage } from '../core/journal';
import type { MessageData } from '../core/message';
import type { AuthInfo } from '../core/packets';
import type { StatusChange } from '../core/state';
import type { BeforeConnect, ReconnectLimits } from './reconnect-policy';
import type { StorageNotice } from './session/persistence';
import type { Holder } from './subscriptions';
import type { TransportFactory } from './transport/transport';
import type { SocketCounter } from './transport/websocket';
import type { PlatformWx } from './wx';

/** A message as mqtt.js parsed it. */
export interface InboundMessage extends MessageData {
  dup: boolean;
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
  /** The platform's socket budget is spent: the next socket is asked for at `retryAt` (ms since the epoch). */
  budget: { retryAt: number };
}

export interface ConnectionLimits extends ReconnectLimits {
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
  /** The byte pipe; a WebSocket through `wx.connectSocket` when absent. */
  transport?: TransportFactory;
  random?: () => number;
  limits?: Partial<ConnectionLimits>;
  /** The async step before each CONNECT (reconnect policy seam). */
  beforeConnect?: BeforeConnect;
  /** MQTT 5 enhanced authentication: the data answering a server AUTH 0x18 (continue). */
  onAuth?: OnAuth;
  /** Sockets the platform lets the app create in a window (TCPSocket: 20 in 5 minutes): the connection waits rather than ask for one more. */
  socketBudget?: { wait(now: number): number };
}

export type OnAuth = (challenge: AuthInfo) => Uint8Array | undefined | PromiseLike<Uint8Array | undefined>;

