/**
 * esbuild for the bench, in its own Node process: esbuild refuses to load inside jest's jsdom
 * environment (its Uint8Array invariant fails across realms), so bench.bench.ts runs this file with
 * `node -r ts-node/register bench/esbuild-tasks.ts <task> …` and reads the JSON it prints.
 *
 *   cold-child <outfile>  bundles bench/cold-child.ts (with test/support/wx.ts's NodeWx) into one
 *                         plain JS file for the cold-start samples; npm packages (ws) stay require()s
 *   sizes                 bundles the dist's entries as gulpfile.ts's bundleScript does (minified
 *                         CJS, ES2017, same boundary) with a metafile; prints bytes per input file
 */
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';
import * as boundary from '../build/boundary';
import { bundleBoundary, BundleKind } from '../build/boundary';
import { componentNames } from '../build/layout';

const ROOT = path.resolve(__dirname, '..');

export interface EntrySize {
  /** Dist-relative output, e.g. index.js, mqtt-panel/index.js. */
  out: string;
  /** esbuild's minified output, bytes. */
  bytes: number;
  /** Project-relative input file → its bytes in that output. */
  inputs: Record<string, number>;
}

async function coldChild(outfile: string): Promise<void> {
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'bench', 'cold-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'silent',
  });
  process.stdout.write(`${JSON.stringify({ outfile })}\n`);
}

async function sizes(): Promise<void> {
  const entries: { kind: BundleKind; source: string; out: string }[] = [
    { kind: 'runtime', source: 'src/index', out: 'index' },
    ...componentNames(ROOT).map((name) => ({ kind: 'component' as const, source: `components/${name}/index`, out: `${name}/index` })),
  ];
  const result: EntrySize[] = [];
  for (const entry of entries) {
    // From the TypeScript sources (the build bundles tsc's ES module output of the same files);
    // the boundary plugin takes project-relative paths from the stage, here the project itself.
    // Where build/boundary.ts has runtimeEntry (src/ui.ts carried by the runtime at a symbol), the
    // runtime's CJS bundle starts from that generated entry, as gulpfile.ts's bundleScript does.
    const runtimeEntry = (boundary as { runtimeEntry?: (index: string, ui: string) => string }).runtimeEntry;
    const withUi = entry.kind === 'runtime' && runtimeEntry && fs.existsSync(path.join(ROOT, 'src', 'ui.ts'));
    const built = await esbuild.build({
      absWorkingDir: ROOT,
      ...(withUi ? { stdin: { contents: runtimeEntry(`./${entry.source}`, './src/ui'), resolveDir: ROOT, sourcefile: 'runtime.js' } } : { entryPoints: [path.join(ROOT, `${entry.source}.ts`)] }),
      bundle: true,
      platform: 'neutral',
      target: 'es2017',
      format: 'cjs',
      minify: true,
      // as the build's terser `pure_funcs`: an unused Object.keys(…) (and the table it reads) goes
      pure: ['Object.keys'],
      // terser writes UTF-8; esbuild would escape each CJK character as \uXXXX (6 bytes, not 3)
      charset: 'utf8',
      metafile: true,
      plugins: [bundleBoundary(ROOT, entry.kind)],
      write: false,
      logLevel: 'silent',
      outfile: path.join(ROOT, 'out', `${entry.out}.js`),
    });
    const output = Object.values(built.metafile.outputs)[0];
    const inputs: Record<string, number> = {};
    // a plugin's namespaced module (namespace:path, e.g. the boundary's shared-runtime stubs) keeps its name
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) inputs[/^[a-z-]+:/.test(file) ? file : path.relative(ROOT, path.resolve(ROOT, file)).split(path.sep).join('/')] = bytesInOutput;
    result.push({ out: `${entry.out}.js`, bytes: output.bytes, inputs });
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const [task, arg] = process.argv.slice(2);
(task === 'cold-child' && arg ? coldChild(path.resolve(arg)) : task === 'sizes' ? sizes() : Promise.reject(new Error(`usage: esbuild-tasks.ts cold-child <outfile> | sizes (got ${task})`))).catch((error: unknown) => {
  const messages = (error as { errors?: esbuild.Message[] }).errors;
  process.stderr.write(`${messages ? messages.map((m) => `${m.location ? `${m.location.file}:${m.location.line}: ` : ''}${m.text}`).join('\n') : String(error)}\n`);
  process.exit(1);
});
