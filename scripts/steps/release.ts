/**
 * The blue/green release path shared by `deploy` and `rollback`: register (unless the revision
 * exists), build the AppSpec, suspend auto scaling, create the deployment, follow it, and end
 * cleanly on every path: failure (follow the rollback), Ctrl-C or timeout (stop with rollback,
 * or leave it running with --detach), AWS errors (say what may still be running). Auto scaling is
 * restored on all of them once the deployment has ended; one this run leaves running keeps it
 * suspended, and `wait` restores it (auto-scaling.ts).
 */
import { ContinueDeploymentCommand, StopDeploymentCommand } from '@aws-sdk/client-codedeploy';
import type { RegisterTaskDefinitionCommandInput, Service } from '@aws-sdk/client-ecs';
import { ReleaseError } from '../cli/errors';
import { EXIT, type ExitCode } from '../cli/exit-codes';
import { toReleaseError } from '../aws/errors';
import type { Context } from '../context';
import { buildAppSpec } from './appspec';
import { restoreAutoScaling, suspendAutoScaling, type ScalingState } from './auto-scaling';
import { createDeployment, resolveActiveDeployment, type IfActive } from './create-deployment';
import { TERMINAL_STATUSES, type DeploymentSnapshot } from './deployment-state';
import { clockTime, DeploymentNarrator, followDeployment, type FollowResult } from './follow-deployment';
import { finishedResult, rollbackText, serviceResult, shortRevision, verificationFailedResult, type ServiceResult } from './outcome';
import type { DeploymentGroupCheck } from './preflight';
import { migrate } from './migrate';
import { registerRevision } from './register-revision';
import { followRollback, requestStop, stopAndSettle, type Settled } from './settle';
import { commandLine, targetLabel, type ReleaseTarget } from './target';
import { verifyTestListener } from './verify';
import { deploymentDescription, hookFailure, hookStartLine, releaseHooks, showHookLog, type HookVerification } from './verification-hook';

export type RevisionSource = { readonly register: RegisterTaskDefinitionCommandInput } | { readonly arn: string };

export interface BlueGreenRelease {
  readonly target: ReleaseTarget;
  readonly service: Service;
  readonly group: DeploymentGroupCheck;
  readonly revision: RevisionSource;
  readonly activeDeploymentId?: string;
  /** Carried into the result (image, base revision). */
  readonly details?: Partial<ServiceResult>;
}

export interface ReleaseOptions {
  readonly ifActive: IfActive;
  readonly detach: boolean;
  /** Clock time at which `--timeout` elapses. */
  readonly deadline?: number;
  readonly deploymentConfigName?: string;
  readonly description?: string;
  readonly verifyUrl?: string;
  readonly verifyTries?: number;
  /** The environment's verification hook runs at AfterAllowTestTraffic (verification-hook.ts). */
  readonly verificationHook?: HookVerification;
  /** A migration to run with the new revision before anything else changes (migrate.ts). */
  readonly migrate?: readonly string[];
}

/** Commands that let a person pick up a deployment this run leaves behind. */
export function followUpCommands(target: ReleaseTarget): string {
  return `status: ${commandLine('status', target)}; follow: ${commandLine('wait', target)}; stop: ${commandLine('stop', target)}`;
}

/** What a run that ended before its deployment existed leaves behind: at most an unused revision. */
function artifactNote(registered: string | undefined): string {
  return registered ? `; revision ${shortRevision(registered)} was registered but serves nothing (an unused artifact)` : '';
}

/** Ctrl-C before the deployment exists: nothing serves differently, so there is nothing to stop. */
export function interruptedBeforeChange(target: ReleaseTarget, registered?: string): ServiceResult {
  return serviceResult(
    target,
    EXIT.stopped,
    `${targetLabel(target)}: interrupted before the deployment started; the service and its auto scaling were not changed${artifactNote(registered)}`,
  );
}

/** Where things stand after an error, for the last line a person reads. */
export interface ErrorSituation {
  /** The deployment this run created, if it got that far. */
  readonly deploymentId?: string;
  /** A revision this run registered before failing. */
  readonly registered?: string;
  /** This run left auto scaling suspended (with its record) for the deployment. */
  readonly scalingSuspended?: boolean;
}

