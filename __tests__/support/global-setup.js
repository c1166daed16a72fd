// Jest globalSetup: the suite's private temp folder (__tests__/support/temp-dir.js), and the shop
// example pinned in every process the tests start (__tests__/support/example-config-preload.js).
const { join } = require('node:path');

module.exports = () => {
  require('./temp-dir').setup();
  const preload = join(__dirname, 'example-config-preload.js');
  process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, `--require ${JSON.stringify(preload)}`].filter(Boolean).join(' ');
};
