/**
 * CodeDeploy's blue/green deployment of an ECS service, as a state machine over emulated time.
 *
 * Status:  Created ─▶ InProgress ─▶ [Ready ─▶ InProgress] ─▶ Succeeded
 *                            └──────────────┴──────────────▶ Failed | Stopped (+ rollback deployment)
 *
 * Lifecycle events, in ECS order:
 *   BeforeInstall    hook
 *   Install          create the replacement (Green) task set on the other target group; wait until
 *                    its tasks are healthy (fails after `replacementTimeoutMinutes`)
 *   AfterInstall     hook
 *   AllowTestTraffic test listener → replacement target group
 *   AfterAllowTestTraffic hook; then, with STOP_DEPLOYMENT, status Ready until ContinueDeployment
 *                    (READY_WAIT) or the wait runs out (→ Stopped)
 *   BeforeAllowTraffic hook
 *   AllowTraffic     production listener shifts: all at once, or canary / linear steps; at 100 %
 *                    the replacement becomes the service's PRIMARY task set
 *   AfterAllowTraffic hook
 * then the termination wait (`instanceTerminationWaitTimeStarted`), ended by its timer or by
 * ContinueDeployment (TERMINATION_WAIT); the original task set is deleted and the deployment
 * Succeeds.
 *
 * A rollback is a deployment too (creator `codeDeployRollback`): its "replacement" is the task set
 * being returned to and its "original" the one being removed, so the same machinery moves the
 * traffic back; it skips the termination wait.
 */
import { randomUUID } from 'node:crypto';
import { stringify } from 'yaml';
import type {
  AppSpec,
  DeploymentGroupRecord,
  DeploymentRecord,
  LifecycleEventRecord,
  ListenerRecord,
  ServiceRecord,
  TaskSetRecord,
} from '../model';
import type { SimContext } from './context';
import { createTaskSet, deleteTaskSet, findTaskDefinition, makePrimary, taskSetCounts } from './ecs';
import { percentOn, routeAll, shift } from './traffic';
import { TIMINGS } from './timings';

/** ECS lifecycle events, in the order CodeDeploy runs them. */
export const ECS_LIFECYCLE_EVENTS = [
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'AllowTestTraffic',
  'AfterAllowTestTraffic',
  'BeforeAllowTraffic',
  'AllowTraffic',
  'AfterAllowTraffic',
] as const;

/** Events an AppSpec may attach a Lambda function to. */
export const HOOK_EVENTS: readonly string[] = ['BeforeInstall', 'AfterInstall', 'AfterAllowTestTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic'];

const ACTIVE_STATUSES = new Set(['Created', 'Queued', 'InProgress', 'Baking', 'Ready']);

export function isActive(deployment: DeploymentRecord): boolean {
  return ACTIVE_STATUSES.has(deployment.status);
}

// ---------------------------------------------------------------- lookups

export function groupOf(ctx: SimContext, deployment: DeploymentRecord): DeploymentGroupRecord {
  const group = ctx.world.deploymentGroups.find(
    (candidate) => candidate.applicationName === deployment.applicationName && candidate.name === deployment.deploymentGroupName,
  );
  if (!group) throw new Error(`deployment ${deployment.id} has no deployment group`);
  return group;
}

export function serviceOf(ctx: SimContext, group: DeploymentGroupRecord): ServiceRecord | undefined {
  return ctx.world.services.find((service) => service.clusterName === group.clusterName && service.name === group.serviceName && service.status === 'ACTIVE');
}

export function taskSetById(service: ServiceRecord | undefined, id: string | undefined): TaskSetRecord | undefined {
  return id === undefined ? undefined : service?.taskSets.find((taskSet) => taskSet.id === id);
}

function listeners(ctx: SimContext, arns: string[]): ListenerRecord[] {
  return arns.map((listenerArn) => ctx.world.listeners.find((listener) => listener.arn === listenerArn)).filter((l): l is ListenerRecord => !!l);
}

