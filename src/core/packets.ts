/**
 * MQTT framing over a byte stream, and the few packet fields the platform reads before mqtt.js
 * does: packet boundaries (packets may span or share WebSocket frames), CONNACK and DISCONNECT
 * properties, topic aliases. MQTT 3.1.1 §2.2, MQTT 5.0 §2.1–2.2 and §3.
 */
import { decodeUtf8, encodeUtf8 } from './codec';
import { mergeRepeatedPairs } from './user-properties';
import { concat, PROPERTY_KINDS, ProtocolViolation, readVarint, twoBytes, writeVarint } from './wire';

export { concat, ProtocolViolation } from './wire';

/** Packet types (MQTT 5.0 §2.1.2) and property identifiers (§2.2.2.2) read here. */
const CONNACK = 2;
const PUBLISH = 3;
const PUBACK = 4;
const PUBCOMP = 7;
const DISCONNECT = 14;
const AUTH = 15;

/** Bytes a Variable Byte Integer of this value takes. */
function varintLength(value: number): number {
  return value < 128 ? 1 : value < 16384 ? 2 : value < 2097152 ? 3 : 4;
}

/** The size of a PUBLISH packet on the wire, for comparing with the server's Maximum Packet Size. */
export function publishPacketSize(topicBytes: number, payloadBytes: number, qos: number, propertyBytes?: number): number {
  const properties = propertyBytes === undefined ? 0 : varintLength(propertyBytes) + propertyBytes;
  const remaining = 2 + topicBytes + (qos > 0 ? 2 : 0) + properties + payloadBytes;
  return 1 + varintLength(remaining) + remaining;
}

/** Where the packet starting at `at` ends (its fixed header read without allocating); Infinity while its header is cut. */
function packetEnd(bytes: Uint8Array, at: number): number {
  let remaining = 0;
  let factor = 1;
  for (let i = at + 1; i < at + 5; i++) {
    if (i >= bytes.length) return Infinity;
    remaining += (bytes[i] & 0x7f) * factor;
    if ((bytes[i] & 0x80) === 0) return i + 1 + remaining;
    factor *= 128;
  }
  throw new ProtocolViolation(0x81, 'malformed remaining length');
}

/** Splits a byte stream into whole MQTT packets; keeps a partial tail for the next chunk. */
export class PacketSplitter {
  private tail?: Uint8Array;

  /** Whole packets in `chunk` (with any tail before it), as views. */
  push(chunk: Uint8Array): Uint8Array[] {
    const bytes = this.tail ? concat([this.tail, chunk]) : chunk;
    this.tail = undefined;
    const packets: Uint8Array[] = [];
    let at = 0;
    while (at < bytes.length) {
      const length = readVarint(bytes, at + 1);
      if (!length || length.next + length.value > bytes.length) break;
      packets.push(bytes.subarray(at, length.next + length.value));
      at = length.next + length.value;
    }
    if (at < bytes.length) this.tail = bytes.slice(at);
    return packets;
  }

  /** Whether bytes of an incomplete packet are waiting. */
  get pending(): boolean {
    return this.tail !== undefined;
  }
}

const RECEIVE_MAXIMUM = 0x21;
const TOPIC_ALIAS_MAXIMUM = 0x22;
const TOPIC_ALIAS = 0x23;
const MAXIMUM_PACKET_SIZE = 0x27;
const REASON_STRING = 0x1f;
const SERVER_REFERENCE = 0x1c;
const RESPONSE_INFORMATION = 0x1a;
const AUTHENTICATION_METHOD = 0x15;
const AUTHENTICATION_DATA = 0x16;
const SUBSCRIPTION_IDENTIFIERS_AVAILABLE = 0x29;

/** The numeric and string properties of one property block, by identifier (user properties skipped). */
interface PropertyBlock {
  values: Map<number, number | string | Uint8Array>;
  /** Offsets of the block in the packet: its length field, and the first byte after it. */
  start: number;
  end: number;
}

