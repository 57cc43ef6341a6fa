/**
 * Pieces the platform doubles share: listener sets, app hide/show and network switches, and bytes
 * in this realm (a mini-program runs in one JS realm, so a double hands out ArrayBuffers made
 * here, not the Node-realm buffers `ws` produces; under jsdom those fail `instanceof ArrayBuffer`).
 */
import type { StorageArea } from '../storage';
import type { NodeSocketTask } from '../wx';

export type Listener<T> = (res: T) => void;

/** A set of listeners with WeChat-style add/remove (off without a listener removes all). */
export class Listeners<T> {
  private readonly set = new Set<Listener<T>>();

  add = (l: Listener<T>): void => void this.set.add(l);

  remove = (l?: Listener<T>): void => {
    if (l === undefined) this.set.clear();
    else this.set.delete(l);
  };

  emit(res: T): void {
    [...this.set].forEach((l) => l(res));
  }

  get size(): number {
    return this.set.size;
  }
}

/** Whether `value` is an ArrayBuffer of any realm. */
export const isArrayBufferAnyRealm = (value: unknown): value is ArrayBuffer => Object.prototype.toString.call(value) === '[object ArrayBuffer]';

/** A copy of `data` as an ArrayBuffer of this realm (the one the library runs in). */
export function localArrayBuffer(data: ArrayBuffer | Uint8Array): ArrayBuffer {
  const source = data instanceof Uint8Array ? data : new Uint8Array(data);
  const copy = new ArrayBuffer(source.byteLength);
  new Uint8Array(copy).set(source);
  return copy;
}

export const toBase64 = (data: ArrayBuffer): string => Buffer.from(new Uint8Array(data)).toString('base64');

export const fromBase64 = (text: string): ArrayBuffer => localArrayBuffer(Uint8Array.from(Buffer.from(text, 'base64')));

/**
 * A socket of a killed process: it vanishes (the broker sees the TCP connection end, no listener
 * hears it), and a send or close the dead runtime still tries later calls nothing back.
 */
export function silence(task: NodeSocketTask): void {
  task.vanish();
  task.send = () => undefined;
  task.close = () => undefined;
}

/** Compares dotted versions: <0, 0, >0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** What every double offers a test: drive app life and network, count sockets, clean up. */
export interface PlatformDouble {
  /** The API object handed to createClient({ platform }). */
  readonly api: object;
  /** Every connectSocket call made on the platform API, in order. */
  readonly requests: { url: string; protocols?: unknown }[];
  /** Sockets open or opening now. */
  openSockets(): number;
  /** The app goes to the background (the platform's own onAppHide, where it has one). */
  hideApp(): void;
  showApp(): void;
  /** Network lost (sockets cut) or back, reported through the platform's onNetworkStatusChange. */
  setNetwork(connected: boolean): void;
  /** The device's local storage behind the platform's storage calls (a relaunch revives it for the next double). */
  readonly storage: StorageArea;
  /**
   * The mini-program process is killed: sockets vanish without a close frame or any callback,
   * storage writes under way are lost, and nothing the old runtime calls afterwards opens a socket,
   * writes or calls back.
   */
  kill(): void;
  dispose(): void;
}
