/** `npm run bench`: the benchmark runs in jest because <mqtt-panel> needs miniprogram-simulate's jsdom. */
const base = require('../jest.config.js');

module.exports = {
  ...base,
  rootDir: '..',
  testMatch: ['<rootDir>/bench/**/*.bench.ts'],
  testTimeout: 600000,
  reporters: ['summary'],
};
