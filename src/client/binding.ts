/**
 * ClientBinding: the client a UI holds. Either a client of its own, made from the UI's options
 * (reconnected when they change, ended when released), or the App's client named `name` (waited
 * for; only the binding's scope goes when released). It applies one main filter that follows a
 * property, and hands every event out once. Built on the public API of MqttClient and MqttScope only.
 */
import { assign, CodedError, type ErrorInfo, type Locale } from '../core/errors';
import { createClient, onClient, toMqttError } from '../index';
import { rejectingMqttErrors } from './error';
import type { MqttClient, MqttError, MqttScope } from '../index';
import type { ClientEventMap, ClientOptions, ConnectEventDetail, PublishEventDetail, PublishOptions, QoS, SubscribeEventDetail, UnsubscribeEventDetail } from '../types';

export type BindingEvents = ClientEventMap;

/** What a UI tells its binding. */
export interface BindingHost {
  /** The App's client to follow (createClient({ name })); '' for a client of its own. */
  readonly name: string;
  readonly locale: Locale;
  /** A named client is connected (joined) as soon as it exists when true, else only if it is connected already. */
  readonly autoConnect?: boolean;
  /** Where `message` and `publish` come from: the binding's own scope (default), or everything the client does. */
  readonly hears?: 'scope' | 'client';
  /** Its own client's options, read when the client is made and when they may have changed. */
  options?(): ClientOptions;
  /** The main filter (e.g. a `topic` property) and its QoS; subscribed at connect when `auto`. */
  main(): { filter: string; qos: QoS; auto: boolean };
  /** Every event, once; `error` also for a failure of something the binding did on its own. */
  emit<K extends keyof BindingEvents>(event: K, detail: BindingEvents[K]): void;
  /** A client was bound (made, named one created, or replaced after an options change). */
  bound?(client: MqttClient): void;
}

const STATUS_EVENTS = ['status', 'connect', 'error', 'warning', 'subscribe', 'unsubscribe'] as const;
const TRAFFIC_EVENTS = ['message', 'publish'] as const;

export class ClientBinding {
  private current?: MqttClient;
  private currentScope?: MqttScope;
  private offs: (() => void)[] = [];
  private stopWaiting?: () => void;
  private reconfigure?: ReturnType<typeof setTimeout>;
  private released = false;
  /** The main filter this binding subscribed (its intent); what is subscribed is the scope's. */
  private applied?: string;

  constructor(private readonly host: BindingHost) {
    if (!host.name) return;
    let waiting = true;
    this.stopWaiting = onClient(host.name, (client) => {
      waiting = false;
      if (this.released) return;
      this.bind(client);
      if (host.autoConnect || client.status === 'connected') this.connect().catch((error: MqttError) => this.fail(error));
    });
    if (waiting) void Promise.resolve().then(() => !this.released && !this.current && this.fail(this.problem({ code: 'NO_CLIENT', field: host.name })));
  }

  /** The named client it follows ('' for a client of its own). */
  get name(): string {
    return this.host.name;
  }

  get client(): MqttClient | undefined {
    return this.current;
  }

  /** True when the binding made its client (and ends it when released). */
  get own(): boolean {
    return !this.host.name;
  }

  /** The filters this binding's scope holds, as the client's subscription table says. */
  get subscriptions(): { topic: string; qos: QoS }[] {
    return this.currentScope?.subscriptions ?? [];
  }

  /** The main filter subscribed through this binding, if any. */
  get mainFilter(): string | undefined {
    return this.applied;
  }

  /** Runs a UI action: anything thrown or rejected becomes an MqttError in the binding's locale. */
  run<T>(body: () => Promise<T>): Promise<T> {
    return rejectingMqttErrors(body, () => this.host.locale);
  }

  /** Connects its own client (a new one when the options changed) or the named one; a join of an open connection reports `connect` too. */
  connect(): Promise<ConnectEventDetail> {
    return this.run(async () => {
      if (this.own && this.current && !this.current.accepts(this.ownOptions())) this.unbind();
      const client = this.ensure();
      const joined = client.status === 'connected';
      const detail = await client.connect();
      if (joined) this.host.emit('connect', detail);
      this.subscribeMain();
      return detail;
    });
  }

  /** Its own client ends; on the App's client only the binding's subscriptions go. */
  disconnect(): Promise<void> {
    return this.run(async () => {
      this.alive();
      this.applied = undefined;
      if (this.own) await this.current?.end();
      else if (this.current) this.bind(this.current);
    });
  }

  /** Subscribes through the binding's scope; `main` marks it as the main filter. */
  subscribe(filter: string, qos: QoS, main = false): Promise<SubscribeEventDetail> {
    return this.run(async () => {
      const scope = this.scope();
      if (main) this.applied = filter;
      try {
        return await scope.subscribe(filter, { qos });
      } catch (error) {
        if (main && this.applied === filter) this.applied = undefined;
        throw error;
      }
    });
  }

