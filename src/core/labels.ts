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
  /** {count} queues other connections left, {queues}: their clientIds and urls (STORAGE_FOREIGN at createClient). */
  FOREIGN_QUEUES: string;
  /** {count}: messages in queues no run touched for persist.maxAge, {days}: maxAge in days (QUEUE_EXPIRED at createClient). */
  QUEUE_AGED: string;
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

/** A label table whose every text is `zh-CN text|en text`. */
type Pairs<T> = { [K in keyof T]: T[K] extends string ? string : Pairs<T[K]> };

/** The texts of one side (0: zh-CN, 1: en) of a table of pairs, same keys in the same order. */
function side(pairs: object, i: number): unknown {
  const texts: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pairs)) texts[key] = typeof value === 'string' ? value.split('|')[i] : side(value as object, i);
  return texts;
}

/** Both locales' tables from one table of pairs: each key written once rather than once per locale. */
function byLocale<T>(pairs: Pairs<T>): Record<Locale, T> {
  return { 'zh-CN': side(pairs, 0) as T, en: side(pairs, 1) as T };
}

export const PANEL_LABELS: Record<Locale, PanelLabels> = byLocale<PanelLabels>({
  status: { idle: '未连接|Idle', connecting: '连接中|Connecting', connected: '已连接|Connected', reconnecting: '重连中|Reconnecting', offline: '离线|Offline', closed: '已断开|Closed' },
  host: '地址|Host', port: '端口|Port', path: '路径|Path', username: '用户名|Username', password: '密码|Password', randomId: '留空自动生成|empty = random',
  connect: '连接|Connect', reconnect: '重新连接|Reconnect', disconnect: '断开|Disconnect', topic: '订阅主题|Topic', subscribe: '订阅|Subscribe', unsubscribe: '取消订阅|Unsubscribe',
  pubTopic: '发布主题|Publish to', payload: '消息内容|Payload', retain: '保留|Retain', publish: '发布|Publish', sharedClient: '客户端|Client',
  userProperties: '用户属性|User properties', propertyName: '名称|Name', propertyValue: '值|Value', addRow: '添加|Add', removeRow: '删除|Remove', contentType: '内容类型|Content type',
  messageExpiry: '过期时间|Expiry', seconds: '秒|seconds', responseTopic: '响应主题|Response topic', correlationData: '关联数据|Correlation data', fix: '处理：|Fix: ',
  a11y: {
    status: '连接状态：|Connection status: ', received: '已接收|Received', sent: '已发送|sent', comma: '，|, ',
    host: '服务器地址|Broker host', port: '端口|Port', path: 'WebSocket 路径|WebSocket path', clientId: '客户端 ID，留空自动生成|Client ID, empty for a random one', username: '用户名|Username', password: '密码|Password', passwordSet: '，已设置|, set',
    connect: '连接服务器|Connect to the broker', reconnect: '用输入的参数重新连接|Reconnect with what is typed', disconnect: '断开连接|Disconnect',
    topic: '订阅主题，可含通配符|Topic to subscribe, wildcards allowed', subscribe: '订阅|Subscribe to', unsubscribe: '取消订阅|Unsubscribe',
    qos: '服务质量 QoS|Quality of service', qosLevels: { 0: 'QoS 0，最多一次|QoS 0, at most once', 1: 'QoS 1，至少一次|QoS 1, at least once', 2: 'QoS 2，只有一次|QoS 2, exactly once' },
    pubTopic: '发布主题，留空则用订阅主题|Topic to publish to, empty for the subscribed topic', payload: '消息内容|Payload', retain: '保留消息|Retain the message', publish: '发布到|Publish to',
    propertyName: '用户属性名称|User property name', propertyValue: '用户属性值|User property value', addRow: '添加一行用户属性|Add a user property row', removeRow: '删除用户属性|Remove user property',
    contentType: '内容类型|Content type', messageExpiry: '消息过期时间，单位秒|Message expiry in seconds', responseTopic: '响应主题|Response topic', correlationData: '关联数据|Correlation data',
    errors: { connection: '连接出错：|Connection error: ', subscribe: '订阅出错：|Subscribe error: ', publish: '发布出错：|Publish error: ' }, fix: '。处理：|. Fix: ',
  },
});

