/**
 * MQTT 5 request/response (§4.10): request() publishes with a Response Topic and a unique
 * Correlation Data and waits for the answer on one response topic per client; respond() answers
 * each request to its Response Topic with its Correlation Data.
 */
import { encodeUtf8 } from '../core/codec';
import { assign, CodedError, ErrorInfo, errorText } from '../core/errors';
import { isObject, isQos, QoS } from '../core/options';
import type { MessageEventDetail, RequestHandler, RequestOptions, RespondOptions } from '../types';
import type { MqttScope } from './scope';

const DEFAULT_REQUEST_TIMEOUT_MS = 10000;
const MAX_TIMEOUT_MS = 0x7fffffff;

/** What requests need of their client. */
export interface RequestHost {
  /** A new scope of the client, released when the client ends. */
  scope(): MqttScope;
  /** The connection's clientId, protocol version and the broker's Response Information. */
  session(): { clientId: string; protocolVersion: 4 | 5; responseInformation?: string };
  /** Reports an error to the client's `error` listeners. */
  report(info: ErrorInfo): void;
}

interface Pending {
  resolve: (detail: MessageEventDetail) => void;
  reject: (error: CodedError) => void;
  timer: ReturnType<typeof setTimeout>;
}

function randomToken(): string {
  return Math.random().toString(36).slice(2, 10);
}

export class Requests {
  private replies?: { scope: MqttScope; topic: string; ready: Promise<unknown> };
  private readonly pending = new Map<string, Pending>();
  private seq = 0;

  constructor(private readonly host: RequestHost) {}

  /** The scope that holds the response topic: its messages are not the user's. */
  isReplyScope(scope: MqttScope): boolean {
    return this.replies?.scope === scope;
  }

  async request(topic: string, payload: unknown, options: unknown): Promise<MessageEventDetail> {
    const session = this.host.session();
    if (session.protocolVersion !== 5) throw new CodedError({ code: 'MQTT5_REQUIRED', field: 'request()' });
    if (options !== undefined && !isObject(options)) throw new CodedError({ code: 'INVALID_OPTION', field: 'options', reason: `${typeof options}; expected {timeout, qos, properties}` });
    const { timeout = DEFAULT_REQUEST_TIMEOUT_MS, qos = 1, properties = {} } = (options ?? {}) as RequestOptions;
    if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMEOUT_MS) {
      throw new CodedError({ code: 'INVALID_OPTION', field: 'timeout', reason: `${String(timeout)}; expected milliseconds, 1–${MAX_TIMEOUT_MS}` });
    }
    if (!isQos(qos)) throw new CodedError({ code: 'INVALID_QOS', field: 'qos', reason: String(qos) });
    if (!isObject(properties)) throw new CodedError({ code: 'INVALID_OPTION', field: 'properties', reason: `${typeof properties}; expected an object` });
    for (const set of ['responseTopic', 'correlationData']) {
      if (properties[set as keyof typeof properties] !== undefined) throw new CodedError({ code: 'INVALID_OPTION', field: `properties.${set}`, reason: 'request() sets it' });
    }
    const replies = this.listen(session);
    await replies.ready;
    const correlation = `${session.clientId}:${++this.seq}:${randomToken()}`;
    const response = new Promise<MessageEventDetail>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(correlation)?.reject(new CodedError({ code: 'REQUEST_TIMEOUT', topic, limit: timeout })), timeout);
      this.pending.set(correlation, { resolve, reject, timer });
    });
    try {
      await replies.scope.publish(topic, payload, { qos, properties: assign({}, properties, { responseTopic: replies.topic, correlationData: encodeUtf8(correlation) }) });
    } catch (error) {
      this.settle(correlation);
      throw error;
    }
    return response;
  }

  /** Subscribes `filter` and answers every request that arrives on it; resolves with the function that stops. */
  async respond(filter: string, handler: unknown, options: unknown): Promise<() => Promise<void>> {
    if (this.host.session().protocolVersion !== 5) throw new CodedError({ code: 'MQTT5_REQUIRED', field: 'respond()' });
    if (typeof handler !== 'function') throw new CodedError({ code: 'INVALID_OPTION', field: 'handler', reason: `${typeof handler}; expected a function` });
    if (options !== undefined && !isObject(options)) throw new CodedError({ code: 'INVALID_OPTION', field: 'options', reason: `${typeof options}; expected {qos}` });
    const qos = ((options ?? {}) as RespondOptions).qos ?? 1;
    if (!isQos(qos)) throw new CodedError({ code: 'INVALID_QOS', field: 'qos', reason: String(qos) });
    const scope = this.host.scope();
    try {
      await scope.subscribe(filter, { qos });
    } catch (error) {
      await scope.release();
      throw error;
    }
    scope.on('message', (request) => void this.answer(scope, request, handler as RequestHandler, qos));
    return () => scope.release();
  }

  /** The client ends: every waiting request fails, and the response topic's scope goes (the next connection subscribes a new one). */
  close(info: ErrorInfo): void {
    const error = info instanceof CodedError ? info : new CodedError(info);
    [...this.pending.keys()].forEach((key) => this.settle(key)?.reject(error));
    const replies = this.replies;
    this.replies = undefined;
    void replies?.scope.release();
  }

  private async answer(scope: MqttScope, request: MessageEventDetail, handler: RequestHandler, qos: QoS): Promise<void> {
    const responseTopic = request.properties?.responseTopic;
    if (responseTopic === undefined) return; // a plain message, not a request
    let payload: unknown;
    try {
      payload = await handler(request);
    } catch (error) {
      this.host.report({ code: 'HANDLER_ERROR', topic: request.topic, reason: errorText(error) });
      return;
    }
    if (payload === undefined) return;
    const correlationData = request.properties?.correlationData;
    await scope.publish(responseTopic, payload, { qos, properties: correlationData ? { correlationData } : {} }).catch((error: ErrorInfo) => this.host.report(error));
  }

  private listen(session: { clientId: string; responseInformation?: string }): { scope: MqttScope; topic: string; ready: Promise<unknown> } {
    if (this.replies) return this.replies;
    const scope = this.host.scope();
    const prefix = session.responseInformation ? session.responseInformation.replace(/\/+$/, '') : `miniprogram-mqtt/response/${session.clientId}`;
    const topic = `${prefix}/${randomToken()}`;
    scope.on('message', (detail) => {
      const key = detail.properties?.correlationText;
      if (key !== undefined) this.settle(key)?.resolve(detail);
    });
    const ready = scope.subscribe(topic, { qos: 2 });
    const replies = { scope, topic, ready };
    this.replies = replies;
    ready.catch(() => {
      if (this.replies === replies) this.replies = undefined;
      void scope.release();
    });
    return replies;
  }

  private settle(key: string): Pending | undefined {
    const entry = this.pending.get(key);
    if (!entry) return undefined;
    this.pending.delete(key);
    clearTimeout(entry.timer);
    return entry;
  }
}
