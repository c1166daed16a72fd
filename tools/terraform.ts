/**
 * Synthesizes the stacks and runs the real Terraform on them, offline: no AWS credentials, no
 * registry download when a provider mirror is on the machine.
 *
 *   npm run synth                                  # cdktf.out/ for dev
 *   npm run validate -- --all                      # terraform validate, every stack of every environment
 *   npm run plan -- --env prod                     # plan against an empty state, summary per stack (shared first)
 *   npm run plan -- --env prod --service web       # only the stack of prod's web service
 *   npm run plan -- --env dev --state FILE         # plan the shared stack against a copy of a local state file
 *   npm run plan -- --all --json --markdown plan.md   # JSON on stdout, a PR comment in plan.md
 *
 * The plan summary comes from `terraform show -json`: Terraform's counts plus every resource that
 * would be replaced or destroyed, by address. With --json people's lines go to stderr.
 *
 * Each environment is a shared stack and one stack per service (modules/environment-stacks.ts). A
 * service stack reads the shared stack's outputs; offline, from the state a fresh apply of the
 * shared stack would leave (tools/terraform/shared-state.ts), built from the shared stack's plan.
 *
 * Exit codes: 0 every stack passed, 1 Terraform failed for a stack, 2 bad arguments or configuration.
 */
import { writeFileSync } from 'node:fs';
import { ConfigError, environmentNamesList } from '../config';
import { helpRequested, parseTerraformArguments, TERRAFORM_HELP, type TerraformOptions } from './terraform/arguments';
import { displayPath, providerSource, quietEnvironment, terraformEnvironment } from './terraform/environment';
import { planStack } from './terraform/plan-stack';
import { jobLogUrl, planDocument, planMarkdown, type StackPlanResult } from './terraform/plan-report';
import { countsLine, destructiveLines } from './terraform/plan-summary';
import { TerraformFailed } from './terraform/run';
import { schemasReader } from './terraform/apply-state';
import { SharedStates } from './terraform/shared-state';
import { validateStack } from './terraform/validate-stack';
import { loadSelected, selectStacks, synthesizeStacks, type SynthesizedStack } from './terraform/workspace';

export { cliConfig, findProviderMirror, quietEnvironment } from './terraform/environment';

type Say = (line: string) => void;

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

async function planAll(options: TerraformOptions, stacks: readonly SynthesizedStack[], env: NodeJS.ProcessEnv, say: Say): Promise<StackPlanResult[]> {
  const results: StackPlanResult[] = [];
  const sharedStates = new SharedStates(env, schemasReader(env));
  const stateFile = options.stateFile ? displayPath(options.stateFile) : undefined;
  for (const { environment, stack, service, shared } of stacks) {
    const started = Date.now();
    try {
      const sharedState = service ? await sharedStates.stateOf(shared) : undefined;
      const { summary, planText, plan, dir } = await planStack(stack, env, options.stateFile, sharedState);
      // The service stacks that follow read what a fresh apply of this plan leaves (an empty state only).
      if (!service && !options.stateFile) await sharedStates.remember(stack, dir, plan);
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
  const stacks = selectStacks(synthesizeStacks(loadSelected(options, offline), offline), options.service, options.stateFile !== undefined);
  // With --json, stdout carries only the document.
  const say: Say = options.json ? (line) => console.error(line) : (line) => console.log(line);
  if (options.command === 'synth') {
    for (const { stack } of stacks) say(`${stack}: synthesized cdktf.out/stacks/${stack}`);
    return 0;
  }

  const terraformEnv = terraformEnvironment(env);
  say(providerSource(terraformEnv.mirror));
  if (options.command === 'validate') {
    const failed = await validateAll(stacks.map(({ stack }) => stack), terraformEnv.env, say);
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
