/**
 * Application Auto Scaling is suspended while CodeDeploy swaps task sets (a scale event mid-swap
 * can leave task sets at the wrong size), and restored to exactly its prior state once the
 * deployment has ended, on every path.
 *
 * Order: the deployment is created FIRST, and only the run whose CreateDeployment succeeded
 * touches scaling. CodeDeploy refuses a second deployment while one is active in the group
 * (DeploymentLimitExceededException, CodeDeploy API reference, CreateDeployment), so that call is
 * the only lock there is: a run that loses the race never suspends, resumes or tags anything.
 * The moment between CreateDeployment and the suspension costs nothing: CodeDeploy first creates
 * the replacement task set, and Application Auto Scaling already turns scale-in off while an ECS
 * deployment is in progress (Amazon ECS developer guide, "Troubleshooting service auto scaling").
 *
 * The suspension is recorded on the scalable target itself (tag SCALING_RECORD_TAG_KEY: the prior
 * state, when the suspension began and the deployment it was taken for), written before scaling
 * is suspended. So a run that is killed, or that leaves its deployment running (--detach, a
 * timeout, the termination wait, an AWS error), never strands scaling: `wait`, `stop`, `settle`
 * and the next release restore it once no deployment is active. The `since` stamp marks which run
 * holds it: a run restores only a suspension it still holds, and only when no deployment is active.
 * Suspended without the tag means a person did it: releases then leave scaling alone.
 */
import {
  DescribeScalableTargetsCommand,
  ListTagsForResourceCommand,
  RegisterScalableTargetCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type SuspendedState,
} from '@aws-sdk/client-application-auto-scaling';
import { GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { formatScalingRecord, parseScalingRecord, SCALING_RECORD_TAG_KEY, type ScalingRecord } from '../../config';
import type { Context } from '../context';
import { findActiveDeployment, isTerminal } from './deployment-state';
import { clockTime } from './follow-deployment';
import { commandLine, type ReleaseTarget } from './target';

const DIMENSION = 'ecs:service:DesiredCount';

/** A service's scalable target as read before a release. */
export interface ScalingTarget {
  readonly resourceId: string;
  readonly arn: string;
  readonly state: SuspendedState;
  /** Present when a release suspended scaling and has not restored it. */
  readonly record?: ScalingRecord;
}

/** What this run holds: restore `prior` at the end, if the record still says `since`. */
export interface ScalingState {
  readonly resourceId: string;
  readonly arn: string;
  readonly prior: SuspendedState;
  /** False when scaling was suspended by a person before the release: left as it is. */
  readonly changed: boolean;
  readonly since?: number;
  /** Whether the suspension is recorded on the target (false when the endpoint gave no ARN). */
  readonly recorded: boolean;
}

const SUSPENDED: SuspendedState = { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: true, ScheduledScalingSuspended: true };
const RESUMED: SuspendedState = { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false };

function fullySuspended(state: SuspendedState): boolean {
  return state.DynamicScalingInSuspended === true && state.DynamicScalingOutSuspended === true && state.ScheduledScalingSuspended === true;
}

function describeState(state: SuspendedState): string {
  return `DynamicScalingInSuspended=${state.DynamicScalingInSuspended === true},DynamicScalingOutSuspended=${state.DynamicScalingOutSuspended === true},ScheduledScalingSuspended=${state.ScheduledScalingSuspended === true}`;
}

export function resumeCommand(resourceId: string, state: SuspendedState): string {
  return `aws application-autoscaling register-scalable-target --service-namespace ecs --scalable-dimension ${DIMENSION} --resource-id ${resourceId} --suspended-state ${describeState(state)}`;
}

/** The by-hand fix: restore the state, then drop the record. */
function resumeByHand(state: Pick<ScalingState, 'resourceId' | 'arn' | 'prior' | 'recorded'>): string {
  const restore = resumeCommand(state.resourceId, state.prior);
  return state.recorded ? `${restore} && aws application-autoscaling untag-resource --resource-arn ${state.arn} --tag-keys ${SCALING_RECORD_TAG_KEY}` : restore;
}

async function readRecord(context: Context, arn: string): Promise<ScalingRecord | undefined> {
  const { Tags: tags } = await context.clients.autoScaling.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
  return parseScalingRecord(tags?.[SCALING_RECORD_TAG_KEY]);
}

/**
 * Read-only: the service's scalable target, or undefined when the service does not scale. The
 * record is read only when scaling is fully suspended (the only state a release leaves it in).
 */
export async function readScalingTarget(context: Context, target: ReleaseTarget): Promise<ScalingTarget | undefined> {
  const resourceId = target.names.scalableResourceId;
  const found = await context.clients.autoScaling.send(
    new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [resourceId], ScalableDimension: DIMENSION }),
  );
  const scalable = found.ScalableTargets?.find((candidate) => candidate.ResourceId === resourceId);
  if (!scalable) return undefined;
  const state: SuspendedState = {
    DynamicScalingInSuspended: scalable.SuspendedState?.DynamicScalingInSuspended ?? false,
    DynamicScalingOutSuspended: scalable.SuspendedState?.DynamicScalingOutSuspended ?? false,
    ScheduledScalingSuspended: scalable.SuspendedState?.ScheduledScalingSuspended ?? false,
  };
  const arn = scalable.ScalableTargetARN ?? '';
  let record: ScalingRecord | undefined;
  if (fullySuspended(state) && arn) {
    try {
      record = await readRecord(context, arn);
    } catch (error) {
      // Without the record the suspension is treated as a person's: left alone, as before records.
      context.out.warn(`could not read the suspension record of ${resourceId} (${error instanceof Error ? error.name : error}); treating its suspension as set by hand`);
    }
  }
  return { resourceId, arn, state, record };
}

