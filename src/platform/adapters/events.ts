/** App hide/show and network events of a platform API, in the shape the platform layer listens to. */
import type { NetworkStatus, PlatformWx } from '../wx';

type Callback = (res: unknown) => void;

interface AppEvents {
  onAppShow?(cb: Callback): void;
  offAppShow?(cb: Callback): void;
  onAppHide?(cb: Callback): void;
  offAppHide?(cb: Callback): void;
}

type Life = Pick<PlatformWx, 'onAppShow' | 'offAppShow' | 'onAppHide' | 'offAppHide'>;

/** The API's own onAppShow/onAppHide (and off…), where it has them; absent otherwise. */
export function plainListeners(api: AppEvents): Life {
  const life: Life = {};
  if (typeof api.onAppShow === 'function') life.onAppShow = (l) => api.onAppShow!(l);
  if (typeof api.offAppShow === 'function') life.offAppShow = (l) => api.offAppShow!(l);
  if (typeof api.onAppHide === 'function') life.onAppHide = (l) => api.onAppHide!(l);
  if (typeof api.offAppHide === 'function') life.offAppHide = (l) => api.offAppHide!(l);
  return life;
}

interface NetworkApi<R> {
  onNetworkStatusChange?(cb: (res: R) => void): void;
  offNetworkStatusChange?(cb: (res: R) => void): void;
}

/** onNetworkStatusChange with each platform's result turned into WeChat's `{isConnected, networkType}`. */
export function networkEvents<R>(api: NetworkApi<R>, normalize: (res: R) => NetworkStatus): Pick<PlatformWx, 'onNetworkStatusChange' | 'offNetworkStatusChange'> {
  if (typeof api.onNetworkStatusChange !== 'function') return {};
  const wrapped = new Map<(res: NetworkStatus) => void, (res: R) => void>();
  return {
    onNetworkStatusChange: (l) => {
      const w = (res: R): void => l(normalize(res));
      wrapped.set(l, w);
      api.onNetworkStatusChange!(w);
    },
    offNetworkStatusChange: (l) => {
      const w = wrapped.get(l);
      wrapped.delete(l);
      if (w && typeof api.offNetworkStatusChange === 'function') api.offNetworkStatusChange(w);
    },
  };
}

/** WeChat's own shape, where a platform reports it alike (isConnected missing on Douyin: assumed true unless type is none). */
export const wechatNetwork = (res: { isConnected?: boolean; networkType?: string }): NetworkStatus => ({
  isConnected: res.isConnected ?? res.networkType !== 'none',
  networkType: String(res.networkType ?? 'unknown'),
});
