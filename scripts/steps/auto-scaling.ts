/**
 * Application Auto Scaling is suspended while CodeDeploy swaps task sets (a scale event mid-swap
 * can leave task sets at the wrong size), and restored to exactly its prior state afterwards, on
 * every path.
 */
import {
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
  type SuspendedState,
} from '@aws-sdk/client-application-auto-scaling';
import type { Context } from '../context';
import type { ReleaseTarget } from './target';

const DIMENSION = 'ecs:service:DesiredCount';

export interface ScalingState {
  readonly resourceId: string;
  /** The state before the release; restored afterwards. */
  readonly prior: SuspendedState;
  /** Whether this release changed it (false when it was already suspended). */
  readonly changed: boolean;
}

const SUSPENDED: SuspendedState = { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: true, ScheduledScalingSuspended: true };

function describeState(state: SuspendedState): string {
  return `DynamicScalingInSuspended=${state.DynamicScalingInSuspended === true},DynamicScalingOutSuspended=${state.DynamicScalingOutSuspended === true},ScheduledScalingSuspended=${state.ScheduledScalingSuspended === true}`;
}

export function resumeCommand(resourceId: string, state: SuspendedState): string {
  return `aws application-autoscaling register-scalable-target --service-namespace ecs --scalable-dimension ${DIMENSION} --resource-id ${resourceId} --suspended-state ${describeState(state)}`;
}

/** Read-only: the scalable target's current suspended state, or undefined when the service does not scale. */
export async function readScalingState(context: Context, target: ReleaseTarget): Promise<SuspendedState | undefined> {
  const resourceId = target.names.scalableResourceId;
  const found = await context.clients.autoScaling.send(
    new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [resourceId], ScalableDimension: DIMENSION }),
  );
  const scalable = found.ScalableTargets?.find((candidate) => candidate.ResourceId === resourceId);
  if (!scalable) return undefined;
  return {
    DynamicScalingInSuspended: scalable.SuspendedState?.DynamicScalingInSuspended ?? false,
    DynamicScalingOutSuspended: scalable.SuspendedState?.DynamicScalingOutSuspended ?? false,
    ScheduledScalingSuspended: scalable.SuspendedState?.ScheduledScalingSuspended ?? false,
  };
}

/**
 * Suspend scaling for the release. `known`: the state the caller read moments ago (the release
 * plan), so it is not read twice; without it the state is read here.
 */
export async function suspendAutoScaling(context: Context, target: ReleaseTarget, known?: { readonly state?: SuspendedState }): Promise<ScalingState | undefined> {
  const resourceId = target.names.scalableResourceId;
  const prior = known ? known.state : await readScalingState(context, target);
  if (!prior) return undefined;
  if (prior.DynamicScalingInSuspended && prior.DynamicScalingOutSuspended && prior.ScheduledScalingSuspended) {
    context.out.warn(`auto scaling of ${resourceId} was already suspended before this release (an earlier run may have been killed); leaving it so. Resume: ${resumeCommand(resourceId, { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false })}`);
    return { resourceId, prior, changed: false };
  }
  await context.clients.autoScaling.send(
    new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: DIMENSION, SuspendedState: SUSPENDED }),
  );
  context.out.line('auto scaling suspended for the release');
  return { resourceId, prior, changed: true };
}

/** Put the prior state back. Never throws: a failure is a warning naming the command that fixes it. */
export async function restoreAutoScaling(context: Context, state: ScalingState | undefined): Promise<void> {
  if (!state?.changed) return;
  try {
    await context.clients.autoScaling.send(
      new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ResourceId: state.resourceId, ScalableDimension: DIMENSION, SuspendedState: state.prior }),
    );
    context.out.line('auto scaling restored');
  } catch (error) {
    context.out.warn(`could not restore auto scaling of ${state.resourceId} (${error instanceof Error ? error.name : error}); run: ${resumeCommand(state.resourceId, state.prior)}`);
  }
}