function readProperties(packet: Uint8Array, start: number, limit = packet.length): PropertyBlock {
  const length = readVarint(packet, start);
  if (!length || length.next + length.value > limit) throw new ProtocolViolation(0x81, 'properties longer than the packet');
  const end = length.next + length.value;
  const values = new Map<number, number | string | Uint8Array>();
  let at = length.next;
  const need = (n: number): void => {
    if (at + n > end) throw new ProtocolViolation(0x81, 'property longer than its block');
  };
  while (at < end) {
    const id = packet[at++];
    const kind = PROPERTY_KINDS[id];
    if (!kind) throw new ProtocolViolation(0x81, `unknown property 0x${id.toString(16)}`);
    if (kind === 'byte') {
      need(1);
      values.set(id, packet[at++]);
    } else if (kind === 'two') {
      need(2);
      values.set(id, twoBytes(packet, at));
      at += 2;
    } else if (kind === 'four') {
      need(4);
      values.set(id, (twoBytes(packet, at) * 65536) + twoBytes(packet, at + 2));
      at += 4;
    } else if (kind === 'varint') {
      const v = readVarint(packet, at);
      if (!v || v.next > end) throw new ProtocolViolation(0x81, 'property longer than its block');
      values.set(id, v.value);
      at = v.next;
    } else {
      const fields = kind === 'pair' ? 2 : 1;
      for (let f = 0; f < fields; f++) {
        need(2);
        const n = twoBytes(packet, at);
        need(2 + n);
        if (kind === 'string') values.set(id, decodeUtf8(packet.subarray(at + 2, at + 2 + n)));
        if (kind === 'binary') values.set(id, packet.slice(at + 2, at + 2 + n));
        at += 2 + n;
      }
    }
  }
  return { values, start, end };
}

/** What the platform learns from CONNACK before mqtt.js sees it. */
export interface ConnackInfo {
  sessionPresent: boolean;
  returnCode: number;
  receiveMaximum?: number;
  maximumPacketSize?: number;
  topicAliasMaximum?: number;
  reasonString?: string;
  serverReference?: string;
  /** The prefix the server suggests for response topics (asked for with requestResponseInformation). */
  responseInformation?: string;
  /** False when the server said it does not support Subscription Identifiers. */
  subscriptionIdentifiersAvailable?: boolean;
}

/** A server DISCONNECT (MQTT 5 only). */
export interface DisconnectInfo {
  reasonCode: number;
  reasonString?: string;
  serverReference?: string;
}

/** A server AUTH (MQTT 5 §3.15): 0x18 continue (an answer is due), 0x00 success of a re-authentication. */
export interface AuthInfo {
  reasonCode: number;
  authenticationMethod?: string;
  authenticationData?: Uint8Array;
  reasonString?: string;
}

export type InboundEvent = { type: 'connack'; info: ConnackInfo } | { type: 'disconnect'; info: DisconnectInfo } | { type: 'auth'; info: AuthInfo };

type PropertyValue = number | string | Uint8Array | undefined;
const asNumber = (v: PropertyValue): number | undefined => (typeof v === 'number' ? v : undefined);
const asString = (v: PropertyValue): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Sits between the socket and mqtt.js 4.0.1 on one connection. Reports CONNACK and DISCONNECT,
 * and rewrites what the bundled mqtt-packet cannot parse:
 * - MQTT 5 acknowledgements with a reason code but no property length (PUBACK … PUBCOMP,
 *   remaining length 3, §3.4.2.2), and DISCONNECT/AUTH with no reason code or no properties
 *   (§3.14.2.1, §3.15.2.1): the missing defaults are added.
 * - A CONNACK without properties, as a server that does not speak MQTT 5 refuses it.
 * - PUBLISH with a Topic Alias (§3.3.2.3.4): the topic is filled in, since mqtt.js 4.0.1
 *   would acknowledge it and drop it. An alias the client never allowed, or one never set, is a
 *   protocol error (0x94) thrown as a ProtocolViolation.
 */
export class InboundFilter {
  /** The start of a packet not complete yet, held back from mqtt.js until it is. */
  private held?: Uint8Array;
  private readonly aliases = new Map<number, Uint8Array>();

