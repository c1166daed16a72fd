/**
 * Migrations before traffic (`deploy --migrate 'COMMAND'`, or `release.migrate` in a service's
 * config): the command runs as a one-off task of the NEW revision after it is registered and
 * before anything else changes (auto scaling is not suspended yet, no deployment exists). A
 * migration that fails, cannot start, is interrupted or times out stops the release there: what
 * serves is unchanged. The old version keeps serving while (and after) it runs, and a rollback
 * does not undo it, so migrations must be backward compatible (expand, release, contract later).
 */
import type { RegisterTaskDefinitionCommandInput, Service } from '@aws-sdk/client-ecs';
import { BadInputError, ReleaseError } from '../cli/errors';
import { EXIT, type ExitCode } from '../cli/exit-codes';
import type { Context } from '../context';
import { shortRevision } from './outcome';
import { runningTaskDefinition } from './preflight';
import { logLocation, runTaskInput, runToCompletion, taskId } from './run-task';
import { targetLabel, type ReleaseTarget } from './target';

/** Log lines repeated on stderr when a migration fails. */
const LAST_LINES = 10;

/**
 * Split a command into words the way a shell would for plain text: whitespace separates, single
 * and double quotes group, a backslash escapes; no variables, globs or pipes (for those, migrate
 * with `sh -c '...'` in an image that has a shell).
 */
export function splitCommand(text: string, flag = '--migrate'): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && index + 1 < text.length) word = (word ?? '') + text[++index];
      else word = (word ?? '') + char;
    } else if (char === '"' || char === "'") {
      quote = char;
      word ??= '';
    } else if (char === '\\' && index + 1 < text.length) {
      word = (word ?? '') + text[++index];
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + char;
    }
  }
  if (quote) throw new BadInputError(`${flag} "${text}" has an unclosed ${quote} quote`);
  if (word !== undefined) words.push(word);
  if (words.length === 0) throw new BadInputError(`${flag} needs a command, e.g. ${flag} 'node migrate.js up'`);
  return words;
}

/** The migration of a release: the flag, else the service's `release.migrate`, else none. */
export function migrationFor(target: ReleaseTarget, flag: readonly string[] | undefined): readonly string[] | undefined {
  if (flag) return flag;
  return target.service.release.migrate ? splitCommand(target.service.release.migrate, `${target.env.environment}.${target.service.name}.release.migrate`) : undefined;
}

function failure(exitCode: ExitCode, text: string): ReleaseError {
  return new ReleaseError(text, exitCode);
}

/**
 * Run the migration with the registered revision; returns when it exited 0, else throws the
 * release's verdict (exit 1 failed, 3 interrupted, 4 timed out) saying that nothing changed.
 */
export async function migrate(
  context: Context,
  release: { readonly target: ReleaseTarget; readonly service: Service; readonly revisionArn: string; readonly registration?: RegisterTaskDefinitionCommandInput },
  command: readonly string[],
  deadline: number | undefined,
): Promise<void> {
  const { target, service, revisionArn } = release;
  const text = command.join(' ');
  const container = target.service.containerName;
  context.out.line(`migration: running \`${text}\` as a one-off task of ${shortRevision(revisionArn)} before the deployment`);
  const logs = release.registration ? logLocation(release.registration, container) : undefined;
  const ran = await runToCompletion(context, runTaskInput(target, service, revisionArn, command), {
    container,
    logs,
    deadline,
    what: `migration of ${targetLabel(target)}`,
    print: (line) => context.out.line(`migrate | ${line}`),
  });
  const task = ran.taskArn ? `task ${taskId(ran.taskArn)}` : 'no task';
  if (ran.ending === 'stopped' && ran.outcome.exitCode === 0) {
    context.out.line(`migration succeeded (${task} exited with code 0)`);
    return;
  }
  if (ran.lines.length > 0) {
    context.out.error(`migration output, last ${Math.min(LAST_LINES, ran.lines.length)} lines:`);
    for (const line of ran.lines.slice(-LAST_LINES)) context.out.error(`  | ${line}`);
  }
  const unchanged = `no deployment was created; ${targetLabel(target)} still serves ${shortRevision(runningTaskDefinition(service))} and auto scaling was not touched`;
  if (ran.ending === 'interrupted') throw failure(EXIT.stopped, `interrupted during the migration: ${task} was stopped${exitText(ran.outcome.exitCode)}; ${unchanged}`);
  if (ran.ending === 'timeout') throw failure(EXIT.timedOut, `timed out during the migration: ${task} was stopped${exitText(ran.outcome.exitCode)}; ${unchanged}`);
  if (ran.outcome.failedToStart !== undefined) throw failure(EXIT.failed, `migration failed: ${task === 'no task' ? 'RunTask started no task' : `${task} did not start`} (${ran.outcome.failedToStart}); ${unchanged}`);
  throw failure(EXIT.failed, `migration failed: \`${text}\` exited with code ${ran.outcome.exitCode ?? 'unknown'} (${task}); ${unchanged}`);
}

function exitText(code: number | undefined): string {
  return code === undefined ? '' : ` (container exit ${code})`;
}
