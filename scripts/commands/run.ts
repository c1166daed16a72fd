/** `run`: a one-off task of a service's revision with only the command changed (docs/releases.md). */
import { BadInputError } from '../cli/errors';
import { parseChoice, parseDuration, parseFlags, TARGET_OPTIONS } from '../cli/args';
import { EXIT } from '../cli/exit-codes';
import type { Context } from '../context';
import { describeTaskDefinition } from '../steps/base-revision';
import { checkImageReference, checkTag, type ImageRequest } from '../steps/image';
import { shortRevision } from '../steps/outcome';
import { planRelease } from '../steps/plan';
import { checkController, describeLiveService, runningTaskDefinition } from '../steps/preflight';
import { registerRevision } from '../steps/register-revision';
import { logLocation, runTaskInput, runToCompletion, taskId, type CompletedTask } from '../steps/run-task';
import { resolveTargets, targetLabel, type ReleaseTarget } from '../steps/target';
import type { Command, CommandOptions, CommandResult } from './common';

/**
 * Exit codes of `run` besides EXIT's bad input (2) and AWS error (5): the command's own code
 * passes through unchanged, so the tool's own outcomes use the codes shells and container tools
 * already give them.
 */
export const RUN_EXIT = {
  /** `--timeout` elapsed; the task was stopped (as GNU `timeout`). */
  timedOut: 124,
  /** The task did not start: image pull, capacity, ... (as `docker run`). */
  didNotStart: 125,
  /** Ctrl-C; the task was stopped (128 + SIGINT, as a shell). */
  interrupted: 130,
} as const;

export const RUN_EXIT_HELP = `Exit codes:
  0    the command exited with code 0
  N    the command exited with code N (1-255), passed through unchanged
  2    bad input: nothing started
  5    an AWS error persisted after retries (the verdict names any task still running)
  124  --timeout elapsed: the task was stopped (and waited for)
  125  the task did not start (AWS's reason: image pull, capacity, ...)
  130  Ctrl-C: the task was stopped (and waited for)
When the command itself exits with 2, 5, 124, 125 or 130 the code alone is ambiguous: the
verdict line says which, and so does --json's "outcome" (exited, did-not-start, interrupted,
timed-out).`;

export type RevisionChoice = 'live' | 'release';

export interface RunOptions extends CommandOptions {
  readonly command: readonly string[];
  readonly revision: RevisionChoice;
  readonly request: ImageRequest;
  readonly timeoutMs?: number;
  readonly dryRun: boolean;
}

