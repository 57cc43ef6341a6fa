/**
 * Outgoing QoS 1/2 publishes of one connection: held until the broker's Receive Maximum leaves a
 * slot, handed to mqtt.js (which stores and resends them across reconnects), checked against the
 * broker's Maximum Packet Size, and settled per MQTT §4.4 when the broker's session is gone.
 */
import { ErrorInfo, errorFromPublishAck } from '../core/errors';
import type { QoS } from '../core/options';
import type { ConnackInfo } from '../core/packets';
import type { VendorProperties } from '../core/properties';
import { joinRepeated } from '../core/user-properties';
import type { VendorClient } from '../vendor/mqtt';
import type { Settle } from './subscriptions';

/** MQTT 5.0 §3.2.2.3.3: a CONNACK without Receive Maximum means 65,535. */
const DEFAULT_RECEIVE_MAXIMUM = 65535;

const noop = (): void => undefined;

interface Held {
  topic: string;
  bytes: Uint8Array;
  qos: QoS;
  retain: boolean;
  properties?: VendorProperties;
  size: number;
  settle: Settle<void>;
}

interface Inflight {
  size: number;
  /** The socket it last went out on; undefined while only stored. */
  sentOn?: number;
  fail: (error: ErrorInfo) => void;
}

/** Removes a QoS 1/2 exchange from mqtt.js so it is never sent again. */
function forget(client: VendorClient, id: number): void {
  client.outgoingStore.del({ messageId: id }, noop);
  delete client.outgoing[id];
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

  constructor(
    private readonly protocolVersion: 4 | 5,
    /** At MQTT 3.1.1, which has no Receive Maximum. */
    private readonly inflightLimit311: number,
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

  /** A new socket opens: what goes out from now on goes out on it. */
  nextSocket(): void {
    this.socket++;
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
    this.pump(client);
    return settled;
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

  /** The connection is closed by its user: nothing here is settled any more (its callers were told). */
  clear(): void {
    this.held = [];
    this.inflight.clear();
  }

  /** Hands held publishes to mqtt.js while the Receive Maximum leaves room. */
  private pump(client: VendorClient): void {
    const window = this.protocolVersion === 5 ? this.receiveMaximum : this.inflightLimit311;
    while (this.held.length > 0 && this.inflight.size < window) {
      const next = this.held.shift()!;
      const tooLarge = this.tooLarge(next.size);
      if (tooLarge) next.settle.reject(tooLarge);
      else this.handOver(client, next);
    }
  }

  private handOver(client: VendorClient, held: Held): void {
    const id = client.nextId;
    const entry: Inflight = { size: held.size, fail: held.settle.reject };
    this.inflight.set(id, entry);
    try {
      const properties = held.properties && joinRepeated({ ...held.properties });
      client.publish(held.topic, held.bytes, { qos: held.qos, retain: held.retain, properties }, (error, ack) => {
        // mqtt.js may call back twice for one packet (a failed PUBACK, then its store removal).
        if (this.inflight.get(id) !== entry) return;
        this.inflight.delete(id);
        if (error) {
          forget(client, id);
          const reasonString = ack?.properties?.reasonString;
          held.settle.reject(
            typeof error.code === 'number'
              ? errorFromPublishAck({ returnCode: error.code, reasonString: typeof reasonString === 'string' ? reasonString : undefined }, held.topic)
              : { code: 'NOT_CONNECTED', reason: error.message },
          );
        } else {
          held.settle.resolve();
        }
        this.pump(client);
      });
    } catch (error) {
      this.inflight.delete(id);
      held.settle.reject({ code: 'SOCKET_ERROR', errMsg: error instanceof Error ? error.message : String(error) });
    }
  }

  private drop(client: VendorClient, id: number, entry: Inflight, error: ErrorInfo): void {
    this.inflight.delete(id);
    forget(client, id);
    entry.fail(error);
  }

  /**
   * MQTT 3.1.1/5.0 §4.4: without a session, PUBREL for an earlier exchange is a protocol error. A
   * publish the broker took (PUBREC) counts as delivered; an unacknowledged one is sent again as new.
   */
  private settleLostSession(client: VendorClient): { resent: number; released: number } {
    const settled = { resent: 0, released: 0 };
    for (const [id, packet] of [...client.outgoingStore._inflights]) {
      if (packet.cmd === 'pubrel') {
        const callback = client.outgoing[id]?.cb;
        forget(client, id);
        settled.released++;
        callback?.();
      } else if (this.inflight.get(id)?.sentOn !== undefined) {
        settled.resent++;
      }
    }
    return settled;
  }
}
