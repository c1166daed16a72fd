/**
 * Synthesizes the stacks and runs the real Terraform on them, offline: no AWS credentials, no
 * registry download when a provider mirror is on the machine.
 *
 *   npm run synth                      # cdktf.out/ for dev
 *   npm run validate -- --all          # terraform validate, every environment
 *   npm run plan -- --env prod         # terraform plan with fake credentials and a throwaway state
 *
 * Exit codes: 0 all stacks passed, 1 Terraform failed for a stack, 2 bad arguments or configuration.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'cdktf';
import { ConfigError, environmentNames, environmentNamesList, loadEnvironment, type EnvironmentConfig } from '../config';
import { EnvironmentStack } from '../modules/environment-stack';

const ROOT = resolve(__dirname, '..');
const OUTDIR = join(ROOT, 'cdktf.out');
/** Ignored by git: CLI config, offline plan working copies and their (empty) state. */
const WORKDIR = join(ROOT, '.tf');
/** Where the provider mirror usually lives on CI machines and this repository's dev containers. */
const DEFAULT_MIRROR = '/opt/tf-plugins';

const COMMANDS = ['synth', 'validate', 'plan'] as const;
type Command = (typeof COMMANDS)[number];

interface Options {
  readonly command: Command;
  readonly environments: readonly string[];
}

interface StackResult {
  readonly ok: boolean;
  /** One line for the summary. */
  readonly summary: string;
  /** Terraform's own output when it failed. */
  readonly details?: string;
}

function parseOptions(argv: string[]): Options {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { env: { type: 'string' }, all: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const command = positionals[0] as Command;
  if (!COMMANDS.includes(command) || positionals.length > 1) {
    throw new ConfigError([`usage: tsx tools/terraform.ts <${COMMANDS.join('|')}> [--env NAME | --all]`]);
  }
  if (values.all && values.env) throw new ConfigError(['--env and --all exclude each other; pass one']);
  return { command, environments: values.all ? environmentNamesList() : [values.env ?? 'dev'] };
}

/** Variables for every child process: no update checks, no telemetry, offline config when planning. */
export function quietEnvironment(command: Command): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CHECKPOINT_DISABLE: '1',
    DISABLE_VERSION_CHECK: '1',
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
    CDKTF_DISABLE_TELEMETRY: 'true',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    ...(command === 'synth' ? {} : { ECS_BG_OFFLINE: '1' }),
  };
}

/** A directory laid out as a Terraform filesystem mirror that holds hashicorp/aws, if any. */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env, fallback = DEFAULT_MIRROR): string | undefined {
  if (env.TF_PLUGIN_MIRROR) return env.TF_PLUGIN_MIRROR;
  return existsSync(join(fallback, 'registry.terraform.io', 'hashicorp', 'aws')) ? fallback : undefined;
}

/**
 * The Terraform CLI config: providers from the mirror when there is one (offline), else the
 * registry as usual with a shared plugin cache so `--all` downloads once.
 */
