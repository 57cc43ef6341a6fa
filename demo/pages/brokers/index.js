const { local, emqx } = getApp().globalData;

Component({ data: { local, emqx } });
