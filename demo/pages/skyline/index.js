// A Skyline page (index.json: renderer skyline, glass-easel): the panel and a list on the App's client
// "main", one socket with the other pages. Skyline has no native navigation bar and no page scrolling:
// the page draws its own title below the status bar and scrolls in a <scroll-view type="list">.
Component({
  data: { top: 0 },
  lifetimes: {
    attached() {
      const info = typeof wx.getWindowInfo === 'function' ? wx.getWindowInfo() : {};
      this.setData({ top: info.statusBarHeight || 0 });
    },
  },
  methods: {
    onBackTap() {
      wx.navigateBack();
    },
  },
});
