/**
 * Behavior: `data.renderer` is 'skyline' when WeChat's Skyline renderer draws the component (its
 * instances carry `renderer`, skyline/migration/compatibility), else 'webview'. The WXML branches
 * on it only where the two must differ (the list's `<scroll-view type="list">`); under WebView no
 * setData is spent on it.
 */
export const rendered = Behavior({
  data: { renderer: 'webview' },
  lifetimes: {
    attached() {
      if ((this as unknown as { renderer?: string }).renderer === 'skyline') this.setData({ renderer: 'skyline' });
    },
  },
});
