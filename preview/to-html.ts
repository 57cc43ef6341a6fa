/**
 * Turns a rendered component tree (miniprogram-simulate's toJSON: the real WXML as the components
 * produce it) and the real WXSS into a static HTML page Chromium can draw. rpx → px for a 375 px screen.
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

export function toHtml(node: TreeNode | string): string {
  if (typeof node === 'string') return escape(node);
  const tag = TAGS[node.tagName] ?? 'div';
  const attr = (name: string) => node.attrs.find((a) => a.name === name)?.value;
  const classes = [`wx-${node.tagName.replace(/^wx-/, '')}`, attr('class')].filter(Boolean).join(' ');
  let html = `<${tag} class="${escape(classes)}"`;
  const style = attr('style');
  if (style) html += ` style="${escape(style)}"`;
  if (node.tagName === 'wx-input') {
    const value = attr('value');
    if (value !== undefined && value !== '') html += ` value="${escape(value)}"`;
    const placeholder = attr('placeholder');
    if (placeholder) html += ` placeholder="${escape(placeholder)}"`;
    if (attr('password')) html += ' type="password"';
  }
  if (node.tagName === 'wx-switch' && attr('checked')) html = html.replace('class="', 'class="is-checked ');
  html += '>';
  if (VOID.has(tag)) return html;
  if (node.tagName === 'wx-textarea') return `${html}${escape(attr('value') ?? '')}</${tag}>`;
  return `${html}${node.children.map(toHtml).join('')}</${tag}>`;
}

export const rpxToPx = (css: string): string => css.replace(/(-?\d*\.?\d+)rpx/g, (_m, n: string) => `${Number(n) / 2}px`);

/** What WeChat's built-in components look like by default, close enough for a picture. */
const BASE = `
* { box-sizing: border-box; }
body { margin: 0; font-family: -apple-system, "PingFang SC", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; font-size: 16px; background: #f2f3f5; width: 375px; overflow-x: hidden; }
:where(div, span) { display: block; }
:where(span.wx-text) { display: inline; }
:where(button.wx-button) { display: inline-block; padding: 0 12px; height: 30px; line-height: 30px; font-size: 13px; border-radius: 5px; border: 1px solid rgba(0,0,0,.1); background: #f8f8f8; color: #000; }
:where(input.wx-input, textarea.wx-textarea) { display: block; font: inherit; font-size: 13px; }
:where(span.wx-switch) { display: inline-block; width: 42px; height: 26px; border-radius: 13px; background: #dfdfdf; position: relative; }
span.wx-switch::after { content: ""; position: absolute; top: 2px; left: 2px; width: 22px; height: 22px; border-radius: 50%; background: #fff; box-shadow: 0 1px 3px rgba(0,0,0,.3); }
span.wx-switch.is-checked { background: #07c160; }
span.wx-switch.is-checked::after { left: 18px; }
:where(div.wx-scroll-view) { overflow: hidden; }
`;

export function page(tree: TreeNode, wxssFiles: string[]): string {
  const css = wxssFiles.map((f) => rpxToPx(fs.readFileSync(f, 'utf8').replace(/^page\b/gm, 'body'))).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><style>${BASE}\n${css}</style></head><body>${toHtml(tree)}</body></html>`;
}
