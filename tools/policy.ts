/**
 * Checks the security and operability invariants (policy/rules.ts) over every synthesized
 * environment and prints a table of rule, environment and result, then one line per violation.
 *
 *   npm run policy                     # every environment (same as --all)
 *   npm run policy -- --env prod       # one environment
 *   npm run policy -- --all --json     # the results as JSON on stdout
 *
 * The stacks are synthesized exactly as `cdktf synth` writes them, into .tf/policy/ (never
 * cdktf.out/, which `cdktf deploy` and `npm run plan` use), and read back as Terraform JSON.
 *
 * Exit codes: 0 every rule passed, 1 a rule failed (or the stacks could not be synthesized),
 * 2 bad arguments or configuration.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'cdktf';
import { ConfigError, environmentNamesList, environmentStacks, findService, loadEnvironment, serviceStackName, type EnvironmentConfig } from '../config';
import { helpRequested } from './terraform/arguments';
import { requireTerraform } from './terraform/installed';
import { EnvironmentStacks } from '../modules/environment-stacks';
import { checkEnvironment, formatReport, reportJson, type RuleResult } from '../policy/check';
import { environmentView, type StackJson } from '../policy/environment-view';
import { resourceAddresses, type Synthesized } from '../policy/synthesized';

const OUTDIR = join(resolve(__dirname, '..'), '.tf', 'policy');
const USAGE = 'usage: npm run policy -- [--env NAME [--service NAME] | --all] [--json]';

interface PolicyOptions {
  readonly environments: readonly string[];
  /** Only the rules' findings in this service's stack. */
  readonly service?: string;
  readonly json: boolean;
}

export function parsePolicyArguments(argv: readonly string[]): PolicyOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { env: { type: 'string' }, service: { type: 'string' }, all: { type: 'boolean' }, json: { type: 'boolean' } }, allowPositionals: true });
  } catch (error) {
    throw new ConfigError([`${(error as Error).message.split(/\.\s/)[0]}; ${USAGE}`]);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new ConfigError([`unexpected argument "${positionals[0]}"; ${USAGE}`]);
  if (values.env !== undefined && values.all) throw new ConfigError(['--env and --all exclude each other; pass one']);
  if (values.env !== undefined && !environmentNamesList().includes(values.env)) {
    throw new ConfigError([`unknown environment "${values.env}"; use one of: ${environmentNamesList().join(', ')}`]);
  }
  if (values.service !== undefined && values.env === undefined) throw new ConfigError(['--service names a stack of one environment; pass --env NAME too']);
  if (values.service === '') throw new ConfigError(['--service needs a service name']);
  return { environments: values.env !== undefined ? [values.env] : environmentNamesList(), service: values.service, json: values.json === true };
}

/** Synthesize the environments' stacks with cdktf and read back each stack's Terraform JSON, per environment (shared stack first). */
export function synthesizeStacksForPolicy(configs: readonly EnvironmentConfig[], outdir = OUTDIR): StackJson[][] {
  requireTerraform();
  rmSync(outdir, { recursive: true, force: true });
  // cdktf creates only the last directory of outdir; in a fresh clone .tf/ does not exist yet.
  mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir });
  for (const config of configs) new EnvironmentStacks(app, config);
  app.synth();
  return configs.map((config) =>
    environmentStacks(config).map(({ stack }) => ({ stack, synthesized: JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as Synthesized })),
  );
}

/** Each environment as the rules judge it: all its stacks in one view (policy/environment-view.ts). */
export function synthesizeForPolicy(configs: readonly EnvironmentConfig[], outdir = OUTDIR): Synthesized[] {
  return synthesizeStacksForPolicy(configs, outdir).map(environmentView);
}

/** Only the findings at addresses of one stack (`--service`): the rules still see the whole environment. */
function findingsIn(results: readonly RuleResult[], stack: StackJson): RuleResult[] {
  const addresses = new Set(resourceAddresses(stack.synthesized));
  return results.map((result) => {
    const violations = result.violations.filter((found) => addresses.has(found.address));
    return { ...result, violations, outcome: result.outcome === 'fail' && violations.length === 0 ? 'pass' : result.outcome };
  });
}

/** `--help`. */
const HELP = `${USAGE}

Checks the security and operability rules (policy/rules.ts) over each environment's synthesized
stacks (the shared stack and one per service, judged together, so rules that look across stacks
see both ends) and prints a table of rule, environment and result. No AWS account needed.

  --env NAME   one environment (default: every environment)
  --service NAME  only the findings in that service's stack (the rules still read the whole environment)
  --all        every environment
  --json       the results as JSON
  -h, --help   this help

Exit codes: 0 every rule passed, 1 a rule failed, 2 bad arguments or configuration.`;

function main(argv: readonly string[]): number {
  if (helpRequested(argv)) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const options = parsePolicyArguments(argv);
  const configs = options.environments.map((name) => loadEnvironment(name));
  if (options.service !== undefined) findService(configs[0], options.service);
  const environments = synthesizeStacksForPolicy(configs);
  const results: RuleResult[] = configs.flatMap((config, index) => {
    const all = checkEnvironment(environmentView(environments[index]), config);
    const stack = options.service === undefined ? undefined : environments[index].find((entry) => entry.stack === serviceStackName(config, { name: options.service as string }));
    return stack ? findingsIn(all, stack) : all;
  });
  process.stdout.write(options.json ? reportJson(results) : formatReport(results));
  return results.some((result) => result.outcome === 'fail') ? 1 : 0;
}

if (require.main === module) {
  process.env.CHECKPOINT_DISABLE ??= '1';
  process.env.CDKTF_DISABLE_TELEMETRY ??= 'true';
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.problems.join('\n')}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`policy check could not run: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  }
}
