/** Turns the panel's properties into one validated connection config, or a coded error naming the field. */
import { encodePayload } from './codec';
import { ErrorInfo, FieldError, invalidField as fail, MQTT5_ONLY, validated } from './errors';
import { ConnectProperties, connectProperties, ConnectPropertiesInput, VendorProperties, WillProperties, willProperties } from './properties';
import { isForbiddenTcpPort } from './tcp-ports';
import { topicNameProblem } from './topics';

export type QoS = 0 | 1 | 2;

export interface WillInput {
  topic: string;
  payload?: unknown;
  qos?: number;
  retain?: boolean;
  /** MQTT 5 will properties. */
  properties?: WillProperties;
}

/** What a host gives: the panel's connection properties. */
export interface ConnectionInput {
  host?: unknown;
  port?: unknown;
  path?: unknown;
  secure?: unknown;
  clientId?: unknown;
  username?: unknown;
  password?: unknown;
  protocolVersion?: unknown;
  clean?: unknown;
  keepalive?: unknown;
  reconnectPeriod?: unknown;
  connectTimeout?: unknown;
  will?: unknown;
  sessionExpiryInterval?: unknown;
  receiveMaximum?: unknown;
  maximumPacketSize?: unknown;
  topicAliasMaximum?: unknown;
  userProperties?: unknown;
  requestResponseInformation?: unknown;
  persist?: unknown;
  transport?: unknown;
  container?: unknown;
  servers?: unknown;
}

/** One broker of a `servers` list, its missing fields taken from the top-level options. */
export interface ServerTarget {
  host: string;
  port: number;
  path: string;
  secure: boolean;
  url: string;
}

/** The byte pipe: a WebSocket (wx.connectSocket, the default), WeChat's TCPSocket (LAN brokers), or a WeChat Cloud Hosting container's socket. */
export type TransportKind = 'websocket' | 'tcp' | 'container';

/** transport 'container': the Cloud Hosting environment, service and path wx.cloud.connectContainer opens. */
export interface ContainerTarget {
  env: string;
  service: string;
  path: string;
}

export interface Will {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  properties?: VendorProperties;
}

const DAY_MS = 24 * 3600 * 1000;

export interface PersistConfig {
  /** Characters of storage the outgoing QoS 1/2 messages may take. */
  maxBytes: number;
  /** ms a stored queue may go untouched before it is removed at creation; 0 keeps it. */
  maxAge: number;
}

export interface ConnectionConfig {
  transport: TransportKind;
  /** transport 'container' only. */
  container?: ContainerTarget;
  /** `servers`: the brokers to try, in order (host, port, path, secure and url are the first one's). */
  servers?: ServerTarget[];
  host: string;
  port: number;
  path: string;
  secure: boolean;
  /** Where the connection goes: the WebSocket URL WeChat opens (wss:// or ws://), or tcp://host:port; never holds credentials. */
  url: string;
  /** The URL handed to mqtt.js: wxs:// or wx://. */
  mqttUrl: string;
  clientId: string;
  /** True when clientId was generated because none was given. */
  generatedClientId: boolean;
  username: string;
  password: string;
  protocolVersion: 4 | 5;
  clean: boolean;
  keepalive: number;
  reconnectPeriod: number;
  connectTimeout: number;
  will?: Will;
  /** MQTT 5 CONNECT Session Expiry Interval in seconds; undefined at 3.1.1 and for a clean session without one. */
  sessionExpiryInterval?: number;
  /** MQTT 5 CONNECT properties besides the session expiry; empty at 3.1.1. */
  connectProperties: ConnectProperties;
  /** Keep QoS 1/2 state in the platform's storage (`persist` option); absent when off. */
  persist?: PersistConfig;
  /** Connections with equal keys share one socket. */
  key: string;
}

export const DEFAULTS = {
  port: 8084,
  /** transport 'tcp': MQTT's own port. */
  tcpPort: 1883,
  path: '/mqtt',
  secure: true,
  protocolVersion: 4,
  clean: true,
  keepalive: 60,
  reconnectPeriod: 1000,
  connectTimeout: 30000,
  /**
   * MQTT 5 ends a session when the socket closes unless CONNECT says otherwise: `clean: false`
   * keeps it this long (seconds), the 2 hours EMQX gives MQTT 3.1.1 sessions by default.
   */
  sessionExpiryInterval: 7200,
  /** persist.maxBytes: storage a connection's outgoing QoS 1/2 messages may take. */
  persistMaxBytes: 1024 * 1024,
  /** persist.maxAge: a stored queue no run has touched for this long is removed at creation (0: never). */
  persistMaxAge: 7 * DAY_MS,
} as const;

