/**
 * `persist: true`: the QoS 1/2 state of one connection kept in the platform's storage, so that a
 * relaunch finds it. Writes are batched — at most WRITES_PER_SECOND storage calls in any second,
 * none for a key whose value is unchanged — and ordered before the packets that depend on them:
 * - an outgoing QoS 2 PUBLISH leaves only once its packet id is stored, and PUBREL only once the
 *   PUBREC stage is (else a relaunch could send the PUBLISH again after the broker completed it);
 * - an incoming QoS 2 message is stored before PUBREC, and marked delivered before PUBCOMP.
 * mqtt.js calls its stores' put() (and get(), at PUBREL) before it sends and waits for the
 * callback: the hooks this class gives the PacketStores are where the waiting happens. When storage fails, everything goes on in memory and the failure is reported once.
 */
import { encodeUtf8 } from '../../core/codec';
import type { ErrorInfo } from '../../core/errors';
import { clientIdKey, isOutgoing, Journal, JournalIdentity, JournalRecord, journalKey, StorageWrite, StoredMessage } from '../../core/journal';
import type { VendorPacket } from '../../vendor/mqtt';
import type { KeyValueStorage } from '../storage';
import type { PacketStore, StoreHooks } from './packet-store';

/** Storage calls allowed in any 1-second window (a batch bigger than this waits for an empty window). */
const WRITES_PER_SECOND = 10;
/**
 * The window a call occupies, from its completion: a call under way occupies it throughout, so
 * neither the calls made nor the calls completed can number 11 in any second, however late the
 * platform answers. A little over a second for the timer's own lateness.
 */
const WINDOW_MS = 1050;
/**
 * Flushes start at least this far apart: a flush right after another one would carry only the
 * first of the changes a round trip brings (QoS 2: the PUBREC stages just after the PUBLISHes the
 * last one let go), and spend the budget the next one needs.
 */
const FLUSH_GAP_MS = WINDOW_MS / WRITES_PER_SECOND;
/** What a page adds around its records' JSON, and then some. */
const PAGE_OVERHEAD_CHARS = 100;
/** After a failed write, the next try. */
const RETRY_MS = 5000;

type StorageNoticeCode = 'QUEUE_RESTORED' | 'QUEUE_EXPIRED' | 'QUEUE_DISCARDED' | 'STORAGE_CORRUPTED' | 'STORAGE_FOREIGN';

export interface StorageNotice {
  code: StorageNoticeCode;
  count: number;
  /** STORAGE_FOREIGN: the clientId the stored data belongs to. */
  clientId?: string;
}

interface PersistenceReport {
  notice(notice: StorageNotice): void;
  error(error: ErrorInfo): void;
}

/** An outgoing publish the broker has not taken yet whose MQTT 5 expiry has run out (one at the PUBREL stage is the broker's). */
export function hasExpired(r: JournalRecord, now: number): boolean {
  const interval = r.message.properties?.messageExpiryInterval;
  return r.stage !== 'pubrel' && interval !== undefined && r.message.since + interval * 1000 <= now;
}


export class Persistence {
  private readonly journal: Journal;
  private readonly outById = new Map<number, JournalRecord>();
  private readonly inById = new Map<number, JournalRecord>();
  private loaded = false;
  private failing = false;
  private writing = false;
  private timer?: ReturnType<typeof setTimeout>;
  /** No write before this (after a failure). */
  private retryAt = 0;
  /** When the last asynchronous flush started. */
  private flushedAt = -Infinity;
  /** When the storage calls of the last window completed. */
  private recentCalls: number[] = [];
  /** Storage calls made and not yet completed: each occupies the window until it completes. */
  private underway = 0;
  /** What storage holds per key, as far as this run knows: unchanged values are not written again. */
  private readonly known = new Map<string, string | undefined>();
  private durableVersion = 0;
  private waiters: { version: number; resolve: () => void }[] = [];
  /** Storage calls made (the bench reads it). */
  writes = 0;

  constructor(
    private readonly identity: JournalIdentity,
    private readonly storage: KeyValueStorage | undefined,
    private readonly maxChars: number,
    private readonly report: PersistenceReport,
  ) {
    this.journal = new Journal(journalKey(identity), identity);
  }

