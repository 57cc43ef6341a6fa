/**
 * Both components' WXSS and WXML against what Skyline does not support (test/support/skyline.ts,
 * from the official skyline/wxss and skyline/component pages): a violation fails with its file,
 * line and rule. The checker itself is shown catching each rule on a sample.
 */
import * as fs from 'fs';
import * as path from 'path';
import { checkWxml, checkWxss, describeViolations } from '../support/skyline';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

describe.each(['mqtt-panel', 'message-list'])('<%s>', (name) => {
  const wxss = `components/${name}/index.wxss`;
  const wxml = `components/${name}/index.wxml`;

  it('WXSS uses only selectors, properties and values Skyline supports', () => {
    expect(describeViolations(checkWxss(wxss, read(wxss), read(wxml)))).toBe('');
  });

  it('WXML keeps inline text inside <text>', () => {
    expect(describeViolations(checkWxml(wxml, read(wxml)))).toBe('');
  });

  it('declares styleIsolation in its JSON (glass-easel reads it nowhere else)', () => {
    expect(JSON.parse(read(`components/${name}/index.json`)).styleIsolation).toBe('apply-shared');
    expect(read(`components/${name}/index.ts`)).not.toMatch(/styleIsolation|addGlobalClass/);
  });
});

describe('the Skyline demo page (demo/pages/skyline)', () => {
  it('its WXSS and WXML pass the same checks; its JSON asks for Skyline on glass-easel', () => {
    const dir = 'demo/pages/skyline/index';
    expect(describeViolations([...checkWxss(`${dir}.wxss`, read(`${dir}.wxss`), read(`${dir}.wxml`)), ...checkWxml(`${dir}.wxml`, read(`${dir}.wxml`))])).toBe('');
    expect(JSON.parse(read(`${dir}.json`))).toEqual(expect.objectContaining({ renderer: 'skyline', componentFramework: 'glass-easel', navigationStyle: 'custom' }));
    expect(JSON.parse(read('demo/app.json')).lazyCodeLoading).toBe('requiredComponents');
  });
});

describe('the checker', () => {
  it('names the file, line and rule of each kind of violation', () => {
    const css = [
      '* { color: red; }',
      '.a[data-x] { color: red; }',
      '.a + .b { color: red; }',
      '.a:active { color: red; }',
      '.a::placeholder { color: red; }',
      '@media (max-width: 100px) { .a { color: red; } }',
      '.a { display: inline-block; position: sticky; overflow: auto; white-space: pre-wrap; float: left; }',
      '.a { border: 1px solid currentColor; font-size: 1.2em; overflow-wrap: anywhere; }',
      '.v { text-overflow: ellipsis; }',
      '.a:first-child::after { display: flex; flex-direction: row; }',
      '.f { display: flex; }',
    ].join('\n');
    const rules = checkWxss('x.wxss', css, '<view class="v">a</view>').map((v) => `${v.line} ${v.rule.split(' (')[0]}`);
    expect(rules).toEqual([
      '1 universal selector `*`',
      '2 attribute selector',
      '3 combinator `+`',
      '4 pseudo-class :active',
      '5 pseudo-element ::placeholder',
      '6 @media other than prefers-color-scheme',
      '7 display: inline-block',
      '7 position: sticky',
      '7 overflow: auto',
      '7 white-space: pre-wrap',
      '7 property float',
      '8 currentColor in border',
      '8 em unit in font-size',
      '8 property overflow-wrap',
      '9 text-overflow on .v, used on <view>',
      '11 display: flex without flex-direction',
    ]);
    expect(checkWxml('x.wxml', '<view>\n  <text>ok {{a}}</text>\n  <view class="c">{{item}}</view>\n  <button>ok</button>\n</view>')).toEqual([
      { file: 'x.wxml', line: 3, rule: 'text directly inside <view> (W2: inline text only inside <text>)' },
    ]);
  });
});
