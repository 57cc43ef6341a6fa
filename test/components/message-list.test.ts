/** <message-list> in miniprogram-simulate: rendering, behaviour and setData cost. */
import type { MqttMessage } from '../../src/core/message';
import { msg, restartMessages } from '../support/messages';
import { listen, loadComponent, render, Rendered, sleep, spySetData } from '../support/simulate';

const binary = (topic: string, bytes: number[]): MqttMessage =>
  msg(topic, Buffer.from(bytes).toString('utf8'), { bytes: Uint8Array.from(bytes).buffer });

const MIXED = [
  msg('sensors/t1', '21.5', { qos: 1 }),
  msg('cmd/light', 'on', { direction: 'out', qos: 2, retain: true }),
  msg('sensors/t2', '{"t":22}', { retain: true }),
];

let id: string;
beforeAll(() => {
  id = loadComponent('message-list');
});
beforeEach(restartMessages);

const texts = (comp: Rendered, selector: string): string[] => comp.querySelectorAll(selector).map((n) => n.dom?.textContent?.trim() ?? '');
const count = (comp: Rendered, selector: string): number => comp.querySelectorAll(selector).length;
const topicsShown = (comp: Rendered): string[] => texts(comp, '.ml__topic');

describe('snapshots', () => {
  it('empty, in both locales, and with a custom emptyText', () => {
    expect(render(id).toJSON()).toMatchSnapshot('zh-CN');
    expect(render(id, { locale: 'en' }).toJSON()).toMatchSnapshot('en');
    expect(texts(render(id, { emptyText: '等待设备上报…' }), '.ml__empty')).toEqual(['等待设备上报…']);
  });

  it('mixed in/out with QoS and retain badges, in both locales', () => {
    expect(render(id, { messages: MIXED }).toJSON()).toMatchSnapshot('zh-CN');
    expect(render(id, { messages: MIXED, locale: 'en' }).toJSON()).toMatchSnapshot('en');
  });

  it.each(['text', 'json', 'hex', 'base64'])('format %s, including invalid JSON and binary bytes', async (format) => {
    const comp = render(id, { format, order: 'oldest-first' });
    comp.instance.append([msg('a', '{"ok":true,"n":[1,2]}'), msg('b', 'not json {'), binary('c', [0x00, 0xff, 0xfe, 0x41, 0xe4, 0xb8, 0xad])]);
    await sleep(80);
    expect(comp.toJSON()).toMatchSnapshot();
  });

  it('filtered, and both orders', () => {
    expect(render(id, { messages: MIXED, filter: 'sensors/+' }).toJSON()).toMatchSnapshot('filtered');
    expect(render(id, { messages: MIXED, order: 'oldest-first' }).toJSON()).toMatchSnapshot('oldest-first');
  });
});

