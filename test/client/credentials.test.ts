/**
 * The `credentials` option on a real mosquitto with a password file and no anonymous clients:
 * what the broker sees, refusals (one immediate retry, then a stop that app show and network-back
 * do not undo), renewal before expiry (expiresAt, or a JWT's exp) with a QoS 1 stream across the
 * swap, a function that fails, and a scan of everything observable for the passwords.
 */
import { createClient, MqttClient, setPlatformWx } from '../../src/index';
import type { ClientEventMap, CredentialsContext } from '../../src/types';
import { MosquittoBroker, mosquittoPub, startMosquitto } from '../support/brokers';
import { NodeWx } from '../support/wx';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, what: string, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(20);
  }
}

/** A JWT (unsigned: only the exp claim matters here) that expires `inMs` from now. */
function jwt(inMs: number, subject: string): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: subject, exp: Math.round((Date.now() + inMs) / 1000) })}.c2lnbmF0dXJl`;
}

const USERS = { alice: 'alice-secret-1', bob: 'bob-secret-2' };
/** Every password used in this file, for the scan at the end. */
const SECRETS: string[] = Object.values(USERS);

/** mosquitto logs each CONNACK it sends, with its return code, at debug level. */
const DEBUG_LOG = ['log_type debug'];

let broker: MosquittoBroker;
let wx: NodeWx;
const clients: MqttClient[] = [];
/** Everything a user could see: every event detail of every client, and console lines. */
const seen: string[] = [];
const consoleSpies: jest.SpyInstance[] = [];

beforeAll(async () => {
  broker = await startMosquitto({ users: USERS, config: DEBUG_LOG });
});
afterAll(async () => {
  await broker.stop();
  // the scan: no password in any event, error, warning, console line or storage write of this file
  for (const secret of SECRETS) expect(seen.filter((line) => line.includes(secret))).toEqual([]);
});
beforeEach(() => {
  wx = new NodeWx();
  setPlatformWx(wx);
  // every storage write, as it is made (not only what is left at the end)
  for (const api of ['setStorage', 'setStorageSync'] as const) {
    const write = wx[api].bind(wx) as (...args: unknown[]) => unknown;
    (wx as unknown as Record<string, unknown>)[api] = (...args: unknown[]) => (seen.push(JSON.stringify(args)), write(...args));
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    consoleSpies.push(jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void seen.push(args.map(String).join(' '))));
  }
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  seen.push(JSON.stringify([...wx.storage.data]));
  wx.dispose();
  consoleSpies.splice(0).forEach((spy) => spy.mockRestore());
});

function client(options: Record<string, unknown>, at: MosquittoBroker = broker): MqttClient {
  const c = createClient({ host: at.host, port: at.wsPort, path: at.path, secure: false, reconnectPeriod: 200, connectTimeout: 3000, ...options });
  for (const event of ['status', 'connect', 'error', 'warning', 'message', 'publish', 'subscribe', 'unsubscribe'] as (keyof ClientEventMap)[]) {
    c.on(event, (detail) => void seen.push(JSON.stringify(detail)));
  }
  clients.push(c);
  return c;
}

/** CONNECTs the broker saw for `clientId`: the users of those it accepted, and how many it refused (of anyone: mosquitto does not name the clientId of a refused one). */
function connectsAtBroker(clientId: string, at: MosquittoBroker = broker): { accepted: string[]; refused: number } {
  const log = at.log();
  const accepted = [...log.matchAll(new RegExp(`New client connected from \\S+ as ${clientId} \\([^)]*u'([^']*)'\\)`, 'g'))].map((m) => m[1]);
  return { accepted, refused: (log.match(/Sending CONNACK to \S+ \(0, [45]\)/g) ?? []).length };
}

const uniqueId = (name: string): string => `${name}_${process.pid}_${Date.now() % 100000}`;

