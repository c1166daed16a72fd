/** What every command shares: its shape, the per-service pool, and how a run ends. */
import type { EnvironmentConfig } from '../../config';
import { combineExitCodes, type ExitCode } from '../cli/exit-codes';
import type { Context, Interrupts } from '../context';
import { reportToGitHub } from '../steps/github';
import { notifyChat } from '../steps/notify';
import type { ServiceResult } from '../steps/outcome';
import type { ReleaseTarget } from '../steps/target';

export interface CommandResult {
  /** One of EXIT, or for `run` the task's own (commands/run.ts). */
  readonly exitCode: ExitCode | number;
  /** The `--json` document. */
  readonly document: Record<string, unknown>;
}

export interface CommandOptions {
  readonly help?: boolean;
  readonly json?: boolean;
  /** Every command resolves its targets while parsing: no AWS call happens before they are valid. */
  readonly targets: readonly ReleaseTarget[];
}

export interface Command<O extends CommandOptions> {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  /** Parse and validate flags; throws BadInputError. With `--help`, targets may be empty. */
  parse(argv: readonly string[]): O;
  run(context: Context, options: O): Promise<CommandResult>;
}

/** The context for one service among several: its own output prefix and its own interrupt signal. */
export function serviceContext(context: Context, target: ReleaseTarget, several: boolean, signal?: AbortSignal): Context {
  const parent = context.interrupts;
  let ownInterruptPlan: string | undefined;
  const interrupts: Interrupts = {
    signal: signal ?? parent.signal,
    get stoppingMessage() {
      return parent.stoppingMessage;
    },
    set stoppingMessage(message) {
      parent.stoppingMessage = message;
    },
    // One service says what an interrupt does; with several, the run says it once for all of them.
    get onInterrupt() {
      return several ? ownInterruptPlan : parent.onInterrupt;
    },
    set onInterrupt(message) {
      if (several) ownInterruptPlan = message;
      else parent.onInterrupt = message;
    },
  };
  return { ...context, out: several ? context.out.withPrefix(`[${target.service.name}] `) : context.out, interrupts };
}

/** Run `work` over `items`, at most `limit` at a time, keeping order. */
export async function pool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Print verdicts, notify chat, report to GitHub, and build the result. */
export async function finishRelease(
  context: Context,
  command: string,
  env: EnvironmentConfig,
  results: readonly ServiceResult[],
  extra: Record<string, unknown> = {},
  options: { notify: boolean } = { notify: true },
): Promise<CommandResult> {
  for (const result of results) {
    if (result.exitCode === 0) context.out.line(result.verdict);
    else context.out.error(result.verdict);
  }
  if (options.notify) await notifyChat(context, command, env, results);
  reportToGitHub(context, command, results);
  const exitCode = combineExitCodes(results.map((result) => result.exitCode));
  return { exitCode, document: { command, environment: env.environment, exitCode, services: results, ...extra } };
}

