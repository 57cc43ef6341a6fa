/** Every error the library reports: a stable code, a message in zh-CN or en, and a fix when one exists. */

export type Locale = 'zh-CN' | 'en';

export type ErrorCode =
  | 'INVALID_OPTION'
  | 'INVALID_TOPIC'
  | 'INVALID_QOS'
  | 'INVALID_PAYLOAD'
  | 'PAYLOAD_TOO_LARGE'
  | 'NOT_CONNECTED'
  | 'OFFLINE_QUEUE_FULL'
  | 'CONNECT_TIMEOUT'
  | 'CONNECT_REFUSED'
  | 'NOT_AUTHORIZED'
  | 'CREDENTIALS_FAILED'
  | 'DOMAIN_NOT_ALLOWED'
  | 'SOCKET_LIMIT'
  | 'SUSPENDED'
  | 'TLS_ERROR'
  | 'SOCKET_ERROR'
  | 'FRAME_UNREADABLE'
  | 'SUBSCRIBE_REJECTED'
  | 'PUBLISH_REJECTED'
  | 'QUOTA_EXCEEDED'
  | 'SERVER_MOVED'
  | 'SERVER_DISCONNECT'
  | 'REQUEST_TIMEOUT'
  | 'MQTT5_REQUIRED'
  | 'HANDLER_ERROR'
  | 'PROTOCOL_ERROR'
  | 'CLIENT_ID_CONFLICT'
  | 'STORAGE_FULL'
  | 'STORAGE_ERROR'
  | 'DESTROYED'
  | 'NO_CLIENT'
  | 'UNSUPPORTED_PLATFORM'
  | 'INTERNAL';

/** What the engine knows about an error, before it is put into words for a locale. */
export interface ErrorInfo {
  code: ErrorCode;
  /** The option, argument or property at fault. */
  field?: string;
  /** What was expected of `field`, or another short technical reason. */
  reason?: string;
  /** CONNACK return code (MQTT 3.1.1) or reason code (MQTT 5). */
  returnCode?: number;
  /** WeChat's errMsg, kept as it was. */
  errMsg?: string;
  topic?: string;
  limit?: number;
  /** MQTT 5: the broker's Reason String. */
  reasonString?: string;
  /** MQTT 5: the server to use instead (0x9C / 0x9D). */
  serverReference?: string;
  /** The platform whose limit it is (its global: wx, tt, my …), for the wording only. */
  platform?: string;
}

/**
 * What the library throws and rejects with inside: a real Error carrying the ErrorInfo fields.
 * The client turns it into an MqttError (worded for the locale); event details stay plain objects.
 */
export class CodedError extends Error implements ErrorInfo {
  readonly code: ErrorCode;
  field?: string;
  reason?: string;
  returnCode?: number;
  errMsg?: string;
  topic?: string;
  limit?: number;
  reasonString?: string;
  serverReference?: string;
  platform?: string;

  constructor(info: ErrorInfo) {
    super(info.reason ? `${info.code}: ${info.reason}` : info.code);
    this.name = 'CodedError';
    this.code = info.code;
    copyDefined(this, info, INFO_FIELDS);
  }
}

/** A bad field, thrown inside a validator; `validated()` returns it as `{ ok: false, error: info }` (`info` stays a plain ErrorInfo). */
export class FieldError extends CodedError {
  constructor(readonly info: ErrorInfo) {
    super(info);
    this.name = 'FieldError';
  }
}

/** Throws the FieldError of an INVALID_OPTION. */
export const invalidField = (field: string, reason: string): never => {
  throw new FieldError({ code: 'INVALID_OPTION', field, reason });
};

/** Why an MQTT 5 option is refused at MQTT 3.1.1. */
export const MQTT5_ONLY = 'MQTT 5 only; set protocolVersion to 5';

/** Runs a validator: a FieldError it throws comes back as `{ ok: false, error }`; anything else is thrown on. */
export function validated<T>(run: () => T): T | { ok: false; error: ErrorInfo } {
  try {
    return run();
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, error: e.info };
    throw e;
  }
}

/** ErrorInfo's fields besides the code. */
const INFO_FIELDS = ['field', 'reason', 'returnCode', 'errMsg', 'topic', 'limit', 'reasonString', 'serverReference', 'platform'] as const;

