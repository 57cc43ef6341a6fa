/**
 * The reconnect policy seam: when the connection tries again, and with what. The connection asks
 * it after every close and before every CONNECT; it never opens a socket itself.
 * - back-off: reconnectPeriod × 2^attempts, capped, ±25 % jitter; reset by a CONNACK, an app show
 *   or the network coming back;
 * - gives up on what retrying cannot fix (a server that moved us or took our clientId, another
 *   client that keeps taking the clientId over: short sessions in a row);
 * - credentials refused: with a `beforeConnect` step (it can fetch new ones) one immediate try
 *   more, then stop; without one, stop at once. Never a back-off loop on bad credentials;
 * - `beforeConnect`, when set, is the async step before each CONNECT that may change the
 *   credentials (or, later, the server) that CONNECT uses.
 */
import type { ErrorCode, ErrorInfo } from '../core/errors';

export interface ReconnectLimits {
  /** Longest wait between reconnect attempts. */
  reconnectCapMs: number;
  /**
   * A session shorter than this that ends counts as a strike towards CLIENT_ID_CONFLICT. Undefined:
   * 1.5 × reconnectPeriod + 1 s, since a twin with the same clientId takes over about one
   * reconnect period after it was kicked.
   */
  conflictWindowMs?: number;
  /** Consecutive short sessions that mean another client keeps taking over the clientId. */
  conflictStrikes: number;
}

/** Why a CONNECT is about to go out: the user's connect(), a reconnect, credentials just refused, or about to expire. */
export type ConnectReason = 'connect' | 'reconnect' | 'rejected' | 'expiring';

/** What one CONNECT uses instead of the configured values. */
export interface ConnectPlan {
  username?: string;
  password?: string;
  /** When (ms since the epoch) to fetch new credentials and reconnect with them, while connected. */
  renewAt?: number;
}

export type BeforeConnect = (context: { reason: ConnectReason; attempt: number }) => ConnectPlan | Promise<ConnectPlan>;

/** Server DISCONNECTs after which reconnecting to the same server cannot help. */
const FINAL_DISCONNECTS: ErrorCode[] = ['CLIENT_ID_CONFLICT', 'SERVER_MOVED'];

/** CONNACK codes worth retrying: server unavailable / busy / quota exceeded. */
const RETRYABLE_RETURN_CODES = [3, 0x88, 0x89, 0x97];

export class ReconnectPolicy {
  private attempts = 0;
  private shortSessions = 0;
  private connectedAt = 0;
  /** CONNECTs asked for so far (the first is 1). */
  private connects = 0;
  /** The immediate try after a refusal was made; reset by a CONNACK or the user's connect(). */
  private retriedRefusal = false;

  constructor(
    private readonly reconnectPeriod: number,
    private readonly limits: ReconnectLimits,
    private readonly random: () => number = Math.random,
    private readonly beforeConnect?: BeforeConnect,
  ) {}

  /** A user's connect() from idle, closed or offline: back-off and strikes start over. */
  start(): void {
    this.attempts = 0;
    this.shortSessions = 0;
    this.retriedRefusal = false;
  }

  /** The app came back to the foreground or the network came back: try now, back-off from scratch. */
  resumed(): void {
    this.attempts = 0;
  }

  connected(now = Date.now()): void {
    this.attempts = 0;
    this.connectedAt = now;
    this.retriedRefusal = false;
  }

  /** The broker refused the credentials: 'retry' (at once, with new ones) once per refusal when a step can fetch them, else 'stop'. */
  refused(): 'retry' | 'stop' {
    if (!this.beforeConnect || this.retriedRefusal) return 'stop';
    this.retriedRefusal = true;
    return 'retry';
  }

  /** A connected session ended: 'conflict' once `conflictStrikes` sessions in a row were short. */
  sessionEnded(now = Date.now()): 'retry' | 'conflict' {
    const window = this.limits.conflictWindowMs ?? 1.5 * this.reconnectPeriod + 1000;
    this.shortSessions = now - this.connectedAt < window ? this.shortSessions + 1 : 0;
    return this.shortSessions >= this.limits.conflictStrikes ? 'conflict' : 'retry';
  }

  /** A server DISCONNECT after which trying the same server again cannot help. */
  isFinal(error: ErrorInfo): boolean {
    return FINAL_DISCONNECTS.includes(error.code);
  }

  /** Whether a failure before CONNACK is worth another try. */
  retryable(error: ErrorInfo): boolean {
    if (this.reconnectPeriod === 0) return false;
    if (error.code === 'CONNECT_REFUSED') return RETRYABLE_RETURN_CODES.includes(error.returnCode ?? -1);
    // FRAME_UNREADABLE: a platform's odd frame may be a one-off; a platform that never gives readable ones is retried with back-off
    return ['SOCKET_ERROR', 'CONNECT_TIMEOUT', 'CREDENTIALS_FAILED', 'FRAME_UNREADABLE'].includes(error.code);
  }

  /** Milliseconds until the next try, or undefined when reconnecting is off. */
  nextDelay(): number | undefined {
    if (this.reconnectPeriod === 0) return undefined;
    const base = Math.min(this.limits.reconnectCapMs, this.reconnectPeriod * 2 ** Math.min(this.attempts, 16));
    this.attempts++;
    return Math.round(base * (0.75 + 0.5 * this.random()));
  }

  /** What the next CONNECT uses: undefined (the configured values, at once) or what `beforeConnect` gives. */
  plan(reason: ConnectReason): ConnectPlan | Promise<ConnectPlan> | undefined {
    this.connects++;
    return this.beforeConnect?.({ reason, attempt: this.connects });
  }
}
