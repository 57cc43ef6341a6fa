/**
 * The platform doubles themselves (test/support/platforms/*), without the library: each documented
 * behaviour the library is tested against, shown on a real socket to aedes (MQTT CONNECT out,
 * CONNACK back as a binary frame).
 */
import { AddressInfo } from 'net';
import { WebSocketServer } from 'ws';
import { AedesBroker, startAedes } from '../support/brokers';
import { until } from '../support/harness';
import { AlipaySocketTask, NodeMy } from '../support/platforms/alipay';
import { NodeSwan } from '../support/platforms/baidu';
import { DouyinSocketTask, NodeTt } from '../support/platforms/douyin';
import { NodeJd } from '../support/platforms/jd';
import { NodeKs } from '../support/platforms/ks';
import { NodeQq } from '../support/platforms/qq';
import { ENV_TYPE, NodeTaro } from '../support/platforms/taro';
import { NodeUni, UniSocketTask } from '../support/platforms/uni';
import { NodeXhs } from '../support/platforms/xhs';
import { NodeSocketTask, NodeWx } from '../support/wx';

/** MQTT 3.1.1 CONNECT, clean session, empty clientId, keepalive 60. */
const CONNECT = [0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00];
const CONNACK = [0x20, 0x02, 0x00, 0x00];
const buffer = (bytes: number[]): ArrayBuffer => Uint8Array.from(bytes).buffer;
const base64 = (bytes: number[]): string => Buffer.from(bytes).toString('base64');
/** aedes writes CONNACK a field at a time: one frame per byte. */
const joined = (frames: (string | ArrayBuffer)[]): number[] =>
  frames.flatMap((f) => (typeof f === 'string' ? Array.from(Buffer.from(f, 'base64')) : Array.from(new Uint8Array(f))));

let aedes: AedesBroker;
let url: string;
const disposers: (() => void)[] = [];
beforeAll(async () => {
  aedes = await startAedes();
  url = `ws://127.0.0.1:${aedes.wsPort}/mqtt`;
});
afterAll(() => aedes.stop());
afterEach(() => disposers.splice(0).forEach((d) => d()));
const track = <T extends { dispose(): void }>(double: T): T => {
  disposers.push(() => double.dispose());
  return double;
};