/** An error detail's fields besides code and message, in the order details have always shown them. */
export const DETAIL_FIELDS = ['fix', 'field', 'returnCode', 'topic', 'limit', 'reasonString', 'serverReference'] as const;

/**
 * Object.assign under a short name, for the copies `{ ...a, b }` would make: the bundles target
 * ES2017, where esbuild writes object spread with helpers of its own (larger than one alias).
 */
export const assign = Object.assign;

/** What went wrong, in words: a thrown Error's message, anything else as a string. */
export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Copies onto `to` each of `keys` that `from` has a value for; returns `to`. */
export function copyDefined<T extends object>(to: T, from: object, keys: readonly string[]): T {
  for (const key of keys) {
    const value = (from as Record<string, unknown>)[key];
    if (value !== undefined) (to as Record<string, unknown>)[key] = value;
  }
  return to;
}

/** The `error` event detail, and what every method rejects with. */
export interface MqttErrorDetail {
  code: ErrorCode;
  message: string;
  fix?: string;
  field?: string;
  returnCode?: number;
  topic?: string;
  /** The limit that was hit (OFFLINE_QUEUE_FULL, PAYLOAD_TOO_LARGE, SOCKET_LIMIT, CONNECT_TIMEOUT, REQUEST_TIMEOUT). */
  limit?: number;
  /** MQTT 5: the Reason String the broker sent with `returnCode`. */
  reasonString?: string;
  /** MQTT 5 SERVER_MOVED: the server the broker named. */
  serverReference?: string;
}

/**
 * Each code's texts, `zh-CN message|zh-CN fix|en message|en fix` (an empty fix: none), in the order
 * ERROR_CODES lists them. Placeholders are filled by `fill()`; an absent value leaves nothing.
 * One string per code rather than a keyed table per locale: the codes once, and no quotes between.
 */
