/**
 * The QoS 1/2 state of one connection as it is kept in storage: records in pages of at most
 * PAGE_CHARS characters (Alipay stores at most 200 KB under one key), written only when changed.
 * Pure: the platform hands in what it read and writes out what `takeWrites()` returns.
 */
import { fromBase64, toBase64 } from './codec';
import { assign } from './errors';
import type { MessageData } from './message';
import type { VendorProperties } from './properties';

/**
 * queued: accepted by publish(), no packet id yet · publish: has its packet id, the PUBLISH may be
 * on the wire · pubrel: the broker sent PUBREC, PUBREL goes out · received: an incoming QoS 2
 * PUBLISH we answered with PUBREC · delivered: handed to the app, the broker may still send PUBREL.
 */
export type Stage = 'queued' | 'publish' | 'pubrel' | 'received' | 'delivered';

const STAGES: readonly Stage[] = ['queued', 'publish', 'pubrel', 'received', 'delivered'];

export const isOutgoing = (stage: Stage): boolean => stage === 'queued' || stage === 'publish' || stage === 'pubrel';

/** A message in storage: its data and when publish() accepted it, or when it arrived (ms since epoch). */
export type StoredMessage = MessageData & { since: number };

export interface JournalRecord {
  readonly seq: number;
  id?: number;
  stage: Stage;
  readonly message: StoredMessage;
  /** The message as stored (JSON), made once. */
  readonly body: string;
  readonly page: number;
  /** The journal's change count at this record's last change. */
  version: number;
}

/** What a connection's records are tied to; a stored page set for another identity is not used. */
export interface JournalIdentity {
  url: string;
  clientId: string;
  username: string;
}

export interface StorageWrite {
  key: string;
  /** undefined: remove the key. */
  value?: string;
}

const PAGE_CHARS = 100 * 1024;
const FORMAT = 1;
const MAX_PROBED_PAGES = 256;

/** FNV-1a, 32 bit: a short, stable key part for a connection. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

const PREFIX = 'miniprogram-mqtt/';

/** The storage key of a connection's index; its pages are `<key>/<n>`. */
export function journalKey(identity: JournalIdentity): string {
  return `${PREFIX}${hash(`${identity.url}|${identity.clientId}|${identity.username}`)}`;
}

/** Whether `key` is the index of a stored queue (not one of its pages, nor a kept clientId). */
export const isJournalKey = (key: unknown): key is string => typeof key === 'string' && /^miniprogram-mqtt\/[0-9a-z]+$/.test(key);

/** Where a connection without a given clientId keeps the one it generated, to find its session again. */
export function clientIdKey(identity: Omit<JournalIdentity, 'clientId'>): string {
  return `${PREFIX}id/${hash(`${identity.url}|${identity.username}`)}`;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function encodeProperties(properties: VendorProperties): Json {
  const out: Record<string, Json> = {};
  for (const [name, value] of Object.entries(properties)) {
    // an alias means something on one socket only; a resend carries the topic
    if (name === 'topicAlias' || value === undefined) continue;
    out[name] = value instanceof Uint8Array ? { b64: toBase64(value) } : (value as Json);
  }
  return out;
}

function decodeProperties(value: unknown): VendorProperties {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    const b64 = (v as { b64?: unknown } | null)?.b64;
    out[name] = typeof b64 === 'string' ? fromBase64(b64) : v;
  }
  return out as VendorProperties;
}

export function encodeMessage(message: StoredMessage): string {
  const body: Record<string, Json> = { t: message.topic, p: toBase64(message.bytes), q: message.qos, r: message.retain, a: message.since };
  if (message.properties) body.x = encodeProperties(message.properties);
  return JSON.stringify(body);
}

function decodeMessage(value: unknown): StoredMessage | undefined {
  const m = value as { t?: unknown; p?: unknown; q?: unknown; r?: unknown; a?: unknown; x?: unknown } | null;
  if (!m || typeof m.t !== 'string' || typeof m.p !== 'string' || (m.q !== 1 && m.q !== 2) || typeof m.a !== 'number') return undefined;
  const message: StoredMessage = { topic: m.t, bytes: fromBase64(m.p), qos: m.q, retain: m.r === true, since: m.a };
  if (m.x && typeof m.x === 'object') message.properties = decodeProperties(m.x);
  return message;
}

const recordJson = (r: JournalRecord): string => `{"s":${r.seq},"g":"${r.stage}"${r.id === undefined ? '' : `,"i":${r.id}`},"m":${r.body}}`;

