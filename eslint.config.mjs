import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const USE_CODED_ERROR = 'Throw and reject Errors: new CodedError({ code, … }) (src/core/errors.ts), not a plain object.';
/** An object literal, bare or through `as` / `satisfies` / `<T>`. */
const objectLiteral = (parent) => [
  `${parent} > ObjectExpression`,
  `${parent} > :matches(TSAsExpression, TSSatisfiesExpression, TSTypeAssertion) > ObjectExpression.expression`,
];
const NO_PLAIN_OBJECT_ERRORS = [
  ...objectLiteral('ThrowStatement'),
  // reject({…}), Promise.reject({…}), x.reject({…}), x?.reject({…})
  ...objectLiteral("CallExpression:matches([callee.name='reject'], [callee.property.name='reject'])"),
].map((selector) => ({ selector, message: USE_CODED_ERROR }));

export default tseslint.config(
  { ignores: ['node_modules/', 'miniprogram_dist/', 'demo/miniprogram_npm/', 'src/vendor/mqtt.js', 'coverage/', 'docs/', 'examples/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-nocheck': true, 'ts-ignore': true }],
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
    },
  },
  {
    // Errors are Errors: a thrown or rejected plain object has no stack and no `instanceof Error`.
    // (A later block that sets no-restricted-syntax for some of these files replaces this list: repeat it there.)
    files: ['src/**/*.ts', 'components/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...NO_PLAIN_OBJECT_ERRORS],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/platform/**', '**/platform', '**/vendor/**', 'mqtt', 'mqtt/**', '**/components/**'], message: 'src/core imports nothing: no wx, no mqtt, no platform.' }] },
      ],
      'no-restricted-globals': ['error', { name: 'wx', message: 'src/core must not touch wx.' }, 'getApp', 'Component', 'Page'],
    },
  },
  {
    files: ['src/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/components/**'], message: 'platform must not import components.' }] }],
    },
  },
  {
    files: ['demo/**/*.js'],
    languageOptions: { globals: { App: 'readonly', Page: 'readonly', Component: 'readonly', getApp: 'readonly', wx: 'readonly' } },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', setTimeout: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
