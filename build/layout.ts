import * as path from 'path';

/**
 * Where each source file lands in miniprogram_dist, as a consumer sees it after 构建 npm:
 * components/<name>/index.* → <name>/index.*, src/<dir>/… → <dir>/….
 */
export function distPathOf(sourceRelative: string): string {
  const parts = sourceRelative.split(/[\\/]/);
  if (parts[0] === 'components' || parts[0] === 'src') return parts.slice(1).join('/');
  throw new Error(`no dist location for ${sourceRelative}`);
}

const SPECIFIER = /(\brequire\(\s*|\bfrom\s+|\bimport\(\s*)(['"])(\.{1,2}\/[^'"]+)\2/g;

/** Rewrites relative module specifiers so that they resolve from the file's dist location. */
export function relocateRequires(code: string, sourceRelative: string): string {
  const fromDir = path.posix.dirname(distPathOf(sourceRelative));
  const sourceDir = path.posix.dirname(sourceRelative.split(path.sep).join('/'));
  return code.replace(SPECIFIER, (_match, head: string, quote: string, spec: string) => {
    const target = distPathOf(path.posix.join(sourceDir, spec));
    let relative = path.posix.relative(fromDir, target);
    if (!relative.startsWith('.')) relative = `./${relative}`;
    return `${head}${quote}${relative}${quote}`;
  });
}
