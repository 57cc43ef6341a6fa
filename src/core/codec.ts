/** Payload codecs without TextEncoder/TextDecoder (WeChat has neither); decodeText uses a native TextDecoder where one exists. */
import type { ErrorInfo } from './errors';

const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

export function encodeUtf8(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if ((next & 0xfc00) === 0xdc00) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
      }
    }
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  }
  return Uint8Array.from(out);
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) return false;
  return true;
}

/** UTF-8 → string as WHATWG TextDecoder does: each maximal invalid subpart becomes U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  if (bytes.length <= 8192 && isAscii(bytes)) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let out = '';
  const chunk: number[] = [];
  const flush = (): void => {
    out += String.fromCharCode.apply(null, chunk);
    chunk.length = 0;
  };
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let need = 0;
    let code = 0;
    let lower = 0x80;
    let upper = 0xbf;
    if (b < 0x80) {
      chunk.push(b);
      i++;
    } else {
      if (b >= 0xc2 && b <= 0xdf) [need, code] = [1, b & 0x1f];
      else if (b >= 0xe0 && b <= 0xef) {
        [need, code] = [2, b & 0x0f];
        if (b === 0xe0) lower = 0xa0;
        if (b === 0xed) upper = 0x9f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        [need, code] = [3, b & 0x07];
        if (b === 0xf0) lower = 0x90;
        if (b === 0xf4) upper = 0x8f;
      }
      i++;
      let ok = need > 0;
      for (let k = 0; ok && k < need; k++) {
        const c = bytes[i];
        if (i >= bytes.length || c < lower || c > upper) ok = false;
        else {
          code = (code << 6) | (c & 0x3f);
          i++;
          lower = 0x80;
          upper = 0xbf;
        }
      }
      if (!ok) chunk.push(0xfffd);
      else if (code >= 0x10000) chunk.push(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff));
      else chunk.push(code);
    }
    if (chunk.length >= 8192) flush();
  }
  flush();
  return out;
}

/** The platform's own decoder, where there is one (Node, some base libraries); a leading BOM is kept, as decodeUtf8 keeps it. */
const nativeDecoder = ((): { decode(bytes: Uint8Array): string } | undefined => {
  const root = (typeof globalThis === 'object' ? globalThis : {}) as { TextDecoder?: new (label: string, options: { ignoreBOM: boolean }) => { decode(bytes: Uint8Array): string } };
  try {
    return typeof root.TextDecoder === 'function' ? new root.TextDecoder('utf-8', { ignoreBOM: true }) : undefined;
  } catch {
    return undefined;
  }
})();

/** decodeUtf8's text, by the native TextDecoder when the platform has one (the same text, several times faster). */
export function decodeText(bytes: Uint8Array): string {
  if (nativeDecoder) return nativeDecoder.decode(bytes);
  // mqtt.js hands over its own Buffer (a Uint8Array subclass): read through a plain view, one shape
  // for the loops below, which otherwise run several times slower once both shapes were seen
  return decodeUtf8(bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array, separator = ''): string {
  const parts: string[] = new Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  return parts.join(separator);
}

export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error('not hex');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? B64[n & 63] : '=';
  }
  return out;
}

export function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/[\s=]+/g, '');
  if (/[^A-Za-z0-9+/]/.test(clean) || clean.length % 4 === 1) throw new Error('not base64');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    value = (value << 6) | B64.indexOf(char);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

export type JsonView = { ok: true; text: string } | { ok: false; text: string };

/** Pretty JSON when `text` parses, else the text as it was with ok: false (for a visible mark). */
export function formatJson(text: string, indent = 2): JsonView {
  try {
    return { ok: true, text: JSON.stringify(JSON.parse(text), null, indent) };
  } catch {
    return { ok: false, text };
  }
}

/** ArrayBuffer check that also holds across realms (jsdom, WeChat's JS contexts). */
/** This realm's byteLength getter: it reads the internal slot, so it accepts another realm's ArrayBuffers and nothing else. */
const byteLengthOf = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')!.get!;

/** An ArrayBuffer of this realm or another (a platform's socket may hand over its own); look-alikes are refused. */
export function isArrayBuffer(value: unknown): value is ArrayBuffer {
  if (value instanceof ArrayBuffer) return true;
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return false;
  try {
    byteLengthOf.call(value);
    return true;
  } catch {
    return false;
  }
}

export type EncodeResult = { ok: true; bytes: Uint8Array } | { ok: false; error: ErrorInfo };

/** The view's own bytes in a new ArrayBuffer of exactly that size (never the larger underlying buffer). */
export const exactArrayBuffer = (view: ArrayBufferView): ArrayBuffer =>
  view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer;

function isPlainJson(value: unknown): boolean {
  if (value === null || Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Payload → bytes: string as UTF-8, ArrayBuffer and typed arrays as their bytes (copied, so the
 * socket never sends a larger underlying buffer), plain objects, arrays, numbers and booleans as JSON.
 */
export function encodePayload(value: unknown, maxBytes = DEFAULT_MAX_PAYLOAD_BYTES, field = 'payload'): EncodeResult {
  let bytes: Uint8Array;
  if (typeof value === 'string') {
    if (value.length > maxBytes) return { ok: false, error: { code: 'PAYLOAD_TOO_LARGE', field, limit: maxBytes } };
    bytes = encodeUtf8(value);
  } else if (isArrayBuffer(value)) bytes = new Uint8Array(value.slice(0));
  else if (ArrayBuffer.isView(value)) bytes = new Uint8Array(exactArrayBuffer(value));
  else if (typeof value === 'number' && !Number.isFinite(value)) {
    return { ok: false, error: { code: 'INVALID_PAYLOAD', field, reason: `${value} is not JSON` } };
  } else if (typeof value === 'number' || typeof value === 'boolean') bytes = encodeUtf8(JSON.stringify(value));
  else if (typeof value === 'object' && value !== null && isPlainJson(value)) {
    let json: string;
    try {
      json = JSON.stringify(value);
    } catch {
      return { ok: false, error: { code: 'INVALID_PAYLOAD', field, reason: 'not serialisable as JSON (cyclic?)' } };
    }
    if (json.length > maxBytes) return { ok: false, error: { code: 'PAYLOAD_TOO_LARGE', field, limit: maxBytes } };
    bytes = encodeUtf8(json);
  } else {
    const kind = value === null ? 'null' : typeof value;
    return { ok: false, error: { code: 'INVALID_PAYLOAD', field, reason: `${kind} cannot be sent` } };
  }
  if (bytes.length > maxBytes) return { ok: false, error: { code: 'PAYLOAD_TOO_LARGE', field, limit: maxBytes } };
  return { ok: true, bytes };
}

/** First `maxChars` characters of `text`, and whether anything was cut. */
export function preview(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  let end = maxChars;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return { text: text.slice(0, end), truncated: true };
}