  constructor(
    private readonly protocolVersion: 4 | 5,
    /** The Topic Alias Maximum the client sent in CONNECT (0: none allowed). */
    private readonly topicAliasMaximum = 0,
  ) {}

  /**
   * The bytes to hand to mqtt.js for this chunk (the chunk itself when nothing changed), and what
   * was seen: whole packets only, so mqtt.js parses each in one go (a broker may send one packet
   * in several frames).
   */
  push(chunk: Uint8Array): { bytes: Uint8Array; events: InboundEvent[] } {
    const events: InboundEvent[] = [];
    const input = this.held ? concat([this.held, chunk]) : chunk;
    let changed = this.held !== undefined;
    this.held = undefined;
    const pieces: Uint8Array[] = [];
    let copiedTo = 0;
    let at = 0;
    while (at < input.length) {
      const end = packetEnd(input, at);
      if (end > input.length) {
        this.held = input.slice(at);
        changed = true;
        break;
      }
      if (!this.passesUnread(input[at] >> 4, input, at)) {
        const packet = input.subarray(at, end);
        const fixed = this.inspect(packet, events);
        if (fixed !== packet) {
          pieces.push(input.subarray(copiedTo, at), fixed);
          copiedTo = end;
          changed = true;
        }
      }
      at = end;
    }
    if (!changed) return { bytes: chunk, events };
    const rest = input.subarray(copiedTo, at);
    return { bytes: pieces.length === 0 ? rest : concat([...pieces, rest]), events };
  }

  /** A whole packet at `at` that inspect() would hand on unchanged and unreported (at 3.1.1, all but CONNACK). */
  private passesUnread(type: number, bytes: Uint8Array, at: number): boolean {
    if (type === CONNACK) return false;
    if (this.protocolVersion === 4) return true;
    if (type >= PUBACK && type <= PUBCOMP) return bytes[at + 1] !== 3;
    return type !== PUBLISH && type !== DISCONNECT && type !== AUTH;
  }

  private inspect(packet: Uint8Array, events: InboundEvent[]): Uint8Array {
    const type = packet[0] >> 4;
    const header = readVarint(packet, 1)!;
    const body = header.next;
    const remaining = header.value;
    const v5 = this.protocolVersion === 5;
    if (type === CONNACK) {
      events.push({ type: 'connack', info: this.connack(packet, body, v5) });
      // A server without MQTT 5 refuses in 3.1.1 form (return code 1, no properties).
      return v5 && remaining === 2 ? withBody(packet[0], packet.subarray(body), [0]) : packet;
    }
    if (!v5) return packet;
    if (type >= PUBACK && type <= PUBCOMP && remaining === 3) return withBody(packet[0], packet.subarray(body), [0]);
    if (type === DISCONNECT || type === AUTH) {
      const fixed = remaining === 0 ? withBody(packet[0], packet.subarray(body), [0, 0]) : remaining === 1 ? withBody(packet[0], packet.subarray(body), [0]) : packet;
      if (type === DISCONNECT) {
        events.push({ type: 'disconnect', info: disconnect(fixed) });
        return fixed;
      }
      // the connection answers AUTH itself: mqtt.js 4.0.1 never finishes one, and its parser would stall behind it
      events.push({ type: 'auth', info: auth(fixed) });
      return fixed.subarray(0, 0);
    }
    if (type === PUBLISH) return this.publish(packet, body);
    return packet;
  }