describe('NodeMy (Alipay)', () => {
  it('returns a SocketTask only with multiple: true; without it, nothing (the global socket)', () => {
    const my = track(new NodeMy());
    expect(my.connectSocket({ url })).toBeUndefined();
    expect(my.connectSocket({ url, multiple: true })).toBeInstanceOf(AlipaySocketTask);
    expect(my.openSockets()).toBe(2);
  });

  it('a base library without multiple: nothing even with multiple: true; a second global socket fails with {error: 3, errorMessage}, no errMsg', async () => {
    const my = track(new NodeMy({ supportsMultiple: false }));
    expect(my.connectSocket({ url, multiple: true })).toBeUndefined();
    const fail = await new Promise((resolve) => my.connectSocket({ url, multiple: true, fail: resolve }));
    expect(fail).toEqual({ error: 3, errorMessage: '已存在 socket 连接' });
  });

  it('base64 frames: binary out as base64 + isBuffer, in as res.data.data base64 with isBuffer; an ArrayBuffer send fails with error 2', async () => {
    const my = track(new NodeMy());
    const task = my.connectSocket({ url, multiple: true, protocols: ['mqtt'] })!;
    const received: unknown[] = [];
    task.onMessage((res) => received.push(res));
    await new Promise((resolve) => task.onOpen(resolve));
    const refused = await new Promise((resolve) => task.send({ data: buffer(CONNECT), fail: resolve }));
    expect(refused).toEqual({ error: 2, errorMessage: '参数错误' });
    await new Promise((resolve) => task.send({ data: base64(CONNECT), isBuffer: true, success: resolve }));
    await until(() => received.length === CONNACK.length, 'CONNACK');
    expect(received).toEqual(CONNACK.map((byte) => ({ data: { socketTaskID: 1, data: base64([byte]), isBuffer: true } })));
  });

  it('ArrayBuffer frames (10.5.16+): binary in as an ArrayBuffer of this realm; ArrayBuffer sends accepted', async () => {
    const my = track(new NodeMy({ binary: 'arraybuffer' }));
    const task = my.connectSocket({ url, multiple: true, protocols: ['mqtt'] })!;
    const received: { data: { data: string | ArrayBuffer } }[] = [];
    task.onMessage((res) => received.push(res as { data: { data: string | ArrayBuffer } }));
    await new Promise((resolve) => task.onOpen(resolve));
    task.send({ data: buffer(CONNECT) });
    await until(() => received.length === CONNACK.length, 'CONNACK');
    expect(received.every((r) => r.data.data instanceof ArrayBuffer)).toBe(true);
    expect(joined(received.map((r) => r.data.data))).toEqual(CONNACK);
  });

  it('the global socket: my.onSocketMessage {data, isBuffer}, my.sendSocketMessage, offSocketMessage() removes every listener', async () => {
    const my = track(new NodeMy());
    const received: unknown[] = [];
    const removed: unknown[] = [];
    my.onSocketMessage((res) => received.push(res));
    my.onSocketMessage((res) => removed.push(res));
    const opened = new Promise((resolve) => my.onSocketOpen(resolve));
    my.connectSocket({ url, protocols: ['mqtt'] });
    await opened;
    my.sendSocketMessage({ data: base64(CONNECT), isBuffer: true });
    await until(() => received.length === CONNACK.length, 'CONNACK');
    expect(received).toEqual(CONNACK.map((byte) => ({ data: base64([byte]), isBuffer: true })));
    my.offSocketMessage();
    my.sendSocketMessage({ data: base64([0xc0, 0x00]), isBuffer: true }); // PINGREQ
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toHaveLength(CONNACK.length);
    expect(removed).toHaveLength(CONNACK.length);
    const notOpen = await new Promise((resolve) => new NodeMy().sendSocketMessage({ data: 'x', fail: resolve }));
    expect(notOpen).toEqual({ error: 10, errorMessage: 'socket 连接未打开' });
  });

  it('dropsProtocols: no Sec-WebSocket-Protocol is sent', async () => {
    const my = track(new NodeMy({ dropsProtocols: true }));
    my.connectSocket({ url, multiple: true, protocols: ['mqtt'] });
    expect(my.sentProtocols).toEqual([[]]);
  });

  it('network status in upper case; getAuthCode', async () => {
    const my = track(new NodeMy());
    const seen: unknown[] = [];
    my.onNetworkStatusChange((res) => seen.push(res));
    my.setNetwork(false);
    my.setNetwork(true);
    expect(seen).toEqual([
      { isConnected: false, networkType: 'NOTREACHABLE' },
      { isConnected: true, networkType: 'WIFI' },
    ]);
    await expect(new Promise((resolve) => my.getAuthCode({ success: resolve }))).resolves.toEqual({ authCode: expect.any(String) });
  });
});

