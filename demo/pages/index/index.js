const LOG_LINES = 30;

Component({
  data: { useEmqx: false, broker: getApp().globalData.local, log: [] },
  methods: {
    onBrokerSwitch(e) {
      const app = getApp().globalData;
      this.setData({ useEmqx: e.detail.value, broker: e.detail.value ? app.emqx : app.local });
    },
    onEvent(e) {
      const { bytes, ...detail } = e.detail;
      const line = `${e.type} ${JSON.stringify(detail)}${bytes ? ` (${bytes.byteLength} B)` : ''}`;
      this.setData({ log: [line, ...this.data.log].slice(0, LOG_LINES) });
    },
  },
});
