/**
 * <mqtt-panel>: the `theme` class, an aria-role and aria-label on every control in both locales
 * (a tree walk: a new control without them fails here), QoS and retain state, and the error line
 * with its message and fix.
 */
import { PANEL_LABELS } from '../../src/core/labels';
import { setPlatformWx } from '../../src/platform/index';
import type { MessageListMethods, MqttErrorDetail, MqttPanelMethods } from '../../src/types';
import { loadComponent, loadHost, render, Rendered, sleep } from '../support/simulate';
import { NodeWx } from '../support/wx';
import { all, attr, byClass, classOf, isControl, msg, textOf, tree, unlabelled } from './a11y';

let panelId: string;
let wx: NodeWx;

beforeAll(() => {
  panelId = loadComponent('mqtt-panel');
});
beforeEach(() => {
  wx = new NodeWx();
  setPlatformWx(wx, { limits: { disconnectGraceMs: 100 } });
});
afterEach(() => wx.dispose());

const methods = (comp: Rendered) => comp.instance as unknown as MqttPanelMethods;
const rootClasses = (comp: Rendered, name: string): string[] => classOf(byClass(tree(comp), name)[0]).split(/\s+/);

describe('theme', () => {
  it('auto adds no class; light and dark add mp--light / mp--dark and follow setData; the list follows the panel', () => {
    const comp = render(panelId);
    expect(rootClasses(comp, 'mp').filter((c) => c.startsWith('mp--'))).toEqual([]);
    expect(rootClasses(comp, 'ml').filter((c) => /^ml--(dark|light)$/.test(c))).toEqual([]);
    comp.setData({ theme: 'dark' });
    expect(rootClasses(comp, 'mp')).toContain('mp--dark');
    expect(rootClasses(comp, 'ml')).toContain('ml--dark');
    comp.setData({ theme: 'light' });
    expect(rootClasses(comp, 'mp')).toContain('mp--light');
    expect(rootClasses(comp, 'mp')).not.toContain('mp--dark');
    expect(rootClasses(comp, 'ml')).toContain('ml--light');
    comp.setData({ theme: 'purple' });
    expect(rootClasses(comp, 'mp').filter((c) => c.startsWith('mp--'))).toEqual([]);
    expect(rootClasses(render(panelId, { theme: 'dark' }), 'mp')).toContain('mp--dark');
  });
});