describe('credentials()', () => {
  it('is what the broker sees: called before the first CONNECT with reason connect, attempt 1, the clientId and url', async () => {
    const contexts: CredentialsContext[] = [];
    const clientId = uniqueId('who');
    const c = client({ clientId, username: 'alice', password: 'wrong', credentials: (context: CredentialsContext) => (contexts.push(context), { username: 'bob', password: USERS.bob }) });
    await c.connect();
    expect(contexts).toEqual([{ reason: 'connect', attempt: 1, clientId, url: c.url }]);
    await until(() => connectsAtBroker(clientId).accepted.length === 1, 'the broker logs the CONNECT');
    expect(connectsAtBroker(clientId).accepted).toEqual(['bob']);
  });

  it('wrong, then right: connect() resolves after exactly two CONNECTs, the second asked with reason rejected', async () => {
    const clientId = uniqueId('twice');
    const reasons: string[] = [];
    const refusedBefore = connectsAtBroker(clientId).refused;
    const c = client({
      clientId,
      credentials: ({ reason }: CredentialsContext) => {
        reasons.push(reason);
        return reasons.length === 1 ? { username: 'alice', password: 'not-it' } : { username: 'alice', password: USERS.alice };
      },
    });
    const errors: string[] = [];
    c.on('error', (e) => errors.push(e.code));
    await expect(c.connect()).resolves.toMatchObject({ clientId });
    expect(reasons).toEqual(['connect', 'rejected']);
    expect(errors).toEqual([]);
    await until(() => connectsAtBroker(clientId).accepted.length === 1, 'the broker logs the CONNECT');
    expect(connectsAtBroker(clientId).refused - refusedBefore).toBe(1);
    expect(wx.requests).toHaveLength(2);
  });

  it('always wrong: NOT_AUTHORIZED after two CONNECTs, then nothing for 10 s, app show and network-back included; connect() starts again', async () => {
    const reasons: string[] = [];
    const c = client({ clientId: uniqueId('never'), credentials: ({ reason }: CredentialsContext) => (reasons.push(reason), { username: 'alice', password: 'still-wrong' }) });
    await expect(c.connect()).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    expect(reasons).toEqual(['connect', 'rejected']);
    expect(c.status).toBe('offline');
    wx.hideApp();
    await sleep(300);
    wx.showApp();
    wx.setNetwork(false);
    await sleep(300);
    wx.setNetwork(true);
    await sleep(9400);
    expect(wx.requests).toHaveLength(2);
    expect(reasons).toHaveLength(2);
    await expect(c.connect()).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    expect(reasons).toEqual(['connect', 'rejected', 'connect', 'rejected']);
  }, 20000);

  it('without a function, a refused password is NOT_AUTHORIZED at the first CONNECT and stays stopped', async () => {
    const c = client({ clientId: uniqueId('static'), username: 'alice', password: 'wrong-static' });
    const errors: string[] = [];
    c.on('error', (e) => errors.push(e.code));
    await expect(c.connect()).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    wx.hideApp();
    wx.showApp();
    wx.setNetwork(false);
    wx.setNetwork(true);
    await sleep(1000);
    expect(wx.requests).toHaveLength(1);
    expect(errors).toEqual(['NOT_AUTHORIZED']);
    expect(c.status).toBe('offline');
  });

  it.each([
    ['throws', () => { throw new Error('token service down'); }, 'token service down'],
    ['rejects', () => Promise.reject(new Error('HTTP 503')), 'HTTP 503'],
    ['hangs', () => new Promise(() => undefined), 'no answer within 1000 ms (connectTimeout)'],
    ['returns null', () => null, 'credentials() returned null; expected { username?, password?, expiresAt? }'],
    ['returns a number password', () => ({ username: 'alice', password: 42 }), 'credentials() returned password: number; expected a string'],
    ['returns a bad expiresAt', () => ({ username: 'alice', password: USERS.alice, expiresAt: 'soon' }), 'credentials() returned expiresAt: string; expected ms since the epoch'],
  ])('that %s: CREDENTIALS_FAILED with its text, no CONNECT, then recovery once it answers well', async (_, bad, text) => {
    let calls = 0;
    const c = client({
      clientId: uniqueId('bad'),
      connectTimeout: 1000,
      credentials: () => (++calls === 1 ? (bad as () => unknown)() : { username: 'alice', password: USERS.alice }),
    });
    const errors: { code: string; message: string }[] = [];
    c.on('error', (e) => errors.push(e));
    await expect(c.connect()).rejects.toMatchObject({ code: 'CREDENTIALS_FAILED' });
    expect(errors).toHaveLength(1);
    expect(errors[0].code).toBe('CREDENTIALS_FAILED');
    expect(errors[0].message).toContain(text);
    expect(wx.requests).toHaveLength(0);
    // back-off, then the function is asked again
    await until(() => c.status === 'connected', 'connected after the back-off');
    expect(calls).toBe(2);
    expect(wx.requests).toHaveLength(1);
  });

  it('rejects a credentials option that is not a function, and a negative credentialsRefresh', async () => {
    await expect(client({ credentials: 'alice:secret' }).connect()).rejects.toMatchObject({ code: 'INVALID_OPTION', field: 'credentials' });
    await expect(client({ credentials: () => ({}), credentialsRefresh: -1 }).connect()).rejects.toMatchObject({ code: 'INVALID_OPTION', field: 'credentialsRefresh' });
  });
});

