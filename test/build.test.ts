/**
 * The gulp build: miniprogram_dist laid out as 构建 npm consumers see it (index.js, one file per
 * component, the vendored bundle, and bundled declarations only for those), the boundary between
 * components and the shared runtime, type errors failing the build, and `watch` updating only what
 * changed.
 *
 * @jest-environment node
 */
import * as acorn from 'acorn';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { decideImport, RUNTIME_UI_KEY } from '../build/boundary';
import { alignValueExports, declaredValueExports } from '../build/declarations';
import { compactAsset, componentNames, distPathOf, filesUnder, syncFolder } from '../build/layout';
import { ALWAYS_RESERVED, mangleScan, manglePattern } from '../build/mangle';
import { wrapMqttBundle } from '../build/vendor';

const ROOT = path.resolve(__dirname, '..');
const GULP = path.join(ROOT, 'node_modules', '.bin', 'gulp');
const DIST = path.join(ROOT, 'miniprogram_dist');
const ASSET = /\.(wxml|wxss|json|wxs|png|jpg|jpeg|gif|svg)$/;

/** A copy of what the build reads, in a temporary folder, with node_modules linked. */
function projectCopy(): string {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mqtt-build-'));
  for (const entry of ['gulpfile.ts', 'build', 'tsconfig.json', 'tsconfig.build.json', 'components', 'src']) {
    fs.cpSync(path.join(ROOT, entry), path.join(tmp, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tmp, 'node_modules'));
  return tmp;
}

describe('build helpers', () => {
  it('maps components and src into the flat dist layout', () => {
    expect(distPathOf('components/mqtt-panel/index.wxml')).toBe('mqtt-panel/index.wxml');
    expect(distPathOf('src/vendor/mqtt.js')).toBe('vendor/mqtt.js');
    expect(() => distPathOf('test/x.ts')).toThrow('no dist location');
  });

  it('compacts WXSS (colours and fractions in values only), WXML (comments, indentation) and JSON; other files pass unchanged', () => {
    const compact = (file: string, text: string) => compactAsset(file, Buffer.from(text)).toString('utf8');
    expect(compact('a.wxss', '/* c */\n.a:not(#aabbcc) , .b {\n  color : #FFFFFF ;\n  opacity: 0.5;\n  margin: 0.25rem 10.5px -0.5px;\n}\n@media (x) { .c { background: var(--x, #112233); } }')).toBe(
      '.a:not(#aabbcc),.b{color:#FFF;opacity:.5;margin:.25rem 10.5px -.5px}@media (x){.c{background:var(--x,#123)}}',
    );
    expect(compact('a.wxss', '.a{color:#aabbc0;border-color:#aabbccdd}')).toBe('.a{color:#aabbc0;border-color:#aabbccdd}');
    expect(compact('a.wxml', '<!-- a\ncomment -->\n  <view>\n    <text>a  b</text>\n  </view>\n')).toBe('<view>\n<text>a  b</text>\n</view>');
    expect(compact('a.json', '{\n  "component": true,\n  "usingComponents": { "x": "../x/index" }\n}\n')).toBe('{"component":true,"usingComponents":{"x":"../x/index"}}');
    expect(compact('a.json', '{ not json')).toBe('{ not json');
    expect(compact('a.wxs', '  var a = 1; // kept\n')).toBe('  var a = 1; // kept\n');
  });

  it('decides each import a bundle meets: shared runtime, bundled core, or a build error', () => {
    const panel = 'components/mqtt-panel/index';
    expect(decideImport('component', panel, 'src/index', '../../src/index')).toEqual({ external: '../index' });
    expect(decideImport('component', panel, 'src', '../../src')).toEqual({ external: '../index' });
    expect(decideImport('component', panel, 'src/core/topics', '../../src/core/topics')).toEqual({ bundle: true });
    expect(decideImport('component', 'src/core/labels', 'src/core/errors', './errors')).toEqual({ bundle: true });
    expect(decideImport('component', panel, 'components/mqtt-panel/draft', './draft')).toEqual({ bundle: true });
    for (const target of ['src/platform/index', 'src/client/client', 'src/vendor/mqtt', 'src/types']) {
      const decision = decideImport('component', panel, target, `../../${target}`);
      expect(decision).toEqual({ error: expect.stringContaining(`components/mqtt-panel/index.ts imports '../../${target}'`) });
    }
    // core must stay pure: pulling platform code into a component through core is refused too
    expect(decideImport('component', 'src/core/labels', 'src/platform/wx', '../platform/wx')).toEqual({ error: expect.stringContaining("src/core/labels.ts imports '../platform/wx'") });
    // the runtime bundles all of src except the vendored mqtt.js
    expect(decideImport('runtime', 'src/platform/socket', 'src/vendor/mqtt', '../vendor/mqtt')).toEqual({ external: './vendor/mqtt' });
    expect(decideImport('runtime', 'src/index', 'src/client/index', './client/index')).toEqual({ bundle: true });
    expect(decideImport('runtime', 'src/index', 'src/platform/index', './platform/index')).toEqual({ bundle: true });
  });

  it('sends a component importing src/ui to the shared runtime, read at its symbol (not bundled, not an export)', () => {
    const list = 'components/message-list/index';
    expect(decideImport('component', list, 'src/ui', '../../src/ui')).toEqual({ external: '../index', symbol: RUNTIME_UI_KEY });
    expect(decideImport('component', 'components/common/component', 'src/ui', '../../src/ui')).toEqual({ external: '../index', symbol: RUNTIME_UI_KEY });
    // the runtime bundles it (and src/client/binding through it), like the rest of src
    expect(decideImport('runtime', '<stdin>', 'src/ui', './src/ui')).toEqual({ bundle: true });
    expect(decideImport('runtime', 'src/ui', 'src/client/binding', './client/binding')).toEqual({ bundle: true });
  });

  it('makes declared value exports match the runtime exports', () => {
    const bundled = ['declare const A = 1;', 'declare const B = 2;', 'interface T {}', 'export { A, B };', 'export type { T };', ''].join('\n');
    expect(declaredValueExports(bundled)).toEqual(['A', 'B']);
    const aligned = alignValueExports(bundled, ['A'], 'x.ts');
    expect(aligned).toContain('export { A, type B };');
    expect(declaredValueExports(aligned)).toEqual(['A']);
    expect(alignValueExports(bundled, ['A', 'B'], 'x.ts')).toBe(bundled);
    expect(() => alignValueExports(bundled, ['A', 'B', 'C'], 'x.ts')).toThrow('the JS exports C but the bundled declarations do not');
    expect(declaredValueExports('export declare function f(): void;\nexport declare class K {}\nexport interface I {}\n')).toEqual(['f', 'K']);
  });

  it('syncs a folder by writing only changed files and removing only vanished ones', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mqtt-sync-'));
    try {
      const from = path.join(tmp, 'from');
      const to = path.join(tmp, 'to');
      const put = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
      };
      put(path.join(from, 'same.js'), 'same');
      put(path.join(from, 'a/changed.js'), 'new');
      put(path.join(from, 'a/added.js'), 'added');
      put(path.join(to, 'same.js'), 'same');
      put(path.join(to, 'a/changed.js'), 'old');
      put(path.join(to, 'gone/old.js'), 'old');
      const sameInode = fs.statSync(path.join(to, 'same.js')).ino;
      expect(syncFolder(from, to)).toEqual({ written: ['a/added.js', 'a/changed.js'].sort(), removed: ['gone/old.js'] });
      expect(filesUnder(to).sort()).toEqual(['a/added.js', 'a/changed.js', 'same.js']);
      expect(fs.readFileSync(path.join(to, 'a/changed.js'), 'utf8')).toBe('new');
      expect(fs.statSync(path.join(to, 'same.js')).ino).toBe(sameInode);
      expect(fs.existsSync(path.join(to, 'gone'))).toBe(false);
      expect(syncFolder(from, to)).toEqual({ written: [], removed: [] });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('gulp build', () => {
  const components = componentNames(ROOT);
  const dist = (...parts: string[]) => path.join(DIST, ...parts);
  /** Loads a component with `require('../index')` watched: the names it reads on the runtime's exports and on src/ui (at RUNTIME_UI_KEY). */
  const runtimeReads = (name: string): { runtime: string[]; read: { runtime: string[]; ui: string[] } } => {
    const script = `
      globalThis.Component = () => undefined; globalThis.Behavior = (o) => o;
      const Module = require('module');
      const [index, component, key] = process.argv.slice(1);
      const runtime = require(index);
      const read = { runtime: [], ui: [] };
      const watch = (target, names, extra) => new Proxy({}, { get: (_, k) => (extra && k === extra.key ? extra.value : (typeof k === 'string' && names.push(k), target[k])) });
      const watched = watch(runtime, read.runtime, { key: Symbol.for(key), value: watch(runtime[Symbol.for(key)], read.ui) });
      const load = Module._load;
      Module._load = function (request, parent, isMain) { return request === '../index' && parent && parent.filename === component ? watched : load.call(this, request, parent, isMain); };
      require(component);
      console.log(JSON.stringify({ runtime: Object.keys(runtime), read }));`;
    const run = spawnSync(process.execPath, ['-e', script, dist('index.js'), dist(name, 'index.js'), RUNTIME_UI_KEY], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    return JSON.parse(run.stdout) as { runtime: string[]; read: { runtime: string[]; ui: string[] } };
  };

  beforeAll(() => {
    const result = spawnSync(GULP, ['build'], { cwd: ROOT, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`gulp build failed:\n${result.stdout}\n${result.stderr}`);
  }, 120000);

  it('ships exactly index.js + index.d.ts, per component index.js + index.d.ts + its assets, and vendor/mqtt.js', () => {
    expect(components).toEqual(expect.arrayContaining(['message-list', 'mqtt-panel']));
    const expected = ['index.js', 'index.d.ts', 'vendor/mqtt.js'];
    for (const name of components) {
      const assets = filesUnder(path.join(ROOT, 'components', name)).filter((f) => ASSET.test(f));
      expect(assets).toEqual(expect.arrayContaining(['index.json', 'index.wxml', 'index.wxss']));
      expected.push(`${name}/index.js`, `${name}/index.d.ts`, ...assets.map((f) => `${name}/${f}`));
    }
    expect(filesUnder(DIST).sort()).toEqual(expected.sort());
  });

  it('ships no declarations for modules that do not exist at runtime', () => {
    const declarations = filesUnder(DIST).filter((f) => f.endsWith('.d.ts'));
    expect(declarations.length).toBe(1 + components.length);
    for (const file of declarations) expect(fs.existsSync(dist(file.replace(/\.d\.ts$/, '.js')))).toBe(true);
    for (const folder of ['core', 'platform', 'client', 'types.d.ts', 'vendor/mqtt.d.ts']) expect(fs.existsSync(dist(folder))).toBe(false);
  });

  it('ships self-contained declarations: no import, re-export or reference of another file', () => {
    for (const file of filesUnder(DIST).filter((f) => f.endsWith('.d.ts'))) {
      const code = fs.readFileSync(dist(file), 'utf8');
      expect({ file, imports: code.match(/^\s*(import\b|export .* from\b|\/\/\/ <reference).*$/gm) }).toEqual({ file, imports: null });
    }
  });

  it('index.d.ts types a consumer that has nothing but the package (no other typings)', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mqtt-consumer-'));
    try {
      const pkg = path.join(tmp, 'node_modules', 'miniprogram-mqtt');
      fs.cpSync(DIST, path.join(pkg, 'miniprogram_dist'), { recursive: true });
      fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
      const consumer = path.join(tmp, 'consumer.ts');
      fs.writeFileSync(
        consumer,
        [
          "import { describeError, ERROR_CODES, isValidTopicFilter, type ErrorCode, type MessageEventDetail, type MqttPanelMethods } from 'miniprogram-mqtt';",
          "import { MAX_ITEMS_LIMIT, type MessageListMethods } from 'miniprogram-mqtt/miniprogram_dist/message-list/index';",
          "const code: ErrorCode = ERROR_CODES[0];",
          "const text: string = describeError({ code }, 'en').message;",
          "const ok: boolean = isValidTopicFilter('a/#');",
          'const size: number = MAX_ITEMS_LIMIT;',
          'declare const panel: MqttPanelMethods;',
          'declare const list: MessageListMethods;',
          "export const use = [text, ok, size, panel.getState().status, list.getMessages().length, (null as unknown as MessageEventDetail).bytes.byteLength];",
          "export const wrong: number = describeError({ code }).message; // the only error: proves the types are real, not any",
          '',
        ].join('\n'),
      );
      const program = ts.createProgram([consumer], {
        strict: true,
        noEmit: true,
        module: ts.ModuleKind.Preserve,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        target: ts.ScriptTarget.ES2017,
        lib: ['lib.es2017.d.ts'],
        types: [],
        skipLibCheck: false,
      });
      const problems = ts.getPreEmitDiagnostics(program).map((d) => {
        const where = d.file ? `${path.relative(tmp, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
        return `${where} TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
      expect(problems).toEqual([expect.stringMatching(/^consumer\.ts:10 TS2322 /)]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('declares as values exactly what each JS file exports', () => {
    const script = `
      globalThis.Component = () => undefined; globalThis.Behavior = (o) => o; globalThis.Page = () => undefined;
      const out = {};
      for (const file of JSON.parse(process.argv[1])) out[file] = Object.keys(require(file)).sort();
      console.log(JSON.stringify(out));`;
    const files = ['index', ...components.map((name) => `${name}/index`)];
    const run = spawnSync(process.execPath, ['-e', script, JSON.stringify(files.map((f) => dist(`${f}.js`)))], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const runtime = JSON.parse(run.stdout) as Record<string, string[]>;
    for (const file of files) {
      expect({ file, exports: declaredValueExports(fs.readFileSync(dist(`${file}.d.ts`), 'utf8')).sort() }).toEqual({ file, exports: runtime[dist(`${file}.js`)] });
    }
    expect(runtime[dist('index.js')].length).toBeGreaterThan(5);
  });

  it('components require only the shared runtime, which exports every name they use', () => {
    let usedTotal = 0;
    for (const name of components) {
      const code = fs.readFileSync(dist(name, 'index.js'), 'utf8');
      const required = new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
      expect([...required].filter((spec) => spec !== '../index')).toEqual([]);
      const { runtime, read } = runtimeReads(name);
      usedTotal += read.runtime.length;
      for (const exported of read.runtime) expect({ name, exported, exported_by_index: runtime.includes(exported) }).toEqual({ name, exported, exported_by_index: true });
    }
    expect(usedTotal).toBeGreaterThan(0);
  });

  it('index.js carries src/ui at its symbol, one copy for every component: each name they read there exists', () => {
    const script = `
      globalThis.Component = () => undefined; globalThis.Behavior = (o) => o;
      const runtime = require(process.argv[1]);
      const ui = runtime[Symbol.for(process.argv[2])];
      console.log(JSON.stringify({ keys: Object.keys(runtime), ui: Object.keys(ui ?? {}), same: ui?.ClientBinding !== undefined && Object.keys(runtime).includes('createClient') }));`;
    const run = spawnSync(process.execPath, ['-e', script, dist('index.js'), RUNTIME_UI_KEY], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const { keys, ui, same } = JSON.parse(run.stdout) as { keys: string[]; ui: string[]; same: boolean };
    expect(same).toBe(true);
    expect(keys).not.toContain('ClientBinding');
    expect(ui).toEqual(expect.arrayContaining(['ClientBinding', 'Batcher', 'PANEL_LABELS', 'LIST_LABELS', 'Ring', 'normalizeLocale']));
    for (const name of components) {
      const code = fs.readFileSync(dist(name, 'index.js'), 'utf8');
      expect(code).toContain(`[Symbol.for("${RUNTIME_UI_KEY}")]`);
      // no helper of src/core bundled again: its label tables live in the runtime only
      expect(code).not.toContain('a11y:{');
      const { read } = runtimeReads(name);
      expect(read.ui.length).toBeGreaterThan(0);
      for (const exported of read.ui) expect({ name, exported, shipped: ui.includes(exported) }).toEqual({ name, exported, shipped: true });
    }
  });

  it('ships only ES2017 scripts (older base libraries run them without DevTools transpiling)', () => {
    for (const file of filesUnder(DIST).filter((f) => f.endsWith('.js'))) {
      expect(() => acorn.parse(fs.readFileSync(dist(file), 'utf8'), { ecmaVersion: 2017, sourceType: 'script' })).not.toThrow();
    }
    expect(() => acorn.parse('const a = b?.c;', { ecmaVersion: 2017 })).toThrow();
  });

  it('every relative require in the dist resolves to a dist file', () => {
    const missing: string[] = [];
    for (const file of filesUnder(DIST).filter((f) => f.endsWith('.js') && !f.startsWith('vendor/'))) {
      for (const [, spec] of fs.readFileSync(dist(file), 'utf8').matchAll(/require\("(\.[^"]+)"\)/g)) {
        const target = path.resolve(path.dirname(dist(file)), spec);
        if (![target, `${target}.js`, path.join(target, 'index.js')].some((t) => fs.existsSync(t))) missing.push(`${file} → ${spec}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('vendors mqtt.min.js 4.0.1 once, as a factory with its licence, identical to what the tests load', () => {
    const vendored = fs.readFileSync(dist('vendor', 'mqtt.js'), 'utf8');
    expect(vendored).toBe(wrapMqttBundle());
    expect(vendored).toContain('The MIT License');
    expect(vendored).toContain(fs.readFileSync(path.join(ROOT, 'node_modules/mqtt/dist/mqtt.min.js'), 'utf8').trim());
    expect(fs.readFileSync(path.join(ROOT, 'src/vendor/mqtt.js'), 'utf8')).toBe(vendored);
  });

  it('mirrors the dist into the demo as 构建 npm would, byte for byte', () => {
    const mirror = path.join(ROOT, 'demo', 'miniprogram_npm', 'miniprogram-mqtt');
    const files = filesUnder(DIST).sort();
    expect(filesUnder(mirror).sort()).toEqual(files);
    for (const file of files) expect(fs.readFileSync(path.join(mirror, file)).equals(fs.readFileSync(dist(file)))).toBe(true);
  });

  it('fails with a non-zero exit when a component has a type error', () => {
    const tmp = projectCopy();
    try {
      fs.appendFileSync(path.join(tmp, 'components', 'message-list', 'index.ts'), '\nexport const broken: number = "not a number";\n');
      const result = spawnSync(GULP, ['build'], { cwd: tmp, encoding: 'utf8' });
      expect(result.status).not.toBe(0);
      expect(result.stdout + result.stderr).toContain('TS2322');
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 120000);

  it('fails, naming the file and the import, when a component imports src/platform at runtime (type-only imports pass)', () => {
    const tmp = projectCopy();
    try {
      fs.writeFileSync(path.join(tmp, 'src', 'platform', 'probe-types.ts'), 'export interface ProbeShape { n: number }\n');
      fs.writeFileSync(path.join(tmp, 'src', 'platform', 'probe.ts'), 'export const probe = { n: 1 };\n');
      fs.appendFileSync(
        path.join(tmp, 'components', 'message-list', 'index.ts'),
        "\nimport type { ProbeShape } from '../../src/platform/probe-types';\nimport { probe } from '../../src/platform/probe';\nexport const probed: ProbeShape = probe;\n",
      );
      const result = spawnSync(GULP, ['build'], { cwd: tmp, encoding: 'utf8' });
      const output = result.stdout + result.stderr;
      expect(result.status).not.toBe(0);
      expect(output).toContain("components/message-list/index.ts imports '../../src/platform/probe' (src/platform/probe) at runtime");
      expect(output).toContain("A component may import only '../../src/index'");
      expect(output).not.toContain('probe-types');
      expect(output).not.toMatch(/error TS\d+/);
      expect(fs.existsSync(path.join(tmp, 'miniprogram_dist', 'message-list', 'index.js'))).toBe(false);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 120000);
});

describe('property mangling (build/mangle.ts)', () => {
  const words = (text: string) => new Set(text.match(/[A-Za-z_$][\w$]*/g) ?? []);
  const read = (...parts: string[]) => fs.readFileSync(path.join(ROOT, ...parts), 'utf8');
  const under = (dir: string, test: RegExp) => filesUnder(path.join(ROOT, dir)).filter((f) => test.test(f)).map((f) => read(dir, f));
  const entries = ['index', ...componentNames(ROOT).map((name) => `${name}/index`)];

  beforeAll(() => {
    if (entries.some((e) => !fs.existsSync(path.join(DIST, `${e}.d.ts`)))) {
      const result = spawnSync(GULP, ['build'], { cwd: ROOT, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`gulp build failed:\n${result.stdout}\n${result.stderr}`);
    }
  }, 120000);

  it('never mangles a name of the public .d.ts, mqtt.js, the platform adapters, the mini-program typings or the WXML', () => {
    // the dist's declarations minus comments and `private x;` lines (a private member of an exported class is not API)
    const declarations = entries.map((e) => read('miniprogram_dist', `${e}.d.ts`));
    const { names, excluded } = mangleScan(ROOT, declarations);
    expect(names.length).toBeGreaterThan(20);
    expect(Object.keys(excluded).length).toBeGreaterThan(20);
    const forbidden: [string, Set<string>][] = [
      ['public .d.ts', words(declarations.map((d) => d.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '').replace(/^\s*private [^\n]*$/gm, '')).join('\n'))],
      ['src/vendor/mqtt.d.ts', words(read('src/vendor/mqtt.d.ts'))],
      ['vendored mqtt.js', words(read('src/vendor/mqtt.js'))],
      ['src/platform/wx.ts', words(read('src/platform/wx.ts'))],
      ['src/platform/adapters', words(under('src/platform/adapters', /\.ts$/).join('\n'))],
      ['miniprogram-api-typings', words(under('node_modules/miniprogram-api-typings', /\.d\.ts$/).join('\n'))],
      ['WXML/WXS', words(under('components', /\.(wxml|wxs)$/).join('\n'))],
      ['always reserved', new Set(ALWAYS_RESERVED)],
    ];
    for (const [source, set] of forbidden) expect({ source, clash: names.filter((n) => set.has(n)) }).toEqual({ source, clash: [] });
    // and every name is a `private` member declared in src/ or components/
    const sources = [...under('src', /\.ts$/), ...under('components', /\.ts$/)].join('\n');
    for (const name of names) expect({ name, declaredPrivate: new RegExp(`private (readonly |async |static |get |set )*${name.replace(/\$/g, '\\$')}\\b`).test(sources) }).toEqual({ name, declaredPrivate: true });
    // the pattern handed to esbuild matches exactly these names
    const pattern = manglePattern(names);
    for (const name of names) expect(pattern.test(name)).toBe(true);
    for (const name of ['then', 'options', 'stream', 'outgoing', 'nextId', '_sendPacket', 'incomingStore', 'setData', 'data', `${names[0]}x`]) expect(pattern.test(name)).toBe(false);
    expect(manglePattern([]).test('anything')).toBe(false);
  });

  it('the dist uses none of the mangled names as a property any more (all of them were shortened, consistently)', () => {
    const { names } = mangleScan(
      ROOT,
      entries.map((e) => read('miniprogram_dist', `${e}.d.ts`)),
    );
    for (const entry of entries) {
      const code = read('miniprogram_dist', `${entry}.js`);
      const left = names.filter((n) => new RegExp(`[.]${n.replace(/\$/g, '\\$')}\\b|[{,]${n.replace(/\$/g, '\\$')}[(:]`).test(code));
      expect({ entry, left }).toEqual({ entry, left: [] });
    }
  });
});

describe('gulp watch', () => {
  let tmp = '';
  let watcher: ChildProcess | undefined;
  let log = '';
  const mirror = (...parts: string[]) => path.join(tmp, 'demo', 'miniprogram_npm', 'miniprogram-mqtt', ...parts);
  const dist = (...parts: string[]) => path.join(tmp, 'miniprogram_dist', ...parts);
  const stamp = (file: string) => {
    const stat = fs.statSync(file);
    return `${stat.ino}:${stat.mtimeMs}`;
  };

  async function until(what: string, check: () => boolean, ms = 60000): Promise<void> {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`watch: ${what} did not happen within ${ms} ms\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const has = (file: string, text: string) => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(text);

  beforeAll(async () => {
    tmp = projectCopy();
    const built = spawnSync(GULP, ['build'], { cwd: tmp, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`gulp build failed:\n${built.stdout}\n${built.stderr}`);
    watcher = spawn(GULP, ['watch'], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    watcher.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    watcher.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await until('start', () => log.includes('[watch] watching'));
  }, 120000);

  afterAll(async () => {
    if (watcher && watcher.exitCode === null) {
      const exited = new Promise((resolve) => watcher?.once('exit', resolve));
      watcher.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('copies a changed, added or removed asset alone, compacted, into the dist and the demo', async () => {
    const untouched = [mirror('mqtt-panel', 'index.wxml'), mirror('index.js'), dist('message-list', 'index.js')].map((f) => [f, stamp(f)]);
    fs.appendFileSync(path.join(tmp, 'components', 'message-list', 'index.wxss'), '\n/* probe */\n.watch-probe {\n  color : red ;\n}\n');
    for (const file of [dist('message-list', 'index.wxss'), mirror('message-list', 'index.wxss')]) {
      await until(`${file} updated`, () => has(file, '.watch-probe{color:red}'));
      expect(fs.readFileSync(file, 'utf8')).not.toContain('probe */');
    }
    const added = path.join(tmp, 'components', 'message-list', 'probe.json');
    fs.writeFileSync(added, '{"probe": true}');
    await until('added asset copied', () => has(mirror('message-list', 'probe.json'), '"probe"') && has(dist('message-list', 'probe.json'), '"probe"'));
    fs.rmSync(added);
    await until('removed asset removed', () => !fs.existsSync(mirror('message-list', 'probe.json')) && !fs.existsSync(dist('message-list', 'probe.json')));
    for (const [file, before] of untouched) expect({ file, after: stamp(file) }).toEqual({ file, after: before });
  }, 90000);

  it('re-checks and re-bundles on a .ts change, and rewrites only the files that changed in the demo', async () => {
    const untouched = [mirror('mqtt-panel', 'index.js'), mirror('mqtt-panel', 'index.wxml'), mirror('vendor', 'mqtt.js'), dist('mqtt-panel', 'index.js')].map((f) => [f, stamp(f)]);
    fs.appendFileSync(path.join(tmp, 'components', 'message-list', 'index.ts'), '\nexport const WATCH_PROBE = 40 + 2;\n');
    for (const file of [dist('message-list', 'index.js'), mirror('message-list', 'index.js'), mirror('message-list', 'index.d.ts')]) {
      await until(`${file} rebuilt`, () => has(file, 'WATCH_PROBE'));
    }
    for (const [file, before] of untouched) expect({ file, after: stamp(file) }).toEqual({ file, after: before });
    expect(filesUnder(mirror()).sort()).toEqual(filesUnder(dist()).sort());
  }, 90000);
});
