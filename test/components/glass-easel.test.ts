/**
 * <mqtt-panel> and <message-list> as built (miniprogram_dist), on the real glass-easel framework
 * (test/support/glass-easel.ts), against mosquitto: the panel connects, subscribes, shows a
 * mosquitto_pub message, publishes to a peer and shows a coded error; the list draws appends in
 * batches, filters, clears and keeps max-items. All of it once per renderer the components may
 * read (`this.renderer`, set by the test: the adapter has none).
 */
import { VirtualNode } from 'glass-easel';
import type { GeneralComponent, Element as GlassEaselElement } from 'glass-easel';
import type { MessageEventDetail, MessageListClearDetail, MessageListMethods, MqttErrorDetail, MqttPanelMethods, PublishEventDetail, SubscribeEventDetail } from '../../src/types';
import { Broker, mosquittoPub, startMosquitto } from '../support/brokers';
import { Backend, byText, dump, find, instance, library, listen, mount, Mounted, Renderer, spySetData, takeRuntimeWarnings, tap, texts, type } from '../support/glass-easel';
import { sleep, until } from '../support/harness';
import { msg, restartMessages, T0 } from '../support/messages';
import { connectPeer, Peer } from '../support/peer';
import { NodeWx } from '../support/wx';

/** The port the panel snapshot shows; its socket goes to mosquitto's real (random) one. */
const SHOWN_PORT = 18083;

let broker: Broker;
let peer: Peer;
let wx: NodeWx;
let mounted: Mounted | undefined;

beforeAll(async () => {
  broker = await startMosquitto();
  peer = await connectPeer(broker.tcpPort);
  await peer.subscribe('ge/out/#', 1);
});
afterAll(async () => {
  await peer.end();
  await broker.stop();
});
beforeEach(() => {
  wx = new NodeWx();
  // the dist's own setPlatformWx: the components share its module instance, not src's
  library.setPlatformWx(wx, { limits: { disconnectGraceMs: 100 } });
});
afterEach(() => {
  mounted?.release();
  mounted = undefined;
  wx.dispose();
  expect(takeRuntimeWarnings()).toEqual([]);
});

/** The backend of the describe block running (set in its beforeEach). */
let backend: Backend = 'dom';
const render = (template: string, options: Parameters<typeof mount>[1]): Mounted => (mounted = mount(template, { backend, ...options }));
/**
 * Each renderer on glass-easel's DOM-like backend (drawn on jsdom), and Skyline's rules also on
 * glass-easel's two DOM-less protocols (shadow, composed): nothing may lean on a DOM there.
 */
const SETUPS: { renderer: Renderer; backend: Backend }[] = [
  { renderer: 'skyline', backend: 'dom' },
  { renderer: 'webview', backend: 'dom' },
  { renderer: 'skyline', backend: 'shadow' },
  { renderer: 'skyline', backend: 'composed' },
];
const panelOf = (m: Mounted) => m.byId('panel');
/** The <message-list> inside a panel. */
const listIn = (panel: GeneralComponent) => panel.getShadowRoot()!.getElementById('list') as GeneralComponent;
const panelMethods = (panel: GeneralComponent) => instance<MqttPanelMethods>(panel);
const listMethods = (list: GeneralComponent) => instance<MessageListMethods>(list);
/** The panel's input (or textarea) for a draft field. */
const inputFor = (panel: GeneralComponent, field: string): GlassEaselElement => {
  const found = [...find(panel, 'mp__input'), ...find(panel, 'mp__payload')].find((el) => el.dataset.field === field);
  if (!found) throw new Error(`no input for ${field}`);
  return found;
};
const classesOf = (el: GlassEaselElement): string[] => el.class.split(/\s+/).filter(Boolean);


it('a template that does not compile fails the test, naming the file, line and message', () => {
  expect(() => render('<view>\n  <message-list id="list"', { renderer: 'skyline' })).toThrow('WXML does not compile:\nhost/index.wxml:2:3 Fatal: incomplete tag');
});

