/**
 * Verification by the environment's verification hook: CodeDeploy runs the stack's function
 * (modules/verification-hook.ts) at AfterAllowTestTraffic, inside the VPC; it GETs the path on the
 * test listener and reports Succeeded or Failed, and Failed rolls the deployment back before any
 * production traffic moves. The release tool only names the function in the AppSpec (and, for
 * `--verify PATH`, the path in the deployment's description), so the verdict never depends on the
 * runner staying alive. When the hook fails the deployment, the tool reads that deployment's
 * checks from the function's log (FilterLogEvents on the deployment id, which every line carries)
 * and shows the last ones with the verdict; a log it cannot read never hides the rollback's
 * verdict. `--verify-base-url` keeps the runner's own GET, for runs inside the VPC.
 */
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { environmentNames, hasVerificationHook, type LifecycleHooks } from '../../config';
import { toReleaseError } from '../aws/errors';
import { BadInputError } from '../cli/errors';
import type { Context } from '../context';
import { hookOfAppSpec } from './appspec';
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
  /** Its log group, where each check (the failing responses with it) is logged. */
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

/**
 * The environment's verification hook as a deployment ran it, when its AppSpec names it: for a
 * command that did not start the deployment (`wait`). The path is the description's `verify PATH`,
 * else the service's configured one.
 */
export function deploymentHook(target: ReleaseTarget, snapshot: DeploymentSnapshot): HookVerification | undefined {
  const names = environmentNames(target.env);
  if (hookOfAppSpec(snapshot.info.revision?.appSpecContent?.content, 'AfterAllowTestTraffic') !== names.verificationHook) return undefined;
  const description = snapshot.info.description ?? '';
  const fromDescription = description.startsWith(DESCRIPTION_PATH_PREFIX) ? description.slice(DESCRIPTION_PATH_PREFIX.length).split(/\s/)[0] : undefined;
  const path = fromDescription || target.service.release.verifyPath;
  if (!path) return undefined;
  return { functionName: names.verificationHook, logGroupName: names.verificationHookLogGroup, path, fromFlag: Boolean(fromDescription) };
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
  return `${hook.functionName} reported the test listener failing for GET ${hook.path}${said ? ` (${said})` : ''}`;
}

/** The command that prints the function's lines for one deployment, the failing response among them. */
export function hookLogCommand(hook: HookVerification, deploymentId: string): string {
  return `aws logs filter-log-events --log-group-name ${hook.logGroupName} --filter-pattern '"${deploymentId}"'`;
}

/** The newest checks shown with a failed verification's verdict. */
export const SHOWN_CHECKS = 5;
/** FilterLogEvents pages read at most: one deployment's lines are a dozen; this bounds a runaway search. */
const MAX_LOG_PAGES = 20;
/** Characters of one shown check: the function bounds the body, the tool bounds what it prints. */
const SHOWN_CHECK_LIMIT = 400;
/** The function's clock and CodeDeploy's may differ a little: search from a minute before the deployment. */
const CLOCK_MARGIN_MS = 60_000;

/** One check the function logged (functions/verify-test-listener/index.js). */
export interface HookCheck {
  /** `3/10`: the try and the tries. */
  readonly check: string;
  readonly path?: string;
  readonly result?: string;
  /** The HTTP status, or the network error instead. */
  readonly status?: number;
  readonly error?: string;
  /** Milliseconds the GET took. */
  readonly ms?: number;
  /** A failing answer's body, bounded and sanitized by the function. */
  readonly body?: string;
}

/** What the function's log says about one deployment. */
export interface HookLog {
  /** Its newest SHOWN_CHECKS checks, oldest first. */
  readonly lastChecks: readonly HookCheck[];
  /** How many checks it logged. */
  readonly total: number;
  /** Why it reported Failed, from its last line. */
  readonly reason?: string;
}

/**
 * The JSON object a log event carries for a deployment, or undefined. The runtime's text format
 * puts `<time>\t<request id>\tINFO\t` before what the function printed; its JSON format wraps it
 * in an object's `message`.
 */
export function hookLogLine(message: string, deploymentId: string): Record<string, unknown> | undefined {
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.slice(start));
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const line = parsed as Record<string, unknown>;
  if (line.deploymentId === undefined && typeof line.message === 'string') return hookLogLine(line.message, deploymentId);
  return line.deploymentId === deploymentId ? line : undefined;
}

