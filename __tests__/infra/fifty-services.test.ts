/**
 * 50 services in one environment (issue 12): 51 stacks (the shared stack and one per service),
 * each small enough that a change to one service plans a stack of at most ~60 resources, the shared
 * stack no larger than with one service, and every policy rule passing over all 51 stacks together.
 * Preview's fleet mixes rolling web services and workers in an existing VPC; prod's is blue/green
 * with HTTPS, NAT, access logs and the verification hook.
 */
import { loadEnvironment, type EnvironmentConfig } from '../../config';
import { fleetOf } from '../../config/fleet';
import { checkEnvironment } from '../../policy/check';
import { environmentView } from '../../policy/environment-view';
import { resourceCount } from '../../policy/synthesized';
import { synthEnvironmentStacks } from './support';

/** The most resources one stack may hold (issue 12: a one-service change touches at most ~60). */
const STACK_RESOURCE_LIMIT = 60;

const FLEETS: [string, EnvironmentConfig][] = ['preview', 'prod'].map((name) => [name, fleetOf(loadEnvironment(name, { offline: true }), 50)]);

describe.each(FLEETS)('%s with 50 services', (name, config) => {
  const stacks = synthEnvironmentStacks(config);
  const [shared, ...services] = stacks;

  it('synthesizes 51 stacks: the shared one and one per service', () => {
    expect(stacks).toHaveLength(51);
    expect(services.map(({ stack }) => stack)).toEqual(config.services.map((service) => `${config.app}-${config.environment}-${service.name}`));
  });

  it(`keeps every stack within ${STACK_RESOURCE_LIMIT} resources`, () => {
    expect(stacks.filter(({ synthesized }) => resourceCount(synthesized) > STACK_RESOURCE_LIMIT).map(({ stack, synthesized }) => `${stack}: ${resourceCount(synthesized)}`)).toEqual([]);
  });

  it('keeps the shared stack as large as with one service', () => {
    const [sharedOfOne] = synthEnvironmentStacks(fleetOf(loadEnvironment(name, { offline: true }), 1));
    expect(resourceCount(shared.synthesized)).toBe(resourceCount(sharedOfOne.synthesized));
  });

  it('passes every policy rule over all 51 stacks', () => {
    const failed = checkEnvironment(environmentView(stacks), config).filter((result) => result.outcome === 'fail');
    expect(failed.flatMap((result) => result.violations.map((found) => `${result.rule.id} ${found.address}: ${found.message}`))).toEqual([]);
  });
});
