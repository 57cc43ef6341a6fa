/** @jest-environment node */
/**
 * No module of src/ reaches itself through its imports (type-only imports count: a circle of
 * types is still a circle to read). A DFS over the relative imports of src/**\/*.ts.
 */
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.join(__dirname, '../../src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** `from '…'`, `import '…'`, `require('…')` and `import('…')` with a relative specifier. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]*)['"]/g;

function resolve(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts'), base].find((candidate) => candidate.endsWith('.ts') && fs.existsSync(candidate));
}

function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
    const targets = new Set<string>();
    for (const match of text.matchAll(SPECIFIER)) {
      const target = resolve(file, match[1]);
      if (target) targets.add(target);
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** Every circle found by a DFS, each as the files on it, first file repeated at the end. */
function circles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  [...graph.keys()].sort().forEach((file) => state.has(file) || visit(file));
  return found;
}

describe('imports of src/', () => {
  it('finds a circle when there is one (the check works)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(circles(graph)).toEqual([['a', 'b', 'c', 'a']]);
    expect(circles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });

  it('reads the relative imports of a file', () => {
    const graph = importGraph(sources(SRC));
    const packets = graph.get(path.join(SRC, 'core/packets.ts'));
    expect(packets).toContain(path.join(SRC, 'core/codec.ts'));
    expect(graph.size).toBeGreaterThan(20);
  });

  it('form no circle', () => {
    const graph = importGraph(sources(SRC));
    const shown = circles(graph).map((circle) => circle.map((file) => path.relative(SRC, file)).join(' → '));
    expect(shown).toEqual([]);
  });
});
