/**
 * Jest setupFiles (every test file): the tests run against the shop example pinned in
 * example-environments.json, not against config/environments.ts, which `npm run init` rewrites
 * with the project's own names. So `npm test` passes before and after init, and the suites can
 * name the example's environments, services and resources (`shop-dev-web`, the preview worker).
 *
 * Processes the tests start (the release tool, the emulator, the tools) get the same example
 * through example-config-preload.js, which the global setup puts in NODE_OPTIONS.
 *
 * The project's own configuration is tested where that is the point:
 * __tests__/infra/configured-environments.test.ts (see `withConfiguredEnvironments`).
 */
jest.mock('../../config/environments', () => jest.requireActual('./example-environments.json'));