function targetGroupArnByName(ctx: SimContext, name: string): string | undefined {
  return ctx.world.targetGroups.find((group) => group.name === name)?.arn;
}

/** Production traffic (percent) on the deployment's replacement target group. */
export function replacementTraffic(ctx: SimContext, deployment: DeploymentRecord): number {
  const group = groupOf(ctx, deployment);
  const [prod] = listeners(ctx, group.prodListenerArns);
  if (!prod || !deployment.replacementTargetGroupArn) return 0;
  return percentOn(prod, deployment.replacementTargetGroupArn);
}

// ---------------------------------------------------------------- creation

export interface NewDeployment {
  group: DeploymentGroupRecord;
  appSpec: AppSpec;
  revision: DeploymentRecord['revision'];
  deploymentConfigName: string;
  description?: string;
  autoRollback: DeploymentRecord['autoRollback'];
  creator?: DeploymentRecord['creator'];
  rollbackOf?: DeploymentRecord;
}

export function createDeployment(ctx: SimContext, spec: NewDeployment, now: number): DeploymentRecord {
  const { group } = spec;
  const previous = ctx.world.deployments.find((deployment) => deployment.id === group.lastSuccessfulDeploymentId);
  const deployment: DeploymentRecord = {
    id: ctx.ids.deploymentId(),
    applicationName: group.applicationName,
    deploymentGroupName: group.name,
    deploymentConfigName: spec.deploymentConfigName,
    description: spec.description,
    creator: spec.creator ?? 'user',
    status: 'Created',
    phase: 'created',
    phaseStartedAt: now,
    createTime: now,
    revision: spec.revision,
    previousRevision: previous?.revision,
    appSpec: spec.appSpec,
    autoRollback: spec.autoRollback,
    instanceTerminationWaitTimeStarted: false,
    lifecycleEvents: ECS_LIFECYCLE_EVENTS.map((name): LifecycleEventRecord => ({ name, status: 'Pending' })),
    currentEvent: -1,
    replacementWeight: 0,
    taskSetSnapshots: {},
    lastUpdatedAt: now,
  };
  if (spec.rollbackOf) {
    // Undo `rollbackOf`: return to its original task set, remove its replacement.
    const undone = spec.rollbackOf;
    deployment.rollbackOf = undone.id;
    deployment.originalTaskSetId = undone.replacementTaskSetId;
    deployment.replacementTaskSetId = undone.originalTaskSetId;
    deployment.originalTargetGroupArn = undone.replacementTargetGroupArn;
    deployment.replacementTargetGroupArn = undone.originalTargetGroupArn;
    deployment.taskSetSnapshots = { ...undone.taskSetSnapshots };
    deployment.rollbackInfo = { rollbackTriggeringDeploymentId: undone.id, rollbackMessage: `Rollback of deployment ${undone.id}: traffic returns to the original task set` };
  }
  ctx.world.deployments.push(deployment);
  group.lastAttemptedDeploymentId = deployment.id;
  return deployment;
}

/** An AppSpec document describing a task set, for rollback deployments' revisions. */
function appSpecFor(taskSet: TaskSetRecord | undefined, fallback: AppSpec): AppSpec {
  const lb = taskSet?.loadBalancers[0];
  return {
    taskDefinition: taskSet?.taskDefinitionArn ?? fallback.taskDefinition,
    containerName: lb?.containerName ?? fallback.containerName,
    containerPort: lb?.containerPort ?? fallback.containerPort,
    platformVersion: taskSet?.platformVersion,
    networkConfiguration: taskSet?.networkConfiguration,
    capacityProviderStrategy: taskSet?.capacityProviderStrategy,
    hooks: {},
  };
}

