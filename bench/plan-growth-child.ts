/**
 * Run by bench/plan-growth.ts inside a sandbox (copied next to the sandbox's tools/, so everything
 * it writes goes to the sandbox's .tf/): for each service count, dev with that many services
 * (config/fleet.ts), its stacks synthesized, the state a fresh apply leaves fabricated for the
 * shared stack and for the first service's stack (tools/terraform/apply-state.ts, as the drift
 * self-check does), then the first service's desiredCount changed and its stack planned against
 * that state, `repetitions` rounds alternating between the counts. Prints one JSON document on stdout.
 *
 *   tsx plan-growth/child.ts 1,50 3
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { environmentStacks, loadEnvironment, type EnvironmentConfig } from '../config';
import { fleetOf } from '../config/fleet';
import { buildState, schemasReader, type Schemas } from '../tools/terraform/apply-state';
import { quietEnvironment, terraformEnvironment, WORKDIR } from '../tools/terraform/environment';
import { priorResourceCount, showPlan, type JsonObject } from '../tools/terraform/plan-json';
import { countsLine, summarizePlan } from '../tools/terraform/plan-summary';
import { terraform } from '../tools/terraform/run';
import { SharedStates } from '../tools/terraform/shared-state';
import { prepareWorkspace, synthesizeStacks } from '../tools/terraform/workspace';

export interface PlanGrowthRow {
  readonly services: number;
  /** Stacks of the environment (shared + one per service). */
  readonly stacks: number;
  /** The planned stack (the first service's) and the resources in its state. */
  readonly stack: string;
  readonly resources: number;
  /** `0 to add, 1 to change, 0 to destroy`. */
  readonly plan: string;
  /** Wall time of each `terraform plan` of the change, ms. */
  readonly planMs: readonly number[];
  /** Synthesis of every stack of the environment, ms (once). */
  readonly synthMs: number;
}

/** dev with `count` services, and the first one's desiredCount raised by one when `changed`. */
function environment(count: number, changed: boolean): EnvironmentConfig {
  const fleet = fleetOf(loadEnvironment('dev', { offline: true }), count);
  if (!changed) return fleet;
  const [first, ...rest] = fleet.services;
  return { ...fleet, services: [{ ...first, desiredCount: first.desiredCount + 1 }, ...rest] };
}

/** One count, ready to plan: the workspace of the changed service stack against its applied state. */
interface Prepared {
  readonly row: Omit<PlanGrowthRow, 'planMs' | 'resources' | 'plan'>;
  readonly dir: string;
}

async function prepare(count: number, env: NodeJS.ProcessEnv, schemasOnce: (dir: string) => Promise<Schemas>): Promise<Prepared> {
  const started = performance.now();
  synthesizeStacks([environment(count, false)], true);
  const synthMs = performance.now() - started;
  const [shared, first] = environmentStacks(environment(count, false));
  // Kept per count: the next count's shared stack is fabricated at the same place.
  const sharedState = join(WORKDIR, `plan-growth-shared-${count}.tfstate`);
  copyFileSync(await new SharedStates(env, schemasOnce).stateOf(shared.stack), sharedState);

  // The first service's stack as a fresh apply leaves it.
  const applied = await prepareWorkspace(first.stack, { purpose: `plan-growth-applied-${count}`, sharedState }, env);
  await terraform(['plan', '-input=false', '-lock=false', '-refresh=false', '-out=initial.tfplan'], applied.dir, env);
  const synthesized = JSON.parse(readFileSync(join(applied.dir, 'cdk.tf.json'), 'utf8')) as JsonObject;
  const state = buildState(await showPlan(applied.dir, 'initial.tfplan', env), synthesized, await schemasOnce(applied.dir));
  const stateFile = join(applied.dir, 'applied.tfstate');
  writeFileSync(stateFile, JSON.stringify(state));

  // The change, ready to plan against that state.
  synthesizeStacks([environment(count, true)], true);
  const workspace = await prepareWorkspace(first.stack, { purpose: `plan-growth-${count}`, initialState: stateFile, sharedState }, env);
  return { row: { services: count, stacks: environmentStacks(environment(count, false)).length, stack: first.stack, synthMs }, dir: workspace.dir };
}

async function planOnce(dir: string, env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  await terraform(['plan', '-input=false', '-lock=false', '-refresh=false', '-out=change.tfplan'], dir, env);
  return performance.now() - started;
}

async function main(argv: string[]): Promise<void> {
  const counts = argv[0].split(',').map(Number);
  const repetitions = Number(argv[1] ?? 3);
  const env = terraformEnvironment(quietEnvironment('plan', true)).env;
  Object.assign(process.env, quietEnvironment('plan', true));
  const schemasOnce = schemasReader(env);
  const prepared: Prepared[] = [];
  for (const count of counts) {
    process.stderr.write(`plan-growth: preparing ${count} service(s)\n`);
    prepared.push(await prepare(count, env, schemasOnce));
  }
  // Rounds alternate between the counts, so a change in the machine's load falls on both alike.
  const planMs: number[][] = prepared.map(() => []);
  for (let round = 0; round < repetitions; round += 1) {
    for (const [index, { dir }] of prepared.entries()) planMs[index].push(await planOnce(dir, env));
  }
  const rows: PlanGrowthRow[] = [];
  for (const [index, { row, dir }] of prepared.entries()) {
    const plan = await showPlan(dir, 'change.tfplan', env);
    rows.push({ ...row, resources: priorResourceCount(plan), plan: countsLine(summarizePlan(row.stack, plan)), planMs: planMs[index] });
  }
  process.stdout.write(`${JSON.stringify(rows)}\n`);
}

void main(process.argv.slice(2));
