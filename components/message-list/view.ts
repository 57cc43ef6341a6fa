/** <message-list>'s pure view helpers: the messages it accepts, what an item shows of one, and what a screen reader says for it. */
import { compileFilter, formatTime, normalizeMessage, PAYLOAD_FORMATS, preview } from '../../src/ui';
import type { ListLabels, MqttMessage, PayloadFormat } from '../../src/ui';
import { isValidTopicFilter } from '../../src/index';

export type MessageOrder = 'newest-first' | 'oldest-first';

/** Characters of payload a collapsed item sends to the view; expanded items send up to EXPANDED_CHARS. */
export const PREVIEW_CHARS = 280;
export const EXPANDED_CHARS = 4000;
export const MAX_ITEMS_LIMIT = 1000;
/** User properties an item shows (a `name: value` line each, cut to PROPERTY_CHARS); more are counted in a last "+N" line. */
export const MAX_SHOWN_PROPERTIES = 8;
export const PROPERTY_CHARS = 80;
/** Characters of payload in an item's aria-label: enough to recognise it, short enough to listen to. */
export const LABEL_PAYLOAD_CHARS = 80;
export const DEFAULT_MAX_ITEMS = 100;

export interface ViewItem {
  key: string;
  slot: number;
  shown: boolean;
  topic: string;
  text: string;
  truncated: boolean;
  valid: boolean;
  expanded: boolean;
  /** QoS, retained and direction in one pill: one text node instead of three. */
  badge: string;
  direction: 'in' | 'out';
  time: string;
  /** What a screen reader says for the item (aria-label): topic, payload (cut), time, QoS, retained, direction. */
  label: string;
  ord: number;
  /** MQTT 5, only when the message has a content type or user properties: no key otherwise. */
  props?: ViewProperties;
}

/** Two text nodes at most, in one wrapper. */
interface ViewProperties {
  /** Content Type, '' when absent. */
  type: string;
  /** A `name: value` line per user property value, '' when none. */
  user: string;
}

let nextId = 0;
const generateId = (): string => `ml_${Date.now().toString(36)}_${(nextId++).toString(36)}`;

export function clampMaxItems(value: unknown): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 1) return DEFAULT_MAX_ITEMS;
  return Math.min(MAX_ITEMS_LIMIT, Math.floor(n));
}

export const formatOf = (value: unknown): PayloadFormat => (PAYLOAD_FORMATS.includes(value as PayloadFormat) ? (value as PayloadFormat) : 'text');
export const orderOf = (value: unknown): MessageOrder => (value === 'oldest-first' ? 'oldest-first' : 'newest-first');
export const matcherOf = (filter: unknown): ((topic: string) => boolean) =>
  typeof filter === 'string' && filter !== '' && isValidTopicFilter(filter) ? compileFilter(filter) : () => true;

/** What normalizeMessage would keep (an object with a string topic): checked at append, normalised when drawn. */
export function messageShaped(value: unknown): value is object {
  return typeof value === 'object' && value !== null && typeof (value as { topic?: unknown }).topic === 'string';
}

export function toMessages(value: unknown): MqttMessage[] {
  const list = Array.isArray(value) ? value : [value];
  const out: MqttMessage[] = [];
  for (const item of list) {
    const message = normalizeMessage(item, generateId);
    if (message) out.push(message);
  }
  return out;
}

function cut(text: string): string {
  const shown = preview(text, PROPERTY_CHARS);
  return shown.truncated ? `${shown.text}…` : shown.text;
}

/**
 * An item's aria-label, one line a screen reader says at once: "主题 a/b，内容 21.5，时间 08:30:15，QoS 1，保留消息，收到".
 * The payload is what the item shows (in its format), whitespace folded and cut to LABEL_PAYLOAD_CHARS.
 */
export function itemLabel(message: MqttMessage, shown: string, labels: ListLabels, expanded: boolean, truncated: boolean): string {
  const folded = shown.replace(/\s+/g, ' ').trim();
  const cutText = preview(folded, LABEL_PAYLOAD_CHARS);
  const payload = folded === '' ? labels.a11y.emptyPayload : cutText.truncated ? `${cutText.text}…` : cutText.text;
  const parts = [
    `${labels.a11y.topic} ${message.topic}`,
    `${labels.a11y.payload} ${payload}`,
    `${labels.a11y.time} ${formatTime(message.time).slice(0, 8)}`,
    `QoS ${message.qos}`,
  ];
  if (message.retain) parts.push(labels.a11y.retained);
  parts.push(labels.a11y[message.direction]);
  if (truncated) parts.push(expanded ? labels.a11y.collapse : labels.a11y.expand);
  return parts.join(labels.a11y.comma);
}

/** What an item shows of a message's MQTT 5 properties: its content type and user properties, bounded; undefined when it has neither. */
export function viewProperties(message: MqttMessage): ViewProperties | undefined {
  const { contentType, userProperties } = message.properties ?? {};
  const type = typeof contentType === 'string' ? cut(contentType) : '';
  const pairs: string[] = [];
  let more = 0;
  if (typeof userProperties === 'object' && userProperties !== null) {
    for (const [name, values] of Object.entries(userProperties)) {
      for (const value of Array.isArray(values) ? values : [values]) {
        if (pairs.length < MAX_SHOWN_PROPERTIES) pairs.push(cut(`${name}: ${String(value)}`));
        else more++;
      }
    }
  }
  if (more > 0) pairs.push(`+${more}`);
  return type !== '' || pairs.length > 0 ? { type, user: pairs.join('\n') } : undefined;
}
