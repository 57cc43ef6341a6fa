/** Types for the part of mqtt.js 4.0.1 (vendored factory, see build/vendor.ts) that the platform uses. */

export interface VendorSocketTask {
  onOpen(listener: (res: unknown) => void): void;
  onMessage(listener: (res: { data: string | ArrayBuffer }) => void): void;
  onClose(listener: (res: { code?: number; reason?: string }) => void): void;
  onError(listener: (res: { errMsg: string }) => void): void;
  send(options: { data: string | ArrayBuffer; success?: () => void; fail?: (res: unknown) => void }): void;
  close(options?: { code?: number; reason?: string; success?: () => void; fail?: () => void }): void;
}

/** The `wx` the vendored copy sees: mqtt.js only calls connectSocket. */
export interface VendorWx {
  connectSocket(options: { url: string; protocols?: string | string[] }): VendorSocketTask;
}

export interface VendorPacket {
  cmd: string;
  topic?: string;
  payload?: Uint8Array | string;
  qos?: 0 | 1 | 2;
  retain?: boolean;
  dup?: boolean;
  messageId?: number;
  returnCode?: number;
  reasonCode?: number;
  sessionPresent?: boolean;
  properties?: Record<string, unknown>;
}

export interface VendorGrant {
  topic: string;
  qos: number;
}

export interface VendorStream {
  emit(event: 'close'): boolean;
}

/** MQTT.js's `Store` shape: what mqtt.js calls on the stores it is given (src/platform/session/packet-store.ts). */
export interface VendorStore {
  put(packet: VendorPacket, callback?: (error?: Error) => void): VendorStore;
  get(packet: { messageId?: number }, callback: (error?: Error | null, packet?: VendorPacket) => void): VendorStore;
  del(packet: { messageId?: number }, callback?: (error?: Error | null, packet?: VendorPacket) => void): VendorStore;
  /** An object stream of the stored packets, which mqtt.js replays after CONNACK. */
  createStream(): object;
  close(callback?: () => void): void;
}

/** CONNECT properties (MQTT 5) as mqtt.js takes them. */
export interface VendorConnectProperties {
  sessionExpiryInterval?: number;
  receiveMaximum?: number;
  topicAliasMaximum?: number;
  maximumPacketSize?: number;
  userProperties?: Record<string, string | string[]>;
  requestResponseInformation?: boolean;
}

/** Properties of PUBLISH, SUBSCRIBE and the will (MQTT 5), as mqtt-packet 6.10 writes them. */
export interface VendorPacketProperties {
  userProperties?: Record<string, string | string[]>;
  contentType?: string;
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  responseTopic?: string;
  correlationData?: Uint8Array;
  topicAlias?: number;
  willDelayInterval?: number;
  subscriptionIdentifier?: number;
}

/** One filter of a SUBSCRIBE; nl/rap/rh only at MQTT 5. */
export interface VendorSubscription {
  qos: 0 | 1 | 2;
  nl?: boolean;
  rap?: boolean;
  rh?: number;
}

export interface VendorClientOptions {
  clientId: string;
  username?: string;
  password?: string;
  protocolVersion: 4 | 5;
  clean: boolean;
  keepalive: number;
  reconnectPeriod: number;
  connectTimeout: number;
  resubscribe: boolean;
  queueQoSZero: boolean;
  will?: { topic: string; payload: Uint8Array; qos: 0 | 1 | 2; retain: boolean; properties?: VendorPacketProperties };
  properties?: VendorConnectProperties;
  incomingStore?: VendorStore;
  outgoingStore?: VendorStore;
}

export interface VendorClient {
  connected: boolean;
  /** Options as mqtt.js keeps them: it writes CONNACK's limits and server keepalive into these. */
  options: VendorClientOptions;
  /** QoS 1/2 callbacks by messageId. */
  outgoing: Record<number, { volatile?: boolean; cb: (error?: Error & { code?: number }, packet?: VendorPacket) => void } | undefined>;
  /** The messageId the next publish takes. */
  nextId: number;
  stream: VendorStream;
  /** Sends (or, offline, stores) a packet: QoS 1/2 PUBLISH and PUBREL go through outgoingStore.put first. */
  _sendPacket(packet: VendorPacket): void;
  /** Called for each incoming message before its PUBACK / PUBCOMP goes out; mqtt.js waits for the callback. */
  handleMessage(packet: VendorPacket, callback: (error?: Error) => void): void;
  incomingStore: VendorStore;
  outgoingStore: VendorStore;
  on(event: 'connect', listener: (connack: VendorPacket) => void): this;
  on(event: 'message', listener: (topic: string, payload: Uint8Array, packet: VendorPacket) => void): this;
  on(event: 'error', listener: (error: Error & { code?: number | string }) => void): this;
  on(event: 'close' | 'offline' | 'end' | 'reconnect', listener: () => void): this;
  on(event: 'packetreceive' | 'packetsend' | 'disconnect', listener: (packet: VendorPacket) => void): this;
  removeAllListeners(): this;
  subscribe(topics: Record<string, VendorSubscription>, callback: (error: Error | null, granted: VendorGrant[]) => void): this;
  subscribe(
    topics: Record<string, VendorSubscription>,
    options: { properties?: VendorPacketProperties },
    callback: (error: Error | null, granted: VendorGrant[]) => void,
  ): this;
  unsubscribe(topics: string | string[], callback: (error?: Error) => void): this;
  publish(
    topic: string,
    payload: Uint8Array | string,
    options: { qos: 0 | 1 | 2; retain: boolean; properties?: VendorPacketProperties },
    callback: (error?: Error & { code?: number }, packet?: VendorPacket) => void,
  ): this;
  end(force?: boolean, options?: object, callback?: () => void): this;
  reconnect(options?: { incomingStore: VendorStore; outgoingStore: VendorStore }): this;
}

export interface VendorMqtt {
  connect(url: string, options: VendorClientOptions): VendorClient;
  /** mqtt.js's own in-memory Store (its createStream ends through the bundle's own nextTick). */
  Store: new () => VendorStore;
}

declare function createMqtt(wx: VendorWx): VendorMqtt;
export = createMqtt;
