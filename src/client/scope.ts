/**
 * A scope: subscriptions and listeners made through it, released together. A page's scope hears
 * the messages of its own filters and its client's status, connect, error and warning events.
 */
import { Emitter } from '../core/emitter';
import type { QoS } from '../core/options';
import type { ConnectionStatus } from '../core/state';
import type {
  ClientEventMap,
  PublishEventDetail,
  PublishOptions,
  SubscribeEventDetail,
  SubscribeOptions,
  UnsubscribeEventDetail,
} from '../types';

/** What a scope needs of its client. */
export interface ScopeHost {
  subscribeFor(scope: MqttScope, filter: unknown, options: unknown): Promise<SubscribeEventDetail>;
  unsubscribeFor(scope: MqttScope, filter: unknown): Promise<UnsubscribeEventDetail>;
  publishFor(scope: MqttScope, topic: unknown, payload: unknown, options: unknown): Promise<PublishEventDetail>;
  subscriptionsOf(scope: MqttScope): { topic: string; qos: QoS }[];
  readonly status: ConnectionStatus;
  releaseScope(scope: MqttScope): Promise<void>;
  listen<K extends keyof ClientEventMap>(emitter: Emitter<ClientEventMap>, event: K, listener: unknown): () => void;
}

export class MqttScope {
  /** @internal */
  readonly events = new Emitter<ClientEventMap>();
  private released = false;

  /** @internal */
  constructor(private readonly host: ScopeHost) {}

  /** Filters subscribed through this scope that the broker confirmed. */
  get subscriptions(): { topic: string; qos: QoS }[] {
    return this.host.subscriptionsOf(this);
  }

  /** The client's connection status. */
  get status(): ConnectionStatus {
    return this.host.status;
  }

  get isReleased(): boolean {
    return this.released;
  }

  subscribe(filter: string, options?: SubscribeOptions | QoS): Promise<SubscribeEventDetail> {
    return this.host.subscribeFor(this, filter, options);
  }

  unsubscribe(filter: string): Promise<UnsubscribeEventDetail> {
    return this.host.unsubscribeFor(this, filter);
  }

  publish(topic: string, payload: unknown, options?: PublishOptions): Promise<PublishEventDetail> {
    return this.host.publishFor(this, topic, payload, options);
  }

  /** Listens to one event; returns the function that stops listening. */
  on<K extends keyof ClientEventMap>(event: K, listener: (detail: ClientEventMap[K]) => void): () => void {
    return this.host.listen(this.events, event, listener);
  }

  /** Removes every listener, and every subscription only this scope held (the broker hears UNSUBSCRIBE). */
  release(): Promise<void> {
    if (this.released) return Promise.resolve();
    this.released = true;
    this.events.clear();
    return this.host.releaseScope(this);
  }
}
