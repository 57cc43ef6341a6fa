/**
 * The README's uni-app and Taro quick starts are the example pages CI builds with the frameworks'
 * CLIs and runs on mosquitto (test/examples/*): each block must equal its file, byte for byte.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

it.each([
  ['vue', '<!-- ', ' -->', 'examples/uni-app/src/pages/quickstart/index.vue'],
  ['tsx', '// ', '', 'examples/taro/src/pages/quickstart/index.tsx'],
])("README's %s quick start equals its example page", (lang, open, close, file) => {
  const header = `\`\`\`${lang}\n${open}${file}${close}\n`;
  const start = readme.indexOf(header);
  expect(start).toBeGreaterThan(-1);
  const body = readme.slice(start + header.length, readme.indexOf('```', start + header.length));
  expect(body).toBe(fs.readFileSync(path.join(ROOT, file), 'utf8'));
});