const TEXTS: Record<ErrorCode, string> = {
  STORAGE_FULL: '本地存储已满，待发消息只保存在内存中{errMsg}{why}|清理小程序的其他缓存（上限 10 MB，支付宝单条 200 KB）；存储恢复后会自动重新写入。|Local storage is full; pending messages are kept in memory only{errMsg}{why}|Free some of the mini-program’s storage (10 MB in all, 200 KB per item on Alipay); the library writes again once it can.',
  STORAGE_ERROR: '本地存储读写失败，待发消息只保存在内存中{errMsg}{why}|连接照常工作；小程序被关闭时内存中的消息会丢失。存储恢复后会自动重新写入。|Local storage failed; pending messages are kept in memory only{errMsg}{why}|The connection keeps working; messages in memory are lost if the app is closed. The library writes again once storage works.',
  INVALID_OPTION: '参数{field}无效{why}|按属性表检查该参数的类型与取值范围。|Invalid option{field}{why}|Check the type and range of this option in the properties table.',
  INVALID_TOPIC: '主题{topic}无效{why}|发布主题不能含 + 或 #；订阅过滤器中 # 只能在最后一级，+ 必须独占一级。|Invalid topic{topic}{why}|Publish topics cannot contain + or #; in filters # must be the last level and + a whole level.',
  INVALID_QOS: 'QoS 无效{why}|QoS 只能是 0、1 或 2。|Invalid QoS{why}|QoS must be 0, 1 or 2.',
  INVALID_PAYLOAD: '消息内容无效{why}|传入字符串、ArrayBuffer、TypedArray 或可 JSON 序列化的对象。|Invalid payload{why}|Pass a string, an ArrayBuffer, a typed array or a JSON-serialisable object.',
  PAYLOAD_TOO_LARGE: '消息内容过大（上限 {limit} 字节）{why}|拆分消息，或改用文件上传后只发布地址。|Payload too large (limit {limit} bytes){why}|Split the message, or upload the data elsewhere and publish its address.',
  NOT_CONNECTED: '尚未连接到服务器|先调用 connect()，等 connect 事件后再操作；QoS 1/2 消息可在重连期间排队。|Not connected to the broker|Call connect() and wait for the connect event; QoS 1/2 publishes are queued while reconnecting.',
  OFFLINE_QUEUE_FULL: '离线队列已满（上限 {limit}）{why}|等待重连完成后再发布，或减少离线期间的发布。|Offline queue is full (limit {limit}){why}|Wait for the reconnect, or publish less while offline.',
  CONNECT_TIMEOUT: '连接超时（{limit} ms）|检查服务器地址、端口与路径（EMQX 为 /mqtt），以及网络是否可用。|Connection timed out ({limit} ms)|Check host, port and path (EMQX uses /mqtt) and that the network is up.',
  CONNECT_REFUSED: '服务器拒绝连接{rc}{why}|检查协议版本与 clientId 是否被服务器接受。|Connection refused by the broker{rc}{why}|Check that the broker accepts this protocol version and clientId.',
  NOT_AUTHORIZED: '认证失败或无权限{rc}|检查用户名与密码，以及服务器的 ACL 设置。|Not authorized{rc}|Check username and password, and the broker ACL.',
  CREDENTIALS_FAILED: 'credentials() 没有给出可用的凭据，本次未发送 CONNECT{why}|检查 credentials 函数（取令牌的接口是否可用、返回值是否为 { username, password, expiresAt }）；库会按 reconnectPeriod 退避后再调用它。|credentials() gave no usable credentials; no CONNECT was sent{why}|Check the credentials function (is the token service up, does it return { username, password, expiresAt }?); the client calls it again after the reconnectPeriod back-off.',
  DOMAIN_NOT_ALLOWED: '域名不在小程序的 socket 合法域名列表中|在小程序管理后台「开发管理 → 开发设置 → 服务器域名」添加 wss:// 域名；开发时可在开发者工具勾选「不校验合法域名」。|The domain is not in the mini-program\'s socket domain list|Add the wss:// domain in the mini-program console (开发管理 → 开发设置 → 服务器域名); in DevTools you may tick 不校验合法域名 while developing.',
  SOCKET_LIMIT: 'WebSocket 连接数已达上限：{platform}最多同时 {limit} 个|{platform}的小程序同时最多只能有 {limit} 个 WebSocket：让多个组件使用相同的 host、port、path、clientId 与 username 以共享一个连接，或先关闭不用的连接。|Too many WebSocket connections: {platform} allows {limit} at once|{platform} lets a mini-program hold {limit} WebSocket(s) at once: give components the same host, port, path, clientId and username so they share one connection, or close unused ones.',
  SUSPENDED: '小程序在后台被挂起，网络接口不可用|无需处理：回到前台后会自动重连。|The mini-program is suspended in the background; network calls are not allowed|Nothing to do: the connection is restored when the app comes back to the foreground.',
  TLS_ERROR: 'TLS 握手失败|服务器证书须由受信任 CA 签发、支持 TLS 1.2 及以上且与域名匹配。|TLS handshake failed|The certificate must be issued by a trusted CA, match the domain, and the server must support TLS 1.2+.',
  SOCKET_ERROR: '网络连接出错{errMsg}|检查网络与服务器状态；组件会按 reconnectPeriod 自动重连。|Network error{errMsg}|Check the network and the broker; the component reconnects by reconnectPeriod.',
  FRAME_UNREADABLE: '平台交来的 WebSocket 消息无法读取，连接已关闭{why}|这是该平台（或它的这个版本）与本库之间的不兼容，不是网络问题：请把这条信息与平台、基础库版本一起提交 issue。客户端会按 reconnectPeriod 重连。|The platform handed over a WebSocket message that cannot be read; the socket was closed{why}|An incompatibility between this platform (or this version of it) and the library, not a network problem: please report this message with the platform and base library version. The client reconnects by reconnectPeriod.',
  SUBSCRIBE_REJECTED: '服务器拒绝订阅{topic}{rc}{why}|检查服务器 ACL 是否允许该主题。|The broker rejected the subscription{topic}{rc}{why}|Check that the broker ACL allows this topic.',
  PUBLISH_REJECTED: '服务器拒绝了发往{topic}的消息{rc}{why}|按原因码检查：0x87 无权限、0x90 主题名无效、0x99 载荷格式不符。|The broker refused the message to{topic}{rc}{why}|See the reason code: 0x87 not authorized, 0x90 topic name invalid, 0x99 payload format invalid.',
  QUOTA_EXCEEDED: '超出服务器配额{rc}{why}|降低发布或连接频率；服务器在限制这个客户端。|Quota exceeded{rc}{why}|Publish or connect less often; the broker is limiting this client.',
  SERVER_MOVED: '服务器要求改用另一台服务器{rc}{server}|连接 serverReference 指明的服务器（0x9C 永久、0x9D 临时），并把它加入 socket 合法域名；库不会自动切换。|The broker asks to use another server{rc}{server}|Connect to the server in serverReference (0x9C: for good, 0x9D: for now) and add it to the socket domain list; the library does not switch by itself.',
  SERVER_DISCONNECT: '服务器断开了连接{rc}{why}|会按 reconnectPeriod 自动重连；原因码说明了原因。|The broker closed the connection{rc}{why}|The client reconnects by reconnectPeriod; the reason code says why.',
  REQUEST_TIMEOUT: '请求{topic}在 {limit} ms 内没有响应|确认有响应方订阅了该主题，或调大 timeout。|No response to the request to{topic} within {limit} ms|Check that a responder is subscribed to the topic, or raise timeout.',
  MQTT5_REQUIRED: '{field}需要 MQTT 5|把 protocolVersion 设为 5（服务器须支持 MQTT 5）。|{field} needs MQTT 5|Set protocolVersion to 5 (the broker must support MQTT 5).',
  HANDLER_ERROR: 'respond() 的处理函数出错，请求{topic}没有得到响应{why}|在处理函数中捕获异常；返回 undefined 表示不响应。|The respond() handler threw; the request to{topic} got no response{why}|Catch errors in the handler; return undefined to send no response.',
  PROTOCOL_ERROR: '服务器发来不合 MQTT 协议的数据包{rc}{why}|连接已关闭并将按 reconnectPeriod 重连；请把这条信息转给服务器运维。|The broker sent a packet MQTT does not allow{rc}{why}|The connection was closed and reconnects by reconnectPeriod; pass this message to the broker’s operators.',
  CLIENT_ID_CONFLICT: 'clientId 被另一个客户端反复顶下线，已停止重连|每个客户端使用唯一的 clientId（留空则自动生成随机 id）。|Another client keeps taking over this clientId; reconnecting stopped|Give every client a unique clientId (leave it empty for a random one).',
  DESTROYED: '组件已销毁，连接已释放||The component was detached and its connection released|',
  UNSUPPORTED_PLATFORM: '此平台版本不能收发 MQTT 所需的二进制 WebSocket 帧{errMsg}|请用户升级 App 或基础库（百度 ≥ 1.9.4，uni-app App ≥ 2.2.6）；库不会重试。|This platform version cannot send the binary WebSocket frames MQTT needs{errMsg}|Ask users to update the app or base library (Baidu ≥ 1.9.4, uni-app App ≥ 2.2.6); the library does not retry.',
  NO_CLIENT: '没有名为{field}的客户端|先在 App 的 onLaunch 中调用 createClient({ name })；组件会在它创建后自动接上。|No client is named{field}|Call createClient({ name }) in App.onLaunch first; components attach as soon as it exists.',
  INTERNAL: 'miniprogram-mqtt 内部错误{why}|这是库的缺陷，不是网络问题：请把这条信息和复现步骤提交到 issue。|Internal error in miniprogram-mqtt{why}|This is a bug in the library, not a network problem: please report it with this message and the steps.',
};