export type OptionsResult = { ok: true; config: ConnectionConfig } | { ok: false; error: ErrorInfo };

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomClientId(random: () => number = Math.random): string {
  let id = 'mp_';
  for (let i = 0; i < 12; i++) id += ID_CHARS[Math.floor(random() * ID_CHARS.length)];
  return id;
}

/** A plain object (not null, not an array): what option arguments must be. */
export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function isQos(value: unknown): value is QoS {
  return value === 0 || value === 1 || value === 2;
}

const isBlank = (value: unknown): boolean => value === undefined || value === null || value === '';

function integer(value: unknown, field: string, fallback: number, min: number, max: number): number {
  if (isBlank(value)) return fallback;
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    fail(field, `${describe(value)}; expected an integer ${min}–${max}`);
  }
  return n as number;
}

function boolean(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') fail(field, `${describe(value)}; expected true or false`);
  return value as boolean;
}

function text(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') fail(field, `${typeof value}; expected a string`);
  return value as string;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number') return String(value);
  return typeof value;
}

function host(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') return fail('host', 'empty; expected a host name such as broker.emqx.io');
  const h = (value as string).trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(h)) fail('host', `${describe(h)}; remove the scheme (use secure for wss/ws)`);
  if (h.includes('/')) fail('host', `${describe(h)}; remove the path (use the path property)`);
  if (/\s/.test(h)) fail('host', `${describe(h)}; contains whitespace`);
  if (/^\[[0-9a-f:.]+\]$/i.test(h)) return h;
  if (h.includes(':')) fail('host', `${describe(h)}; remove the port (use the port property)`);
  if (!/^[a-z0-9.-]+$/i.test(h)) fail('host', `${describe(h)}; not a host name`);
  return h;
}

function path(value: unknown): string {
  if (isBlank(value)) return DEFAULTS.path;
  const p = text(value, 'path');
  if (!p.startsWith('/')) fail('path', `${describe(p)}; must start with /`);
  if (/\s/.test(p)) fail('path', `${describe(p)}; contains whitespace`);
  return p;
}

function clientId(value: unknown, random: () => number): { id: string; generated: boolean } {
  if (isBlank(value)) return { id: randomClientId(random), generated: true };
  if (typeof value !== 'string') fail('clientId', `${typeof value}; expected a string (mqtt.js would silently replace it)`);
  const id = value as string;
  if (id.includes('\u0000')) fail('clientId', 'contains U+0000');
  if (id.length > 65535) fail('clientId', 'longer than 65535 characters');
  return { id, generated: false };
}

function will(value: unknown, protocolVersion: 4 | 5): Will | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'object') return fail('will', `${typeof value}; expected {topic, payload, qos, retain}`);
  const w = value as WillInput;
  const problem = topicNameProblem(w.topic);
  if (problem) fail('will.topic', `${describe(w.topic)}: ${problem}`);
  const qos = w.qos === undefined ? 0 : w.qos;
  if (!isQos(qos)) fail('will.qos', `${describe(qos)}; expected 0, 1 or 2`);
  const encoded = encodePayload(w.payload === undefined ? '' : w.payload, 65535, 'will.payload');
  if (!encoded.ok) fail('will.payload', encoded.error.reason ?? 'too large');
  const properties = willProperties(w.properties, protocolVersion);
  if (!properties.ok) throw new FieldError(properties.error);
  const result: Will = { topic: w.topic, payload: (encoded as { bytes: Uint8Array }).bytes, qos: qos as QoS, retain: boolean(w.retain, 'will.retain', false) };
  if (properties.properties) result.properties = properties.properties;
  return result;
}

