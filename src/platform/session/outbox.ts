/**
 * Outgoing QoS 1/2 publishes of one connection: held until the broker's Receive Maximum leaves a
 * slot, handed to mqtt.js (which stores them; this class resends them after each CONNACK), checked
 * against the broker's Maximum Packet Size, settled per MQTT §4.4 when the broker's session is
 * gone, and with `persist` restored from storage onto a new mqtt.js client.
 */
import { encodeUtf8 } from '../../core/codec';
import { assign, CodedError, ErrorInfo, errorFromPublishAck, errorText } from '../../core/errors';
import type { JournalRecord, StoredMessage } from '../../core/journal';
import type { MessageData, PendingMessage } from '../../core/message';
import { ConnackInfo, publishPacketSize } from '../../core/packets';
import { propertyBytes, VendorProperties } from '../../core/properties';
import { joinRepeated } from '../../core/user-properties';
import type { VendorClient, VendorPacket } from '../../vendor/mqtt';
import type { Settle } from '../subscriptions';
import type { PacketStore } from './packet-store';
import type { Persistence } from './persistence';

/** MQTT 5.0 §3.2.2.3.3: a CONNACK without Receive Maximum means 65,535. */
const DEFAULT_RECEIVE_MAXIMUM = 65535;

const noop = (): void => undefined;

/** Held QoS 2 publishes that get a stored packet id ahead of their slot, at most (the window, if smaller). */
const IDS_AHEAD = 64;

interface Held extends MessageData {
  size: number;
  /** When publish() accepted it (ms since epoch). */
  since: number;
  settle: Settle<void>;
  /** Its record in storage, with `persist`. */
  record?: JournalRecord;
  /** The packet id stored for it ahead of its slot (persist, QoS 2), or kept from a relaunch. */
  id?: number;
}

interface Inflight extends Pick<Held, 'topic' | 'qos' | 'size' | 'since' | 'settle' | 'record'> {
  /** The socket it last went out on; undefined while only stored; -1 before a relaunch. */
  sentOn?: number;
}


export class Outbox {
  private held: Held[] = [];
  /** Publishes mqtt.js holds, by messageId. */
  private readonly inflight = new Map<number, Inflight>();
  private socket = 0;
  private receiveMaximum = DEFAULT_RECEIVE_MAXIMUM;
  private serverPacketLimit?: number;
  /** One less than the smallest publish the broker refused with 0x95. */
  private learntPacketLimit?: number;
  /** Stored packets taken from mqtt.js at CONNACK, resent in resume(). */
  private replay: VendorPacket[] = [];
  private replaying = false;
  /** Packet ids of held publishes (Held.id): no other packet may take them. */
  private readonly reserved = new Set<number>();

  constructor(
    private readonly protocolVersion: 4 | 5,
    /** At MQTT 3.1.1, which has no Receive Maximum. */
    private readonly inflightLimit311: number,
    /** The session's outgoing store: the one place the packets of open exchanges live. */
    private readonly store: PacketStore,
    private readonly persistence?: Persistence,
  ) {}

  /** Publishes waiting for a slot, plus those mqtt.js holds when `offline`. */
  size(offline: boolean): number {
    return this.held.length + (offline ? this.inflight.size : 0);
  }

  /** The largest packet the broker takes, when it said so or refused a larger one. */
  get maximumPacketSize(): number | undefined {
    const limits = [this.serverPacketLimit, this.learntPacketLimit].filter((n): n is number => n !== undefined);
    return limits.length > 0 ? Math.min(...limits) : undefined;
  }

  tooLarge(size: number): ErrorInfo | undefined {
    const limit = this.maximumPacketSize;
    if (limit === undefined || size <= limit) return undefined;
    return { code: 'PAYLOAD_TOO_LARGE', limit, reason: `a ${size}-byte packet exceeds the broker's Maximum Packet Size` };
  }

  add(client: VendorClient, held: Held): void {
    this.held.push(held);
    this.pump(client);
  }

  /** A new socket opens: what goes out from now on goes out on it; what went out before is resent with DUP. */
  nextSocket(): void {
    this.socket++;
    if (this.replaying) {
      // the last socket closed between CONNACK and resume(): the packets go back to mqtt.js's store
      this.replay.forEach((packet) => this.store.restore(packet));
      this.replay = [];
      this.replaying = false;
    }
    for (const [id, entry] of this.inflight) {
      const packet = entry.sentOn === undefined ? undefined : this.store.packet(id);
      if (packet?.cmd === 'publish') packet.dup = true;
    }
  }

