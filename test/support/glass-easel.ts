/**
 * <mqtt-panel> and <message-list> as built (miniprogram_dist) on the real glass-easel framework:
 * their WXML compiled by glass-easel-template-compiler (WASM), their JSON as static config and
 * their JS through glass-easel-miniprogram-adapter's Component/Behavior, rendered by the domlike
 * backend into jest's jsdom document. A host component's template per test uses them.
 *
 * The adapter has no `this.renderer`: an overall behavior sets it to the renderer under test.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as glassEasel from 'glass-easel';
import { MiniProgramEnv } from 'glass-easel-miniprogram-adapter';
import { TmplGroup } from 'glass-easel-template-compiler';

export type Renderer = 'skyline' | 'webview';
export type Library = typeof import('../../src/index');

const DIST = path.resolve(__dirname, '..', '..', 'miniprogram_dist');
const COMPONENTS = ['mqtt-panel', 'message-list'] as const;
const HOST = 'host/index';

/** The dist's shared runtime: the instance the components' require("../index") gets (not src's). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the built file, as the components load it
export const library = require(path.join(DIST, 'index.js')) as Library;

/** What the compiler reports for a template (it never throws); lines and columns count from 0. */
export interface Diagnostic {
  path: string;
  level: 'Fatal' | 'Error' | 'Warn' | 'Note';
  isError: boolean;
  message: string;
  startLine: number;
  startColumn: number;
}

/** Compiles the templates in one group; an error (level Fatal or Error) fails here, warnings and notes are returned. */
function compile(files: Record<string, string>): { templates: Record<string, glassEasel.template.ComponentTemplate>; diagnostics: Diagnostic[] } {
  const group = new TmplGroup();
  const diagnostics: Diagnostic[] = [];
  try {
    for (const [file, wxml] of Object.entries(files)) {
      diagnostics.push(...(group.addTmpl(file, wxml) as Omit<Diagnostic, 'path'>[]).map((d) => ({ ...d, path: file })));
    }
    const errors = diagnostics.filter((d) => d.isError || d.level === 'Fatal' || d.level === 'Error');
    if (errors.length > 0) throw new Error(`WXML does not compile:\n${errors.map((d) => `${d.path}.wxml:${d.startLine + 1}:${d.startColumn + 1} ${d.level}: ${d.message}`).join('\n')}`);
    const groupList = new Function(`return ${group.getTmplGenObjectGroups()}`)() as Record<string, unknown>;
    // fallbackListenerOnNativeNode: `bindtap="x"` on <view>/<button> (native nodes here) becomes a listener, as in WeChat
    const templates = Object.fromEntries(Object.keys(files).map((file) => [file, { groupList, content: groupList[file], fallbackListenerOnNativeNode: true } as unknown as glassEasel.template.ComponentTemplate]));
    return { templates, diagnostics };
  } finally {
    group.free();
  }
}

/** Runs a built component file with the adapter's Component/Behavior as its globals. */
function runComponentFile(file: string, env: { Component: unknown; Behavior: unknown }): void {
  const source = fs.readFileSync(file, 'utf8');
  const localRequire = (id: string): unknown => require(id.startsWith('.') ? path.resolve(path.dirname(file), id) : id); // eslint-disable-line @typescript-eslint/no-require-imports
  const module = { exports: {} };
  new Function('require', 'module', 'exports', 'Component', 'Behavior', `${source}\n//# sourceURL=${file}`)(localRequire, module, module.exports, env.Component, env.Behavior);
}

const runtimeWarnings: string[] = [];
glassEasel.globalOptions.throwGlobalError = true;
glassEasel.addGlobalWarningListener((message) => {
  runtimeWarnings.push(String(message));
  return false;
});

/** glass-easel's warnings since the last call (e.g. an unknown component or a bad property). */
export function takeRuntimeWarnings(): string[] {
  return runtimeWarnings.splice(0);
}

