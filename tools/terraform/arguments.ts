/**
 * Command lines of tools/terraform.ts and tools/drift.ts, parsed into options. Pure: problems
 * come back as a ConfigError with one line each (the entry points print them and exit 2).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../config';

export const TERRAFORM_COMMANDS = ['synth', 'validate', 'plan'] as const;
export type TerraformCommand = (typeof TERRAFORM_COMMANDS)[number];

export const TERRAFORM_USAGE = 'usage: npm run <synth|validate|plan> -- [--env NAME [--service NAME] | --all] [--state FILE] [--json] [--markdown FILE]';
export const DRIFT_USAGE = 'usage: npm run drift -- [--env NAME] [--service NAME] [--state FILE] [--json]  |  npm run drift -- --self-check [--env NAME [--service NAME] | --all]';

/** `--help` of npm run synth, validate and plan. */
export const TERRAFORM_HELP = `${TERRAFORM_USAGE}

  synth      synthesize the stacks into cdktf.out/ (no Terraform needed)
  validate   terraform init and validate each stack, offline
  plan       terraform plan each stack against an empty state (or --state), offline, with a summary

  --env NAME       one environment (default dev): its shared stack, then each service's stack
  --service NAME   only that service's stack of the environment
  --all            every environment in config/environments.ts
  --state FILE     plan only: plan one stack (the shared one, or --service's) against a copy of
                   this local state file
  --json           plan only: a JSON document on stdout, people's lines on stderr
  --markdown FILE  plan only: write the pull-request comment to FILE
  -h, --help       this help

validate and plan need Terraform on the PATH; the hashicorp/aws provider comes from a local
mirror (TF_PLUGIN_MIRROR or /opt/tf-plugins) or the registry.
Exit codes: 0 every stack passed, 1 Terraform failed for a stack, 2 bad arguments or configuration.`;

/** `--help` of npm run drift. */
export const DRIFT_HELP = `${DRIFT_USAGE}

  --env NAME     the environment to check against its real state (default dev): every stack
  --service NAME only that service's stack
  --state FILE   check one stack's local state file instead (the shared stack's, or --service's), offline
  --json         a JSON document on stdout
  --self-check   prove offline that releases are never drift and other changes are (--all: every environment)
  -h, --help     this help

Needs Terraform on the PATH. Exit codes: 0 clean, 3 drift, 1 Terraform failed, 2 bad arguments.`;

/** Whether a command line asks for help (`--help` or `-h` anywhere): help wins over every other flag. */
export function helpRequested(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

export interface TerraformOptions {
  readonly command: TerraformCommand;
  readonly environments: readonly string[];
  /** Only this service's stack (of the one environment). */
  readonly service?: string;
  /** plan only: a local state file to plan against instead of an empty state. */
  readonly stateFile?: string;
  /** plan only: print a JSON document on stdout (people's lines go to stderr). */
  readonly json: boolean;
  /** plan only: write a pull-request comment in Markdown here. */
  readonly markdownFile?: string;
}

export interface DriftOptions {
  readonly selfCheck: boolean;
  readonly environments: readonly string[];
  /** Only this service's stack (of the one environment). */
  readonly service?: string;
  readonly stateFile?: string;
  readonly json: boolean;
}

/** parseArgs, with its errors turned into one line. */
type FlagValues = Record<string, string | boolean | undefined>;

function parse(argv: readonly string[], options: NonNullable<Parameters<typeof parseArgs>[0]>['options'], usage: string): { values: FlagValues; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values: parsed.values as FlagValues, positionals: parsed.positionals };
  } catch (error) {
    throw new ConfigError([`${(error as Error).message.split(/\.\s|\n/)[0]}; ${usage}`]);
  }
}

function existingFile(flag: string, path: string): string {
  const absolute = resolve(path);
  if (!existsSync(absolute) || !statSync(absolute).isFile()) throw new ConfigError([`${flag} ${path}: no such file`]);
  return absolute;
}

