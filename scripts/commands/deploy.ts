/** `deploy` (the default command): release an image to one or more services. */
import { stringify } from 'yaml';
import { BadInputError } from '../cli/errors';
import { parseChoice, parseCount, parseDuration, parseFlags, TARGET_OPTIONS } from '../cli/args';
import { EXIT, exitCodeHelp } from '../cli/exit-codes';
import type { BatchedCalls, Context } from '../context';
import { appSpecContent } from '../steps/appspec';
import { activeDeploymentError, IF_ACTIVE_CHOICES, type IfActive } from '../steps/create-deployment';
import { checkImageReference, checkTag } from '../steps/image';
import { migrationFor, splitCommand } from '../steps/migrate';
import { serviceResult, shortRevision, type ServiceResult } from '../steps/outcome';
import { checkRequestOffline, planAppSpec, planRelease, type ReleasePlan, type ReleaseRequest } from '../steps/plan';
import { releaseBlueGreen, resultOfError } from '../steps/release';
import { releaseRolling } from '../steps/rolling';
import { resolveTargets, targetLabel } from '../steps/target';
import { deploymentDescription, hookVerification } from '../steps/verification-hook';
import { createReporter } from '../cli/output';
import { createBatchedCalls, MAX_CONCURRENCY, PLANNING_CONCURRENCY } from '../steps/batched-calls';
import { ReleaseBoard } from '../steps/release-board';
import { finishRelease, pool, serviceContext, type Command, type CommandOptions, type CommandResult } from './common';

export interface DeployOptions extends CommandOptions {
  readonly request: ReleaseRequest;
  readonly description?: string;
  readonly timeoutMs?: number;
  readonly dryRun: boolean;
  readonly force: boolean;
  readonly ifActive: IfActive;
  readonly detach: boolean;
  readonly failFast: boolean;
  readonly concurrency: number;
  /** `--migrate`, split into words; else each service's `release.migrate`. */
  readonly migrate?: readonly string[];
}

const OPTIONS = {
  ...TARGET_OPTIONS,
  all: { type: 'boolean' },
  image: { type: 'string' },
  tag: { type: 'string' },
  'deployment-config': { type: 'string' },
  description: { type: 'string' },
  timeout: { type: 'string' },
  'dry-run': { type: 'boolean' },
  force: { type: 'boolean' },
  'if-active': { type: 'string' },
  detach: { type: 'boolean' },
  verify: { type: 'string' },
  'verify-tries': { type: 'string' },
  'verify-base-url': { type: 'string' },
  'fail-fast': { type: 'boolean' },
  concurrency: { type: 'string' },
  migrate: { type: 'string' },
} as const;

export const DEPLOY_HELP = `Usage: npm run deploy -- [deploy] --env ENV [--service NAME[,NAME] | --all] (--image URI | --tag TAG) [flags]

Release a container image to ECS services: blue/green through CodeDeploy, or a rolling update.
The image is resolved to its digest and pinned; the new task definition revision is built on the
newest Terraform-owned revision with only the container's image changed.

  --env ENV                 environment from config/environments.ts (required: never a default)
  --service NAME[,NAME]     service(s); optional when the environment has one service
  --all                     every service of the environment
  --image URI               this service's ECR repository: URI:TAG or URI@sha256:DIGEST
  --tag TAG                 a tag in this environment's ECR repository (never latest/main/...)
  --deployment-config NAME  a predefined CodeDeployDefault.ECS* config or the service's custom one
  --description TEXT        deployment description (up to 100 characters)
  --timeout DURATION        e.g. 90s, 30m, 1h30m (default: 30m plus the approval and termination waits)
  --dry-run                 print the plan (base revision, digest, AppSpec, group) and change nothing
  --json                    print one JSON document on stdout at the end
  --force                   release even if the service already runs this exact revision content
  --if-active fail|wait|stop  when a deployment is already running (default fail)
  --detach                  on Ctrl-C or timeout leave the deployment running instead of stopping it
  --verify PATH             GET PATH on the test listener before production traffic moves; 2xx/3xx passes, else roll back.
                            With the environment's verification hook, CodeDeploy's hook function checks from inside
                            the VPC (default path: release.verifyPath); otherwise this machine checks during the approval wait
  --verify-tries N          tries for a check from this machine, about 3 s apart (default 10)
  --verify-base-url URL     check this base URL from this machine (inside the VPC) instead of using the hook
  --migrate 'COMMAND'       run COMMAND as a one-off task of the new revision before the deployment;
                            if it fails nothing else changes (default: the service's release.migrate)
  --fail-fast               with several services: on the first failure stop the others (rolled back)
                            and skip those not started
  --concurrency N           services released at once (default: all of them, at most ${MAX_CONCURRENCY});
                            their reads are batched and their registrations paced to AWS's published rates
  -h, --help                this help

${exitCodeHelp()}`;

