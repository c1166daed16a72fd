/** One stack's drift: `plan -detailed-exitcode -out`, `show -json`, the report. */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readProviderSchemas, type Schemas } from './apply-state';
import { driftReport, ignoredAttributes, type DriftReport } from './drift-report';
import { priorResourceCount, showPlan, type JsonObject } from './plan-json';
import { terraform, TerraformFailed } from './run';

export interface DriftOptions {
  /** Refresh from AWS first (real credentials); false compares the code with the state only. */
  readonly refresh: boolean;
  /** Take the state lock (a shared backend); false for a private copy. */
  readonly lock: boolean;
  /** The provider schemas, when already read; @default `terraform providers schema -json` in `dir` */
  readonly schemas?: Schemas;
}

/**
 * Plans in `dir` (an initialized stack directory) and reports drift. Throws TerraformFailed when
 * Terraform fails, when the state is empty (nothing applied: nothing to compare), or when
 * Terraform says "no changes" while its JSON lists some.
 */
export async function detectDrift(stack: string, dir: string, options: DriftOptions, env: NodeJS.ProcessEnv): Promise<DriftReport> {
  const planFile = 'drift.tfplan';
  const flags = ['-input=false', '-detailed-exitcode', `-out=${planFile}`, ...(options.refresh ? [] : ['-refresh=false']), ...(options.lock ? [] : ['-lock=false'])];
  try {
    const run = await terraform(['plan', ...flags], dir, env, [0, 2]);
    // Without a refresh there is no drift from outside, and exit 0 means nothing planned: nothing to read.
    if (!options.refresh && run.status === 0) return { stack, refreshed: false, entries: [] };
    const plan = await showPlan(dir, planFile, env);
    if (priorResourceCount(plan) === 0) {
      throw new TerraformFailed(`the state of ${stack} has no resources: nothing has been applied, so there is nothing to compare (wrong backend, or pass --state FILE)`);
    }
    const synthesized = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as JsonObject;
    const schemas = options.schemas ?? (await readProviderSchemas(dir, env));
    const report = driftReport(stack, plan, ignoredAttributes(synthesized), options.refresh, { schemas, synthesized });
    // Exit 2 without resource or output changes is possible (moves, imports); exit 0 with changes is not.
    if (run.status === 0 && report.entries.some((entry) => entry.source === 'planned')) {
      throw new TerraformFailed('terraform plan reported no changes but its JSON lists some; not guessing which is right', run.stdout);
    }
    return report;
  } finally {
    // A plan file holds the state's values, secrets included: it lives only until read.
    rmSync(join(dir, planFile), { force: true });
  }
}