export function appSpecYaml(spec: AppSpec): string {
  const properties: Record<string, unknown> = {
    TaskDefinition: spec.taskDefinition,
    LoadBalancerInfo: { ContainerName: spec.containerName, ContainerPort: spec.containerPort },
  };
  if (spec.platformVersion) properties.PlatformVersion = spec.platformVersion;
  return stringify({ version: 0.0, Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: properties } }] });
}

function startRollback(ctx: SimContext, failed: DeploymentRecord, reason: string, now: number): DeploymentRecord {
  const group = groupOf(ctx, failed);
  const service = serviceOf(ctx, group);
  const appSpec = appSpecFor(taskSetById(service, failed.originalTaskSetId), failed.appSpec);
  const rollback = createDeployment(
    ctx,
    {
      group,
      appSpec,
      revision: failed.previousRevision ?? { revisionType: 'AppSpecContent', appSpecContent: { content: appSpecYaml(appSpec) } },
      deploymentConfigName: failed.deploymentConfigName,
      autoRollback: failed.autoRollback,
      creator: 'codeDeployRollback',
      rollbackOf: failed,
    },
    now,
  );
  failed.rollbackInfo = { rollbackDeploymentId: rollback.id, rollbackMessage: `${reason} Rolled back by deployment ${rollback.id}.` };
  return rollback;
}

// ---------------------------------------------------------------- ending a deployment

export interface EndOptions {
  status: 'Failed' | 'Stopped';
  code: string;
  message: string;
  /** Which auto-rollback event this end counts as, or an explicit decision. */
  rollback: 'DEPLOYMENT_FAILURE' | 'DEPLOYMENT_STOP_ON_REQUEST' | 'DEPLOYMENT_STOP_ON_ALARM' | boolean;
  /** Diagnostics for a failed hook. */
  diagnostics?: LifecycleEventRecord['diagnostics'];
}

/**
 * End a deployment that has not succeeded. With a rollback, a rollback deployment moves the
 * traffic back; without one, traffic and task sets stay as they are and are reported as such.
 */
export function endDeployment(ctx: SimContext, deployment: DeploymentRecord, options: EndOptions, now: number): DeploymentRecord | undefined {
  if (!isActive(deployment)) return undefined;
  const current = deployment.lifecycleEvents[deployment.currentEvent];
  if (current && current.status === 'InProgress') {
    current.status = 'Failed';
    current.endTime = now;
    if (options.diagnostics) current.diagnostics = options.diagnostics;
  }
  for (const event of deployment.lifecycleEvents) if (event.status === 'Pending') event.status = 'Skipped';
  deployment.status = options.status;
  deployment.phase = 'done';
  deployment.completeTime = now;
  deployment.lastUpdatedAt = now;
  deployment.errorInformation = { code: options.code, message: options.message };
  snapshotTaskSets(ctx, deployment, now);

  const rollback =
    typeof options.rollback === 'boolean'
      ? options.rollback
      : deployment.autoRollback.enabled && deployment.autoRollback.events.includes(options.rollback);
  if (rollback && !deployment.rollbackOf) return startRollback(ctx, deployment, options.message, now);
  return undefined;
}

/** Traffic never moved (ready wait ran out): remove the replacement, point the test listener back. */
function discardReplacement(ctx: SimContext, deployment: DeploymentRecord, now: number): void {
  const group = groupOf(ctx, deployment);
  const service = serviceOf(ctx, group);
  const replacement = taskSetById(service, deployment.replacementTaskSetId);
  if (service && replacement) deleteTaskSet(ctx, service, replacement, now);
  if (deployment.originalTargetGroupArn) {
    for (const listener of listeners(ctx, group.testListenerArns)) routeAll(listener, deployment.originalTargetGroupArn, deployment.replacementTargetGroupArn);
  }
}

