/**
 * Turns a rendered component tree (miniprogram-simulate's toJSON: the real WXML as the components
 * produce it) and the real WXSS into a static HTML page Chromium can draw. rpx → px for the drawn
 * screen width (750 rpx = the screen, as WeChat scales them: 0.5 px at 375 px, 0.4267 px at 320 px).
 */
import * as fs from 'fs';

export interface TreeNode {
  tagName: string;
  attrs: { name: string; value: unknown }[];
  children: (TreeNode | string)[];
}

const TAGS: Record<string, string> = {
  'wx-view': 'div',
  'wx-text': 'span',
  'wx-button': 'button',
  'wx-input': 'input',
  'wx-textarea': 'textarea',
  'wx-scroll-view': 'div',
  'wx-switch': 'span',
};
const VOID = new Set(['input']);
const escape = (value: unknown): string =>
  String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** WXML attributes that mean the same in HTML: accessibility (aria-*, role) and id. */
const PASSED = /^(aria-[a-z]+|role|id)$/;

export function toHtml(node: TreeNode | string): string {
  if (typeof node === 'string') return escape(node);
  const tag = TAGS[node.tagName] ?? 'div';
  const attr = (name: string) => node.attrs.find((a) => a.name === name)?.value;
  const classes = [`wx-${node.tagName.replace(/^wx-/, '')}`, attr('class')].filter(Boolean).join(' ');
  let html = `<${tag} class="${escape(classes)}"`;
  const style = attr('style');
  if (style) html += ` style="${escape(style)}"`;
  for (const { name, value } of node.attrs) {
    if (PASSED.test(name) && value !== undefined && value !== '' && value !== false) html += ` ${name}="${escape(value)}"`;
  }
  if (node.tagName === 'wx-input') {
    const value = attr('value');
    if (value !== undefined && value !== '') html += ` value="${escape(value)}"`;
    const placeholder = attr('placeholder');
    if (placeholder) html += ` placeholder="${escape(placeholder)}"`;
    if (attr('password')) html += ' type="password"';
  }
  if (node.tagName === 'wx-textarea') {
    const placeholder = attr('placeholder');
    if (placeholder) html += ` placeholder="${escape(placeholder)}"`;
  }
  if (node.tagName === 'wx-switch' && attr('checked')) html = html.replace('class="', 'class="is-checked ');
  html += '>';
  if (VOID.has(tag)) return html;
  if (node.tagName === 'wx-textarea') return `${html}${escape(attr('value') ?? '')}</${tag}>`;
  // WeChat's <text space="nbsp"> keeps runs of spaces (and, like every <text>, line breaks: pre-line above)
  const nbsp = node.tagName === 'wx-text' && attr('space') === 'nbsp';
  return `${html}${node.children.map((c) => (nbsp && typeof c === 'string' ? toHtml(c).replace(/ /g, '&nbsp;') : toHtml(c))).join('')}</${tag}>`;
}

/** Screen widths the previews are drawn at (CSS px): a common phone and the narrowest WeChat supports well. */
export const WIDTHS = [375, 320] as const;
export type Width = (typeof WIDTHS)[number];

/** rpx → px for a screen `width` px wide (WeChat: 750 rpx is the screen width). */
export const rpxToPx = (css: string, width: number = 375): string =>
  css.replace(/(-?\d*\.?\d+)rpx/g, (_m, n: string) => `${+((Number(n) * width) / 750).toFixed(4)}px`);

/**
 * What WeChat's built-in components look like by default, close enough for a picture, in light and
 * in dark mode. Dark values are WeUI's dark theme (Tencent/weui-wxss src/style/base/theme/vars/dark.less
 * and weui's --weui-BTN-DEFAULT-* in dark), which WeChat's base components follow when a
 * mini-program declares "darkmode": true: page #111 (BG-0), surfaces #191919 (BG-2), text
 * rgba(255,255,255,.8) (FG-0), default button rgba(255,255,255,.08) with rgba(255,255,255,.8) text.
 * Light button/switch values are the style-v1 built-ins the pictures have always used.
 *
 * Determinism: fonts are pinned to Debian's fonts-wqy-microhei (Menlo/Consolas, which WXSS asks
 * for and Linux lacks, resolve to WenQuanYi Micro Hei Mono instead of whatever `monospace` is on the
 * machine), and nothing animates or blinks.
 */
