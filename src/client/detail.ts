/**
 * The one builder of message event details: `message` (in) and `publish` (out). A detail is a
 * plain object. Its `payload` (the UTF-8 text, natively decoded where the platform has
 * TextDecoder) and `bytes` (an exact ArrayBuffer copy: an allocation per message) are accessors
 * that make their value the first time something reads it, once: a listener that reads neither
 * pays for neither. Both behave as fields — in JSON, spread, toEqual, assignment — and read the
 * same on a frozen detail (Immer and Redux freeze state). What they made, and the view mqtt.js
 * handed over, sit out of sight in one small record; the view is let go once both are made.
 * (Turning an accessor into a data field on first read cost more than the decoding itself.)
 */
import { decodeText, exactArrayBuffer } from '../core/codec';
import type { Direction, MessageData, MqttMessage } from '../core/message';
import type { MessageProperties } from '../core/properties';
import type { MessageEventDetail, PublishEventDetail } from '../types';

const MADE = Symbol('miniprogram-mqtt/made');

// Looked up once: where code runs in a vm context (jest here) each global lookup costs about 130 ns.
// Date.now stays a lookup per message: tests (ours, and apps' with fake timers) replace it.
const { defineProperty, isFrozen } = Object;

/** A detail's own record: the frame's view until both values are made, and what was made (or assigned). */
interface Made {
  view?: Uint8Array;
  payload?: string;
  bytes?: ArrayBuffer;
}

type Pending = MqttMessage & { [MADE]: Made; restored?: boolean };

/** Shared by every detail: `key` is made from the view on its first read, once; a write replaces it. */
function lazy<K extends 'payload' | 'bytes'>(key: K, make: (view: Uint8Array) => NonNullable<Made[K]>): PropertyDescriptor {
  return {
    enumerable: true,
    configurable: true,
    get(this: Pending) {
      const made = this[MADE];
      let value = made[key];
      if (value === undefined) {
        value = made[key] = make(made.view!);
        if (made.payload !== undefined && made.bytes !== undefined) made.view = undefined;
      }
      return value;
    },
    set(this: Pending, value: NonNullable<Made[K]>) {
      if (isFrozen(this)) throw new TypeError(`Cannot assign to '${key}' of a frozen message detail`);
      this[MADE][key] = value;
    },
  };
}

const LAZY_PAYLOAD = lazy('payload', decodeText);
const LAZY_BYTES = lazy('bytes', exactArrayBuffer);
/** The record's descriptor (not enumerable: no spread, JSON or toEqual sees it), reused rather than allocated per message. */
const HIDDEN: PropertyDescriptor = { value: undefined };

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
  HIDDEN.value = { view: data.bytes, payload: extra.text, bytes: undefined } satisfies Made;
  defineProperty(detail, MADE, HIDDEN);
  HIDDEN.value = undefined;
  defineProperty(detail, 'payload', LAZY_PAYLOAD);
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