/** The tail of a verdict when auto scaling stays suspended for a deployment that may still run. */
export function scalingStaysNote(target: ReleaseTarget): string {
  return `; auto scaling stays suspended until the deployment ends: ${commandLine('wait', target)} (or settle) restores it then`;
}

/** An error after the deployment exists must say so: it may still be running. */
export function withDeploymentNote(error: unknown, target: ReleaseTarget, situation: ErrorSituation): ReleaseError {
  const released = toReleaseError(error);
  const { deploymentId } = situation;
  if (!deploymentId) {
    const unchanged = released.exitCode === EXIT.awsError ? `; no deployment was created, ${targetLabel(target)} still serves what it served before` : '';
    if (!unchanged && !situation.registered) return released;
    return new ReleaseError(`${released.message}${unchanged}${artifactNote(situation.registered)}`, released.exitCode);
  }
  const scaling = situation.scalingSuspended ? scalingStaysNote(target) : '';
  return new ReleaseError(`${released.message}; deployment ${deploymentId} was created and may still be running: ${followUpCommands(target)}${scaling}`, released.exitCode);
}

/** Whether this run holds a recorded suspension that outlives it while a deployment runs. */
function holdsRecordedSuspension(scaling: ScalingState | undefined): boolean {
  return scaling?.changed === true && scaling.recorded;
}

