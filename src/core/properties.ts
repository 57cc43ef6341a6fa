/**
 * MQTT 5 properties as users write them ↔ as mqtt.js 4.0.1 takes and parses them: validation with
 * a coded error naming the field, the bytes they add to a packet, and the inbound view.
 */
import { decodeUtf8, encodeUtf8, exactArrayBuffer, isArrayBuffer } from './codec';
import { assign, ErrorInfo, invalidField as fail, MQTT5_ONLY, validated } from './errors';
import { topicNameProblem, utf8Length } from './topics';
import { splitJoined, UserProperties } from './user-properties';

export type { UserProperties } from './user-properties';

/** PUBLISH properties you can send with publish(), request() and respond(). */
export interface PublishProperties {
  userProperties?: UserProperties;
  /** A MIME type such as application/json. */
  contentType?: string;
  /** true: the payload is UTF-8 text. */
  payloadFormatIndicator?: boolean;
  /** Seconds the broker may keep the message for subscribers that are away. */
  messageExpiryInterval?: number;
  responseTopic?: string;
  correlationData?: string | ArrayBuffer | ArrayBufferView;
  /** 1 … the broker's Topic Alias Maximum; a QoS 0 publish then sends the topic only the first time. */
  topicAlias?: number;
}

/** MQTT 5 properties of a received message: only those the packet had. */
export interface MessageProperties {
  userProperties?: UserProperties;
  contentType?: string;
  payloadFormatIndicator?: boolean;
  /** What is left of the sender's expiry when the broker sent it, in seconds. */
  messageExpiryInterval?: number;
  responseTopic?: string;
  correlationData?: ArrayBuffer;
  /** correlationData as UTF-8 text. */
  correlationText?: string;
  /** Identifiers of the subscriptions that matched (when you gave one to subscribe()). */
  subscriptionIdentifiers?: number[];
}

/** Will properties (MQTT 5 CONNECT). */
export interface WillProperties {
  /** Seconds the broker waits after the connection is lost before it publishes the will. */
  willDelayInterval?: number;
  contentType?: string;
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  responseTopic?: string;
  correlationData?: string | ArrayBuffer | ArrayBufferView;
  userProperties?: UserProperties;
}

/** Properties in the form mqtt.js 4.0.1's packet writer takes. */
export interface VendorProperties {
  userProperties?: UserProperties;
  contentType?: string;
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  responseTopic?: string;
  correlationData?: Uint8Array;
  topicAlias?: number;
  willDelayInterval?: number;
  subscriptionIdentifier?: number;
}

const MAX_UINT32 = 0xffffffff;
const MAX_VARINT = 268435455;
const MAX_BINARY = 65535;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value) && !isArrayBuffer(value);

function mqttString(value: unknown, field: string): string {
  if (typeof value !== 'string') return fail(field, `${typeof value}; expected a string`);
  if (value.includes('\u0000')) fail(field, 'contains U+0000');
  if (utf8Length(value) > MAX_BINARY) fail(field, `longer than ${MAX_BINARY} UTF-8 bytes`);
  return value;
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(field, `${String(value)}; expected an integer ${min}–${max}`);
  return value as number;
}

function bool(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') fail(field, `${typeof value}; expected true or false`);
  return value as boolean;
}

export function binary(value: unknown, field: string): Uint8Array {
  let bytes: Uint8Array | undefined;
  if (typeof value === 'string') bytes = encodeUtf8(value);
  else if (isArrayBuffer(value)) bytes = new Uint8Array(value.slice(0));
  else if (ArrayBuffer.isView(value)) bytes = new Uint8Array(exactArrayBuffer(value));
  if (!bytes) return fail(field, `${value === null ? 'null' : typeof value}; expected a string, an ArrayBuffer or a typed array`);
  if (bytes.length > MAX_BINARY) fail(field, `${bytes.length} bytes; at most ${MAX_BINARY}`);
  return bytes;
}

function userProperties(value: unknown, field: string): UserProperties {
  if (!isPlainObject(value)) return fail(field, `${Array.isArray(value) ? 'array' : typeof value}; expected {name: value} with string values`);
  const out: UserProperties = {};
  for (const [name, v] of Object.entries(value)) {
    mqttString(name, `${field}.${name}`);
    if (Array.isArray(v)) out[name] = v.map((item, i) => mqttString(item, `${field}.${name}[${i}]`));
    else out[name] = mqttString(v, `${field}.${name}`);
  }
  return out;
}

type Reader = (value: unknown, field: string) => unknown;

