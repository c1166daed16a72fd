/** Reading a CodeDeploy ECS deployment: status, lifecycle events and task sets, in one snapshot. */
import {
  BatchGetDeploymentTargetsCommand,
  GetDeploymentCommand,
  ListDeploymentTargetsCommand,
  ListDeploymentsCommand,
  type DeploymentInfo,
  type DeploymentStatus,
} from '@aws-sdk/client-codedeploy';
import { hasName } from '../aws/errors';
import type { Context } from '../context';
import { requireDeploymentOfTarget } from './deployment-id';
import type { ReleaseTarget } from './target';

/** Statuses of a deployment that has not ended: a second one in the group would be refused. */
export const ACTIVE_STATUSES: DeploymentStatus[] = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'];
export const TERMINAL_STATUSES: readonly string[] = ['Succeeded', 'Failed', 'Stopped'];

export interface LifecycleEventState {
  readonly name: string;
  readonly status: string;
  readonly startTime?: Date;
  readonly endTime?: Date;
  /** What CodeDeploy says about a failed hook. */
  readonly diagnostics?: { readonly errorCode?: string; readonly scriptName?: string; readonly message?: string; readonly logTail?: string };
}

export interface TaskSetState {
  /** `Blue` (original) or `Green` (replacement). */
  readonly label: string;
  /** Percent of production traffic. */
  readonly trafficWeight: number;
  readonly running: number;
  readonly desired: number;
  readonly pending: number;
  readonly targetGroup?: string;
}

export interface DeploymentSnapshot {
  readonly id: string;
  readonly status: string;
  readonly info: DeploymentInfo;
  readonly events: readonly LifecycleEventState[];
  readonly taskSets: readonly TaskSetState[];
}

export function isTerminal(status: string): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** A deployment that has not started yet (Created, Queued) has no targets: CodeDeploy says so with an error. */
async function unlessNotStarted<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (hasName(error, 'DeploymentNotStartedException')) return undefined;
    throw error;
  }
}

/**
 * Waits in which the deployment's targets cannot change: approval (Ready) and the termination wait.
 * Lifecycle events and task sets are then carried over from the last read, so a long wait costs one
 * GetDeployment per poll instead of two or three reads.
 */
function targetsFrozen(info: DeploymentInfo): boolean {
  return info.status === 'Ready' || (info.status === 'InProgress' && info.instanceTerminationWaitTimeStarted === true);
}

export interface ReadOptions {
  /**
   * Read the targets (lifecycle events, task sets) even if the status has not moved.
   * @default true
   */
  readonly targets?: boolean;
  /** Abandons the read's HTTP requests (a `--timeout` that elapsed). */
  readonly abortSignal?: AbortSignal;
}

/**
 * GetDeployment, or with several services the shared batch read (batched-calls.ts); a deployment
 * the batch did not return is read on its own, so its error (DeploymentDoesNotExistException) is
 * the one a single read gives.
 */
export async function readDeploymentInfo(context: Context, deploymentId: string, abortSignal?: AbortSignal, since?: number): Promise<DeploymentInfo> {
  const batched = await context.batch?.deployment(deploymentId, since);
  if (batched) return batched;
  const found = await context.clients.codeDeploy.send(new GetDeploymentCommand({ deploymentId }), { abortSignal });
  return found.deploymentInfo ?? {};
}

/** Caches the deployment's target ids: they do not change once CodeDeploy lists them. */
export class DeploymentReader {
  private targetIds: string[] = [];
  private last: DeploymentSnapshot | undefined;
  private targetsRead = false;
  /** Reads answer from no earlier than this: the reader is made after the caller's last change (a stop, an approval). */
  private readonly createdAt: number;

  constructor(
    private readonly context: Context,
    readonly deploymentId: string,
  ) {
    this.createdAt = context.clock.now();
  }

  /** The last snapshot read, if any. */
  get latest(): DeploymentSnapshot | undefined {
    return this.last;
  }

