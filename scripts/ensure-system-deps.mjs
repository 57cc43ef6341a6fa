// Runs before jest (pretest, prebench, prepreview): checks that the system programs a script needs
// are installed. When some are missing and we are root with apt-get (Debian/Ubuntu), installs them;
// otherwise stops at once with the command to run, instead of a spawn error deep inside a test.
// Usage: node scripts/ensure-system-deps.mjs test|bench|preview
// Plain ESM with no dependencies: it runs before npm's TypeScript tooling and on a fresh machine.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Programs are looked up on PATH, then in these directories: Debian installs mosquitto in
 * /usr/sbin, which is not on a non-root user's PATH (the tests start /usr/sbin/mosquitto directly).
 * SYSTEM_DEPS_SBIN_DIRS replaces the list (colon-separated; empty: PATH only).
 */
const sbinDirs = () => (process.env.SYSTEM_DEPS_SBIN_DIRS ?? '/usr/sbin').split(path.delimiter).filter(Boolean);

/** The full path of an executable file called `name` on PATH or in the sbin directories. */
export function findProgram(name) {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...sbinDirs()];
  for (const dir of dirs) {
    const file = path.join(dir, name);
    if (isExecutable(file)) return file;
  }
  return undefined;
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The Chromium preview/draw.mjs launches: CHROMIUM_PATH when set, else `chromium` on PATH (Debian: /usr/bin/chromium). */
export function chromiumPath() {
  const chosen = process.env.CHROMIUM_PATH;
  if (chosen) return isExecutable(chosen) ? chosen : undefined;
  return findProgram('chromium');
}

/** Font families preview/to-html.ts asks for; chromium needs one of them for the pages' Chinese text. */
const CJK_FAMILIES = /wenquanyi|noto sans cjk/i;

function hasCjkFont() {
  const fcList = findProgram('fc-list');
  if (!fcList) return false;
  const listed = spawnSync(fcList, [':', 'family'], { encoding: 'utf8', maxBuffer: 16 << 20 });
  return listed.status === 0 && CJK_FAMILIES.test(listed.stdout);
}

/**
 * What each script needs: `missing()` names what is absent, `packages` are the Debian packages that
 * provide it, `seconds` about how long their first install took on a 2-core machine (README).
 */
const MOSQUITTO = {
  why: 'the tests run a real mosquitto broker and its command-line clients',
  packages: ['mosquitto', 'mosquitto-clients'],
  seconds: 10,
  missing: () => ['mosquitto', 'mosquitto_pub', 'mosquitto_sub'].filter((name) => !findProgram(name)),
};
const CHROMIUM = {
  why: 'headless Chromium draws the demo pages into docs/',
  packages: ['chromium'],
  seconds: 60,
  missing: () => {
    if (chromiumPath()) return [];
    if (process.env.CHROMIUM_PATH) throw new Fatal(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} is not an executable file. Point it at a Chromium, or unset it to use Debian's chromium.`);
    return ['chromium'];
  },
};
const CJK_FONT = {
  why: 'the pages show Chinese text',
  packages: ['fonts-wqy-microhei'],
  seconds: 0,
  missing: () => (hasCjkFont() ? [] : ['a CJK font, WenQuanYi Micro Hei or Noto Sans CJK']),
};

const SETS = {
  test: { command: 'npm test', needs: [MOSQUITTO] },
  bench: { command: 'npm run bench', needs: [MOSQUITTO] },
  preview: { command: 'npm run preview', needs: [CHROMIUM, CJK_FONT] },
};

/** Expected failures: printed as one message, no stack trace. */
class Fatal extends Error {}

function check(needs) {
  const absent = needs.map((need) => ({ need, names: need.missing() })).filter((x) => x.names.length > 0);
  return {
    names: absent.flatMap((x) => x.names),
    packages: absent.flatMap((x) => x.need.packages),
    seconds: absent.reduce((sum, x) => sum + x.need.seconds, 0),
    /** "mosquitto_pub (the tests run …) and …" */
    described: absent.map((x) => `${x.names.join(', ')} (${x.need.why})`).join(' and '),
  };
}

const aptCommand = (packages, sudo) => {
  const s = sudo ? 'sudo ' : '';
  return `${s}apt-get update && ${s}apt-get install -y ${packages.join(' ')}`;
};

/** The last lines apt printed, for the failure message. */
const tail = (result) =>
  `${result.stderr ?? ''}\n${result.stdout ?? ''}`
    .split('\n')
    .filter((line) => line.trim())
    .slice(-6)
    .map((line) => `    ${line}`)
    .join('\n');

function runApt(apt, args) {
  return spawnSync(apt, args, {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

export function ensure(setName) {
  const set = SETS[setName];
  if (!set) throw new Fatal(`Usage: node scripts/ensure-system-deps.mjs ${Object.keys(SETS).join('|')}`);
  const found = check(set.needs);
  if (found.names.length === 0) return;

  const lead = `${set.command} needs ${found.described}: not found on this machine.`;
  const root = process.getuid?.() === 0;
  const apt = findProgram('apt-get');
  if (!root || !apt) {
    const reason = !apt ? "apt-get was not found (this step installs with Debian's apt-get only)" : 'this is not root';
    throw new Fatal(`${lead}\nCannot install ${found.packages.join(', ')} here: ${reason}. Run this, then ${set.command} again:\n\n  ${aptCommand(found.packages, !root)}\n`);
  }

  const started = Date.now();
  console.log(`${lead}\nInstalling Debian packages ${found.packages.join(', ')} (first run only; about ${found.seconds} s on a 2-core machine): ${aptCommand(found.packages, false)}`);
  const steps = [
    ['update', '-qq', '-o', 'DPkg::Lock::Timeout=120'],
    ['install', '-y', '-qq', '-o', 'DPkg::Lock::Timeout=120', ...found.packages],
  ];
  for (const args of steps) {
    const result = runApt(apt, args);
    if (result.status !== 0) {
      const how = result.error ? result.error.message : `exit ${result.status ?? result.signal}`;
      throw new Fatal(`${lead}\napt-get ${args[0]} failed (${how}):\n${tail(result)}\nFix that, then run this and ${set.command} again:\n\n  ${aptCommand(found.packages, false)}\n`);
    }
  }
  const still = check(set.needs);
  if (still.names.length > 0) {
    throw new Fatal(`apt-get installed ${found.packages.join(', ')}, but ${still.names.join(', ')} still cannot be found on PATH${sbinDirs().length ? ` or in ${sbinDirs().join(', ')}` : ''}.`);
  }
  console.log(`Installed ${found.packages.join(', ')} in ${Math.round((Date.now() - started) / 1000)} s.`);
}

const invoked = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invoked) {
  try {
    ensure(process.argv[2]);
  } catch (error) {
    if (!(error instanceof Fatal)) throw error;
    console.error(error.message);
    process.exitCode = 1;
  }
}
