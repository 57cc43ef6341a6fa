// The demo's default broker is the local one `npm start` runs; switch to the public EMQX broker on the index page.
// The App owns one client, "main": the pages under pages/app-client use it by name (mqttBehavior, <mqtt-panel client="main">).
const { createClient } = require('miniprogram-mqtt');

App({
  globalData: {
    local: { host: '127.0.0.1', port: 8083, path: '/mqtt', secure: false },
    emqx: { host: 'broker.emqx.io', port: 8084, path: '/mqtt', secure: true },
  },
  onLaunch() {
    const client = createClient({ name: 'main', ...this.globalData.local });
    // After a failed first try the client keeps reconnecting on its own; the pages show its status.
    client.connect().catch((error) => console.warn(`[mqtt] ${error.code}: ${error.message}`));
  },
});
