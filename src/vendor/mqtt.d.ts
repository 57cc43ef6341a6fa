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

export type VendorStore = object;

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
  will?: { topic: string; payload: Uint8Array; qos: 0 | 1 | 2; retain: boolean };
  incomingStore?: VendorStore;
  outgoingStore?: VendorStore;
}

export interface VendorClient {
  connected: boolean;
  stream: VendorStream;
  incomingStore: VendorStore;
  outgoingStore: VendorStore;
  on(event: 'connect', listener: (connack: VendorPacket) => void): this;
  on(event: 'message', listener: (topic: string, payload: Uint8Array, packet: VendorPacket) => void): this;
  on(event: 'error', listener: (error: Error & { code?: number | string }) => void): this;
  on(event: 'close' | 'offline' | 'end' | 'reconnect', listener: () => void): this;
  on(event: 'packetreceive' | 'packetsend', listener: (packet: VendorPacket) => void): this;
  removeAllListeners(): this;
  subscribe(
    topics: Record<string, { qos: 0 | 1 | 2 }>,
    callback: (error: Error | null, granted: VendorGrant[]) => void,
  ): this;
  unsubscribe(topics: string | string[], callback: (error?: Error) => void): this;
  publish(
    topic: string,
    payload: Uint8Array | string,
    options: { qos: 0 | 1 | 2; retain: boolean },
    callback: (error?: Error) => void,
  ): this;
  end(force?: boolean, options?: object, callback?: () => void): this;
  reconnect(options?: { incomingStore: VendorStore; outgoingStore: VendorStore }): this;
}

export interface VendorMqtt {
  connect(url: string, options: VendorClientOptions): VendorClient;
}

declare function createMqtt(wx: VendorWx): VendorMqtt;
export = createMqtt;
