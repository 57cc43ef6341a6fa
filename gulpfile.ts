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
import { distPathOf, relocateRequires } from './build/layout';
import { writeVendoredMqtt } from './build/vendor';

const DIST = 'miniprogram_dist';
const DEMO_NPM = 'demo/miniprogram_npm/miniprogram-mqtt';
const SCRIPTS = ['components/**/*.ts', 'src/**/*.ts', '!src/**/*.d.ts'];
const ASSETS = ['components/**/*.{wxml,wxss,json,wxs,png,jpg,jpeg,gif,svg}', 'src/vendor/*.{js,d.ts}'];

/** Moves each file to its dist location and fixes its relative requires for that location. */
function relocate(): Transform {
  return new Transform({
    objectMode: true,
    transform(file: Vinyl, _enc, done) {
      const relative = path.relative(file.base, file.path);
      if (file.isBuffer() && /\.(js|ts)$/.test(relative) && !relative.startsWith(path.join('src', 'vendor'))) {
        file.contents = Buffer.from(relocateRequires(file.contents.toString('utf8'), relative));
      }
      file.path = path.join(file.base, distPathOf(relative));
      done(null, file);
    },
  });
}

const COMPONENTS = ['mqtt-panel', 'message-list'];
const FROM_SRC = /import\s*\{([^}]*)\}\s*from\s*'(\.\.\/\.\.\/src\/[^']+)'/g;

/**
 * The runtime every component shares, as one module (index.js): the public API plus exactly the
 * names the components import from src. One copy means one connection registry.
 */
function sharedEntry(stage: string): string {
  const specOf = new Map<string, string>();
  for (const name of COMPONENTS) {
    const code = fs.readFileSync(path.join(stage, 'components', name, 'index.js'), 'utf8');
    const named = [...code.matchAll(FROM_SRC)];
    if (named.length !== code.split("from '../../src/").length - 1) throw new Error(`${name}: import from src only as import { … } from '…'`);
    for (const [, names, spec] of named) names.split(',').forEach((n) => specOf.set(n.trim(), spec.replace('../../', './')));
  }
  const lines = [...specOf].map(([name, spec]) => `export { ${name} } from '${spec}';`);
  return [`export * from './src/index';`, ...lines].join('\n');
}

/** Component imports of src/… become require('../index'); the vendored mqtt.js stays its own file. */
function sharedRuntime(stage: string): esbuild.Plugin {
  return {
    name: 'shared-runtime',
    setup(build) {
      build.onResolve({ filter: /^\./ }, (args) => {
        const target = path.resolve(args.resolveDir, args.path);
        if (target === path.join(stage, 'src', 'vendor', 'mqtt')) {
          return { path: args.importer.startsWith(path.join(stage, 'components')) ? '../vendor/mqtt' : './vendor/mqtt', external: true };
        }
        if (args.importer.startsWith(path.join(stage, 'components')) && target.startsWith(path.join(stage, 'src'))) {
          return { path: '../index', external: true };
        }
        return undefined;
      });
    },
  };
}

/** Bundles the compiled ES modules into index.js + one file per component, minified for ES2017. */
async function bundle(stage: string): Promise<void> {
  const common: esbuild.BuildOptions = { bundle: true, format: 'cjs', platform: 'neutral', target: 'es2017', plugins: [sharedRuntime(stage)], write: false, logLevel: 'error' };
  const builds = [
    esbuild.build({ ...common, stdin: { contents: sharedEntry(stage), resolveDir: stage, sourcefile: 'index.js' }, outfile: path.join(DIST, 'index.js') }),
    // a component file only registers its Component(): nothing requires it, so it exports nothing
    ...COMPONENTS.map((name) =>
      esbuild.build({ ...common, stdin: { contents: `import './components/${name}/index.js';`, resolveDir: stage }, outfile: path.join(DIST, name, 'index.js') }),
    ),
  ];
  for (const result of await Promise.all(builds)) {
    for (const out of result.outputFiles ?? []) {
      const min = await minify(out.text, { ecma: 2017, module: false, toplevel: true, compress: { passes: 3 }, mangle: true, format: { comments: false, preamble: '"use strict";' } });
      await fs.promises.mkdir(path.dirname(out.path), { recursive: true });
      await fs.promises.writeFile(out.path, min.code ?? '');
    }
  }
}

/** Drops comments and layout whitespace from WXSS and indentation from WXML. */
function compactMarkup(): Transform {
  return new Transform({
    objectMode: true,
    transform(file: Vinyl, _enc, done) {
      if (file.isBuffer() && /\.(wxss|wxml)$/.test(file.path)) {
        let text = file.contents.toString('utf8');
        text = file.path.endsWith('.wxss')
          ? text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, ' ').replace(/\s*([{};:,])\s*/g, '$1').replace(/;}/g, '}').trim()
          : text.split('\n').map((line) => line.trim()).filter(Boolean).join('\n');
        file.contents = Buffer.from(text);
      }
      done(null, file);
    },
  });
}

export function clean(): Promise<void> {
  return fs.promises.rm(DIST, { recursive: true, force: true });
}

export async function vendor(): Promise<void> {
  writeVendoredMqtt();
}

/** Compiles with gulp-typescript; any type error fails the task (gulp-typescript alone would exit 0). */
export async function scripts(): Promise<void> {
  const project = ts.createProject('tsconfig.build.json');
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
    await Promise.all([finished(result.js.pipe(gulp.dest(stage))), finished(result.dts.pipe(relocate()).pipe(gulp.dest(DIST)))]);
    if (errors.length > 0) throw new Error(`TypeScript: ${errors.length} error(s); the build failed`);
    await bundle(stage);
  } finally {
    await fs.promises.rm(stage, { recursive: true, force: true });
  }
}

export function assets(): NodeJS.ReadWriteStream {
  return gulp.src(ASSETS, { base: '.', encoding: false }).pipe(relocate()).pipe(compactMarkup()).pipe(gulp.dest(DIST));
}

/** Mirrors the dist into the demo the way DevTools' 构建 npm lays it out. */
export async function mirror(): Promise<void> {
  await fs.promises.rm(DEMO_NPM, { recursive: true, force: true });
  await fs.promises.cp(DIST, DEMO_NPM, { recursive: true });
}

export const build = gulp.series(clean, vendor, gulp.parallel(scripts, assets), mirror);

export function watch(): void {
  gulp.watch(['components/**/*', 'src/**/*'], { ignoreInitial: true }, build);
}

export default build;