  /** Reads what an earlier run stored, once; `clean` discards it. */
  load(clean: boolean, now = Date.now()): void {
    if (this.loaded) return;
    this.loaded = true;
    if (!this.storage) {
      this.failing = true;
      this.report.error({ code: 'STORAGE_ERROR', errMsg: 'this platform has no setStorage/getStorageSync' });
      return;
    }
    const storage = this.storage;
    let parsed: ReturnType<typeof Journal.parse>;
    try {
      parsed = Journal.parse(this.journal.key, this.identity, (key) => {
        const value = storage.read(key);
        this.known.set(key, value);
        return value;
      });
    } catch (error) {
      this.report.error(error as ErrorInfo);
      return;
    }
    if (parsed.corrupted > 0) this.report.notice({ code: 'STORAGE_CORRUPTED', count: parsed.corrupted });
    if (parsed.foreign) this.report.notice({ code: 'STORAGE_FOREIGN', count: parsed.records.length, clientId: parsed.foreign.clientId });
    const outgoing = parsed.records.filter((r) => isOutgoing(r.stage));
    if (clean) {
      if (outgoing.length > 0) this.report.notice({ code: 'QUEUE_DISCARDED', count: outgoing.length });
      this.journal.adopt({ records: [], pages: parsed.pages });
    } else {
      this.journal.adopt(parsed);
      const expired = outgoing.filter((r) => hasExpired(r, now));
      expired.forEach((r) => this.journal.remove(r));
      if (expired.length > 0) this.report.notice({ code: 'QUEUE_EXPIRED', count: expired.length });
      for (const r of this.journal.records()) {
        if (r.id !== undefined) (isOutgoing(r.stage) ? this.outById : this.inById).set(r.id, r);
      }
      const restored = outgoing.length - expired.length;
      if (restored > 0) this.report.notice({ code: 'QUEUE_RESTORED', count: restored });
      // this run's time in the index: persist.maxAge counts from the last run that used the queue
      if (this.journal.records().length > 0) this.journal.touchIndex();
    }
    // what loading dropped (expired, discarded, unreadable) is written out now
    this.changed();
  }

  /** Outgoing records in order: what the Outbox restores onto a new mqtt.js client. */
  outgoing(): JournalRecord[] {
    return this.journal.records().filter((r) => isOutgoing(r.stage));
  }

  /** Whether `record`'s last change is in storage. */
  isStored(record: JournalRecord): boolean {
    return !this.failing && record.version <= this.durableVersion;
  }

  /**
   * A QoS 1/2 publish accepted: stored as queued, or OFFLINE_QUEUE_FULL past the size limit, or
   * (undefined) kept in memory only when it alone is more than one storage item holds.
   */
  queue(message: StoredMessage): JournalRecord | ErrorInfo | undefined {
    const record = this.journal.add('queued', message);
    if (this.tooBigToStore(record)) return undefined;
    if (this.journal.storedChars > this.maxChars) {
      this.journal.remove(record);
      return { code: 'OFFLINE_QUEUE_FULL', limit: this.maxChars, reason: 'characters of storage (persist.maxBytes)' };
    }
    this.changed();
    return record;
  }

  /** The publish goes to mqtt.js with packet id `id`. */
  assign(record: JournalRecord, id: number): void {
    this.journal.update(record, 'publish', id);
    this.outById.set(id, record);
    this.changed();
  }

  /** A publish that will never be sent (refused before it went out). */
  forget(record: JournalRecord): void {
    if (record.id !== undefined && this.outById.get(record.id) === record) this.outById.delete(record.id);
    this.journal.remove(record);
    this.changed();
  }

  /** Resolves once everything changed so far is stored (at once when storage is failing or absent). */
  durable(version = this.journal.changes): Promise<void> {
    if (!this.storage || this.failing || version <= this.durableVersion) return Promise.resolve();
    this.schedule();
    return new Promise((resolve) => this.waiters.push({ version, resolve }));
  }

