/**
 * Offline `terraform validate` and `plan` per environment, through tools/terraform.ts as a child
 * process (it exports no runner, only its CLI-config helpers).
 *
 * The tool writes to `<its directory>/../cdktf.out` and `../.tf`. So that a benchmark never
 * rewrites the checkout's build output under someone working in it, the tool runs from a scratch
 * directory: a byte-for-byte copy of tools/terraform.ts next to symlinks to config/, modules/ and
 * node_modules/. The code that runs is the repository's.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProviderMirror } from '../tools/terraform';
import { progress, ROOT, runChecked, stats, statsOf, TSX, type Stats } from './measure';

export interface TerraformStep {
  /** The whole child process: start-up, synthesis, terraform init and the command. */
  readonly wall: Stats;
  /** What the tool itself reports per stack: terraform init + validate/plan. */
  readonly terraform: Stats;
  readonly maxRssKb?: Stats;
  readonly summary: string;
}

export interface TerraformEnvironment {
  readonly environment: string;
  readonly validate: TerraformStep;
  readonly plan: TerraformStep;
}

export interface TerraformResults {
  readonly terraformVersion: string;
  readonly providers: string;
  readonly environments: TerraformEnvironment[];
}

export function terraformVersion(): string {
  const run = spawnSync(process.env.TERRAFORM_BINARY_NAME ?? 'terraform', ['version'], {
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  return run.error ? 'not installed' : (/Terraform v[\d.]+\S*/.exec(run.stdout)?.[0] ?? 'unknown');
}

function sandbox(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-terraform-'));
  mkdirSync(join(dir, 'tools'));
  copyFileSync(join(ROOT, 'tools', 'terraform.ts'), join(dir, 'tools', 'terraform.ts'));
  for (const entry of ['config', 'modules', 'node_modules']) symlinkSync(join(ROOT, entry), join(dir, entry), 'dir');
  return dir;
}

/** `shop-dev: valid [3.5 s]` → the summary and the seconds. */
function stackLine(stdout: string): { summary: string; seconds: number } {
  const match = /^shop-[\w-]+: (.*) \[([\d.]+) s\]$/m.exec(stdout);
  if (!match) throw new Error(`unexpected tools/terraform.ts output:\n${stdout}`);
  return { summary: match[1].replace(/ \(full plan: .*\)$/, ''), seconds: Number(match[2]) };
}

export async function benchTerraform(environments: readonly string[], repetitions: number): Promise<TerraformResults> {
  const dir = sandbox();
  const tool = join(dir, 'tools', 'terraform.ts');
  const mirror = findProviderMirror();
  try {
    const results: TerraformEnvironment[] = [];
    for (const environment of environments) {
      const step = async (command: 'validate' | 'plan'): Promise<TerraformStep> => {
        progress(`terraform: ${command} ${environment} ×${repetitions}`);
        const runs = [];
        for (let run = 0; run < repetitions; run += 1) runs.push(await runChecked([...TSX, tool, command, '--env', environment]));
        const lines = runs.map((run) => stackLine(run.stdout));
        return {
          wall: stats(runs.map((run) => run.wallMs)),
          terraform: stats(lines.map((line) => line.seconds * 1000)),
          maxRssKb: statsOf(runs.map((run) => run.maxRssKb)),
          summary: lines[0].summary,
        };
      };
      const validate = await step('validate');
      const plan = await step('plan');
      results.push({ environment, validate, plan });
    }
    return {
      terraformVersion: terraformVersion(),
      providers: mirror ? `filesystem mirror ${mirror}` : 'registry download (no mirror)',
      environments: results,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