const MESSAGE_READERS: Record<string, Reader> = {
  userProperties,
  contentType: mqttString,
  payloadFormatIndicator: bool,
  messageExpiryInterval: (v, f) => integer(v, f, 0, MAX_UINT32),
  responseTopic: (v, f) => {
    const problem = topicNameProblem(v);
    if (problem) fail(f, `${typeof v === 'string' ? JSON.stringify(v) : typeof v}: ${problem}`);
    return v;
  },
  correlationData: binary,
};

const PUBLISH_READERS: Record<string, Reader> = assign({}, MESSAGE_READERS, { topicAlias: (v: unknown, f: string) => integer(v, f, 1, MAX_BINARY) });
const WILL_READERS: Record<string, Reader> = assign({}, MESSAGE_READERS, { willDelayInterval: (v: unknown, f: string) => integer(v, f, 0, MAX_UINT32) });

export type PropertiesResult = { ok: true; properties?: VendorProperties } | { ok: false; error: ErrorInfo };

function read(value: unknown, field: string, protocolVersion: 4 | 5, readers: Record<string, Reader>): PropertiesResult {
  return validated((): PropertiesResult => {
    if (value === undefined || value === null) return { ok: true };
    if (!isPlainObject(value)) return fail(field, `${typeof value}; expected an object of MQTT 5 properties`);
    const out: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const reader = readers[name];
      if (!reader) fail(`${field}.${name}`, `not one of ${Object.keys(readers).join(', ')}`);
      if (protocolVersion !== 5) fail(`${field}.${name}`, MQTT5_ONLY);
      out[name] = reader(v, `${field}.${name}`);
    }
    return { ok: true, properties: Object.keys(out).length > 0 ? (out as VendorProperties) : undefined };
  });
}

/** publish() properties → mqtt.js form; INVALID_OPTION naming `properties.<name>` (any of them at 3.1.1). */
export function publishProperties(value: unknown, protocolVersion: 4 | 5, field = 'properties'): PropertiesResult {
  return read(value, field, protocolVersion, PUBLISH_READERS);
}

export function willProperties(value: unknown, protocolVersion: 4 | 5): PropertiesResult {
  return read(value, 'will.properties', protocolVersion, WILL_READERS);
}

/** Subscription options (MQTT 5 §3.8.3.1) and SUBSCRIBE properties, validated. */
export interface SubscriptionOptions {
  nl?: boolean;
  rap?: boolean;
  rh?: 0 | 1 | 2;
  userProperties?: UserProperties;
  subscriptionIdentifier?: number;
}

export type SubscriptionOptionsResult = { ok: true; options: SubscriptionOptions } | { ok: false; error: ErrorInfo };

const SUBSCRIBE_READERS: Record<string, Reader> = {
  nl: bool,
  rap: bool,
  rh: (v, f) => integer(v, f, 0, 2),
  userProperties,
  subscriptionIdentifier: (v, f) => integer(v, f, 1, MAX_VARINT),
};

/** subscribe()'s options besides qos; each one is MQTT 5 only. */
export function subscriptionOptions(value: Record<string, unknown>, protocolVersion: 4 | 5): SubscriptionOptionsResult {
  return validated((): SubscriptionOptionsResult => {
    const options: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(value)) {
      if (name === 'qos' || v === undefined) continue;
      const reader = SUBSCRIBE_READERS[name];
      if (!reader) fail(name, `not one of qos, ${Object.keys(SUBSCRIBE_READERS).join(', ')}`);
      if (protocolVersion !== 5) fail(name, MQTT5_ONLY);
      options[name] = reader(v, name);
    }
    return { ok: true, options: options as SubscriptionOptions };
  });
}

/** MQTT 5 CONNECT properties from createClient() / the panel. */
export interface ConnectPropertiesInput {
  receiveMaximum?: unknown;
  maximumPacketSize?: unknown;
  topicAliasMaximum?: unknown;
  userProperties?: unknown;
  requestResponseInformation?: unknown;
  authenticationMethod?: unknown;
  authenticationData?: unknown;
}

export interface ConnectProperties {
  receiveMaximum?: number;
  maximumPacketSize?: number;
  topicAliasMaximum?: number;
  userProperties?: UserProperties;
  requestResponseInformation?: boolean;
  /** MQTT 5 enhanced authentication (§4.12): the method's name, and the first data CONNECT carries. */
  authenticationMethod?: string;
  authenticationData?: Uint8Array;
}

