/** Messages for the component tests: a fixed clock and a message with defaults, numbered in order. */
import type { MqttMessage } from '../../src/core/message';

export const T0 = Date.UTC(2026, 10, 23, 8, 30, 15, 123);
let seq = 0;
/** Numbers (and times) start again from 1: for snapshots that must not depend on the tests before. */
export const restartMessages = (): void => {
  seq = 0;
};
export const msg = (topic: string, payload: string, extra: Partial<MqttMessage> = {}): MqttMessage => ({
  id: `m${++seq}`,
  topic,
  payload,
  qos: 0,
  retain: false,
  direction: 'in',
  time: T0 + seq,
  ...extra,
});
