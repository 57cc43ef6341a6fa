/**
 * The gulp build: miniprogram_dist laid out as 构建 npm consumers see it, requires that resolve,
 * the vendored bundle byte-identical to what tests load, and type errors failing the build.
 */
import * as acorn from 'acorn';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { distPathOf, relocateRequires } from '../build/layout';
import { wrapMqttBundle } from '../build/vendor';

const ROOT = path.resolve(__dirname, '..');
const GULP = path.join(ROOT, 'node_modules', '.bin', 'gulp');

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

describe('relocateRequires', () => {
  it('maps components and src into the flat dist layout', () => {
    expect(distPathOf('components/mqtt-panel/index.ts')).toBe('mqtt-panel/index.ts');
    expect(distPathOf('src/core/topics.ts')).toBe('core/topics.ts');
    expect(() => distPathOf('test/x.ts')).toThrow('no dist location');
  });

  it('rewrites relative requires for the new location and leaves the rest', () => {
    const code = `const a = require("../../src/core/topics");\nimport { b } from '../../src/platform/registry';\nconst c = require("./local");\nconst d = require("lodash");`;
    expect(relocateRequires(code, 'components/mqtt-panel/index.js')).toBe(
      `const a = require("../core/topics");\nimport { b } from '../platform/registry';\nconst c = require("./local");\nconst d = require("lodash");`,
    );
    expect(relocateRequires(`require("../core/x")`, 'src/platform/y.js')).toBe(`require("../core/x")`);
  });
});

describe('gulp build', () => {
  const dist = path.join(ROOT, 'miniprogram_dist');

  beforeAll(() => {
    const result = spawnSync(GULP, ['build'], { cwd: ROOT, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`gulp build failed:\n${result.stdout}\n${result.stderr}`);
  }, 120000);

  it('writes each component as <name>/index.* beside one shared runtime (index.js) and the vendored bundle', () => {
    for (const name of ['mqtt-panel', 'message-list']) {
      for (const ext of ['js', 'json', 'wxml', 'wxss', 'd.ts']) {
        expect(fs.existsSync(path.join(dist, name, `index.${ext}`))).toBe(true);
      }
    }
    const js = filesUnder(dist).filter((f) => f.endsWith('.js')).map((f) => path.relative(dist, f).split(path.sep).join('/'));
    expect(js.sort()).toEqual(['index.js', 'message-list/index.js', 'mqtt-panel/index.js', 'vendor/mqtt.js']);
    expect(fs.existsSync(path.join(dist, 'core', 'errors.d.ts'))).toBe(true);
    expect(filesUnder(dist).some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toBe(false);
  });

  it('components require only the shared runtime, which exports every name they use', () => {
    const runtime = fs.readFileSync(path.join(dist, 'index.js'), 'utf8');
    for (const name of ['mqtt-panel', 'message-list']) {
      const code = fs.readFileSync(path.join(dist, name, 'index.js'), 'utf8');
      expect(new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))).toEqual(new Set(['../index']));
      const runtimeVars = [...code.matchAll(/(\w+)=require\("\.\.\/index"\)/g)].map((m) => m[1]).join('|');
      const used = [...code.matchAll(new RegExp(`(?:\\(0,|new )(?:${runtimeVars})\\.(\\w+)`, 'g'))].map((m) => m[1]);
      expect(used.length).toBeGreaterThan(3);
      for (const exported of used) expect(runtime).toContain(`${exported}:()=>`);
    }
  });

  it('ships only ES2017 scripts (older base libraries run them without DevTools transpiling)', () => {
    for (const file of filesUnder(dist).filter((f) => f.endsWith('.js'))) {
      expect(() => acorn.parse(fs.readFileSync(file, 'utf8'), { ecmaVersion: 2017, sourceType: 'script' })).not.toThrow();
    }
    expect(() => acorn.parse('const a = b?.c;', { ecmaVersion: 2017 })).toThrow();
  });

  it('every relative require in the dist resolves to a dist file', () => {
    const missing: string[] = [];
    for (const file of filesUnder(dist).filter((f) => f.endsWith('.js') && !f.includes(`${path.sep}vendor${path.sep}`))) {
      for (const [, spec] of fs.readFileSync(file, 'utf8').matchAll(/require\("(\.[^"]+)"\)/g)) {
        const target = path.resolve(path.dirname(file), spec);
        if (![target, `${target}.js`, path.join(target, 'index.js')].some((t) => fs.existsSync(t))) {
          missing.push(`${path.relative(dist, file)} → ${spec}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('vendors mqtt.min.js 4.0.1 once, as a factory with its licence, identical to what the tests load', () => {
    const vendored = fs.readFileSync(path.join(dist, 'vendor', 'mqtt.js'), 'utf8');
    expect(vendored).toBe(wrapMqttBundle());
    expect(vendored).toContain('The MIT License');
    expect(vendored).toContain(fs.readFileSync(path.join(ROOT, 'node_modules/mqtt/dist/mqtt.min.js'), 'utf8').trim());
    expect(fs.readFileSync(path.join(ROOT, 'src/vendor/mqtt.js'), 'utf8')).toBe(vendored);
  });

  it('mirrors the dist into the demo as 构建 npm would', () => {
    const mirror = path.join(ROOT, 'demo', 'miniprogram_npm', 'miniprogram-mqtt');
    const rel = (base: string) => filesUnder(base).map((f) => path.relative(base, f)).sort();
    expect(rel(mirror)).toEqual(rel(dist));
  });

  it('fails with a non-zero exit when a component has a type error', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mqtt-build-'));
    for (const entry of ['gulpfile.ts', 'build', 'tsconfig.json', 'tsconfig.build.json', 'components', 'src']) {
      fs.cpSync(path.join(ROOT, entry), path.join(tmp, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tmp, 'node_modules'));
    fs.appendFileSync(path.join(tmp, 'components', 'message-list', 'index.ts'), '\nexport const broken: number = "not a number";\n');
    const result = spawnSync(GULP, ['build'], { cwd: tmp, encoding: 'utf8' });
    fs.rmSync(tmp, { recursive: true, force: true });
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('TS2322');
  }, 120000);
});
