/**
 * The one builder of message event details: `message` (in) and `publish` (out). A detail is a
 * plain object. Its `payload` (the UTF-8 text, natively decoded where the platform has
 * TextDecoder) and `bytes` (an exact ArrayBuffer copy: an allocation per message) are made the
 * first time something reads them, once, and are then ordinary fields; until then the detail holds
 * the view mqtt.js handed over, out of sight, and lets it go once both are made. A frozen detail
 * keeps its accessors and remembers what they made.
 */
import { decodeText, exactArrayBuffer } from '../core/codec';
import { assign } from '../core/errors';
import type { Direction, MessageData, MqttMessage } from '../core/message';
import type { MessageProperties } from '../core/properties';
import type { MessageEventDetail, PublishEventDetail } from '../types';

const VIEW = Symbol('miniprogram-mqtt/bytes');

// Looked up once: where code runs in a vm context (jest here) each global lookup costs about 130 ns.
// Date.now stays a lookup per message: tests (ours, and apps' with fake timers) replace it.
const { defineProperty, getOwnPropertyDescriptor } = Object;

type Pending = MqttMessage & { [VIEW]?: Uint8Array; restored?: boolean };

/** Values made for a frozen detail, which cannot turn its accessors into fields (Immer and Redux freeze state). */
const madeForFrozen = new WeakMap<object, Partial<Record<'payload' | 'bytes', string | ArrayBuffer>>>();

/** The field becomes an ordinary one holding `value`; once both are, the frame's view is let go. False on a frozen detail. */
function settle(detail: Pending, key: 'payload' | 'bytes', value: string | ArrayBuffer): boolean {
  try {
    defineProperty(detail, key, { value, writable: true, enumerable: true, configurable: true });
  } catch {
    return false;
  }
  if (!getOwnPropertyDescriptor(detail, key === 'payload' ? 'bytes' : 'payload')?.get) detail[VIEW] = undefined;
  return true;
}

/** Shared by every detail: the first read of `key` makes its value from the view, once; a write replaces it. */
function lazy(key: 'payload' | 'bytes', make: (view: Uint8Array) => string | ArrayBuffer): PropertyDescriptor {
  return {
    enumerable: true,
    configurable: true,
    get(this: Pending) {
      const made = madeForFrozen.get(this)?.[key];
      if (made !== undefined) return made;
      const value = make(this[VIEW]!);
      if (!settle(this, key, value)) madeForFrozen.set(this, assign({}, madeForFrozen.get(this), { [key]: value }));
      return value;
    },
    set(this: Pending, value: string | ArrayBuffer) {
      if (!settle(this, key, value)) throw new TypeError(`Cannot assign to '${key}' of a frozen message detail`);
    },
  };
}

const LAZY_PAYLOAD = lazy('payload', decodeText);
const LAZY_BYTES = lazy('bytes', exactArrayBuffer);
/** The view's descriptor, reused (its value set for one call) rather than allocated per message. */
const HIDDEN_VIEW: PropertyDescriptor = { value: undefined, writable: true };

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
  HIDDEN_VIEW.value = data.bytes;
  defineProperty(detail, VIEW, HIDDEN_VIEW);
  HIDDEN_VIEW.value = undefined;
  if (extra.text === undefined) defineProperty(detail, 'payload', LAZY_PAYLOAD);
  else detail.payload = extra.text;
  defineProperty(detail, 'bytes', LAZY_BYTES);
  detail.qos = data.qos;
  detail.retain = data.retain;
  if (direction === 'in') detail.dup = extra.dup === true;
  detail.direction = direction;
  detail.time = Date.now();
  if (extra.restored) detail.restored = true;
  if (extra.properties) detail.properties = extra.properties;
  return detail;
}
