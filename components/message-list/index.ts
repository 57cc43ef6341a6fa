/**
 * <message-list>: a bounded, fast list of MQTT messages.
 *
 * The view holds `maxItems` slots. A new message overwrites the slot of the one it evicts, and CSS
 * `order` puts slots in time order, so an append is one path-keyed setData per batch interval,
 * never the whole list.
 */
import { Batcher, DEFAULT_BATCH_INTERVAL_MS } from '../../src/core/batcher';
import { preview } from '../../src/core/codec';
import { normalizeLocale } from '../../src/core/errors';
import { LIST_LABELS, ListLabels } from '../../src/core/labels';
import { formatTime, MqttMessage, normalizeMessage, PAYLOAD_FORMATS, PayloadFormat, renderPayload } from '../../src/core/message';
import { Ring } from '../../src/core/ring';
import { compileFilter, isValidTopicFilter } from '../../src/core/topics';
import { onClient } from '../../src/index';

import type { MessageListClearDetail, MessageListSelectDetail } from '../../src/types';

export type { MessageListClearDetail, MessageListMethods, MessageListSelectDetail, MqttMessage } from '../../src/types';

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
const DEFAULT_MAX_ITEMS = 100;
const BUSY_INTERVAL_MS = 500;
/** How close (px) to the newest end still counts as "following the newest". */
const FOLLOW_SLACK_PX = 40;

interface ViewItem {
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

interface ListState {
  ring: Ring<MqttMessage>;
  slotMessages: (MqttMessage | undefined)[];
  slotItems: (ViewItem | undefined)[];
  writePos: number;
  seq: number;
  shown: number;
  matcher: (topic: string) => boolean;
  batcher: Batcher<MqttMessage>;
  following: boolean;
  viewport: number;
  labels: ListLabels;
  /** With `client`: stops following it. */
  unfollow?: () => void;
}

const states = new WeakMap<object, ListState>();
let nextId = 0;
const generateId = (): string => `ml_${Date.now().toString(36)}_${(nextId++).toString(36)}`;

function clampMaxItems(value: unknown): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 1) return DEFAULT_MAX_ITEMS;
  return Math.min(MAX_ITEMS_LIMIT, Math.floor(n));
}

const formatOf = (value: unknown): PayloadFormat => (PAYLOAD_FORMATS.includes(value as PayloadFormat) ? (value as PayloadFormat) : 'text');
const orderOf = (value: unknown): MessageOrder => (value === 'oldest-first' ? 'oldest-first' : 'newest-first');
const matcherOf = (filter: unknown): ((topic: string) => boolean) =>
  typeof filter === 'string' && filter !== '' && isValidTopicFilter(filter) ? compileFilter(filter) : () => true;

/**
 * Shows the named client's traffic (messages in, publishes out); with a `filter`, also subscribes
 * it through a scope of its own, so the list needs no panel. Returns what undoes it all.
 */
function follow(name: string, filter: string, append: (m: MqttMessage) => void): () => void {
  let undo: (() => void)[] = [];
  const stopWaiting = onClient(name, (client) => {
    const scope = client.scope();
    const subscribe = (): void => {
      if (filter && isValidTopicFilter(filter)) scope.subscribe(filter).catch(() => undefined);
    };
    undo = [client.on('message', append), client.on('publish', append), scope.on('connect', subscribe), () => void scope.release().catch(() => undefined)];
    if (client.status === 'connected') subscribe();
  });
  return () => {
    stopWaiting();
    undo.forEach((u) => u());
  };
}

