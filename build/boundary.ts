import type * as esbuild from 'esbuild';
import * as path from 'path';

/**
 * What one bundle may pull in. The runtime (src/index.ts → index.js) bundles everything it imports
 * except the vendored mqtt.js, which stays vendor/mqtt.js. A component (components/<name>/index.ts
 * → <name>/index.js) shares that one runtime — one copy, so one client registry — and may bundle
 * only pure helpers from src/core; anything else under src/ would be a second copy of stateful code.
 */
export type BundleKind = 'runtime' | 'component';

export type ImportDecision = { external: string } | { bundle: true } | { error: string };

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
  if (CORE.test(target)) return { bundle: true };
  return {
    error:
      `${importer}.ts imports '${specifier}' (${target}) at runtime. A component may import only ` +
      `'../../src/index' (the shared runtime, required as '../index') and '../../src/core/**' ` +
      `(pure helpers, bundled into the component). Export what it needs from src/index.ts, ` +
      `or use \`import type\` if it only needs types.`,
  };
}

/** The esbuild side of decideImport, for code TypeScript compiled into `stage` (same layout as the project). */
export function bundleBoundary(stage: string, kind: BundleKind): esbuild.Plugin {
  const projectPath = (file: string) => path.relative(stage, file).split(path.sep).join('/').replace(/\.(js|d\.ts|ts)$/, '');
  return {
    name: `bundle-boundary-${kind}`,
    setup(build) {
      build.onResolve({ filter: /^\.\.?(\/|$)/ }, (args) => {
        const decision = decideImport(kind, projectPath(args.importer), projectPath(path.resolve(args.resolveDir, args.path)), args.path);
        if ('external' in decision) return { path: decision.external, external: true };
        if ('error' in decision) return { errors: [{ text: decision.error }] };
        return undefined;
      });
    },
  };
}