describe('behaviour', () => {
  it('shows only topics matching the filter, with wildcards, and re-filters on change', async () => {
    const comp = render(id, { messages: [msg('home/kitchen/t', '1'), msg('home/bath/t', '2'), msg('home/kitchen/h', '3'), msg('$SYS/x', '4')] });
    expect(topicsShown(comp)).toHaveLength(4);
    comp.setData({ filter: 'home/+/t' });
    expect(topicsShown(comp).sort()).toEqual(['home/bath/t', 'home/kitchen/t']);
    comp.setData({ filter: 'home/kitchen/#' });
    expect(topicsShown(comp).sort()).toEqual(['home/kitchen/h', 'home/kitchen/t']);
    comp.setData({ filter: '#' });
    expect(topicsShown(comp)).not.toContain('$SYS/x');
    comp.setData({ filter: 'bad/#/filter' });
    expect(topicsShown(comp)).toHaveLength(4);
    comp.setData({ filter: 'home/bath/t' });
    comp.instance.append([msg('home/bath/t', '5'), msg('other', '6')]);
    await sleep(80);
    expect(texts(comp, '.ml__payload').sort()).toEqual(['2', '5']);
  });

  it('keeps at most maxItems, evicting the oldest, and shrinks when maxItems drops', async () => {
    const comp = render(id, { maxItems: 3, order: 'oldest-first' });
    comp.instance.append(Array.from({ length: 7 }, (_, i) => msg('t', `p${i}`)));
    await sleep(80);
    expect(comp.instance.getMessages().map((m: MqttMessage) => m.payload)).toEqual(['p4', 'p5', 'p6']);
    comp.instance.append(msg('t', 'p7'));
    await sleep(80);
    expect(comp.instance.getMessages().map((m: MqttMessage) => m.payload)).toEqual(['p5', 'p6', 'p7']);
    expect(count(comp, '.ml__item')).toBe(3);
    comp.setData({ maxItems: 2 });
    expect(comp.instance.getMessages().map((m: MqttMessage) => m.payload)).toEqual(['p6', 'p7']);
  });

  it('clears and emits clear with the count', async () => {
    const comp = render(id, { messages: MIXED });
    const events = listen(comp, 'clear');
    comp.instance.append(msg('x', 'pending'));
    comp.instance.clear();
    expect(events).toEqual([{ count: 4 }]);
    expect(count(comp, '.ml__item')).toBe(0);
    await sleep(80);
    expect(comp.instance.getMessages()).toEqual([]);
  });

  it('emits select with the message on tap and expands a long payload', async () => {
    const long = 'x'.repeat(1000);
    const comp = render(id, { messages: [msg('long', long)] });
    const events = listen<{ message: MqttMessage }>(comp, 'select');
    expect(texts(comp, '.ml__payload')[0]).toHaveLength(280);
    expect(texts(comp, '.ml__more')).toEqual(['展开']);
    comp.querySelector('.ml__item')!.dispatchEvent('tap');
    await sleep(0);
    expect(events).toHaveLength(1);
    expect(events[0].message).toMatchObject({ topic: 'long', payload: long, id: 'm1' });
    expect(texts(comp, '.ml__payload')[0]).toHaveLength(1000);
    expect(texts(comp, '.ml__more')).toEqual(['收起']);
  });

  it('replaces everything when messages is set, and drops what is not a message', () => {
    const comp = render(id, { messages: MIXED });
    comp.setData({ messages: [msg('only', 'one'), null, 42, { payload: 'no topic' }] });
    expect(topicsShown(comp)).toEqual(['only']);
    comp.instance.append([undefined, 'x', { topic: 'ok', payload: 'fine' }] as unknown as MqttMessage[]);
    expect(() => comp.instance.append(undefined as unknown as MqttMessage)).not.toThrow();
  });

  it('hides the time when showTime is false and falls back to text for an unknown format', () => {
    const comp = render(id, { messages: [msg('a', 'b')], showTime: false, format: 'xml' });
    expect(texts(comp, '.ml__time')).toEqual([]);
    expect(texts(comp, '.ml__payload')).toEqual(['b']);
  });
});

