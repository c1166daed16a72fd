/** Runs the terraform binary as a child process and keeps its output apart by stream. */
import { availableParallelism } from 'node:os';
import { spawn } from 'node:child_process';
import { terraformProblem } from './installed';

export interface TerraformRun {
  /** Exit status; null when the binary could not be started. */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Terraform exited with a status the caller did not accept; `details` is its output. */
export class TerraformFailed extends Error {
  constructor(
    message: string,
    readonly details?: string,
  ) {
    super(message);
    this.name = 'TerraformFailed';
  }
}

/** `terraform <args> -no-color` in `cwd` (Terraform takes -no-color anywhere on the line); never throws. */
export function runTerraform(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<TerraformRun> {
  const binary = env.TERRAFORM_BINARY_NAME ?? 'terraform';
  return new Promise((done) => {
    const child = spawn(binary, [...args, '-no-color'], { cwd, env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) =>
      done({ status: null, stdout: '', stderr: `cannot run ${binary}: ${error.message}; ${terraformProblem(env) ?? 'install Terraform or set TERRAFORM_BINARY_NAME'}` }),
    );
    child.on('close', (status) => done({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** Like runTerraform, but throws TerraformFailed unless the exit status is one of `accepted`. */
export async function terraform(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, accepted: readonly number[] = [0]): Promise<TerraformRun> {
  const result = await runTerraform(args, cwd, env);
  if (result.status === null || !accepted.includes(result.status)) {
    // Terraform's errors go to stderr; stdout then only holds the partial plan.
    throw new TerraformFailed(`terraform ${args[0]} failed (exit ${result.status ?? 'not started'})`, result.stderr.trim() || result.stdout.trim());
  }
  return result;
}

/**
 * `work` over `items`, at most `limit` at a time, results in the order of `items`: the stacks of
 * 50 services must not start 51 Terraform processes at once on a 2-core machine.
 */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** How many Terraform processes the tools run side by side: the machine's cores, at least 2. */
export function terraformConcurrency(): number {
  return Math.max(2, availableParallelism());
}