/** Each platform global's name, `zh-CN|en`. */
const PLATFORM_NAMES: Record<string, string> = { wx: '微信|WeChat', qq: 'QQ|QQ', tt: '抖音|Douyin', lark: '飞书|Feishu/Lark', swan: '百度|Baidu', my: '支付宝|Alipay', dd: '钉钉|DingTalk', ks: '快手|Kuaishou', xhs: '小红书|Xiaohongshu', jd: '京东|JD', has: '鸿蒙元服务|HarmonyOS', uni: 'uni-app|uni-app', Taro: 'Taro|Taro' };

/** Concurrent sockets WeChat allows a mini-program; also the limit named when WeChat itself refuses one. */
export const WECHAT_SOCKET_LIMIT = 5;

function fill(template: string, info: ErrorInfo, locale: Locale): string {
  const quote = (s: string): string => (locale === 'en' ? ` "${s}"` : `「${s}」`);
  const parts: Record<string, string> = {
    field: info.field ? quote(info.field) : '',
    topic: info.topic === undefined ? '' : quote(info.topic),
    why: info.reason ? `: ${info.reason}` : '',
    rc: info.returnCode === undefined ? '' : ` (${info.returnCode >= 0x80 ? `0x${info.returnCode.toString(16)}` : info.returnCode})`,
    server: info.serverReference ? `${locale === 'en' ? ': ' : '：'}${info.serverReference}` : '',
    limit: String(info.limit ?? (info.code === 'SOCKET_LIMIT' ? WECHAT_SOCKET_LIMIT : '')),
    errMsg: info.errMsg ? `${locale === 'en' ? ': ' : '：'}${info.errMsg}` : '',
    platform: (PLATFORM_NAMES[info.platform ?? ''] ?? '本平台|this platform').split('|')[locale === 'en' ? 1 : 0],
  };
  return template.replace(/\{(\w+)\}/g, (_, key: string) => parts[key]);
}

