// Jest globalTeardown: fail the run when a test left anything in the temp folder (__tests__/support/temp-dir.js).
module.exports = () => require('./temp-dir').teardown();