describe('NodeTt (Douyin)', () => {
  it('send and close before the success callback throw (and are recorded); success comes before onOpen', async () => {
    const tt = track(new NodeTt());
    const order: string[] = [];
    const task = tt.connectSocket({ url, protocols: ['mqtt'], success: () => order.push('success') });
    task.onOpen(() => order.push('open'));
    expect(() => task.send({ data: buffer(CONNECT) })).toThrow("SocketTask.send called before tt.connectSocket's success callback");
    expect(() => task.close()).toThrow('SocketTask.close called');
    expect(tt.violations).toHaveLength(2);
    await until(() => order.length === 2, 'success and open');
    expect(order).toEqual(['success', 'open']);
    const received: { data: string | ArrayBuffer }[] = [];
    task.onMessage((res) => received.push(res));
    task.send({ data: buffer(CONNECT) });
    await until(() => received.length === CONNACK.length, 'CONNACK');
    expect(received.every((r) => r.data instanceof ArrayBuffer)).toBe(true);
    expect(joined(received.map((r) => r.data))).toEqual(CONNACK);
  });

  it('a non-empty protocols the server does not echo: fail, onError, onClose; never success', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => false });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    try {
      const tt = track(new NodeTt());
      const events: string[] = [];
      const task = tt.connectSocket({
        url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`,
        protocols: ['mqtt'],
        success: () => events.push('success'),
        fail: (res) => events.push(`fail ${res.errMsg}`),
      });
      task.onError((res) => events.push(`error ${res.errMsg}`));
      task.onClose((res) => events.push(`close ${res.code}`));
      await until(() => events.some((e) => e.startsWith('close')), 'the close');
      expect(events.sort()).toEqual(['close 1006', 'error SocketTask.onError: Server sent no subprotocol', 'fail connectSocket:fail Server sent no subprotocol']);
    } finally {
      await new Promise((resolve) => wss.close(resolve));
    }
  });

  it('onClose code is a string; no off* on the task and no global socket API', async () => {
    const tt = track(new NodeTt());
    const task: DouyinSocketTask = tt.connectSocket({ url, protocols: ['mqtt'] });
    const closes: unknown[] = [];
    task.onClose((res) => closes.push(res));
    await new Promise((resolve) => task.onOpen(resolve));
    task.close({ code: 1000, reason: 'bye' });
    await until(() => closes.length === 1, 'the close');
    expect(closes[0]).toEqual({ errMsg: 'closeSocket:ok', code: '1000', reason: 'bye' });
    expect('offMessage' in task).toBe(false);
    expect('onSocketMessage' in tt).toBe(false);
  });

  it('network events without isConnected; the background cut (after suspendAfterMs, 5 s by default) closes with code "1001"', async () => {
    const tt = track(new NodeTt({ suspendAfterMs: 50 }));
    const seen: unknown[] = [];
    tt.onNetworkStatusChange((res) => seen.push(res));
    tt.setNetwork(false);
    tt.setNetwork(true);
    expect(seen).toEqual([{ networkType: 'none' }, { networkType: 'wifi' }]);
    const task = tt.connectSocket({ url, protocols: ['mqtt'] });
    const closes: { code: string }[] = [];
    task.onClose((res) => closes.push(res));
    await new Promise((resolve) => task.onOpen(resolve));
    tt.hideApp();
    await until(() => closes.length === 1, 'the background cut');
    expect(closes[0].code).toBe('1001');
    const refused = await new Promise<{ errMsg: string }>((resolve) => tt.connectSocket({ url, fail: resolve }));
    expect(refused.errMsg).toMatch(/^connectSocket:fail/);
  });
});

describe('NodeSwan (Baidu)', () => {
  it('1.9.3: connectSocket returns nothing, a second one closes the first (heard on onSocketClose), sendSocketMessage takes Strings only, no onAppHide', async () => {
    const swan = track(new NodeSwan({ baseLibrary: '1.9.3' }));
    expect(swan.onAppHide).toBeUndefined();
    const closes: unknown[] = [];
    swan.onSocketClose((res) => closes.push(res));
    const opened = new Promise((resolve) => swan.onSocketOpen(resolve));
    expect(swan.connectSocket({ url, protocols: ['mqtt'] })).toBeUndefined();
    await opened;
    const refused = await new Promise<{ errMsg: string }>((resolve) => swan.sendSocketMessage({ data: buffer(CONNECT), fail: resolve }));
    expect(refused.errMsg).toBe('sendSocketMessage:fail parameter error: data should be String, got [object ArrayBuffer]');
    expect(swan.rejectedSends).toEqual(['[object ArrayBuffer]']);
    swan.connectSocket({ url, protocols: ['mqtt'] });
    expect(swan.replaced).toBe(1);
    await until(() => closes.length === 1, 'the first socket to close');
    expect(swan.openSockets()).toBe(1);
  });

  it('3.60.2: a SocketTask per call (WeChat-shaped), swan.onAppHide, getSwanId', async () => {
    const swan = track(new NodeSwan({ baseLibrary: '3.60.2' }));
    expect(typeof swan.onAppHide).toBe('function');
    const task = swan.connectSocket({ url, protocols: ['mqtt'] })!;
    expect(task).toBeInstanceOf(NodeSocketTask);
    const received: { data: string | ArrayBuffer }[] = [];
    task.onMessage((res) => received.push(res));
    await new Promise((resolve) => task.onOpen(resolve));
    task.send({ data: buffer(CONNECT) });
    await until(() => received.length === CONNACK.length, 'CONNACK');
    expect(received.every((r) => r.data instanceof ArrayBuffer)).toBe(true);
    expect(joined(received.map((r) => r.data))).toEqual(CONNACK);
    await expect(new Promise((resolve) => swan.getSwanId({ success: resolve }))).resolves.toMatchObject({ errMsg: 'getSwanId:ok' });
  });
});

describe('NodeUni (uni-app)', () => {
  it('without success/fail/complete: a Promise of the success result; with one of them: the SocketTask', async () => {
    const uni = track(new NodeUni());
    const promised = uni.connectSocket({ url, protocols: ['mqtt'] });
    expect(promised).toBeInstanceOf(Promise);
    await expect(promised).resolves.toEqual({ errMsg: 'connectSocket:ok' });
    expect(uni.connectSocket({ url, protocols: ['mqtt'], complete: () => undefined })).toBeInstanceOf(UniSocketTask);
    expect(uni.requests.map((r) => r.style)).toEqual(['promise', 'task']);
  });

  it('App below 2.2.6: an ArrayBuffer send fails; a binary frame arrives as a string', async () => {
    const uni = track(new NodeUni(new NodeWx(), { appBelow226: true }));
    const task = uni.connectSocket({ url, protocols: ['mqtt'], complete: () => undefined }) as UniSocketTask;
    const received: { data: string | ArrayBuffer }[] = [];
    task.onMessage((res) => received.push(res));
    await new Promise((resolve) => task.onOpen(resolve));
    const refused = await new Promise<{ errMsg: string }>((resolve) => task.send({ data: buffer(CONNECT), fail: resolve }));
    expect(refused.errMsg).toMatch(/ArrayBuffer is not supported/);
    task.native.send({ data: buffer(CONNECT) });
    await until(() => received.length === CONNACK.length, 'CONNACK');
    expect(received.every((r) => typeof r.data === 'string')).toBe(true);
    expect(uni.rejectedSends).toEqual(['[object ArrayBuffer]']);
  });

  it('$on/$emit', () => {
    const uni = new NodeUni();
    const got: unknown[] = [];
    uni.$on('x', (v) => got.push(v));
    uni.$emit('x', 1);
    expect(got).toEqual([1]);
  });
});

describe('NodeTaro (Taro)', () => {
  it('connectSocket returns Promise<SocketTask>, resolved in the success callback with its result merged; getEnv and ENV_TYPE', async () => {
    const taro = track(new NodeTaro());
    const pending = taro.connectSocket({ url, protocols: ['mqtt'] });
    expect(pending).toBeInstanceOf(Promise);
    const task = await pending;
    expect(task).toBeInstanceOf(NodeSocketTask);
    expect(task.errMsg).toBe('connectSocket:ok');
    expect(taro.getEnv()).toBe(ENV_TYPE.WEAPP);
    await expect(new NodeTaro(new NodeWx({ domains: ['example.com'] })).connectSocket({ url })).rejects.toEqual({ errMsg: expect.stringMatching(/url not in domain list/) });
  });
});

describe('NodeQq (QQ)', () => {
  it('is the WeChat double under QQ’s name', () => {
    const qq = new NodeQq();
    expect(qq).toBeInstanceOf(NodeWx);
    expect(qq.api).toBe(qq);
  });
});

describe('NodeJd (JD) and NodeXhs (Xiaohongshu): the WeChat-shaped global socket', () => {
  it('JD: connectSocket returns nothing; the global events and sendSocketMessage carry WeChat frames; a second socket fails; no off*, no onAppHide', async () => {
    const jd = track(new NodeJd());
    expect([jd.onAppHide, jd.offSocketMessage]).toEqual([undefined, undefined]);
    const frames: (string | ArrayBuffer)[] = [];
    jd.onSocketMessage(({ data }) => frames.push(data));
    const opened = new Promise((resolve) => jd.onSocketOpen(resolve));
    expect(jd.connectSocket({ url, protocols: ['mqtt'] })).toBeUndefined();
    await opened;
    const second = await new Promise<{ errMsg: string }>((resolve) => jd.connectSocket({ url, fail: resolve }));
    expect(second.errMsg).toBe('connectSocket:fail exceed max concurrent count 1');
    jd.sendSocketMessage({ data: buffer(CONNECT) });
    await until(() => joined(frames).length >= 4, 'CONNACK');
    expect(joined(frames).slice(0, 4)).toEqual(CONNACK);
    expect(frames.map((f) => Object.prototype.toString.call(f))).toEqual(frames.map(() => '[object ArrayBuffer]'));
    const closed = new Promise((resolve) => jd.onSocketClose(resolve));
    jd.closeSocket();
    await closed;
    expect(jd.openSockets()).toBe(0);
  });

  it('Xiaohongshu: the global socket with off*, or a SocketTask with socketTask: true; getStorageSync answers {code, data, msg} unless wrappedStorage is false', () => {
    const xhs = track(new NodeXhs());
    expect(typeof xhs.offSocketMessage).toBe('function');
    expect(xhs.connectSocket({ url })).toBeUndefined();
    xhs.setStorageSync('k', 'v');
    expect(xhs.getStorageSync('k')).toEqual({ code: 0, data: 'v', msg: 'ok' });
    const tasks = track(new NodeXhs({ socketTask: true, wrappedStorage: false }));
    expect(tasks.connectSocket({ url })).toBeInstanceOf(NodeSocketTask);
    tasks.setStorageSync('k', 'v');
    expect(tasks.getStorageSync('k')).toBe('v');
  });
});

describe('NodeKs (Kuaishou)', () => {
  it('is the WeChat double under Kuaishou’s name, without createTCPSocket; getSystemInfoSync().host is an object', () => {
    const ks = track(new NodeKs());
    expect(ks).toBeInstanceOf(NodeWx);
    expect(ks.createTCPSocket).toBeUndefined();
    expect(typeof ks.getSystemInfoSync().host).toBe('object');
  });
});