  /** What is queued or waiting for its acknowledgement, oldest first. */
  pending(): PendingMessage[] {
    const stored = (record?: JournalRecord): boolean => (record && this.persistence?.isStored(record)) ?? false;
    const sent = [...this.inflight.values()].map((e): PendingMessage => ({ topic: e.topic, qos: e.qos, size: e.size, since: e.since, state: e.sentOn === undefined ? 'queued' : 'sent', stored: stored(e.record) }));
    const queued = this.held.map((h): PendingMessage => ({ topic: h.topic, qos: h.qos, size: h.size, since: h.since, state: 'queued', stored: stored(h.record) }));
    return [...sent, ...queued].sort((a, b) => a.since - b.since);
  }

  /**
   * A new mqtt.js client starts (after a relaunch, or a connect() after end()): the stored publishes
   * go back to it, with their packet ids and the DUP flag where they may have gone out already.
   */
  restore(client: VendorClient, records: JournalRecord[], settle: (record: JournalRecord) => Settle<void>, now = Date.now()): void {
    for (const record of records) {
      const m = record.message;
      const properties = m.properties && remainingExpiry(m.properties, m.since, now);
      const size = storedSize(m, properties, this.protocolVersion);
      const held: Held = { topic: m.topic, bytes: m.bytes, qos: m.qos, retain: m.retain, properties, size, since: m.since, settle: settle(record), record };
      if (record.id === undefined || record.stage === 'queued') {
        this.held.push(held);
        continue;
      }
      const id = record.id;
      this.store.restore(
        record.stage === 'pubrel'
          ? { cmd: 'pubrel', qos: 2, messageId: id }
          : { cmd: 'publish', topic: m.topic, payload: m.bytes, qos: m.qos, retain: m.retain, messageId: id, dup: true, properties: properties && joinRepeated(assign<Record<string, unknown>, VendorProperties>({}, properties)) },
      );
      const entry: Inflight = assign({}, held, { sentOn: -1 });
      this.inflight.set(id, entry);
      client.outgoing[id] = { cb: (error, ack) => this.settled(client, id, entry, error, ack) };
    }
    // new packet ids start after the restored ones
    const ids = [...this.inflight.keys()];
    if (ids.length > 0) client.nextId = (Math.max(...ids) % 65535) + 1;
  }

  /** mqtt.js wrote a PUBLISH. */
  sent(messageId: number | undefined): void {
    const entry = messageId === undefined ? undefined : this.inflight.get(messageId);
    if (entry) entry.sentOn = this.socket;
  }

  /**
   * CONNACK, before mqtt.js acts on it: take the broker's limits, drop stored publishes they rule
   * out, and when the session is gone settle what was open. Returns the counts of what was settled.
   */
  connected(client: VendorClient, info: ConnackInfo): { resent: number; released: number } {
    if (this.protocolVersion === 5) {
      this.receiveMaximum = info.receiveMaximum ?? DEFAULT_RECEIVE_MAXIMUM;
      this.serverPacketLimit = info.maximumPacketSize;
      for (const [id, entry] of [...this.inflight]) {
        const tooLarge = this.tooLarge(entry.size);
        if (tooLarge) this.drop(client, id, entry, tooLarge);
      }
    }
    const settled = info.sessionPresent ? { resent: 0, released: 0 } : this.settleLostSession(client);
    // mqtt.js would resend its stored packets one at a time, each after the last one's
    // acknowledgement, and report the connection only after the last: they go out in resume().
    this.replay = this.store.takeAll();
    this.holdBack(client);
    this.replaying = true;
    return settled;
  }

  /** mqtt.js has the CONNACK: the stored packets go out again, in order, all at once; then what was held. */
  resume(client: VendorClient): void {
    const packets = this.replay;
    this.replay = [];
    this.replaying = false;
    packets.forEach((packet) => client._sendPacket(packet));
    this.pump(client);
  }

