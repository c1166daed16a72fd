/**
 * Fargate tasks and their load balancer targets.
 *
 * A task record is written once, at launch, with the outcome its images will have; everything
 * visible afterwards (lastStatus, target health) is a function of the clock:
 *
 *   launch ─5s─ PROVISIONING ─10s─ PENDING ─ RUNNING ── target: initial ──(interval × healthy
 *   threshold)── healthy
 *
 * A bad image turns the target unhealthy after interval × unhealthy threshold; ECS stops the task
 * once the health check grace period has also passed, and the owner launches a replacement. A
 * missing image fails the pull. A stopped target drains for the target group's deregistration
 * delay, then the task is STOPPED.
 */
import { arn } from '../ids';
import type {
  EcsLoadBalancer,
  NetworkConfiguration,
  ServiceRecord,
  TargetGroupRecord,
  TaskDefinitionRecord,
  TaskOwner,
  TaskRecord,
} from '../model';
import type { SimContext } from './context';
import { pullImages } from './images';
import { isProtected } from './protection';
import { RUNNING_AFTER, TIMINGS } from './timings';

export type TaskStatus = 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPING' | 'STOPPED';

export interface TargetHealth {
  State: 'initial' | 'healthy' | 'unhealthy' | 'draining';
  Reason?: 'Elb.InitialHealthChecking' | 'Target.ResponseCodeMismatch' | 'Target.DeregistrationInProgress';
  Description?: string;
}

export function targetGroupOf(ctx: SimContext, targetGroupArn: string): TargetGroupRecord | undefined {
  return ctx.world.targetGroups.find((group) => group.arn === targetGroupArn);
}

/** When a task reaches each stage, in real ms; `failsAt` is when ECS stops a failing task. */
export function timeline(ctx: SimContext, task: TaskRecord, service: ServiceRecord | undefined) {
  const { clock } = ctx;
  const runningAt = task.createdAt + clock.ms(RUNNING_AFTER);
  const group = task.targetGroupArns.length > 0 ? targetGroupOf(ctx, task.targetGroupArns[0]) : undefined;
  const check = group?.healthCheck;
  const healthyAt = check ? runningAt + clock.ms(check.intervalSeconds * check.healthyThreshold) : runningAt;
  const unhealthyAt = check ? runningAt + clock.ms(check.intervalSeconds * check.unhealthyThreshold) : undefined;
  let failsAt: number | undefined;
  if (task.outcome === 'pull-failure') failsAt = task.createdAt + clock.ms(TIMINGS.pullFailure);
  else if (task.outcome === 'unhealthy') {
    if (unhealthyAt !== undefined) {
      // ECS ignores failing ELB checks during the grace period, counted from the task's start.
      const graceEnds = runningAt + clock.ms(service?.healthCheckGracePeriodSeconds ?? 0);
      failsAt = Math.max(unhealthyAt + clock.ms(check?.intervalSeconds ?? 0), graceEnds);
    } else {
      failsAt = runningAt + clock.ms(TIMINGS.crashWithoutLoadBalancer);
    }
  }
  return { runningAt, healthyAt, unhealthyAt, failsAt };
}

/** The longest deregistration delay among the task's target groups, in real ms. */
function drainMs(ctx: SimContext, task: TaskRecord): number {
  const delays = task.targetGroupArns.map((groupArn) => targetGroupOf(ctx, groupArn)?.deregistrationDelaySeconds ?? 0);
  return ctx.clock.ms(Math.max(0, ...delays));
}

/** Whether the task reached RUNNING before it was told to stop. */
function everRan(ctx: SimContext, task: TaskRecord): boolean {
  const runningAt = task.createdAt + ctx.clock.ms(RUNNING_AFTER);
  return task.outcome !== 'pull-failure' && (task.stopRequestedAt === undefined || task.stopRequestedAt > runningAt);
}

/** When the task is (or will be) STOPPED, if it has been told to stop. */
export function stoppedAt(ctx: SimContext, task: TaskRecord): number | undefined {
  if (task.stopRequestedAt === undefined) return undefined;
  const drain = everRan(ctx, task) ? drainMs(ctx, task) : 0;
  return task.stopRequestedAt + drain + ctx.clock.ms(TIMINGS.stopping);
}

export function taskStatus(ctx: SimContext, task: TaskRecord, now: number): TaskStatus {
  const { clock } = ctx;
  if (task.stopRequestedAt !== undefined && now >= task.stopRequestedAt) {
    const drainEnds = task.stopRequestedAt + (everRan(ctx, task) ? drainMs(ctx, task) : 0);
    if (now < drainEnds) return 'DEACTIVATING';
    return now < (stoppedAt(ctx, task) as number) ? 'STOPPING' : 'STOPPED';
  }
  const age = clock.seconds(task.createdAt, now);
  if (age < TIMINGS.provisioning) return 'PROVISIONING';
  if (age < RUNNING_AFTER) return 'PENDING';
  return 'RUNNING';
}