/** `persist`: true, false, or {maxBytes, maxAge}; 10 MB is every platform's whole storage. */
function persist(value: unknown): PersistConfig | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (value === true) return { maxBytes: DEFAULTS.persistMaxBytes, maxAge: DEFAULTS.persistMaxAge };
  if (typeof value !== 'object' || Array.isArray(value)) return fail('persist', `${describe(value)}; expected true, false or {maxBytes, maxAge}`);
  const { maxBytes, maxAge } = value as { maxBytes?: unknown; maxAge?: unknown };
  return {
    maxBytes: integer(maxBytes, 'persist.maxBytes', DEFAULTS.persistMaxBytes, 1024, 10 * 1024 * 1024),
    maxAge: integer(maxAge, 'persist.maxAge', DEFAULTS.persistMaxAge, 0, 10 * 365 * DAY_MS),
  };
}

export function connectionKey(c: Pick<ConnectionConfig, 'url' | 'servers' | 'clientId' | 'username'>): string {
  return `${c.servers ? c.servers.map((s) => s.url).join(',') : c.url}|${c.clientId}|${c.username}`;
}

/** `servers`: 1–16 `{ host, port?, path?, secure? }`, each checked as the top-level fields are (and named `servers[i].field`). */
function serverList(value: unknown, input: ConnectionInput): ServerTarget[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 16) return fail('servers', `${Array.isArray(value) ? `${value.length} entries` : describe(value)}; expected 1 to 16 { host, port?, path?, secure? }`);
  return value.map((entry: unknown, i) => {
    if (!isObject(entry)) return fail(`servers[${i}]`, `${describe(entry)}; expected { host, port?, path?, secure? }`);
    const named = <T>(check: () => T): T => {
      const result = validated(check);
      if (isObject(result) && result.ok === false) fail(`servers[${i}].${(result.error as ErrorInfo).field ?? 'host'}`, (result.error as ErrorInfo).reason ?? '');
      return result as T;
    };
    const h = named(() => host(entry.host));
    const port = named(() => integer(entry.port ?? input.port, 'port', DEFAULTS.port, 1, 65535));
    const p = named(() => path(entry.path ?? input.path));
    const secure = named(() => boolean(entry.secure ?? input.secure, 'secure', DEFAULTS.secure));
    return { host: h, port, path: p, secure, url: connectionUrl('websocket', secure, h, port, p) };
  });
}

function connectionUrl(transport: TransportKind, secure: boolean, hostName: string, port: number, p: string, target?: ContainerTarget): string {
  if (target) return `container://${target.env}/${target.service}${target.path}`;
  return transport === 'tcp' ? `tcp://${hostName}:${port}` : `${secure ? 'wss' : 'ws'}://${hostName}:${port}${p}`;
}

function transportKind(value: unknown): TransportKind {
  if (value === undefined || value === null || value === '' || value === 'websocket') return 'websocket';
  if (value === 'tcp' || value === 'container') return value;
  return fail('transport', `${describe(value)}; expected 'websocket', 'tcp' or 'container'`);
}

function containerTarget(value: unknown): ContainerTarget {
  if (!isObject(value)) return fail('container', `${describe(value)}; expected { env, service, path } for transport 'container'`);
  const name = (field: 'env' | 'service'): string => {
    const v = value[field];
    if (typeof v !== 'string' || !/^[\w.-]+$/.test(v)) fail(`container.${field}`, `${describe(v)}; expected the Cloud Hosting ${field === 'env' ? 'environment ID' : 'service name'}`);
    return v as string;
  };
  const p = isBlank(value.path) ? '/' : text(value.path, 'container.path');
  if (!p.startsWith('/')) fail('container.path', `${describe(p)}; must start with /`);
  return { env: name('env'), service: name('service'), path: p };
}

