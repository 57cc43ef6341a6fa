/**
 * @jest-environment node
 *
 * scripts/ensure-system-deps.mjs runs before jest in `npm test`, `npm run bench` and `npm run
 * preview`. Run here as a child process with a PATH we build: an empty directory stands for a
 * machine without mosquitto, chromium or apt-get; stub executables stand for installed ones.
 */
import { spawnSync, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SCRIPT = path.resolve(__dirname, '..', 'scripts', 'ensure-system-deps.mjs');
const isRoot = process.getuid?.() === 0;
const rootOnly = isRoot ? it : it.skip;

const MOSQUITTO_INSTALL = 'apt-get install -y mosquitto mosquitto-clients';
const PREVIEW_INSTALL = 'apt-get install -y chromium fonts-wqy-microhei';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'system-deps-'));
  fs.chmodSync(tmp, 0o777);
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A directory for PATH; `programs` become executables in it (shell scripts with `body`). */
function bin(programs: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'bin-'));
  fs.chmodSync(dir, 0o777);
  for (const [name, body] of Object.entries(programs)) stub(dir, name, body);
  return dir;
}
function stub(dir: string, name: string, body = ''): void {
  fs.writeFileSync(path.join(dir, name), `#!/bin/sh\nPATH=/usr/bin:/bin\n${body}\n`, { mode: 0o755 });
}

const FC_LIST = `echo 'WenQuanYi Micro Hei,文泉驿微米黑'`;
/** Everything the three sets look for, as stubs. */
const INSTALLED = { mosquitto: '', mosquitto_pub: '', mosquitto_sub: '', chromium: '', 'fc-list': FC_LIST };

/**
 * An apt-get that logs each call ("$DEBIAN_FRONTEND $*") and, on install, puts the packages'
 * programs into its own directory; `fail` makes `apt-get update` fail as without a network.
 */
function fakeApt(dir: string, log: string, fail = false): void {
  const make = (name: string, body = '') => `printf '#!/bin/sh\\n${body}\\n' > '${dir}/${name}'; chmod 755 '${dir}/${name}'`;
  stub(
    dir,
    'apt-get',
    [
      `echo "$DEBIAN_FRONTEND $*" >> '${log}'`,
      fail ? `echo "E: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease  Could not resolve 'deb.debian.org'" >&2; exit 100` : '',
      '[ "$1" = install ] || exit 0',
      'for p in "$@"; do case "$p" in',
      `  mosquitto) ${make('mosquitto')} ;;`,
      `  mosquitto-clients) ${make('mosquitto_pub')}; ${make('mosquitto_sub')} ;;`,
      `  chromium) ${make('chromium')} ;;`,
      `  fonts-wqy-microhei) ${make('fc-list', "echo 'WenQuanYi Micro Hei'")} ;;`,
      'esac; done',
    ].join('\n'),
  );
}

/** The check with only this PATH (no /usr/sbin fallback: that is where Debian's mosquitto is). */
function run(set: string, pathDir: string, options: SpawnSyncOptions = {}) {
  // Another user (nobody) may not be able to read the checkout (a clone in a 0700 mktemp dir): it runs a copy in tmp.
  const script = options.uid === undefined ? SCRIPT : path.join(tmp, path.basename(SCRIPT));
  if (script !== SCRIPT) fs.copyFileSync(SCRIPT, script);
  return spawnSync(process.execPath, [script, set], {
    cwd: tmp,
    encoding: 'utf8',
    env: { PATH: pathDir, SYSTEM_DEPS_SBIN_DIRS: '' },
    ...options,
  }) as { status: number | null; stdout: string; stderr: string };
}
const lines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : []);
const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at |Error:|node:internal/m);

