/**
 * The one builder of message event details: `message` (in) and `publish` (out). A detail is a
 * plain object. Its `bytes` (an exact ArrayBuffer copy, the costly part: an allocation per message)
 * is made the first time something reads it, once, and is then an ordinary field; until then the
 * detail holds the view mqtt.js handed over, out of sight. `payload` is decoded at once (natively
 * where the platform has TextDecoder).
 */
import { decodeText, exactArrayBuffer } from '../core/codec';
import type { Direction, MessageData, MqttMessage } from '../core/message';
import type { MessageProperties } from '../core/properties';
import type { MessageEventDetail, PublishEventDetail } from '../types';

const VIEW = Symbol('miniprogram-mqtt/bytes');

type Pending = MqttMessage & { [VIEW]?: Uint8Array; restored?: boolean };

/** The field becomes an ordinary one holding `value`. */
function settle(detail: Pending, key: 'payload' | 'bytes', value: string | ArrayBuffer): void {
  Object.defineProperty(detail, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Shared by every detail: the first read of `key` makes its value from the view, once; a write replaces it. */
function lazy(key: 'payload' | 'bytes', make: (view: Uint8Array) => string | ArrayBuffer): PropertyDescriptor {
  return {
    enumerable: true,
    configurable: true,
    get(this: Pending) {
      const value = make(this[VIEW]!);
      settle(this, key, value);
      return value;
    },
    set(this: Pending, value: string | ArrayBuffer) {
      settle(this, key, value);
    },
  };
}

const LAZY_PAYLOAD = lazy('payload', decodeText);
const LAZY_BYTES = lazy('bytes', exactArrayBuffer);

export interface DetailExtra {
  /** `message`: the DUP flag the broker sent. */
  dup?: boolean;
  /** `publish`: restored from storage after a relaunch (or an end()). */
  restored?: boolean;
  /** The payload as text when the caller has it already (a string passed to publish()). */
  text?: string;
  properties?: MessageProperties;
}

/** A message's detail: `in` for the `message` event, `out` for `publish` (once the broker has it, or, at QoS 0, once it is written). */
export function messageDetail(direction: 'in', id: string, data: MessageData, extra: DetailExtra): MessageEventDetail;
export function messageDetail(direction: 'out', id: string, data: MessageData, extra: DetailExtra): PublishEventDetail;
export function messageDetail(direction: Direction, id: string, data: MessageData, extra: DetailExtra): MqttMessage {
  // keys in the order details have always had: id, topic, payload, bytes, qos, retain, dup, direction, time, restored, properties
  const detail = { id, topic: data.topic } as Pending;
  Object.defineProperty(detail, VIEW, { value: data.bytes });
  if (extra.text === undefined) Object.defineProperty(detail, 'payload', LAZY_PAYLOAD);
  else detail.payload = extra.text;
  Object.defineProperty(detail, 'bytes', LAZY_BYTES);
  detail.qos = data.qos;
  detail.retain = data.retain;
  if (direction === 'in') detail.dup = extra.dup === true;
  detail.direction = direction;
  detail.time = Date.now();
  if (extra.restored) detail.restored = true;
  if (extra.properties) detail.properties = extra.properties;
  return detail;
}