const OPTIONS = {
  ...TARGET_OPTIONS,
  image: { type: 'string' },
  tag: { type: 'string' },
  revision: { type: 'string' },
  timeout: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

export const RUN_HELP = `Usage: npm run deploy -- run --env ENV --service NAME [--tag T | --image URI | --revision live|release] [flags] -- COMMAND ARGS...

Run COMMAND once as a Fargate task of the service: its revision (roles, environment, secrets,
image), its subnets and security groups, with only the container's command overridden. The
container's log lines are streamed from CloudWatch Logs until the task stops.

  --env ENV             environment from config/environments.ts (required)
  --service NAME        the service (optional when the environment has one)
  --revision live       the revision serving now (default without --tag/--image)
  --revision release    with --tag or --image: the revision a release of that image registers
                        (registered now unless the service already runs that content)
  --tag TAG | --image URI   the image, as for deploy (implies --revision release)
  --timeout DURATION    stop the task after e.g. 90s, 30m, 1h (default: none)
  --dry-run             print the RunTask request and change nothing
  --json                one JSON document on stdout at the end; progress and log lines on stderr
  -h, --help            this help

Ctrl-C stops the task (StopTask with a reason) and waits until it has stopped.

${RUN_EXIT_HELP}`;

export function parseRunOptions(argv: readonly string[]): RunOptions {
  const split = argv.indexOf('--');
  const flags = parseFlags('run', split < 0 ? argv : argv.slice(0, split), OPTIONS);
  if (flags.help) return { help: true, targets: [] } as unknown as RunOptions;
  const targets = resolveTargets({ env: flags.env, service: flags.service }, { allowMany: false });
  const command = split < 0 ? [] : argv.slice(split + 1);
  if (command.length === 0 || command[0].trim() === '') {
    throw new BadInputError('run: give the command after --, e.g. npm run deploy -- run --env dev --service web -- node migrate.js');
  }
  if (flags.image !== undefined && flags.tag !== undefined) throw new BadInputError('--image and --tag conflict; pass one of them');
  if (flags.image !== undefined) checkImageReference(flags.image);
  if (flags.tag !== undefined) checkTag(flags.tag);
  const withImage = flags.image !== undefined || flags.tag !== undefined;
  const revision = flags.revision !== undefined ? parseChoice('--revision', flags.revision, ['live', 'release'] as const) : withImage ? 'release' : 'live';
  if (revision === 'live' && withImage) throw new BadInputError('--revision live runs the serving revision; --tag/--image choose another one: drop one of them');
  if (revision === 'release' && !withImage) throw new BadInputError('--revision release needs the image: pass --tag TAG or --image URI');
  return {
    json: flags.json ?? false,
    targets,
    command,
    revision,
    request: { image: flags.image, tag: flags.tag },
    timeoutMs: flags.timeout !== undefined ? parseDuration('--timeout', flags.timeout) : undefined,
    dryRun: flags['dry-run'] ?? false,
  };
}

/** The revision to run: the live one, or the release's (registered unless already serving). */
async function chooseRevision(context: Context, target: ReleaseTarget, options: RunOptions) {
  if (options.revision === 'live') {
    const service = await describeLiveService(context, target);
    checkController(service, target);
    const arn = runningTaskDefinition(service);
    if (!arn) throw new BadInputError(`service ${target.names.service} runs no task definition yet: release it first`);
    const { taskDefinition } = await describeTaskDefinition(context, arn);
    return { service, arn, definition: taskDefinition, register: undefined };
  }
  const plan = await planRelease(context, target, options.request);
  const arn = plan.alreadyRunning ? plan.runningArn : undefined;
  return { service: plan.service, arn, definition: plan.registration, register: arn ? undefined : plan.registration };
}

function verdictOf(target: ReleaseTarget, command: string, ran: CompletedTask): { exitCode: number; outcome: string; verdict: string } {
  const label = targetLabel(target);
  const task = ran.taskArn ? `task ${taskId(ran.taskArn)}` : 'no task';
  const container = ran.outcome.exitCode !== undefined ? ` (container exit ${ran.outcome.exitCode})` : '';
  const unconfirmed = ran.taskArn && ran.outcome.exitCode === undefined && ran.outcome.failedToStart === undefined ? '; it has not confirmed STOPPED yet' : '';
  if (ran.ending === 'interrupted') return { exitCode: RUN_EXIT.interrupted, outcome: 'interrupted', verdict: `${label}: interrupted; ${task} was stopped${container}${unconfirmed}` };
  if (ran.ending === 'timeout') return { exitCode: RUN_EXIT.timedOut, outcome: 'timed-out', verdict: `${label}: timed out; ${task} was stopped${container}${unconfirmed}` };
  if (ran.outcome.failedToStart !== undefined) {
    return { exitCode: RUN_EXIT.didNotStart, outcome: 'did-not-start', verdict: `${label}: ${ran.taskArn ? `${task} did not start` : 'RunTask started no task'}: ${ran.outcome.failedToStart}` };
  }
  const code = ran.outcome.exitCode ?? EXIT.awsError;
  return { exitCode: code, outcome: 'exited', verdict: `${label}: \`${command}\` exited with code ${code} (${task})` };
}

export async function runRun(context: Context, options: RunOptions): Promise<CommandResult> {
  const target = options.targets[0];
  const started = context.clock.now();
  const chosen = await chooseRevision(context, target, options);
  const input = runTaskInput(target, chosen.service, chosen.arn ?? `<new revision of ${target.names.taskFamily}>`, options.command);
  const command = options.command.join(' ');
  if (options.dryRun) {
    context.out.line(`RunTask request for ${targetLabel(target)}${chosen.register ? ' (the revision would be registered first)' : ''}:`);
    for (const line of JSON.stringify(input, null, 2).split('\n')) context.out.line(`  ${line}`);
    context.out.line(`${targetLabel(target)}: dry run, nothing started`);
    return { exitCode: EXIT.succeeded, document: { command: 'run --dry-run', environment: target.env.environment, service: target.service.name, exitCode: EXIT.succeeded, dryRun: true, request: input, registers: chosen.register } };
  }
  if (context.interrupts.signal.aborted) return { exitCode: RUN_EXIT.interrupted, document: { command: 'run', exitCode: RUN_EXIT.interrupted, outcome: 'interrupted' } };
  const arn = chosen.arn ?? (await registerRevision(context, chosen.register!));
  if (!chosen.arn) context.out.line(`registered ${shortRevision(arn)}`);
  const container = target.service.containerName;
  const ran = await runToCompletion(context, { ...input, taskDefinition: arn }, {
    container,
    logs: logLocation(chosen.definition, container),
    deadline: options.timeoutMs !== undefined ? started + options.timeoutMs : undefined,
    what: `run of ${targetLabel(target)}: ${command}`.slice(0, 200),
    print: (line) => context.out.line(line),
  });
  const { exitCode, outcome, verdict } = verdictOf(target, command, ran);
  if (exitCode === 0) context.out.line(verdict);
  else context.out.error(verdict);
  return {
    exitCode,
    document: {
      command: 'run',
      environment: target.env.environment,
      service: target.service.name,
      exitCode,
      outcome,
      verdict,
      taskArn: ran.taskArn,
      taskDefinition: arn,
      containerExitCode: ran.outcome.exitCode,
      stoppedReason: ran.outcome.failedToStart,
      durationMs: context.clock.now() - started,
    },
  };
}

export const runCommand: Command<RunOptions> = {
  name: 'run',
  summary: 'run a one-off task (a command) with the service\'s revision',
  help: RUN_HELP,
  parse: parseRunOptions,
  run: runRun,
};