/**
 * Suspend scaling for deployment `deploymentId`, which this run has just created (so no other
 * deployment is active in the group), recording the prior state first. Never throws: a failure is
 * a warning, and the deployment runs with scaling as it was (on, as any ECS deployment may).
 */
export async function suspendAutoScaling(context: Context, target: ReleaseTarget, deploymentId: string): Promise<ScalingState | undefined> {
  let holding: ScalingState | undefined;
  try {
    const scalable = await readScalingTarget(context, target);
    if (!scalable) return undefined;
    const { resourceId, arn } = scalable;
    const since = context.clock.now();
    // An endpoint that names no ARN for the target (some emulators) gets no record: scaling is then
    // restored when this run ends, whatever the deployment does, as nothing else could restore it.
    const recorded = arn !== '';
    const hold = async (prior: SuspendedState) => {
      holding = { resourceId, arn, prior, changed: true, since, recorded };
      if (recorded) {
        const record = formatScalingRecord({ prior, since, deployment: deploymentId });
        await context.clients.autoScaling.send(new TagResourceCommand({ ResourceARN: arn, Tags: { [SCALING_RECORD_TAG_KEY]: record } }));
      }
      // Also when taking over: a run that restored in between must not leave this deployment unsuspended.
      await context.clients.autoScaling.send(
        new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: DIMENSION, SuspendedState: SUSPENDED }),
      );
    };

    if (scalable.record) {
      // An earlier release suspended scaling and did not restore it (killed, or left its deployment
      // running, which has ended since: this run's deployment exists), so this release takes it over.
      await hold(scalable.record.prior);
      context.out.line(
        `auto scaling was left suspended by a release at ${clockTime(scalable.record.since)}; this release keeps it suspended and restores ${describeState(scalable.record.prior)} at its end`,
      );
      return holding;
    }
    if (fullySuspended(scalable.state)) {
      context.out.warn(`auto scaling of ${resourceId} was suspended before this release, not by a release; leaving it so. Resume: ${resumeCommand(resourceId, RESUMED)}`);
      return { resourceId, arn, prior: scalable.state, changed: false, recorded };
    }
    await hold(scalable.state);
    context.out.line('auto scaling suspended for the release');
    return holding;
  } catch (error) {
    context.out.warn(
      `could not suspend auto scaling of ${target.names.scalableResourceId} (${error instanceof Error ? error.name : error}); deployment ${deploymentId} runs with scaling as it was`,
    );
    // A record written before the failure is still this run's: the end of the run cleans it up.
    return holding;
  }
}