/** Offline image checks, so a malformed reference or a mutable tag fails before any AWS call. */
function checkImageFlags(image: string | undefined, tag: string | undefined): void {
  if (image !== undefined && tag !== undefined) throw new BadInputError('--image and --tag conflict; pass one of them');
  if (image === undefined && tag === undefined) throw new BadInputError('pass --image URI or --tag TAG');
  if (image !== undefined) checkImageReference(image);
  if (tag !== undefined) checkTag(tag);
}

export function parseDeployOptions(argv: readonly string[]): DeployOptions {
  const flags = parseFlags('deploy', argv, OPTIONS);
  if (flags.help) return { help: true, targets: [] } as unknown as DeployOptions;
  if (flags.all && flags.image !== undefined) throw new BadInputError('--all and --image conflict: each service has its own repository; use --tag');
  const targets = resolveTargets({ env: flags.env, service: flags.service, all: flags.all }, { allowMany: true });
  if (targets.length > 1 && flags.image !== undefined) throw new BadInputError('--image names one repository; with several services use --tag');
  checkImageFlags(flags.image, flags.tag);
  if (flags['verify-tries'] !== undefined && flags.verify === undefined) throw new BadInputError('--verify-tries needs --verify PATH');
  if (flags['verify-base-url'] !== undefined && flags.verify === undefined) throw new BadInputError('--verify-base-url needs --verify PATH');
  if (flags['verify-base-url'] !== undefined && !/^https?:\/\/[^\s/]+/.test(flags['verify-base-url'])) {
    throw new BadInputError(`--verify-base-url "${flags['verify-base-url']}" is not an http(s) URL`);
  }
  if (flags.description !== undefined && flags.description.length > 100) throw new BadInputError('--description is over 100 characters, CodeDeploy\'s limit');
  const request: ReleaseRequest = {
    image: flags.image,
    tag: flags.tag,
    deploymentConfig: flags['deployment-config'],
    verify:
      flags.verify !== undefined
        ? {
            path: flags.verify,
            tries: flags['verify-tries'] !== undefined ? parseCount('--verify-tries', flags['verify-tries'], 1, 100) : 10,
            baseUrl: flags['verify-base-url'],
          }
        : undefined,
  };
  for (const target of targets) {
    checkRequestOffline(target, request);
    const hook = hookVerification(target, request.verify);
    if (hook && flags['verify-tries'] !== undefined) throw new BadInputError(`--verify-tries counts checks from this machine; the verification hook ${hook.functionName} makes the tries the stack configured (add --verify-base-url to check from here)`);
    deploymentDescription(hook, flags.description);
  }
  const migrate = flags.migrate !== undefined ? splitCommand(flags.migrate) : undefined;
  for (const target of targets) migrationFor(target, migrate);
  return {
    json: flags.json ?? false,
    targets,
    request,
    description: flags.description,
    timeoutMs: flags.timeout !== undefined ? parseDuration('--timeout', flags.timeout) : undefined,
    dryRun: flags['dry-run'] ?? false,
    force: flags.force ?? false,
    ifActive: flags['if-active'] !== undefined ? parseChoice('--if-active', flags['if-active'], IF_ACTIVE_CHOICES) : 'fail',
    detach: flags.detach ?? false,
    failFast: flags['fail-fast'] ?? false,
    concurrency: flags.concurrency !== undefined ? parseCount('--concurrency', flags.concurrency, 1, MAX_CONCURRENCY) : Math.min(targets.length, MAX_CONCURRENCY),
    migrate,
  };
}

