/**
 * The bench's child processes: esbuild tasks (bench/esbuild-tasks.ts, which cannot run inside jest's
 * jsdom) and the cold-start samples (bench/cold-child.ts, bundled to plain JS once).
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { EntrySize } from './esbuild-tasks';

const ROOT = path.resolve(__dirname, '..');

/** Runs one bench/esbuild-tasks.ts task (under ts-node, in its own process) and parses its JSON. */
function esbuildTask<T>(...args: string[]): T {
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register', path.join(ROOT, 'bench', 'esbuild-tasks.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120000 });
  if (run.status !== 0) throw new Error(`esbuild-tasks ${args.join(' ')}: exit ${run.status}\n${run.stderr}${run.error ? String(run.error) : ''}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as T;
}

/** The dist's entries bundled as the build does, with esbuild's bytes per input file. */
export const entrySizes = (): EntrySize[] => esbuildTask<EntrySize[]>('sizes');

export interface ColdSample {
  /** In the child: just before require() → CONNACK. */
  ms: number;
  /** In the child: just before require() → the first wx.connectSocket call. */
  socketMs: number;
  /** In the parent: spawn → exit of the child process (Node's own start-up included). */
  wallMs: number;
}

export interface ColdStart {
  sample(kind: 'ours' | 'raw', modulePath: string, wsPort: number, wsPath: string): Promise<ColdSample>;
  dispose(): void;
}

/** Bundles bench/cold-child.ts (with NodeWx) into a temporary JS file, once; samples run that file. */
export function coldStart(): ColdStart {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cold-'));
  const child = path.join(dir, 'cold-child.js');
  esbuildTask('cold-child', child);
  // the bundle lives outside the project: `ws` is found through NODE_PATH
  const env = { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') };
  return {
    sample: (kind, modulePath, wsPort, wsPath) =>
      new Promise((resolve, reject) => {
        const started = performance.now();
        const proc = spawn(process.execPath, [child, kind, modulePath, String(wsPort), wsPath], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
        proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
        const timer = setTimeout(() => proc.kill('SIGKILL'), 20000);
        proc.on('error', reject);
        proc.on('close', (code) => {
          clearTimeout(timer);
          const wallMs = performance.now() - started;
          if (code !== 0) return reject(new Error(`cold start (${kind}): exit ${code}\n${err}`));
          const { ms, socketMs } = JSON.parse(out.trim()) as { ms: number; socketMs: number };
          resolve({ ms, socketMs, wallMs });
        });
      }),
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
