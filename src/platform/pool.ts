/**
 * Connections shared by key: clients with the same connection key (host, port, path, clientId,
 * username) use one socket. The pool is the one count of a connection's users: acquire() at a
 * client's connect, release() at its end; the last release destroys the connection.
 */
import type { ConnectionConfig } from '../core/options';
import { Connection } from './connection';
import type { ConnectionEnv, ConnectionLimits } from './connection-types';
import { AppLife } from './life';
import type { TransportFactory } from './transport/transport';
import { SocketCounter } from './transport/websocket';
import type { PlatformWx } from './wx';

export interface PoolOptions {
  limits?: Partial<ConnectionLimits>;
  socketLimit?: number;
  random?: () => number;
  /** The byte pipe of every connection; a WebSocket through `wx.connectSocket` when absent. */
  transport?: TransportFactory;
}

export class Pool {
  readonly counter: SocketCounter;
  private readonly shared = new Map<string, { connection: Connection; users: number }>();
  private readonly life: AppLife;

  constructor(
    readonly wx: PlatformWx,
    private readonly options: PoolOptions = {},
  ) {
    this.counter = new SocketCounter(options.socketLimit);
    this.life = new AppLife(wx, {
      pause: (reason) => this.shared.forEach((s) => s.connection.pause(reason)),
      resume: (reason) => this.shared.forEach((s) => s.connection.resume(reason)),
    });
  }

  /** Connections alive now (for diagnostics and tests). */
  get size(): number {
    return this.shared.size;
  }

  /** The connection for `config.key`, made with `hooks` (the step before each CONNECT, enhanced authentication) if it is new. */
  acquire(config: ConnectionConfig, hooks: Pick<ConnectionEnv, 'beforeConnect' | 'onAuth'> = {}): Connection {
    let entry = this.shared.get(config.key);
    if (!entry) {
      const { random, limits, transport } = this.options;
      const connection = new Connection(config, { wx: this.wx, counter: this.counter, random, limits, transport, ...hooks });
      entry = { connection, users: 0 };
      this.shared.set(config.key, entry);
      this.life.watch(this.shared.size);
    }
    entry.users++;
    return entry.connection;
  }

  /** Whether more than one user holds `connection`. */
  isShared(connection: Connection): boolean {
    const entry = this.shared.get(connection.config.key);
    return entry !== undefined && entry.connection === connection && entry.users > 1;
  }

  /** One user fewer; the last one destroys the connection (DISCONNECT, socket closed). */
  release(connection: Connection): Promise<void> {
    const key = connection.config.key;
    const entry = this.shared.get(key);
    if (!entry || entry.connection !== connection || --entry.users > 0) return Promise.resolve();
    this.shared.delete(key);
    this.life.watch(this.shared.size);
    return connection.destroy();
  }
}
