/**
 * Parse the command line, dispatch to a command, and map every outcome and expected error to an
 * exit code and one line on stderr. Flags and configuration are validated before any AWS call.
 */
import { loadAllEnvironments, type EnvironmentConfig } from '../config';
import { createClients, destroyClients, type AwsClients } from './aws/clients';
import { checkEnvironmentVariables, webhookVariables } from './aws/environment-variables';
import { toReleaseError } from './aws/errors';
import { approveCommand } from './commands/approve';
import type { Command, CommandOptions } from './commands/common';
import { deployCommand } from './commands/deploy';
import { finishCommand } from './commands/finish';
import { pruneCommand } from './commands/prune';
import { renderCommand } from './commands/render';
import { settleCommand } from './commands/settle';
import { rollbackCommand } from './commands/rollback';
import { runCommand } from './commands/run';
import { statusCommand } from './commands/status';
import { stopCommand } from './commands/stop';
import { waitCommand } from './commands/wait';
import { systemClock, type Clock, type Context, type Interrupts } from './context';
import { EXIT, exitCodeHelp, type ExitCode } from './cli/exit-codes';
import { createReporter, redactingStreams, type Streams } from './cli/output';

export const COMMANDS: Readonly<Record<string, Command<CommandOptions>>> = Object.fromEntries(
  [deployCommand, statusCommand, waitCommand, approveCommand, finishCommand, rollbackCommand, stopCommand, settleCommand, renderCommand, runCommand, pruneCommand].map((command) => [
    command.name,
    command as unknown as Command<CommandOptions>,
  ]),
);

export function topLevelHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    'Usage: npm run deploy -- [command] [flags]    (command defaults to deploy)',
    '',
    'Commands:',
    ...Object.values(COMMANDS).map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Run `npm run deploy -- COMMAND --help` for a command\'s flags.',
    '',
    exitCodeHelp(),
    '`run` exits with its command\'s own code instead (see `npm run deploy -- run --help`).',
  ].join('\n');
}

export interface MainDependencies {
  readonly streams: Streams;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly interrupts: Interrupts;
  /** Builds the AWS clients for an environment; tests pass mocked ones. */
  readonly clients?: (env: EnvironmentConfig) => Promise<AwsClients>;
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
}

/** The variables holding chat webhook URLs in any environment (secrets), read without failing on a broken config. */
function webhookVariableNames(): string[] {
  try {
    return webhookVariables(loadAllEnvironments());
  } catch {
    return ['CHAT_WEBHOOK_URL'];
  }
}

/** Every secret value set in the variables, by variable name: printed nowhere. */
function secretValues(vars: MainDependencies['env']): Record<string, string> {
  return Object.fromEntries(webhookVariableNames().flatMap((name) => (vars[name] ? [[name, vars[name] as string]] : [])));
}

export async function main(argv: readonly string[], dependencies: MainDependencies): Promise<ExitCode | number> {
  const deps = { ...dependencies, streams: redactingStreams(dependencies.streams, secretValues(dependencies.env)) };
  const [first] = argv;
  if (first === 'help' || ((first === '--help' || first === '-h') && argv.length === 1)) {
    deps.streams.stdout(`${topLevelHelp()}\n`);
    return EXIT.succeeded;
  }
  const explicit = first !== undefined && !first.startsWith('-');
  const name = explicit ? first : 'deploy';
  const args = explicit ? argv.slice(1) : argv;
  // Words after `--` belong to `run`'s command, not to the tool.
  const toolArgs = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  const out = createReporter(toolArgs.includes('--json'), deps.streams);
  const command = COMMANDS[name];
  if (!command) {
    out.error(`unknown command "${name}"; use one of: ${Object.keys(COMMANDS).join(', ')}`);
    return EXIT.badInput;
  }
  const fail = (error: unknown): ExitCode => {
    const released = toReleaseError(error);
    out.error(released.message);
    if (deps.env.ECS_BG_DEBUG && error instanceof Error && error.stack) deps.streams.stderr(`${error.stack}\n`);
    out.result({ command: name, exitCode: released.exitCode, error: released.message });
    return released.exitCode;
  };

  let options: CommandOptions;
  try {
    options = command.parse(args);
    if (!options.help) checkEnvironmentVariables(deps.env, options.targets[0].env);
  } catch (error) {
    return fail(error);
  }
  if (options.help) {
    deps.streams.stdout(`${command.help}\n`);
    return EXIT.succeeded;
  }

  let clients: AwsClients | undefined;
  try {
    clients = await (deps.clients ?? ((env) => createClients(env, deps.env)))(options.targets[0].env);
    const context: Context = {
      clients,
      clock: deps.clock ?? systemClock,
      out,
      env: deps.env,
      interrupts: deps.interrupts,
      fetch: deps.fetch ?? globalThis.fetch,
    };
    const result = await command.run(context, options);
    out.result(result.document);
    return result.exitCode;
  } catch (error) {
    return fail(error);
  } finally {
    if (clients && !deps.clients) destroyClients(clients);
  }
}
