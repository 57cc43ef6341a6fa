import * as fs from 'fs';
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

/** Every folder under components/ that has an index.ts: each is one build entry. */
export function componentNames(root: string): string[] {
  const dir = path.join(root, 'components');
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, 'index.ts')))
    .map((entry) => entry.name)
    .sort();
}

/** Drops comments and layout whitespace from WXSS (and shortens its colours and fractions), comments and indentation from WXML, layout from JSON; other files pass unchanged. */
export function compactAsset(file: string, contents: Buffer): Buffer {
  if (file.endsWith('.json')) {
    try {
      return Buffer.from(JSON.stringify(JSON.parse(contents.toString('utf8'))));
    } catch {
      return contents; // not ours to judge: DevTools reports it
    }
  }
  if (!/\.(wxss|wxml)$/.test(file)) return contents;
  const text = contents.toString('utf8');
  return Buffer.from(file.endsWith('.wxss') ? compactWxss(text) : compactWxml(text));
}

function compactWxss(text: string): string {
  const flat = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, ' ').replace(/\s*([{};:,])\s*/g, '$1').replace(/;}/g, '}').trim();
  // inside declaration values only (a run after ':' that ends at ';' or '}', never at a selector's '{'):
  // #aabbcc → #abc, 0.5 → .5
  return flat.replace(/:[^;{}]*(?=[;}])/g, (value) =>
    value.replace(/#([0-9a-fA-F])\1([0-9a-fA-F])\2([0-9a-fA-F])\3(?![0-9a-zA-Z_-])/g, '#$1$2$3').replace(/(^|[\s,:(+*/-])0\.(\d)/g, '$1.$2'),
  );
}

function compactWxml(text: string): string {
  return text
    .replace(/<!--[\s\S]*?-->/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('\n');
}

/** Files under dir, as posix paths relative to it ([] when dir does not exist). */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const walk = (sub: string): string[] =>
    fs.readdirSync(path.join(dir, sub), { withFileTypes: true }).flatMap((entry) => {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      return entry.isDirectory() ? walk(rel) : [rel];
    });
  return walk('');
}

/** Removes dir's empty folders (not dir itself). */
function removeEmptyFolders(dir: string, sub = ''): void {
  for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const rel = path.join(sub, entry.name);
    removeEmptyFolders(dir, rel);
    if (fs.readdirSync(path.join(dir, rel)).length === 0) fs.rmdirSync(path.join(dir, rel));
  }
}

/**
 * Makes `to` hold exactly the files of `from`: writes only the files whose bytes differ and removes
 * only the files that are gone from `from`. DevTools watching `to` sees just what changed.
 */
export function syncFolder(from: string, to: string): { written: string[]; removed: string[] } {
  const source = filesUnder(from);
  const wanted = new Set(source);
  const written: string[] = [];
  for (const rel of source) {
    const bytes = fs.readFileSync(path.join(from, rel));
    const target = path.join(to, rel);
    if (fs.existsSync(target) && fs.readFileSync(target).equals(bytes)) continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, bytes);
    written.push(rel);
  }
  const removed = filesUnder(to).filter((rel) => !wanted.has(rel));
  for (const rel of removed) fs.rmSync(path.join(to, rel));
  if (fs.existsSync(to)) removeEmptyFolders(to);
  return { written, removed };
}