export interface LoadResult {
  records: JournalRecord[];
  /** The page numbers the index listed. */
  pages: number[];
  /** Pages or records that could not be read (bad JSON, wrong shape). */
  corrupted: number;
  /** The index names another connection: its records are not used. */
  foreign?: JournalIdentity;
  /** Whose records these are (the index's identity), when the index was readable. */
  owner?: JournalIdentity;
  /** When a run last wrote the index (ms since the epoch); absent in indexes written before it was kept. */
  written?: number;
  /** Characters the index and its pages take in storage. */
  chars: number;
}

export class Journal {
  private readonly bySeq = new Map<number, JournalRecord>();
  private readonly pages = new Map<number, Set<JournalRecord>>();
  private readonly dirty = new Set<number>();
  private indexDirty = false;
  private nextSeq = 1;
  private tailPage = 0;
  private tailChars = 0;
  private outgoingChars = 0;
  private version = 0;

  constructor(
    readonly key: string,
    private readonly identity: JournalIdentity,
    private readonly pageChars = PAGE_CHARS,
  ) {}

  /**
   * Reads a stored index and its pages; `read` returns undefined for a missing key and may throw.
   * Without `identity` (listing what storage holds), the records are read whoever they belong to.
   */
  static parse(key: string, identity: JournalIdentity | undefined, read: (key: string) => string | undefined): LoadResult {
    const result: LoadResult = { records: [], pages: [], corrupted: 0, chars: 0 };
    const raw = read(key);
    if (raw === undefined) return result;
    result.chars = raw.length;
    let index: { v?: unknown; id?: JournalIdentity; pages?: unknown; t?: unknown } | undefined;
    try {
      index = JSON.parse(raw);
    } catch {
      index = undefined;
    }
    if (!index || index.v !== FORMAT || !Array.isArray(index.pages) || !index.id) {
      // an unreadable index: its pages are found by trying the numbers in order
      for (let n = 0; n < MAX_PROBED_PAGES && safe(() => read(`${key}/${n}`)) !== undefined; n++) result.pages.push(n);
      return assign({}, result, { corrupted: 1 });
    }
    result.owner = index.id;
    if (typeof index.t === 'number') result.written = index.t;
    if (identity && (index.id.clientId !== identity.clientId || index.id.url !== identity.url || index.id.username !== identity.username)) {
      return assign({}, result, { pages: index.pages.filter((p): p is number => typeof p === 'number'), foreign: index.id });
    }
    for (const page of index.pages) {
      if (typeof page !== 'number') {
        result.corrupted++;
        continue;
      }
      result.pages.push(page);
      const text = read(`${key}/${page}`);
      // a page removed before the index that named it (a run ended between the two writes)
      if (text === undefined) continue;
      result.chars += text.length;
      let parsed: { r?: unknown };
      try {
        parsed = JSON.parse(text);
      } catch {
        result.corrupted++;
        continue;
      }
      if (!Array.isArray(parsed.r)) {
        result.corrupted++;
        continue;
      }
      for (const item of parsed.r as { s?: unknown; g?: unknown; i?: unknown; m?: unknown }[]) {
        const message = safe(() => decodeMessage(item?.m));
        const stage = item?.g as Stage;
        const idOk = item?.i === undefined || (typeof item.i === 'number' && item.i >= 1 && item.i <= 65535);
        if (!message || typeof item.s !== 'number' || !STAGES.includes(stage) || !idOk || (stage !== 'queued' && item.i === undefined)) {
          result.corrupted++;
          continue;
        }
        result.records.push({ seq: item.s, id: item.i as number | undefined, stage, message, body: encodeMessage(message), page, version: 0 });
      }
    }
    result.records.sort((a, b) => a.seq - b.seq);
    return result;
  }

  /** Takes over loaded records; stored pages that held none of them are removed at the next flush. */
  adopt(loaded: Pick<LoadResult, 'records' | 'pages'>): void {
    for (const r of loaded.records) {
      this.bySeq.set(r.seq, r);
      this.pageOf(r.page).add(r);
      this.nextSeq = Math.max(this.nextSeq, r.seq + 1);
      this.tailPage = Math.max(this.tailPage, r.page);
      if (isOutgoing(r.stage)) this.outgoingChars += r.body.length;
    }
    this.tailChars = [...this.pageOf(this.tailPage)].reduce((n, r) => n + r.body.length, 0);
    const stale = loaded.pages.filter((p) => !this.pages.get(p)?.size);
    if (stale.length > 0) this.discardStored(stale);
  }

