// Jest globalSetup: the suite's private temp folder (__tests__/support/temp-dir.js).
module.exports = () => require('./temp-dir').setup();
