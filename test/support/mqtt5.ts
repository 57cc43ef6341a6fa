/**
 * MQTT 5 peers for tests that run in the same process as the client under test: Debian's
 * mosquitto_pub / mosquitto_sub / mosquitto_rr started with async spawn (spawnSync would block the
 * event loop the client needs to answer them), and a plain mqtt.js TCP client at protocol 5 that
 * keeps every message's properties.
 */
import { ChildProcess, spawn } from 'child_process';
import * as mqtt from 'mqtt';

const HOST = '127.0.0.1';

export interface ToolRun {
  child: ChildProcess;
  /** Resolves when stdout first contains the `readyWhen` text (at once when none was given). */
  ready: Promise<void>;
  /** The exit status (null when killed by a signal) and everything the tool wrote. */
  exit: Promise<{ code: number | null; stdout: Buffer; stderr: string }>;
}

const running = new Set<ChildProcess>();

/** Starts a command-line peer; its stdout is kept as bytes (payloads and correlation data may be binary). */
export function runTool(command: string, args: string[], readyWhen?: string): ToolRun {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const out: Buffer[] = [];
  let err = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  if (readyWhen === undefined) markReady();
  child.stdout!.on('data', (chunk: Buffer) => {
    out.push(chunk);
    if (readyWhen !== undefined && Buffer.concat(out).includes(readyWhen)) markReady();
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exit = new Promise<{ code: number | null; stdout: Buffer; stderr: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      running.delete(child);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
  });
  // a tool that exits before it is ready fails the wait instead of hanging it
  const readyOrExit = Promise.race([
    ready,
    exit.then(({ code, stderr }) => {
      throw new Error(`${command} exited (${code}) before it was ready: ${stderr}`);
    }),
  ]);
  readyOrExit.catch(() => undefined);
  return { child, ready: readyOrExit, exit };
}

/** Kills the tools this module started that are still running (by their own handles). */
export function killTools(): void {
  running.forEach((child) => child.kill('SIGTERM'));
  running.clear();
}

const BEGIN = '<<<';
const END = '>>>';

/**
 * mosquitto_sub -V mqttv5 for `count` messages on `topic`, printing each one as
 * topic|payload|user properties|content type|response topic|correlation data|expiry|payload format|qos|retain.
 * `ready` resolves after its SUBACK (seen in its -d output).
 */
export function mosquittoSub(port: number, topic: string, count: number, extra: string[] = []): { ready: Promise<void>; messages: Promise<SubLine[]>; run: ToolRun } {
  const format = `${BEGIN}%t|%p|%P|%C|%R|%D|%E|%F|%q|%r${END}`;
  // stdbuf: -d's lines are plain printf, block-buffered on a pipe until exit without it
  const args = ['-oL', 'mosquitto_sub', '-h', HOST, '-p', String(port), '-V', 'mqttv5', '-t', topic, '-C', String(count), '-W', '10', '-d', '-F', format, ...extra];
  const run = runTool('stdbuf', args, 'received SUBACK');
  const messages = run.exit.then(({ code, stdout, stderr }) => {
    if (code !== 0) throw new Error(`mosquitto_sub exited ${code}: ${stderr}`);
    return parseSubOutput(stdout);
  });
  return { ready: run.ready, messages, run };
}

/** One message as mosquitto_sub printed it; correlation data and payload stay bytes. */
export interface SubLine {
  topic: string;
  payload: Buffer;
  userProperties: string;
  contentType: string;
  responseTopic: string;
  correlationData: Buffer;
  messageExpiryInterval: string;
  payloadFormatIndicator: string;
  qos: string;
  retain: string;
}

function parseSubOutput(stdout: Buffer): SubLine[] {
  const lines: SubLine[] = [];
  let at = 0;
  for (;;) {
    const start = stdout.indexOf(BEGIN, at);
    if (start < 0) break;
    const end = stdout.indexOf(END, start + BEGIN.length);
    if (end < 0) break;
    const fields: Buffer[] = [];
    let from = start + BEGIN.length;
    for (;;) {
      const bar = stdout.indexOf('|', from);
      if (bar < 0 || bar > end) break;
      fields.push(stdout.subarray(from, bar));
      from = bar + 1;
    }
    fields.push(stdout.subarray(from, end));
    if (fields.length !== 10) throw new Error(`cannot split mosquitto_sub output into 10 fields: ${JSON.stringify(stdout.subarray(start, end + END.length).toString('latin1'))}`);
    const s = (b: Buffer): string => b.toString('utf8');
    lines.push({
      topic: s(fields[0]),
      payload: Buffer.from(fields[1]),
      userProperties: s(fields[2]),
      contentType: s(fields[3]),
      responseTopic: s(fields[4]),
      correlationData: Buffer.from(fields[5]),
      messageExpiryInterval: s(fields[6]),
      payloadFormatIndicator: s(fields[7]),
      qos: s(fields[8]),
      retain: s(fields[9]),
    });
    at = end + END.length;
  }
  return lines;
}

/** mosquitto_pub -V mqttv5; resolves when it exited 0. */
export async function mosquittoPub5(port: number, topic: string, message: string, extra: string[] = []): Promise<void> {
  const { code, stderr } = await runTool('mosquitto_pub', ['-h', HOST, '-p', String(port), '-V', 'mqttv5', '-t', topic, '-m', message, ...extra]).exit;
  if (code !== 0) throw new Error(`mosquitto_pub exited ${code}: ${stderr}`);
}

/** `-D publish <name> <value>` arguments for mosquitto_pub. */
export function publishProperty(name: string, ...values: string[]): string[] {
  return ['-D', 'publish', name, ...values];
}

/** mqtt.js 4.0.1 takes MQTT 5 properties on publish but its typings leave them out. */
export type V5PublishOptions = mqtt.IClientPublishOptions & { properties?: Record<string, unknown> };

export interface V5Message {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  properties: Record<string, unknown>;
}

/** A plain mqtt.js client at MQTT 5 over TCP: the other party, not the code under test. */
export interface V5Peer {
  client: mqtt.MqttClient;
  received: V5Message[];
  /** Calls `listener` with every message from now on (after it is in `received`). */
  onMessage(listener: (message: V5Message) => void): void;
  subscribe(filter: string, options?: mqtt.IClientSubscribeOptions): Promise<void>;
  publish(topic: string, payload: string | Buffer, options?: V5PublishOptions): Promise<void>;
  end(): Promise<void>;
}

export async function connectV5Peer(port: number, options: mqtt.IClientOptions = {}): Promise<V5Peer> {
  const client = mqtt.connect({ host: HOST, port, protocol: 'mqtt', protocolVersion: 5, reconnectPeriod: 0, ...options });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  const received: V5Message[] = [];
  const listeners: ((message: V5Message) => void)[] = [];
  client.on('message', (topic, payload, packet: mqtt.IPublishPacket) => {
    const message = { topic, payload, qos: packet.qos, retain: packet.retain, properties: { ...((packet as { properties?: Record<string, unknown> }).properties ?? {}) } };
    received.push(message);
    listeners.forEach((listener) => listener(message));
  });
  return {
    client,
    received,
    onMessage: (listener) => void listeners.push(listener),
    subscribe: (filter, opts = { qos: 1 }) =>
      new Promise((resolve, reject) =>
        client.subscribe(filter, opts, (err, granted) => (err ? reject(err) : granted[0].qos >= 0x80 ? reject(new Error(`SUBACK 0x${granted[0].qos.toString(16)}`)) : resolve())),
      ),
    publish: (topic, payload, opts = {}) =>
      new Promise((resolve, reject) => client.publish(topic, payload, opts as mqtt.IClientPublishOptions, (err) => (err ? reject(err) : resolve()))),
    end: () => new Promise((resolve) => client.end(true, {}, () => resolve())),
  };
}
