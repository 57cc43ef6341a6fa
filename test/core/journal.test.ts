import { encodeMessage, Journal, JournalIdentity, journalKey, StorageWrite, StoredMessage } from '../../src/core/journal';

const identity: JournalIdentity = { url: 'wss://broker.example:8084/mqtt', clientId: 'c1', username: 'u' };
const key = journalKey(identity);

const message = (n: number, size = 10, extra: Partial<StoredMessage> = {}): StoredMessage => ({
  topic: `t/${n}`,
  bytes: Uint8Array.from({ length: size }, (_, i) => (i * 7 + n) & 0xff),
  qos: 1,
  retain: false,
  since: 1000 + n,
  ...extra,
});

/** Applies writes to a Map as storage would. */
function apply(store: Map<string, string>, writes: StorageWrite[]): void {
  writes.forEach((w) => (w.value === undefined ? store.delete(w.key) : store.set(w.key, w.value)));
}

const reload = (store: Map<string, string>) => Journal.parse(key, identity, (k) => store.get(k));

it('keys differ per connection and never contain the identity in clear', () => {
  expect(key).toMatch(/^miniprogram-mqtt\/[0-9a-z]+$/);
  expect(journalKey({ ...identity, clientId: 'c2' })).not.toBe(key);
  expect(journalKey({ ...identity, username: 'v' })).not.toBe(key);
  expect(key).not.toContain('c1');
});

it('round trip: stages, ids, binary payloads and MQTT 5 properties come back as written; topicAlias is not kept', () => {
  const store = new Map<string, string>();
  const journal = new Journal(key, identity);
  const props = message(1, 3, { qos: 2, retain: true, properties: { userProperties: { a: ['1', '2'] }, correlationData: Uint8Array.from([0, 255]), messageExpiryInterval: 60, topicAlias: 3 } });
  const a = journal.add('queued', props);
  const b = journal.add('queued', message(2));
  journal.update(b, 'publish', 17);
  const c = journal.add('received', message(3, 0, { qos: 2 }), 9);
  journal.update(a, 'pubrel', 65535);
  apply(store, journal.takeWrites().writes);
  const loaded = reload(store);
  expect(loaded.corrupted).toBe(0);
  expect(loaded.records.map((r) => [r.seq, r.stage, r.id])).toEqual([
    [a.seq, 'pubrel', 65535],
    [b.seq, 'publish', 17],
    [c.seq, 'received', 9],
  ]);
  const first = loaded.records[0].message;
  expect(Array.from(first.bytes)).toEqual(Array.from(props.bytes));
  expect(first.properties).toEqual({ userProperties: { a: ['1', '2'] }, correlationData: Uint8Array.from([0, 255]), messageExpiryInterval: 60 });
  expect(first).toMatchObject({ qos: 2, retain: true, since: 1001 });
});

it('pages: records fill pages of at most pageChars; only changed pages are written; emptied pages and the index go', () => {
  const store = new Map<string, string>();
  const body = encodeMessage(message(0, 100)).length;
  const journal = new Journal(key, identity, body * 3);
  const records = Array.from({ length: 7 }, (_, i) => journal.add('queued', message(i, 100)));
  apply(store, journal.takeWrites().writes);
  expect([...store.keys()].sort()).toEqual([key, `${key}/0`, `${key}/1`, `${key}/2`].sort());
  expect(JSON.parse(store.get(key)!)).toEqual({ v: 1, id: identity, pages: [0, 1, 2], t: expect.any(Number) });
  journal.remove(records[3]);
  expect(journal.takeWrites().writes.map((w) => w.key)).toEqual([`${key}/1`]);
  [0, 1, 2].forEach((i) => journal.remove(records[i]));
  const writes = journal.takeWrites().writes;
  expect(writes).toContainEqual({ key: `${key}/0` });
  apply(store, writes);
  expect(JSON.parse(store.get(key)!).pages).toEqual([1, 2]);
  [4, 5, 6].forEach((i) => journal.remove(records[i]));
  apply(store, journal.takeWrites().writes);
  expect(store.size).toBe(0);
  expect(journal.storedChars).toBe(0);
});

it('storedChars counts outgoing records only (incoming QoS 2 state does not use the send limit)', () => {
  const journal = new Journal(key, identity);
  const out = journal.add('queued', message(1, 50));
  journal.add('received', message(2, 50, { qos: 2 }), 4);
  expect(journal.storedChars).toBe(out.body.length);
});

it('parse: bad JSON, wrong shapes and missing pages are counted, never thrown; a foreign index is named', () => {
  const store = new Map<string, string>([[key, 'nope']]);
  store.set(`${key}/0`, 'x');
  store.set(`${key}/1`, 'y');
  expect(reload(store)).toMatchObject({ records: [], pages: [0, 1], corrupted: 1 });
  store.set(key, JSON.stringify({ v: 1, id: identity, pages: [0, 1, 2, 'x'] }));
  store.set(`${key}/0`, JSON.stringify({ v: 1, r: [{ s: 1, g: 'queued', m: { t: 'a', p: 'AA==', q: 1, r: false, a: 1 } }, { s: 2, g: 'publish', m: { t: 'b', p: 'AA==', q: 1, a: 1 } }, { s: 3, g: 'nonsense', i: 1, m: {} }] }));
  store.set(`${key}/1`, '{"r": 5}');
  // page 2 missing: removed before the index that named it
  const loaded = reload(store);
  expect(loaded.records.map((r) => r.seq)).toEqual([1]);
  expect(loaded.corrupted).toBe(4);
  store.set(key, JSON.stringify({ v: 1, id: { ...identity, clientId: 'other' }, pages: [0] }));
  expect(reload(store)).toMatchObject({ records: [], pages: [0], foreign: { clientId: 'other' } });
});

it('adopt: loaded records continue their pages and numbering; pages that held none are removed at the next write', () => {
  const store = new Map<string, string>();
  const first = new Journal(key, identity);
  first.add('queued', message(1));
  apply(store, first.takeWrites().writes);
  store.set(`${key}/5`, 'junk');
  store.set(key, JSON.stringify({ v: 1, id: identity, pages: [0, 5] }));
  const loaded = reload(store);
  const second = new Journal(key, identity);
  second.adopt(loaded);
  const next = second.add('queued', message(2));
  expect(next.seq).toBe(2);
  apply(store, second.takeWrites().writes);
  expect(store.has(`${key}/5`)).toBe(false);
  expect(reload(store).records.map((r) => r.message.topic)).toEqual(['t/1', 't/2']);
});

it('a page that empties and fills again is named by the index again; takeWrites(max) leaves the rest dirty, index last', () => {
  const store = new Map<string, string>();
  const journal = new Journal(key, identity);
  const first = journal.add('queued', message(1));
  apply(store, journal.takeWrites().writes);
  journal.remove(first);
  apply(store, journal.takeWrites().writes);
  expect(store.size).toBe(0);
  journal.add('queued', message(2));
  apply(store, journal.takeWrites().writes);
  expect(reload(store).records.map((r) => r.message.topic)).toEqual(['t/2']);

  const small = new Journal(key, identity, encodeMessage(message(0)).length);
  [3, 4, 5].forEach((n) => small.add('queued', message(n)));
  const part = small.takeWrites(2);
  expect([part.writes.map((w) => w.key), part.complete]).toEqual([[`${key}/0`, `${key}/1`], false]);
  const rest = small.takeWrites(2);
  expect([rest.writes.map((w) => w.key), rest.complete]).toEqual([[`${key}/2`, key], true]);
});