export function cliConfig(mirror: string | undefined, pluginCache: string): string {
  if (mirror) {
    return [
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = ${JSON.stringify(mirror)}`,
      '    include = ["registry.terraform.io/hashicorp/*"]',
      '  }',
      '  direct {',
      '    exclude = ["registry.terraform.io/hashicorp/*"]',
      '  }',
      '}',
      '',
    ].join('\n');
  }
  return [`plugin_cache_dir = ${JSON.stringify(pluginCache)}`, 'provider_installation {', '  direct {}', '}', ''].join('\n');
}

function writeCliConfig(env: NodeJS.ProcessEnv): { file: string; mirror?: string } {
  const mirror = findProviderMirror(env);
  const pluginCache = join(WORKDIR, 'plugin-cache');
  mkdirSync(pluginCache, { recursive: true });
  const file = join(WORKDIR, 'terraform.rc');
  writeFileSync(file, cliConfig(mirror, pluginCache));
  return { file, mirror };
}

function synthesize(configs: readonly EnvironmentConfig[]): void {
  const app = new App({ outdir: OUTDIR });
  for (const config of configs) new EnvironmentStack(app, environmentNames(config).stack, { config });
  app.synth();
}

function terraform(args: string[], cwd: string, env: NodeJS.ProcessEnv): { ok: boolean; output: string } {
  const binary = env.TERRAFORM_BINARY_NAME ?? 'terraform';
  const run = spawnSync(binary, [...args, '-no-color'], { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.error) return { ok: false, output: `cannot run ${binary}: ${run.error.message} (install Terraform 1.10+ or set TERRAFORM_BINARY_NAME)` };
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

function validateStack(stackDir: string, env: NodeJS.ProcessEnv): StackResult {
  const init = terraform(['init', '-backend=false', '-input=false'], stackDir, env);
  if (!init.ok) return { ok: false, summary: 'terraform init failed', details: init.output };
  const validate = terraform(['validate'], stackDir, env);
  if (!validate.ok) return { ok: false, summary: 'terraform validate failed', details: validate.output };
  const warnings = (validate.output.match(/^Warning: /gm) ?? []).length;
  return { ok: true, summary: warnings > 0 ? `valid, ${warnings} warning(s):\n${validate.output}` : 'valid' };
}

/**
 * Plans in a copy of the stack under .tf/offline/<stack>, with an override file that swaps any
 * backend (S3 included) for a local state file that stays empty: the plan shows the whole stack as
 * new, needs no AWS credentials, and the override can never leak into cdktf.out where
 * `cdktf deploy` runs against the real backend.
 */
function planStack(stack: string, stackDir: string, env: NodeJS.ProcessEnv): StackResult {
  const planDir = join(WORKDIR, 'offline', stack);
  rmSync(planDir, { recursive: true, force: true });
  mkdirSync(planDir, { recursive: true });
  for (const entry of readdirSync(stackDir)) {
    const source = join(stackDir, entry);
    if (statSync(source).isFile() && !entry.startsWith('.')) copyFileSync(source, join(planDir, entry));
  }
  const stateFile = join(WORKDIR, 'offline', `${stack}.tfstate`);
  rmSync(stateFile, { force: true });
  writeFileSync(
    join(planDir, 'offline_state_override.tf.json'),
    JSON.stringify({ terraform: { backend: { local: { path: stateFile } } } }, null, 2),
  );

  const init = terraform(['init', '-input=false', '-reconfigure'], planDir, env);
  if (!init.ok) return { ok: false, summary: 'terraform init failed', details: init.output };
  // A fresh state has nothing to refresh; -refresh=false also guarantees no AWS read call.
  const plan = terraform(['plan', '-input=false', '-lock=false', '-refresh=false'], planDir, env);
  const planText = join(planDir, 'plan.txt');
  writeFileSync(planText, plan.output);
  if (!plan.ok) return { ok: false, summary: 'terraform plan failed', details: plan.output };
  const counts = plan.output.match(/^Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/m);
  const summary = counts ? `${counts[1]} to add, ${counts[2]} to change, ${counts[3]} to destroy` : 'no changes';
  return { ok: true, summary: `${summary} (full plan: ${planText.slice(ROOT.length + 1)})` };
}

function main(argv: string[]): number {
  const options = parseOptions(argv);
  const env = quietEnvironment(options.command);
  Object.assign(process.env, env);
  const offline = options.command !== 'synth';
  const configs = options.environments.map((name) => loadEnvironment(name, { offline }));

  synthesize(configs);
  const stacks = configs.map((config) => environmentNames(config).stack);
  if (options.command === 'synth') {
    for (const stack of stacks) console.log(`${stack}: synthesized cdktf.out/stacks/${stack}`);
    return 0;
  }

  const cli = writeCliConfig(env);
  const terraformEnv = { ...env, TF_CLI_CONFIG_FILE: cli.file };
  console.log(cli.mirror ? `providers: filesystem mirror ${cli.mirror}` : 'providers: registry download (no mirror found; set TF_PLUGIN_MIRROR to use one)');

  let failed = 0;
  for (const stack of stacks) {
    const started = Date.now();
    const stackDir = join(OUTDIR, 'stacks', stack);
    const result = options.command === 'validate' ? validateStack(stackDir, terraformEnv) : planStack(stack, stackDir, terraformEnv);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`${stack}: ${result.summary} [${seconds} s]`);
    if (!result.ok) {
      failed += 1;
      console.error(result.details?.trim());
    }
  }
  if (failed > 0) console.error(`${failed} of ${stacks.length} stack(s) failed`);
  return failed > 0 ? 1 : 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.problems.join('\n'));
    process.exitCode = 2;
  }
}
