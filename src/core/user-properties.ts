/**
 * Repeated user property names (MQTT 5 §3.3.2.3.7: "the same name is allowed to appear more than
 * once") through mqtt.js 4.0.1's bundle, whose packet writer turns an array value into one
 * comma-joined string and whose parser keeps only the last value of a repeated name. Values are
 * handed to mqtt.js joined with U+0000, which MQTT strings may not contain, and the packets are
 * rewritten on the way out (one pair per value) and on the way in (one pair per name, joined).
 */
import { assign } from './errors';
import { concat, PROPERTY_KINDS, readVarint, twoBytes, writeVarint } from './wire';

/** MQTT 5 user properties: name → value, or values when a name repeats. */
export type UserProperties = Record<string, string | string[]>;

const USER_PROPERTY = 0x26;
const CONNECT = 1;
const PUBLISH = 3;
const SUBSCRIBE = 8;
const JOIN = '\u0000';

/** Arrays → one U+0000-joined string per name, for mqtt.js. */
export function joinRepeated<T extends { userProperties?: UserProperties }>(properties: T): T;
export function joinRepeated<T extends { userProperties?: UserProperties }>(properties: T | undefined): T | undefined;
export function joinRepeated<T extends { userProperties?: UserProperties }>(properties: T | undefined): T | undefined {
  const user = properties?.userProperties;
  if (!user || !Object.values(user).some(Array.isArray)) return properties;
  const joined: Record<string, string> = {};
  for (const [name, value] of Object.entries(user)) joined[name] = Array.isArray(value) ? value.join(JOIN) : value;
  return assign({}, properties, { userProperties: joined });
}

/** Received user properties: a name whose values were joined on the way in → its values. */
export function splitJoined(user: Record<string, unknown>): UserProperties {
  const out: UserProperties = {};
  for (const [name, value] of Object.entries(user)) {
    if (Array.isArray(value)) {
      out[name] = value.map(String);
      continue;
    }
    const text = String(value);
    out[name] = text.includes(JOIN) ? text.split(JOIN) : text;
  }
  return out;
}

interface Pair {
  name: Uint8Array;
  value: Uint8Array;
}

interface Block {
  /** Offset of the block's length varint, and of the first byte after the block. */
  start: number;
  end: number;
  /** The block's properties other than user properties, as raw bytes, and its user property pairs, in order. */
  others: Uint8Array[];
  pairs: Pair[];
}

function readBlock(packet: Uint8Array, start: number): Block | undefined {
  const length = readVarint(packet, start);
  if (!length) return undefined;
  const end = length.next + length.value;
  if (end > packet.length) return undefined;
  const block: Block = { start, end, others: [], pairs: [] };
  let at = length.next;
  const string = (from: number): number => from + 2 + twoBytes(packet, from);
  while (at < end) {
    const from = at;
    const id = packet[at++];
    const kind = PROPERTY_KINDS[id];
    if (kind === undefined) return undefined;
    if (kind === 'pair') {
      const nameEnd = string(at);
      const valueEnd = string(nameEnd);
      block.pairs.push({ name: packet.subarray(at + 2, nameEnd), value: packet.subarray(nameEnd + 2, valueEnd) });
      at = valueEnd;
      continue;
    }
    if (kind === 'byte') at += 1;
    else if (kind === 'two') at += 2;
    else if (kind === 'four') at += 4;
    else if (kind === 'varint') at = readVarint(packet, at)?.next ?? end + 1;
    else at = string(at);
    block.others.push(packet.subarray(from, at));
  }
  return at === end ? block : undefined;
}

function encodePair({ name, value }: Pair): Uint8Array {
  const out = new Uint8Array(5 + name.length + value.length);
  out[0] = USER_PROPERTY;
  out[1] = name.length >> 8;
  out[2] = name.length & 0xff;
  out.set(name, 3);
  out[3 + name.length] = value.length >> 8;
  out[4 + name.length] = value.length & 0xff;
  out.set(value, 5 + name.length);
  return out;
}

/** The packet with the block at `block` replaced by one holding `others` and `pairs`, lengths recomputed. */
function replaceBlock(packet: Uint8Array, block: Block, pairs: Pair[]): Uint8Array {
  const content = concat([...block.others, ...pairs.map(encodePair)]);
  const blockLength: number[] = [];
  writeVarint(content.length, blockLength);
  const header = readVarint(packet, 1)!;
  const body = concat([packet.subarray(header.next, block.start), Uint8Array.from(blockLength), content, packet.subarray(block.end)]);
  const fixed: number[] = [packet[0]];
  writeVarint(body.length, fixed);
  return concat([Uint8Array.from(fixed), body]);
}

const hasZero = (bytes: Uint8Array): boolean => bytes.indexOf(0) !== -1;

function splitPair(pair: Pair): Pair[] {
  if (!hasZero(pair.value)) return [pair];
  const pairs: Pair[] = [];
  let from = 0;
  for (let i = 0; i <= pair.value.length; i++) {
    if (i === pair.value.length || pair.value[i] === 0) {
      pairs.push({ name: pair.name, value: pair.value.subarray(from, i) });
      from = i + 1;
    }
  }
  return pairs;
}

/** Offsets of the property blocks of an outgoing MQTT 5 packet that can carry user properties. */
function blockStarts(packet: Uint8Array): ((p: Uint8Array) => number | undefined)[] {
  const type = packet[0] >> 4;
  const body = (p: Uint8Array): number => readVarint(p, 1)!.next;
  if (type === PUBLISH) {
    const qos = (packet[0] >> 1) & 3;
    return [(p) => body(p) + 2 + twoBytes(p, body(p)) + (qos > 0 ? 2 : 0)];
  }
  if (type === SUBSCRIBE) return [(p) => body(p) + 2];
  if (type !== CONNECT) return [];
  const connectBlock = (p: Uint8Array): number => body(p) + 10;
  const willFlag = (packet[readVarint(packet, 1)!.next + 7] & 0x04) !== 0;
  const willBlock = (p: Uint8Array): number | undefined => {
    const length = readVarint(p, connectBlock(p));
    if (!length) return undefined;
    const clientIdAt = length.next + length.value;
    return clientIdAt + 2 + twoBytes(p, clientIdAt);
  };
  return willFlag ? [connectBlock, willBlock] : [connectBlock];
}

/** Outgoing: each U+0000-joined user property value becomes one pair per value. Other packets are returned as they are. */
export function expandJoinedPairs(packet: Uint8Array): Uint8Array {
  let out = packet;
  for (const startOf of blockStarts(packet)) {
    const start = startOf(out);
    const block = start === undefined ? undefined : readBlock(out, start);
    if (!block || !block.pairs.some((p) => hasZero(p.value))) continue;
    const pairs: Pair[] = [];
    block.pairs.forEach((pair) => pairs.push(...splitPair(pair)));
    out = replaceBlock(out, block, pairs);
  }
  return out;
}

/** Incoming PUBLISH: the property block at `start` with each repeated user property name's values joined with U+0000 into one pair. */
export function mergeRepeatedPairs(packet: Uint8Array, start: number): Uint8Array {
  const block = readBlock(packet, start);
  if (!block || block.pairs.length < 2) return packet;
  const byName = new Map<string, Pair>();
  let repeated = false;
  for (const pair of block.pairs) {
    const key = Array.from(pair.name).join(',');
    const seen = byName.get(key);
    if (seen) {
      repeated = true;
      seen.value = concat([seen.value, Uint8Array.of(0), pair.value]);
    } else byName.set(key, assign({}, pair));
  }
  return repeated ? replaceBlock(packet, block, [...byName.values()]) : packet;
}
