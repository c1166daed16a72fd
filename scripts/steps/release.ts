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
import { EXIT } from '../cli/exit-codes';
import { toReleaseError } from '../aws/errors';
import type { Context } from '../context';
import { buildAppSpec } from './appspec';
import { restoreAutoScaling, suspendAutoScaling, type ScalingTarget } from './auto-scaling';
import { createDeployment, resolveActiveDeployment, type IfActive } from './create-deployment';
import { TERMINAL_STATUSES, type DeploymentSnapshot } from './deployment-state';
import { clockTime, DeploymentNarrator, followDeployment, type FollowResult } from './follow-deployment';
import { finishedResult, rollbackText, serviceResult, shortRevision, type ServiceResult } from './outcome';
import type { DeploymentGroupCheck } from './preflight';
import { migrate } from './migrate';
import { registerRevision } from './register-revision';
import { followRollback, stopAndSettle, type Settled } from './settle';
import { commandLine, targetLabel, type ReleaseTarget } from './target';
import { verifyTestListener } from './verify';

export type RevisionSource = { readonly register: RegisterTaskDefinitionCommandInput } | { readonly arn: string };

export interface BlueGreenRelease {
  readonly target: ReleaseTarget;
  readonly service: Service;
  readonly group: DeploymentGroupCheck;
  readonly revision: RevisionSource;
  readonly activeDeploymentId?: string;
  /**
   * Auto scaling as the plan read it just before; used only when nothing was waited for in between
   * (no active deployment to deal with), else read again.
   */
  readonly scaling?: { readonly scaling?: ScalingTarget };
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
  /** A migration to run with the new revision before anything else changes (migrate.ts). */
  readonly migrate?: readonly string[];
}

/** Commands that let a person pick up a deployment this run leaves behind. */
export function followUpCommands(target: ReleaseTarget): string {
  return `status: ${commandLine('status', target)}; follow: ${commandLine('wait', target)}; stop: ${commandLine('stop', target)}`;
}

/** Ctrl-C before the deployment exists: nothing serves differently, so there is nothing to stop. */
export function interruptedBeforeChange(target: ReleaseTarget): ServiceResult {
  return serviceResult(target, EXIT.stopped, `${targetLabel(target)}: interrupted before the deployment started; the service was not changed`);
}

/** An error after the deployment exists must say so: it may still be running. */
export function withDeploymentNote(error: unknown, target: ReleaseTarget, deploymentId: string | undefined): ReleaseError {
  const released = toReleaseError(error);
  if (!deploymentId) {
    if (released.exitCode !== EXIT.awsError) return released;
    return new ReleaseError(`${released.message}; no deployment was created, ${targetLabel(target)} still serves what it served before`, released.exitCode);
  }
  return new ReleaseError(`${released.message}; deployment ${deploymentId} was created and may still be running: ${followUpCommands(target)}`, released.exitCode);
}

export async function releaseBlueGreen(context: Context, release: BlueGreenRelease, options: ReleaseOptions): Promise<ServiceResult> {
  const { target } = release;
  const started = context.clock.now();
  if (release.activeDeploymentId) await resolveActiveDeployment(context, target, release.activeDeploymentId, options.ifActive, options.deadline);

  if (context.interrupts.signal.aborted) return interruptedBeforeChange(target);
  // Before the deployment exists an AWS error leaves the service as it was: the message says so.
  const beforeDeployment = async <T>(step: () => Promise<T>): Promise<T> => {
    try {
      return await step();
    } catch (error) {
      throw withDeploymentNote(error, target, undefined);
    }
  };
  const revision = release.revision;
  const arn = 'arn' in revision ? revision.arn : await beforeDeployment(() => registerRevision(context, revision.register));
  if ('register' in release.revision) context.out.line(`registered ${shortRevision(arn)}`);
  if (options.migrate) await beforeDeployment(() => migrate(context, { ...release, revisionArn: arn, registration: 'register' in revision ? revision.register : undefined }, options.migrate!, options.deadline));
  const details: Partial<ServiceResult> = { ...release.details, taskDefinition: arn };
  const appSpec = buildAppSpec(release.service, arn, target.service.release.lifecycleHooks);

  const knownScaling = release.activeDeploymentId ? undefined : release.scaling;
  const scaling = await beforeDeployment(() => suspendAutoScaling(context, target, knownScaling));
  let deploymentId: string | undefined;
  // The deployment this run leaves running, if any: scaling stays suspended until it ends. Until
  // the outcome is known (an error while following), assume the created deployment still runs.
  let leftRunning: () => string | undefined = () => deploymentId;
  try {
    if (context.interrupts.signal.aborted) return interruptedBeforeChange(target);
    deploymentId = await createDeployment(context, target, {
      appSpec,
      deploymentConfigName: options.deploymentConfigName,
      description: options.description,
      ifActive: options.ifActive,
      deadline: options.deadline,
    });
    context.out.line(`deployment ${deploymentId} created for ${targetLabel(target)} (${shortRevision(arn)})`);
    const narrator = new DeploymentNarrator(context, target, release.group);
    let verifyFailure: string | undefined;
    const id = deploymentId;
    const onReady = options.verifyUrl
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
    });
    const concluded = await conclude(context, target, followed, { ...options, narrator, details, verifyFailure: () => verifyFailure });
    leftRunning = () => concluded.running;
    return { ...concluded.result, durationMs: context.clock.now() - started };
  } catch (error) {
    throw withDeploymentNote(error, target, deploymentId);
  } finally {
    await restoreAutoScaling(context, target, scaling, leftRunning());
  }
}

interface ConcludeOptions extends ReleaseOptions {
  readonly narrator: DeploymentNarrator;
  readonly details: Partial<ServiceResult>;
  readonly verifyFailure: () => string | undefined;
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
      const result = serviceResult(target, EXIT.failed, `${targetLabel(target)}: verification failed (${failedVerify}); ${rollbackText(target, settled)}`, {
        ...options.details,
        deploymentId: last.id,
        rollbackDeploymentId: settled.rollback?.id,
        status: settled.deployment.status,
      });
      return { result, running: unsettled(settled) };
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
    const result = serviceResult(
      target,
      ending === 'interrupted' ? EXIT.detached : EXIT.timedOut,
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