  private connack(packet: Uint8Array, body: number, v5: boolean): ConnackInfo {
    const info: ConnackInfo = { sessionPresent: (packet[body] & 1) === 1, returnCode: packet[body + 1] ?? 0 };
    if (v5 && packet.length > body + 2) {
      const { values } = readProperties(packet, body + 2);
      info.receiveMaximum = asNumber(values.get(RECEIVE_MAXIMUM));
      info.maximumPacketSize = asNumber(values.get(MAXIMUM_PACKET_SIZE));
      info.topicAliasMaximum = asNumber(values.get(TOPIC_ALIAS_MAXIMUM));
      info.reasonString = asString(values.get(REASON_STRING));
      info.serverReference = asString(values.get(SERVER_REFERENCE));
      info.responseInformation = asString(values.get(RESPONSE_INFORMATION));
      const ids = asNumber(values.get(SUBSCRIPTION_IDENTIFIERS_AVAILABLE));
      if (ids !== undefined) info.subscriptionIdentifiersAvailable = ids === 1;
    }
    this.aliases.clear();
    return info;
  }

  private publish(packet: Uint8Array, body: number): Uint8Array {
    const qos = (packet[0] >> 1) & 3;
    const topicLength = twoBytes(packet, body);
    const afterTopic = body + 2 + topicLength + (qos > 0 ? 2 : 0);
    if (afterTopic >= packet.length) throw new ProtocolViolation(0x81, 'PUBLISH without properties');
    if (packet[afterTopic] === 0) {
      if (topicLength === 0) throw new ProtocolViolation(0x82, 'PUBLISH with an empty topic and no alias');
      return packet;
    }
    packet = mergeRepeatedPairs(packet, afterTopic);
    const alias = asNumber(readProperties(packet, afterTopic).values.get(TOPIC_ALIAS));
    if (alias === undefined) return packet;
    if (alias === 0 || alias > this.topicAliasMaximum) throw new ProtocolViolation(0x94, `topic alias ${alias} not allowed (maximum ${this.topicAliasMaximum})`);
    if (topicLength > 0) {
      this.aliases.set(alias, packet.slice(body, body + 2 + topicLength));
      return packet;
    }
    const topic = this.aliases.get(alias);
    if (!topic) throw new ProtocolViolation(0x82, `topic alias ${alias} was never set`);
    return withBody(packet[0], concat([topic, packet.subarray(body + 2)]), []);
  }
}

/** A packet with this first byte and body (plus `extra` bytes), its remaining length recomputed. */
function withBody(first: number, body: Uint8Array, extra: number[]): Uint8Array {
  const header = [first];
  writeVarint(body.length + extra.length, header);
  return concat([Uint8Array.from(header), body, Uint8Array.from(extra)]);
}

function auth(packet: Uint8Array): AuthInfo {
  const body = readVarint(packet, 1)!.next;
  const { values } = readProperties(packet, body + 1);
  const info: AuthInfo = { reasonCode: packet[body] };
  const method = asString(values.get(AUTHENTICATION_METHOD));
  const data = values.get(AUTHENTICATION_DATA);
  const reasonString = asString(values.get(REASON_STRING));
  if (method !== undefined) info.authenticationMethod = method;
  if (data instanceof Uint8Array) info.authenticationData = data;
  if (reasonString !== undefined) info.reasonString = reasonString;
  return info;
}

/** An AUTH packet (MQTT 5 §3.15): 0x18 to continue, 0x19 to re-authenticate; the method, and data when given. */
export function authPacket(reasonCode: number, method: string, data?: Uint8Array): Uint8Array {
  const field = (id: number, bytes: Uint8Array): number[] => [id, bytes.length >> 8, bytes.length & 0xff, ...bytes];
  const properties = [...field(AUTHENTICATION_METHOD, encodeUtf8(method)), ...(data ? field(AUTHENTICATION_DATA, data) : [])];
  const length: number[] = [];
  writeVarint(properties.length, length);
  return withBody(0xf0, Uint8Array.from([reasonCode, ...length, ...properties]), []);
}

function disconnect(packet: Uint8Array): DisconnectInfo {
  const body = readVarint(packet, 1)!.next;
  const info: DisconnectInfo = { reasonCode: packet[body] };
  const { values } = readProperties(packet, body + 1);
  const reasonString = asString(values.get(REASON_STRING));
  const serverReference = asString(values.get(SERVER_REFERENCE));
  if (reasonString !== undefined) info.reasonString = reasonString;
  if (serverReference !== undefined) info.serverReference = serverReference;
  return info;
}
