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
  /** Before an error's fix, under its message. */
  fix: string;
  /** What a screen reader says (aria-label) for each control and for the status, counts and error lines. */
  a11y: PanelA11yLabels;
}

/** aria-label texts of <mqtt-panel>. Some are completed in the template (a topic, a row number, a status). */
export interface PanelA11yLabels {
  /** Before the status text: "连接状态：已连接". */
  status: string;
  received: string;
  sent: string;
  /** Between the two counts. */
  comma: string;
  host: string;
  port: string;
  path: string;
  clientId: string;
  username: string;
  password: string;
  /** After `password` when one is set (the box shows dots, not the password). */
  passwordSet: string;
  connect: string;
  reconnect: string;
  disconnect: string;
  topic: string;
  /** Before the filter the button subscribes. */
  subscribe: string;
  unsubscribe: string;
  /** The QoS choice as a whole. */
  qos: string;
  /** Each QoS level, by its number. */
  qosLevels: { 0: string; 1: string; 2: string };
  pubTopic: string;
  payload: string;
  retain: string;
  /** Before the topic the button publishes to. */
  publish: string;
  /** Followed by the row's number: "用户属性名称 2". */
  propertyName: string;
  propertyValue: string;
  addRow: string;
  removeRow: string;
  contentType: string;
  messageExpiry: string;
  responseTopic: string;
  correlationData: string;
  /** Before an error line's message and fix, by where it happened. */
  errors: { connection: string; subscribe: string; publish: string };
  /** Between an error's message and its fix. */
  fix: string;
}

/** `warning` texts by code; SESSION_LOST fills {resent}, {released}, {delivered}; the storage ones {count} and {clientId}. */
export interface WarningTexts {
  INSECURE_TRANSPORT: string;
  SHARED_CONNECTION_OPTIONS: string;
  SESSION_LOST: string;
  /** {count}: QoS 1/2 messages a relaunch found in storage and sends. */
  QUEUE_RESTORED: string;
  /** {count}: stored messages whose messageExpiryInterval ran out before they could be sent. */
  QUEUE_EXPIRED: string;
  /** {count}: stored messages dropped because the connection starts clean. */
  QUEUE_DISCARDED: string;
  /** {count}: stored items that could not be read. */
  STORAGE_CORRUPTED: string;
  /** {clientId}: the connection the data under this connection's key belongs to. */
  STORAGE_FOREIGN: string;
  /** {seconds}: until the platform allows one more TCPSocket. */
  TCP_BUDGET: string;
}

export interface ListLabels {
  retain: string;
  in: string;
  out: string;
  more: string;
  less: string;
  notJson: string;
  empty: string;
  /** Under the default empty text: what will appear here. */
  emptyHint: string;
  /** What a screen reader says: the list, and the parts of each message's one aria-label. */
  a11y: {
    list: string;
    topic: string;
    payload: string;
    time: string;
    /** Between the parts of a message's label. */
    comma: string;
    /** A payload with no bytes. */
    emptyPayload: string;
    retained: string;
    in: string;
    out: string;
    /** After a long message's label: a tap shows it all, or folds it again. */
    expand: string;
    collapse: string;
  };
}

export const PANEL_LABELS: Record<Locale, PanelLabels> = {
  'zh-CN': {
    status: { idle: '未连接', connecting: '连接中', connected: '已连接', reconnecting: '重连中', offline: '离线', closed: '已断开' },
    host: '地址', port: '端口', path: '路径', username: '用户名', password: '密码', randomId: '留空自动生成',
    connect: '连接', reconnect: '重新连接', disconnect: '断开', topic: '订阅主题', subscribe: '订阅', unsubscribe: '取消订阅',
    pubTopic: '发布主题', payload: '消息内容', retain: '保留', publish: '发布', sharedClient: '客户端',
    userProperties: '用户属性', propertyName: '名称', propertyValue: '值', addRow: '添加', removeRow: '删除', contentType: '内容类型',
    messageExpiry: '过期时间', seconds: '秒', responseTopic: '响应主题', correlationData: '关联数据', fix: '处理：',
    a11y: {
      status: '连接状态：', received: '已接收', sent: '已发送', comma: '，',
      host: '服务器地址', port: '端口', path: 'WebSocket 路径', clientId: '客户端 ID，留空自动生成', username: '用户名', password: '密码', passwordSet: '，已设置',
      connect: '连接服务器', reconnect: '用输入的参数重新连接', disconnect: '断开连接',
      topic: '订阅主题，可含通配符', subscribe: '订阅', unsubscribe: '取消订阅',
      qos: '服务质量 QoS', qosLevels: { 0: 'QoS 0，最多一次', 1: 'QoS 1，至少一次', 2: 'QoS 2，只有一次' },
      pubTopic: '发布主题，留空则用订阅主题', payload: '消息内容', retain: '保留消息', publish: '发布到',
      propertyName: '用户属性名称', propertyValue: '用户属性值', addRow: '添加一行用户属性', removeRow: '删除用户属性',
      contentType: '内容类型', messageExpiry: '消息过期时间，单位秒', responseTopic: '响应主题', correlationData: '关联数据',
      errors: { connection: '连接出错：', subscribe: '订阅出错：', publish: '发布出错：' }, fix: '。处理：',
    },
  },
  en: {
    status: { idle: 'Idle', connecting: 'Connecting', connected: 'Connected', reconnecting: 'Reconnecting', offline: 'Offline', closed: 'Closed' },
    host: 'Host', port: 'Port', path: 'Path', username: 'Username', password: 'Password', randomId: 'empty = random',
    connect: 'Connect', reconnect: 'Reconnect', disconnect: 'Disconnect', topic: 'Topic', subscribe: 'Subscribe', unsubscribe: 'Unsubscribe',
    pubTopic: 'Publish to', payload: 'Payload', retain: 'Retain', publish: 'Publish', sharedClient: 'Client',
    userProperties: 'User properties', propertyName: 'Name', propertyValue: 'Value', addRow: 'Add', removeRow: 'Remove', contentType: 'Content type',
    messageExpiry: 'Expiry', seconds: 'seconds', responseTopic: 'Response topic', correlationData: 'Correlation data', fix: 'Fix: ',
    a11y: {
      status: 'Connection status: ', received: 'Received', sent: 'sent', comma: ', ',
      host: 'Broker host', port: 'Port', path: 'WebSocket path', clientId: 'Client ID, empty for a random one', username: 'Username', password: 'Password', passwordSet: ', set',
      connect: 'Connect to the broker', reconnect: 'Reconnect with what is typed', disconnect: 'Disconnect',
      topic: 'Topic to subscribe, wildcards allowed', subscribe: 'Subscribe to', unsubscribe: 'Unsubscribe',
      qos: 'Quality of service', qosLevels: { 0: 'QoS 0, at most once', 1: 'QoS 1, at least once', 2: 'QoS 2, exactly once' },
      pubTopic: 'Topic to publish to, empty for the subscribed topic', payload: 'Payload', retain: 'Retain the message', publish: 'Publish to',
      propertyName: 'User property name', propertyValue: 'User property value', addRow: 'Add a user property row', removeRow: 'Remove user property',
      contentType: 'Content type', messageExpiry: 'Message expiry in seconds', responseTopic: 'Response topic', correlationData: 'Correlation data',
      errors: { connection: 'Connection error: ', subscribe: 'Subscribe error: ', publish: 'Publish error: ' }, fix: '. Fix: ',
    },
  },
};