function succeed(ctx: SimContext, deployment: DeploymentRecord, now: number): void {
  const group = groupOf(ctx, deployment);
  const service = serviceOf(ctx, group);
  snapshotTaskSets(ctx, deployment, now);
  const original = taskSetById(service, deployment.originalTaskSetId);
  if (service && original) deleteTaskSet(ctx, service, original, now);
  deployment.status = 'Succeeded';
  deployment.phase = 'done';
  deployment.completeTime = now;
  deployment.lastUpdatedAt = now;
  group.lastSuccessfulDeploymentId = deployment.id;
}

// ---------------------------------------------------------------- lifecycle events

function startEvent(ctx: SimContext, deployment: DeploymentRecord, index: number, now: number): void {
  deployment.currentEvent = index;
  const event = deployment.lifecycleEvents[index];
  event.status = 'InProgress';
  event.startTime = now;
  deployment.phaseStartedAt = now;
  deployment.lastUpdatedAt = now;
  enterEvent(ctx, deployment, event.name, now);
}

function completeEvent(ctx: SimContext, deployment: DeploymentRecord, now: number): void {
  const event = deployment.lifecycleEvents[deployment.currentEvent];
  event.status = 'Succeeded';
  event.endTime = now;
  deployment.lastUpdatedAt = now;
  const group = groupOf(ctx, deployment);
  const next = deployment.currentEvent + 1;

  if (event.name === 'AfterAllowTestTraffic' && !deployment.rollbackOf && group.readyAction === 'STOP_DEPLOYMENT') {
    deployment.phase = 'ready-wait';
    deployment.status = 'Ready';
    deployment.phaseStartedAt = now;
    return;
  }
  if (next < deployment.lifecycleEvents.length) {
    startEvent(ctx, deployment, next, now);
    return;
  }
  if (deployment.rollbackOf) {
    succeed(ctx, deployment, now);
    return;
  }
  deployment.phase = 'termination-wait';
  deployment.instanceTerminationWaitTimeStarted = true;
  deployment.phaseStartedAt = now;
}

/** What happens when an event starts (may end the deployment). */
function enterEvent(ctx: SimContext, deployment: DeploymentRecord, name: string, now: number): void {
  const group = groupOf(ctx, deployment);
  if (name === 'Install' && !deployment.rollbackOf) install(ctx, deployment, group, now);
  if (name === 'AllowTestTraffic' && deployment.replacementTargetGroupArn) {
    for (const listener of listeners(ctx, group.testListenerArns)) {
      // A rollback leaves a listener alone that never left the task set it returns to.
      if (deployment.rollbackOf) routeAll(listener, deployment.replacementTargetGroupArn, deployment.originalTargetGroupArn);
      else shift(listener, deployment.replacementTargetGroupArn, deployment.originalTargetGroupArn, 100);
    }
  }
  if (name === 'AllowTraffic') shiftTraffic(ctx, deployment, group, now);
}