  /** The index is written again at the next flush (with the time of this run, for persist.maxAge). */
  touchIndex(): void {
    this.indexDirty = true;
    this.version++;
  }

  /** Removes whatever is stored for this connection (clean start, unreadable or foreign data). */
  discardStored(pages: number[]): void {
    pages.forEach((p) => this.dirty.add(p));
    this.indexDirty = true;
    this.version++;
  }

  get changes(): number {
    return this.version;
  }

  /** How many keys the next takeWrites() touches. */
  get dirtyKeys(): number {
    return this.dirty.size + (this.indexDirty ? 1 : 0);
  }

  /** Characters the outgoing records take in storage, for the size limit. */
  get storedChars(): number {
    return this.outgoingChars;
  }

  records(): JournalRecord[] {
    return [...this.bySeq.values()];
  }

  add(stage: Stage, message: StoredMessage, id?: number): JournalRecord {
    const body = encodeMessage(message);
    if (this.tailChars > 0 && this.tailChars + body.length > this.pageChars) {
      this.tailPage++;
      this.tailChars = 0;
      this.indexDirty = true;
    }
    const record: JournalRecord = { seq: this.nextSeq++, id, stage, message, body, page: this.tailPage, version: 0 };
    this.tailChars += body.length;
    this.bySeq.set(record.seq, record);
    const page = this.pageOf(record.page);
    // the index names non-empty pages only
    if (page.size === 0) this.indexDirty = true;
    page.add(record);
    if (isOutgoing(stage)) this.outgoingChars += body.length;
    this.touch(record);
    return record;
  }

  update(record: JournalRecord, stage: Stage, id = record.id): void {
    if (!this.bySeq.has(record.seq) || (record.stage === stage && record.id === id)) return;
    if (isOutgoing(record.stage) !== isOutgoing(stage)) this.outgoingChars += isOutgoing(stage) ? record.body.length : -record.body.length;
    record.stage = stage;
    record.id = id;
    this.touch(record);
  }

  remove(record: JournalRecord): void {
    if (!this.bySeq.delete(record.seq)) return;
    const page = this.pageOf(record.page);
    page.delete(record);
    if (isOutgoing(record.stage)) this.outgoingChars -= record.body.length;
    if (page.size === 0) {
      // the index lists non-empty pages only; the tail page stays open for the next record
      this.indexDirty = true;
      if (record.page === this.tailPage) this.tailChars = 0;
      else this.pages.delete(record.page);
    }
    this.touch(record);
  }

  /**
   * The writes that bring storage up to date — at most `max`, pages before the index that names
   * them — and the change count they cover once `complete` (nothing left dirty).
   */
  takeWrites(max = Infinity): { writes: StorageWrite[]; version: number; complete: boolean } {
    const writes: StorageWrite[] = [];
    for (const n of [...this.dirty].sort((a, b) => a - b)) {
      if (writes.length >= max) break;
      this.dirty.delete(n);
      const page = this.pages.get(n);
      const key = `${this.key}/${n}`;
      if (!page || page.size === 0) writes.push({ key });
      else writes.push({ key, value: `{"v":${FORMAT},"r":[${[...page].sort((a, b) => a.seq - b.seq).map(recordJson).join(',')}]}` });
    }
    if (this.indexDirty && this.dirty.size === 0 && writes.length < max) {
      const pages = [...this.pages].filter(([, set]) => set.size > 0).map(([n]) => n).sort((a, b) => a - b);
      // t: when this run last wrote the index, for persist.maxAge
      writes.push(pages.length === 0 ? { key: this.key } : { key: this.key, value: JSON.stringify({ v: FORMAT, id: this.identity, pages, t: Date.now() }) });
      this.indexDirty = false;
    }
    return { writes, version: this.version, complete: this.dirty.size === 0 && !this.indexDirty };
  }

  private pageOf(n: number): Set<JournalRecord> {
    let page = this.pages.get(n);
    if (!page) {
      this.pages.set(n, (page = new Set()));
      this.indexDirty = true;
    }
    return page;
  }

  /** Everything is written again at the next flush (after a failed one). */
  invalidate(): void {
    this.pages.forEach((_, n) => this.dirty.add(n));
    this.indexDirty = true;
  }

  private touch(record: JournalRecord): void {
    this.dirty.add(record.page);
    record.version = ++this.version;
  }
}

function safe<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
