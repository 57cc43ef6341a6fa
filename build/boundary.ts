import type * as esbuild from 'esbuild';
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

/** The esbuild side of decideImport, for code TypeScript compiled into `stage` (same layout as the project). */
export function bundleBoundary(stage: string, kind: BundleKind): esbuild.Plugin {
  const projectPath = (file: string) => path.relative(stage, file).split(path.sep).join('/').replace(/\.(js|d\.ts|ts)$/, '');
  const SHARED = 'shared-runtime';
  return {
    name: `bundle-boundary-${kind}`,
    setup(build) {
      // a module of the shared runtime read at a symbol: `require('../index')[Symbol.for(key)]`
      build.onResolve({ filter: /.*/, namespace: SHARED }, (args) => ({ path: args.path, external: true }));
      build.onLoad({ filter: /.*/, namespace: SHARED }, (args) => {
        const [external, symbol] = JSON.parse(args.path) as [string, string];
        return { contents: `module.exports = require(${JSON.stringify(external)})[Symbol.for(${JSON.stringify(symbol)})];`, loader: 'js' };
      });
      build.onResolve({ filter: /^\.\.?(\/|$)/ }, (args) => {
        const decision = decideImport(kind, projectPath(args.importer), projectPath(path.resolve(args.resolveDir, args.path)), args.path);
        if ('symbol' in decision) return { path: JSON.stringify([decision.external, decision.symbol]), namespace: SHARED };
        if ('external' in decision) return { path: decision.external, external: true };
        if ('error' in decision) return { errors: [{ text: decision.error }] };
        return undefined;
      });
    },
  };
}