/** Install: validate what the AppSpec names the way ECS would, then create the replacement task set. */
function install(ctx: SimContext, deployment: DeploymentRecord, group: DeploymentGroupRecord, now: number): void {
  const service = serviceOf(ctx, group);
  const ecsError = (message: string) =>
    endDeployment(ctx, deployment, { status: 'Failed', code: 'ECS_UPDATE_ERROR', message: `The ECS service cannot be updated due to an unexpected error: ${message}`, rollback: 'DEPLOYMENT_FAILURE' }, now);
  if (!service) return void ecsError(`Service ${group.serviceName} not found in cluster ${group.clusterName}.`);

  // Which task set and target group serve now, known before anything can fail, so a rollback
  // knows where traffic belongs.
  const original = service.taskSets.find((taskSet) => taskSet.status === 'PRIMARY' && taskSet.deletedAt === undefined);
  const [blueArn, greenArn] = group.targetGroupNames.map((name) => targetGroupArnByName(ctx, name));
  if (!blueArn || !greenArn) return void ecsError('The target groups of the deployment group were not found. (InvalidParameterException)');
  const originalGroup = original?.loadBalancers[0]?.targetGroupArn ?? blueArn;
  const replacementGroup = originalGroup === blueArn ? greenArn : blueArn;
  deployment.originalTaskSetId = original?.id;
  deployment.originalTargetGroupArn = originalGroup;

  const spec = deployment.appSpec;
  const definition = ctx.world.taskDefinitions.find((candidate) => candidate.arn === spec.taskDefinition);
  if (!definition) return void ecsError(`Unable to describe task definition ${spec.taskDefinition}. (ClientException)`);
  if (definition.status !== 'ACTIVE') return void ecsError(`TaskDefinition ${spec.taskDefinition} is inactive. (ClientException)`);
  const current = findTaskDefinition(ctx, service.taskDefinitionArn);
  if (current && current.family !== definition.family) {
    return void ecsError(`Task definition family ${definition.family} is not the service's family ${current.family}. (InvalidParameterException)`);
  }
  const containers = (definition.body.containerDefinitions as { name?: string; portMappings?: { containerPort?: number }[] }[] | undefined) ?? [];
  const container = containers.find((candidate) => candidate.name === spec.containerName);
  if (!container) return void ecsError(`The container ${spec.containerName} does not exist in the task definition. (InvalidParameterException)`);
  if (!(container.portMappings ?? []).some((mapping) => mapping.containerPort === spec.containerPort)) {
    return void ecsError(`The container ${spec.containerName} did not have a container port ${spec.containerPort} defined. (InvalidParameterException)`);
  }

  // A task set left over by an earlier deployment that was stopped without rollback.
  for (const stale of service.taskSets.filter((taskSet) => taskSet !== original && taskSet.deletedAt === undefined)) {
    deleteTaskSet(ctx, service, stale, now);
  }
  const replacement = createTaskSet(
    ctx,
    service,
    {
      taskDefinitionArn: definition.arn,
      loadBalancers: [{ targetGroupArn: replacementGroup, containerName: spec.containerName, containerPort: spec.containerPort }],
      networkConfiguration: spec.networkConfiguration ?? service.networkConfiguration,
      platformVersion: spec.platformVersion ?? service.platformVersion,
      capacityProviderStrategy: spec.capacityProviderStrategy ?? (service.launchType ? undefined : service.capacityProviderStrategy),
      launchType: spec.capacityProviderStrategy ? undefined : service.launchType,
      startedBy: 'CodeDeploy',
      externalId: deployment.id,
    },
    'ACTIVE',
    now,
  );
  deployment.replacementTaskSetId = replacement.id;
  deployment.replacementTargetGroupArn = replacementGroup;
}

/** The traffic steps of a deployment config: [percent, emulated seconds after AllowTraffic starts]. */
export function trafficSteps(ctx: SimContext, deployment: DeploymentRecord): [number, number][] {
  if (deployment.rollbackOf) return [[100, 0]];
  const config = ctx.world.deploymentConfigs.get(deployment.deploymentConfigName);
  const routing = config?.routing ?? { type: 'AllAtOnce' as const };
  if (routing.type === 'AllAtOnce') return [[100, 0]];
  const interval = routing.intervalMinutes * 60;
  if (routing.type === 'TimeBasedCanary') return [[routing.percentage, 0], [100, interval]];
  const steps: [number, number][] = [];
  for (let percent = routing.percentage, index = 0; percent < 100; percent += routing.percentage, index += 1) {
    steps.push([percent, index * interval]);
  }
  steps.push([100, steps.length * interval]);
  return steps;
}