/** Every line the function logged for the deployment, read with FilterLogEvents on its id. */
export async function readHookLog(context: Context, hook: HookVerification, deployment: DeploymentSnapshot): Promise<HookLog> {
  const created = deployment.info.createTime?.getTime();
  const lastChecks: HookCheck[] = [];
  let total = 0;
  let reason: string | undefined;
  let nextToken: string | undefined;
  // Pages may come back partly full or empty while a nextToken says more may follow (CloudWatch
  // Logs API reference, FilterLogEvents): read until there is none.
  for (let page = 0; page < MAX_LOG_PAGES; page++) {
    const answer = await context.clients.logs.send(
      new FilterLogEventsCommand({
        logGroupName: hook.logGroupName,
        filterPattern: `"${deployment.id}"`,
        ...(created !== undefined ? { startTime: created - CLOCK_MARGIN_MS } : {}),
        nextToken,
      }),
    );
    for (const event of answer.events ?? []) {
      const line = hookLogLine(event.message ?? '', deployment.id);
      if (typeof line?.check === 'string') {
        total += 1;
        lastChecks.push(line as unknown as HookCheck);
        if (lastChecks.length > SHOWN_CHECKS) lastChecks.shift();
      } else if (typeof line?.reason === 'string') {
        reason = line.reason;
      }
    }
    nextToken = answer.nextToken;
    if (!nextToken) break;
  }
  return { lastChecks, total, reason };
}

/** Text from a log as a terminal may show it: no control characters, one line, bounded. */
function printable(text: string, limit: number): string {
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > limit ? `${line.slice(0, limit)}…` : line;
}

/** `check 3/10: GET /health → HTTP 500 in 12 ms: <body>`. */
export function hookCheckLine(check: HookCheck): string {
  const answer = typeof check.status === 'number' ? `HTTP ${check.status}` : (check.error ?? 'no answer');
  const timing = typeof check.ms === 'number' ? ` in ${check.ms} ms` : '';
  const body = check.body ? `: ${check.body}` : '';
  return printable(`check ${check.check}: GET ${check.path ?? '?'} → ${answer}${timing}${body}`, SHOWN_CHECK_LIMIT);
}

/** What a failed verification's verdict says about the failing response, and where to read all of it. */
export interface ShownHookLog {
  /** The failing response, or why it cannot be shown. */
  readonly found: string;
  /** The command that prints every line of the deployment. */
  readonly next: string;
  /** The checks shown (for `--json`). */
  readonly checks: readonly HookCheck[];
}

/**
 * Read the failed deployment's checks and print the newest SHOWN_CHECKS; never throws: a log that
 * cannot be read (AccessDenied, throttling that outlasted the retries) is said in one line with the
 * command that reads it, and the verdict of the rollback stands.
 */
export async function showHookLog(context: Context, hook: HookVerification, deployment: DeploymentSnapshot): Promise<ShownHookLog> {
  const next = `every check: ${hookLogCommand(hook, deployment.id)}`;
  let log: HookLog;
  try {
    log = await readHookLog(context, hook, deployment);
  } catch (error) {
    const why = toReleaseError(error).message;
    context.out.line(`verify: the log of ${hook.functionName} could not be read: ${why}`);
    return { found: `its log ${hook.logGroupName} could not be read`, next: `read it: ${hookLogCommand(hook, deployment.id)}`, checks: [] };
  }
  const shown = log.lastChecks;
  if (shown.length === 0) {
    const reason = log.reason ? `: ${printable(log.reason, SHOWN_CHECK_LIMIT)}` : '';
    return { found: log.reason ? `it checked nothing${reason}` : `no check of ${deployment.id} found in ${hook.logGroupName} yet (CloudWatch Logs can take a few seconds)`, next, checks: [] };
  }
  const of = log.total > shown.length ? `the last ${shown.length} of ${log.total} checks` : `its ${shown.length} check${shown.length === 1 ? '' : 's'}`;
  context.out.line(`verify: ${of} by ${hook.functionName} (log group ${hook.logGroupName}):`);
  for (const check of shown) context.out.line(`  ${hookCheckLine(check)}`);
  return { found: `last ${hookCheckLine(shown[shown.length - 1])}`, next, checks: shown };
}
