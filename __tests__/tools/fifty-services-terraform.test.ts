/**
 * 50 services with the real Terraform, offline: `terraform validate` and `terraform plan` of a
 * sample of the 51 stacks (the shared stack, the first web service and the last service, a worker).
 * The fleet is mixed, as issue 12 asks: prod's blue/green web service (HTTPS, canary, auto scaling,
 * the verification hook) alternating with preview's rolling worker, in prod's production-like
 * settings (NAT per zone, access logs, GitHub roles).
 * Each service stack plans against the state a fresh apply of the shared stack leaves, as
 * `npm run plan` does, and adds exactly its own resources. The environment is renamed so its
 * stacks never meet the configured environments' in `.tf/`.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { environmentStacks, loadEnvironment } from '../../config';
import { fleetOf } from '../../config/fleet';
import { schemasReader } from '../../tools/terraform/apply-state';
import { quietEnvironment, terraformEnvironment, WORKDIR } from '../../tools/terraform/environment';
import { planStack } from '../../tools/terraform/plan-stack';
import { SharedStates } from '../../tools/terraform/shared-state';
import { validateStack } from '../../tools/terraform/validate-stack';
import { stackDirectory, synthesizeStacks } from '../../tools/terraform/workspace';
import { resourceCount, type Synthesized } from '../../policy/synthesized';

const prod = loadEnvironment('prod', { offline: true });
const worker = loadEnvironment('preview', { offline: true }).services.find((service) => service.kind === 'worker')!;
const config = { ...fleetOf(prod, 50, [prod.services[0], worker]), environment: 'fifty' };
const stacks = environmentStacks(config).map(({ stack }) => stack);
const sample = [stacks[0], stacks[1], stacks[50]];
const resourceCountOf = (stack: string): number => resourceCount(JSON.parse(readFileSync(join(stackDirectory(stack, true), 'cdk.tf.json'), 'utf8')) as Synthesized);

describe('an environment of 50 services, with the real Terraform', () => {
  const env = terraformEnvironment(quietEnvironment('plan')).env;
  afterAll(() => {
    for (const stack of stacks) rmSync(stackDirectory(stack, true), { recursive: true, force: true });
    for (const purpose of ['offline', 'shared-state']) for (const stack of sample) rmSync(join(WORKDIR, purpose, stack), { recursive: true, force: true });
  });

  it('synthesizes 51 stacks, shared first', () => {
    expect(synthesizeStacks([config], true).map((entry) => entry.stack)).toEqual(stacks);
  });

  it('validates the sample', async () => {
    expect(await Promise.all(sample.map(async (stack) => [stack, await validateStack(stack, env)]))).toEqual(sample.map((stack) => [stack, 'valid']));
  }, 300_000);

  it("plans the shared stack, then services against the shared stack's fabricated state, each adding its own resources", async () => {
    const sharedStates = new SharedStates(env, schemasReader(env));
    const [shared, ...services] = sample;
    const sharedPlan = await planStack(shared, env);
    await sharedStates.remember(shared, sharedPlan.dir, sharedPlan.plan);
    const planned = [{ stack: shared, add: sharedPlan.summary.add, change: sharedPlan.summary.change, destroy: sharedPlan.summary.destroy }];
    for (const stack of services) {
      const { summary } = await planStack(stack, env, undefined, await sharedStates.stateOf(shared));
      planned.push({ stack, add: summary.add, change: summary.change, destroy: summary.destroy });
    }
    expect(planned).toEqual(sample.map((stack) => ({ stack, add: resourceCountOf(stack), change: 0, destroy: 0 })));
  }, 600_000);
});