let backend: glassEasel.CurrentWindowBackendContext | undefined;
/** One DOM backend per test file: onEvent installs its listeners on document.body once. */
function domBackend(): glassEasel.CurrentWindowBackendContext {
  if (!backend) {
    backend = new glassEasel.CurrentWindowBackendContext();
    backend.onEvent((target, type, detail, options) => glassEasel.Event.triggerEvent(target, type, detail, options));
  }
  return backend;
}

type HostMethod = (this: { setData(data: Record<string, unknown>): void }, event: glassEasel.Event<unknown>) => void;

/**
 * glass-easel's backend protocols: 'dom' (its DOM-like one, drawn on jsdom: WebView's kind), and its
 * 'shadow' and 'composed' ones on the empty backends it ships (no DOM, nothing drawn): components
 * must not rely on a DOM, as under Skyline's native backend they have none.
 */
export type Backend = 'dom' | 'shadow' | 'composed';

export interface MountOptions {
  renderer: Renderer;
  /** Default 'dom'. */
  backend?: Backend;
  /** The host's data and its methods (event handlers the template binds). */
  data?: Record<string, unknown>;
  methods?: Record<string, HostMethod>;
}

export interface Mounted {
  host: glassEasel.GeneralComponent;
  /** The compiler's warnings and notes for every template (errors have thrown). */
  diagnostics: Diagnostic[];
  /** A component of the host's template by id. */
  byId(id: string): glassEasel.GeneralComponent;
  /** Sets the host's data (the components' properties bound to it follow). */
  setData(data: Record<string, unknown>): void;
  release(): void;
}

/** Renders `template` as a host page using <mqtt-panel> and <message-list>, attached to the document. */
export function mount(template: string, options: MountOptions): Mounted {
  const files: Record<string, string> = { [HOST]: template };
  for (const name of COMPONENTS) files[`${name}/index`] = fs.readFileSync(path.join(DIST, name, 'index.wxml'), 'utf8');
  const { templates, diagnostics } = compile(files);

  const env = new MiniProgramEnv();
  const space = env.createCodeSpace('', true);
  const renderer = options.renderer;
  space.setOverallBehavior(
    (space.behavior().definition({ lifetimes: { created(this: { renderer?: Renderer }) { this.renderer = renderer; } } }).register() as unknown as { _$: glassEasel.GeneralBehavior })._$,
  );
  for (const name of COMPONENTS) {
    const at = `${name}/index`;
    space.addComponentStaticConfig(at, JSON.parse(fs.readFileSync(path.join(DIST, name, 'index.json'), 'utf8')));
    space.addCompiledTemplate(at, templates[at]);
    // a fixed style scope name: DOM classes read `mqtt-panel--mp`, not a random prefix
    space.addStyleSheet(at, undefined, name);
    space.componentEnv(at, (globals) => runComponentFile(path.join(DIST, name, 'index.js'), globals));
  }
  space.addComponentStaticConfig(HOST, { usingComponents: Object.fromEntries(COMPONENTS.map((name) => [name, `/${name}/index`])) });
  space.addCompiledTemplate(HOST, templates[HOST]);
  space.componentEnv(HOST, ({ Component }) => Component({ data: options.data ?? {}, methods: options.methods ?? {} } as never));

  const kind = options.backend ?? 'dom';
  const context = kind === 'dom' ? domBackend() : kind === 'shadow' ? new glassEasel.EmptyBackendContext() : new glassEasel.EmptyComposedBackendContext();
  const root = env.associateBackend(context).createRoot('host-page', space, HOST);
  const host = root.getComponent();
  if (kind === 'dom') {
    const placeholder = document.createElement('span');
    document.body.appendChild(placeholder);
    const dom = (node: HTMLElement) => node as unknown as glassEasel.GeneralBackendElement;
    root.attach(dom(document.body), dom(placeholder));
  } else {
    // nowhere to attach without a DOM: glass-easel runs the attached lifetimes all the same
    glassEasel.Element.pretendAttached(host);
  }
  let released = false;
  return {
    host,
    diagnostics,
    byId(id) {
      const found = host.getShadowRoot()!.getElementById(id);
      if (!(found instanceof glassEasel.Component)) throw new Error(`no component #${id} in the host`);
      return found as glassEasel.GeneralComponent;
    },
    setData: (data) => (host.getMethodCaller() as unknown as { setData(d: Record<string, unknown>): void }).setData(data),
    release() {
      if (released) return;
      released = true;
      if (kind !== 'dom') glassEasel.Element.pretendDetached(host);
      root.release();
      if (kind === 'dom') document.body.innerHTML = '';
    },
  };
}

