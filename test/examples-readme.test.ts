/**
 * The examples' own READMEs show their quick-start pages: each block must equal its file, byte for
 * byte. Source only (no build), so it runs in `npm test`; the built pages run in `npm run examples`.
 */
import * as fs from 'fs';
import * as path from 'path';

const EXAMPLES = path.resolve(__dirname, '..', 'examples');

it.each([
  ['uni-app', /```vue\n<!-- src\/pages\/quickstart\/index\.vue -->\n([\s\S]*?)```/, 'src/pages/quickstart/index.vue'],
  ['taro', /```tsx\n\/\/ src\/pages\/quickstart\/index\.tsx\n([\s\S]*?)```/, 'src/pages/quickstart/index.tsx'],
])("examples/%s/README.md's quick start is its page's source", (example, pattern, file) => {
  const readme = fs.readFileSync(path.join(EXAMPLES, example, 'README.md'), 'utf8');
  expect(pattern.exec(readme)?.[1]).toBe(fs.readFileSync(path.join(EXAMPLES, example, file), 'utf8'));
});
