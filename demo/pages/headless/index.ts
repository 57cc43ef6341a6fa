/**
 * A custom UI built only from <mqtt-panel headless>'s events and methods: a sensor dashboard.
 * TypeScript, type-checked in CI against the types the build publishes.
 */
import type {
  ErrorEventDetail,
  MessageEventDetail,
  MessageListMethods,
  MqttPanelMethods,
  StatusEventDetail,
} from '../../miniprogram_npm/miniprogram-mqtt/index';

/** `{"value": 21.5}` → "21.5"; anything else is shown as it came. */
function reading(payload: string): string {
  try {
    const parsed = JSON.parse(payload) as { value?: unknown };
    return parsed && typeof parsed === 'object' && 'value' in parsed ? String(parsed.value) : payload;
  } catch {
    return payload;
  }
}

interface Tile {
  name: string;
  value: string;
}

Component({
  data: {
    broker: { host: '127.0.0.1', port: 8083, secure: false },
    status: 'idle',
    sensors: [] as Tile[],
    light: false,
    error: '',
  },
  methods: {
    onStatus(e: WechatMiniprogram.CustomEvent<StatusEventDetail>) {
      this.setData({ status: e.detail.status });
    },
    onMessage(e: WechatMiniprogram.CustomEvent<MessageEventDetail>) {
      const name = e.detail.topic.split('/').pop() ?? e.detail.topic;
      const sensors = this.data.sensors.filter((s) => s.name !== name).concat({ name, value: reading(e.detail.payload) }).sort((a, b) => a.name.localeCompare(b.name));
      this.setData({ sensors });
      (this.selectComponent('#list') as unknown as MessageListMethods).append(e.detail);
    },
    onError(e: WechatMiniprogram.CustomEvent<ErrorEventDetail>) {
      this.setData({ error: `${e.detail.code}: ${e.detail.message}` });
    },
    async onLight() {
      const mqtt = this.selectComponent('#mqtt') as unknown as MqttPanelMethods;
      try {
        await mqtt.publish('demo/cmd/light', { on: !this.data.light }, { qos: 1 });
        this.setData({ light: !this.data.light, error: '' });
      } catch (error) {
        this.setData({ error: (error as ErrorEventDetail).message });
      }
    },
  },
});
