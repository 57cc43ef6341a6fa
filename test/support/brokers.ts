import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import { sysConnectedClients } from './peer';

export interface Broker {
  readonly name: 'aedes' | 'mosquitto';
  readonly host: string;
  readonly tcpPort: number;
  readonly wsPort: number;
  readonly path: string;
  /** How many clients the broker has connected now, test peers included (the asking one excluded). */
  clientCount(): Promise<number>;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const ROOT = path.resolve(__dirname, '..', '..');

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function waitForPort(port: number, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, HOST, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export interface AedesOptions {
  /** Require this username:password. */
  auth?: string;
  /** Refuse subscriptions (SUBACK 0x80) to topics starting with this. */
  deny?: string;
}

export interface AedesBroker extends Broker {
  /** Closes a client's connection from the broker side. */
  kick(clientId: string): Promise<void>;
}

export async function startAedes(options: AedesOptions = {}): Promise<AedesBroker> {
  const extra = [...(options.auth ? ['--auth', options.auth] : []), ...(options.deny ? ['--deny', options.deny] : [])];
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'aedes-broker.mjs'), '--tcp', '0', '--ws', '0', '--quiet', ...extra], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout! });
  const waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  lines.on('line', (line) => waiting.shift()?.resolve(line));
  child.once('exit', () => waiting.splice(0).forEach((w) => w.reject(new Error('aedes exited'))));
  const nextLine = (): Promise<string> => new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  const ready = JSON.parse(await nextLine()) as { tcpPort: number; wsPort: number };
  return {
    name: 'aedes',
    host: HOST,
    tcpPort: ready.tcpPort,
    wsPort: ready.wsPort,
    path: '/mqtt',
    async clientCount() {
      const answer = nextLine();
      child.stdin!.write('clients\n');
      return (JSON.parse(await answer) as { clients: number }).clients;
    },
    async kick(clientId: string) {
      const answer = nextLine();
      child.stdin!.write(`kick ${clientId}\n`);
      await answer;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}

export function hasMosquitto(): boolean {
  return spawnSync('sh', ['-c', 'command -v mosquitto || test -x /usr/sbin/mosquitto']).status === 0;
}

const MOSQUITTO = fs.existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto';

export interface MosquittoOptions {
  /** Keep sessions on disk, so that a restart on the same ports restores them. */
  persistence?: boolean;
  tcpPort?: number;
  wsPort?: number;
  dir?: string;
  /** More general options, e.g. 'max_inflight_messages 2', 'max_packet_size 256'. */
  config?: string[];
  /** Users and passwords (mosquitto_passwd): anonymous clients are then refused. */
  users?: Record<string, string>;
}

export interface MosquittoBroker extends Broker {
  readonly dir: string;
  /** The broker's notices so far (connections, refusals: `New client connected … u'user'`, `… not authorised.`). */
  log(): string;
  /** Starts a new mosquitto on the same ports and directory. */
  restart(): Promise<MosquittoBroker>;
}

/**
 * Debian's mosquitto on loopback only (socket_domain ipv4 keeps the websockets listener there). Free
 * ports are picked here; if one was taken meanwhile (another jest worker), it starts again on new ones.
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoBroker> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startMosquittoOnce(options);
    } catch (error) {
      const pickedPorts = options.tcpPort === undefined && options.wsPort === undefined;
      if (!pickedPorts || attempt >= 3 || !/Address already in use/i.test(String(error))) throw error;
    }
  }
}

async function startMosquittoOnce(options: MosquittoOptions): Promise<MosquittoBroker> {
  const tcpPort = options.tcpPort ?? (await freePort());
  let wsPort = options.wsPort ?? (await freePort());
  while (wsPort === tcpPort) wsPort = await freePort();
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mqtt-mosquitto-'));
  fs.chmodSync(dir, 0o777);
  const conf = path.join(dir, 'mosquitto.conf');
  const logFile = path.join(dir, 'mosquitto.log');
  const passwords = path.join(dir, 'passwords');
  if (options.users) {
    fs.writeFileSync(passwords, '');
    for (const [user, password] of Object.entries(options.users)) {
      const made = spawnSync('mosquitto_passwd', ['-b', passwords, user, password], { encoding: 'utf8' });
      if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr}`);
    }
    fs.chmodSync(passwords, 0o644);
  }
  fs.writeFileSync(
    conf,
    [
      ...(options.users ? ['allow_anonymous false', `password_file ${passwords}`] : ['allow_anonymous true']),
      `log_dest file ${logFile}`,
      'log_type error',
      'log_type notice',
      `persistence ${options.persistence ? 'true' : 'false'}`,
      `persistence_location ${dir}/`,
      'autosave_interval 1',
      'sys_interval 1',
      ...(options.config ?? []),
      `listener ${tcpPort} ${HOST}`,
      'socket_domain ipv4',
      `listener ${wsPort} ${HOST}`,
      'socket_domain ipv4',
      'protocol websockets',
      '',
    ].join('\n'),
  );
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'inherit', 'inherit'] });
  const failed = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`mosquitto exited with ${code}: ${fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' / ') : 'no log'}`))),
  );
  await Promise.race([Promise.all([waitForPort(tcpPort), waitForPort(wsPort)]), failed]);
  failed.catch(() => undefined);
  const broker: MosquittoBroker = {
    name: 'mosquitto',
    host: HOST,
    tcpPort,
    wsPort,
    path: '/mqtt',
    dir,
    log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
    clientCount() {
      return sysConnectedClients(tcpPort);
    },
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
    async restart() {
      await broker.stop();
      return startMosquitto({ ...options, tcpPort, wsPort, dir });
    },
  };
  return broker;
}

/** Debian's mosquitto_pub against a test broker's TCP listener (the independent peer of the steps). */
export function mosquittoPub(broker: Pick<Broker, 'tcpPort'>, topic: string, message: string, args: string[] = []): void {
  const run = spawnSync('mosquitto_pub', ['-h', HOST, '-p', String(broker.tcpPort), '-t', topic, '-m', message, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`mosquitto_pub failed: ${run.stderr || run.error}`);
}

export type BrokerName = 'aedes' | 'mosquitto';

export function startBroker(name: BrokerName): Promise<Broker> {
  return name === 'aedes' ? startAedes() : startMosquitto();
}
