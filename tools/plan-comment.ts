/**
 * The plan comment (tools/terraform/plan-report.ts) from plans a workflow made itself, against the
 * real state: one `terraform show -json` file per stack in a directory, `<stack>.json`, or
 * `<stack>.failed` holding one line when its plan failed. Stacks of the environment with neither
 * were not planned (a `--service` run) and are left out.
 *
 *   npx tsx tools/plan-comment.ts --env dev --plans plans/ [--title TEXT] > plan.md
 *
 * Exit codes: 0 written, 2 bad arguments or configuration.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, environmentStacks, loadEnvironment } from '../config';
import { helpRequested } from './terraform/arguments';
import { parsePlanJson } from './terraform/plan-json';
import { jobLogUrl, planMarkdown, type StackPlanResult } from './terraform/plan-report';
import { summarizePlan } from './terraform/plan-summary';

const USAGE = 'usage: npm run plan-comment -- --env NAME --plans DIR [--title TEXT]';
const HELP = `${USAGE}

  --env NAME     the environment whose stacks were planned
  --plans DIR    <stack>.json (terraform show -json of its saved plan) or <stack>.failed per stack
  --title TEXT   the heading (default "terraform plan")
  -h, --help     this help

Prints the Markdown on stdout: failures and replaced or destroyed resources first, a line per
changed stack, unchanged stacks folded, within GitHub's comment limit.`;

function parse(argv: string[]): { env: string; plans: string; title?: string } {
  let values: { env?: string; plans?: string; title?: string };
  try {
    values = parseArgs({ args: argv, options: { env: { type: 'string' }, plans: { type: 'string' }, title: { type: 'string' } }, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError([`${(error as Error).message.split(/\.\s|\n/)[0]}; ${USAGE}`]);
  }
  if (!values.env || !values.plans) throw new ConfigError([`--env and --plans are required; ${USAGE}`]);
  if (!existsSync(values.plans) || !statSync(values.plans).isDirectory()) throw new ConfigError([`--plans ${values.plans}: no such directory`]);
  return { env: values.env, plans: values.plans, title: values.title };
}

/** The result of each planned stack, in dependency order. */
export function readPlans(environment: string, stacks: readonly string[], dir: string): StackPlanResult[] {
  return stacks.flatMap((stack): StackPlanResult[] => {
    const plan = join(dir, `${stack}.json`);
    const failed = join(dir, `${stack}.failed`);
    const against = { environment, stack, stateFile: 'its backend', refreshed: true, seconds: 0 };
    if (existsSync(failed)) return [{ ...against, error: readFileSync(failed, 'utf8').trim() || 'terraform plan failed' }];
    if (!existsSync(plan)) return [];
    return [{ ...against, summary: summarizePlan(stack, parsePlanJson(readFileSync(plan, 'utf8'))) }];
  });
}

function main(argv: string[]): number {
  if (helpRequested(argv)) {
    console.log(HELP);
    return 0;
  }
  const options = parse(argv);
  const env = loadEnvironment(options.env);
  const results = readPlans(env.environment, environmentStacks(env).map((entry) => entry.stack), options.plans);
  process.stdout.write(planMarkdown(results, { logUrl: jobLogUrl(process.env), title: options.title }));
  return 0;
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
