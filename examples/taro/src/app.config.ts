export default defineAppConfig({
  pages: ['pages/index/index', 'pages/quickstart/index'],
  window: {
    navigationBarTitleText: 'MQTT · Taro',
  },
})
