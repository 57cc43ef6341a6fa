/** The connection state machine: every transition is checked and observable. */

export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'closed';

const ALLOWED: Record<ConnectionStatus, readonly ConnectionStatus[]> = {
  idle: ['connecting', 'closed'],
  connecting: ['connected', 'reconnecting', 'offline', 'closed'],
  connected: ['reconnecting', 'offline', 'closed'],
  reconnecting: ['connected', 'offline', 'closed'],
  offline: ['connecting', 'reconnecting', 'closed'],
  closed: ['connecting'],
};

export interface StatusChange {
  status: ConnectionStatus;
  previous: ConnectionStatus;
  reason?: string;
}

const canTransition = (from: ConnectionStatus, to: ConnectionStatus): boolean => ALLOWED[from].includes(to);

export class StateMachine {
  private current: ConnectionStatus = 'idle';
  private readonly listeners = new Set<(change: StatusChange) => void>();

  get status(): ConnectionStatus {
    return this.current;
  }

  /** Moves to `to`; a transition the table does not allow is a bug and throws. Same state: no-op. */
  transition(to: ConnectionStatus, reason?: string): boolean {
    if (to === this.current) return false;
    if (!canTransition(this.current, to)) throw new Error(`illegal transition ${this.current} → ${to}`);
    const change: StatusChange = { status: to, previous: this.current };
    if (reason !== undefined) change.reason = reason;
    this.current = to;
    this.listeners.forEach((listener) => listener(change));
    return true;
  }

  onChange(listener: (change: StatusChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
