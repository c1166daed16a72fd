/**
 * Synthesizes the stacks and runs the real Terraform on them, offline: no AWS credentials, no
 * registry download when a provider mirror is on the machine.
 *
 *   npm run synth                                  # cdktf.out/ for dev
 *   npm run validate -- --all                      # terraform validate, every environment
 *   npm run plan -- --env prod                     # plan against an empty state, summary per stack
 *   npm run plan -- --env dev --state FILE         # plan against a copy of a local state file
 *   npm run plan -- --all --json --markdown plan.md   # JSON on stdout, a PR comment in plan.md
 *
 * The plan summary comes from `terraform show -json`: Terraform's counts plus every resource that
 * would be replaced or destroyed, by address. With --json people's lines go to stderr.
 *
 * Exit codes: 0 every stack passed, 1 Terraform failed for a stack, 2 bad arguments or configuration.
 */
import { writeFileSync } from 'node:fs';
import { ConfigError, environmentNamesList, loadEnvironment } from '../config';
import { helpRequested, parseTerraformArguments, TERRAFORM_HELP, type TerraformOptions } from './terraform/arguments';
import { displayPath, providerSource, quietEnvironment, terraformEnvironment } from './terraform/environment';
import { planStack } from './terraform/plan-stack';
import { jobLogUrl, planDocument, planMarkdown, type StackPlanResult } from './terraform/plan-report';
import { countsLine, destructiveLines } from './terraform/plan-summary';
import { terraform, TerraformFailed } from './terraform/run';
import { stackDirectory, synthesizeStacks } from './terraform/workspace';

export { cliConfig, findProviderMirror, quietEnvironment } from './terraform/environment';

type Say = (line: string) => void;

async function validateStack(stack: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = stackDirectory(stack, true);
  await terraform(['init', '-backend=false', '-input=false'], dir, env);
  const validate = await terraform(['validate'], dir, env);
  const output = `${validate.stdout}${validate.stderr}`;
  const warnings = (output.match(/^Warning: /gm) ?? []).length;
  return warnings > 0 ? `valid, ${warnings} warning(s):\n${output}` : 'valid';
}

function seconds(started: number): number {
  return (Date.now() - started) / 1000;
}

async function validateAll(stacks: readonly string[], env: NodeJS.ProcessEnv, say: Say): Promise<number> {
  let failed = 0;
  for (const stack of stacks) {
    const started = Date.now();
    try {
      say(`${stack}: ${await validateStack(stack, env)} [${seconds(started).toFixed(1)} s]`);
    } catch (error) {
      if (!(error instanceof TerraformFailed)) throw error;
      failed += 1;
      say(`${stack}: ${error.message} [${seconds(started).toFixed(1)} s]`);
      console.error(error.details ?? '');
    }
  }
  return failed;
}

async function planAll(options: TerraformOptions, stacks: readonly string[], env: NodeJS.ProcessEnv, say: Say): Promise<StackPlanResult[]> {
  const results: StackPlanResult[] = [];
  for (const [index, stack] of stacks.entries()) {
    const started = Date.now();
    const environment = options.environments[index];
    const stateFile = options.stateFile ? displayPath(options.stateFile) : undefined;
    try {
      const { summary, planText } = await planStack(stack, env, options.stateFile);
      results.push({ environment, stack, stateFile, summary, planText, seconds: seconds(started) });
      const against = stateFile ? `, against ${stateFile}` : '';
      say(`${stack}: ${countsLine(summary)} (full plan: ${planText}${against}) [${seconds(started).toFixed(1)} s]`);
      for (const line of destructiveLines(summary)) say(line);
    } catch (error) {
      if (!(error instanceof TerraformFailed)) throw error;
      results.push({ environment, stack, stateFile, error: error.message, seconds: seconds(started) });
      say(`${stack}: ${error.message} [${seconds(started).toFixed(1)} s]`);
      console.error(error.details ?? '');
    }
  }
  return results;
}

async function main(argv: string[]): Promise<number> {
  if (helpRequested(argv)) {
    console.log(TERRAFORM_HELP);
    return 0;
  }
  const options = parseTerraformArguments(argv, environmentNamesList);
  const env = quietEnvironment(options.command);
  Object.assign(process.env, env);
  const offline = options.command !== 'synth';
  const stacks = synthesizeStacks(options.environments.map((name) => loadEnvironment(name, { offline })), offline);
  // With --json, stdout carries only the document.
  const say: Say = options.json ? (line) => console.error(line) : (line) => console.log(line);
  if (options.command === 'synth') {
    for (const stack of stacks) say(`${stack}: synthesized cdktf.out/stacks/${stack}`);
    return 0;
  }

  const terraformEnv = terraformEnvironment(env);
  say(providerSource(terraformEnv.mirror));
  if (options.command === 'validate') {
    const failed = await validateAll(stacks, terraformEnv.env, say);
    if (failed > 0) console.error(`${failed} of ${stacks.length} stack(s) failed`);
    return failed > 0 ? 1 : 0;
  }

  const results = await planAll(options, stacks, terraformEnv.env, say);
  if (options.json) console.log(JSON.stringify(planDocument(results), null, 2));
  if (options.markdownFile) {
    writeFileSync(options.markdownFile, planMarkdown(results, { logUrl: jobLogUrl(process.env) }));
    say(`markdown summary: ${options.markdownFile}`);
  }
  const failed = results.filter((result) => !result.summary).length;
  if (failed > 0) console.error(`${failed} of ${stacks.length} stack(s) failed`);
  return failed > 0 ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (!(error instanceof ConfigError)) throw error;
      console.error(error.problems.join('\n'));
      process.exitCode = 2;
    },
  );
}
