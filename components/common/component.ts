/**
 * What every component of the package shares, once (in the manner of vant-weapp's
 * common/component.ts): the `custom-class` external class, the `locale` and `theme` properties
 * (their WXML reads `theme`: 'auto' follows prefers-color-scheme, 'light' or 'dark' forces one)
 * `labels` following `locale` (mixins/localized) and `renderer`, 'skyline' or 'webview'
 * (mixins/renderer). Each component still lists `locale` and
 * `theme` in its own properties, as copies of LOCALE and THEME: its public table.
 */
import { assign } from '../../src/ui';
import type { Locale } from '../../src/ui';
import { localized } from '../mixins/localized';
import { rendered } from '../mixins/renderer';

type C = WechatMiniprogram.Component.DataOption;
type P = WechatMiniprogram.Component.PropertyOption;
type M = WechatMiniprogram.Component.MethodOption;
type B = WechatMiniprogram.Component.BehaviorOption;

/** 'zh-CN' or 'en': visible and screen-reader texts. */
export const LOCALE = { type: String, value: 'zh-CN' };
/** 'auto' follows the system (prefers-color-scheme); 'light' or 'dark' forces one. */
export const THEME = { type: String, value: 'auto' };

/** Component(options) with the shared parts added; `labels` is the component's label table. */
export function mqttComponent<TData extends C, TProperty extends P, TMethod extends M, TBehavior extends B = []>(
  labels: Record<Locale, object>,
  options: WechatMiniprogram.Component.Options<TData, TProperty, TMethod, TBehavior>,
): void {
  Component(assign({}, options, {
    externalClasses: ['custom-class', ...(options.externalClasses ?? [])],
    behaviors: [localized(labels), rendered, ...(options.behaviors ?? [])],
  }) as unknown as WechatMiniprogram.Component.Options<TData, TProperty, TMethod, TBehavior>);
}
