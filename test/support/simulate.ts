import * as path from 'path';
import * as simulate from 'miniprogram-simulate';

const ROOT = path.resolve(__dirname, '..', '..');

export type Rendered = ReturnType<typeof simulate.render>;

/** Loads a component from source (ts-jest compiles its index.ts) and returns its id. */
export function loadComponent(name: 'message-list' | 'mqtt-panel', tagName: string = name): string {
  return simulate.load(path.join(ROOT, 'components', name, 'index'), tagName, { rootPath: ROOT });
}

/** Loads a host component whose template uses the given components. */
export function loadHost(
  template: string,
  usingComponents: Record<string, string>,
  data: Record<string, unknown> = {},
  methods: Record<string, (this: WechatMiniprogram.Component.TrivialInstance, ...args: never[]) => unknown> = {},
): string {
  const definition = { template, usingComponents, data, methods };
  return (simulate.load as unknown as (d: typeof definition) => string)(definition);
}

export function render(id: string, properties: Record<string, unknown> = {}): Rendered {
  const comp = simulate.render(id, properties);
  comp.attach(document.createElement('parent-wrapper'));
  return comp;
}

export interface SetDataCall {
  keys: string[];
  bytes: number;
}

/** Records every setData call of a component instance: its keys and serialized size. */
export function spySetData(instance: { setData: (data: Record<string, unknown>, cb?: () => void) => void }): SetDataCall[] {
  const calls: SetDataCall[] = [];
  const original = instance.setData.bind(instance);
  instance.setData = (data: Record<string, unknown>, cb?: () => void) => {
    calls.push({ keys: Object.keys(data), bytes: Buffer.byteLength(JSON.stringify(data)) });
    original(data, cb);
  };
  return calls;
}

export const sleep = simulate.sleep;

/** Collects the details of a component event (j-component has addEventListener, untyped). */
export function listen<T = unknown>(comp: Rendered, eventName: string): T[] {
  const details: T[] = [];
  (comp as unknown as { addEventListener(name: string, fn: (e: { detail: T }) => void): void }).addEventListener(eventName, (e) =>
    details.push(e.detail),
  );
  return details;
}