/** Apply the traffic step due at `now` (called on entering AllowTraffic and on every step). */
function shiftTraffic(ctx: SimContext, deployment: DeploymentRecord, group: DeploymentGroupRecord, now: number): void {
  const to = deployment.replacementTargetGroupArn;
  if (!to) return;
  const elapsed = ctx.clock.seconds(deployment.phaseStartedAt, now);
  let percent = 0;
  for (const [stepPercent, at] of trafficSteps(ctx, deployment)) if (elapsed >= at - 1e-9) percent = stepPercent;
  if (percent === deployment.replacementWeight && deployment.lastShiftAt !== undefined) return;
  deployment.replacementWeight = percent;
  deployment.lastShiftAt = now;
  for (const listener of listeners(ctx, group.prodListenerArns)) {
    if (deployment.rollbackOf) routeAll(listener, to, deployment.originalTargetGroupArn);
    else shift(listener, to, deployment.originalTargetGroupArn, percent);
  }
  if (percent === 100) {
    const service = serviceOf(ctx, group);
    const replacement = taskSetById(service, deployment.replacementTaskSetId);
    if (service && replacement) makePrimary(service, replacement, now);
  }
}

function hookDuration(deployment: DeploymentRecord, name: string): number {
  if (deployment.rollbackOf) return TIMINGS.rollbackEvent;
  return deployment.appSpec.hooks[name] ? TIMINGS.hookWithFunction : TIMINGS.hookWithoutFunction;
}

/** A hook failure rule matching this deployment's event, consumed if found. */
function takeHookFailure(ctx: SimContext, deployment: DeploymentRecord, name: string): boolean {
  const rule = ctx.world.hookFailures.find(
    (candidate) =>
      candidate.remaining > 0 &&
      candidate.lifecycleEvent === name &&
      (candidate.deploymentGroupName === undefined || candidate.deploymentGroupName === deployment.deploymentGroupName),
  );
  if (!rule) return false;
  rule.remaining -= 1;
  ctx.world.hookFailures = ctx.world.hookFailures.filter((candidate) => candidate.remaining > 0);
  return true;
}

/** CodeDeploy waits this long for a hook function to report its status (AppSpec 'hooks' section: one hour). */
export const HOOK_FUNCTION_TIMEOUT_SECONDS = 3600;

/**
 * The hook function of an event, invoked once when the event is first advanced (with a fresh
 * execution id, as CodeDeploy invokes it); undefined when the AppSpec names none or the emulator
 * cannot run it.
 */
function hookExecution(ctx: SimContext, deployment: DeploymentRecord, event: LifecycleEventRecord): LifecycleEventRecord['hookExecution'] {
  if (event.hookExecution) return event.hookExecution;
  const functionName = deployment.appSpec.hooks[event.name];
  if (deployment.rollbackOf || !functionName || !ctx.hookInvoker) return undefined;
  const execution = { id: randomUUID(), functionName, status: 'InProgress' as const };
  event.hookExecution = execution;
  const invoked = ctx.hookInvoker({ functionName, deploymentId: deployment.id, lifecycleEventHookExecutionId: execution.id, lifecycleEvent: event.name });
  if (!invoked) event.hookExecution = undefined;
  return event.hookExecution;
}

/** An event whose hook function runs: it ends when the function reports (PutLifecycleEventHookExecutionStatus) or CodeDeploy stops waiting. */
function advanceHookFunction(ctx: SimContext, deployment: DeploymentRecord, execution: NonNullable<LifecycleEventRecord['hookExecution']>, elapsed: number, now: number): boolean {
  const event = deployment.lifecycleEvents[deployment.currentEvent];
  if (execution.status === 'Succeeded') {
    completeEvent(ctx, deployment, now);
    return true;
  }
  if (execution.status === 'InProgress' && elapsed < HOOK_FUNCTION_TIMEOUT_SECONDS) return false;
  const reported = execution.status === 'Failed';
  endDeployment(ctx, deployment, {
    status: 'Failed',
    code: 'HOOK_EXECUTION_FAILURE',
    message: reported
      ? `The deployment failed because the ${event.name} lifecycle event hook ${execution.functionName} reported Failed.`
      : `The deployment failed because the ${event.name} lifecycle event hook ${execution.functionName} did not report a status within ${HOOK_FUNCTION_TIMEOUT_SECONDS / 60} minutes.`,
    rollback: 'DEPLOYMENT_FAILURE',
    diagnostics: { errorCode: reported ? 'ScriptFailed' : 'ScriptTimedOut', scriptName: execution.functionName, message: `The ${event.name} hook reported ${reported ? 'Failed' : 'nothing'}`, logTail: '' },
  }, now);
  return true;
}

