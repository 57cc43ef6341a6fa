import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Transform } from 'stream';
import { finished } from 'stream/promises';
import * as gulp from 'gulp';
import * as ts from 'gulp-typescript';
import { minify } from 'terser';
import type Vinyl from 'vinyl';
import { bundleBoundary, BundleKind, runtimeEntry } from './build/boundary';
import { alignValueExports, bundleDeclarations } from './build/declarations';
import { mangleScan, manglePattern } from './build/mangle';
import { compactAsset, componentNames, distPathOf, filesUnder, syncFolder } from './build/layout';
import { writeVendoredMqtt } from './build/vendor';

const DIST = 'miniprogram_dist';
const DEMO_NPM = 'demo/miniprogram_npm/miniprogram-mqtt';
const SCRIPTS = ['components/**/*.ts', 'src/**/*.ts', '!src/**/*.d.ts'];
const ASSETS = ['components/**/*.{wxml,wxss,json,wxs,png,jpg,jpeg,gif,svg}', 'src/vendor/mqtt.js'];
const VENDORED = 'vendor/mqtt.js';

/** Moves each asset to its dist location (components/<name>/x → <name>/x) and compacts WXSS/WXML. */
function relocateAssets(): Transform {
  return new Transform({
    objectMode: true,
    transform(file: Vinyl, _enc, done) {
      const relative = path.relative(file.base, file.path);
      if (file.isBuffer()) file.contents = compactAsset(relative, file.contents);
      file.path = path.join(file.base, distPathOf(relative));
      done(null, file);
    },
  });
}

interface Entry {
  kind: BundleKind;
  /** Project-relative, without extension: src/index or components/<name>/index. */
  source: string;
  /** Dist-relative, without extension. */
  out: string;
}

/** src/index.ts → index.js (the one shared runtime); components/<name>/index.ts → <name>/index.js. */
function entries(): Entry[] {
  return [
    { kind: 'runtime', source: 'src/index', out: 'index' },
    ...componentNames('.').map((name): Entry => ({ kind: 'component', source: `components/${name}/index`, out: `${name}/index` })),
  ];
}

/** esbuild's messages, naming project files rather than the temporary stage. */
function buildFailure(error: unknown, stage: string): Error {
  const messages = (error as { errors?: esbuild.Message[] }).errors;
  if (!messages) return error as Error;
  const lines = messages.map((m) => (m.pluginName || !m.location ? m.text : `${path.relative(stage, path.resolve(m.location.file))}:${m.location.line}: ${m.text}`));
  return new Error(`bundling failed:\n${lines.join('\n')}`);
}

/**
 * Bundles one entry from the ES modules TypeScript emitted into `stage`: CommonJS minified for
 * ES2017, plus the names the module exports (from an ESM pass: esbuild lists exports only there).
 * The runtime's CommonJS pass also carries src/ui (the components' internal entry, see build/boundary.ts).
 */
async function bundleScript(stage: string, entry: Entry, mangle: Mangle): Promise<{ code: string; exports: string[]; mangleCache: Record<string, string | false> }> {
  const common: esbuild.BuildOptions = {
    entryPoints: [path.join(stage, `${entry.source}.js`)],
    bundle: true,
    platform: 'neutral',
    target: 'es2017',
    plugins: [bundleBoundary(stage, entry.kind)],
    write: false,
    logLevel: 'silent',
    outfile: path.join(stage, 'out', `${entry.out}.js`),
  };
  const withUi: esbuild.BuildOptions =
    entry.kind === 'runtime' ? { entryPoints: undefined, stdin: { contents: runtimeEntry(`./${entry.source}.js`, './src/ui.js'), resolveDir: stage, sourcefile: 'runtime.js' } } : {};
  // private members shortened (build/mangle.ts): one cache for every bundle, so the same name gets
  // the same short name wherever an object travels
  const mangled: esbuild.BuildOptions = { mangleProps: manglePattern(mangle.names), mangleCache: mangle.cache };
  // esbuild's own minifier first (its syntax pass folds and inlines across modules, its short helper
  // names help the components), then terser: −1.5 KB over terser alone
  const minified: esbuild.BuildOptions = { minify: true };
  const [cjs, esm] = await Promise.all([esbuild.build({ ...common, ...withUi, ...mangled, ...minified, format: 'cjs' }), esbuild.build({ ...common, format: 'esm', metafile: true })]).catch((error: unknown) => {
    throw buildFailure(error, stage);
  });
  const min = await minify(cjs.outputFiles?.[0]?.text ?? '', {
    ecma: 2017,
    module: false,
    toplevel: true,
    // Object.keys has no side effect: an unused `ERROR_CODES = Object.keys(TEXTS.en)` then drops the
    // whole error-text table from a component that only needs normalizeLocale (−2.6 KB in message-list)
    // unsafe_arrows: the IIFEs terser makes of functions used once become arrows (it keeps any that
    // read this, arguments or new.target; none of them is ever constructed)
    compress: { passes: 3, pure_funcs: ['Object.keys'], unsafe_arrows: true },
    mangle: true,
    format: { comments: false, preamble: '"use strict";' },
  });
  const exports = Object.values(esm.metafile?.outputs ?? {})[0]?.exports ?? [];
  return { code: min.code ?? '', exports, mangleCache: cjs.mangleCache ?? {} };
}

interface Mangle {
  names: readonly string[];
  cache: Record<string, string | false>;
}

let project: ts.Project | undefined;

