/**
 * Every resource keeps its Terraform address (`type.logical_id`) across the split of an environment
 * into a shared stack and one stack per service: cdktf derives logical ids from the construct path
 * below the stack, and each service sits at the root of its stack with the id it had, so moving an
 * existing single state into per-stack states is a pure move (no destroy, no create). The fixture
 * holds the example environments' configuration (config/environments.ts as shipped) and their
 * addresses as synthesized before the split, so the test does not depend on the configuration a
 * team has since made its own (`npm run init`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvironment } from '../../config';
import { synthEnvironmentStacks, type Synthesized } from './support';
import { resourceAddresses } from '../../policy/synthesized';

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'addresses-before-split.json'), 'utf8')) as { environments: Record<string, unknown>; addresses: Record<string, string[]> };
const before = fixture.addresses;
/** The data source through which a service stack reads the shared stack (cdktf's cross-stack reference). */
const CROSS_STACK_INPUT = /^data\.terraform_remote_state\.cross-stack-reference-input-/;

function addresses(synthesized: Synthesized): string[] {
  const managed = resourceAddresses(synthesized);
  const data = Object.entries(synthesized.data ?? {}).flatMap(([type, byId]) => Object.keys(byId).map((id) => `data.${type}.${id}`));
  return [...managed, ...data];
}

describe.each(Object.keys(fixture.environments))('the example %s environment', (name) => {
  const stacks = synthEnvironmentStacks(parseEnvironment(name, fixture.environments[name]));
  const all = stacks.flatMap(({ synthesized }) => addresses(synthesized));

  it('synthesizes every resource at the address it had before the split, each in exactly one stack', () => {
    const own = all.filter((address) => !CROSS_STACK_INPUT.test(address));
    expect(own.sort()).toEqual(before[name]);
    expect(new Set(own).size).toBe(own.length);
  });

  it('adds nothing but the service stacks\' reads of the shared stack', () => {
    const [, ...services] = stacks;
    expect(all.filter((address) => CROSS_STACK_INPUT.test(address))).toHaveLength(services.length);
  });
});
