/**
 * ECS services over time: task sets of CODE_DEPLOY services, and rolling deployments of ECS
 * controller services with the deployment circuit breaker.
 */
import { arn } from '../ids';
import type { EcsDeploymentRecord, EcsLoadBalancer, ServiceRecord, TaskDefinitionRecord, TaskSetRecord } from '../model';
import type { SimContext } from './context';
import { protectedTasksOf, stopUnprotected } from './protection';
import { countTasks, isLive, reconcileOwner, serviceEvent, stopAll, stoppedAt, tasksOf, type OwnerCounts } from './tasks';

export function findTaskDefinition(ctx: SimContext, taskDefinitionArn: string): TaskDefinitionRecord | undefined {
  return ctx.world.taskDefinitions.find((definition) => definition.arn === taskDefinitionArn);
}

// ---------------------------------------------------------------- task sets (CODE_DEPLOY)

/** Tasks a task set should run: its scale applied to the service's desired count. */
export function taskSetDesired(service: ServiceRecord, taskSet: TaskSetRecord): number {
  if (taskSet.deletedAt !== undefined) return 0;
  return Math.ceil((service.desiredCount * taskSet.scalePercent) / 100);
}

export function taskSetCounts(ctx: SimContext, service: ServiceRecord, taskSet: TaskSetRecord, now: number): OwnerCounts {
  return countTasks(ctx, service, { kind: 'task-set', id: taskSet.id }, taskSetDesired(service, taskSet), now);
}

export interface TaskSetSpec {
  taskDefinitionArn: string;
  loadBalancers: EcsLoadBalancer[];
  networkConfiguration?: TaskSetRecord['networkConfiguration'];
  platformVersion?: string;
  launchType?: string;
  capacityProviderStrategy?: TaskSetRecord['capacityProviderStrategy'];
  startedBy: string;
  externalId?: string;
}

export function createTaskSet(ctx: SimContext, service: ServiceRecord, spec: TaskSetSpec, status: TaskSetRecord['status'], now: number): TaskSetRecord {
  const id = ctx.ids.ecsDeploymentId();
  const taskSet: TaskSetRecord = {
    id,
    arn: arn.taskSet(service.region, ctx.world.accountId, service.clusterName, service.name, id),
    serviceArn: service.arn,
    clusterArn: service.clusterArn,
    status,
    taskDefinitionArn: spec.taskDefinitionArn,
    startedBy: spec.startedBy,
    externalId: spec.externalId,
    scalePercent: 100,
    loadBalancers: spec.loadBalancers,
    networkConfiguration: spec.networkConfiguration,
    platformVersion: spec.platformVersion,
    launchType: spec.launchType,
    capacityProviderStrategy: spec.capacityProviderStrategy,
    createdAt: now,
    updatedAt: now,
    stabilityStatus: 'STABILIZING',
    stabilityStatusAt: now,
  };
  service.taskSets.push(taskSet);
  return taskSet;
}

/** Make a task set PRIMARY: the service then reports its task definition and load balancers. */
export function makePrimary(service: ServiceRecord, taskSet: TaskSetRecord, now: number): void {
  for (const other of service.taskSets) {
    if (other !== taskSet && other.status === 'PRIMARY') {
      other.status = 'ACTIVE';
      other.updatedAt = now;
    }
  }
  taskSet.status = 'PRIMARY';
  taskSet.updatedAt = now;
  service.taskDefinitionArn = taskSet.taskDefinitionArn;
  service.loadBalancers = taskSet.loadBalancers;
  if (taskSet.networkConfiguration) service.networkConfiguration = taskSet.networkConfiguration;
  if (taskSet.platformVersion) service.platformVersion = taskSet.platformVersion;
  if (taskSet.capacityProviderStrategy) {
    service.capacityProviderStrategy = taskSet.capacityProviderStrategy;
    service.launchType = undefined;
  }
}

/** Delete a task set: it turns DRAINING, its tasks stop, and it disappears once they have. */
export function deleteTaskSet(ctx: SimContext, service: ServiceRecord, taskSet: TaskSetRecord, now: number): void {
  if (taskSet.deletedAt !== undefined) return;
  taskSet.deletedAt = now;
  taskSet.status = 'DRAINING';
  taskSet.updatedAt = now;
  const stopped = stopAll(ctx, { kind: 'task-set', id: taskSet.id }, now, `Task set ${taskSet.id} deleted`);
  if (stopped > 0) serviceEvent(ctx, service, `(taskSet ${taskSet.id}) is draining ${stopped} tasks.`, now);
}