/** Default timeout: CodeDeploy's own waits plus 30 minutes, so a wait is never misjudged as a hang. */
export function releaseTimeoutMs(plan: ReleasePlan, requested: number | undefined, context: Context): number {
  const waitsMs = ((plan.group?.approvalWaitMinutes ?? 0) + (plan.group?.terminationWaitMinutes ?? 0)) * 60_000;
  if (requested === undefined) return 30 * 60_000 + waitsMs;
  if (requested < waitsMs) {
    context.out.warn(`--timeout is shorter than the group's approval and termination waits (${waitsMs / 60_000} min); it may end the release while CodeDeploy is still waiting`);
  }
  return requested;
}

export function describePlan(plan: ReleasePlan, options: DeployOptions): Record<string, unknown> {
  const container = plan.target.service.containerName;
  const appSpec = plan.target.strategy === 'blue-green' ? planAppSpec(plan, `<new revision of ${plan.target.names.taskFamily}>`) : undefined;
  return {
    service: plan.target.names.service,
    strategy: plan.target.strategy,
    image: plan.image.uri,
    digest: plan.image.digest,
    baseRevision: plan.base.arn,
    baseIsTerraformOwned: plan.base.terraformOwned,
    runningRevision: plan.runningArn,
    alreadyRunning: plan.alreadyRunning,
    container,
    registerTags: plan.registration.tags,
    deploymentGroup: plan.group ? plan.target.names.deploymentGroup : undefined,
    deploymentConfig: options.request.deploymentConfig ?? plan.group?.group.deploymentConfigName,
    approvalWaitMinutes: plan.group?.approvalWaitMinutes,
    terminationWaitMinutes: plan.group?.terminationWaitMinutes,
    activeDeployment: plan.activeDeploymentId,
    autoScaling: !plan.scaling
      ? 'not configured'
      : plan.scaling.record
        ? 'left suspended by an earlier release: kept suspended, and restored to its recorded state after'
        : 'would be suspended during the release and restored after',
    verifyUrl: plan.verifyUrl,
    verificationHook: plan.verificationHook,
    migration: migrationFor(plan.target, options.migrate)?.join(' '),
    appSpec,
    appSpecSha256: appSpec ? appSpecContent(appSpec).sha256 : undefined,
  };
}

function printPlan(context: Context, plan: ReleasePlan, described: Record<string, unknown>): void {
  const out = context.out;
  out.line(`plan for ${targetLabel(plan.target)} (${plan.target.strategy}):`);
  out.line(`  image:          ${plan.image.uri}${plan.image.tag ? ` (tag ${plan.image.tag})` : ''}`);
  out.line(`  base revision:  ${shortRevision(plan.base.arn)}${plan.base.terraformOwned ? ' (newest Terraform-owned)' : ' (newest; no Terraform-owned revision found)'}`);
  out.line(`  running now:    ${shortRevision(plan.runningArn)}${plan.alreadyRunning ? ' (same content: nothing to do without --force)' : ''}`);
  out.line(`  would register: ${plan.target.names.taskFamily} with container ${plan.target.service.containerName} → ${plan.image.uri}`);
  if (described.migration) out.line(`  migration:      \`${String(described.migration)}\` as a one-off task of the new revision, before the deployment`);
  if (plan.group) {
    out.line(`  deployment group: ${plan.target.names.deploymentGroup}, config ${String(described.deploymentConfig)}, approval wait ${plan.group.approvalWaitMinutes ?? 'none'}, termination wait ${plan.group.terminationWaitMinutes} min`);
    out.line(`  active deployment: ${plan.activeDeploymentId ?? 'none'}`);
    out.line(`  auto scaling:   ${String(described.autoScaling)}`);
    if (plan.verifyUrl) out.line(`  verify:         GET ${plan.verifyUrl}`);
    if (plan.verificationHook) out.line(`  verify:         ${plan.verificationHook.functionName} GETs ${plan.verificationHook.path} on the test listener inside the VPC (AfterAllowTestTraffic)`);
    out.line('  appspec:');
    for (const line of stringify(described.appSpec).trimEnd().split('\n')) out.line(`    ${line}`);
  }
}

