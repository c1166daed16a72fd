/**
 * The move from one state per environment to one per stack, end to end with the real Terraform
 * and provider (offline, from the mirror): each environment's single state from before the split
 * (fixtures/pre-split-states.json, fabricated as the drift self-check fabricates a fresh apply
 * and releases), migrated with `migrateStates` into local state files of today's stacks, then:
 *
 *   1. the shared stack planned against its migrated state: nothing created, replaced or
 *      destroyed; at most in-place updates of its own resources (see SHARED_UPDATES_ALLOWED);
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
 * Whether the shared stack's plan may update resources in place: not the move's doing, but what
 * changed in the code since the fixture was captured (prod's verification hook now takes its
 * targets from configuration and names the deployment groups by pattern, and its deploy role reads
 * the hook's log). Anything else than an in-place update of the shared stack's own resources fails.
 */
const SHARED_UPDATES_ALLOWED: Record<string, boolean> = { preview: false, prod: true };

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
    const sharedChanges = changes(sharedPlan.plan);
    const kept = new Set(stacks[0].declared.addresses);
    expect(sharedChanges.filter((change) => !change.startsWith('update ') || !kept.has(change.slice('update '.length)))).toEqual([]);
    if (!SHARED_UPDATES_ALLOWED[name]) expect({ stack: shared, changes: sharedChanges }).toEqual({ stack: shared, changes: [] });
    expect(sharedPlan.summary.outputChanges).toBeGreaterThan(0); // the outputs the service stacks read
    let appliedShared = join(dir, 'shared-applied.tfstate');
    if (sharedChanges.length === 0) {
      await terraform(['apply', '-input=false', '-lock=false', '-refresh=false', 'plan.tfplan'], sharedPlan.dir, env);
      copyFileSync(join(sharedPlan.dir, 'local.tfstate'), appliedShared);
    } else {
      // In-place updates cannot be applied offline: the state a fresh apply leaves instead.
      appliedShared = await new SharedStates(env, schemasReader(env)).stateOf(shared);
    }

    for (const stack of services) {
      const servicePlan = await planStack(stack, env, file(stack), appliedShared);
      expect({ stack, changes: changes(servicePlan.plan) }).toEqual({ stack, changes: [] });
      expect(servicePlan.summary.destructive).toEqual([]);
    }
  }, 600_000);
});
