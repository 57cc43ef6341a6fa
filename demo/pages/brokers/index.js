// Two brokers over WebSockets, and a third found on the phone's own Wi-Fi (mDNS) and reached over TCP.
const { discoverBrokers } = require('miniprogram-mqtt');

const { local, emqx } = getApp().globalData;

Component({
  data: { local, emqx, searching: false, found: [], chosen: null, problem: '' },
  methods: {
    async discover() {
      this.setData({ searching: true, found: [], problem: '' });
      try {
        this.setData({ found: await discoverBrokers({ timeout: 2000 }) });
      } catch (error) {
        this.setData({ problem: `${error.code}: ${error.message}` });
      }
      this.setData({ searching: false });
    },
    choose(e) {
      this.setData({ chosen: this.data.found[e.currentTarget.dataset.index] });
    },
  },
});