/** Target health of a task in one target group, or undefined when it is not registered there. */
export function targetHealth(ctx: SimContext, task: TaskRecord, service: ServiceRecord | undefined, now: number): TargetHealth | undefined {
  const t = timeline(ctx, task, service);
  if (now < t.runningAt) return undefined;
  if (task.stopRequestedAt !== undefined && now >= task.stopRequestedAt) {
    if (!everRan(ctx, task)) return undefined;
    if (now < task.stopRequestedAt + drainMs(ctx, task)) {
      return { State: 'draining', Reason: 'Target.DeregistrationInProgress', Description: 'Target deregistration is in progress' };
    }
    return undefined;
  }
  if (task.outcome === 'healthy') {
    return now < t.healthyAt
      ? { State: 'initial', Reason: 'Elb.InitialHealthChecking', Description: 'Initial health checks in progress' }
      : { State: 'healthy' };
  }
  if (t.unhealthyAt !== undefined && now >= t.unhealthyAt) {
    return { State: 'unhealthy', Reason: 'Target.ResponseCodeMismatch', Description: 'Health checks failed with these codes: [502]' };
  }
  return { State: 'initial', Reason: 'Elb.InitialHealthChecking', Description: 'Initial health checks in progress' };
}

/** RUNNING, and healthy in every target group it is registered in. */
export function isHealthy(ctx: SimContext, task: TaskRecord, service: ServiceRecord | undefined, now: number): boolean {
  if (taskStatus(ctx, task, now) !== 'RUNNING') return false;
  if (task.targetGroupArns.length === 0) return task.outcome === 'healthy';
  return targetHealth(ctx, task, service, now)?.State === 'healthy';
}

/** Not told to stop: counts towards its owner's desired count. */
export function isLive(task: TaskRecord): boolean {
  return task.stopRequestedAt === undefined;
}

export function tasksOf(ctx: SimContext, owner: TaskOwner): TaskRecord[] {
  return ctx.world.tasks.filter((task) => task.owner.kind === owner.kind && task.owner.id === owner.id);
}

/** Record a service event (newest first, at most 100 kept, as DescribeServices shows). */
export function serviceEvent(ctx: SimContext, service: ServiceRecord, message: string, now: number): void {
  service.events.unshift({ id: ctx.ids.uuid('service-event'), createdAt: now, message: `(service ${service.name}) ${message}` });
  if (service.events.length > 100) service.events.length = 100;
}

function nextAddress(ctx: SimContext, service: ServiceRecord): { ip: string; zoneIndex: number } {
  const count = ctx.world.ipCounters.get(service.ipPrefix) ?? 0;
  ctx.world.ipCounters.set(service.ipPrefix, count + 1);
  const zoneIndex = count % Math.max(1, service.availabilityZones.length);
  // One /24 per zone (x.y.<10+zone>.0), hosts from .10 upwards, wrapping within the /24.
  return { ip: `${service.ipPrefix}${10 + zoneIndex}.${10 + (Math.floor(count / Math.max(1, service.availabilityZones.length)) % 240)}`, zoneIndex };
}

export interface LaunchSpec {
  taskDefinition: TaskDefinitionRecord;
  loadBalancers: EcsLoadBalancer[];
  networkConfiguration?: NetworkConfiguration;
}

/** Start one task for an owner: its outcome is decided now, from its images. */
export function launchTask(ctx: SimContext, service: ServiceRecord, owner: TaskOwner, spec: LaunchSpec, now: number): TaskRecord {
  const containers = (spec.taskDefinition.body.containerDefinitions as { image?: string; essential?: boolean }[] | undefined) ?? [];
  const images = containers.filter((container) => container.essential !== false).map((container) => container.image ?? '');
  const pulled = pullImages(ctx.world, images);
  const id = ctx.ids.taskId();
  const { ip, zoneIndex } = nextAddress(ctx, service);
  const subnets = spec.networkConfiguration?.awsvpcConfiguration.subnets ?? [];
  const task: TaskRecord = {
    arn: arn.task(service.region, ctx.world.accountId, service.clusterName, id),
    id,
    clusterArn: service.clusterArn,
    serviceName: service.name,
    taskDefinitionArn: spec.taskDefinition.arn,
    owner,
    startedBy: owner.id,
    group: `service:${service.name}`,
    createdAt: now,
    ip,
    availabilityZone: service.availabilityZones[zoneIndex] ?? `${service.region}a`,
    subnetId: subnets[zoneIndex % Math.max(1, subnets.length)] ?? 'subnet-00000000',
    outcome: pulled.outcome,
    outcomeDetail: pulled.detail,
    targetGroupArns: spec.loadBalancers.map((lb) => lb.targetGroupArn),
    containerPort: spec.loadBalancers[0]?.containerPort,
  };
  ctx.world.tasks.push(task);
  return task;
}