/** Validates everything at once; the first bad field wins. Never throws. */
export function resolveOptions(input: ConnectionInput, random: () => number = Math.random): OptionsResult {
  return validated((): OptionsResult => {
    const transport = transportKind(input.transport);
    const tcp = transport === 'tcp';
    const target = transport === 'container' ? containerTarget(input.container) : undefined;
    if (!target && input.container !== undefined) fail('container', "only with transport 'container'");
    const servers = input.servers === undefined ? undefined : serverList(input.servers, input);
    if (servers && transport !== 'websocket') fail('servers', "a server list is for WebSockets; not with transport 'tcp' or 'container'");
    if (servers && !isBlank(input.host)) fail('servers', 'give host or servers, not both');
    const first = servers?.[0];
    const h = target ? target.service : first ? first.host : host(input.host);
    const port = first ? first.port : integer(input.port, 'port', tcp ? DEFAULTS.tcpPort : DEFAULTS.port, 1, 65535);
    if (tcp && isForbiddenTcpPort(port)) fail('port', `${port}: WeChat's TCPSocket refuses ports below 1024 and a list (1099, 3306, 8000–8100, 8443, 8888…); 1883 is fine`);
    const p = first ? first.path : path(input.path);
    const secure = first ? first.secure : boolean(input.secure, 'secure', tcp ? false : DEFAULTS.secure);
    if (tcp && secure) fail('secure', "transport 'tcp' has no TLS (WeChat's TCPSocket is plain TCP); use the default WebSocket transport for wss");
    const id = clientId(input.clientId, random);
    const username = text(input.username, 'username');
    const password = text(input.password, 'password');
    const persisted = persist(input.persist);
    const protocolVersion = integer(input.protocolVersion, 'protocolVersion', DEFAULTS.protocolVersion, 0, 255);
    if (protocolVersion !== 4 && protocolVersion !== 5) fail('protocolVersion', `${protocolVersion}; expected 4 (MQTT 3.1.1) or 5`);
    // MQTT 3.1.1 §3.1.2.9: no password without a user name (mqtt.js would then never send CONNECT).
    if (password !== '' && username === '' && protocolVersion === 4) fail('password', 'a password needs a username in MQTT 3.1.1');
    const config: ConnectionConfig = {
      transport,
      host: h,
      port,
      path: p,
      secure,
      url: connectionUrl(transport, secure, h, port, p, target),
      mqttUrl: `${secure ? 'wxs' : 'wx'}://${h}:${port}${p}`,
      clientId: id.id,
      generatedClientId: id.generated,
      username,
      password,
      protocolVersion: protocolVersion as 4 | 5,
      // a stored session is only worth keeping if the broker keeps its half
      clean: boolean(input.clean, 'clean', persisted ? false : DEFAULTS.clean),
      keepalive: integer(input.keepalive, 'keepalive', DEFAULTS.keepalive, 0, 65535),
      reconnectPeriod: integer(input.reconnectPeriod, 'reconnectPeriod', DEFAULTS.reconnectPeriod, 0, 3600000),
      connectTimeout: integer(input.connectTimeout, 'connectTimeout', DEFAULTS.connectTimeout, 100, 600000),
      connectProperties: {},
      key: '',
    };
    const expiry = integer(input.sessionExpiryInterval, 'sessionExpiryInterval', -1, 0, 0xffffffff);
    if (expiry >= 0 && protocolVersion !== 5) fail('sessionExpiryInterval', MQTT5_ONLY);
    if (expiry >= 0) config.sessionExpiryInterval = expiry;
    else if (protocolVersion === 5 && !config.clean) config.sessionExpiryInterval = DEFAULTS.sessionExpiryInterval;
    const connect = connectProperties(input as ConnectPropertiesInput, protocolVersion as 4 | 5);
    if (!connect.ok) return { ok: false, error: connect.error };
    config.connectProperties = connect.properties;
    const w = will(input.will, protocolVersion as 4 | 5);
    if (w) config.will = w;
    if (persisted) config.persist = persisted;
    if (target) config.container = target;
    if (servers) config.servers = servers;
    config.key = connectionKey(config);
    return { ok: true, config };
  });
}

/** Whether two configs would open the same connection, password and session options included. */
export function sameConnection(a: ConnectionConfig, b: ConnectionConfig): boolean {
  const fields = (c: ConnectionConfig) => [c.key, c.password, c.protocolVersion, c.clean, c.keepalive, c.reconnectPeriod, c.connectTimeout, c.sessionExpiryInterval, JSON.stringify(c.will ?? null), JSON.stringify(c.connectProperties), JSON.stringify(c.persist ?? null)];
  return JSON.stringify(fields(a)) === JSON.stringify(fields(b));
}

export function isLoopback(hostName: string): boolean {
  return hostName === 'localhost' || hostName === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostName);
}
