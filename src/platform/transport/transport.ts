/**
 * The transport seam: a byte pipe to a broker. It opens, sends whole MQTT packets, hands up what
 * arrives, and ends exactly once with a reason. Nothing above it knows which one runs: today a
 * WebSocket over any platform adapter (websocket.ts); TCP and cloud containers plug in here too.
 */
import type { ErrorInfo } from '../../core/errors';

export interface TransportEvents {
  open(): void;
  /** Bytes as they arrived (one frame, not necessarily one packet). */
  data(bytes: Uint8Array): void;
  /** A failure worth naming; the close that follows ends the transport. */
  error(error: ErrorInfo): void;
  /** Called exactly once per transport, whatever ended it. */
  close(res: { code: number; reason: string }): void;
}

export interface Transport {
  readonly ended: boolean;
  /** Sends one frame; `done` hears of a failure (the transport then ends) or of success. */
  send(frame: ArrayBuffer, done: (error?: ErrorInfo) => void): void;
  /** Ends now, without waiting for the platform; the close is reported as usual. */
  close(code: number, reason: string): void;
}

/** Runs `fn` on a later macrotask: a transport reports failures found while opening asynchronously, as the platform would. */
export const later = (fn: () => void): void => void setTimeout(fn, 0);

/** Opens a transport to `url` (the WebSocket URL mqtt.js built; other transports may use their own target). */
export type TransportFactory = (url: string, events: TransportEvents) => Transport;
