/** `npm run preview`: renders the demo pages (jsdom via miniprogram-simulate) and draws them in Chromium. */
const base = require('../jest.config.js');

module.exports = { ...base, rootDir: '..', testMatch: ['<rootDir>/preview/**/*.preview.ts'], testTimeout: 120000 };
