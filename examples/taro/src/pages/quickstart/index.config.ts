export default definePageConfig({
  navigationBarTitleText: 'MQTT · Quick start',
})
