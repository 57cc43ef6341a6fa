/**
 * What a consumer meets first: `npm pack` ships only the dist, types and docs, and the README
 * tables name every property, event and method the components have.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const source = (name: string) => fs.readFileSync(path.join(ROOT, 'components', name, 'index.ts'), 'utf8');

function propertiesOf(code: string): string[] {
  const block = /properties: \{([\s\S]*?)\n {2}\},/.exec(code)?.[1] ?? '';
  // `name: { type, value }`, or a copy of a shared definition: `locale: assign({}, LOCALE)`
  return [...block.matchAll(/^\s{4}(\w+): (?:\{|assign\()/gm)].map((m) => m[1]);
}
const eventsOf = (code: string): string[] => [...new Set([...code.matchAll(/triggerEvent\('(\w+)'/g)].map((m) => m[1]))];
function methodsOf(typeName: string): string[] {
  const types = fs.readFileSync(path.join(ROOT, 'src', 'types.ts'), 'utf8');
  const block = new RegExp(`interface ${typeName} \\{([\\s\\S]*?)\\n\\}`).exec(types)?.[1] ?? '';
  return [...block.matchAll(/^\s{2}(\w+)\(/gm)].map((m) => m[1]);
}
/** The first column of the README table under a heading. */
function tableNames(heading: string): string[] {
  const start = readme.indexOf(heading);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return [...section.matchAll(/^\| `?([\w-]+)/gm)].map((m) => m[1]);
}

describe('README tables match the code', () => {
  it.each([
    ['mqtt-panel', '## `<mqtt-panel>` 属性'],
    ['message-list', '## `<message-list>` 属性'],
  ])('%s properties', (name, heading) => {
    const props = propertiesOf(source(name));
    expect(props.length).toBeGreaterThan(5);
    expect(tableNames(heading).filter((n) => n !== '属性')).toEqual(props);
  });

  it.each([
    ['mqtt-panel', '## `<mqtt-panel>` 事件'],
    ['message-list', '## `<message-list>` 事件与方法'],
  ])('%s events', (name, heading) => {
    const events = eventsOf(source(name));
    expect(events.length).toBeGreaterThan(1);
    expect(tableNames(heading)).toEqual(expect.arrayContaining(events));
  });

  it.each([
    ['MqttPanelMethods', '## `<mqtt-panel>` 方法'],
    ['MessageListMethods', '## `<message-list>` 事件与方法'],
  ])('%s', (typeName, heading) => {
    const methods = methodsOf(typeName);
    expect(methods.length).toBeGreaterThan(2);
    expect(tableNames(heading)).toEqual(expect.arrayContaining(methods));
  });

  it('every error code is in the error table', () => {
    const codes = [...fs.readFileSync(path.join(ROOT, 'src', 'core', 'errors.ts'), 'utf8').matchAll(/^ {2}\| '([A-Z_]+)'/gm)].map((m) => m[1]);
    expect(codes.length).toBeGreaterThan(15);
    expect(tableNames('## 错误码')).toEqual(expect.arrayContaining(codes));
  });
});

describe('npm pack', () => {
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { files: { path: string }[] }[];
  const files = pack.files.map((f) => f.path);
  const components = fs.readdirSync(path.join(ROOT, 'components')).filter((name) => fs.existsSync(path.join(ROOT, 'components', name, 'index.ts')));

  it('contains miniprogram_dist, README, LICENSE, CHANGELOG and package.json only', () => {
    const outside = files.filter((f) => !f.startsWith('miniprogram_dist/') && !['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json'].includes(f));
    expect(outside).toEqual([]);
    for (const needed of ['miniprogram_dist/index.js', 'miniprogram_dist/mqtt-panel/index.js', 'miniprogram_dist/message-list/index.wxml', 'miniprogram_dist/vendor/mqtt.js', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
      expect(files).toContain(needed);
    }
  });

  it('ships declarations only for the runtime entry and each component, and package.json types points at one', () => {
    const declarations = files.filter((f) => f.endsWith('.d.ts')).sort();
    expect(declarations).toEqual(['miniprogram_dist/index.d.ts', ...components.map((name) => `miniprogram_dist/${name}/index.d.ts`)].sort());
    for (const file of declarations) expect(files).toContain(file.replace(/\.d\.ts$/, '.js'));
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { types: string; main: string };
    expect(pkg.types).toBe('miniprogram_dist/index.d.ts');
    expect(files).toContain(pkg.types);
    expect(files).toContain(pkg.main);
  });
});
