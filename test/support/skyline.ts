/**
 * What WeChat's Skyline renderer does not support, as checks on a component's WXSS (parsed by
 * css-tree) and WXML. From the official pages, read July 2026:
 *   W1 developers.weixin.qq.com/miniprogram/dev/framework/runtime/skyline/wxss.html — selectors:
 *      type, .class, #id, `a, b`, `a > b`, `a b`; `~`, `+`, :not, :only-child, :empty need WeChat
 *      8.0.49 and :nth-child 8.0.50 (later than the 3.0.2 base library we support, 8.0.40); only
 *      :first-child / :last-child and ::before / ::after; no `*`, no attribute selectors; @media for
 *      dark mode only. Its property table is an allowlist: display none | flex | block, position
 *      relative | absolute | fixed, overflow hidden | visible, white-space normal | nowrap,
 *      word-break normal | break-all; no currentColor, no em; text-overflow and text-decoration-*
 *      act on text nodes only. Properties missing from the table (float, overflow-wrap, overflow-x/y …).
 *      Defaults: display flex, flex-direction column (WebView: block, row), so flex says its direction.
 *   W2 …/skyline/component.html — inline text only inside <text>.
 * Each finding names the file, the line and the rule broken.
 */
import * as csstree from 'css-tree';

export interface Violation {
  file: string;
  line: number;
  rule: string;
}

const PSEUDO_CLASSES = new Set(['first-child', 'last-child']);
const PSEUDO_ELEMENTS = new Set(['before', 'after']);
const UNSUPPORTED_PROPERTIES = new Set([
  'float', 'clear', 'contain', 'resize', 'writing-mode', 'direction', 'text-indent', 'text-transform', 'overflow-wrap', 'word-wrap',
  'overflow-x', 'overflow-y', 'text-decoration-thickness', 'background-attachment', 'background-clip', 'background-origin',
  'mask-origin', 'mask-clip', 'mask-mode', 'justify-items', 'list-style', 'list-style-type', 'list-style-image',
  'list-style-position', 'animation-play-state', 'grid', 'grid-template', 'grid-template-columns', 'grid-template-rows',
  'grid-area', 'grid-column', 'grid-row', 'vertical-align',
]);
/** Property → the only values Skyline takes (W1). */
const ALLOWED_VALUES: Record<string, string[]> = {
  display: ['none', 'flex', 'block'],
  position: ['relative', 'absolute', 'fixed'],
  overflow: ['hidden', 'visible'],
  'white-space': ['normal', 'nowrap'],
  'word-break': ['normal', 'break-all'],
  visibility: ['visible', 'hidden'],
};
const TEXT_ONLY = new Set(['text-overflow', 'text-decoration', 'text-decoration-line', 'text-decoration-style', 'text-decoration-color']);

/** Classes the WXML puts on each tag name (a class written inside {{…}} counts when quoted). */
function classesByTag(wxml: string): Map<string, Set<string>> {
  const byClass = new Map<string, Set<string>>();
  for (const m of wxml.matchAll(/<([\w-]+)\b[^>]*?\sclass="([^"]*)"/g)) {
    const names = m[2].replace(/\{\{|\}\}/g, ' ').match(/[a-z][\w-]*/gi) ?? [];
    for (const name of names) {
      if (!byClass.has(name)) byClass.set(name, new Set());
      byClass.get(name)!.add(m[1]);
    }
  }
  return byClass;
}

