import * as esbuild from 'esbuild';
import * as path from 'path';

/**
 * What one bundle may pull in. The runtime (src/index.ts → index.js) bundles everything it imports
 * except the vendored mqtt.js, which stays vendor/mqtt.js; it also carries src/ui.ts, the internal
 * entry of the components, under the symbol RUNTIME_UI_KEY (not an export: Object.keys and the
 * declarations do not see it). A component (components/<name>/index.ts → <name>/index.js) shares
 * that one runtime — one copy, so one client registry and one copy of each helper — through
 * '../../src/index' (required as '../index') and '../../src/ui' (required as '../index' and read
 * at RUNTIME_UI_KEY). It may still bundle pure helpers from src/core; anything else under src/
 * would be a second copy of stateful code.
 */
export type BundleKind = 'runtime' | 'component';

/** Where the runtime keeps src/ui.ts's module: Symbol.for(RUNTIME_UI_KEY) on index.js's exports. */
export const RUNTIME_UI_KEY = 'miniprogram-mqtt/ui';

export type ImportDecision = { external: string } | { external: string; symbol: string } | { bundle: true } | { error: string };

const CORE = /^src\/core(\/|$)/;

/**
 * Decides one relative import, given project-relative posix paths without extension (as TypeScript
 * emitted them): the importing file and the module it resolves to. Type-only imports never get
 * here: TypeScript erases them before esbuild reads the code.
 */
export function decideImport(kind: BundleKind, importer: string, target: string, specifier: string): ImportDecision {
  if (target === 'src/vendor/mqtt' && kind === 'runtime') return { external: './vendor/mqtt' };
  if (kind === 'runtime' || !(target === 'src' || target.startsWith('src/'))) return { bundle: true };
  if (target === 'src' || target === 'src/index') return { external: '../index' };
  if (target === 'src/ui') return { external: '../index', symbol: RUNTIME_UI_KEY };
  if (CORE.test(target)) return { bundle: true };
  return {
    error:
      `${importer}.ts imports '${specifier}' (${target}) at runtime. A component may import only ` +
      `'../../src/index' (the shared runtime, required as '../index'), '../../src/ui' (the components' ` +
      `internal entry, inside that runtime) and '../../src/core/**' (pure helpers, bundled into the ` +
      `component). Export what it needs from src/ui.ts (or, if public, src/index.ts), ` +
      `or use \`import type\` if it only needs types.`,
  };
}

/**
 * The runtime's entry for the CommonJS bundle: src/index's exports, and src/ui's module at
 * Symbol.for(RUNTIME_UI_KEY) on them. An ES module, so esbuild still tree-shakes both; `module`
 * is the bundle's own CommonJS module, whose exports esbuild has set before this code runs.
 */
export function runtimeEntry(index: string, ui: string): string {
  return [
    `export * from ${JSON.stringify(index)};`,
    `import * as ui from ${JSON.stringify(ui)};`,
    `Object.defineProperty(module.exports, Symbol.for(${JSON.stringify(RUNTIME_UI_KEY)}), { value: ui });`,
    '',
  ].join('\n');
}

/** The names a module of the runtime exports (values only: TypeScript erased the types), from an ES module pass. */
async function exportedNames(file: string): Promise<string[]> {
  const result = await esbuild.build({ entryPoints: [file], bundle: true, format: 'esm', platform: 'neutral', metafile: true, write: false, logLevel: 'silent', external: ['*/vendor/mqtt'] });
  return Object.values(result.metafile.outputs)[0]?.exports ?? [];
}

/**
 * A component's view of a module of the shared runtime: one ES module whose exports are read from
 * `require(external)` (at `Symbol.for(symbol)` when given) once, when the component loads. Each read
 * is a pure call, so esbuild drops the names the component does not import, and the component's
 * code refers to plain local names (no CommonJS interop wrapper, no `(0, m.name)(…)` per call).
 */
export function runtimeView(external: string, symbol: string | undefined, names: readonly string[]): string {
  const runtime = `require(${JSON.stringify(external)})${symbol === undefined ? '' : `[Symbol.for(${JSON.stringify(symbol)})]`}`;
  return [`const runtime = ${runtime};`, 'const read = (name) => runtime[name];', ...names.map((name) => `export const ${name} = /* @__PURE__ */ read(${JSON.stringify(name)});`), ''].join('\n');
}

/** The esbuild side of decideImport, for code TypeScript compiled into `stage` (same layout as the project). */
export function bundleBoundary(stage: string, kind: BundleKind): esbuild.Plugin {
  const projectPath = (file: string) => path.relative(stage, file).split(path.sep).join('/').replace(/\.(js|d\.ts|ts)$/, '');
  const SHARED = 'shared-runtime';
  const names = new Map<string, Promise<string[]>>();
  const namesOf = (target: string): Promise<string[]> => {
    const file = path.join(stage, `${target === 'src' ? 'src/index' : target}.js`);
    if (!names.has(file)) names.set(file, exportedNames(file));
    return names.get(file)!;
  };
  return {
    name: `bundle-boundary-${kind}`,
    setup(build) {
      // a module of the shared runtime, `require('../index')` or read at a symbol on it
      build.onLoad({ filter: /.*/, namespace: SHARED }, async (args) => {
        const [external, symbol, target] = JSON.parse(args.path) as [string, string | null, string];
        return { contents: runtimeView(external, symbol ?? undefined, await namesOf(target)), loader: 'js' };
      });
      build.onResolve({ filter: /.*/, namespace: SHARED }, (args) => ({ path: args.path, external: true }));
      build.onResolve({ filter: /^\.\.?(\/|$)/ }, (args) => {
        const target = projectPath(path.resolve(args.resolveDir, args.path));
        const decision = decideImport(kind, projectPath(args.importer), target, args.path);
        if ('external' in decision && kind === 'component') return { path: JSON.stringify([decision.external, 'symbol' in decision ? decision.symbol : null, target]), namespace: SHARED };
        if ('external' in decision) return { path: decision.external, external: true };
        if ('error' in decision) return { errors: [{ text: decision.error }] };
        return undefined;
      });
    },
  };
}