  /** What the outgoing store waits for: a QoS 2 PUBLISH leaves once its packet id is stored, PUBREL once its stage is. */
  readonly outgoingHooks: StoreHooks = {
    put: (packet) => (packet.cmd === 'pubrel' ? this.stage(packet.messageId, 'pubrel') : packet.qos === 2 ? this.idStored(packet.messageId) : undefined),
    del: (id) => this.drop(this.outById, id),
  };

  /** What the incoming store waits for: a QoS 2 message is stored before PUBREC, and marked delivered before it is delivered (then PUBCOMP). */
  readonly incomingHooks: StoreHooks = {
    put: (packet) => this.received(packet),
    get: (id, found) => {
      if (found) return this.stage(id, 'delivered', this.inById);
      // PUBREL for a message delivered before a relaunch: nothing to deliver, the marker goes
      if (this.inById.get(id)?.stage === 'delivered') this.drop(this.inById, id);
      return undefined;
    },
    del: (id) => this.drop(this.inById, id),
  };

  /** Incoming QoS 2 messages received (PUBREC sent) before a relaunch, back into the incoming store. */
  restoreIncoming(store: PacketStore): void {
    for (const r of this.inById.values()) {
      if (r.stage === 'received') store.restore({ cmd: 'publish', messageId: r.id, topic: r.message.topic, payload: r.message.bytes, qos: 2, retain: r.message.retain, properties: r.message.properties as Record<string, unknown> | undefined });
    }
  }

  /** The broker's session is gone: no PUBREL will come for messages delivered before. */
  sessionLost(): void {
    for (const [id, r] of [...this.inById]) if (r.stage === 'delivered') this.drop(this.inById, id);
  }

  /** Writes everything now, synchronously: the app is going to the background, where it may be killed. */
  flushNow(): void {
    if (!this.storage || !this.loaded) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const { writes, version } = this.journal.takeWrites();
    try {
      this.needed(writes).forEach((w) => {
        this.storage!.writeSync(w.key, w.value);
        this.recentCalls.push(Date.now());
        this.known.set(w.key, w.value);
        this.writes++;
      });
      this.settleWaiters(version);
    } catch (error) {
      this.failed(error as ErrorInfo, version);
    }
    // an asynchronous write still under way holds older pages: write everything again after it
    if (this.writing) {
      this.journal.invalidate();
      this.known.clear();
    }
  }

  /** The connection is destroyed: what is left is written now. */
  close(): void {
    this.flushNow();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.settleWaiters(Infinity);
  }

  /** Its own record's last change stored (its packet id may have been stored ahead, long before): not everything else too. */
  private idStored(id: number | undefined): Promise<void> | undefined {
    const record = id === undefined ? undefined : this.outById.get(id);
    if (!record) return this.durable();
    return record.version <= this.durableVersion && !this.failing ? undefined : this.durable(record.version);
  }

  private stage(id: number | undefined, stage: 'pubrel' | 'delivered', index = this.outById): Promise<void> | undefined {
    const record = id === undefined ? undefined : index.get(id);
    if (!record) return undefined;
    this.journal.update(record, stage);
    this.changed();
    return this.durable();
  }

  private received(packet: VendorPacket): Promise<void> | undefined {
    if (packet.messageId === undefined || packet.qos !== 2) return undefined;
    this.drop(this.inById, packet.messageId);
    const payload = packet.payload;
    const message: StoredMessage = {
      topic: packet.topic ?? '',
      bytes: typeof payload === 'string' ? encodeUtf8(payload) : (payload ?? new Uint8Array(0)),
      qos: 2,
      retain: Boolean(packet.retain),
      since: Date.now(),
    };
    if (packet.properties) message.properties = packet.properties;
    const record = this.journal.add('received', message, packet.messageId);
    if (this.tooBigToStore(record)) return undefined;
    this.inById.set(packet.messageId, record);
    this.changed();
    return this.durable();
  }

  /** A record larger than one storage item would make every write fail: it stays in memory, said once per message. */
  private tooBigToStore(record: JournalRecord): boolean {
    const limit = this.storage?.itemChars ?? Infinity;
    if (record.body.length + PAGE_OVERHEAD_CHARS <= limit) return false;
    this.journal.remove(record);
    this.report.error({ code: 'STORAGE_FULL', limit, topic: record.message.topic, reason: `a ${record.body.length}-character message is more than one storage item holds` });
    return true;
  }