describe('MQTT 5 properties', () => {
  /** Every DOM node (elements and text) of the first item, and of the whole list. */
  const nodes = (node: Node): number => 1 + Array.from(node.childNodes).reduce((sum, child) => sum + nodes(child), 0);
  const itemNodes = (comp: Rendered): number => nodes(comp.querySelector('.ml__item')!.dom!);
  // Measured on the template before properties were shown: item, meta, topic, badge, payload and time, with their 4 texts; 4 more for the list around it.
  const ITEM_NODES_BEFORE = 10;
  const LIST_NODES_BEFORE = 14;
  const WITH_PROPERTIES = [
    msg('dev/1/state', '{"on":true}', {
      qos: 1,
      properties: { contentType: 'application/json', userProperties: { device: 'lamp-1', tag: ['a', 'b'] }, messageExpiryInterval: 60 },
    }),
    msg('dev/1/cmd', 'on', { direction: 'out', properties: { userProperties: { trace: '7f3a' } } }),
    msg('dev/1/raw', 'x', { properties: { contentType: 'text/plain' } }),
  ];

  it('shows content type and user properties (a repeated name once per value), in both locales', () => {
    expect(render(id, { messages: WITH_PROPERTIES, order: 'oldest-first' }).toJSON()).toMatchSnapshot('zh-CN');
    const comp = render(id, { messages: WITH_PROPERTIES, order: 'oldest-first', locale: 'en' });
    expect(comp.toJSON()).toMatchSnapshot('en');
    expect(texts(comp, '.ml__type')).toEqual(['application/json', 'text/plain']);
    expect(comp.querySelectorAll('.ml__user').map((n) => n.dom?.textContent)).toEqual(['device: lamp-1\ntag: a\ntag: b', 'trace: 7f3a']);
  });

  it('a message without properties renders exactly the nodes it did before, and sends no props to the view', async () => {
    const plain = render(id, { messages: [msg('t', 'p')] });
    expect(itemNodes(plain)).toBe(ITEM_NODES_BEFORE);
    expect(nodes(plain.dom!)).toBe(LIST_NODES_BEFORE);
    expect(Object.keys(plain.instance.data.slots[0])).not.toContain('props');
    // properties with nothing to show (an expiry only, or empty user properties) add nothing either
    const hidden = render(id, { messages: [msg('t', 'p', { properties: { messageExpiryInterval: 5, userProperties: {} } })] });
    expect(itemNodes(hidden)).toBe(ITEM_NODES_BEFORE);
    expect(nodes(hidden.dom!)).toBe(LIST_NODES_BEFORE);
    // one with properties: the wrapper and its two texts (5 nodes with their text) on top
    const shown = render(id, { messages: [WITH_PROPERTIES[0]] });
    expect(itemNodes(shown)).toBe(ITEM_NODES_BEFORE + 5);
    // a slot reused by a message without properties loses them
    const comp = render(id, { maxItems: 1 });
    comp.instance.append(WITH_PROPERTIES[0]);
    await sleep(80);
    expect(count(comp, '.ml__props')).toBe(1);
    comp.instance.append(msg('t', 'p'));
    comp.instance.getMessages(); // draws now (one waiting message fills this list: a burst, drawn after 500 ms)
    expect(texts(comp, '.ml__payload')).toEqual(['p']);
    expect(count(comp, '.ml__props')).toBe(0);
    expect(itemNodes(comp)).toBe(ITEM_NODES_BEFORE);
  });

  it('keeps the properties on the message (getMessages, select) and bounds what the view gets', async () => {
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i === 0 ? 'v'.repeat(500) : `v${i}`]));
    const comp = render(id, { messages: [msg('big', 'x', { properties: { userProperties: many, contentType: 'c'.repeat(300) } })] });
    const events = listen<{ message: MqttMessage }>(comp, 'select');
    const lines = comp.querySelector('.ml__user')!.dom!.textContent!.split('\n');
    expect(lines).toHaveLength(9);
    expect(lines[0]).toBe(`k0: ${'v'.repeat(76)}…`);
    expect(lines.slice(1, 8)).toEqual(['k1: v1', 'k2: v2', 'k3: v3', 'k4: v4', 'k5: v5', 'k6: v6', 'k7: v7']);
    expect(lines[8]).toBe('+12');
    expect(texts(comp, '.ml__type')[0]).toHaveLength(81);
    expect(comp.instance.getMessages()[0].properties.userProperties).toEqual(many);
    comp.querySelector('.ml__item')!.dispatchEvent('tap');
    await sleep(0);
    expect(events[0].message.properties).toEqual({ userProperties: many, contentType: 'c'.repeat(300) });
  });
});

describe('setData cost', () => {
  it('10,000 appends: path keys only, at most one call per 50 ms batch, bounded bytes', async () => {
    const comp = render(id, { maxItems: 100 });
    const calls = spySetData(comp.instance);
    const started = Date.now();
    for (let i = 0; i < 10000; i++) {
      comp.instance.append(msg(`load/${i % 7}`, `payload ${i} ${'x'.repeat(i % 50)}`));
      if (i % 500 === 499) await sleep(10);
    }
    await sleep(120);
    const elapsed = Date.now() - started;
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.length).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 1);
    for (const call of calls) {
      expect(call.keys).not.toContain('slots');
      expect(call.keys.every((k) => /^slots\[\d+\]$/.test(k) || k === 'shownCount' || k === 'anchor')).toBe(true);
      expect(call.bytes).toBeLessThan(100 * 1024);
    }
    expect(comp.instance.getMessages()).toHaveLength(100);
    expect(comp.instance.getMessages()[99].payload).toMatch(/^payload 9999 /);
    expect(count(comp, '.ml__item')).toBe(100);
  });

  it('a megabyte payload sends only a preview to the view', async () => {
    const comp = render(id);
    const calls = spySetData(comp.instance);
    comp.instance.append(binary('big', Array.from({ length: 1024 * 1024 }, (_, i) => i & 0x7f)));
    await sleep(80);
    expect(calls).toHaveLength(1);
    expect(calls[0].bytes).toBeLessThan(4 * 1024);
  });
});