function writableFile(flag: string, path: string): string {
  const absolute = resolve(path);
  if (!existsSync(dirname(absolute))) throw new ConfigError([`${flag} ${path}: directory ${dirname(absolute)} does not exist`]);
  if (existsSync(absolute) && statSync(absolute).isDirectory()) throw new ConfigError([`${flag} ${path}: is a directory; name a file`]);
  return absolute;
}

/** The flags `plan` and `drift` share: which environments, a state file, JSON output. */
const ENVIRONMENT_STATE_JSON_OPTIONS = {
  env: { type: 'string' },
  service: { type: 'string' },
  all: { type: 'boolean', default: false },
  state: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/** `--service NAME`: one service's stack of one environment (that the service exists is checked against the configuration later). */
function serviceOf(values: { service?: string; all?: boolean }): string | undefined {
  if (values.service === undefined) return undefined;
  if (values.service === '') throw new ConfigError(['--service needs a service name']);
  if (values.all) throw new ConfigError(['--service names a stack of one environment; pass --env NAME, not --all']);
  return values.service;
}

function environmentsOf(values: { env?: string; all?: boolean }, defaultEnvironment: string, allEnvironments: () => string[]): string[] {
  if (values.all && values.env !== undefined) throw new ConfigError(['--env and --all exclude each other; pass one']);
  if (values.env === '') throw new ConfigError(['--env needs an environment name']);
  return values.all ? allEnvironments() : [values.env ?? defaultEnvironment];
}

export function parseTerraformArguments(argv: readonly string[], allEnvironments: () => string[]): TerraformOptions {
  const { values, positionals } = parse(
    argv,
    { ...ENVIRONMENT_STATE_JSON_OPTIONS, markdown: { type: 'string' } },
    TERRAFORM_USAGE,
  );
  const command = positionals[0] as TerraformCommand;
  if (!TERRAFORM_COMMANDS.includes(command) || positionals.length > 1) throw new ConfigError([TERRAFORM_USAGE]);
  const planOnly = (['state', 'json', 'markdown'] as const).find((flag) => values[flag] !== undefined && values[flag] !== false);
  if (command !== 'plan' && planOnly) throw new ConfigError([`--${planOnly} applies to plan only`]);
  const environments = environmentsOf(values as { env?: string; all?: boolean }, 'dev', allEnvironments);
  if (values.state !== undefined && environments.length > 1) throw new ConfigError(['--state is one environment\'s state; pass --env NAME, not --all']);
  return {
    command,
    environments,
    service: serviceOf(values as { service?: string; all?: boolean }),
    stateFile: values.state !== undefined ? existingFile('--state', values.state as string) : undefined,
    json: values.json as boolean,
    markdownFile: values.markdown !== undefined ? writableFile('--markdown', values.markdown as string) : undefined,
  };
}

export function parseDriftArguments(argv: readonly string[], allEnvironments: () => string[]): DriftOptions {
  const { values, positionals } = parse(
    argv,
    { ...ENVIRONMENT_STATE_JSON_OPTIONS, 'self-check': { type: 'boolean', default: false } },
    DRIFT_USAGE,
  );
  if (positionals.length > 0) throw new ConfigError([`unexpected argument "${positionals[0]}"; ${DRIFT_USAGE}`]);
  const selfCheck = values['self-check'] as boolean;
  if (selfCheck && values.state !== undefined) throw new ConfigError(['--self-check builds its own states; drop --state']);
  if (selfCheck && values.json) throw new ConfigError(['--json applies to a drift check, not --self-check']);
  if (!selfCheck && values.all) throw new ConfigError(['drift checks one environment at a time (each against its own state); pass --env NAME, or --self-check --all']);
  return {
    selfCheck,
    environments: environmentsOf(values as { env?: string; all?: boolean }, 'dev', allEnvironments),
    service: serviceOf(values as { service?: string; all?: boolean }),
    stateFile: values.state !== undefined ? existingFile('--state', values.state as string) : undefined,
    json: values.json as boolean,
  };
}