/** Advance the event under way; true when something changed. */
function advanceEvent(ctx: SimContext, deployment: DeploymentRecord, now: number): boolean {
  const event = deployment.lifecycleEvents[deployment.currentEvent];
  const elapsed = ctx.clock.seconds(deployment.phaseStartedAt, now);
  const group = groupOf(ctx, deployment);

  const execution = HOOK_EVENTS.includes(event.name) ? hookExecution(ctx, deployment, event) : undefined;
  if (execution) return advanceHookFunction(ctx, deployment, execution, elapsed, now);
  if (HOOK_EVENTS.includes(event.name)) {
    if (elapsed < hookDuration(deployment, event.name)) return false;
    if (!deployment.rollbackOf && takeHookFailure(ctx, deployment, event.name)) {
      const functionName = deployment.appSpec.hooks[event.name] ?? `(emulated hook for ${event.name})`;
      endDeployment(ctx, deployment, {
        status: 'Failed',
        code: 'HOOK_EXECUTION_FAILURE',
        message: `The deployment failed because the ${event.name} lifecycle hook ${functionName} reported Failed.`,
        rollback: 'DEPLOYMENT_FAILURE',
        diagnostics: { errorCode: 'ScriptFailed', scriptName: functionName, message: 'The lifecycle hook returned Failed', logTail: '' },
      }, now);
      return true;
    }
    completeEvent(ctx, deployment, now);
    return true;
  }

  switch (event.name) {
    case 'Install': {
      if (deployment.rollbackOf) {
        if (elapsed < TIMINGS.rollbackEvent) return false;
        // The task set being returned to is scaled back up if anything scaled it down.
        completeEvent(ctx, deployment, now);
        return true;
      }
      const service = serviceOf(ctx, group);
      const replacement = taskSetById(service, deployment.replacementTaskSetId);
      if (service && replacement) {
        const counts = taskSetCounts(ctx, service, replacement, now);
        if (counts.healthy >= counts.desired && counts.pending === 0 && elapsed >= 1) {
          completeEvent(ctx, deployment, now);
          return true;
        }
      }
      if (elapsed >= ctx.options.replacementTimeoutMinutes * 60) {
        endDeployment(ctx, deployment, {
          status: 'Failed',
          code: 'ECS_UPDATE_ERROR',
          message: `The deployment timed out while waiting for the replacement task set to become healthy. This time out period is ${ctx.options.replacementTimeoutMinutes} minutes.`,
          rollback: 'DEPLOYMENT_FAILURE',
        }, now);
        return true;
      }
      return false;
    }
    case 'AllowTestTraffic':
      if (elapsed < (deployment.rollbackOf ? TIMINGS.rollbackEvent : TIMINGS.reroute)) return false;
      completeEvent(ctx, deployment, now);
      return true;
    case 'AllowTraffic': {
      if (!deployment.replacementTargetGroupArn) {
        // Nothing was ever routed (a rollback of a deployment that failed before Install).
        if (elapsed < TIMINGS.rollbackEvent) return false;
        completeEvent(ctx, deployment, now);
        return true;
      }
      const before = deployment.replacementWeight;
      shiftTraffic(ctx, deployment, group, now);
      if (deployment.replacementWeight === 100 && deployment.lastShiftAt !== undefined) {
        const settled = ctx.clock.seconds(deployment.lastShiftAt, now) >= (deployment.rollbackOf ? TIMINGS.rollbackEvent : TIMINGS.reroute);
        if (settled) {
          completeEvent(ctx, deployment, now);
          return true;
        }
      }
      return deployment.replacementWeight !== before;
    }
    default:
      return false;
  }
}

