/**
 * mqttBehavior: `this.mqttScope(clientOrName)` in a page or component returns a scope on that
 * client — the same one for the same client within one page or component — released when the
 * page unloads or the component detaches (a page's behaviors run `detached` on onUnload).
 */
import { getClient, MqttClient } from './client';
import type { MqttScope } from './scope';

const scopesOf = new WeakMap<object, Map<MqttClient, MqttScope>>();
/** Scopes for names that have no client: their calls reject with NO_CLIENT. */
const missing = new Map<string, MqttClient>();

function scopeFor(owner: object, clientOrName: MqttClient | string): MqttScope {
  let client = typeof clientOrName === 'string' ? getClient(clientOrName) : clientOrName;
  if (!(client instanceof MqttClient)) {
    const name = String(clientOrName);
    client = missing.get(name) ?? new MqttClient({}, { code: 'NO_CLIENT', field: name });
    missing.set(name, client);
  }
  let scopes = scopesOf.get(owner);
  if (!scopes) scopesOf.set(owner, (scopes = new Map()));
  let scope = scopes.get(client);
  if (!scope || scope.isReleased) scopes.set(client, (scope = client.scope()));
  return scope;
}

function releaseAll(owner: object): void {
  const scopes = scopesOf.get(owner);
  scopesOf.delete(owner);
  scopes?.forEach((scope) => scope.release().catch(() => undefined));
}

const definition = {
  lifetimes: {
    detached(this: object) {
      releaseAll(this);
    },
  },
  methods: {
    mqttScope(this: object, clientOrName: MqttClient | string): MqttScope {
      return scopeFor(this, clientOrName);
    },
  },
};

/** The methods mqttBehavior adds, for typing `this` in TypeScript pages and components. */
export interface MqttBehaviorMethods {
  mqttScope(clientOrName: MqttClient | string): MqttScope;
}

declare const Behavior: ((definition: object) => string) | undefined;

/** Add to `behaviors: [mqttBehavior]` of a Page or Component. Outside a mini-program it is the plain definition. */
export const mqttBehavior: string | typeof definition = typeof Behavior === 'function' ? Behavior(definition) : definition;
