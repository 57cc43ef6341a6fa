// One device on the App's client "main": its telemetry, and a command to it. Opened from the
// list with ?id=; when the page unloads (back), mqttBehavior releases its scope and the
// client unsubscribes the telemetry filter that only this page held.
const { mqttBehavior } = require('miniprogram-mqtt');
const { clock } = require('./common');

const MAX_READINGS = 10;

/** `{"temperature":21.5,"humidity":48}` → "temperature 21.5 · humidity 48"; anything else as it came. */
function reading(payload) {
  try {
    const value = JSON.parse(payload);
    if (value && typeof value === 'object') return Object.keys(value).map((k) => `${k} ${value[k]}`).join(' · ');
  } catch {
    // not JSON
  }
  return payload;
}

Component({
  behaviors: [mqttBehavior],
  data: { id: '', topic: '', readings: [], light: false, sent: '', error: '' },
  methods: {
    onLoad(query) {
      const id = decodeURIComponent(query.id || 'lamp-1');
      const topic = `demo/devices/${id}/telemetry`;
      this.setData({ id, topic });
      wx.setNavigationBarTitle({ title: `设备 ${id}` });
      const mqtt = this.mqttScope('main');
      mqtt.on('message', ({ payload, time }) => {
        this.setData({ readings: [{ text: reading(payload), time: clock(time) }, ...this.data.readings].slice(0, MAX_READINGS) });
      });
      mqtt.subscribe(topic, { qos: 1 }).catch((error) => this.setData({ error: error.message }));
    },
    onCommandTap() {
      const on = !this.data.light;
      this.mqttScope('main')
        .publish(`demo/devices/${this.data.id}/command`, { light: on ? 'on' : 'off' }, { qos: 1 })
        .then(({ time }) => this.setData({ light: on, sent: `${on ? '开灯' : '关灯'} · ${clock(time)}`, error: '' }))
        .catch((error) => this.setData({ error: error.message }));
    },
  },
});