export const WARNING_TEXTS: Record<Locale, WarningTexts> = byLocale<WarningTexts>({
  INSECURE_TRANSPORT: '正在使用不加密的 ws:// 连接非本机地址；真机只允许 wss://|Using unencrypted ws:// to a non-loopback host; real devices only allow wss://',
  SHARED_CONNECTION_OPTIONS: '与参数不同的客户端共享连接：keepalive、clean、will 与超时以最先连接的为准|Shared connection with different options: the first client’s keepalive, clean, will and timeouts apply',
  SESSION_LOST: '服务器端会话已结束：{resent} 条未确认的 QoS 1/2 消息已重发（QoS 2 可能重复），{released} 条已被服务器接收的 QoS 2 消息视为送达，{delivered} 条等待释放的 QoS 2 消息已交付|The broker’s session ended: {resent} unacknowledged QoS 1/2 publishes were sent again (QoS 2 may arrive twice), {released} QoS 2 publishes the broker had taken count as delivered, {delivered} QoS 2 messages awaiting release were delivered',
  QUEUE_RESTORED: '从本地存储恢复了上次未送达的 {count} 条 QoS 1/2 消息，连接后发送|Restored {count} undelivered QoS 1/2 messages from local storage; they are sent once connected',
  QUEUE_EXPIRED: '{count} 条保存的消息已超过 messageExpiryInterval，已丢弃|{count} stored messages outlived their messageExpiryInterval and were dropped',
  QUEUE_DISCARDED: 'clean 为 true：丢弃了本地存储中上次未送达的 {count} 条消息|clean is true: dropped {count} undelivered messages kept in local storage',
  STORAGE_CORRUPTED: '本地存储中的 {count} 项消息数据无法读取，已丢弃|{count} stored message items could not be read and were dropped',
  STORAGE_FOREIGN: '本地存储中的消息属于另一个连接（clientId {clientId}），已丢弃|The stored messages belong to another connection (clientId {clientId}) and were dropped',
  FOREIGN_QUEUES: '本地存储中有其他连接留下的 {count} 个待发队列（{queues}），本客户端不会发送它们；用 storedQueues() 查看，discardStoredQueue(key) 删除|Local storage holds {count} queues left by other connections ({queues}); this client does not send them. List them with storedQueues(), remove one with discardStoredQueue(key)',
  QUEUE_AGED: '删除了超过 persist.maxAge（{days} 天）无人使用的保存队列中的 {count} 条消息|Removed {count} messages of stored queues no run used for persist.maxAge ({days} days)',
  TCP_BUDGET: '微信 5 分钟内最多创建 20 个 TCPSocket：{seconds} 秒后再连接|WeChat allows 20 TCPSockets in 5 minutes: trying again in {seconds} s',
});

export const LIST_LABELS: Record<Locale, ListLabels> = byLocale<ListLabels>({
  retain: '保留|Retained', in: '接收|In', out: '发送|Out', more: '展开|More', less: '收起|Less', notJson: '⚠ 不是有效的 JSON，按原文显示|⚠ Not valid JSON, shown as is', empty: '暂无消息|No messages yet',
  emptyHint: '订阅主题后，收到和发出的消息会显示在这里|Messages received and sent appear here once you subscribe',
  a11y: { list: '消息列表|Messages', topic: '主题|Topic', payload: '内容|payload', time: '时间|time', comma: '，|, ', emptyPayload: '空|empty', retained: '保留消息|retained', in: '收到|received', out: '发出|sent', expand: '点按展开全文|tap to show all', collapse: '点按收起|tap to fold' },
});
