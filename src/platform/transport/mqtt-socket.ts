/**
 * What mqtt.js sees of a transport: the `wx.connectSocket` and SocketTask its `wx` stream calls.
 * It fixes what mqtt.js 4.0.1 gets wrong on that path: the owner hears of every close (mqtt.js's
 * own close/error handlers act on a module variable that may already hold the next socket, so
 * they are never called), inbound bytes pass an InboundFilter (packets its parser cannot read,
 * CONNACK and DISCONNECT seen first), and outbound writes go out one frame per MQTT packet (mqtt.js
 * writes a PUBLISH in about a dozen pieces; MQTT 5 repeated user property names expanded).
 */
import { encodeUtf8, exactArrayBuffer } from '../../core/codec';
import type { ErrorInfo } from '../../core/errors';
import { concat, InboundEvent, InboundFilter, PacketSplitter, ProtocolViolation } from '../../core/packets';
import { expandJoinedPairs } from '../../core/user-properties';
import type { VendorSocketTask, VendorWx } from '../../vendor/mqtt';
import type { Transport, TransportFactory } from './transport';

interface SocketEvents {
  onError(error: ErrorInfo): void;
  /** Called exactly once per socket, whatever ended it. */
  onClose(res: { code: number; reason: string }): void;
  /** CONNACK or DISCONNECT arrived; called before mqtt.js reads it. */
  onPacket(event: InboundEvent): void;
  /** The server sent what MQTT forbids; the socket is closed right after. */
  onViolation(violation: ProtocolViolation): void;
}

/** What the inbound filter needs to know of the connection. */
interface InboundProtocol {
  protocolVersion: 4 | 5;
  topicAliasMaximum?: number;
}

type Listener<T> = (res: T) => void;

class VendorTask implements VendorSocketTask {
  transport?: Transport;
  private readonly openListeners: Listener<unknown>[] = [];
  private readonly messageListeners: Listener<{ data: ArrayBuffer }>[] = [];
  private readonly outbound = new PacketSplitter();
  private readonly filter: InboundFilter;

  constructor(
    private readonly events: SocketEvents,
    private readonly protocol: InboundProtocol,
    private readonly owner: { readonly vendorMayClose: boolean },
  ) {
    this.filter = new InboundFilter(protocol.protocolVersion, protocol.topicAliasMaximum);
  }

  get ended(): boolean {
    return this.transport?.ended ?? true;
  }

  opened(): void {
    this.openListeners.forEach((l) => l({}));
  }

  received(chunk: Uint8Array): void {
    let bytes: Uint8Array;
    try {
      const filtered = this.filter.push(chunk);
      filtered.events.forEach((event) => this.events.onPacket(event));
      bytes = filtered.bytes;
    } catch (error) {
      if (!(error instanceof ProtocolViolation)) throw error;
      this.events.onViolation(error);
      this.transport?.close(1002, error.message);
      return;
    }
    if (this.ended || bytes.length === 0) return;
    const data = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : exactArrayBuffer(bytes);
    this.messageListeners.forEach((l) => l({ data }));
  }

  onOpen(l: Listener<unknown>): void {
    this.openListeners.push(l);
  }
  onMessage(l: Listener<{ data: ArrayBuffer }>): void {
    this.messageListeners.push(l);
  }
  onClose(): void {}
  onError(): void {}

  send(options: { data: string | ArrayBuffer; success?: () => void; fail?: (res: unknown) => void }): void {
    const transport = this.transport;
    if (!transport || transport.ended) {
      options.fail?.({ errMsg: 'sendSocketMessage:fail socket closed' });
      return;
    }
    const frame = this.frame(options.data);
    if (frame === undefined) {
      options.success?.(); // part of a packet: mqtt.js writes the rest next
      return;
    }
    transport.send(frame, (error) => (error ? options.fail?.({ errMsg: error.errMsg ?? error.code }) : options.success?.()));
  }

  /** The whole packets this write completes, as one frame. */
  private frame(data: string | ArrayBuffer): ArrayBuffer | undefined {
    const chunk = typeof data === 'string' ? encodeUtf8(data) : new Uint8Array(data);
    let packets = this.outbound.push(chunk);
    if (packets.length === 0) return undefined;
    if (this.protocol.protocolVersion === 5) packets = packets.map(expandJoinedPairs);
    const frame = packets.length === 1 ? packets[0] : concat(packets);
    return frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength ? (frame.buffer as ArrayBuffer) : exactArrayBuffer(frame);
  }

  /**
   * mqtt.js closes "its" socket when its stream ends — through a module variable that may by then
   * hold the next socket. So it is obeyed only while the owner is ending the connection.
   */
  close(options: { code?: number; reason?: string; success?: () => void } = {}): void {
    if (this.owner.vendorMayClose) this.transport?.close(options.code ?? 1000, options.reason ?? '');
    setTimeout(() => options.success?.(), 0);
  }
}

/** The socket side of one connection: hands mqtt.js a `wx` whose sockets are transports reporting to `events`. */
export class MqttSocket {
  private current?: VendorTask;
  /** Set by the owner while it ends the connection: mqtt.js may then close the socket itself. */
  vendorMayClose = false;

  constructor(
    private readonly open: TransportFactory,
    private readonly events: SocketEvents,
    private readonly protocol: InboundProtocol,
    /** Where each socket goes, when not the url mqtt.js was built with (a server list). */
    private readonly target?: () => string,
  ) {}

  /** The `wx` the vendored mqtt.js copy sees. */
  readonly vendorWx: VendorWx = {
    connectSocket: (options) => this.connect(options.url),
  };

  get isOpen(): boolean {
    return this.current !== undefined && !this.current.ended;
  }

  private connect(url: string): VendorSocketTask {
    this.current?.transport?.close(1000, 'replaced');
    const task = new VendorTask(this.events, this.protocol, this);
    this.current = task;
    task.transport = this.open(this.target?.() ?? url, {
      open: () => task.opened(),
      data: (bytes) => task.received(bytes),
      error: (error) => this.events.onError(error),
      close: (res) => this.events.onClose(res),
    });
    return task;
  }

  /** Closes the current socket now; its close is reported as usual. */
  close(code = 1000, reason = ''): void {
    this.current?.transport?.close(code, reason);
  }

  /**
   * Sends DISCONNECT (normal, so the broker does not publish the Will) behind whatever mqtt.js
   * wrote, then closes: for a socket replaced on purpose while mqtt.js keeps its session.
   */
  disconnectAndClose(reason: string): void {
    const transport = this.current?.transport;
    this.sendPacket(Uint8Array.of(0xe0, 0x00), () => transport?.close(1000, reason));
  }

  /** Sends a packet mqtt.js knows nothing of (AUTH, DISCONNECT) behind whatever it wrote; `done` when written. */
  sendPacket(packet: Uint8Array, done: () => void = () => undefined): void {
    const transport = this.current?.transport;
    if (!transport || transport.ended) return;
    transport.send(exactArrayBuffer(packet), done);
  }
}
