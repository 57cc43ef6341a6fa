/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'jsdom',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // jsdom would resolve `ws` to its browser build, which throws.
  moduleNameMapper: { '^ws$': require.resolve('ws') },
  snapshotSerializers: ['miniprogram-simulate/jest-snapshot-plugin'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // the framework examples are a project of their own (test/examples/jest.config.js), run by `npm run examples` after their build
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/examples/'],
  testTimeout: 30000,
};