async function releaseOne(context: Context, plan: ReleasePlan, options: DeployOptions, started: number): Promise<ServiceResult> {
  const { target } = plan;
  const details = { image: plan.image.uri, baseRevision: plan.base.arn };
  if (plan.alreadyRunning && !options.force) {
    return serviceResult(target, EXIT.succeeded, `${targetLabel(target)}: already running ${plan.image.digest} (${shortRevision(plan.runningArn)}); nothing to do (--force releases anyway)`, {
      ...details,
      taskDefinition: plan.runningArn,
    });
  }
  const deadline = started + releaseTimeoutMs(plan, options.timeoutMs, context);
  if (target.strategy === 'rolling') {
    return releaseRolling(context, { target, service: plan.service, revision: { register: plan.registration }, details }, { detach: options.detach, deadline, migrate: migrationFor(target, options.migrate) });
  }
  return releaseBlueGreen(
    context,
    {
      target,
      service: plan.service,
      group: plan.group!,
      revision: { register: plan.registration },
      activeDeploymentId: plan.activeDeploymentId,
      details,
    },
    {
      ifActive: options.ifActive,
      detach: options.detach,
      deadline,
      deploymentConfigName: options.request.deploymentConfig,
      description: options.description,
      verifyUrl: plan.verifyUrl,
      verifyTries: options.request.verify?.tries,
      verificationHook: plan.verificationHook,
      migrate: migrationFor(target, options.migrate),
    },
  );
}

export async function runDeploy(context: Context, options: DeployOptions): Promise<CommandResult> {
  const started = context.clock.now();
  const several = options.targets.length > 1;
  const env = options.targets[0].env;

  // With several services their reads are shared and their registrations paced (batched-calls.ts).
  const batch = several ? createBatchedCalls(context) : undefined;
  // Phase 1, read-only for every service: nothing is changed unless every service passes.
  const planned = await pool(options.targets, Math.min(options.concurrency, PLANNING_CONCURRENCY), async (target) => {
    const serviceCtx = { ...serviceContext(context, target, several), batch };
    try {
      const plan = await planRelease(serviceCtx, target, options.request);
      const willRelease = !plan.alreadyRunning || options.force;
      if (willRelease && plan.activeDeploymentId && options.ifActive === 'fail') throw activeDeploymentError(target, plan.activeDeploymentId);
      return { target, plan };
    } catch (error) {
      if (!several) throw error;
      return { target, error };
    }
  });
  const failedPlans = planned.filter((entry) => 'error' in entry);
  if (failedPlans.length > 0) {
    const results = failedPlans.map((entry) => resultOfError(entry.target, (entry as { error: unknown }).error));
    return finishRelease(context, 'deploy', env, results, { nothingChanged: true }, { notify: false });
  }
  const plans = planned.map((entry) => (entry as { plan: ReleasePlan }).plan);

  if (options.dryRun) {
    const described = plans.map((plan) => describePlan(plan, options));
    plans.forEach((plan, index) => printPlan(serviceContext(context, plan.target, several), plan, described[index]));
    const results = plans.map((plan) => serviceResult(plan.target, EXIT.succeeded, `${targetLabel(plan.target)}: dry run, nothing changed`, { image: plan.image.uri, baseRevision: plan.base.arn }));
    return finishRelease(context, 'deploy --dry-run', env, results, { dryRun: true, plans: described }, { notify: false });
  }

  if (!batch) {
    let result: ServiceResult;
    try {
      result = await releaseOne(context, plans[0], options, started);
    } catch (error) {
      result = resultOfError(plans[0].target, error);
    }
    return finishRelease(context, 'deploy', env, [result]);
  }
  return releaseSeveral(context, batch, plans, options, started);
}

/**
 * Phase 2 with several services: each released exactly as a single `deploy` releases it, with its
 * own interrupt signal (Ctrl-C reaches all; --fail-fast stops the others), its reads answered by
 * batch calls shared with the others and its registration paced (batched-calls.ts), its progress
 * on the board (the live table on a terminal, prefixed lines elsewhere), longest waits started first.
 */
