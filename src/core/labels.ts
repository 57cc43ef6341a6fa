/** Every word the components and warnings show, zh-CN by default and en. Error texts are in errors.ts. */
import type { Locale } from './errors';
import type { ConnectionStatus } from './state';

export interface PanelLabels {
  status: Record<ConnectionStatus, string>;
  host: string;
  port: string;
  path: string;
  username: string;
  password: string;
  randomId: string;
  connect: string;
  reconnect: string;
  disconnect: string;
  topic: string;
  subscribe: string;
  unsubscribe: string;
  pubTopic: string;
  payload: string;
  retain: string;
  publish: string;
  /** With `client`: the connection belongs to the App's named client. */
  sharedClient: string;
  /** The MQTT 5 part of the publish form (protocolVersion 5 only). */
  userProperties: string;
  propertyName: string;
  propertyValue: string;
  addRow: string;
  removeRow: string;
  contentType: string;
  messageExpiry: string;
  seconds: string;
  responseTopic: string;
  correlationData: string;
}

/** `warning` texts by code; SESSION_LOST fills {resent}, {released}, {delivered}. */
export interface WarningTexts {
  INSECURE_TRANSPORT: string;
  SHARED_CONNECTION_OPTIONS: string;
  SESSION_LOST: string;
}

export interface ListLabels {
  retain: string;
  in: string;
  out: string;
  more: string;
  less: string;
  notJson: string;
  empty: string;
}

export const PANEL_LABELS: Record<Locale, PanelLabels> = {
  'zh-CN': {
    status: { idle: '未连接', connecting: '连接中', connected: '已连接', reconnecting: '重连中', offline: '离线', closed: '已断开' },
    host: '地址', port: '端口', path: '路径', username: '用户名', password: '密码', randomId: '留空自动生成',
    connect: '连接', reconnect: '重新连接', disconnect: '断开', topic: '订阅主题', subscribe: '订阅', unsubscribe: '取消订阅',
    pubTopic: '发布主题', payload: '消息内容', retain: '保留', publish: '发布', sharedClient: '客户端',
    userProperties: '用户属性', propertyName: '名称', propertyValue: '值', addRow: '添加', removeRow: '删除', contentType: '内容类型',
    messageExpiry: '过期时间', seconds: '秒', responseTopic: '响应主题', correlationData: '关联数据',
  },
  en: {
    status: { idle: 'Idle', connecting: 'Connecting', connected: 'Connected', reconnecting: 'Reconnecting', offline: 'Offline', closed: 'Closed' },
    host: 'Host', port: 'Port', path: 'Path', username: 'Username', password: 'Password', randomId: 'empty = random',
    connect: 'Connect', reconnect: 'Reconnect', disconnect: 'Disconnect', topic: 'Topic', subscribe: 'Subscribe', unsubscribe: 'Unsubscribe',
    pubTopic: 'Publish to', payload: 'Payload', retain: 'Retain', publish: 'Publish', sharedClient: 'Client',
    userProperties: 'User properties', propertyName: 'Name', propertyValue: 'Value', addRow: 'Add', removeRow: 'Remove', contentType: 'Content type',
    messageExpiry: 'Expiry', seconds: 'seconds', responseTopic: 'Response topic', correlationData: 'Correlation data',
  },
};

export const WARNING_TEXTS: Record<Locale, WarningTexts> = {
  'zh-CN': {
    INSECURE_TRANSPORT: '正在使用不加密的 ws:// 连接非本机地址；真机只允许 wss://',
    SHARED_CONNECTION_OPTIONS: '与参数不同的客户端共享连接：keepalive、clean、will 与超时以最先连接的为准',
    SESSION_LOST: '服务器端会话已结束：{resent} 条未确认的 QoS 1/2 消息已重发（QoS 2 可能重复），{released} 条已被服务器接收的 QoS 2 消息视为送达，{delivered} 条等待释放的 QoS 2 消息已交付',
  },
  en: {
    INSECURE_TRANSPORT: 'Using unencrypted ws:// to a non-loopback host; real devices only allow wss://',
    SHARED_CONNECTION_OPTIONS: 'Shared connection with different options: the first client’s keepalive, clean, will and timeouts apply',
    SESSION_LOST: 'The broker’s session ended: {resent} unacknowledged QoS 1/2 publishes were sent again (QoS 2 may arrive twice), {released} QoS 2 publishes the broker had taken count as delivered, {delivered} QoS 2 messages awaiting release were delivered',
  },
};

export const LIST_LABELS: Record<Locale, ListLabels> = {
  'zh-CN': { retain: '保留', in: '接收', out: '发送', more: '展开', less: '收起', notJson: '⚠ 不是有效的 JSON，按原文显示', empty: '暂无消息' },
  en: { retain: 'Retained', in: 'In', out: 'Out', more: 'More', less: 'Less', notJson: '⚠ Not valid JSON, shown as is', empty: 'No messages yet' },
};