/** Put the recorded state back and drop the record. */
async function resume(context: Context, state: Pick<ScalingState, 'resourceId' | 'arn' | 'prior' | 'recorded'>): Promise<void> {
  await context.clients.autoScaling.send(
    new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ResourceId: state.resourceId, ScalableDimension: DIMENSION, SuspendedState: state.prior }),
  );
  if (state.recorded) await context.clients.autoScaling.send(new UntagResourceCommand({ ResourceARN: state.arn, TagKeys: [SCALING_RECORD_TAG_KEY] }));
}

/** The line that says scaling stays suspended while a deployment runs, and what restores it. */
export function suspendedWhileRunning(target: ReleaseTarget, deploymentId: string): string {
  return `auto scaling stays suspended while deployment ${deploymentId} runs; ${commandLine('wait', target)} (or settle, stop, the next release) restores it when the deployment ends`;
}

/**
 * At the end of a release: put the prior state back, unless the deployment is still running
 * (`runningDeploymentId`: scaling stays suspended and the record tells `wait` what to restore),
 * another release has taken the suspension over, or another deployment has started meanwhile
 * (its release takes the suspension over). Never throws: a failure is a warning naming the
 * command that fixes it.
 */
export async function restoreAutoScaling(context: Context, target: ReleaseTarget, state: ScalingState | undefined, runningDeploymentId?: string): Promise<void> {
  if (!state?.changed) return;
  if (runningDeploymentId && state.recorded) {
    context.out.line(suspendedWhileRunning(target, runningDeploymentId));
    return;
  }
  try {
    if (state.recorded) {
      // Whether this run still holds the suspension; if the record cannot be read, restore anyway.
      const record = await readRecord(context, state.arn).catch(() => undefined);
      if (record && record.since !== state.since) {
        context.out.line(`auto scaling: another release took over its suspension at ${clockTime(record.since)}; that release restores it`);
        return;
      }
      const active = await findActiveDeployment(context, target);
      if (active) {
        context.out.line(`auto scaling stays suspended: deployment ${active} started meanwhile; its release (or ${commandLine('wait', target)}) restores it when it ends`);
        return;
      }
    }
    await resume(context, state);
    context.out.line('auto scaling restored');
  } catch (error) {
    context.out.warn(`could not restore auto scaling of ${state.resourceId} (${error instanceof Error ? error.name : error}); run: ${resumeByHand(state)}`);
  }
}

/** Whether a deployment has reached a final status. */
async function hasEnded(context: Context, deploymentId: string): Promise<boolean> {
  const { deploymentInfo } = await context.clients.codeDeploy.send(new GetDeploymentCommand({ deploymentId }));
  return isTerminal(deploymentInfo?.status ?? '');
}

/**
 * After `wait`, `stop`, `finish` or `settle` saw a deployment end: restore scaling a release left
 * suspended, when no deployment is active any more. Never throws.
 * Returns what became of it: restored, none to restore (or a failure, warned about), or still held
 * for the deployment named.
 */
export async function restoreLeftSuspension(context: Context, target: ReleaseTarget): Promise<{ readonly restored: boolean; readonly heldFor?: string }> {
  let scalable: ScalingTarget | undefined;
  try {
    scalable = await readScalingTarget(context, target);
    if (!scalable?.record) return { restored: false };
    // Only once the deployment the suspension was taken for has ended, and no other is active.
    const held = scalable.record.deployment;
    if (held && !(await hasEnded(context, held))) return { restored: false, heldFor: held };
    const active = await findActiveDeployment(context, target);
    if (active) return { restored: false, heldFor: active };
    await resume(context, { ...scalable, prior: scalable.record.prior, recorded: true });
    context.out.line(`auto scaling restored (suspended by the release at ${clockTime(scalable.record.since)})`);
    return { restored: true };
  } catch (error) {
    const fix = scalable?.record ? `run: ${resumeByHand({ ...scalable, prior: scalable.record.prior, recorded: true })}` : `check with ${commandLine('status', target)}`;
    context.out.warn(`could not restore auto scaling of ${target.names.scalableResourceId} (${error instanceof Error ? error.name : error}); ${fix}`);
    return { restored: false };
  }
}