/**
 * Type-checks and compiles src/ and components/ (gulp-typescript: any type error fails the task),
 * then bundles each entry and its declarations into the dist. In `watch`, the same project is
 * reused, so gulp-typescript re-checks incrementally.
 */
export async function scripts(): Promise<void> {
  // ES2020 for the intermediate JS only: esbuild lowers ?. and ?? to ES2017 far shorter than TypeScript
  // does (`a==null?void 0:a.b` rather than `(_a = a) === null || _a === void 0 ? void 0 : _a.b`);
  // class fields stay assignments in the constructor, as at ES2017
  project ??= ts.createProject('tsconfig.build.json', { target: 'ES2020', useDefineForClassFields: false });
  const errors: string[] = [];
  const reporter = ts.reporter.defaultReporter();
  const result = gulp.src(SCRIPTS, { base: '.' }).pipe(
    project({
      error: (error, typescript) => {
        errors.push(error.message);
        reporter.error?.(error, typescript);
      },
    }),
  );
  result.on('error', () => undefined);
  const stage = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'miniprogram-mqtt-'));
  try {
    await Promise.all([
      finished(result.js.pipe(gulp.dest(stage))),
      finished(result.dts.pipe(gulp.dest(stage))),
      // hand-written declarations (the vendored bundle's) that the emitted ones import
      finished(gulp.src('src/**/*.d.ts', { base: '.' }).pipe(gulp.dest(stage))),
    ]);
    if (errors.length > 0) throw new Error(`TypeScript: ${errors.length} error(s); the build failed`);
    const all = entries();
    const types = await Promise.all(all.map((entry) => bundleDeclarations(path.join(stage, `${entry.source}.d.ts`))));
    const mangle: Mangle = { names: mangleScan('.', types).names, cache: {} };
    // the runtime first: the components reuse its short names (they reach its objects through src/ui)
    const runtime = all.filter((entry) => entry.kind === 'runtime');
    const scripts: Map<Entry, { code: string; exports: string[] }> = new Map();
    for (const entry of runtime) {
      const built = await bundleScript(stage, entry, mangle);
      mangle.cache = { ...mangle.cache, ...built.mangleCache };
      scripts.set(entry, built);
    }
    await Promise.all(all.filter((entry) => entry.kind !== 'runtime').map(async (entry) => scripts.set(entry, await bundleScript(stage, entry, mangle))));
    const outputs = all.map((entry, i) => {
      const { code, exports } = scripts.get(entry)!;
      return [{ file: `${entry.out}.js`, text: code }, { file: `${entry.out}.d.ts`, text: alignValueExports(types[i], exports, `${entry.source}.ts`) }];
    });
    const written = new Set<string>([VENDORED]);
    for (const { file, text } of outputs.flat()) {
      const target = path.join(DIST, file);
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) await fs.promises.writeFile(target, text);
      written.add(file);
    }
    // what an earlier build wrote and this one did not (a removed component, an older layout)
    for (const stale of filesUnder(DIST).filter((f) => /\.(js|d\.ts)$/.test(f) && !written.has(f))) await fs.promises.rm(path.join(DIST, stale));
  } finally {
    await fs.promises.rm(stage, { recursive: true, force: true });
  }
}

export function clean(): Promise<void> {
  return fs.promises.rm(DIST, { recursive: true, force: true });
}

export async function vendor(): Promise<void> {
  writeVendoredMqtt();
}

export function assets(): NodeJS.ReadWriteStream {
  return gulp.src(ASSETS, { base: '.', encoding: false }).pipe(relocateAssets()).pipe(gulp.dest(DIST));
}

/**
 * Mirrors the dist into the demo the way DevTools' 构建 npm lays it out: rewrites only the files
 * that changed and removes only those gone from the dist (DevTools watches this folder).
 */
export async function mirror(): Promise<void> {
  syncFolder(DIST, DEMO_NPM);
}

export const build = gulp.series(clean, vendor, gulp.parallel(scripts, assets), mirror);

/** One asset changed, was added or was removed: just that file, in the dist and the demo. */
function updateAsset(event: 'add' | 'change' | 'unlink', file: string): void {
  const rel = distPathOf(path.relative('.', file));
  try {
    for (const root of [DIST, DEMO_NPM]) {
      const target = path.join(root, rel);
      if (event === 'unlink') {
        fs.rmSync(target, { force: true });
      } else {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, compactAsset(rel, fs.readFileSync(file)));
      }
    }
    console.log(`[watch] ${event === 'unlink' ? 'removed' : 'copied'} ${rel}`);
  } catch (error) {
    console.error(`[watch] ${rel}: ${(error as Error).message}`);
  }
}

/**
 * Rebuilds on save without a full clean: a .wxml/.wxss/.json/… change copies that one file; a .ts
 * change re-runs the type-check and the bundles, then syncs only what changed into the demo.
 */
export function watch(): void {
  const assetWatcher = gulp.watch(ASSETS, { ignoreInitial: true });
  for (const event of ['add', 'change', 'unlink'] as const) assetWatcher.on(event, (file: string) => updateAsset(event, file));
  const scriptWatcher = gulp.watch(['components/**/*.ts', 'src/**/*.ts'], { ignoreInitial: true }, gulp.series(scripts, mirror));
  const ready = [assetWatcher, scriptWatcher].map((watcher) => new Promise((resolve) => watcher.once('ready', resolve)));
  void Promise.all(ready).then(() => console.log(`[watch] watching components/ and src/ (dist: ${DIST}, demo: ${DEMO_NPM})`));
}

export default build;
