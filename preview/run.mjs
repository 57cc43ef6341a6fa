// The last step of `npm run preview`: jest on preview/*.preview.ts. `--update` (npm run preview -- --update)
// rewrites the baselines in preview/baselines/ from this run's drawings (PREVIEW_UPDATE=1); any other
// argument goes to jest (e.g. -t panel-error).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const update = args.includes('--update');
const jestArgs = args.filter((a) => a !== '--update');
const run = spawnSync(process.execPath, [path.join(root, 'node_modules/jest/bin/jest.js'), '--config', 'preview/jest.config.js', '--runInBand', ...jestArgs], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PREVIEW_UPDATE: update ? '1' : '' },
});
process.exitCode = run.status ?? 1;
