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
  testTimeout: 30000,
};
