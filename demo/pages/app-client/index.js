// A device list on the App's client "main": mqttBehavior gives the page a scope on it; the
// page's subscription and listeners go with the page when it unloads.
const { getClient, mqttBehavior } = require('miniprogram-mqtt');
const { CONNECTION_TEXT, DEVICE_TEXT, deviceOf, clock } = require('./common');

const STATUS = 'demo/devices/+/status';

Component({
  behaviors: [mqttBehavior],
  data: { status: 'idle', statusText: CONNECTION_TEXT.idle, devices: [], error: '' },
  methods: {
    onLoad() {
      const mqtt = this.mqttScope('main');
      const client = getClient('main');
      this.showStatus(client ? client.status : 'idle');
      mqtt.on('status', ({ status }) => this.showStatus(status));
      mqtt.on('message', ({ topic, payload, time }) => this.showDevice(deviceOf(topic), payload, time));
      mqtt.subscribe(STATUS, { qos: 1 }).catch((error) => this.setData({ error: error.message }));
    },
    showStatus(status) {
      this.setData({ status, statusText: CONNECTION_TEXT[status] || status });
    },
    showDevice(id, payload, time) {
      const device = { id, online: payload === 'online', text: DEVICE_TEXT[payload] || payload, time: clock(time) };
      const devices = this.data.devices.filter((d) => d.id !== id).concat(device).sort((a, b) => a.id.localeCompare(b.id));
      this.setData({ devices, error: '' });
    },
    onDeviceTap(e) {
      wx.navigateTo({ url: `/pages/app-client/detail?id=${encodeURIComponent(e.currentTarget.dataset.id)}` });
    },
    onPanelTap() {
      wx.navigateTo({ url: '/pages/app-client/panel' });
    },
    onSkylineTap() {
      wx.navigateTo({ url: '/pages/skyline/index' });
    },
  },
});
