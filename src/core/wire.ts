/**
 * The byte-level primitives MQTT packets are made of (Variable Byte Integers, two-byte integers,
 * property identifiers), shared by packets.ts and user-properties.ts. MQTT 5.0 §1.5 and §2.2.2.2.
 */

/** A malformed packet from the server: the connection must close (MQTT 5 reason 0x81, 0x94 …). */
export class ProtocolViolation extends Error {
  constructor(
    readonly reasonCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Appends `value` as a Variable Byte Integer to `out`. */
export function writeVarint(value: number, out: number[]): void {
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
}

/** Reads a Variable Byte Integer; undefined when the bytes end first. */
export function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0;
  let factor = 1;
  for (let i = 0; i < 4; i++) {
    if (at + i >= bytes.length) return undefined;
    const byte = bytes[at + i];
    value += (byte & 0x7f) * factor;
    if ((byte & 0x80) === 0) return { value, next: at + i + 1 };
    factor *= 128;
  }
  throw new ProtocolViolation(0x81, 'malformed remaining length');
}

/** The parts one after another, in one new array. */
export function concat(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

type PropertyKind = 'byte' | 'two' | 'four' | 'varint' | 'string' | 'binary' | 'pair';

/** MQTT 5.0 §2.2.2.2: each property identifier and how its value is encoded. */
export const PROPERTY_KINDS: Record<number, PropertyKind> = {
  0x01: 'byte', 0x02: 'four', 0x03: 'string', 0x08: 'string', 0x09: 'binary', 0x0b: 'varint', 0x11: 'four',
  0x12: 'string', 0x13: 'two', 0x15: 'string', 0x16: 'binary', 0x17: 'byte', 0x18: 'four', 0x19: 'byte',
  0x1a: 'string', 0x1c: 'string', 0x1f: 'string', 0x21: 'two', 0x22: 'two', 0x23: 'two', 0x24: 'byte',
  0x25: 'byte', 0x26: 'pair', 0x27: 'four', 0x28: 'byte', 0x29: 'byte', 0x2a: 'byte',
};

/** The Two Byte Integer at `at` (big-endian). */
export const twoBytes = (b: Uint8Array, at: number): number => (b[at] << 8) | b[at + 1];