export async function releaseBlueGreen(context: Context, release: BlueGreenRelease, options: ReleaseOptions): Promise<ServiceResult> {
  const { target } = release;
  const started = context.clock.now();
  if (release.activeDeploymentId) await resolveActiveDeployment(context, target, release.activeDeploymentId, options.ifActive, options.deadline);

  const interrupts = context.interrupts;
  interrupts.onInterrupt = 'stopping before the deployment is created: the service and its auto scaling stay as they are';
  if (interrupts.signal.aborted) return interruptedBeforeChange(target);
  const revision = release.revision;
  let registered: string | undefined;
  const arn =
    'arn' in revision
      ? revision.arn
      : await registerRevision(context, revision.register).catch((error: unknown) => {
          throw withDeploymentNote(error, target, {});
        });
  if ('register' in revision) {
    registered = arn;
    context.out.line(`registered ${shortRevision(arn)}`);
  }
  if (options.migrate) {
    interrupts.onInterrupt = 'stopping the migration task and waiting for it to stop; no deployment is created, the service and its auto scaling stay as they are';
    const registration = 'register' in revision ? revision.register : undefined;
    await migrate(context, { ...release, revisionArn: arn, registration }, options.migrate, options.deadline).catch((error: unknown) => {
      throw withDeploymentNote(error, target, { registered });
    });
    interrupts.onInterrupt = 'stopping before the deployment is created: the service and its auto scaling stay as they are';
  }
  const details: Partial<ServiceResult> = { ...release.details, taskDefinition: arn };
  const hook = options.verificationHook;
  const appSpec = buildAppSpec(release.service, arn, releaseHooks(target, hook));

  if (interrupts.signal.aborted) return interruptedBeforeChange(target, registered);
  if (options.deadline !== undefined && context.clock.now() >= options.deadline) {
    return serviceResult(
      target,
      EXIT.timedOut,
      `${targetLabel(target)}: timed out before the deployment was created; the service and its auto scaling were not changed${artifactNote(registered)}`,
    );
  }
  // CreateDeployment first: it is the one call CodeDeploy refuses while another deployment of the
  // group is active, so a run that loses a race ends here without touching scaling (auto-scaling.ts).
  let deploymentId: string;
  try {
    deploymentId = await createDeployment(context, target, {
      appSpec,
      deploymentConfigName: options.deploymentConfigName,
      description: deploymentDescription(hook, options.description),
      ifActive: options.ifActive,
      deadline: options.deadline,
    });
  } catch (error) {
    throw withDeploymentNote(error, target, { registered });
  }
  context.out.line(`deployment ${deploymentId} created for ${targetLabel(target)} (${shortRevision(arn)})`);
  if (hook) context.out.line(hookStartLine(hook));
  interrupts.onInterrupt = options.detach
    ? `leaving deployment ${deploymentId} running (--detach)`
    : `stopping deployment ${deploymentId} with rollback so the old version keeps serving`;
  const scaling = await suspendAutoScaling(context, target, deploymentId);
  // The deployment this run leaves running, if any: scaling stays suspended until it ends. Until
  // the outcome is known (an error while following), assume the created deployment still runs.
  let leftRunning: () => string | undefined = () => deploymentId;
  try {
    const narrator = new DeploymentNarrator(context, target, release.group);
    let verifyFailure: string | undefined;
    const id = deploymentId;
    const onReady = hook?.fromFlag
      ? async () => {
          // Ready comes after AfterAllowTestTraffic: the hook passed. `--verify` approves, as it does when this run checks.
          context.out.line(`verify: ${hook.functionName} passed at AfterAllowTestTraffic; approving`);
          await context.clients.codeDeploy.send(new ContinueDeploymentCommand({ deploymentId: id, deploymentWaitType: 'READY_WAIT' }));
        }
      : options.verifyUrl
      ? async () => {
          const verified = await verifyTestListener(context, options.verifyUrl as string, options.verifyTries ?? 10);
          if (verified.ok) {
            context.out.line(`verify: ${verified.detail}; approving`);
            await context.clients.codeDeploy.send(new ContinueDeploymentCommand({ deploymentId: id, deploymentWaitType: 'READY_WAIT' }));
          } else {
            verifyFailure = verified.detail;
            context.out.line(`verify failed: ${verified.detail}; stopping with rollback`);
            await context.clients.codeDeploy.send(new StopDeploymentCommand({ deploymentId: id, autoRollbackEnabled: true }));
          }
        }
      : undefined;
    const followed = await followDeployment(context, {
      target,
      deploymentId,
      waits: release.group,
      deadline: options.deadline,
      interruptible: true,
      onReady,
      narrator,
      describeInterrupt: (snapshot) => (narrator.wait(snapshot)?.kind === 'termination' ? leaveInTerminationWait(snapshot.id, EXIT.detached) : undefined),
    });
    const hookSaid = hook && followed.ending === 'finished' ? hookFailure(followed.last, hook) : undefined;
    if (hookSaid) {
      verifyFailure = hookSaid;
      context.out.line(`verify failed: ${hookSaid}`);
    }
    const failedHook = hookSaid ? hook : undefined;
    const concluded = await conclude(context, target, followed, { ...options, narrator, details, verifyFailure: () => verifyFailure, failedHook });
    leftRunning = () => concluded.running;
    const result = concluded.running && holdsRecordedSuspension(scaling) ? { ...concluded.result, verdict: `${concluded.result.verdict}${scalingStaysNote(target)}` } : concluded.result;
    return { ...result, durationMs: context.clock.now() - started };
  } catch (error) {
    throw withDeploymentNote(error, target, { deploymentId, scalingSuspended: holdsRecordedSuspension(scaling) && leftRunning() !== undefined });
  } finally {
    await restoreAutoScaling(context, target, scaling, leftRunning());
  }
}

/** What Ctrl-C or a timeout does once traffic has fully moved: nothing to the deployment. */
function leaveInTerminationWait(deploymentId: string, exitCode: ExitCode): string {
  return `traffic is already on the new version, so deployment ${deploymentId} is left to finish its termination wait (exit ${exitCode}); roll back with the rollback command`;
}

interface ConcludeOptions extends ReleaseOptions {
  readonly narrator: DeploymentNarrator;
  readonly details: Partial<ServiceResult>;
  readonly verifyFailure: () => string | undefined;
  /** The verification hook, when it failed the deployment: its log shows the failing response. */
  readonly failedHook?: HookVerification;
}

/** The verdict, and the deployment that is still running when this run ends (none: all ended). */
interface Concluded {
  readonly result: ServiceResult;
  readonly running?: string;
}

/** The deployment of a stop or a failure that has not reached a final status: its rollback, else itself. */
function unsettled(settled: Settled): string | undefined {
  if (settled.settled) return undefined;
  return settled.rollback && !TERMINAL_STATUSES.includes(settled.rollback.status) ? settled.rollback.id : settled.deployment.id;
}