export const ERROR_CODES = Object.keys(TEXTS) as ErrorCode[];

export function normalizeLocale(locale: unknown): Locale {
  return typeof locale === 'string' && locale.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

export function describeError(info: ErrorInfo, locale: Locale = 'zh-CN'): MqttErrorDetail {
  const [message, fix] = TEXTS[info.code].split('|').slice(locale === 'en' ? 2 : 0);
  const detail: MqttErrorDetail = { code: info.code, message: fill(message, info, locale) };
  if (fix) detail.fix = fill(fix, info, locale);
  return copyDefined(detail, info, DETAIL_FIELDS.slice(1));
}

export function isErrorInfo(value: unknown): value is ErrorInfo {
  return typeof value === 'object' && value !== null && typeof (value as ErrorInfo).code === 'string' && (value as ErrorInfo).code in TEXTS;
}

/** MQTT 3.1.1 CONNACK return codes and MQTT 5 reason codes that mean bad credentials or no permission. */
const AUTH_CODES = [4, 5, 0x86, 0x87, 0x8c];

/** What a broker's MQTT 5 reason code (≥ 0x80) on CONNACK, DISCONNECT, PUBACK or PUBREC means, as an error. */
export interface ReasonCodeInfo {
  returnCode: number;
  reasonString?: string;
  serverReference?: string;
}

function withReason(info: ErrorInfo, { reasonString, serverReference }: ReasonCodeInfo): ErrorInfo {
  if (reasonString !== undefined) {
    info.reasonString = reasonString;
    info.reason = reasonString;
  }
  if (serverReference !== undefined) info.serverReference = serverReference;
  return info;
}

/** Codes that name the cause whatever the packet: auth, quota, packet size, server moved, takeover. */
function commonCode(returnCode: number): ErrorCode | undefined {
  if (AUTH_CODES.includes(returnCode)) return 'NOT_AUTHORIZED';
  if (returnCode === 0x97) return 'QUOTA_EXCEEDED';
  if (returnCode === 0x95) return 'PAYLOAD_TOO_LARGE';
  if (returnCode === 0x9c || returnCode === 0x9d) return 'SERVER_MOVED';
  if (returnCode === 0x8e) return 'CLIENT_ID_CONFLICT';
  return undefined;
}

export function errorFromConnack(returnCode: number, reason: Omit<ReasonCodeInfo, 'returnCode'> = {}): ErrorInfo {
  const code = returnCode === 0x8e ? undefined : commonCode(returnCode);
  return withReason({ code: code ?? 'CONNECT_REFUSED', returnCode }, assign({ returnCode }, reason));
}

/** A server DISCONNECT (MQTT 5 §3.14.2.1). */
export function errorFromDisconnect(reason: ReasonCodeInfo): ErrorInfo {
  return withReason({ code: commonCode(reason.returnCode) ?? 'SERVER_DISCONNECT', returnCode: reason.returnCode }, reason);
}

/** A PUBACK or PUBREC reason code ≥ 0x80 for a publish to `topic`. */
export function errorFromPublishAck(reason: ReasonCodeInfo, topic: string): ErrorInfo {
  const code = reason.returnCode === 0x8e ? undefined : commonCode(reason.returnCode);
  return withReason({ code: code ?? 'PUBLISH_REJECTED', returnCode: reason.returnCode, topic }, reason);
}
