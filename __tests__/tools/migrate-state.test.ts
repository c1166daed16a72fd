/**
 * The move from one state per environment to one per stack, end to end with the real Terraform
 * and provider (offline, from the mirror): each environment's single state from before the split
 * (fixtures/pre-split-states.json, fabricated as the drift self-check fabricates a fresh apply
 * and releases), migrated with `migrateStates` into local state files of today's stacks, then:
 *
 *   1. the shared stack planned against its migrated state: no resource replaced or destroyed,
 *      and exactly the in-place updates listed below;
 *   2. that plan applied when only root outputs change (offline that makes no AWS call), as the
 *      documented procedure applies the shared stack first; when it also updates resources, which
 *      offline cannot apply, the service stacks read the shared state a fresh apply leaves
 *      (tools/terraform/shared-state.ts: the same deterministic values the fixture was built with);
 *   3. each service stack planned against its migrated state: no change at all.
 *
 * Every difference is named here and in docs/infrastructure.md ("Moving to one state per stack").
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentStacks, loadEnvironment } from '../../config';
import { schemasReader } from '../../tools/terraform/apply-state';
import { quietEnvironment, terraformEnvironment } from '../../tools/terraform/environment';
import type { JsonObject, PlanJson } from '../../tools/terraform/plan-json';
import { planStack } from '../../tools/terraform/plan-stack';
import { changeKind } from '../../tools/terraform/plan-summary';
import { terraform } from '../../tools/terraform/run';
import { SharedStates } from '../../tools/terraform/shared-state';
import { backendOf } from '../../tools/terraform/state-backend';
import { migrateStates, type MigratingStack } from '../../tools/terraform/state-migration';
import { declaredIn, type StateFile } from '../../tools/terraform/state-move';
import { stackDirectory, synthesizeStacks } from '../../tools/terraform/workspace';

/**
 * What the shared stack's plan updates in place after the move: not the move's doing, but the
 * split's own change to prod's verification hook, so that the shared stack reads nothing of the
 * service stacks: its role policy names the environment's deployment groups by pattern
 * (`shop-prod-*`), the function's code and VERIFY_TARGETS come from configuration, and its egress
 * rule's description names the ELB API it now calls.
 */
const SHARED_UPDATES: Record<string, string[]> = {
  preview: [],
  prod: [
    'update aws_iam_role_policy.verification-hook_policy_A07D5CC4',
    'update aws_lambda_function.verification-hook_function_0E98FC66',
    'update aws_vpc_security_group_egress_rule.verification-hook_egress-https_E7F8CB57',
  ],
};

const FIXTURE = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'pre-split-states.json'), 'utf8')) as { states: Record<string, StateFile> };

/** Every resource change a plan makes, `<kind> <address>`, no-ops left out. */
function changes(plan: PlanJson): string[] {
  return (plan.resource_changes ?? []).flatMap((change) => {
    const kind = changeKind(change.change.actions);
    return kind ? [`${kind} ${change.address}`] : [];
  });
}

describe.each(['preview', 'prod'])('migrating %s from its single state', (name) => {
  const env = terraformEnvironment(quietEnvironment('plan', true)).env;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `migrate-state-${name}-`));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('plans no destroy and no replace in any stack, and no change at all in the service stacks', async () => {
    Object.assign(process.env, quietEnvironment('plan', true));
    const config = loadEnvironment(name, { offline: true });
    synthesizeStacks([config], true);
    const names = environmentStacks(config).map((entry) => entry.stack);
    const file = (stack: string) => join(dir, `terraform.${stack}.tfstate`);
    const stacks: MigratingStack[] = names.map((stack) => {
      const synthesized = JSON.parse(readFileSync(join(stackDirectory(stack, true), 'cdk.tf.json'), 'utf8')) as JsonObject;
      expect(Object.keys(backendOf(synthesized, stackDirectory(stack, true)))).toEqual([config.state.backend]);
      return { stack, declared: declaredIn(synthesized), backend: { local: { path: file(stack) } } };
    });
    const [shared, ...services] = names;
    const before = FIXTURE.states[shared];
    writeFileSync(file(shared), JSON.stringify(before));
    const lines: string[] = [];
    const result = await migrateStates(stacks, { dryRun: false, workDir: join(dir, 'work'), backupDir: join(dir, 'backups'), env, say: (line) => lines.push(line) });
    expect(result.plan!.undeclared).toEqual([]);
    expect(result.moved).toBe(before.resources.length - result.plan!.kept);

    const sharedPlan = await planStack(shared, env, file(shared));
    expect(sharedPlan.summary.destructive).toEqual([]);
    expect({ stack: shared, changes: changes(sharedPlan.plan) }).toEqual({ stack: shared, changes: SHARED_UPDATES[name] });
    expect(sharedPlan.summary.outputChanges).toBeGreaterThan(0); // the outputs the service stacks read
    let appliedShared = join(dir, 'shared-applied.tfstate');
    if (SHARED_UPDATES[name].length === 0) {
      await terraform(['apply', '-input=false', '-lock=false', '-refresh=false', 'plan.tfplan'], sharedPlan.dir, env);
      copyFileSync(join(sharedPlan.dir, 'local.tfstate'), appliedShared);
    } else {
      appliedShared = await new SharedStates(env, schemasReader(env)).stateOf(shared);
    }

    for (const stack of services) {
      const servicePlan = await planStack(stack, env, file(stack), appliedShared);
      expect({ stack, changes: changes(servicePlan.plan) }).toEqual({ stack, changes: [] });
      expect(servicePlan.summary.destructive).toEqual([]);
    }
  }, 600_000);
});