/** The component's `this` (its methods, data, setData): the adapter's method caller. */
export function instance<T = unknown>(comp: glassEasel.GeneralComponent): T & { data: Record<string, unknown>; setData(d: Record<string, unknown>): void; renderer?: Renderer } {
  return comp.getMethodCaller() as never;
}

/** The component's shadow-tree elements having `className`, in tree order (not inside child components). */
export function find(comp: glassEasel.GeneralComponent, className: string): glassEasel.Element[] {
  return comp.getShadowRoot()!.querySelectorAll(`.${className}`);
}

/** The text an element renders (glass-easel 0.12.1 elements have no textContent). */
export function textOf(el: glassEasel.Element): string {
  let text = '';
  glassEasel.ElementIterator.create(el, 'composed-descendants-root-first' as glassEasel.ElementIteratorType, glassEasel.TextNode).forEach((t: glassEasel.TextNode) => {
    text += t.textContent;
  });
  return text.trim();
}

export const texts = (comp: glassEasel.GeneralComponent, className: string): string[] => find(comp, className).map(textOf);

/** The first element with `className` that renders `text`. */
export function byText(comp: glassEasel.GeneralComponent, className: string, text: string): glassEasel.Element {
  const found = find(comp, className).find((el) => textOf(el) === text);
  if (!found) throw new Error(`no .${className} reading "${text}" (found ${JSON.stringify(texts(comp, className))})`);
  return found;
}

/**
 * A tap as a user makes it: mousedown and mouseup on the rendered DOM node, which glass-easel turns
 * into `tap`; without a DOM (the empty backends), the `tap` event a backend would report.
 */
export function tap(el: glassEasel.Element): void {
  const node = el.getBackendElement() as unknown;
  if (!(node instanceof HTMLElement)) {
    glassEasel.triggerEvent(el, 'tap', { x: 1, y: 1 }, { bubbles: true, composed: true });
    return;
  }
  const options = { bubbles: true, cancelable: true, composed: true, clientX: 1, clientY: 1 };
  node.dispatchEvent(new MouseEvent('mousedown', options));
  node.dispatchEvent(new MouseEvent('mouseup', options));
}

/** Typing into an <input>/<textarea>: its `input` event with the new value, as WeChat sends it. */
export function type(el: glassEasel.Element, value: string): void {
  glassEasel.triggerEvent(el, 'input', { value, cursor: value.length, keyCode: 0 }, { bubbles: false });
}

/** Collects the details a component emits (its triggerEvent) under `name`. */
export function listen<T = unknown>(comp: glassEasel.GeneralComponent, name: string): T[] {
  const details: T[] = [];
  comp.addListener(name, (event: glassEasel.Event<unknown>) => {
    details.push(event.detail as T);
  });
  return details;
}

/** Every setData a component makes: the keys of each call. */
export function spySetData(comp: glassEasel.GeneralComponent): string[][] {
  const self = instance(comp);
  const calls: string[][] = [];
  const original = self.setData.bind(self);
  self.setData = (data) => {
    calls.push(Object.keys(data));
    original(data);
  };
  return calls;
}

/** glass-easel's dump of the rendered (composed) tree: tags, attributes, classes and texts. */
export const dump = (comp: glassEasel.GeneralComponent): string => glassEasel.dumpElementToString(comp, true);