const BASE = `
@font-face { font-family: Menlo; src: local("WenQuanYi Micro Hei Mono"), local("WenQuanYiMicroHeiMono"); }
@font-face { font-family: Consolas; src: local("WenQuanYi Micro Hei Mono"), local("WenQuanYiMicroHeiMono"); }
:root { color-scheme: light; --wx-page-bg: #f2f3f5; --wx-text: #000; --wx-btn-bg: #f8f8f8; --wx-btn-text: #000; --wx-btn-border: rgba(0,0,0,.1);
  --wx-switch-off: #dfdfdf; --wx-switch-knob: #fff; --wx-input-text: inherit; --wx-placeholder: #808080; }
@media (prefers-color-scheme: dark) {
  :root { color-scheme: dark; --wx-page-bg: #111111; --wx-text: rgba(255,255,255,.8); --wx-btn-bg: rgba(255,255,255,.08); --wx-btn-text: rgba(255,255,255,.8);
    --wx-btn-border: rgba(255,255,255,.1); --wx-switch-off: rgba(255,255,255,.15); --wx-switch-knob: #fff; --wx-placeholder: rgba(255,255,255,.5); }
}
*, *::before, *::after { box-sizing: border-box; animation: none !important; transition: none !important; caret-color: transparent !important; }
html { background: var(--wx-page-bg); }
body { margin: 0; font-family: -apple-system, "PingFang SC", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; font-size: 16px; background: var(--wx-page-bg); color: var(--wx-text); overflow-x: hidden; }
:where(div, span) { display: block; }
:where(span.wx-text) { display: inline; white-space: pre-line; }
:where(button.wx-button) { display: inline-block; padding: 0 12px; height: 30px; line-height: 30px; font-size: 13px; border-radius: 5px; border: 1px solid var(--wx-btn-border); background: var(--wx-btn-bg); color: var(--wx-btn-text); font-family: inherit; }
:where(input.wx-input, textarea.wx-textarea) { display: block; font: inherit; font-size: 13px; color: inherit; background: transparent; }
textarea.wx-textarea { resize: none; }
::placeholder { color: var(--wx-placeholder); opacity: 1; }
:where(span.wx-switch) { display: inline-block; width: 42px; height: 26px; border-radius: 13px; background: var(--wx-switch-off); position: relative; }
span.wx-switch::after { content: ""; position: absolute; top: 2px; left: 2px; width: 22px; height: 22px; border-radius: 50%; background: var(--wx-switch-knob); box-shadow: 0 1px 3px rgba(0,0,0,.3); }
span.wx-switch.is-checked { background: #07c160; }
span.wx-switch.is-checked::after { left: 18px; }
:where(div.wx-scroll-view) { overflow: hidden; }
`;

export interface PageOptions {
  /** Screen width in CSS px; rpx scale with it. Default 375. */
  width?: number;
  /** Extra CSS after the WXSS, rpx allowed (a wrapper for a bare component). */
  css?: string;
}

export function page(tree: TreeNode, wxssFiles: string[], options: PageOptions = {}): string {
  const width = options.width ?? 375;
  const css = wxssFiles.map((f) => rpxToPx(fs.readFileSync(f, 'utf8').replace(/(^|[\s,}])page\b/gm, '$1body'), width)).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=${width}"><style>${BASE}\nbody { width: ${width}px; }\n${css}\n${rpxToPx(options.css ?? '', width)}</style></head><body>${toHtml(tree)}</body></html>`;
}
