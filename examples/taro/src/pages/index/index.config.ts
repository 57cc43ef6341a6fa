export default definePageConfig({
  navigationBarTitleText: 'MQTT',
})