export function checkWxss(file: string, css: string, wxml = ''): Violation[] {
  const found: Violation[] = [];
  const report = (node: csstree.CssNode, rule: string): void => void found.push({ file, line: node.loc?.start.line ?? 0, rule });
  const ast = csstree.parse(css, { positions: true, filename: file });
  const tags = classesByTag(wxml);
  csstree.walk(ast, (node) => {
    if (node.type === 'TypeSelector' && node.name === '*') report(node, 'universal selector `*` (W1: not supported)');
    if (node.type === 'AttributeSelector') report(node, 'attribute selector (W1: not supported)');
    if (node.type === 'Combinator' && (node.name === '+' || node.name === '~')) report(node, `combinator \`${node.name}\` (W1: WeChat ≥ 8.0.49 only)`);
    if (node.type === 'PseudoClassSelector' && !PSEUDO_CLASSES.has(node.name)) report(node, `pseudo-class :${node.name} (W1: only :first-child and :last-child)`);
    if (node.type === 'PseudoElementSelector' && !PSEUDO_ELEMENTS.has(node.name)) report(node, `pseudo-element ::${node.name} (W1: only ::before and ::after)`);
    if (node.type === 'Atrule' && node.name === 'media' && !/^\(prefers-color-scheme:\s*(dark|light)\)$/.test(csstree.generate(node.prelude!).trim())) {
      report(node, '@media other than prefers-color-scheme (W1: dark mode only)');
    }
    if (node.type === 'Atrule' && !['media', 'keyframes', 'font-face'].includes(node.name)) report(node, `@${node.name} (W1: not supported)`);
    if (node.type !== 'Rule') return;
    const selector = csstree.generate(node.prelude);
    const declared = new Set<string>();
    csstree.walk(node.block, (d) => void (d.type === 'Declaration' && declared.add(d.property.toLowerCase())));
    csstree.walk(node.block, (declaration) => {
      if (declaration.type !== 'Declaration') return;
      const property = declaration.property.toLowerCase();
      if (property.startsWith('--')) return;
      const value = csstree.generate(declaration.value).trim();
      if (UNSUPPORTED_PROPERTIES.has(property)) report(declaration, `property ${property} (W1: not supported)`);
      const allowed = ALLOWED_VALUES[property];
      if (allowed && !allowed.includes(value.toLowerCase())) report(declaration, `${property}: ${value} (W1: only ${allowed.join(' | ')})`);
      // W1: Skyline's flex-direction defaults to column, WebView's to row: say which
      if (property === 'display' && value === 'flex' && !declared.has('flex-direction') && !declared.has('flex-flow')) report(declaration, 'display: flex without flex-direction (W1: the default is column in Skyline, row in WebView)');
      if (/\bcurrentcolor\b/i.test(value)) report(declaration, `currentColor in ${property} (W1: not supported)`);
      if (/\d(\.\d+)?em\b/.test(value)) report(declaration, `em unit in ${property} (W1: not supported)`);
      if (TEXT_ONLY.has(property)) {
        // each class the rule targets must sit only on <text> in the template
        for (const cls of selector.match(/\.[\w-]+(?=[^.\w-]*$)/g) ?? []) {
          const on = [...(tags.get(cls.slice(1)) ?? [])].filter((tag) => tag !== 'text');
          if (on.length > 0) report(declaration, `${property} on ${cls}, used on <${on.join('>, <')}> (W1: acts on <text> only)`);
        }
      }
    });
  });
  return found;
}

/** Elements whose own text Skyline shows: inline text elsewhere (a <view> holding text) is not laid out (W2). */
const TEXT_HOLDERS = new Set(['text', 'button', 'span', 'template', 'block', 'wxs', 'label-text']);

export function checkWxml(file: string, wxml: string): Violation[] {
  const found: Violation[] = [];
  const stack: string[] = [];
  const source = wxml.replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, ' '));
  const lineAt = (offset: number): number => source.slice(0, offset).split('\n').length;
  for (const m of source.matchAll(/<(\/?)([\w-]+)\b[^>]*?(\/?)>|([^<]+)/g)) {
    const [, closing, tag, selfClosing, text] = m;
    if (text !== undefined) {
      const parent = stack[stack.length - 1];
      if (text.trim() && parent !== undefined && !TEXT_HOLDERS.has(parent)) {
        found.push({ file, line: lineAt(m.index! + text.search(/\S/)), rule: `text directly inside <${parent}> (W2: inline text only inside <text>)` });
      }
    } else if (closing) stack.pop();
    else if (!selfClosing) stack.push(tag);
  }
  return found;
}

export const describeViolations = (violations: Violation[]): string => violations.map((v) => `${v.file}:${v.line} ${v.rule}`).join('\n');