function stepTaskSets(ctx: SimContext, service: ServiceRecord, now: number): void {
  for (const taskSet of service.taskSets) {
    const definition = findTaskDefinition(ctx, taskSet.taskDefinitionArn);
    if (taskSet.deletedAt === undefined && definition) {
      reconcileOwner(ctx, service, { kind: 'task-set', id: taskSet.id }, taskSetDesired(service, taskSet), {
        taskDefinition: definition,
        loadBalancers: taskSet.loadBalancers,
        networkConfiguration: taskSet.networkConfiguration,
      }, now);
    }
    const counts = taskSetCounts(ctx, service, taskSet, now);
    const steady = counts.healthy === counts.desired && counts.pending === 0 && counts.running === counts.desired;
    const stability = steady ? 'STEADY_STATE' : 'STABILIZING';
    if (stability !== taskSet.stabilityStatus) {
      taskSet.stabilityStatus = stability;
      taskSet.stabilityStatusAt = now;
    }
  }
  // A deleted task set is gone once every one of its tasks has stopped.
  service.taskSets = service.taskSets.filter((taskSet) => {
    if (taskSet.deletedAt === undefined) return true;
    return tasksOf(ctx, { kind: 'task-set', id: taskSet.id }).some((task) => (stoppedAt(ctx, task) ?? Infinity) > now);
  });
}

// ---------------------------------------------------------------- rolling deployments (ECS controller)

/** The circuit breaker trips after this many failed launches: half the desired count, 3 to 200. */
export function circuitBreakerThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desiredCount / 2)));
}

export function circuitBreaker(service: ServiceRecord): { enable: boolean; rollback: boolean } {
  const breaker = service.deploymentConfiguration.deploymentCircuitBreaker as { enable?: boolean; rollback?: boolean } | undefined;
  return { enable: breaker?.enable === true, rollback: breaker?.rollback === true };
}

export function deploymentCounts(ctx: SimContext, service: ServiceRecord, deployment: EcsDeploymentRecord, now: number): OwnerCounts {
  return countTasks(ctx, service, { kind: 'ecs-deployment', id: deployment.id }, deployment.desiredCount, now);
}

/** Start a new PRIMARY deployment; the previous ones keep their tasks until it completes. */
export function startRollingDeployment(
  ctx: SimContext,
  service: ServiceRecord,
  taskDefinitionArn: string,
  now: number,
  rollbackOf?: string,
): EcsDeploymentRecord {
  for (const deployment of service.deployments) {
    if (deployment.status === 'PRIMARY') {
      deployment.status = 'ACTIVE';
      deployment.updatedAt = now;
    }
  }
  const deployment: EcsDeploymentRecord = {
    id: ctx.ids.ecsDeploymentId(),
    status: 'PRIMARY',
    taskDefinitionArn,
    desiredCount: service.desiredCount,
    failedTasks: 0,
    createdAt: now,
    updatedAt: now,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: 'ECS deployment in progress.',
    launchType: service.launchType,
    capacityProviderStrategy: service.capacityProviderStrategy,
    platformVersion: service.platformVersion,
    networkConfiguration: service.networkConfiguration,
    rollbackOf,
  };
  service.deployments.unshift(deployment);
  service.taskDefinitionArn = taskDefinitionArn;
  return deployment;
}

/** The circuit breaker tripped: fail the deployment and, when configured, return to the last good one. */
function tripCircuitBreaker(ctx: SimContext, service: ServiceRecord, failed: EcsDeploymentRecord, now: number): void {
  failed.rolloutState = 'FAILED';
  failed.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
  failed.updatedAt = now;
  serviceEvent(ctx, service, `(deployment ${failed.id}) deployment failed: tasks failed to start.`, now);
  if (!circuitBreaker(service).rollback) return;

  const lastGood = service.deployments.find((deployment) => deployment !== failed && deployment.rolloutState === 'COMPLETED');
  if (!lastGood) return;
  failed.desiredCount = 0;
  stopAll(ctx, { kind: 'ecs-deployment', id: failed.id }, now, `Deployment ${failed.id} rolled back`);
  const rollback = startRollingDeployment(ctx, service, lastGood.taskDefinitionArn, now, failed.id);
  // The last good deployment's tasks still run the revision being returned to: the rollback
  // deployment adopts them instead of replacing them.
  for (const task of tasksOf(ctx, { kind: 'ecs-deployment', id: lastGood.id })) {
    if (isLive(task)) task.owner = { kind: 'ecs-deployment', id: rollback.id };
  }
  service.deployments = service.deployments.filter((deployment) => deployment !== lastGood);
  serviceEvent(ctx, service, `rolling back to deployment ${rollback.id} (task definition ${lastGood.taskDefinitionArn}).`, now);
}

