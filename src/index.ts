/**
 * miniprogram-mqtt: use the components through usingComponents
 * ("mqtt-panel": "miniprogram-mqtt/mqtt-panel/index", "message-list": "miniprogram-mqtt/message-list/index").
 * This entry exports the types and the pure helpers for host code written in TypeScript.
 */
export * from './types';
export { describeError, ERROR_CODES, errorFromErrMsg } from './core/errors';
export { decodeUtf8, encodeUtf8, toBase64, toHex } from './core/codec';
export { isValidTopicFilter, isValidTopicName, matches } from './core/topics';
export { setPlatformWx } from './platform/index';
/** The connection registry the panel runs on (until the panel runs on the client). */
export { getRegistry } from './platform/index';
