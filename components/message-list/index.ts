/**
 * <message-list>: a bounded, fast list of MQTT messages.
 *
 * The view holds `maxItems` slots. A new message overwrites the slot of the one it evicts, and CSS
 * `order` puts slots in time order, so an append is one path-keyed setData per batch interval,
 * never the whole list.
 */
import { isValidTopicFilter } from '../../src/index';
import { assign, Batcher, ClientBinding, DEFAULT_BATCH_INTERVAL_MS, formatTime, LIST_LABELS, normalizeLocale, renderPayload, Ring } from '../../src/ui';
import type { ListLabels, MqttMessage } from '../../src/ui';
import type { MessageListClearDetail, MessageListSelectDetail } from '../../src/types';
import { LOCALE, mqttComponent, THEME } from '../common/component';
import { clampMaxItems, DEFAULT_MAX_ITEMS, EXPANDED_CHARS, formatOf, itemLabel, matcherOf, orderOf, PREVIEW_CHARS, messageShaped, toMessages, viewProperties } from './view';
import type { ViewItem } from './view';

export type { MessageListClearDetail, MessageListMethods, MessageListSelectDetail, MqttMessage } from '../../src/types';

export { EXPANDED_CHARS, LABEL_PAYLOAD_CHARS, MAX_ITEMS_LIMIT, MAX_SHOWN_PROPERTIES, PREVIEW_CHARS, PROPERTY_CHARS } from './view';
export type { MessageOrder } from './view';

const BUSY_INTERVAL_MS = 500;
/** How close (px) to the newest end still counts as "following the newest". */
const FOLLOW_SLACK_PX = 40;

interface ListState {
  ring: Ring<MqttMessage>;
  slotMessages: (MqttMessage | undefined)[];
  slotItems: (ViewItem | undefined)[];
  writePos: number;
  seq: number;
  shown: number;
  matcher: (topic: string) => boolean;
  /** Appended messages not drawn yet, as given (normalised when drawn: a burst's older ones never are). */
  batcher: Batcher<object>;
  following: boolean;
  viewport: number;
  labels: ListLabels;
  /** With `client`: that client's traffic, and `filter` subscribed through the binding's scope. */
  binding?: ClientBinding;
}

const states = new WeakMap<object, ListState>();

/**
 * Shows the named client's traffic (messages in, publishes out); a valid `filter` is its binding's
 * main filter, subscribed at connect and moved when it changes, so the list needs no panel.
 */
function follow(list: { data: { client: string; filter: string; locale: string }; append(m: MqttMessage): void }): ClientBinding {
  const filter = () => (isValidTopicFilter(list.data.filter) ? list.data.filter : '');
  return new ClientBinding({
    name: list.data.client,
    locale: normalizeLocale(list.data.locale),
    hears: 'client',
    main: () => ({ filter: filter(), qos: 0, auto: true }),
    emit: (event, detail) => (event === 'message' || event === 'publish' ? list.append(detail as MqttMessage) : undefined),
  });
}

mqttComponent(LIST_LABELS, {
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
    locale: assign({}, LOCALE),
    theme: assign({}, THEME),
  },
  data: {
    slots: [] as ViewItem[],
    shownCount: 0,
    anchor: '',
    emptyLabel: LIST_LABELS['zh-CN'].empty,
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
        batcher: new Batcher<object>((items) => this.flushAppends(items)),
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
      state?.binding?.release();
      states.delete(this);
    },
  },
  methods: {
    /** Adds one message or an array; drawn within 50 ms, or 500 ms during a burst. */
    append(messageOrArray: MqttMessage | MqttMessage[]) {
      const state = states.get(this);
      if (!state) return;
      if (!Array.isArray(messageOrArray)) {
        if (messageShaped(messageOrArray)) state.batcher.add(messageOrArray);
      } else state.batcher.addAll(messageOrArray.filter(messageShaped));
      // More waiting than the list can show: a burst. Draw it twice a second, starting now.
      if (state.batcher.size >= state.ring.capacity && state.batcher.intervalMs !== BUSY_INTERVAL_MS) state.batcher.intervalMs = BUSY_INTERVAL_MS;
    },

    /** @internal follows the `client` property (a new binding for a new name) and moves the subscription to `filter`. */
    followClient(state: ListState) {
      if (state.binding && state.binding.name === this.data.client) return state.binding.mainChanged();
      state.binding?.release();
      state.binding = this.data.client ? follow(this) : undefined;
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
        emptyLabel: this.data.emptyText || labels.empty,
      });
    },

    /** Draws what was appended since the last batch: only the newest `maxItems` are normalised and drawn. */
    flushAppends(appended: object[]) {
      const state = states.get(this);
      if (!state) return;
      const cap = state.ring.capacity;
      // A batch that rewrites every slot is more than anyone can read: under such load, draw 10× less often.
      state.batcher.intervalMs = appended.length >= cap ? BUSY_INTERVAL_MS : DEFAULT_BATCH_INTERVAL_MS;
      const update: Record<string, unknown> = {};
      let newestShown = '';
      for (const message of toMessages(appended.length > cap ? appended.slice(-cap) : appended)) {
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
