/**
 * The queues `persist` left in storage, whoever they belong to: listed from the platform's keys
 * (getStorageInfoSync), read without sending anything, removed whole. The Persistence of a live
 * connection owns its own queue; this module only reads others, and removes what nobody runs.
 */
import { ErrorInfo, isErrorInfo } from '../../core/errors';
import { isJournalKey, isOutgoing, Journal, JournalIdentity, JournalRecord } from '../../core/journal';
import type { KeyValueStorage } from '../storage';

export interface QueueSummary {
  key: string;
  /** Whose queue it is; absent when its index cannot be read. */
  owner?: JournalIdentity;
  /** Every record: outgoing publishes and incoming QoS 2 messages not yet completed. */
  records: JournalRecord[];
  /** Characters the queue takes in storage (index and pages). */
  chars: number;
  /** The oldest record's time (ms since the epoch); 0 when it holds none. */
  since: number;
  /** When a run last wrote it or added to it (ms since the epoch); 0 when unknown. */
  touched: number;
}

/** Reads one queue; undefined when `key` holds nothing. Throws ErrorInfo when storage cannot be read. */
export function readQueue(storage: KeyValueStorage, key: string): QueueSummary | undefined {
  const parsed = Journal.parse(key, undefined, (k) => storage.read(k));
  if (parsed.chars === 0) return undefined;
  const times = parsed.records.map((r) => r.message.since);
  return {
    key,
    owner: parsed.owner,
    records: parsed.records,
    chars: parsed.chars,
    since: times.length > 0 ? Math.min(...times) : 0,
    touched: Math.max(parsed.written ?? 0, ...times, 0),
  };
}

/** Every queue in storage (among `keys`, when already listed), oldest first; undefined where the platform cannot list its keys. Throws ErrorInfo. */
export function listQueues(storage: KeyValueStorage, keys = storage.keys()): QueueSummary[] | undefined {
  if (!keys) return undefined;
  const queues: QueueSummary[] = [];
  for (const key of keys.filter(isJournalKey)) {
    const queue = readQueue(storage, key);
    if (queue) queues.push(queue);
  }
  return queues.sort((a, b) => a.since - b.since);
}

/** Removes a queue at once: its pages (those the index names and any other under the key), then the index. Throws ErrorInfo. */
export function removeQueue(storage: KeyValueStorage, queue: QueueSummary, keys: string[] = storage.keys() ?? []): void {
  const pages = new Set([...queue.records.map((r) => `${queue.key}/${r.page}`), ...keys.filter((k) => k.startsWith(`${queue.key}/`))]);
  pages.forEach((page) => storage.writeSync(page, undefined));
  storage.writeSync(queue.key, undefined);
}

/** Outgoing publishes of a queue: what `pending()` lists and a connect sends. */
export const outgoingOf = (queue: QueueSummary): JournalRecord[] => queue.records.filter((r) => isOutgoing(r.stage));

/** ErrorInfo or something thrown by a platform call, as ErrorInfo. */
export const storageFailure = (error: unknown): ErrorInfo => (isErrorInfo(error) ? error : { code: 'STORAGE_ERROR', errMsg: String(error) });
