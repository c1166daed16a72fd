/**
 * docs/adopt.md's teardown order rests on guards the stack sets; each step is checked against the
 * synthesized stacks, so a change to a guard fails here until the documented order follows it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironment } from '../../config';
import { resources, synthEnvironment } from './support';

const teardown = readFileSync(join(__dirname, '../../docs/adopt.md'), 'utf8').split('## Tearing an environment down')[1] ?? '';
const prod = synthEnvironment(loadEnvironment('prod', { offline: true }));
const dev = synthEnvironment(loadEnvironment('dev', { offline: true }));

/** The numbered step of the teardown section that starts with `title`. */
function step(title: string): number {
  const match = new RegExp(`^(\\d)\\. \\*\\*${title}`, 'm').exec(teardown);
  if (!match) throw new Error(`docs/adopt.md's teardown has no step "${title}"`);
  return Number(match[1]);
}

describe('the documented teardown order', () => {
  it('empties the ECR repositories before destroy, because they refuse deletion while they hold images', () => {
    expect(resources(dev, 'aws_ecr_repository').map((repository) => repository.force_delete)).toEqual([false]);
    expect(step('Empty the ECR repositories')).toBeLessThan(step('Destroy'));
  });

  it("turns off a production environment's load balancer deletion protection before destroy", () => {
    expect(resources(prod, 'aws_lb').map((lb) => lb.enable_deletion_protection)).toEqual([true]);
    expect(step('Turn off deletion protection')).toBeLessThan(step('Destroy'));
  });

  it('empties the access-log bucket first, since the stack will not force-destroy it', () => {
    expect(resources(prod, 'aws_s3_bucket').map((bucket) => bucket.force_destroy)).toEqual([false]);
    expect(teardown).toMatch(/access-log bucket[^.]*emptied\s+first/);
  });

  it('says task definition revisions stay, because Terraform registers them with skip_destroy', () => {
    expect(resources(dev, 'aws_ecs_task_definition').map((definition) => definition.skip_destroy)).toEqual([true]);
    expect(step('Task definition revisions stay')).toBeGreaterThan(step('Destroy'));
  });

  it('destroys the stacks that reference the OIDC provider before the one that created it', () => {
    expect(resources(dev, 'aws_iam_openid_connect_provider')).toHaveLength(1);
    expect(resources(prod, 'aws_iam_openid_connect_provider')).toHaveLength(0);
    expect(teardown).toMatch(/Destroy the\s+stacks that reference it \(`mode: 'existing'`\) first/);
  });

  it('stops releases before anything else', () => {
    expect(step('Stop releases')).toBe(1);
  });
});
