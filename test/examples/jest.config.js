/**
 * The framework examples' project: their tests need the examples built by the frameworks' CLIs,
 * so `npm run examples` (which builds them) runs this project, and `npm test` leaves it out.
 */
const path = require('path');
const root = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...root,
  rootDir: path.resolve(__dirname, '..', '..'),
  testMatch: ['<rootDir>/test/examples/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
};
