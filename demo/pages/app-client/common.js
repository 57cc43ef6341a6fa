// Shared by the pages under pages/app-client: the words they show.
const CONNECTION_TEXT = { idle: '未连接', connecting: '连接中', connected: '已连接', reconnecting: '重连中', offline: '离线', closed: '已断开' };
const DEVICE_TEXT = { online: '在线', offline: '离线' };

/** `demo/devices/lamp-1/status` → `lamp-1` */
const deviceOf = (topic) => topic.split('/')[2];

/** 21:05:09 */
const clock = (time) => new Date(time).toTimeString().slice(0, 8);

module.exports = { CONNECTION_TEXT, DEVICE_TEXT, deviceOf, clock };