async function conclude(context: Context, target: ReleaseTarget, followed: FollowResult, options: ConcludeOptions): Promise<Concluded> {
  const last = followed.last;
  if (followed.ending === 'finished') {
    const failedVerify = options.verifyFailure();
    const settled = last.status === 'Succeeded' ? { deployment: last, settled: true } : await followRollback(context, target, last, { expectRollback: failedVerify !== undefined });
    if (failedVerify) {
      // Read once the rollback has run: by then CloudWatch Logs has long delivered the function's lines.
      const shown = options.failedHook ? await showHookLog(context, options.failedHook, last) : undefined;
      return { result: verificationFailedResult(target, failedVerify, settled, options.details, shown), running: unsettled(settled) };
    }
    return { result: finishedResult(target, settled, options.details), running: unsettled(settled) };
  }
  return interruptedResult(context, target, followed.ending, last, options);
}

async function interruptedResult(
  context: Context,
  target: ReleaseTarget,
  ending: 'interrupted' | 'timeout',
  last: DeploymentSnapshot,
  options: ConcludeOptions,
): Promise<Concluded> {
  const why = ending === 'interrupted' ? 'interrupted' : 'timed out';
  const ids = { ...options.details, deploymentId: last.id, status: last.status };
  // Traffic has fully moved and the old tasks only wait to be removed: stopping now would roll back a
  // release that is serving. Leave it; say how to finish early or roll back.
  const wait = options.narrator.wait(last);
  if (wait?.kind === 'termination') {
    const exitCode = ending === 'interrupted' ? EXIT.detached : EXIT.timedOut;
    context.out.line(`${why}: ${leaveInTerminationWait(last.id, exitCode)}`);
    const result = serviceResult(
      target,
      exitCode,
      `${targetLabel(target)}: ${why} during the termination wait: traffic is on the new version; deployment ${last.id} ends by itself at ${clockTime(wait.until)}; finish now: ${commandLine('finish', target)}; roll back: ${commandLine('rollback', target)}`,
      ids,
    );
    return { result, running: last.id };
  }
  if (options.detach) {
    const result = serviceResult(
      target,
      ending === 'interrupted' ? EXIT.detached : EXIT.timedOut,
      `${targetLabel(target)}: ${why}; --detach left deployment ${last.id} running (${last.status}); ${followUpCommands(target)}`,
      ids,
    );
    return { result, running: last.id };
  }
  if (ending === 'timeout') {
    // --timeout is a bound on this run: after the stop call it ends, and CodeDeploy completes the
    // rollback on its own; `wait` (or `settle`) follows it and restores auto scaling.
    context.out.line(`timed out: stopping deployment ${last.id} with rollback; CodeDeploy moves traffic back on its own, this run does not wait past --timeout`);
    if (!(await requestStop(context, last.id, true))) {
      // It ended meanwhile; whatever followed it (a rollback) is left to the restore's check.
      const ended = serviceResult(target, EXIT.timedOut, `${targetLabel(target)}: timed out; deployment ${last.id} had ended meanwhile; check: ${commandLine('status', target)}`, ids);
      return { result: ended };
    }
    const result = serviceResult(
      target,
      EXIT.timedOut,
      `${targetLabel(target)}: timed out; deployment ${last.id} stop with rollback requested: CodeDeploy returns traffic to the old version on its own; follow it: ${commandLine('wait', target)}`,
      ids,
    );
    return { result, running: last.id };
  }
  context.out.line(`${why}: stopping deployment ${last.id} with rollback so the old version keeps serving`);
  const settled = await stopAndSettle(context, target, last.id, { rollback: true, narrator: options.narrator });
  const result = serviceResult(
    target,
    ending === 'interrupted' ? EXIT.stopped : EXIT.timedOut,
    `${targetLabel(target)}: ${why}; deployment ${last.id} stopped; ${rollbackText(target, settled)}`,
    { ...ids, status: settled.deployment.status, rollbackDeploymentId: settled.rollback?.id },
  );
  return { result, running: unsettled(settled) };
}

/** For callers that must turn a thrown error into a per-service result (several services at once). */
export function resultOfError(target: ReleaseTarget, error: unknown): ServiceResult {
  const released = error instanceof ReleaseError ? error : toReleaseError(error);
  return serviceResult(target, released.exitCode, `${targetLabel(target)}: ${released.message}`);
}

