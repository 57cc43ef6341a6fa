// The demo's default broker is the local one `npm start` runs; switch to the public EMQX broker on the index page.
App({
  globalData: {
    local: { host: '127.0.0.1', port: 8083, path: '/mqtt', secure: false },
    emqx: { host: 'broker.emqx.io', port: 8084, path: '/mqtt', secure: true },
  },
});
