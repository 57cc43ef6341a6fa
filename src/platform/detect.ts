/**
 * Which mini-program API the platform runs on. The native global wins inside frameworks (uni-app
 * compiled for WeChat has both `uni` and `wx`); Douyin and QQ also define a WeChat-compatible `wx`,
 * so they are asked first; a `tt` that says it is Feishu/Lark is used as WeChat-shaped, not Douyin's.
 * DingTalk's `dd` (asked before `my`) is Alipay-shaped. Kuaishou's `ks` and HarmonyOS atomic
 * services' `has` are WeChat-shaped and used as they are; JD's `jd` and Xiaohongshu's `xhs` are
 * WeChat-shaped around a socket that may be the one global socket (adapters/task-or-global.ts).
 * Globals are read with `typeof`: Douyin forbids touching globalThis.
 */
import { adaptAlipay, AlipayApi } from './adapters/alipay';
import { adaptBaidu, BaiduApi } from './adapters/baidu';
import { adaptDouyin, DouyinApi } from './adapters/douyin';
import { adaptTaro, adaptUni, FrameworkApi } from './adapters/frameworks';
import { adaptTaskOrGlobal, TaskOrGlobalApi, withGlobalSocketFallback } from './adapters/task-or-global';
import type { PlatformWx } from './wx';

type PlatformName = 'tt' | 'lark' | 'qq' | 'swan' | 'dd' | 'my' | 'ks' | 'xhs' | 'jd' | 'has' | 'wx' | 'uni' | 'Taro';

declare const tt: unknown, qq: unknown, swan: unknown, dd: unknown, my: unknown, ks: unknown, xhs: unknown, jd: unknown, has: unknown, wx: unknown, uni: unknown, Taro: unknown;

const DETECTION_ORDER: readonly PlatformName[] = ['tt', 'qq', 'swan', 'dd', 'my', 'ks', 'xhs', 'jd', 'has', 'wx', 'uni', 'Taro'];

function globalNamed(name: PlatformName): unknown {
  switch (name) {
    case 'tt':
      return typeof tt === 'undefined' ? undefined : tt;
    case 'qq':
      return typeof qq === 'undefined' ? undefined : qq;
    case 'swan':
      return typeof swan === 'undefined' ? undefined : swan;
    case 'dd':
      return typeof dd === 'undefined' ? undefined : dd;
    case 'my':
      return typeof my === 'undefined' ? undefined : my;
    case 'ks':
      return typeof ks === 'undefined' ? undefined : ks;
    case 'xhs':
      return typeof xhs === 'undefined' ? undefined : xhs;
    case 'jd':
      return typeof jd === 'undefined' ? undefined : jd;
    case 'has':
      return typeof has === 'undefined' ? undefined : has;
    case 'wx':
      return typeof wx === 'undefined' ? undefined : wx;
    case 'uni':
      return typeof uni === 'undefined' ? undefined : uni;
    default:
      return typeof Taro === 'undefined' ? undefined : Taro;
  }
}

const hasSockets = (api: unknown): boolean => typeof (api as { connectSocket?: unknown } | null)?.connectSocket === 'function';

export interface Platform {
  name: PlatformName;
  /** The platform's API in WeChat's shape. */
  api: PlatformWx;
  /** The API object it came from. */
  source: object;
}

const adapted = new WeakMap<object, Platform>();

/** The platform of a given API object: one of the globals, or recognised by what only it has. */
function nameOf(api: object): PlatformName {
  for (const name of DETECTION_ORDER) if (globalNamed(name) === api) return name;
  const hasMethod = (method: string): boolean => typeof (api as Record<string, unknown>)[method] === 'function';
  if (hasMethod('getEnv') && 'ENV_TYPE' in api) return 'Taro';
  if (hasMethod('$on') && hasMethod('$emit')) return 'uni';
  if (hasMethod('getAuthCode')) return 'my';
  if (hasMethod('getSwanId')) return 'swan';
  if (hasMethod('getEnvInfoSync')) return 'tt';
  if (isLark(api)) return 'lark';
  return 'wx';
}

/**
 * Feishu/Lark also runs mini-programs on `tt`: told from Douyin by its documented system info
 * (getSystemInfoSync().appName, "Lark" from Lark 3.5.0; Douyin's own list of appName values has
 * neither Feishu nor Lark).
 */
function isLark(api: object): boolean {
  try {
    const info = (api as { getSystemInfoSync?: () => { appName?: unknown } | undefined }).getSystemInfoSync?.();
    return /feishu|lark/i.test(String(info?.appName ?? ''));
  } catch {
    return false;
  }
}

function adapt(name: PlatformName, api: object, given: boolean): PlatformWx {
  // an object no global names: it may be a jd or xhs handed over on its own
  if (given && name === 'wx' && globalNamed('wx') !== api) return withGlobalSocketFallback(api as PlatformWx);
  switch (name) {
    // DingTalk is built on Alipay's runtime: its one global socket, base64 frames and {key, data} storage are Alipay's
    case 'dd':
    case 'my':
      return adaptAlipay(api as AlipayApi);
    case 'tt':
      return adaptDouyin(api as DouyinApi);
    // Feishu's SocketTask is WeChat's (string or ArrayBuffer frames, errMsg callbacks) without onError
    case 'lark':
      return api as PlatformWx;
    case 'swan':
      return adaptBaidu(api as BaiduApi);
    case 'jd':
    case 'xhs':
      return adaptTaskOrGlobal(api as TaskOrGlobalApi);
    case 'uni':
      return adaptUni(api as FrameworkApi);
    case 'Taro':
      return adaptTaro(api as FrameworkApi);
    default:
      return api as PlatformWx;
  }
}

/** `given` (any platform's API object), else the first global with sockets in DETECTION_ORDER. */
export function platformOf(given?: unknown): Platform | undefined {
  let source: object | undefined;
  let name: PlatformName | undefined;
  if (hasSockets(given)) {
    source = given as object;
    name = nameOf(source);
  } else {
    name = DETECTION_ORDER.find((n) => hasSockets(globalNamed(n)));
    source = name === undefined ? undefined : (globalNamed(name) as object);
  }
  if (!source || !name) return undefined;
  if (name === 'tt' && isLark(source)) name = 'lark';
  let platform = adapted.get(source);
  if (!platform) adapted.set(source, (platform = { name, api: adapt(name, source, source === given), source }));
  return platform;
}
