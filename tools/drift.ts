/**
 * Drift of one environment: what changed outside Terraform and what Terraform would change to bring
 * the environment back to the code, by resource address and attribute path; set items and map keys
 * by name ("added ingress 8080/tcp from 0.0.0.0/0"). Attributes releases own
 * (`lifecycle.ignore_changes`), what AWS computes and the provider's normalisations never count:
 * the refresh is judged with the provider schema (tools/terraform/outside-differences.ts).
 *
 *   npm run drift -- --env prod                    # against the configured backend (S3 or the local file), refreshed from AWS
 *   npm run drift -- --env dev --state FILE        # offline against a copy of a local state file, no refresh
 *   npm run drift -- --env dev --json              # the report as JSON on stdout
 *   npm run drift -- --self-check --all            # prove offline that drift is detected, and releases are not drift
 *
 * Exit codes: 0 no drift (self-check: every check passed), 3 drift, 1 Terraform or a self-check
 * failed, 2 bad arguments or configuration.
 */
import { ConfigError, environmentNamesList, loadEnvironment } from '../config';
import { DRIFT_HELP, helpRequested, parseDriftArguments, type DriftOptions } from './terraform/arguments';
import { DRIFT_EXIT, driftDocument, driftLines } from './terraform/drift-report';
import { detectDrift } from './terraform/drift-stack';
import { displayPath, providerSource, quietEnvironment, terraformEnvironment, type TerraformEnvironment } from './terraform/environment';
import { TerraformFailed, terraform } from './terraform/run';
import { schemasReader, selfCheckStack, SelfCheckFailed } from './terraform/self-check';
import { StateBuildError } from './terraform/apply-state';
import { prepareWorkspace, stackDirectory, synthesizeStacks } from './terraform/workspace';

type Say = (line: string) => void;

/** One environment against its configured backend (refreshed), or against a state file (offline). */
async function checkDrift(options: DriftOptions, say: Say): Promise<number> {
  const [environment] = options.environments;
  const offline = options.stateFile !== undefined;
  const env = quietEnvironment('drift', offline);
  Object.assign(process.env, env);
  const [stack] = synthesizeStacks([loadEnvironment(environment, { offline })], offline);
  const terraformEnv = terraformEnvironment(env);
  say(providerSource(terraformEnv.mirror));

  let dir: string;
  let stateSource: string;
  if (options.stateFile) {
    dir = (await prepareWorkspace(stack, { purpose: 'drift', initialState: options.stateFile }, terraformEnv.env)).dir;
    stateSource = displayPath(options.stateFile);
    say(`${stack}: offline against a copy of ${stateSource} (fake credentials, no refresh)`);
  } else {
    // Where `cdktf deploy` runs, with the backend the stack declares.
    dir = stackDirectory(stack);
    await terraform(['init', '-input=false', '-reconfigure'], dir, terraformEnv.env);
    stateSource = 'configured backend';
    say(`${stack}: against the configured backend, refreshing from AWS`);
  }
  const report = await detectDrift(stack, dir, { refresh: !offline, lock: !offline }, terraformEnv.env);
  for (const line of driftLines(report)) say(line);
  if (options.json) console.log(JSON.stringify(driftDocument(environment, report, stateSource), null, 2));
  return report.entries.length > 0 ? DRIFT_EXIT.drift : DRIFT_EXIT.clean;
}

async function selfCheck(options: DriftOptions, say: Say): Promise<number> {
  const env = quietEnvironment('drift', true);
  Object.assign(process.env, env);
  const stacks = synthesizeStacks(options.environments.map((name) => loadEnvironment(name, { offline: true })), true);
  const terraformEnv: TerraformEnvironment = terraformEnvironment(env);
  say(providerSource(terraformEnv.mirror));
  const schemasOnce = schemasReader(terraformEnv.env);
  const started = Date.now();
  const results = await Promise.all(
    stacks.map(async (stack) => {
      const stackStarted = Date.now();
      const took = (): string => `[${((Date.now() - stackStarted) / 1000).toFixed(1)} s]`;
      try {
        return { ok: true, line: `${stack}: ${await selfCheckStack(stack, terraformEnv.env, schemasOnce)} ${took()}` };
      } catch (error) {
        if (!(error instanceof SelfCheckFailed || error instanceof TerraformFailed || error instanceof StateBuildError)) throw error;
        const details = 'details' in error && error.details ? `\n${String(error.details).trim()}` : '';
        return { ok: false, line: `${stack}: FAILED ${error.message} ${took()}${details}` };
      }
    }),
  );
  for (const result of results) (result.ok ? say : console.error)(result.line);
  const failed = results.filter((result) => !result.ok).length;
  say(`${stacks.length - failed} of ${stacks.length} stack(s) passed in ${((Date.now() - started) / 1000).toFixed(1)} s; states kept in .tf/self-check/<stack>/ for replay with --state`);
  return failed > 0 ? DRIFT_EXIT.failed : DRIFT_EXIT.clean;
}

/** The entry point's work: parse the arguments, run the check, map failures to exit codes. */
export async function runDrift(argv: string[]): Promise<number> {
  if (helpRequested(argv)) {
    console.log(DRIFT_HELP);
    return 0;
  }
  try {
    const options = parseDriftArguments(argv, environmentNamesList);
    const say: Say = options.json ? (line) => console.error(line) : (line) => console.log(line);
    return await (options.selfCheck ? selfCheck(options, say) : checkDrift(options, say));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.problems.join('\n'));
      return DRIFT_EXIT.badInput;
    }
    if (error instanceof TerraformFailed) {
      console.error(`${error.message}${error.details ? `\n${error.details}` : ''}`);
      return DRIFT_EXIT.failed;
    }
    throw error;
  }
}

if (require.main === module) {
  runDrift(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
