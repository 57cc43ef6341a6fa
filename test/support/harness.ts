import { createClient, MqttClient } from '../../src/client/client';
import { ConnectionConfig, ConnectionInput, resolveOptions } from '../../src/core/options';
import type { ClientOptions } from '../../src/types';
import type { Broker } from './brokers';

/** A validated config pointing at a test broker's WebSocket listener (ws://, i.e. secure false). */
export function configFor(broker: Pick<Broker, 'host' | 'wsPort' | 'path'>, overrides: ConnectionInput = {}): ConnectionConfig {
  const result = resolveOptions({ host: broker.host, port: broker.wsPort, path: broker.path, secure: false, reconnectPeriod: 200, ...overrides });
  if (!result.ok) throw new Error(`bad test config: ${JSON.stringify(result.error)}`);
  return result.config;
}

/**
 * A client (createClient) pointing at a test broker's WebSocket listener (ws://, reconnectPeriod
 * 200 ms unless overridden). It connects through the pool of the last setPlatformWx().
 */
export function clientFor(broker: Pick<Broker, 'host' | 'wsPort' | 'path'>, overrides: Partial<ClientOptions> = {}): MqttClient {
  return createClient({ host: broker.host, port: broker.wsPort, path: broker.path, secure: false, reconnectPeriod: 200, ...overrides });
}

export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

export const bytesOf = (value: string): Uint8Array => Uint8Array.from(Buffer.from(value, 'utf8'));

/** Settles a promise to {ok, value | error} so tests can assert rejections as data. */
export async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: { code: string } & Record<string, unknown> }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error: error as { code: string } };
  }
}