// ---------------------------------------------------------------- stepping

/** Keep the last known counts of the deployment's task sets, reported after they are gone. */
export function snapshotTaskSets(ctx: SimContext, deployment: DeploymentRecord, now: number): void {
  const service = serviceOf(ctx, groupOf(ctx, deployment));
  for (const id of [deployment.originalTaskSetId, deployment.replacementTaskSetId]) {
    const taskSet = taskSetById(service, id);
    if (!service || !taskSet || id === undefined) continue;
    const counts = taskSetCounts(ctx, service, taskSet, now);
    deployment.taskSetSnapshots[id] = { desired: counts.desired, pending: counts.pending, running: counts.running, status: taskSet.status };
  }
}

function advanceOnce(ctx: SimContext, deployment: DeploymentRecord, now: number): boolean {
  const group = groupOf(ctx, deployment);
  switch (deployment.phase) {
    case 'created':
      if (ctx.clock.seconds(deployment.createTime, now) < TIMINGS.deploymentStart) return false;
      deployment.status = 'InProgress';
      deployment.startTime = now;
      deployment.phase = 'lifecycle';
      startEvent(ctx, deployment, 0, now);
      return true;
    case 'lifecycle':
      return advanceEvent(ctx, deployment, now);
    case 'ready-wait':
      if (ctx.clock.seconds(deployment.phaseStartedAt, now) < group.readyWaitMinutes * 60) return false;
      // Nobody continued in time: the deployment stops; production traffic never moved.
      endDeployment(ctx, deployment, {
        status: 'Stopped',
        code: 'TIMEOUT',
        message: `Traffic rerouting was not started within the ${group.readyWaitMinutes} minute wait time; the deployment was stopped.`,
        rollback: false,
      }, now);
      discardReplacement(ctx, deployment, now);
      return true;
    case 'termination-wait':
      if (ctx.clock.seconds(deployment.phaseStartedAt, now) < group.terminationWaitMinutes * 60) return false;
      succeed(ctx, deployment, now);
      return true;
    case 'done':
      return false;
  }
}

/** One simulation step for every deployment under way. */
export function stepDeployments(ctx: SimContext, now: number): void {
  for (const deployment of [...ctx.world.deployments]) {
    if (!isActive(deployment)) continue;
    // Zero-length transitions (a hook finishing as the next event starts) happen in one step.
    for (let guard = 0; guard < 32 && advanceOnce(ctx, deployment, now); guard += 1);
    if (isActive(deployment)) snapshotTaskSets(ctx, deployment, now);
  }
}

// ---------------------------------------------------------------- API actions

/** PutLifecycleEventHookExecutionStatus: a hook function's result, for the event it was invoked for. */
export function reportHookStatus(deployment: DeploymentRecord, executionId: string, status: 'Succeeded' | 'Failed'): { known: boolean; completed: boolean } {
  const event = deployment.lifecycleEvents.find((candidate) => candidate.hookExecution?.id === executionId);
  if (!event?.hookExecution) return { known: false, completed: false };
  if (event.hookExecution.status !== 'InProgress' || event.status !== 'InProgress' || !isActive(deployment)) return { known: true, completed: true };
  event.hookExecution.status = status;
  return { known: true, completed: false };
}

/** ContinueDeployment READY_WAIT: start shifting traffic. */
export function continueFromReady(ctx: SimContext, deployment: DeploymentRecord, now: number): void {
  deployment.status = 'InProgress';
  deployment.phase = 'lifecycle';
  startEvent(ctx, deployment, ECS_LIFECYCLE_EVENTS.indexOf('BeforeAllowTraffic'), now);
}

/** ContinueDeployment TERMINATION_WAIT: end the wait and remove the original task set now. */
export function endTerminationWait(ctx: SimContext, deployment: DeploymentRecord, now: number): void {
  succeed(ctx, deployment, now);
}