export const WARNING_TEXTS: Record<Locale, WarningTexts> = {
  'zh-CN': {
    INSECURE_TRANSPORT: '正在使用不加密的 ws:// 连接非本机地址；真机只允许 wss://',
    SHARED_CONNECTION_OPTIONS: '与参数不同的客户端共享连接：keepalive、clean、will 与超时以最先连接的为准',
    SESSION_LOST: '服务器端会话已结束：{resent} 条未确认的 QoS 1/2 消息已重发（QoS 2 可能重复），{released} 条已被服务器接收的 QoS 2 消息视为送达，{delivered} 条等待释放的 QoS 2 消息已交付',
    QUEUE_RESTORED: '从本地存储恢复了上次未送达的 {count} 条 QoS 1/2 消息，连接后发送',
    QUEUE_EXPIRED: '{count} 条保存的消息已超过 messageExpiryInterval，已丢弃',
    QUEUE_DISCARDED: 'clean 为 true：丢弃了本地存储中上次未送达的 {count} 条消息',
    STORAGE_CORRUPTED: '本地存储中的 {count} 项消息数据无法读取，已丢弃',
    STORAGE_FOREIGN: '本地存储中的消息属于另一个连接（clientId {clientId}），已丢弃',
    TCP_BUDGET: '微信 5 分钟内最多创建 20 个 TCPSocket：{seconds} 秒后再连接',
  },
  en: {
    INSECURE_TRANSPORT: 'Using unencrypted ws:// to a non-loopback host; real devices only allow wss://',
    SHARED_CONNECTION_OPTIONS: 'Shared connection with different options: the first client’s keepalive, clean, will and timeouts apply',
    SESSION_LOST: 'The broker’s session ended: {resent} unacknowledged QoS 1/2 publishes were sent again (QoS 2 may arrive twice), {released} QoS 2 publishes the broker had taken count as delivered, {delivered} QoS 2 messages awaiting release were delivered',
    QUEUE_RESTORED: 'Restored {count} undelivered QoS 1/2 messages from local storage; they are sent once connected',
    QUEUE_EXPIRED: '{count} stored messages outlived their messageExpiryInterval and were dropped',
    QUEUE_DISCARDED: 'clean is true: dropped {count} undelivered messages kept in local storage',
    STORAGE_CORRUPTED: '{count} stored message items could not be read and were dropped',
    STORAGE_FOREIGN: 'The stored messages belong to another connection (clientId {clientId}) and were dropped',
    TCP_BUDGET: 'WeChat allows 20 TCPSockets in 5 minutes: trying again in {seconds} s',
  },
};

export const LIST_LABELS: Record<Locale, ListLabels> = {
  'zh-CN': {
    retain: '保留', in: '接收', out: '发送', more: '展开', less: '收起', notJson: '⚠ 不是有效的 JSON，按原文显示', empty: '暂无消息',
    emptyHint: '订阅主题后，收到和发出的消息会显示在这里',
    a11y: { list: '消息列表', topic: '主题', payload: '内容', time: '时间', comma: '，', emptyPayload: '空', retained: '保留消息', in: '收到', out: '发出', expand: '点按展开全文', collapse: '点按收起' },
  },
  en: {
    retain: 'Retained', in: 'In', out: 'Out', more: 'More', less: 'Less', notJson: '⚠ Not valid JSON, shown as is', empty: 'No messages yet',
    emptyHint: 'Messages received and sent appear here once you subscribe',
    a11y: { list: 'Messages', topic: 'Topic', payload: 'payload', time: 'time', comma: ', ', emptyPayload: 'empty', retained: 'retained', in: 'received', out: 'sent', expand: 'tap to show all', collapse: 'tap to fold' },
  },
};
