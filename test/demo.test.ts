/**
 * Every demo page loads in miniprogram-simulate exactly as DevTools would (through
 * miniprogram_npm/miniprogram-mqtt, i.e. the built dist), connects to a real broker and shows a
 * message published by another client.
 */
import { DemoEnv, loadDemoPage, startDemoEnv } from './support/demo';
import { until } from './support/harness';
import type { Rendered } from './support/simulate';

let env: DemoEnv;

beforeAll(async () => {
  env = await startDemoEnv();
});
afterAll(() => env.stop());

const loadPage = (name: string): Rendered => loadDemoPage(name, env.wx, env.broker);

type PanelApi = { connect(): Promise<unknown>; getState(): { status: string; subscriptions: unknown[] } };
const panels = (page: Rendered): PanelApi[] => page.querySelectorAll('.card, #mqtt').map((c) => c.instance as unknown as PanelApi);
const texts = (page: Rendered, selector: string): string => page.querySelectorAll(selector).map((n) => n.dom?.textContent ?? '').join('\n');
/** Payloads in the lists embedded in the page's panels. */
const listed = (page: Rendered): string =>
  page
    .querySelectorAll('.card')
    .flatMap((panel) => (panel.querySelector('#list')?.instance as unknown as { getMessages(): { payload: string }[] } | undefined)?.getMessages() ?? [])
    .map((m) => m.payload)
    .join('\n');

it('index: connects when tapped and logs a message published by another client', async () => {
  const page = loadPage('index');
  const [panel] = panels(page);
  await panel.connect();
  await until(() => panel.getState().subscriptions.length === 1, 'subscribed');
  await env.peer.publish('testtopic/miniprogram/demo-test', 'hello demo', { qos: 1 });
  await until(() => texts(page, '.log__line').includes('hello demo'), 'the event log to show the message');
  expect(texts(page, '.log__line')).toContain('message {"id"');
  (page as unknown as { detach(): void }).detach();
});

it('shared: two panels, one socket, each shows its own topic', async () => {
  const before = env.wx.requests.length;
  const page = loadPage('shared');
  const [a, b] = panels(page);
  await until(() => a.getState().subscriptions.length === 1 && b.getState().subscriptions.length === 1, 'both subscribed');
  expect(env.wx.requests.length - before).toBe(1);
  await env.peer.publish('demo/kitchen/t', 'kitchen 21°C', { qos: 1 });
  await env.peer.publish('demo/garden/t', 'garden 14°C', { qos: 1 });
  await until(() => listed(page).includes('kitchen 21°C') && listed(page).includes('garden 14°C'), 'both messages');
  const [first, second] = page.querySelectorAll('.card').map((p) => (p.querySelector('#list')!.instance as unknown as { getMessages(): { payload: string }[] }).getMessages().map((m) => m.payload));
  expect([first, second]).toEqual([['kitchen 21°C'], ['garden 14°C']]);
  (page as unknown as { detach(): void }).detach();
});

it('headless (TypeScript): the dashboard tile shows a sensor value', async () => {
  const page = loadPage('headless');
  const [panel] = panels(page);
  await until(() => panel.getState().subscriptions.length === 1, 'subscribed');
  await env.peer.publish('demo/sensors/humidity', '{"value":48}', { qos: 1 });
  await until(() => texts(page, '.dash__name').includes('humidity'), 'the tile');
  expect(texts(page, '.dash__value')).toContain('48');
  expect(texts(page, '.dash__value')).not.toContain('{');
  expect(texts(page, '.dash__status')).toBe('connected');
  (page as unknown as { detach(): void }).detach();
});

it('brokers: the local panel connects on its own; the second one waits for a tap', async () => {
  const page = loadPage('brokers');
  const [local, emqx] = panels(page);
  await until(() => local.getState().subscriptions.length === 1, 'the local panel subscribed');
  await env.peer.publish('demo/local/x', 'local broker', { qos: 1 });
  await until(() => listed(page).includes('local broker'), 'the local message');
  expect(emqx.getState().status).toBe('idle');
  (page as unknown as { detach(): void }).detach();
});