describe('accessibility', () => {
  it.each(['zh-CN', 'en'] as const)('every control has an aria-role and an aria-label in %s, the MQTT 5 form and list rows included', async (locale) => {
    const comp = render(panelId, { locale, host: 'broker.emqx.io', protocolVersion: 5, password: 'x' });
    const list = comp.querySelector('#list')!.instance as unknown as MessageListMethods;
    list.append([msg('a/b', '1'), msg('c', 'x'.repeat(400), { direction: 'out', qos: 1 })]);
    list.getMessages();
    await sleep(0);
    const root = tree(comp);
    // 6 connection inputs, topic, publish topic, payload, 6 MQTT 5 inputs (15), 3 QoS choices, the switch, 7 buttons, 2 list rows
    expect(all(root, isControl)).toHaveLength(28);
    expect(unlabelled(root)).toEqual([]);
    const labels = PANEL_LABELS[locale].a11y;
    const spoken = all(root, isControl).map((n) => String(attr(n, 'aria-label')));
    expect(spoken).toEqual(
      expect.arrayContaining([
        labels.host, labels.port, labels.path, labels.clientId, labels.username, `${labels.password}${labels.passwordSet}`, labels.connect, labels.disconnect,
        labels.topic, `${labels.subscribe} testtopic/miniprogram`, labels.unsubscribe, labels.pubTopic, labels.payload, labels.addRow,
        `${labels.propertyName} 1`, `${labels.propertyValue} 1`, `${labels.removeRow} 1`, labels.contentType, labels.messageExpiry, labels.responseTopic,
        labels.correlationData, labels.retain, `${labels.publish} testtopic/miniprogram`, labels.qosLevels[0], labels.qosLevels[1], labels.qosLevels[2],
      ]),
    );
    // nothing in the other locale's words
    const other = PANEL_LABELS[locale === 'en' ? 'zh-CN' : 'en'].a11y;
    expect(spoken).not.toContain(other.host);
    expect(attr(byClass(root, 'mp__status')[0], 'aria-label')).toBe(`${labels.status}${PANEL_LABELS[locale].status.idle}`);
    expect(attr(byClass(root, 'mp__status')[0], 'aria-role')).toBe('status');
    expect(attr(byClass(root, 'mp__status')[0], 'aria-live')).toBe('polite');
    expect(attr(byClass(root, 'mp__counts')[0], 'aria-label')).toBe(`${labels.received} 0${labels.comma}${labels.sent} 0`);
  });

  it('the labels follow locale and the typed topic', async () => {
    const comp = render(panelId, { locale: 'en', topic: 'a/#' });
    const button = () => all(tree(comp), (n) => n.tagName === 'wx-button' && textOf(n) === 'Subscribe')[0];
    expect(attr(button(), 'aria-label')).toBe('Subscribe to a/#');
    comp.querySelectorAll('.mp__input')[6].dispatchEvent('input', { detail: { value: 'b/+' } });
    await sleep(0);
    expect(attr(button(), 'aria-label')).toBe('Subscribe to b/+');
    comp.setData({ locale: 'zh-CN' });
    expect(all(tree(comp), (n) => n.tagName === 'wx-button' && textOf(n) === '订阅').map((n) => attr(n, 'aria-label'))).toEqual(['订阅 b/+']);
  });

  it('a control added without aria attributes is caught by the walk', () => {
    const host = loadHost('<view><button>x</button><view bindtap="noop" aria-role="button">y</view><input aria-role="textbox" aria-label="ok" /></view>', {}, {}, { noop() {} });
    expect(unlabelled(tree(render(host)))).toEqual(['<wx-button class="">x', '<wx-view class="">y']);
  });

  it('the panel on a named client: its controls and its error line are labelled too', async () => {
    const comp = render(panelId, { client: 'nobody-made-me', locale: 'en' });
    await sleep(0);
    const root = tree(comp);
    expect(all(root, isControl).length).toBeGreaterThan(8);
    expect(unlabelled(root)).toEqual([]);
    const error = byClass(root, 'mp__error')[0];
    expect(attr(error, 'aria-role')).toBe('alert');
    expect(attr(error, 'aria-live')).toBe('assertive');
    expect(String(attr(error, 'aria-label'))).toMatch(/^Connection error: .*nobody-made-me.*\. Fix: .+/);
  });

  it('QoS choices are radios in a radiogroup with their checked state; retain is a switch that says whether it is on, in a label', async () => {
    const comp = render(panelId, { qos: 1, retain: true, locale: 'en' });
    expect(attr(byClass(tree(comp), 'mp__segments')[0], 'aria-role')).toBe('radiogroup');
    expect(attr(byClass(tree(comp), 'mp__segments')[0], 'aria-label')).toBe('Quality of service');
    const chips = () => byClass(tree(comp), 'mp__chip').map((c) => [attr(c, 'aria-role'), attr(c, 'aria-checked'), attr(c, 'aria-label')]);
    expect(chips()).toEqual([
      ['radio', false, 'QoS 0, at most once'],
      ['radio', true, 'QoS 1, at least once'],
      ['radio', false, 'QoS 2, exactly once'],
    ]);
    comp.querySelectorAll('.mp__chip')[2].dispatchEvent('tap');
    await sleep(0);
    expect(chips().map((c) => c[1])).toEqual([false, false, true]);
    const toggle = () => all(tree(comp), (n) => n.tagName === 'wx-switch')[0];
    expect([attr(toggle(), 'aria-role'), attr(toggle(), 'aria-checked'), attr(toggle(), 'aria-label')]).toEqual(['switch', true, 'Retain the message']);
    comp.setData({ retain: false });
    expect(attr(toggle(), 'aria-checked')).toBe(false);
    const label = all(tree(comp), (n) => n.tagName === 'wx-label');
    expect(label.map(classOf)).toEqual(['mp__toggle']);
    expect(all(label[0], (n) => n.tagName === 'wx-switch')).toHaveLength(1);
  });
});

describe('error line', () => {
  it.each([
    ['zh-CN', '连接出错：', '。处理：'],
    ['en', 'Connection error: ', '. Fix: '],
  ] as const)('a failed connect shows the message and, under it, the fix (%s)', async (locale, prefix, join) => {
    const comp = render(panelId, { locale, host: 'wss://broker.emqx.io' });
    const error = (await methods(comp).connect().catch((e: MqttErrorDetail) => e)) as MqttErrorDetail;
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toBeTruthy();
    expect(error.fix).toBeTruthy();
    const line = byClass(tree(comp), 'mp__error')[0];
    expect(textOf(byClass(line, 'mp__error-message')[0])).toBe(error.message);
    expect(textOf(byClass(line, 'mp__error-fix')[0])).toBe(`${PANEL_LABELS[locale].fix}${error.fix}`);
    expect(attr(line, 'aria-label')).toBe(`${prefix}${error.message}${join}${error.fix}`);
    // the next success in that place clears message and fix
    await methods(comp).disconnect();
    expect(byClass(tree(comp), 'mp__error')).toEqual([]);
    expect(comp.instance.data.fixes).toEqual({ connection: '', subscribe: '', publish: '' });
  });

  it('publish and subscribe errors show their fix in their own place', async () => {
    const comp = render(panelId, { locale: 'en' });
    await methods(comp).publish('a/+', 'x').catch(() => undefined);
    await methods(comp).subscribe('a/#/b').catch(() => undefined);
    const lines = byClass(tree(comp), 'mp__error').map((n) => String(attr(n, 'aria-label')));
    expect(lines).toEqual([expect.stringMatching(/^Subscribe error: .*\. Fix: .+/), expect.stringMatching(/^Publish error: .*\. Fix: .+/)]);
    expect(byClass(tree(comp), 'mp__error-fix')).toHaveLength(2);
  });
});