function toMessages(value: unknown): MqttMessage[] {
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
function itemLabel(message: MqttMessage, shown: string, labels: ListLabels, expanded: boolean, truncated: boolean): string {
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
function viewProperties(message: MqttMessage): ViewProperties | undefined {
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

Component({
  externalClasses: ['custom-class'],
  properties: {
    messages: { type: Array, value: [] },
    /** A client's name (createClient({ name })): the list shows its traffic. */
    client: { type: String, value: '' },
    maxItems: { type: Number, value: DEFAULT_MAX_ITEMS },
    filter: { type: String, value: '' },
    format: { type: String, value: 'text' },
    order: { type: String, value: 'newest-first' },
    autoScroll: { type: Boolean, value: true },
    showTime: { type: Boolean, value: true },
    emptyText: { type: String, value: '' },
    locale: { type: String, value: 'zh-CN' },
    /** 'auto' follows the system (prefers-color-scheme); 'light' or 'dark' forces one. */
    theme: { type: String, value: 'auto' },
  },
  data: {
    slots: [] as ViewItem[],
    shownCount: 0,
    anchor: '',
    emptyLabel: LIST_LABELS['zh-CN'].empty,
    labels: LIST_LABELS['zh-CN'],
  },
  observers: {
    messages(messages: unknown) {
      const state = states.get(this);
      if (!state) return;
      state.batcher.dispose();
      state.ring.clear();
      toMessages(messages).forEach((m) => state.ring.push(m));
      this.renderAll();
    },
    maxItems(maxItems: unknown) {
      const state = states.get(this);
      if (!state) return;
      state.batcher.flush();
      state.ring.resize(clampMaxItems(maxItems));
      state.batcher.keepLast = state.ring.capacity;
      this.renderAll();
    },
    'client, filter'() {
      const state = states.get(this);
      if (state) this.followClient(state);
    },
    'filter, format, order, showTime, locale, emptyText'() {
      const state = states.get(this);
      if (!state) return;
      state.batcher.flush();
      this.renderAll();
    },
  },
  lifetimes: {
    attached() {
      const state: ListState = {
        ring: new Ring<MqttMessage>(clampMaxItems(this.data.maxItems)),
        slotMessages: [],
        slotItems: [],
        writePos: 0,
        seq: 0,
        shown: 0,
        matcher: () => true,
        batcher: new Batcher<MqttMessage>((items) => this.flushAppends(items)),
        following: true,
        viewport: 0,
        labels: LIST_LABELS[normalizeLocale(this.data.locale)],
      };
      state.batcher.keepLast = state.ring.capacity;
      states.set(this, state);
      toMessages(this.data.messages).forEach((m) => state.ring.push(m));
      this.renderAll();
      this.measureViewport();
      this.followClient(state);
    },
    detached() {
      const state = states.get(this);
      state?.batcher.dispose();
      state?.unfollow?.();
      states.delete(this);
    },
  },
  methods: {
    /** Adds one message or an array; drawn within 50 ms, or 500 ms during a burst. */
    append(messageOrArray: MqttMessage | MqttMessage[]) {
      const state = states.get(this);
      if (!state) return;
      state.batcher.addAll(toMessages(messageOrArray));
      // More waiting than the list can show: a burst. Draw it twice a second, starting now.
      if (state.batcher.size >= state.ring.capacity && state.batcher.intervalMs !== BUSY_INTERVAL_MS) state.batcher.intervalMs = BUSY_INTERVAL_MS;
    },

    /** @internal (re)follows the `client` property. */
    followClient(state: ListState) {
      state.unfollow?.();
      state.unfollow = this.data.client ? follow(this.data.client, this.data.filter, (m) => this.append(m)) : undefined;
    },

    /** Removes every message and emits `clear` with the count. */
    clear() {
      const state = states.get(this);
      if (!state) return;
      const count = Math.min(state.ring.capacity, state.ring.size + state.batcher.size);
      state.batcher.dispose();
      state.ring.clear();
      this.renderAll();
      const detail: MessageListClearDetail = { count };
      this.triggerEvent('clear', detail);
    },

    /** The messages held now, oldest first (including those not yet drawn). */
    getMessages(): MqttMessage[] {
      const state = states.get(this);
      if (!state) return [];
      state.batcher.flush();
      return state.ring.toArray();
    },

    viewItem(message: MqttMessage, seq: number, slot: number, expanded = false): ViewItem {
      const state = states.get(this)!;
      const labels = state.labels;
      const format = formatOf(this.data.format);
      const collapsed = renderPayload(message, format, PREVIEW_CHARS);
      const body = expanded ? renderPayload(message, format, EXPANDED_CHARS) : collapsed;
      const item: ViewItem = {
        key: `ml-${seq}`,
        slot,
        shown: state.matcher(message.topic),
        topic: message.topic,
        text: body.text + (expanded && body.truncated ? '…' : ''),
        truncated: collapsed.truncated,
        valid: collapsed.valid,
        expanded,
        badge: [`QoS ${message.qos}`, message.retain ? labels.retain : '', labels[message.direction]].filter(Boolean).join(' · '),
        direction: message.direction,
        time: this.data.showTime ? formatTime(message.time) : '',
        label: itemLabel(message, collapsed.text, labels, expanded, collapsed.truncated),
        ord: orderOf(this.data.order) === 'oldest-first' ? seq : -seq,
      };
      const props = message.properties && viewProperties(message);
      if (props) item.props = props;
      return item;
    },

    /** One setData of everything: used only when a property changes, never for an append. */
    renderAll() {
      const state = states.get(this);
      if (!state) return;
      state.matcher = matcherOf(this.data.filter);
      state.labels = LIST_LABELS[normalizeLocale(this.data.locale)];
      const messages = state.ring.toArray();
      state.slotMessages = messages.slice();
      state.slotItems = messages.map((m, slot) => this.viewItem(m, state.seq++, slot));
      state.writePos = messages.length % state.ring.capacity;
      state.shown = state.slotItems.filter((i) => i!.shown).length;
      const labels = state.labels;
      this.setData({
        slots: state.slotItems as ViewItem[],
        shownCount: state.shown,
        anchor: this.anchorFor(state, [...state.slotItems].reverse().find((i) => i!.shown)?.key ?? ''),
        labels,
        emptyLabel: this.data.emptyText || labels.empty,
      });
    },

    flushAppends(items: MqttMessage[]) {
      const state = states.get(this);
      if (!state) return;
      const cap = state.ring.capacity;
      // A batch that rewrites every slot is more than anyone can read: under such load, draw 10× less often.
      state.batcher.intervalMs = items.length >= cap ? BUSY_INTERVAL_MS : DEFAULT_BATCH_INTERVAL_MS;
      const update: Record<string, unknown> = {};
      let newestShown = '';
      for (const message of items.length > cap ? items.slice(-cap) : items) {
        state.ring.push(message);
        const slot = state.writePos;
        state.writePos = (slot + 1) % cap;
        const item = this.viewItem(message, state.seq++, slot);
        if (state.slotItems[slot]?.shown) state.shown--;
        if (item.shown) {
          state.shown++;
          newestShown = item.key;
        }
        state.slotMessages[slot] = message;
        state.slotItems[slot] = item;
        update[`slots[${slot}]`] = item;
      }
      update.shownCount = state.shown;
      const anchor = newestShown ? this.anchorFor(state, newestShown) : this.data.anchor;
      if (anchor !== this.data.anchor) update.anchor = anchor;
      this.setData(update);
    },

    /** The item to scroll to: the newest shown one, unless the user scrolled away or autoScroll is off. */
    anchorFor(state: ListState, newestKey: string): string {
      return this.data.autoScroll && state.following ? newestKey : this.data.anchor;
    },

    onTap(event: WechatMiniprogram.TouchEvent) {
      const state = states.get(this);
      const slot = Number(event.currentTarget.dataset.slot);
      const message = state?.slotMessages[slot];
      const current = state?.slotItems[slot];
      if (!state || !message || !current) return;
      const detail: MessageListSelectDetail = { message };
      this.triggerEvent('select', detail);
      if (!current.truncated) return;
      const seq = Number(current.key.slice(3));
      const item = this.viewItem(message, seq, slot, !current.expanded);
      state.slotItems[slot] = item;
      this.setData({ [`slots[${slot}]`]: item });
    },

    onScroll(event: WechatMiniprogram.ScrollViewScroll) {
      const state = states.get(this);
      if (!state) return;
      const { scrollTop, scrollHeight } = event.detail;
      state.following =
        orderOf(this.data.order) === 'newest-first'
          ? scrollTop <= FOLLOW_SLACK_PX
          : scrollHeight - scrollTop - state.viewport <= FOLLOW_SLACK_PX;
    },

    measureViewport() {
      try {
        this.createSelectorQuery()
          .select('.ml__scroll')
          .boundingClientRect((rect) => {
            const state = states.get(this);
            if (state && rect) state.viewport = (rect as WechatMiniprogram.BoundingClientRectCallbackResult).height;
          })
          .exec();
      } catch {
        // selector queries are not available in every environment; following then uses scrollTop only
      }
    },
  },
});
