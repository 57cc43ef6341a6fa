/**
 * What `persist` left in storage, seen from the app: the queue a persist client finds at
 * creation (listed by pending() before any connect()), queues of other identities (reported once
 * per run, listed by storedQueues(), removed by discardStoredQueue()), and queues no run has
 * touched for `persist.maxAge` (removed at creation).
 */
import { CodedError, Locale, normalizeLocale } from '../core/errors';
import { isJournalKey, journalKey, JournalIdentity } from '../core/journal';
import { getPool, hasExpired, KeyValueStorage, listQueues, outgoingOf, platformStorage, QueueSummary, readQueue, removeQueue, storageFailure, storedPending } from '../platform/index';
import type { ForeignQueue, PendingMessage, StoredQueue } from '../types';
import { rejectingMqttErrors } from './error';

/** Queues of persist clients created in this run: theirs, never foreign. */
const inUse = new Set<string>();
/** Foreign queues already reported in this run. */
const reported = new Set<string>();

export interface StoredQueuesOptions {
  /** The mini-program API (wx, my, tt …); detected when absent, as for createClient. */
  platform?: object;
  /** Language of the error discardStoredQueue() rejects with. */
  locale?: Locale;
}

const storageOf = (platform?: object): KeyValueStorage | undefined => {
  const pool = getPool(platform);
  return pool && platformStorage(pool.wx);
};

function view(queue: QueueSummary): StoredQueue {
  return {
    key: queue.key,
    clientId: queue.owner?.clientId ?? '',
    url: queue.owner?.url ?? '',
    messages: queue.records.length,
    bytes: queue.chars,
    since: queue.since,
    touched: queue.touched,
    inUse: inUse.has(queue.key),
  };
}

/**
 * Every queue `persist` keeps in this mini-program's storage, oldest first, its own clients'
 * included (`inUse`). Empty where storage cannot be listed (no getStorageInfoSync) or read.
 */
export function storedQueues(options: StoredQueuesOptions = {}): StoredQueue[] {
  const storage = storageOf(options.platform);
  try {
    return (storage && listQueues(storage)?.map(view)) || [];
  } catch {
    return [];
  }
}

/**
 * Removes one queue storedQueues() lists, unsent; resolves with the number of messages removed
 * (0 when the key holds nothing). A queue a client of this run uses is refused: its messages go at connect().
 */
export function discardStoredQueue(key: string, options: StoredQueuesOptions = {}): Promise<number> {
  return rejectingMqttErrors(
    async () => {
      if (!isJournalKey(key)) throw new CodedError({ code: 'INVALID_OPTION', field: 'key', reason: `${JSON.stringify(key)}; expected a key from storedQueues()` });
      if (inUse.has(key)) throw new CodedError({ code: 'INVALID_OPTION', field: 'key', reason: 'the queue of a client created in this run; it is sent at connect()' });
      const storage = storageOf(options.platform);
      if (!storage) throw new CodedError({ code: 'STORAGE_ERROR', errMsg: 'this platform has no storage calls' });
      try {
        const queue = readQueue(storage, key);
        if (!queue) return 0;
        removeQueue(storage, queue);
        return queue.records.length;
      } catch (error) {
        throw new CodedError(storageFailure(error));
      }
    },
    () => normalizeLocale(options.locale),
  );
}

/** What a persist client finds in storage at creation. */
export interface LaunchFindings {
  /** Its own stored publishes, as pending() lists them until a connection restores them. */
  pending: PendingMessage[];
  /** Messages of queues past maxAge, removed now. */
  aged: number;
  /** The other queues read at creation (their owners may be clients created in the same tick): foreignQueues() reports those nobody claims. */
  others: QueueSummary[];
}

/**
 * At createClient with persist: claims the client's queue, removes every queue no run has touched
 * for `maxAge` (its own too), and reads what is left of its own. Never throws: unreadable storage
 * is the connection's to report when it loads.
 */
export function openStoredQueue(storage: KeyValueStorage, identity: JournalIdentity, settings: { maxAge: number; clean: boolean; protocolVersion: number }, now = Date.now()): LaunchFindings {
  const own = journalKey(identity);
  inUse.add(own);
  const findings: LaunchFindings = { pending: [], aged: 0, others: [] };
  try {
    const keys = storage.keys();
    const queues = keys ? (listQueues(storage, keys) ?? []) : [readQueue(storage, own)].filter((q): q is QueueSummary => q !== undefined);
    for (const queue of queues) {
      if (settings.maxAge > 0 && queue.touched > 0 && now - queue.touched > settings.maxAge) {
        removeQueue(storage, queue, keys);
        findings.aged += queue.records.length;
      } else if (queue.key !== own) {
        findings.others.push(queue);
      } else if (!settings.clean) {
        findings.pending = storedPending(outgoingOf(queue).filter((r) => !hasExpired(r, now)), settings.protocolVersion, now);
      }
    }
  } catch {
    // the connection's load reports what storage does wrong
  }
  return findings;
}

/**
 * Of the queues read at creation, those of other identities not yet reported in this run and still
 * in storage (called a tick after creation, once the app's clients exist; the keys are listed
 * again, the queues not read again).
 */
export function foreignQueues(storage: KeyValueStorage, others: QueueSummary[]): ForeignQueue[] {
  let keys: string[] | undefined;
  try {
    keys = storage.keys();
  } catch {
    return [];
  }
  const fresh = others.filter((q) => !inUse.has(q.key) && !reported.has(q.key) && keys?.includes(q.key));
  fresh.forEach((q) => reported.add(q.key));
  return fresh.map((q) => ({ key: q.key, clientId: q.owner?.clientId ?? '', url: q.owner?.url ?? '', messages: q.records.length }));
}