  /** Whether the last read included the targets (otherwise they were carried over). */
  get lastReadIncludedTargets(): boolean {
    return this.targetsRead;
  }

  /**
   * The deployment now. The targets are read unless they cannot have changed (the same wait as
   * before) or the caller does not need them this time; a move of the status or into the
   * termination wait always reads them, as the deployment's deadlines are dated by their events.
   */
  async read(options: ReadOptions = {}): Promise<DeploymentSnapshot> {
    const { codeDeploy } = this.context.clients;
    const sent = { abortSignal: options.abortSignal };
    const info = await readDeploymentInfo(this.context, this.deploymentId, options.abortSignal, this.createdAt);
    const previous = this.last;
    const statusMoved = previous === undefined || previous.status !== info.status
      || previous.info.instanceTerminationWaitTimeStarted !== info.instanceTerminationWaitTimeStarted;
    // In the same wait as the previous read the targets cannot change; the read that enters a
    // wait still fetches them (statusMoved), since their end times date the wait's deadline.
    const sameWait = !statusMoved && targetsFrozen(info) && previous.events.length > 0;
    const notNeeded = !statusMoved && options.targets === false;
    if (previous && (sameWait || notNeeded)) {
      this.targetsRead = false;
      this.last = { ...previous, info };
      return this.last;
    }
    this.targetsRead = true;
    let events: LifecycleEventState[] = [];
    let taskSets: TaskSetState[] = [];
    if (this.targetIds.length === 0) {
      const listed = await unlessNotStarted(() => codeDeploy.send(new ListDeploymentTargetsCommand({ deploymentId: this.deploymentId }), sent));
      this.targetIds = listed?.targetIds ?? [];
    }
    if (this.targetIds.length > 0) {
      const targets = await unlessNotStarted(() =>
        codeDeploy.send(new BatchGetDeploymentTargetsCommand({ deploymentId: this.deploymentId, targetIds: this.targetIds }), sent),
      );
      const ecs = targets?.deploymentTargets?.find((candidate) => candidate.ecsTarget)?.ecsTarget;
      events = (ecs?.lifecycleEvents ?? []).map((event) => ({
        name: event.lifecycleEventName ?? '?',
        status: event.status ?? 'Unknown',
        startTime: event.startTime,
        endTime: event.endTime,
        ...(event.diagnostics ? { diagnostics: event.diagnostics } : {}),
      }));
      taskSets = (ecs?.taskSetsInfo ?? []).map((taskSet) => ({
        label: taskSet.taskSetLabel ?? taskSet.identifer ?? '?',
        trafficWeight: taskSet.trafficWeight ?? 0,
        running: taskSet.runningCount ?? 0,
        desired: taskSet.desiredCount ?? 0,
        pending: taskSet.pendingCount ?? 0,
        targetGroup: taskSet.targetGroup?.name,
      }));
    }
    this.last = { id: this.deploymentId, status: info.status ?? 'Unknown', info, events, taskSets };
    return this.last;
  }
}

/** The deployment in progress in this service's deployment group, if any. */
export async function findActiveDeployment(context: Context, target: ReleaseTarget): Promise<string | undefined> {
  const listed = await context.clients.codeDeploy.send(
    new ListDeploymentsCommand({
      applicationName: target.names.codeDeployApplication,
      deploymentGroupName: target.names.deploymentGroup,
      includeOnlyStatuses: ACTIVE_STATUSES,
    }),
  );
  return listed.deployments?.[0];
}

/** `--deployment-id` (checked to be this target's), else the group's active deployment; undefined when neither exists. */
export async function chosenDeployment(context: Context, target: ReleaseTarget, deploymentId: string | undefined): Promise<string | undefined> {
  if (deploymentId !== undefined) return requireDeploymentOfTarget(context, target, deploymentId);
  return findActiveDeployment(context, target);
}
