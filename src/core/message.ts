/** The message shape both components share, and how a payload is shown (pure, no wx). */
import { decodeUtf8, encodeUtf8, formatJson, isArrayBuffer, preview, toBase64, toHex } from './codec';
import { assign } from './errors';
import { isObject, QoS } from './options';
import type { MessageProperties, VendorProperties } from './properties';

export type Direction = 'in' | 'out';

/** A message's data, as it goes on the wire: the base of every message the platform holds, sends, receives or stores. */
export interface MessageData {
  topic: string;
  bytes: Uint8Array;
  qos: QoS;
  retain: boolean;
  /** MQTT 5 properties, as mqtt.js takes and parses them. */
  properties?: VendorProperties;
}

/** client.pending(): a QoS 1/2 publish not yet acknowledged. */
export interface PendingMessage {
  topic: string;
  qos: QoS;
  /** Bytes of the PUBLISH packet. */
  size: number;
  /** When publish() accepted it (ms since epoch; before a relaunch for a restored one). */
  since: number;
  /** queued: waiting to be sent; sent: on the wire, waiting for PUBACK / PUBCOMP. */
  state: 'queued' | 'sent';
  /** `persist`: already in storage, so a relaunch finds it. Always false without persist. */
  stored: boolean;
}

/** A message as the panel's `message` / `publish` events carry it and `<message-list>` shows it. */
export interface MqttMessage {
  id: string;
  topic: string;
  /** The payload as UTF-8 text (invalid bytes as U+FFFD). */
  payload: string;
  /** The exact bytes; when absent, `payload` is taken as UTF-8. */
  bytes?: ArrayBuffer;
  qos: QoS;
  retain: boolean;
  dup?: boolean;
  direction: Direction;
  /** Milliseconds since the epoch. */
  time: number;
  /** MQTT 5 properties, only when the message has any. */
  properties?: MessageProperties;
}

export type PayloadFormat = 'text' | 'json' | 'hex' | 'base64';

export const PAYLOAD_FORMATS: readonly PayloadFormat[] = ['text', 'json', 'hex', 'base64'];

export interface RenderedPayload {
  text: string;
  truncated: boolean;
  /** For json: false when the payload is not JSON (shown as it is, with a mark). */
  valid: boolean;
}

/** JSON larger than this is not pretty-printed (parsing it would cost more than the view is worth). */
const MAX_JSON_PARSE_BYTES = 64 * 1024;

function bytesOfMessage(message: Pick<MqttMessage, 'bytes' | 'payload'>): Uint8Array {
  if (isArrayBuffer(message.bytes)) return new Uint8Array(message.bytes);
  return encodeUtf8(typeof message.payload === 'string' ? message.payload : String(message.payload ?? ''));
}

/** The payload in `format`, cut to `maxChars` so that the view never receives megabytes. */
export function renderPayload(message: Pick<MqttMessage, 'bytes' | 'payload'>, format: PayloadFormat, maxChars: number): RenderedPayload {
  const bytes = bytesOfMessage(message);
  if (format === 'hex') {
    const shown = bytes.subarray(0, Math.ceil(maxChars / 3));
    return assign(preview(toHex(shown, ' '), maxChars), { truncated: shown.length < bytes.length, valid: true });
  }
  if (format === 'base64') {
    const shown = bytes.subarray(0, Math.ceil((maxChars * 3) / 4));
    const cut = preview(toBase64(shown), maxChars);
    return { text: cut.text, truncated: cut.truncated || shown.length < bytes.length, valid: true };
  }
  if (format === 'json' && bytes.length <= MAX_JSON_PARSE_BYTES) {
    const json = formatJson(decodeUtf8(bytes));
    return assign(preview(json.text, maxChars), { valid: json.ok });
  }
  const head = bytes.subarray(0, maxChars * 4);
  const cut = preview(decodeUtf8(head), maxChars);
  return { text: cut.text, truncated: cut.truncated || head.length < bytes.length, valid: true };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** HH:mm:ss.SSS in local time. */
export function formatTime(time: number): string {
  const d = new Date(time);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** A message from a host, checked: anything not shaped like a message is dropped. */
export function normalizeMessage(value: unknown, fallbackId: () => string): MqttMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Partial<MqttMessage>;
  if (typeof m.topic !== 'string') return undefined;
  const bytes = isArrayBuffer(m.bytes) ? m.bytes : undefined;
  const payload = typeof m.payload === 'string' ? m.payload : bytes ? decodeUtf8(new Uint8Array(bytes)) : '';
  const message: MqttMessage = {
    id: typeof m.id === 'string' && m.id !== '' ? m.id : fallbackId(),
    topic: m.topic,
    payload,
    qos: m.qos === 1 || m.qos === 2 ? m.qos : 0,
    retain: m.retain === true,
    direction: m.direction === 'out' ? 'out' : 'in',
    time: typeof m.time === 'number' && Number.isFinite(m.time) ? m.time : Date.now(),
  };
  if (bytes) message.bytes = bytes;
  if (m.dup === true) message.dup = true;
  const properties = m.properties as unknown;
  if (isObject(properties)) message.properties = properties as MqttMessage['properties'];
  return message;
}
