/**
 * Jest with SWC: type checking is `npm run typecheck`'s job, so tests start fast.
 *
 * Two projects so that only the stack tests pay for cdktf's Testing matchers (loading cdktf in
 * every test file costs about 0.1-0.2 s each): `infra` gets them, `release` (everything else) does
 * not. A test outside __tests__/infra that needs `toHaveResource` and friends belongs in infra/.
 *
 * One worker per core (Jest's default leaves one core to itself: a single worker on a 2-core
 * machine). The end-to-end and emulator tests spend much of their time waiting on child processes
 * and emulated time, so a second worker roughly halves the suite's wall time there.
 */
const common = {
  testEnvironment: 'node',
  // The shop example, pinned, whatever config/environments.ts holds (__tests__/support/example-config.ts).
  setupFiles: ['<rootDir>/__tests__/support/example-config.ts'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
};

module.exports = {
  maxWorkers: '100%',
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/__tests__/support/summary-reporter.js'],
  // A private temp folder for the run, which must be empty at the end (__tests__/support/temp-dir.js).
  globalSetup: '<rootDir>/__tests__/support/global-setup.js',
  globalTeardown: '<rootDir>/__tests__/support/global-teardown.js',
  projects: [
    { ...common, displayName: 'infra', roots: ['<rootDir>/__tests__/infra'], setupFilesAfterEnv: ['<rootDir>/__tests__/setup.ts'] },
    { ...common, displayName: 'release', roots: ['<rootDir>/__tests__'], testPathIgnorePatterns: ['/node_modules/', '<rootDir>/__tests__/infra/'] },
  ],
};
