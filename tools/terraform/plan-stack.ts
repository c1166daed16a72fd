/** One stack's offline plan: a working copy, `plan -out`, `show -json`, the summary. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { displayPath } from './environment';
import { showPlan, type PlanJson } from './plan-json';
import { summarizePlan, type PlanSummary } from './plan-summary';
import { terraform } from './run';
import { prepareWorkspace } from './workspace';

export interface StackPlan {
  readonly summary: PlanSummary;
  readonly plan: PlanJson;
  /** Terraform's human-readable plan, relative to the repository. */
  readonly planText: string;
  /** Where it ran: `.tf/offline/<stack>/`. */
  readonly dir: string;
}

/**
 * Plans `stack` offline in `.tf/offline/<stack>/` against an empty state or a copy of
 * `stateFile`, with -refresh=false (no AWS call) and -lock=false (a private copy). A service stack
 * reads the shared stack's outputs from `sharedState` (tools/terraform/shared-state.ts).
 */
export async function planStack(stack: string, env: NodeJS.ProcessEnv, stateFile?: string, sharedState?: string): Promise<StackPlan> {
  const workspace = await prepareWorkspace(stack, { purpose: 'offline', initialState: stateFile, sharedState }, env);
  const run = await terraform(['plan', '-input=false', '-lock=false', '-refresh=false', '-out=plan.tfplan'], workspace.dir, env);
  const planText = join(workspace.dir, 'plan.txt');
  writeFileSync(planText, run.stdout);
  const plan = await showPlan(workspace.dir, 'plan.tfplan', env);
  return { summary: summarizePlan(stack, plan), plan, planText: displayPath(planText), dir: workspace.dir };
}
