/**
 * `npm run plan` (offline terraform plan through tools/terraform.ts), wall time and peak memory of
 * the whole process tree, with the project's provider imports and with the provider package root
 * imported instead; and `npm run plan -- --all`, what CI runs.
 *
 * Each variant runs in its own sandbox (bench/sandbox.ts), so the checkout's cdktf.out/ and .tf/
 * are never rewritten; the code that runs is the checkout's (only imports rewritten for the
 * provider-root variant). tools/terraform.ts is driven through its command line only.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { findProviderMirror } from '../tools/terraform';
import { progress, runChecked, stats, statsOf, type Stats } from './measure';
import { makeSandbox } from './sandbox';

export interface StackPlan {
  readonly stack: string;
  /** `42 to add, 0 to change, 0 to destroy`. */
  readonly summary: string;
  /** What the tool reports per stack: terraform init + plan. */
  readonly terraform?: Stats;
}

export interface PlanRun {
  readonly label: string;
  readonly imports: 'project' | 'provider root';
  readonly argv: readonly string[];
  /** The whole `npm run plan` process tree: npm, start-up, synthesis, terraform init and plan. */
  readonly wall: Stats;
  readonly maxRssKb?: Stats;
  readonly stacks: StackPlan[];
}

export interface TerraformResults {
  readonly terraformVersion: string;
  readonly providers: string;
  readonly runs: PlanRun[];
}

export function terraformVersion(): string {
  const run = spawnSync(process.env.TERRAFORM_BINARY_NAME ?? 'terraform', ['version'], {
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  return run.error ? 'not installed' : (/Terraform v[\d.]+\S*/.exec(run.stdout)?.[0] ?? 'unknown');
}

/** `shop-dev: 42 to add, ... (full plan: ...) [5.5 s]` → stack, summary, seconds. */
export function stackLines(stdout: string): { stack: string; summary: string; seconds?: number }[] {
  const lines = [...stdout.matchAll(/^(shop-[\w-]+): (.*?)(?: \(full plan: .*\))?(?: \[([\d.]+) s\])?$/gm)];
  if (lines.length === 0) throw new Error(`unexpected tools/terraform.ts output:\n${stdout}`);
  return lines.map((match) => ({ stack: match[1], summary: match[2], seconds: match[3] !== undefined ? Number(match[3]) : undefined }));
}

async function measurePlan(label: string, imports: PlanRun['imports'], argv: string[], repetitions: number): Promise<PlanRun> {
  const dir = makeSandbox({ providerRoot: imports === 'provider root' });
  try {
    const runs = [];
    for (let run = 0; run < repetitions; run += 1) {
      progress(`terraform: ${label} (${imports} imports) ${run + 1}/${repetitions}`);
      runs.push(await runChecked(argv, { cwd: dir }));
    }
    const parsed = runs.map((run) => stackLines(run.stdout));
    const stacks = parsed[0].map((line, index) => ({
      stack: line.stack,
      summary: line.summary,
      terraform: statsOf(parsed.map((lines) => (lines[index]?.seconds !== undefined ? (lines[index].seconds as number) * 1000 : undefined))),
    }));
    return { label, imports, argv, wall: stats(runs.map((run) => run.wallMs)), maxRssKb: statsOf(runs.map((run) => run.maxRssKb)), stacks };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchTerraform(repetitions: number): Promise<TerraformResults> {
  const mirror = findProviderMirror();
  const plan = ['npm', 'run', '--silent', 'plan'];
  return {
    terraformVersion: terraformVersion(),
    providers: mirror ? `filesystem mirror ${mirror}` : 'registry download (no mirror)',
    runs: [
      await measurePlan('npm run plan', 'project', plan, repetitions),
      await measurePlan('npm run plan', 'provider root', plan, repetitions),
      await measurePlan('npm run plan -- --all', 'project', [...plan, '--', '--all'], repetitions),
    ],
  };
}