describe('renewal before expiry', () => {
  let tokens = { soon: '', later: '' };

  /** Publishes QoS 1 messages 0…count-1 every `everyMs` on `topic` from `c`; resolves when all are acknowledged. */
  async function stream(c: MqttClient, topic: string, count: number, everyMs: number): Promise<void> {
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      sent.push(c.publish(topic, String(i), { qos: 1 }));
      await sleep(everyMs);
    }
    await Promise.all(sent);
  }

  it.each([
    ['expiresAt, a clean session', false, (n: number) => (n === 1 ? { username: 'alice', password: USERS.alice, expiresAt: Date.now() + 4000 } : { username: 'bob', password: USERS.bob })],
    ['a JWT password, persist', true, (n: number) => (n === 1 ? { username: 'jwt1', password: tokens.soon } : { username: 'jwt2', password: tokens.later })],
  ])('with %s: new credentials before expiry, status reconnecting (credentials) → connected, a QoS 1 stream across the swap arrives whole', async (_, persist, give) => {
    // the JWTs expire 4 s from now: a broker of its own that knows them
    tokens = { soon: jwt(4000, 'soon'), later: jwt(3600_000, 'later') };
    SECRETS.push(tokens.soon, tokens.later);
    const own = await startMosquitto({ users: { ...USERS, jwt1: tokens.soon, jwt2: tokens.later }, config: DEBUG_LOG });
    try {
      const clientId = uniqueId('renew');
      const reasons: string[] = [];
      const c = client({ clientId, persist, credentialsRefresh: 2000, credentials: ({ reason }: CredentialsContext) => (reasons.push(reason), give(reasons.length)) }, own);
      const statuses: string[] = [];
      c.on('status', (s) => statuses.push(`${s.status}${s.reason ? `:${s.reason}` : ''}`));
      const received: string[] = [];
      const peer = client({ clientId: uniqueId('peer'), username: 'alice', password: USERS.alice }, own);
      peer.on('message', (m) => received.push(m.payload));
      await peer.connect();
      await peer.subscribe(`renew/${clientId}`, { qos: 1 });
      await c.connect();
      const topicFromPeer = `peer/${clientId}`;
      const fromPeer: string[] = [];
      c.on('message', (m) => fromPeer.push(m.payload));
      await c.subscribe(topicFromPeer, { qos: 1 });
      // 40 messages over about 3.2 s: the swap (about 2 s after connecting) falls inside
      await stream(c, `renew/${clientId}`, 40, 80);
      expect(reasons).toEqual(['connect', 'expiring']);
      // with persist the stream went through storage: the scan at the end reads those writes too
      if (persist) expect(wx.storage.writeTimes.length).toBeGreaterThan(0);
      expect(statuses).toContain('reconnecting:credentials');
      expect(statuses[statuses.length - 1]).toBe('connected');
      await until(() => received.length >= 40, 'the stream at the peer');
      expect([...new Set(received)].map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      // both CONNECTs with their own credentials, the second before the first expired (the broker never refused)
      await until(() => connectsAtBroker(clientId, own).accepted.length === 2, 'two CONNECTs at the broker');
      expect(connectsAtBroker(clientId, own)).toEqual({ accepted: [give(1).username, give(2).username], refused: 0 });
      // subscriptions are back on the new connection: a peer's message after the swap arrives
      mosquittoPub(own, topicFromPeer, 'after the swap', ['-u', 'alice', '-P', USERS.alice, '-q', '1']);
      await until(() => fromPeer.includes('after the swap'), "the peer's message after the swap");
      await Promise.all(clients.splice(0).map((x) => x.end()));
    } finally {
      await own.stop();
    }
  }, 20000);
});