export function requestStop(task: TaskRecord, now: number, code: NonNullable<TaskRecord['stopCode']>, reason: string, failed = false): void {
  if (task.stopRequestedAt !== undefined) return;
  task.stopRequestedAt = now;
  task.stopCode = code;
  task.stoppedReason = reason;
  task.failed = failed;
}

/**
 * Stop every task whose failure is due: a failed pull, a container that crashed, or a target ECS
 * gave up on. Returns them so owners can count failures (the circuit breaker does).
 */
export function failDueTasks(ctx: SimContext, now: number): TaskRecord[] {
  const failed: TaskRecord[] = [];
  for (const task of ctx.world.tasks) {
    if (!isLive(task) || task.outcome === 'healthy') continue;
    const service = ctx.world.services.find((candidate) => candidate.name === task.serviceName && candidate.clusterArn === task.clusterArn);
    const { failsAt } = timeline(ctx, task, service);
    if (failsAt === undefined || failsAt > now) continue;
    if (task.outcome === 'pull-failure') {
      requestStop(task, failsAt, 'TaskFailedToStart', task.outcomeDetail ?? 'CannotPullContainerError', true);
    } else if (task.targetGroupArns.length > 0) {
      requestStop(task, failsAt, 'ServiceSchedulerInitiated', `Task failed ELB health checks in (target-group ${task.targetGroupArns[0]})`, true);
    } else {
      requestStop(task, failsAt, 'EssentialContainerExited', 'Essential container in task exited', true);
    }
    failed.push(task);
    if (service) {
      const reason = task.outcome === 'pull-failure' ? 'failed to start' : 'failed its health checks';
      serviceEvent(ctx, service, `task ${task.id} ${reason} and was stopped: ${task.stoppedReason}`, now);
    }
  }
  return failed;
}

/**
 * Keep `desired` live tasks for an owner: launch the missing ones, stop the extras (newest
 * first). Returns the tasks launched.
 */
export function reconcileOwner(ctx: SimContext, service: ServiceRecord, owner: TaskOwner, desired: number, spec: LaunchSpec, now: number): TaskRecord[] {
  const live = tasksOf(ctx, owner).filter(isLive);
  const launched: TaskRecord[] = [];
  if (live.length < desired) {
    for (let i = live.length; i < desired; i += 1) launched.push(launchTask(ctx, service, owner, spec, now));
    serviceEvent(ctx, service, `has started ${launched.length} tasks: ${launched.map((task) => `(task ${task.id})`).join(' ')}.`, now);
  } else if (live.length > desired) {
    // Scale-in passes over protected tasks; they stop once their protection has ended.
    const extras = live
      .filter((task) => !isProtected(task, now))
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, live.length - desired);
    if (extras.length === 0) return launched;
    for (const task of extras) requestStop(task, now, 'ServiceSchedulerInitiated', `Scaling activity initiated by (deployment ${owner.id})`);
    serviceEvent(ctx, service, `has stopped ${extras.length} running tasks: ${extras.map((task) => `(task ${task.id})`).join(' ')}.`, now);
  }
  return launched;
}

/** Stop every live task of an owner (a task set being deleted, a replaced deployment). */
export function stopAll(ctx: SimContext, owner: TaskOwner, now: number, reason: string): number {
  let count = 0;
  for (const task of tasksOf(ctx, owner)) {
    if (!isLive(task)) continue;
    requestStop(task, now, 'ServiceSchedulerInitiated', reason);
    count += 1;
  }
  return count;
}

/** Forget tasks stopped longer ago than ECS keeps them listed. */
export function pruneStoppedTasks(ctx: SimContext, now: number): void {
  const keepMs = ctx.clock.ms(TIMINGS.stoppedTaskRetention);
  ctx.world.tasks = ctx.world.tasks.filter((task) => {
    const stopped = stoppedAt(ctx, task);
    return stopped === undefined || now - stopped < keepMs;
  });
}

export interface OwnerCounts {
  desired: number;
  pending: number;
  running: number;
  healthy: number;
}

export function countTasks(ctx: SimContext, service: ServiceRecord | undefined, owner: TaskOwner, desired: number, now: number): OwnerCounts {
  const live = tasksOf(ctx, owner).filter(isLive);
  let pending = 0;
  let running = 0;
  let healthy = 0;
  for (const task of live) {
    const status = taskStatus(ctx, task, now);
    if (status === 'PROVISIONING' || status === 'PENDING') pending += 1;
    if (status === 'RUNNING') running += 1;
    if (isHealthy(ctx, task, service, now)) healthy += 1;
  }
  return { desired, pending, running, healthy };
}