  unsubscribe(filter: string): Promise<UnsubscribeEventDetail> {
    return this.run(async () => {
      const detail = await this.scope().unsubscribe(filter);
      if (this.applied === filter) this.applied = undefined;
      return detail;
    });
  }

  /** Publishes through the binding's scope: the client validates everything (its own client exists before it connects). */
  publish(topic: string, payload: unknown, options: PublishOptions): Promise<PublishEventDetail> {
    return this.run(async () => this.scope().publish(topic, payload, options));
  }

  /** The main filter's property changed: while connected, the subscription moves to it. */
  mainChanged(): void {
    const next = this.host.main().filter;
    if (this.current?.status !== 'connected' || this.applied === next) return;
    const old = this.applied;
    const { qos } = this.host.main();
    (old !== undefined ? this.unsubscribe(old) : Promise.resolve())
      .then(() => (next ? this.subscribe(next, qos, true) : undefined))
      .catch((error: MqttError) => this.fail(error));
  }

  /** Options may have changed: once per tick, its own connected client reconnects when they differ. */
  optionsChanged(): void {
    if (!this.own || !this.current || this.reconfigure !== undefined) return;
    this.reconfigure = setTimeout(() => {
      this.reconfigure = undefined;
      const client = this.current;
      if (!client || this.released || client.status === 'idle' || client.status === 'closed' || client.accepts(this.ownOptions())) return;
      const filter = this.applied;
      this.unbind();
      this.connect()
        .then(() => (filter !== undefined && !this.host.main().auto ? this.subscribe(filter, this.host.main().qos, true) : undefined))
        .catch((error: MqttError) => this.fail(error));
    }, 0);
  }

  /** Reconnects its own client with what the UI holds now, even when connected with the same options. */
  renew(): Promise<ConnectEventDetail> {
    if (this.own && this.current?.status === 'connected') this.unbind();
    return this.connect();
  }

  /** Frees what the binding alone held: its own client ends; of a named one, only its scope goes. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.reconfigure !== undefined) clearTimeout(this.reconfigure);
    this.stopWaiting?.();
    this.unbind();
  }

  private bind(client: MqttClient): void {
    this.unbind();
    const scope = client.scope();
    this.current = client;
    this.currentScope = scope;
    const source = this.host.hears === 'client' ? client : scope;
    const forward = <K extends keyof BindingEvents>(event: K, from: MqttClient | MqttScope) =>
      from.on(event, (detail: BindingEvents[K]) => {
        if (event === 'connect') this.subscribeMain();
        this.host.emit(event, detail);
      });
    this.offs = [...STATUS_EVENTS.map((event) => forward(event, scope)), ...TRAFFIC_EVENTS.map((event) => forward(event, source))];
    this.host.bound?.(client);
  }

  private unbind(): void {
    const client = this.current;
    const scope = this.currentScope;
    this.offs.forEach((off) => off());
    this.offs = [];
    this.current = this.currentScope = undefined;
    this.applied = undefined;
    if (this.own) client?.end().catch(() => undefined);
    else scope?.release().catch(() => undefined);
  }

  /** Its own client, made now if need be; the named one, or NO_CLIENT. */
  private ensure(): MqttClient {
    this.alive();
    if (!this.current) {
      if (!this.own) throw this.problem({ code: 'NO_CLIENT', field: this.host.name });
      this.bind(createClient(this.ownOptions()));
    }
    return this.current!;
  }

  private scope(): MqttScope {
    if (this.own) this.ensure();
    this.alive();
    if (!this.currentScope) throw this.problem({ code: 'NOT_CONNECTED' });
    return this.currentScope;
  }

  private ownOptions(): ClientOptions {
    const options = assign({}, this.host.options?.()) as ClientOptions;
    // keep the random clientId of its own client across reconnects
    if (!options.clientId && this.current && this.own) options.clientId = this.current.clientId;
    return options;
  }

  /** At each connect with `auto`: the main filter is subscribed, or moved to the property's value if it changed while disconnected. */
  private subscribeMain(): void {
    const { filter, qos, auto } = this.host.main();
    if (!auto) return;
    if (this.applied === undefined) {
      if (filter) this.subscribe(filter, qos, true).catch((error: MqttError) => this.fail(error));
    } else if (this.applied !== filter) this.mainChanged();
  }

  private alive(): void {
    if (this.released) throw this.problem({ code: 'DESTROYED' });
  }

  private problem(info: ErrorInfo): MqttError {
    return toMqttError(new CodedError(info), this.host.locale);
  }

  private fail(error: MqttError): void {
    if (!this.released) this.host.emit('error', error.toJSON());
  }
}
