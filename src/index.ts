/**
 * miniprogram-mqtt: createClient / getClient / scopes / mqttBehavior for code, and the
 * <mqtt-panel> and <message-list> components (usingComponents "miniprogram-mqtt/mqtt-panel/index").
 */
export * from './types';
export { createClient, getClient, MqttClient, onClient } from './client/client';
export { MqttError, toMqttError } from './client/error';
export { MqttScope } from './client/scope';
export { mqttBehavior } from './client/behavior';
export { discoverBrokers } from './client/discovery';
export { discardStoredQueue, storedQueues } from './client/stored-queues';
export type { StoredQueuesOptions } from './client/stored-queues';
export type { DiscoverOptions } from './client/discovery';
export type { DiscoveredBroker } from './platform/discovery';
export type { MqttBehaviorMethods } from './client/behavior';
export { describeError, ERROR_CODES } from './core/errors';
export { decodeUtf8, encodeUtf8, toBase64, toHex } from './core/codec';
export { isValidTopicFilter, isValidTopicName, matches } from './core/topics';
export { setPlatformWx } from './platform/index';
