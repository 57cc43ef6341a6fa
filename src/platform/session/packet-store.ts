/**
 * The session seam: where one connection's in-flight QoS 1/2 packets live. It has the shape of
 * MQTT.js's `Store` (put / get / del / createStream / close) and is handed to mqtt.js when its
 * client is constructed, never patched afterwards. Without hooks it is the memory store; with the
 * persistent store's hooks (persistence.ts) each answer waits until storage holds what the packet
 * that follows depends on — mqtt.js sends that packet only in the callback.
 */
import type { VendorPacket, VendorStore } from '../../vendor/mqtt';

export interface StoreHooks {
  /** A packet was stored; mqtt.js sends what depends on it once this settles. */
  put(packet: VendorPacket): Promise<void> | undefined;
  /** mqtt.js asks for a packet (an incoming QoS 2 message at PUBREL, `found` undefined when there is none); it is answered once this settles. */
  get?(id: number, found: VendorPacket | undefined): Promise<void> | undefined;
  /** mqtt.js is done with a packet. */
  del(id: number): void;
}

type Callback = (error?: Error | null, packet?: VendorPacket) => void;

export class PacketStore implements VendorStore {
  private readonly packets = new Map<number, VendorPacket>();

  constructor(
    /**
     * An empty stream of mqtt.js's own making: mqtt.js replays nothing itself (the Outbox resends
     * stored packets after CONNACK, all at once), and the stream ends through the bundle's own
     * nextTick queue, so what mqtt.js writes on 'connect' is uncorked in that same turn.
     */
    private readonly emptyStream: () => object,
    private readonly hooks?: StoreHooks,
  ) {}

  put(packet: VendorPacket, callback?: (error?: Error) => void): this {
    this.packets.set(packet.messageId!, packet);
    const wait = this.hooks?.put(packet);
    if (callback) {
      if (wait) void wait.then(() => callback());
      else callback();
    }
    return this;
  }

  get(packet: { messageId?: number }, callback: Callback): this {
    const found = this.packets.get(packet.messageId!);
    const answer = (): void => (found ? callback(null, found) : callback(new Error('missing packet')));
    const wait = this.hooks?.get?.(packet.messageId!, found);
    if (wait) void wait.then(answer);
    else answer();
    return this;
  }

  del(packet: { messageId?: number }, callback?: Callback): this {
    const found = this.packets.get(packet.messageId!);
    if (!found) {
      callback?.(new Error('missing packet'));
      return this;
    }
    this.packets.delete(packet.messageId!);
    this.hooks?.del(packet.messageId!);
    callback?.(null, found);
    return this;
  }

  createStream(): object {
    return this.emptyStream();
  }

  close(callback?: () => void): void {
    callback?.();
  }

  /** The packet with `id`, if stored. */
  packet(id: number): VendorPacket | undefined {
    return this.packets.get(id);
  }

  /** Every stored packet, oldest first. */
  all(): VendorPacket[] {
    return [...this.packets.values()];
  }

  /** Puts a packet back as it was (restored from storage, or taken for a replay that did not happen): no hook runs. */
  restore(packet: VendorPacket): void {
    this.packets.set(packet.messageId!, packet);
  }

  /** Takes every packet out, oldest first, for the Outbox to resend: no hook runs. */
  takeAll(): VendorPacket[] {
    const all = this.all();
    this.packets.clear();
    return all;
  }

  /** Removes a packet without asking storage (it was never stored there, or storage already forgot it). */
  forget(id: number): void {
    this.packets.delete(id);
  }
}