describe.each(SETUPS)('renderer $renderer, $backend backend', ({ renderer, backend: using }) => {
  beforeEach(() => {
    backend = using;
  });
  afterAll(() => {
    backend = 'dom';
  });
  beforeEach(restartMessages);

  it('compiles both templates without a diagnostic, takes styleIsolation from their JSON and gives them this.renderer', () => {
    const m = render('<mqtt-panel id="panel" />', { renderer });
    expect(m.diagnostics).toEqual([]);
    const panel = panelOf(m);
    const list = listIn(panel);
    expect([instance(panel).renderer, instance(list).renderer]).toEqual([renderer, renderer]);
    // the style scopes show in the classes of what is drawn: only the DOM backend draws
    if (using !== 'dom') return;
    for (const [comp, name, root] of [[panel, 'mqtt-panel', 'mp'], [list, 'message-list', 'ml']] as const) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built JSON
      const { styleIsolation } = require(`../../miniprogram_dist/${name}/index.json`) as { styleIsolation: string };
      const expected = { isolated: [`${name}--${root}`], 'apply-shared': [root, `${name}--${root}`], shared: [root] }[styleIsolation];
      const dom = find(comp, root)[0].getBackendElement() as unknown as HTMLElement;
      expect([...dom.classList].filter((c) => c === root || c === `${name}--${root}`)).toEqual(expected);
    }
  });

  describe('<mqtt-panel> on mosquitto', () => {
    const host = (attributes: string) =>
      `<mqtt-panel id="panel" host="{{host}}" port="{{port}}" secure="{{false}}" reconnect-period="{{200}}" ${attributes} bind:error="onError" />`;
    const data = () => ({ host: broker.host, port: broker.wsPort });

    it('tapped 连接 connects and subscribes; a mosquitto_pub message is shown; tapped 发布 reaches a peer; release closes the socket', async () => {
      const m = render(host('topic="ge/in/#" qos="{{1}}" payload="hello from the panel"'), { renderer, data: data() });
      const panel = panelOf(m);
      const list = listIn(panel);
      const [statuses, subscribes, messages, publishes] = [listen<{ status: string }>(panel, 'status'), listen<SubscribeEventDetail>(panel, 'subscribe'), listen<MessageEventDetail>(panel, 'message'), listen<PublishEventDetail>(panel, 'publish')];
      expect(texts(panel, 'mp__status')).toEqual(['未连接']);

      tap(byText(panel, 'mp__button', '连接'));
      await until(() => subscribes.length === 1, 'connect and the auto-subscription');
      expect(statuses.map((s) => s.status)).toEqual(['connecting', 'connected']);
      expect(subscribes[0]).toEqual({ topic: 'ge/in/#', qos: 1, granted: 1 });
      expect(texts(panel, 'mp__status')).toEqual(['已连接']);
      expect(classesOf(find(panel, 'mp__status')[0])).toContain('mp__status--connected');
      expect(texts(panel, 'mp__sub')).toEqual(['ge/in/# · QoS 1']);
      expect(texts(list, 'ml__empty-text')).toEqual(['暂无消息']);

      mosquittoPub(broker, 'ge/in/cli', 'from mosquitto_pub', ['-q', '1']);
      await until(() => texts(list, 'ml__payload').length === 1, 'the message drawn in the list');
      expect(messages).toEqual([expect.objectContaining({ topic: 'ge/in/cli', payload: 'from mosquitto_pub', qos: 1, direction: 'in' })]);
      expect(texts(list, 'ml__topic')).toEqual(['ge/in/cli']);
      expect(texts(list, 'ml__payload')).toEqual(['from mosquitto_pub']);
      expect(texts(list, 'ml__badge')).toEqual(['QoS 1 · 接收']);
      expect(texts(list, 'ml__empty-text')).toEqual([]);

      type(inputFor(panel, 'pubTopic'), 'ge/out/typed');
      const before = peer.received.length;
      tap(byText(panel, 'mp__button', '发布'));
      await peer.waitFor(before + 1);
      expect(peer.received[before]).toMatchObject({ topic: 'ge/out/typed', qos: 1 });
      expect(peer.received[before].payload.toString()).toBe('hello from the panel');
      await until(() => publishes.length === 1, 'the publish event (at PUBACK)');
      expect(publishes).toEqual([expect.objectContaining({ topic: 'ge/out/typed', payload: 'hello from the panel', qos: 1, direction: 'out' })]);
      await until(() => texts(panel, 'mp__counts')[0] === '↓ 1 · ↑ 1', 'the counts');
      await until(() => find(list, 'ml__item').length === 2, 'the publish drawn in the list');
      expect(find(list, 'ml__item').map((el) => classesOf(el).find((c) => c.startsWith('ml__item--'))).sort()).toEqual(['ml__item--in', 'ml__item--out']);

      m.release();
      await until(() => wx.sockets.size === 0, 'the socket to close when the page goes');
    });

    it('a bad topic typed and published shows INVALID_TOPIC in the error line and emits it; a good publish clears it', async () => {
      const bound: MqttErrorDetail[] = [];
      const m = render(host('topic="ge/in/#" payload="p"'), { renderer, data: data(), methods: { onError: (e) => void bound.push(e.detail as MqttErrorDetail) } });
      const panel = panelOf(m);
      const errors = listen<MqttErrorDetail>(panel, 'error');
      await panelMethods(panel).connect();
      expect(texts(panel, 'mp__error')).toEqual([]);

      type(inputFor(panel, 'pubTopic'), 'ge/out/+');
      tap(byText(panel, 'mp__button', '发布'));
      await until(() => errors.length === 1, 'the error event');
      expect(errors[0]).toMatchObject({ code: 'INVALID_TOPIC', message: expect.stringContaining('ge/out/+'), fix: expect.any(String) });
      expect(errors[0].fix).not.toBe('');
      expect(bound).toEqual(errors);
      expect(texts(panel, 'mp__error-message')).toEqual([errors[0].message]);
      expect(texts(panel, 'mp__error-fix')).toEqual([expect.stringContaining(errors[0].fix!)]);

      await expect(panelMethods(panel).subscribe('a/#/b')).rejects.toMatchObject({ code: 'INVALID_TOPIC' });
      expect(errors.map((e) => e.code)).toEqual(['INVALID_TOPIC', 'INVALID_TOPIC']);
      expect(texts(panel, 'mp__error-message')).toEqual([expect.stringContaining('a/#/b'), expect.stringContaining('ge/out/+')]);

      const before = peer.received.length;
      type(inputFor(panel, 'pubTopic'), 'ge/out/ok');
      tap(byText(panel, 'mp__button', '发布'));
      await peer.waitFor(before + 1);
      expect(peer.received.slice(before).map((r) => r.topic)).toEqual(['ge/out/ok']);
      await until(() => texts(panel, 'mp__error-message').length === 1, 'the publish error to clear');
      expect(texts(panel, 'mp__error-message')).toEqual([expect.stringContaining('a/#/b')]);
      await panelMethods(panel).disconnect();
    });

    it('snapshot: connected, a message in and one out', async () => {
      // a fixed port in the rendered tree; the socket goes to mosquitto's
      library.setPlatformWx({ ...wx, connectSocket: (o) => wx.connectSocket({ ...o, url: o.url.replace(`:${SHOWN_PORT}/`, `:${broker.wsPort}/`) }) });
      const m = render(host('topic="snap/#" client-id="ge_snap"'), { renderer, data: { host: broker.host, port: SHOWN_PORT } });
      const panel = panelOf(m);
      const subscribes = listen(panel, 'subscribe');
      await panelMethods(panel).connect();
      await until(() => subscribes.length === 1, 'the auto-subscription');
      const now = jest.spyOn(Date, 'now').mockReturnValue(T0);
      try {
        await panelMethods(panel).publish('cmd/light', '{"on":true}', { qos: 1 });
        mosquittoPub(broker, 'snap/temperature', '21.5');
        await until(() => find(listIn(panel), 'ml__item').length === 2 && texts(panel, 'mp__counts')[0] === '↓ 1 · ↑ 1', 'both drawn');
      } finally {
        now.mockRestore();
      }
      expect(dump(panel)).toMatchSnapshot();
      await panelMethods(panel).disconnect();
    });
  });

  describe('<message-list>', () => {
    const host = '<message-list id="list" max-items="{{maxItems}}" filter="{{filter}}" messages="{{messages}}" bind:clear="onClear" />';
    const listFor = (data: Record<string, unknown> = {}, methods = {}) => render(host, { renderer, data: { maxItems: 100, filter: '', messages: [], ...data }, methods }).byId('list');
    const MIXED = () => [msg('sensors/t1', '21.5', { qos: 1 }), msg('cmd/light', 'on', { direction: 'out', qos: 2, retain: true }), msg('sensors/t2', '{"t":22}', { retain: true })];

    it('draws appends in batches: one path-keyed setData per batch, not per message', async () => {
      const list = listFor();
      const calls = spySetData(list);
      listMethods(list).append(msg('t', 'first'));
      expect(texts(list, 'ml__payload')).toEqual([]);
      await until(() => texts(list, 'ml__payload').length === 1, 'the first batch');
      expect(calls).toEqual([['slots[0]', 'shownCount', 'anchor']]);

      const started = Date.now();
      for (let i = 0; i < 1000; i++) {
        listMethods(list).append(msg(`load/${i % 7}`, `p${i}`));
        if (i % 100 === 99) await sleep(10);
      }
      await until(() => texts(list, 'ml__payload').includes('p999'), 'the last append drawn', 5000);
      const elapsed = Date.now() - started;
      expect(calls.length - 1).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 1);
      expect(calls.length - 1).toBeLessThan(30);
      expect(calls.flat().every((k) => /^slots\[\d+\]$/.test(k) || k === 'shownCount' || k === 'anchor')).toBe(true);
      expect(find(list, 'ml__item')).toHaveLength(100);
      expect(listMethods(list).getMessages().map((m) => m.payload)).toEqual(Array.from({ length: 100 }, (_, i) => `p${900 + i}`));
    });

    it(`rows sit ${renderer === 'skyline' ? 'directly in <scroll-view type="list"> (drawn as they scroll into view)' : 'in one column inside the scroll-view'}`, () => {
      const list = listFor({ messages: MIXED() });
      const [scroll] = find(list, 'ml__scroll');
      const rows = find(list, 'ml__item');
      expect(rows).toHaveLength(3);
      // the element each row is laid out in: <block> and <template> leave virtual nodes, not elements
      const container = (row: GlassEaselElement): GlassEaselElement | null => {
        let parent = row.parentNode;
        while (parent instanceof VirtualNode) parent = parent.parentNode;
        return parent;
      };
      const expected = renderer === 'skyline' ? scroll : find(list, 'ml__items')[0];
      expect(rows.every((row) => container(row) === expected)).toBe(true);
      expect(find(list, 'ml__scroll--list')).toHaveLength(renderer === 'skyline' ? 1 : 0);
    });

    it('shows only the topics matching its filter, with wildcards, as the filter changes', async () => {
      const list = listFor({ messages: [msg('home/kitchen/t', '1'), msg('home/bath/t', '2'), msg('home/kitchen/h', '3')] });
      const topics = () => texts(list, 'ml__topic').sort();
      expect(topics()).toEqual(['home/bath/t', 'home/kitchen/h', 'home/kitchen/t']);
      mounted!.setData({ filter: 'home/+/t' });
      expect(topics()).toEqual(['home/bath/t', 'home/kitchen/t']);
      mounted!.setData({ filter: 'home/kitchen/#' });
      expect(topics()).toEqual(['home/kitchen/h', 'home/kitchen/t']);
      listMethods(list).append([msg('home/kitchen/x', '4'), msg('garden/t', '5')]);
      await until(() => topics().length === 3, 'the matching append');
      expect(topics()).toEqual(['home/kitchen/h', 'home/kitchen/t', 'home/kitchen/x']);
      mounted!.setData({ filter: 'nothing/here' });
      expect(topics()).toEqual([]);
      expect(texts(list, 'ml__empty-text')).toEqual(['暂无消息']);
    });

    it('clear empties it, drops what was waiting to be drawn, and emits clear with the count', async () => {
      const bound: MessageListClearDetail[] = [];
      const list = listFor({ messages: MIXED() }, { onClear: (e: { detail: MessageListClearDetail }) => void bound.push(e.detail) });
      const events = listen<MessageListClearDetail>(list, 'clear');
      expect(find(list, 'ml__item')).toHaveLength(3);
      listMethods(list).append(msg('x', 'waiting'));
      listMethods(list).clear();
      expect(events).toEqual([{ count: 4 }]);
      expect(bound).toEqual(events);
      expect(find(list, 'ml__item')).toHaveLength(0);
      expect(texts(list, 'ml__empty-text')).toEqual(['暂无消息']);
      await sleep(80);
      expect(find(list, 'ml__item')).toHaveLength(0);
      expect(listMethods(list).getMessages()).toEqual([]);
    });

    it('keeps at most max-items, the newest, and shrinks when max-items drops', async () => {
      const list = listFor({ maxItems: 3 });
      listMethods(list).append(Array.from({ length: 7 }, (_, i) => msg('t', `p${i}`)));
      await until(() => find(list, 'ml__item').length === 3, 'the batch', 2000);
      expect(texts(list, 'ml__payload').sort()).toEqual(['p4', 'p5', 'p6']);
      listMethods(list).append(msg('t', 'p7'));
      await until(() => texts(list, 'ml__payload').includes('p7'), 'the next message', 2000);
      expect(texts(list, 'ml__payload').sort()).toEqual(['p5', 'p6', 'p7']);
      mounted!.setData({ maxItems: 2 });
      expect(texts(list, 'ml__payload').sort()).toEqual(['p6', 'p7']);
      expect(listMethods(list).getMessages().map((m) => m.payload)).toEqual(['p6', 'p7']);
    });

    it('follows a named client on mosquitto: its filter subscribed, mosquitto_pub messages drawn', async () => {
      const client = library.createClient({ name: `ge-list-${renderer}-${using}`, host: broker.host, port: broker.wsPort, secure: false, reconnectPeriod: 200 });
      const m = render(`<message-list id="list" client="ge-list-${renderer}-${using}" filter="ge/list/#" />`, { renderer });
      const list = m.byId('list');
      await client.connect();
      await until(() => client.subscriptions.some((s) => s.topic === 'ge/list/#'), 'the list’s subscription');
      mosquittoPub(broker, 'ge/list/a', 'one');
      mosquittoPub(broker, 'ge/other', 'not for the list');
      mosquittoPub(broker, 'ge/list/b', 'two');
      await until(() => texts(list, 'ml__payload').length === 2, 'both messages drawn');
      expect(texts(list, 'ml__topic').sort()).toEqual(['ge/list/a', 'ge/list/b']);
      await client.end();
    });

    it('snapshot: mixed in and out, QoS and retain badges', () => {
      const list = listFor({ messages: MIXED() });
      expect(dump(list)).toMatchSnapshot();
    });
  });
});
