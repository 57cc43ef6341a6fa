import * as fs from 'fs';
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

/** Minifies compiled JavaScript (the vendored bundle is already minified and is not touched). */
function minifyJs(): Transform {
  return new Transform({
    objectMode: true,
    transform(file: Vinyl, _enc, done) {
      if (!file.isBuffer() || !file.path.endsWith('.js')) return done(null, file);
      minify(file.contents.toString('utf8'), { ecma: 2017, module: false, toplevel: true, compress: { passes: 3 }, mangle: true, format: { comments: false } })
        .then((out) => {
          file.contents = Buffer.from(out.code ?? '');
          done(null, file);
        })
        .catch((error: Error) => done(error));
    },
  });
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
  await Promise.all([
    finished(result.js.pipe(relocate()).pipe(minifyJs()).pipe(gulp.dest(DIST))),
    finished(result.dts.pipe(relocate()).pipe(gulp.dest(DIST))),
  ]);
  if (errors.length > 0) throw new Error(`TypeScript: ${errors.length} error(s); the build failed`);
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