/**
 * The new deployment is healthy: stop the tasks of the ones it replaces. Protected tasks keep
 * running (simulation/protection.ts) and hold the rollout until they stop; true once none is left.
 */
function replaceOldDeployments(ctx: SimContext, service: ServiceRecord, primary: EcsDeploymentRecord, now: number): boolean {
  let held = 0;
  for (const old of service.deployments) {
    if (old === primary) continue;
    old.desiredCount = 0;
    const owner = { kind: 'ecs-deployment' as const, id: old.id };
    stopUnprotected(ctx, owner, now, `Deployment ${primary.id} replaced ${old.id}`);
    held += protectedTasksOf(ctx, owner, now).length;
  }
  const reason = held > 0 ? `ECS deployment ${primary.id} waiting for ${held} protected task${held === 1 ? '' : 's'} of the replaced deployment to stop.` : undefined;
  if (reason && primary.rolloutStateReason !== reason) {
    primary.rolloutStateReason = reason;
    primary.updatedAt = now;
    serviceEvent(ctx, service, `(deployment ${primary.id}) is waiting for ${held} task${held === 1 ? '' : 's'} with scale-in protection.`, now);
  }
  return held === 0;
}

function stepRolling(ctx: SimContext, service: ServiceRecord, failedTasks: Set<string>, now: number): void {
  const primary = service.deployments.find((deployment) => deployment.status === 'PRIMARY');
  if (primary) primary.desiredCount = service.desiredCount;

  for (const deployment of service.deployments) {
    const definition = findTaskDefinition(ctx, deployment.taskDefinitionArn);
    const owner = { kind: 'ecs-deployment' as const, id: deployment.id };
    const failures = tasksOf(ctx, owner).filter((task) => failedTasks.has(task.id)).length;
    if (failures > 0) {
      deployment.failedTasks += failures;
      deployment.updatedAt = now;
    }
    if (definition && deployment.rolloutState !== 'FAILED') {
      reconcileOwner(ctx, service, owner, deployment.desiredCount, {
        taskDefinition: definition,
        loadBalancers: service.loadBalancers,
        networkConfiguration: deployment.networkConfiguration,
      }, now);
    }
  }

  if (primary && primary.rolloutState === 'IN_PROGRESS') {
    const breaker = circuitBreaker(service);
    if (breaker.enable && primary.failedTasks >= circuitBreakerThreshold(primary.desiredCount)) {
      tripCircuitBreaker(ctx, service, primary, now);
    } else {
      const counts = deploymentCounts(ctx, service, primary, now);
      if (counts.healthy >= primary.desiredCount && counts.pending === 0 && replaceOldDeployments(ctx, service, primary, now)) {
        primary.rolloutState = 'COMPLETED';
        primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
        primary.updatedAt = now;
        serviceEvent(ctx, service, `(deployment ${primary.id}) deployment completed.`, now);
        serviceEvent(ctx, service, 'has reached a steady state.', now);
      }
    }
  }

  // Replaced deployments leave the list once their tasks have stopped; a failed one stays until
  // the rollback that replaced it has completed, so a release tool can still read its state.
  const primaryDone = primary?.rolloutState === 'COMPLETED';
  service.deployments = service.deployments.filter((deployment) => {
    if (deployment.status === 'PRIMARY') return true;
    if (deployment.desiredCount > 0) return true;
    if (deployment.rolloutState === 'FAILED' && !primaryDone) return true;
    return tasksOf(ctx, { kind: 'ecs-deployment', id: deployment.id }).some((task) => (stoppedAt(ctx, task) ?? Infinity) > now);
  });
}

/** One simulation step for every ECS service. `failedTasks` are the ids of tasks that just failed. */
export function stepServices(ctx: SimContext, failedTasks: Set<string>, now: number): void {
  for (const service of ctx.world.services) {
    if (service.status !== 'ACTIVE') continue;
    if (service.controller === 'CODE_DEPLOY') stepTaskSets(ctx, service, now);
    else stepRolling(ctx, service, failedTasks, now);
  }
}