  /** A server DISCONNECT 0x95: the largest publish on this socket was too large; it is never sent again. */
  refusedAsTooLarge(client: VendorClient, reasonString?: string): void {
    let largest: [number, Inflight] | undefined;
    for (const [id, entry] of this.inflight) {
      if (entry.sentOn === this.socket && (!largest || entry.size > largest[1].size)) largest = [id, entry];
    }
    if (!largest) return;
    const [id, entry] = largest;
    this.learntPacketLimit = Math.min(this.learntPacketLimit ?? Infinity, entry.size - 1);
    this.drop(client, id, entry, { code: 'PAYLOAD_TOO_LARGE', limit: this.maximumPacketSize, reason: reasonString ?? 'refused by the broker (0x95)' });
  }

  /**
   * The connection is closed by its user: nothing here is settled any more (its callers were told).
   * With persist, the records stay in storage and come back through restore() at the next connect.
   */
  clear(): void {
    this.held = [];
    this.reserved.clear();
    this.inflight.clear();
    this.replay = [];
    this.replaying = false;
  }

  /** Publishes mqtt.js may hold at once: the broker's Receive Maximum, or our limit at MQTT 3.1.1. */
  private get window(): number {
    return this.protocolVersion === 5 ? this.receiveMaximum : this.inflightLimit311;
  }

  /** Hands held publishes to mqtt.js while the Receive Maximum leaves room. */
  private pump(client: VendorClient): void {
    if (this.replaying) return;
    while (this.held.length > 0 && this.inflight.size < this.window) {
      const next = this.held.shift()!;
      if (next.id !== undefined) this.reserved.delete(next.id);
      const tooLarge = this.tooLarge(next.size);
      if (tooLarge) {
        if (next.record) this.persistence?.forget(next.record);
        next.settle.reject(tooLarge);
      } else {
        this.handOver(client, next);
      }
    }
    this.storeIdsAhead(client);
  }

  /**
   * persist, QoS 2: the next window's publishes get their packet ids, stored while they wait for a
   * slot, so that each goes out as soon as it has one (the id must be in storage before PUBLISH).
   * Every write then carries ids for the next ones as well as the PUBREL stages of those in flight.
   */
  private storeIdsAhead(client: VendorClient): void {
    if (!this.persistence) return;
    for (const held of this.held.slice(0, Math.min(this.window, IDS_AHEAD))) {
      if (held.qos !== 2 || !held.record || held.id !== undefined) continue;
      held.id = this.freeId(client);
      this.reserved.add(held.id);
      this.persistence.assign(held.record, held.id);
      // mqtt.js's own next ids (SUBSCRIBE, UNSUBSCRIBE) start after it
      client.nextId = (held.id % 65535) + 1;
    }
  }

  /** A packet id no exchange, no mqtt.js packet and no held publish has, from mqtt.js's next one on. */
  private freeId(client: VendorClient): number {
    let id = client.nextId;
    while (this.inflight.has(id) || client.outgoing[id] || this.reserved.has(id)) id = (id % 65535) + 1;
    return id;
  }

  private handOver(client: VendorClient, held: Held): void {
    // restored exchanges keep their ids: a new one must not take one of them
    const kept = held.id !== undefined && !this.inflight.has(held.id) && !client.outgoing[held.id];
    const id = kept ? held.id! : this.freeId(client);
    const next = client.nextId;
    client.nextId = id;
    if (held.record && !kept) this.persistence?.assign(held.record, id);
    const entry: Inflight = held;
    this.inflight.set(id, entry);
    try {
      const properties = held.properties && joinRepeated(assign({}, held.properties));
      client.publish(held.topic, held.bytes, { qos: held.qos, retain: held.retain, properties }, (error, ack) => this.settled(client, id, entry, error, ack));
    } catch (error) {
      this.inflight.delete(id);
      if (held.record) this.persistence?.forget(held.record);
      held.settle.reject(new CodedError({ code: 'SOCKET_ERROR', errMsg: errorText(error) }));
    }
    // an id stored ahead is before mqtt.js's next one: its counter goes on from where it was
    if (kept) client.nextId = next;
  }

