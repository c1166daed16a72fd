/**
 * Plan time of a one-service change as the environment grows: dev at 1 and at 50 services
 * (config/fleet.ts), in the same run, the first service's desiredCount changed and its stack
 * planned with the real Terraform against the state a fresh apply leaves (fabricated offline as
 * the drift self-check does). Target (issue 12): the plan at 50 services takes at most 1.3× the
 * plan at 1, and the planned stack holds at most ~60 resources.
 *
 * The work runs in a child process inside a sandbox (bench/sandbox.ts), so the checkout's .tf/
 * is never rewritten; the child (bench/plan-growth-child.ts) is copied next to the sandbox's tools/.
 */
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { progress, ROOT, runChecked, stats, TSX, type Stats } from './measure';
import type { PlanGrowthRow } from './plan-growth-child';
import { makeSandbox } from './sandbox';
import { terraformVersion } from './terraform';

/** The plan at the largest count may take at most this many times the plan at the smallest. */
export const PLAN_GROWTH_RATIO_TARGET = 1.3;
/** Resources in the planned stack, at most about this many. */
export const PLAN_STACK_RESOURCES_TARGET = 60;

export interface PlanGrowthResults {
  readonly terraformVersion: string;
  readonly rows: readonly (PlanGrowthRow & { readonly planStats: Stats })[];
  readonly targets: { readonly ratio: number; readonly resources: number };
  /** Median plan time at the largest count over the median at the smallest. */
  readonly ratio: number;
}

export async function benchPlanGrowth(counts: readonly number[], repetitions: number): Promise<PlanGrowthResults> {
  const dir = makeSandbox({ providerRoot: false });
  try {
    mkdirSync(join(dir, 'plan-growth'));
    cpSync(join(ROOT, 'bench', 'plan-growth-child.ts'), join(dir, 'plan-growth', 'child.ts'));
    progress(`plan-growth: ${counts.join(' and ')} services, ${repetitions} plan(s) each`);
    const run = await runChecked([...TSX, join(dir, 'plan-growth', 'child.ts'), counts.join(','), String(repetitions)], { cwd: dir });
    const rows = (JSON.parse(run.stdout) as PlanGrowthRow[]).map((row) => ({ ...row, planStats: stats(row.planMs) }));
    return { terraformVersion: terraformVersion(), rows, targets: { ratio: PLAN_GROWTH_RATIO_TARGET, resources: PLAN_STACK_RESOURCES_TARGET }, ratio: rows[rows.length - 1].planStats.median / rows[0].planStats.median };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