async function releaseSeveral(context: Context, batch: BatchedCalls, plans: readonly ReleasePlan[], options: DeployOptions, started: number): Promise<CommandResult> {
  const env = plans[0].target.env;
  const live = !context.out.json && context.out.streams.terminal === true;
  const board = new ReleaseBoard(
    plans.map((plan) => ({ name: plan.target.service.name, strategy: plan.target.strategy })),
    context.clock,
    context.out.streams,
    live,
  );
  const above = board.above();
  const controllers = plans.map(() => new AbortController());
  const forward = () => controllers.forEach((controller) => controller.abort());
  if (context.interrupts.signal.aborted) forward();
  context.interrupts.signal.addEventListener('abort', forward, { once: true });
  let failed = false;
  const order = startOrder(plans);
  context.interrupts.onInterrupt = `ending the ${plans.length} releases safely, each as a single deploy would: deployments in flight stopped with rollback (left to finish where traffic has already moved${options.detach ? '; with --detach all left running' : ''}), rolling ones put back, none started after this`;
  try {
    const results = await pool(order, options.concurrency, async (index): Promise<ServiceResult> => {
      const plan = plans[index];
      const name = plan.target.service.name;
      const serviceCtx: Context = {
        ...serviceContext(context, plan.target, true, controllers[index].signal),
        // On a terminal the table replaces the progress lines; warnings and errors print above it.
        ...(live ? { out: createReporter(false, { stdout: () => undefined, stderr: above.stderr }, `[${name}] `) } : {}),
        batch,
        progress: board.sink(name),
      };
      board.started(name);
      let result: ServiceResult;
      const skipped = failed && options.failFast;
      if (skipped) {
        result = serviceResult(plan.target, EXIT.badInput, `${targetLabel(plan.target)}: skipped after an earlier failure (--fail-fast); nothing changed`);
      } else {
        try {
          result = await releaseOne(serviceCtx, plan, options, started);
        } catch (error) {
          // Past planning, every error becomes this service's result: it is still summarised and notified.
          result = resultOfError(plan.target, error);
        }
      }
      board.finished(name, result.exitCode, finalPhase(result, skipped));
      if (result.exitCode !== EXIT.succeeded && !failed) {
        failed = true;
        if (options.failFast) controllers.forEach((controller, other) => other !== index && controller.abort());
      }
      return result;
    });
    board.close();
    const byService = plans.map((_, index) => results[order.indexOf(index)]);
    const finished = await finishRelease(context, 'deploy', env, byService);
    for (const line of board.summary()) context.out.line(line);
    return finished;
  } finally {
    board.close();
    context.interrupts.signal.removeEventListener('abort', forward);
  }
}

/** The phase a finished service shows in the summary. */
function finalPhase(result: ServiceResult, skipped: boolean): string {
  if (skipped) return 'skipped';
  if (result.exitCode === EXIT.succeeded && !result.deploymentId) return 'unchanged';
  return result.status ?? (result.exitCode === EXIT.succeeded ? 'Succeeded' : 'ended');
}

/**
 * The order services start in: the longest expected release first, so that the registration pace
 * delays the short ones, not the one that ends last. Blue/green releases wait for their approval
 * and termination waits; rolling ones only for their tasks.
 */
export function startOrder(plans: readonly Pick<ReleasePlan, 'target' | 'group'>[]): number[] {
  const expectedMinutes = (plan: Pick<ReleasePlan, 'target' | 'group'>) =>
    plan.target.strategy === 'rolling' ? 0 : 1 + (plan.group?.approvalWaitMinutes ?? 0) + (plan.group?.terminationWaitMinutes ?? 0);
  return plans.map((plan, index) => ({ index, minutes: expectedMinutes(plan) })).sort((a, b) => b.minutes - a.minutes || a.index - b.index).map((entry) => entry.index);
}

export const deployCommand: Command<DeployOptions> = {
  name: 'deploy',
  summary: 'release an image (default command)',
  help: DEPLOY_HELP,
  parse: parseDeployOptions,
  run: runDeploy,
};