describe('cannot install (no apt-get on PATH): stops at once with the command to run', () => {
  it.each([
    ['test', 'npm test', MOSQUITTO_INSTALL, ['mosquitto', 'mosquitto_pub', 'mosquitto_sub']],
    ['bench', 'npm run bench', MOSQUITTO_INSTALL, ['mosquitto', 'mosquitto_pub', 'mosquitto_sub']],
    ['preview', 'npm run preview', PREVIEW_INSTALL, ['chromium', 'CJK font']],
  ])('%s', (set, command, install, names) => {
    const result = run(set, bin());
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const sudo = isRoot ? '' : 'sudo ';
    expect(result.stderr).toContain(`\n  ${sudo}apt-get update && ${sudo}${install}\n`);
    expect(result.stderr).toContain(`${command} needs`);
    expect(result.stderr).toContain('apt-get was not found');
    for (const name of names) expect(result.stderr).toContain(name);
    noStackTrace(result.stderr);
  });

  it('names only what is missing', () => {
    const result = run('test', bin({ mosquitto: '', mosquitto_sub: '' }));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^npm test needs mosquitto_pub \(/);
    expect(result.stderr).toContain(MOSQUITTO_INSTALL);
  });

  it('a CHROMIUM_PATH that is not a program is named, not installed over', () => {
    const dir = bin(Object.fromEntries(Object.entries(INSTALLED).filter(([name]) => name !== 'chromium')));
    fakeApt(dir, path.join(tmp, 'apt.log'));
    const result = run('preview', dir, { env: { PATH: dir, SYSTEM_DEPS_SBIN_DIRS: '', CHROMIUM_PATH: path.join(tmp, 'nowhere') } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`CHROMIUM_PATH=${path.join(tmp, 'nowhere')} is not an executable file`);
    expect(lines(path.join(tmp, 'apt.log'))).toEqual([]);
    noStackTrace(result.stderr);
  });
});

describe('everything present', () => {
  it.each(['test', 'bench', 'preview'])('%s: exits 0, prints nothing, never calls apt-get', (set) => {
    const dir = bin(INSTALLED);
    const log = path.join(tmp, 'apt.log');
    fakeApt(dir, log);
    const result = run(set, dir);
    expect(result).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(lines(log)).toEqual([]);
  });
});

describe('as root with apt-get: installs what is missing', () => {
  rootOnly('npm test: apt-get update, then install -y mosquitto mosquitto-clients, non-interactive; once', () => {
    const dir = bin();
    const log = path.join(tmp, 'apt.log');
    fakeApt(dir, log);
    const first = run('test', dir);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('npm test needs mosquitto, mosquitto_pub, mosquitto_sub (the tests run a real mosquitto broker');
    expect(first.stdout).toContain(`Installing Debian packages mosquitto, mosquitto-clients (first run only`);
    expect(first.stdout).toMatch(/Installed mosquitto, mosquitto-clients in \d+ s\./);
    expect(lines(log)).toEqual([
      expect.stringMatching(/^noninteractive update\b/),
      expect.stringMatching(/^noninteractive install -y .*mosquitto mosquitto-clients$/),
    ]);

    const second = run('test', dir);
    expect(second).toMatchObject({ status: 0, stdout: '' });
    expect(lines(log)).toHaveLength(2);
  });

  rootOnly('npm run preview: chromium and fonts-wqy-microhei, with the reason', () => {
    const dir = bin({ mosquitto: '', mosquitto_pub: '', mosquitto_sub: '' });
    const log = path.join(tmp, 'apt.log');
    fakeApt(dir, log);
    const result = run('preview', dir);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('chromium (headless Chromium draws the demo pages');
    expect(result.stdout).toContain('(the pages show Chinese text)');
    expect(lines(log)[1]).toMatch(/^noninteractive install -y .*chromium fonts-wqy-microhei$/);
  });

  rootOnly('apt-get failing (no network): one message with apt’s error and the command, exit 1', () => {
    const dir = bin();
    const log = path.join(tmp, 'apt.log');
    fakeApt(dir, log, true);
    const result = run('test', dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('apt-get update failed (exit 100)');
    expect(result.stderr).toContain("Could not resolve 'deb.debian.org'");
    expect(result.stderr).toContain(`\n  apt-get update && ${MOSQUITTO_INSTALL}\n`);
    expect(lines(log)).toHaveLength(1);
    noStackTrace(result.stderr);
  });

  rootOnly('not root (run as nobody): never calls apt-get, names the sudo command', () => {
    const dir = bin();
    const log = path.join(tmp, 'apt.log');
    fakeApt(dir, log);
    const result = run('test', dir, { uid: 65534, gid: 65534 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('this is not root');
    expect(result.stderr).toContain(`\n  sudo apt-get update && sudo ${MOSQUITTO_INSTALL}\n`);
    expect(lines(log)).toEqual([]);
    noStackTrace(result.stderr);
  });
});
