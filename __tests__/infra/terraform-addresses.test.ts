/**
 * Every resource keeps its Terraform address (`type.logical_id`): cdktf derives logical ids from
 * the construct path below the stack, so moving resources between stacks without changing their
 * paths keeps the addresses, and moving an existing state into per-stack states is a pure move.
 * The fixture holds each configured environment's addresses as synthesized before the split.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentNamesList, loadEnvironment } from '../../config';
import { synthEnvironment, type Synthesized } from './support';

const before = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'addresses-before-split.json'), 'utf8')) as Record<string, string[]>;

function addresses(synthesized: Synthesized): string[] {
  const managed = Object.entries(synthesized.resource ?? {}).flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`));
  const data = Object.entries(synthesized.data ?? {}).flatMap(([type, byId]) => Object.keys(byId).map((id) => `data.${type}.${id}`));
  return [...managed, ...data].sort();
}

describe.each(environmentNamesList())('the %s environment', (name) => {
  it('synthesizes every resource at the address it had before the split', () => {
    expect(addresses(synthEnvironment(loadEnvironment(name, { offline: true })))).toEqual(before[name]);
  });
});
