/**
 * A frame as a platform hands it to onMessage, read as bytes — or, when it has no shape this
 * library knows, a description of what came instead (never its content), for FRAME_UNREADABLE.
 */
import { encodeUtf8, isArrayBuffer } from '../core/codec';

/** A WebSocket message in WeChat's shape; `unreadable` set by an adapter that could not read its platform's message. */
export interface WxMessage {
  data: string | ArrayBuffer;
  /** What the platform gave instead of a message this library can read. */
  unreadable?: string;
}

/** The bytes of a frame: text as UTF-8, an ArrayBuffer or a view of one; undefined for anything else. */
export function frameBytes(data: unknown): Uint8Array | undefined {
  if (typeof data === 'string') return encodeUtf8(data);
  if (isArrayBuffer(data)) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/** `value`'s type, and an object's first keys: what a platform gave, without its content. */
export function shapeOf(value: unknown): string {
  if (value === null || typeof value !== 'object') return value === null ? 'null' : typeof value;
  const keys = Object.keys(value);
  return `an object {${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''}}`;
}
