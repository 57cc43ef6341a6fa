Component({
  data: { broker: getApp().globalData.local, sockets: 0, connects: 0 },
  methods: {
    onConnect() {
      // Both panels report connect; they share one socket, so the count of sockets stays 1.
      this.setData({ connects: this.data.connects + 1, sockets: 1 });
    },
  },
});
