/**
 * Drift of one environment: what changed outside Terraform and what Terraform would change to bring
 * the environment back to the code, by resource address and attribute path; set items and map keys
 * by name ("added ingress 8080/tcp from 0.0.0.0/0"). Attributes releases own
 * (`lifecycle.ignore_changes`), what AWS computes and the provider's normalisations never count:
 * the refresh is judged with the provider schema (tools/terraform/outside-differences.ts).
 *
 *   npm run drift -- --env prod                    # every stack against its configured backend (S3 or the local file), refreshed from AWS
 *   npm run drift -- --env prod --service web      # only the web service's stack
 *   npm run drift -- --env dev --state FILE        # offline: the shared stack (or --service's) against a copy of a local state file, no refresh
 *   npm run drift -- --env dev --json              # the report as JSON on stdout
 *   npm run drift -- --self-check --all            # prove offline that drift is detected, and releases are not drift
 *
 * Exit codes: 0 no drift (self-check: every check passed), 3 drift, 1 Terraform or a self-check
 * failed, 2 bad arguments or configuration.
 */
import { ConfigError, environmentNamesList } from '../config';
import { DRIFT_HELP, helpRequested, parseDriftArguments, type DriftOptions } from './terraform/arguments';
import { DRIFT_EXIT, driftDocument, driftLines } from './terraform/drift-report';
import { detectDrift } from './terraform/drift-stack';
import { displayPath, providerSource, quietEnvironment, terraformEnvironment, type TerraformEnvironment } from './terraform/environment';
import { mapConcurrently, TerraformFailed, terraform, terraformConcurrency } from './terraform/run';
import { selfCheckStack, SelfCheckFailed } from './terraform/self-check';
import { schemasReader, StateBuildError } from './terraform/apply-state';
import { SharedStates } from './terraform/shared-state';
import { loadSelected, prepareWorkspace, selectStacks, stackDirectory, synthesizeStacks, type SynthesizedStack } from './terraform/workspace';

type Say = (line: string) => void;

/** Where a stack's drift check runs, and what it says about the state it reads. */
interface DriftTarget {
  readonly dir: string;
  readonly stateSource: string;
}

/** A private copy against a state file (a service stack reads the fabricated shared state), offline. */
async function offlineTarget(entry: SynthesizedStack, stateFile: string, sharedStates: SharedStates, env: NodeJS.ProcessEnv): Promise<DriftTarget> {
  const sharedState = entry.service ? await sharedStates.stateOf(entry.shared) : undefined;
  const dir = (await prepareWorkspace(entry.stack, { purpose: 'drift', initialState: stateFile, sharedState }, env)).dir;
  return { dir, stateSource: displayPath(stateFile) };
}

/** Where `cdktf deploy` runs, with the backend the stack declares (and the shared stack's real state). */
async function backendTarget(entry: SynthesizedStack, env: NodeJS.ProcessEnv): Promise<DriftTarget> {
  const dir = stackDirectory(entry.stack);
  await terraform(['init', '-input=false', '-reconfigure'], dir, env);
  return { dir, stateSource: 'configured backend' };
}

/**
 * One environment's stacks (shared first; or --service's) against their configured backends
 * (refreshed), or one stack against a state file (offline).
 */
async function checkDrift(options: DriftOptions, say: Say): Promise<number> {
  const [environment] = options.environments;
  const offline = options.stateFile !== undefined;
  const env = quietEnvironment('drift', offline);
  Object.assign(process.env, env);
  const stacks = selectStacks(synthesizeStacks(loadSelected(options, offline), offline), options.service, offline);
  const terraformEnv = terraformEnvironment(env);
  say(providerSource(terraformEnv.mirror));
  const sharedStates = new SharedStates(terraformEnv.env, schemasReader(terraformEnv.env));

  const documents: object[] = [];
  let drifted = false;
  for (const entry of stacks) {
    const target = options.stateFile ? await offlineTarget(entry, options.stateFile, sharedStates, terraformEnv.env) : await backendTarget(entry, terraformEnv.env);
    say(options.stateFile ? `${entry.stack}: offline against a copy of ${target.stateSource} (fake credentials, no refresh)` : `${entry.stack}: against the configured backend, refreshing from AWS`);
    const report = await detectDrift(entry.stack, target.dir, { refresh: !offline, lock: !offline }, terraformEnv.env);
    for (const line of driftLines(report)) say(line);
    documents.push(driftDocument(environment, report, target.stateSource));
    drifted ||= report.entries.length > 0;
  }
  if (options.json) console.log(JSON.stringify({ environment, drift: drifted, stacks: documents }, null, 2));
  return drifted ? DRIFT_EXIT.drift : DRIFT_EXIT.clean;
}

async function selfCheck(options: DriftOptions, say: Say): Promise<number> {
  const env = quietEnvironment('drift', true);
  Object.assign(process.env, env);
  const stacks = selectStacks(synthesizeStacks(loadSelected(options, true), true), options.service);
  const terraformEnv: TerraformEnvironment = terraformEnvironment(env);
  say(providerSource(terraformEnv.mirror));
  const schemasOnce = schemasReader(terraformEnv.env);
  const sharedStates = new SharedStates(terraformEnv.env, schemasOnce);
  const started = Date.now();
  const results = await mapConcurrently(stacks, terraformConcurrency(), async ({ stack, service, shared }) => {
    const stackStarted = Date.now();
    const took = (): string => `[${((Date.now() - stackStarted) / 1000).toFixed(1)} s]`;
    try {
      const sharedState = service ? await sharedStates.stateOf(shared) : undefined;
      return { ok: true, line: `${stack}: ${await selfCheckStack(stack, terraformEnv.env, schemasOnce, sharedState)} ${took()}` };
    } catch (error) {
      if (!(error instanceof SelfCheckFailed || error instanceof TerraformFailed || error instanceof StateBuildError)) throw error;
      const details = 'details' in error && error.details ? `\n${String(error.details).trim()}` : '';
      return { ok: false, line: `${stack}: FAILED ${error.message} ${took()}${details}` };
    }
  });
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
