/** Helpers for the a11y and theme tests: the rendered tree as JSON, its attributes, and its controls. */
import type { Rendered } from '../support/simulate';

export interface JsonNode {
  tagName: string;
  attrs: { name: string; value: unknown }[];
  event: Record<string, unknown>;
  children: (JsonNode | string)[];
}

export const tree = (comp: Rendered): JsonNode => comp.toJSON() as unknown as JsonNode;
/** An attribute as written in WXML (`aria-role`); miniprogram-simulate stores it camel-cased (`ariaRole`). */
const camel = (name: string): string => name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
export const attr = (node: JsonNode, name: string): unknown => node.attrs.find((a) => camel(a.name) === camel(name))?.value;
export const classOf = (node: JsonNode): string => String(attr(node, 'class') ?? '');
export function walk(node: JsonNode, visit: (n: JsonNode) => void): void {
  visit(node);
  for (const child of node.children) if (typeof child !== 'string') walk(child, visit);
}
export function all(node: JsonNode, test: (n: JsonNode) => boolean): JsonNode[] {
  const found: JsonNode[] = [];
  walk(node, (n) => test(n) && found.push(n));
  return found;
}
export const byClass = (node: JsonNode, name: string): JsonNode[] => all(node, (n) => classOf(n).split(/\s+/).includes(name));
export const textOf = (node: JsonNode | string): string => (typeof node === 'string' ? node : node.children.map(textOf).join(''));

/** What a user can operate: the built-in form controls, and anything with a tap handler. */
const CONTROL_TAGS = ['wx-button', 'wx-input', 'wx-textarea', 'wx-switch', 'wx-slider', 'wx-checkbox', 'wx-radio', 'wx-picker'];
export const isControl = (n: JsonNode): boolean => CONTROL_TAGS.includes(n.tagName) || Object.keys(n.event ?? {}).some((e) => /tap$/.test(e));
const describeNode = (n: JsonNode): string => `<${n.tagName} class="${classOf(n)}">${textOf(n).slice(0, 30)}`;

/** Every control in the tree that lacks a non-empty aria-role or aria-label ([] when all is well). */
export function unlabelled(root: JsonNode): string[] {
  return all(root, isControl)
    .filter((n) => !String(attr(n, 'aria-role') ?? '').trim() || !String(attr(n, 'aria-label') ?? '').trim())
    .map(describeNode);
}

export { msg, T0 } from '../support/messages';