  private drop(index: Map<number, JournalRecord>, id: number | undefined): void {
    const record = id === undefined ? undefined : index.get(id);
    if (!record) return;
    index.delete(id!);
    this.journal.remove(record);
    this.changed();
  }

  private changed(): void {
    if (this.loaded) this.schedule();
  }

  private schedule(): void {
    if (!this.storage || this.timer !== undefined || this.writing) return;
    if (this.journal.changes <= this.durableVersion && this.journal.dirtyKeys === 0 && !this.failing) return;
    const now = Date.now();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, Math.max(0, this.retryAt - now, this.nextRoomAt(now) - now, this.flushedAt + FLUSH_GAP_MS - now));
  }

  /** Storage calls the last window leaves (recent calls older than the window forgotten). */
  private budget(now: number): number {
    this.recentCalls = this.recentCalls.filter((t) => t > now - WINDOW_MS);
    return WRITES_PER_SECOND - this.recentCalls.length - this.underway;
  }

  /** When the window has room for one more call (calls under way first complete: flush() schedules again then). */
  private nextRoomAt(now: number): number {
    return this.budget(now) > 0 ? now : (this.recentCalls[0] ?? now) + WINDOW_MS + 1;
  }

  /** The writes that change something (a page or index removed twice is one call for nothing). */
  private needed(writes: StorageWrite[]): StorageWrite[] {
    return writes.filter((w) => !this.known.has(w.key) || this.known.get(w.key) !== w.value);
  }

  /** Writes what the window allows; the waiters are settled once a flush leaves nothing dirty. */
  private async flush(): Promise<void> {
    const budget = this.budget(Date.now());
    if (budget <= 0) {
      this.schedule();
      return;
    }
    this.flushedAt = Date.now();
    const { writes: all, version, complete } = this.journal.takeWrites(budget);
    const writes = this.needed(all);
    this.writing = true;
    try {
      for (const w of writes) {
        this.underway++;
        try {
          await this.storage!.write(w.key, w.value);
        } finally {
          this.underway--;
          this.recentCalls.push(Date.now());
        }
        this.known.set(w.key, w.value);
        this.writes++;
      }
      this.failing = false;
      if (complete) this.settleWaiters(version);
    } catch (error) {
      this.failed(error as ErrorInfo, version);
    } finally {
      this.writing = false;
    }
    if (this.journal.changes > this.durableVersion || this.journal.dirtyKeys > 0) this.schedule();
  }

  /** Reported once per run of failures; waiters go on in memory; everything is written again later. */
  private failed(error: ErrorInfo, version: number): void {
    this.journal.invalidate();
    // what landed before the failure is unknown: everything is written again
    this.known.clear();
    if (!this.failing) this.report.error(error);
    this.failing = true;
    this.retryAt = Date.now() + RETRY_MS;
    this.settleWaiters(version);
  }

  private settleWaiters(version: number): void {
    if (!this.failing) this.durableVersion = Math.max(this.durableVersion, version);
    const ready = this.waiters.filter((w) => w.version <= version);
    this.waiters = this.waiters.filter((w) => w.version > version);
    ready.forEach((w) => w.resolve());
  }
}

/**
 * The clientId a connection without a given one uses with `persist`: the one generated at its
 * first launch, kept under (url, username), so that a relaunch finds its session and its records.
 */
export function keptClientId(storage: KeyValueStorage | undefined, identity: Omit<JournalIdentity, 'clientId'>, generated: string): string {
  if (!storage) return generated;
  const key = clientIdKey(identity);
  try {
    const stored = JSON.parse(storage.read(key) ?? 'null') as { clientId?: unknown } | null;
    if (typeof stored?.clientId === 'string' && stored.clientId !== '') return stored.clientId;
    storage.writeSync(key, JSON.stringify({ clientId: generated }));
  } catch {
    // unreadable or unwritable: the connection's own load reports storage failures
  }
  return generated;
}
