/**
 * The two components' WXSS: light and dark palettes (the media query and the forced .--dark class
 * say the same), every colour from a public --mqtt-* variable documented in the README, and touch
 * targets of at least 88 rpx.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (name: string): string => fs.readFileSync(path.join(ROOT, 'components', name, 'index.wxss'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');

describe.each([
  ['mqtt-panel', 'mp'],
  ['message-list', 'ml'],
])('%s', (name, prefix) => {
  const wxss = read(name);
  /** `--x: value` declarations of the block opened by `opener`. */
  const block = (opener: string): Map<string, string> => {
    const start = wxss.indexOf(opener);
    if (start < 0) throw new Error(`${name}/index.wxss has no "${opener}"`);
    const body = wxss.slice(start + opener.length, wxss.indexOf('}', start));
    return new Map([...body.matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)].map((m) => [m[1], m[2].trim()]));
  };
  const light = block(`.${prefix},\n.${prefix}.${prefix}--light {`);
  const media = block(`@media (prefers-color-scheme: dark) {\n  .${prefix} {`);
  const forced = block(`.${prefix}.${prefix}--dark {`);
  const publicName = (value: string): string => /^var\((--mqtt-[\w-]+), /.exec(value)?.[1] ?? `not a var(): ${value}`;

  it('the forced dark block says exactly what the media query says', () => {
    expect([...forced]).toEqual([...media]);
  });

  it('light and dark set the same variables, each from a public --mqtt-* with a default of its own', () => {
    expect(light.size).toBeGreaterThan(8);
    expect([...media.keys()]).toEqual([...light.keys()]);
    for (const [key, value] of [...light, ...media]) {
      expect(key.startsWith(`--${prefix}-`)).toBe(true);
      expect(value).toMatch(/^var\(--mqtt-[\w-]+, .+\)$/);
    }
    for (const key of light.keys()) expect(publicName(media.get(key)!)).toBe(publicName(light.get(key)!));
    // dark really differs: background, text and muted text at least
    for (const key of [`--${prefix}-bg`, `--${prefix}-text`, `--${prefix}-muted`]) expect(media.get(key)).not.toBe(light.get(key));
  });

  it('outside the palettes no colour is written out: every colour comes from a variable', () => {
    const rest = wxss
      .replace(/\.\w+,\n\.\w+\.\w+--light \{[^}]*\}/, '')
      .replace(/@media \(prefers-color-scheme: dark\) \{[^}]*\}\s*\}/, '')
      .replace(/\.\w+\.\w+--dark \{[^}]*\}/, '');
    expect(rest).not.toMatch(/#[0-9a-f]{3,6}\b|rgba?\(/i);
  });

  it('every public variable is in the README theming table', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const names = new Set([...wxss.matchAll(/var\((--mqtt-[\w-]+)/g)].map((m) => m[1]));
    expect(names.size).toBeGreaterThan(8);
    for (const variable of names) expect(readme).toMatch(new RegExp(`^\\| \`${variable}\` \\|`, 'm'));
  });
});

it('touch targets: buttons, QoS choices, the retain toggle, inputs and list rows are at least 88 rpx tall', () => {
  const minHeight = (css: string, selector: string): number => {
    const body = new RegExp(`(?:^|\\n)${selector.replace(/\./g, '\\.')} \\{([^}]*)\\}`).exec(css)?.[1] ?? '';
    return Number(/(?:^|\s)min-height: (\d+)rpx/.exec(body)?.[1] ?? 0);
  };
  const panel = read('mqtt-panel');
  for (const selector of ['.mp .mp__button', '.mp__chip', '.mp__toggle', '.mp__input']) expect([selector, minHeight(panel, selector)]).toEqual([selector, 88]);
  expect(minHeight(read('message-list'), '.ml__item')).toBe(88);
});

it('long topics, payloads and errors wrap anywhere; flex children may shrink (no overflow at 320 px)', () => {
  const rule = (css: string, selector: string): string => new RegExp(`(?:^|\\n)${selector.replace(/\./g, '\\.')} \\{([^}]*)\\}`).exec(css)?.[1] ?? '';
  const panel = read('mqtt-panel');
  const list = read('message-list');
  // word-break: break-all, not overflow-wrap: anywhere, which Skyline lacks (skyline-style.test.ts): the
  // error line's words break too, as Chinese text does anyway
  for (const [css, selector] of [[list, '.ml__item'], [panel, '.mp__value'], [panel, '.mp__sub'], [panel, '.mp__payload'], [panel, '.mp__error']]) {
    expect([selector, rule(css, selector)]).toEqual([selector, expect.stringContaining('word-break: break-all;')]);
  }
  for (const [css, selector] of [[list, '.ml__item'], [list, '.ml__topic'], [panel, '.mp__input'], [panel, '.mp__row'], [panel, '.mp__segments']]) {
    expect([selector, rule(css, selector)]).toEqual([selector, expect.stringContaining('min-width: 0;')]);
  }
});
