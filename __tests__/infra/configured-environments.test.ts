/**
 * The project's own environments, as config/environments.ts holds them (the shop example until
 * `npm run init` writes yours): every other suite runs against the example pinned in
 * __tests__/support/example-environments.json, so this is where `npm test` checks your
 * configuration — it loads, each environment synthesizes, and every policy rule holds. Names come
 * from the configuration, never from the example.
 */
import { environmentNames, environmentNamesList, loadAllEnvironments, loadEnvironment } from '../../config';
import { checkEnvironment } from '../../policy/check';
import { synthEnvironment } from './support';

// This file is about the real file: undo the example pinned for every other suite.
jest.unmock('../../config/environments');

describe('the configured environments (config/environments.ts)', () => {
  it('load together, shared accounts acknowledged', () => {
    expect(loadAllEnvironments().map((env) => env.environment)).toEqual(environmentNamesList());
  });

  it.each(environmentNamesList())('%s synthesizes and holds every policy rule', (name) => {
    const config = loadEnvironment(name, { offline: true });
    const failed = checkEnvironment(synthEnvironment(config), config).filter((result) => result.outcome === 'fail');
    expect({ stack: environmentNames(config).stack, failed: failed.flatMap((result) => result.violations.map((found) => `${result.rule.id}: ${found.address}: ${found.message}`)) }).toEqual({
      stack: `${config.app}-${name}`,
      failed: [],
    });
  });
});
