/**
 * <message-list>: the `theme` class, one aria-label per message (topic, payload, time, QoS), the
 * designed empty state, long content and 1,000 messages.
 */
import { LIST_LABELS } from '../../src/core/labels';
import type { MessageListMethods } from '../../src/types';
import { loadComponent, render, Rendered, sleep } from '../support/simulate';
import { all, attr, byClass, classOf, isControl, msg, textOf, tree, unlabelled } from './a11y';

let id: string;
beforeAll(() => {
  id = loadComponent('message-list');
});

const methods = (comp: Rendered) => comp.instance as unknown as MessageListMethods;
const rowLabels = (comp: Rendered): string[] => byClass(tree(comp), 'ml__item').map((r) => String(attr(r, 'aria-label')));

it('theme: auto adds no class; light and dark add ml--light / ml--dark and follow setData', () => {
  const classes = (comp: Rendered) => classOf(tree(comp).children[0] as never).split(/\s+/);
  const comp = render(id);
  expect(classes(comp)).toEqual(expect.arrayContaining(['ml', 'ml--newest-first']));
  expect(classes(comp).filter((c) => /^ml--(dark|light)$/.test(c))).toEqual([]);
  comp.setData({ theme: 'dark' });
  expect(classes(comp)).toContain('ml--dark');
  comp.setData({ theme: 'light' });
  expect(classes(comp)).toContain('ml--light');
  expect(classes(comp)).not.toContain('ml--dark');
  comp.setData({ theme: 'auto' });
  expect(classes(comp).filter((c) => /^ml--(dark|light)$/.test(c))).toEqual([]);
});

describe('accessibility', () => {
  it.each(['zh-CN', 'en'] as const)('a row reads topic, payload, time and QoS in one aria-label (%s)', (locale) => {
    const long = `{"reading":${'9'.repeat(300)}}`;
    const comp = render(id, {
      locale,
      order: 'oldest-first',
      messages: [msg('sensors/t1', '21.5', { qos: 1 }), msg('cmd/light', long, { direction: 'out', qos: 2, retain: true }), msg('empty', '')],
    });
    const a = LIST_LABELS[locale].a11y;
    const c = a.comma;
    const labels = rowLabels(comp);
    expect(unlabelled(tree(comp))).toEqual([]);
    expect(all(tree(comp), isControl)).toHaveLength(3);
    expect(byClass(tree(comp), 'ml__item').map((r) => attr(r, 'aria-role'))).toEqual(['button', 'button', 'button']);
    expect(labels[0]).toBe([`${a.topic} sensors/t1`, `${a.payload} 21.5`, `${a.time} 08:30:15`, 'QoS 1', a.in].join(c));
    expect(labels[1]).toContain(`${a.topic} cmd/light${c}${a.payload} {"reading":99`);
    expect(labels[1]).toContain(`…${c}${a.time} 08:30:15${c}QoS 2${c}${a.retained}${c}${a.out}${c}${a.expand}`);
    // the payload is cut to 80 characters: the label stays short however long the message
    expect(labels[1].length).toBeLessThan(180);
    expect(labels[2]).toContain(`${a.payload} ${a.emptyPayload}${c}`);
    expect(attr(byClass(tree(comp), 'ml__scroll')[0], 'aria-label')).toBe(a.list);
  });

  it('the label follows the format and the locale, and says "tap to fold" once expanded', async () => {
    const comp = render(id, { locale: 'en', format: 'hex', messages: [msg('bin', 'AB')] });
    expect(rowLabels(comp)[0]).toContain('payload 41 42, time');
    comp.setData({ format: 'json', messages: [msg('j', '{"a":\n  1}')] });
    expect(rowLabels(comp)[0]).toContain('payload { "a": 1 }, time');
    comp.setData({ format: 'text', messages: [msg('long', 'y'.repeat(500))] });
    comp.querySelector('.ml__item')!.dispatchEvent('tap');
    await sleep(0);
    expect(rowLabels(comp)[0]).toMatch(/, tap to fold$/);
    comp.setData({ locale: 'zh-CN' });
    expect(rowLabels(comp)[0]).toMatch(/^主题 long，内容 y+…，时间 \d\d:\d\d:\d\d，QoS 0，收到，点按展开全文$/);
  });
});

describe('designed states', () => {
  it('empty: an icon hidden from readers, the text, and a hint only under the default text', () => {
    const en = tree(render(id, { locale: 'en' }));
    expect(byClass(en, 'ml__empty-text').map(textOf)).toEqual(['No messages yet']);
    expect(byClass(en, 'ml__empty-hint').map(textOf)).toEqual([LIST_LABELS.en.emptyHint]);
    expect(attr(byClass(en, 'ml__empty-icon')[0], 'aria-hidden')).toBe('true');
    const custom = tree(render(id, { emptyText: '等待设备上报…' }));
    expect(byClass(custom, 'ml__empty-text').map(textOf)).toEqual(['等待设备上报…']);
    expect(byClass(custom, 'ml__empty-hint')).toEqual([]);
    // a filter that hides every message: the empty text without the "once you subscribe" hint
    const filtered = tree(render(id, { locale: 'en', messages: [msg('a', '1')], filter: 'b/#' }));
    expect(byClass(filtered, 'ml__empty-text').map(textOf)).toEqual(['No messages yet']);
    expect(byClass(filtered, 'ml__empty-hint')).toEqual([]);
  });

  it('a 200-character topic is shown whole; a 4,000-character payload sends a 280-character preview, and 4,000 when expanded', async () => {
    const topic = `very/${'long'.repeat(60)}`.slice(0, 200);
    const comp = render(id, { messages: [msg(topic, 'z'.repeat(4000))] });
    expect(topic).toHaveLength(200);
    expect(textOf(byClass(tree(comp), 'ml__topic')[0])).toBe(topic);
    expect(textOf(byClass(tree(comp), 'ml__payload')[0])).toHaveLength(280);
    comp.querySelector('.ml__item')!.dispatchEvent('tap');
    await sleep(0);
    expect(textOf(byClass(tree(comp), 'ml__payload')[0])).toHaveLength(4000);
    expect(rowLabels(comp)[0].length).toBeLessThan(320);
  });

  it('1,000 messages into a default list keep 100 rows; maxItems above 1,000 holds 1,000', async () => {
    const comp = render(id);
    methods(comp).append(Array.from({ length: 1000 }, (_, i) => msg(`t/${i}`, `p${i}`)));
    expect(methods(comp).getMessages()).toHaveLength(100);
    await sleep(0);
    expect(comp.querySelectorAll('.ml__item')).toHaveLength(100);
    expect(rowLabels(comp).filter((l) => l.includes('t/999'))).toHaveLength(1);
    const big = render(id, { maxItems: 5000 });
    methods(big).append(Array.from({ length: 1500 }, (_, i) => msg(`t/${i}`, `p${i}`)));
    expect(methods(big).getMessages()).toHaveLength(1000);
    await sleep(0);
    expect(big.querySelectorAll('.ml__item')).toHaveLength(1000);
  });
});