const CONNECT_READERS: Record<keyof ConnectProperties, Reader> = {
  receiveMaximum: (v, f) => integer(v, f, 1, MAX_BINARY),
  maximumPacketSize: (v, f) => integer(v, f, 1, MAX_UINT32),
  topicAliasMaximum: (v, f) => integer(v, f, 0, MAX_BINARY),
  userProperties,
  requestResponseInformation: bool,
  authenticationMethod: mqttString,
  authenticationData: binary,
};

/** Connect properties the panel may give as digit strings. */
const NUMERIC = new Set<string>(['receiveMaximum', 'maximumPacketSize', 'topicAliasMaximum']);

/** Never throws a FieldError: returns the error instead. Blank values ('' from the panel) count as absent. */
export function connectProperties(input: ConnectPropertiesInput, protocolVersion: 4 | 5): { ok: true; properties: ConnectProperties } | { ok: false; error: ErrorInfo } {
  return validated((): { ok: true; properties: ConnectProperties } => {
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(CONNECT_READERS) as (keyof ConnectProperties)[]) {
      const v = input[name];
      if (v === undefined || v === null || v === '') continue;
      if (protocolVersion !== 5) fail(name, MQTT5_ONLY);
      out[name] = CONNECT_READERS[name](NUMERIC.has(name) && typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v, name);
    }
    if (out.authenticationData !== undefined && out.authenticationMethod === undefined) fail('authenticationData', 'needs authenticationMethod');
    return { ok: true, properties: out as ConnectProperties };
  });
}

/** Bytes of a property block's content, without its length varint (MQTT 5 §2.2.2). */
export function propertyBytes(properties: VendorProperties | undefined): number {
  let length = 0;
  const str = (s: string): number => 2 + utf8Length(s);
  if (properties) {
    for (const [name, value] of Object.entries(properties)) {
      if (value === undefined) continue;
      if (name === 'userProperties') {
        for (const [key, v] of Object.entries(value as UserProperties)) {
          for (const item of Array.isArray(v) ? v : [v]) length += 1 + str(key) + str(item);
        }
      } else if (name === 'correlationData') length += 1 + 2 + (value as Uint8Array).length;
      else if (name === 'contentType' || name === 'responseTopic') length += 1 + str(value as string);
      else if (name === 'payloadFormatIndicator') length += 2;
      else if (name === 'topicAlias') length += 3;
      else if (name === 'subscriptionIdentifier') length += 1 + varintBytes(value as number);
      else length += 5;
    }
  }
  return length;
}

function varintBytes(value: number): number {
  return value < 128 ? 1 : value < 16384 ? 2 : value < 2097152 ? 3 : 4;
}

/** The properties of a received PUBLISH as mqtt.js 4.0.1 parsed them → what the `message` detail carries. */
export function messageProperties(parsed: Record<string, unknown> | undefined): MessageProperties | undefined {
  if (!parsed) return undefined;
  const out: MessageProperties = {};
  const { userProperties: user, contentType, payloadFormatIndicator, messageExpiryInterval, responseTopic, correlationData, subscriptionIdentifier } = parsed;
  if (isPlainObject(user)) out.userProperties = splitJoined(user);
  if (typeof contentType === 'string') out.contentType = contentType;
  if (typeof payloadFormatIndicator === 'boolean') out.payloadFormatIndicator = payloadFormatIndicator;
  if (typeof messageExpiryInterval === 'number') out.messageExpiryInterval = messageExpiryInterval;
  if (typeof responseTopic === 'string') out.responseTopic = responseTopic;
  if (ArrayBuffer.isView(correlationData)) {
    const bytes = new Uint8Array(correlationData.buffer, correlationData.byteOffset, correlationData.byteLength);
    out.correlationData = exactArrayBuffer(bytes);
    out.correlationText = decodeUtf8(bytes);
  }
  if (typeof subscriptionIdentifier === 'number') out.subscriptionIdentifiers = [subscriptionIdentifier];
  else if (Array.isArray(subscriptionIdentifier)) out.subscriptionIdentifiers = subscriptionIdentifier.filter((n): n is number => typeof n === 'number');
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Sent properties → the same view a received message has (for `publish` details and the list). */
export function sentProperties(sent: VendorProperties | undefined): MessageProperties | undefined {
  if (!sent) return undefined;
  const shown: Record<string, unknown> = assign<Record<string, unknown>, VendorProperties>({}, sent);
  delete shown.topicAlias;
  delete shown.willDelayInterval;
  delete shown.subscriptionIdentifier;
  return messageProperties(shown);
}