  /**
   * CONNACK after a relaunch: stored publishes with packet ids (ids are stored ahead of a slot) may
   * be more than the window allows. The newest wait as held, their ids kept, and go as slots free.
   */
  private holdBack(client: VendorClient): void {
    const excess = this.inflight.size - this.window;
    if (excess <= 0) return;
    const waiting = this.replay.filter((p) => p.cmd === 'publish' && this.inflight.get(p.messageId!)?.sentOn === -1).slice(-excess);
    const held: Held[] = [];
    for (const packet of waiting) {
      const id = packet.messageId!;
      const entry = this.inflight.get(id)!;
      const m = entry.record!.message;
      this.inflight.delete(id);
      delete client.outgoing[id];
      this.reserved.add(id);
      held.push({ topic: m.topic, bytes: m.bytes, qos: m.qos, retain: m.retain, properties: m.properties && remainingExpiry(m.properties, m.since, Date.now()), size: entry.size, since: entry.since, settle: entry.settle, record: entry.record, id });
    }
    this.replay = this.replay.filter((p) => !waiting.includes(p));
    this.held.unshift(...held);
  }

  /** mqtt.js's callback for a QoS 1/2 publish: acknowledged, refused, or given up. */
  private settled(client: VendorClient, id: number, entry: Inflight, error?: Error & { code?: number }, ack?: { properties?: Record<string, unknown> }): void {
    // mqtt.js may call back twice for one packet (a failed PUBACK, then its store removal).
    if (this.inflight.get(id) !== entry) return;
    this.inflight.delete(id);
    if (error) {
      this.forget(client, id);
      const reasonString = ack?.properties?.reasonString;
      const refused: ErrorInfo =
        typeof error.code === 'number'
          ? errorFromPublishAck({ returnCode: error.code, reasonString: typeof reasonString === 'string' ? reasonString : undefined }, entry.topic)
          : { code: 'NOT_CONNECTED', reason: error.message };
      entry.settle.reject(refused);
    } else {
      entry.settle.resolve();
    }
    this.pump(client);
  }

  /** MQTT 5 §3.3.2.3.3: what is left of a stored message's expiry interval. */
  /** Removes a QoS 1/2 exchange from the store and from mqtt.js's callbacks, so it is never sent again. */
  private forget(client: VendorClient, id: number): void {
    this.store.del({ messageId: id }, noop);
    delete client.outgoing[id];
  }

  private drop(client: VendorClient, id: number, entry: Inflight, error: ErrorInfo): void {
    this.inflight.delete(id);
    this.forget(client, id);
    entry.settle.reject(error);
  }

  /**
   * MQTT 3.1.1/5.0 §4.4: without a session, PUBREL for an earlier exchange is a protocol error. A
   * publish the broker took (PUBREC) counts as delivered; an unacknowledged one is sent again as new.
   */
  private settleLostSession(client: VendorClient): { resent: number; released: number } {
    const settled = { resent: 0, released: 0 };
    for (const packet of this.store.all()) {
      const id = packet.messageId!;
      if (packet.cmd === 'pubrel') {
        const callback = client.outgoing[id]?.cb;
        this.forget(client, id);
        settled.released++;
        callback?.();
      } else if (this.inflight.get(id)?.sentOn !== undefined) {
        settled.resent++;
      }
    }
    return settled;
  }
}

/** A stored message's properties with the expiry that is left (at least 1 s: it has not run out). */
function remainingExpiry(properties: VendorProperties, since: number, now: number): VendorProperties {
  if (properties.messageExpiryInterval === undefined) return properties;
  const left = Math.max(1, Math.ceil((since + properties.messageExpiryInterval * 1000 - now) / 1000));
  return assign({}, properties, { messageExpiryInterval: Math.min(left, properties.messageExpiryInterval) });
}

const storedSize = (m: StoredMessage, properties: VendorProperties | undefined, protocolVersion: number): number =>
  publishPacketSize(encodeUtf8(m.topic).length, m.bytes.length, m.qos, protocolVersion === 5 ? propertyBytes(properties) : undefined);

/** What pending() lists for stored publishes before a connection restores them: queued, or sent where they had a packet id. */
export function storedPending(records: JournalRecord[], protocolVersion: number, now = Date.now()): PendingMessage[] {
  return records.map((r): PendingMessage => {
    const m = r.message;
    const state = r.stage === 'queued' ? 'queued' : 'sent';
    return { topic: m.topic, qos: m.qos, size: storedSize(m, m.properties && remainingExpiry(m.properties, m.since, now), protocolVersion), since: m.since, state, stored: true };
  });
}
