import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
