/**
 * Verification by the environment's verification hook: CodeDeploy runs the stack's function
 * (modules/verification-hook.ts) at AfterAllowTestTraffic, inside the VPC; it GETs the path on the
 * test listener and reports Succeeded or Failed, and Failed rolls the deployment back before any
 * production traffic moves. The release tool only names the function in the AppSpec (and, for
 * `--verify PATH`, the path in the deployment's description), so the verdict never depends on the
 * runner staying alive. `--verify-base-url` keeps the runner's own GET, for runs inside the VPC.
 */
import { environmentNames, hasVerificationHook, type LifecycleHooks } from '../../config';
import { BadInputError } from '../cli/errors';
import type { DeploymentSnapshot } from './deployment-state';
import type { ReleaseTarget } from './target';
import type { VerifyRequest } from './verify';

/** The description prefix the function reads the path from (functions/verify-test-listener/index.js). */
export const DESCRIPTION_PATH_PREFIX = 'verify ';
/** CodeDeploy's limit on a deployment description. */
const DESCRIPTION_LIMIT = 100;

export interface HookVerification {
  /** The function CodeDeploy invokes at AfterAllowTestTraffic. */
  readonly functionName: string;
  /** Its log group, where each try and the failing response are logged. */
  readonly logGroupName: string;
  /** The path it GETs on the test listener. */
  readonly path: string;
  /** The path came from `--verify PATH` (so it travels in the description), not from `release.verifyPath`. */
  readonly fromFlag: boolean;
}

/**
 * Whether this release verifies through the hook: the environment has one, and the service sets
 * `release.verifyPath` or `--verify PATH` is given without `--verify-base-url`. Checked offline.
 */
export function hookVerification(target: ReleaseTarget, verify: VerifyRequest | undefined): HookVerification | undefined {
  if (target.strategy !== 'blue-green' || !hasVerificationHook(target.env)) return undefined;
  if (verify?.baseUrl !== undefined) return undefined;
  const path = verify?.path ?? target.service.release.verifyPath;
  if (path === undefined) return undefined;
  if (target.service.release.lifecycleHooks.AfterAllowTestTraffic) {
    throw new BadInputError(
      `--verify: ${target.names.service} runs its own AfterAllowTestTraffic hook (${target.service.release.lifecycleHooks.AfterAllowTestTraffic}) and an AppSpec takes one per event; use --verify-base-url from inside the VPC instead`,
    );
  }
  const names = environmentNames(target.env);
  return { functionName: names.verificationHook, logGroupName: names.verificationHookLogGroup, path, fromFlag: verify !== undefined };
}

/** The service's configured hooks, with the verification hook at AfterAllowTestTraffic when it verifies. */
export function releaseHooks(target: ReleaseTarget, hook: HookVerification | undefined): LifecycleHooks {
  const configured = target.service.release.lifecycleHooks;
  return hook ? { ...configured, AfterAllowTestTraffic: hook.functionName } : configured;
}

/** The deployment description: `verify PATH` first when the path comes from the flag, then the user's text. */
export function deploymentDescription(hook: HookVerification | undefined, description: string | undefined): string | undefined {
  if (!hook?.fromFlag) return description;
  const combined = [`${DESCRIPTION_PATH_PREFIX}${hook.path}`, description].filter(Boolean).join(' - ');
  if (combined.length > DESCRIPTION_LIMIT) {
    throw new BadInputError(`--verify ${hook.path} with --description is ${combined.length} characters of description, over CodeDeploy's ${DESCRIPTION_LIMIT}; shorten --description`);
  }
  return combined;
}

/** What the release says when the deployment starts. */
export function hookStartLine(hook: HookVerification): string {
  return `verify: CodeDeploy runs ${hook.functionName} at AfterAllowTestTraffic: GET ${hook.path} on the test listener from inside the VPC; production traffic moves only if it passes`;
}

/** The failure of the hook, from the deployment's lifecycle event, or undefined when it did not fail. */
export function hookFailure(snapshot: DeploymentSnapshot, hook: HookVerification): string | undefined {
  const event = snapshot.events.find((candidate) => candidate.name === 'AfterAllowTestTraffic');
  // The event fails with anything that ends the deployment while it runs (an alarm, a stop): only
  // CodeDeploy's hook error, or diagnostics naming the function, mean the check failed.
  const byHook = snapshot.info.errorInformation?.code === 'HOOK_EXECUTION_FAILURE' || event?.diagnostics?.scriptName === hook.functionName;
  const failedByHook = event?.status === 'Failed' && byHook;
  if (!failedByHook) return undefined;
  const diagnostics = event?.diagnostics;
  const said = [diagnostics?.message ?? snapshot.info.errorInformation?.message, diagnostics?.logTail?.trim()].filter(Boolean).join(': ');
  return `${hook.functionName} reported the test listener failing for GET ${hook.path}${said ? ` (${said})` : ''}; its log: ${hookLogCommand(hook, snapshot.id)}`;
}

/** The command that prints the function's lines for one deployment, the failing response among them. */
export function hookLogCommand(hook: HookVerification, deploymentId: string): string {
  return `aws logs filter-log-events --log-group-name ${hook.logGroupName} --filter-pattern '"${deploymentId}"'`;
}
