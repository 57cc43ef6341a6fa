/**
 * Connections shared by key: clients with the same connection key (host, port, path, clientId,
 * username) use one socket. The pool is the one count of a connection's users: acquire() at a
 * client's connect, release() at its end; the last release destroys the connection.
 */
import { assign } from '../core/errors';
import type { ConnectionConfig } from '../core/options';
import { Connection } from './connection';
import type { ConnectionEnv, ConnectionLimits } from './connection-types';
import { AppLife } from './life';
import { TcpBudget, tcpTransport, TcpWx } from './transport/tcp';
import type { TransportFactory } from './transport/transport';
import { containerTransport, SocketCounter, WxCloud } from './transport/websocket';
import type { PlatformWx } from './wx';

export interface PoolOptions {
  limits?: Partial<ConnectionLimits>;
  socketLimit?: number;
  /** The platform's global name (wx, tt, my …), for errors that name it; absent for a given wx (setPlatformWx). */
  platform?: string;
  random?: () => number;
  /** The byte pipe of every connection; by the config's `transport` when absent. */
  transport?: TransportFactory;
  /** TCPSocket budget other than WeChat's 20 in 5 minutes (tests). */
  tcpBudget?: { limit: number; windowMs: number };
}

export class Pool {
  readonly counter: SocketCounter;
  /** WeChat's TCPSocket budget, one per mini-program: 20 created in any 5 minutes. */
  readonly tcpBudget: TcpBudget;
  private readonly shared = new Map<string, { connection: Connection; users: number }>();
  private readonly life: AppLife;

  constructor(
    readonly wx: PlatformWx,
    private readonly options: PoolOptions = {},
  ) {
    this.counter = new SocketCounter(options.socketLimit, options.platform);
    this.tcpBudget = new TcpBudget(options.tcpBudget?.limit, options.tcpBudget?.windowMs);
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
      const { random, limits } = this.options;
      const tcp = config.transport === 'tcp';
      const transport = this.options.transport ?? this.transportFor(config);
      const connection = new Connection(config, assign({ wx: this.wx, counter: this.counter, random, limits, transport, socketBudget: tcp ? this.tcpBudget : undefined }, hooks));
      entry = { connection, users: 0 };
      this.shared.set(config.key, entry);
      this.life.watch(this.shared.size);
    }
    entry.users++;
    return entry.connection;
  }

  /** The byte pipe a config asks for; undefined: the WebSocket through `wx.connectSocket`. */
  private transportFor(config: ConnectionConfig): TransportFactory | undefined {
    if (config.transport === 'tcp') return tcpTransport(this.wx as TcpWx, config.host, config.port, this.tcpBudget);
    if (config.container) return containerTransport((this.wx as { cloud?: WxCloud }).cloud ?? {}, config.container, this.counter);
    return undefined;
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
