/**
 * A readable snapshot of the emulated account, for assertions and for people: where each
 * listener sends traffic, what each service runs, how each deployment went.
 */
import type { CallRecord } from './calls';
import type { FaultRule } from './faults';
import type { HookFailureRule } from './model';
import { groupOf, replacementTraffic } from './simulation/codedeploy';
import type { Simulation } from './simulation/engine';
import { deploymentCounts, taskSetCounts } from './simulation/ecs';
import { oneOffStatus, oneOffTimeline } from './simulation/one-off-tasks';
import { targetHealth } from './simulation/tasks';

export interface StateDump {
  now: string;
  timeScale: number;
  accountId: string;
  services: {
    cluster: string;
    name: string;
    arn: string;
    controller: 'ECS' | 'CODE_DEPLOY';
    taskDefinition: string;
    desiredCount: number;
    targetGroups: string[];
    tags: Record<string, string>;
    taskSets: { id: string; status: string; taskDefinition: string; targetGroup?: string; desired: number; running: number; pending: number; healthy: number; stability: string }[];
    deployments: { id: string; status: string; rolloutState: string; rolloutStateReason: string; taskDefinition: string; desired: number; running: number; failedTasks: number }[];
    events: string[];
  }[];
  listeners: {
    arn: string;
    loadBalancer: string;
    port: number;
    protocol: string;
    forward?: { targetGroup: string; targetGroupArn: string; weight: number }[];
    redirect?: string;
  }[];
  targetGroups: { name: string; arn: string; targets: { ip: string; state: string; task: string }[] }[];
  deployments: {
    id: string;
    application: string;
    deploymentGroup: string;
    status: string;
    creator: string;
    taskDefinition: string;
    deploymentConfig: string;
    lifecycleEvents: { name: string; status: string }[];
    instanceTerminationWaitTimeStarted: boolean;
    replacementTraffic: number;
    errorInformation?: { code: string; message: string };
    rollbackInfo?: Record<string, string | undefined>;
  }[];
  taskDefinitions: { arn: string; status: string; images: string[]; tags: Record<string, string> }[];
  repositories: { name: string; uri: string; images: { digest: string; tags: string[]; bad: boolean }[] }[];
  badImageReferences: string[];
  scalableTargets: { resourceId: string; minCapacity: number; maxCapacity: number; suspended: Record<string, boolean>; tags: Record<string, string> }[];
  /** Tasks started by RunTask: status, exit code once STOPPED, and what stopped them. */
  oneOffTasks: { id: string; taskDefinition: string; command: string[]; status: string; exitCode?: number; stopCode?: string; stoppedReason?: string }[];
  faults: FaultRule[];
  hookFailures: HookFailureRule[];
  calls: CallRecord[];
}

export function dumpState(sim: Simulation, extra: { faults: FaultRule[]; calls: CallRecord[] }): StateDump {
  const { world } = sim;
  const now = sim.clock.now();
  const groupName = (groupArn: string) => world.targetGroups.find((group) => group.arn === groupArn)?.name ?? groupArn;
  return {
    now: new Date(now).toISOString(),
    timeScale: sim.clock.timeScale,
    accountId: world.accountId,
    services: world.services.map((service) => ({
      cluster: service.clusterName,
      name: service.name,
      arn: service.arn,
      controller: service.controller,
      taskDefinition: service.taskDefinitionArn,
      desiredCount: service.desiredCount,
      targetGroups: service.loadBalancers.map((lb) => groupName(lb.targetGroupArn)),
      tags: Object.fromEntries(service.tags.map((tag) => [tag.key, tag.value])),
      taskSets: service.taskSets.map((taskSet) => {
        const counts = taskSetCounts(sim, service, taskSet, now);
        return {
          id: taskSet.id,
          status: taskSet.status,
          taskDefinition: taskSet.taskDefinitionArn,
          targetGroup: taskSet.loadBalancers[0] ? groupName(taskSet.loadBalancers[0].targetGroupArn) : undefined,
          desired: counts.desired,
          running: counts.running,
          pending: counts.pending,
          healthy: counts.healthy,
          stability: taskSet.stabilityStatus,
        };
      }),
      deployments: service.deployments.map((deployment) => {
        const counts = deploymentCounts(sim, service, deployment, now);
        return {
          id: deployment.id,
          status: deployment.status,
          rolloutState: deployment.rolloutState,
          rolloutStateReason: deployment.rolloutStateReason,
          taskDefinition: deployment.taskDefinitionArn,
          desired: deployment.desiredCount,
          running: counts.running,
          failedTasks: deployment.failedTasks,
        };
      }),
      events: service.events.slice(0, 20).map((event) => `${new Date(event.createdAt).toISOString()} ${event.message}`),
    })),
    listeners: world.listeners.map((listener) => ({
      arn: listener.arn,
      loadBalancer: world.loadBalancers.find((lb) => lb.arn === listener.loadBalancerArn)?.name ?? listener.loadBalancerArn,
      port: listener.port,
      protocol: listener.protocol,
      forward:
        listener.defaultAction.type === 'forward'
          ? listener.defaultAction.targets.map((target) => ({ targetGroup: groupName(target.targetGroupArn), targetGroupArn: target.targetGroupArn, weight: target.weight }))
          : undefined,
      redirect: listener.defaultAction.type === 'redirect' ? `${listener.defaultAction.protocol}:${listener.defaultAction.port}` : undefined,
    })),
    targetGroups: world.targetGroups.map((group) => ({
      name: group.name,
      arn: group.arn,
      targets: world.tasks
        .filter((task) => task.targetGroupArns.includes(group.arn))
        .map((task) => {
          const service = world.services.find((candidate) => candidate.name === task.serviceName && candidate.clusterArn === task.clusterArn);
          return { task, health: targetHealth(sim, task, service, now) };
        })
        .filter(({ health }) => health !== undefined)
        .map(({ task, health }) => ({ ip: task.ip, state: health?.State ?? 'unused', task: task.id })),
    })),
    deployments: world.deployments.map((deployment) => ({
      id: deployment.id,
      application: deployment.applicationName,
      deploymentGroup: deployment.deploymentGroupName,
      status: deployment.status,
      creator: deployment.creator,
      taskDefinition: deployment.appSpec.taskDefinition,
      deploymentConfig: deployment.deploymentConfigName,
      lifecycleEvents: deployment.lifecycleEvents.map((event) => ({ name: event.name, status: event.status })),
      instanceTerminationWaitTimeStarted: deployment.instanceTerminationWaitTimeStarted,
      replacementTraffic: groupOf(sim, deployment) ? replacementTraffic(sim, deployment) : 0,
      errorInformation: deployment.errorInformation,
      rollbackInfo: deployment.rollbackInfo,
    })),
    taskDefinitions: world.taskDefinitions.map((definition) => ({
      arn: definition.arn,
      status: definition.status,
      images: ((definition.body.containerDefinitions as { image?: string }[] | undefined) ?? []).map((container) => container.image ?? ''),
      tags: Object.fromEntries(definition.tags.map((tag) => [tag.key, tag.value])),
    })),
    repositories: world.repositories.map((repository) => ({
      name: repository.name,
      uri: repository.uri,
      images: repository.images.map((image) => ({ digest: image.digest, tags: [...image.tags], bad: image.bad })),
    })),
    badImageReferences: [...world.badImageRefs],
    scalableTargets: world.scalableTargets.map((target) => ({
      resourceId: target.resourceId,
      minCapacity: target.minCapacity,
      maxCapacity: target.maxCapacity,
      suspended: { ...target.suspended },
      tags: { ...target.tags },
    })),
    oneOffTasks: world.oneOffTasks.map((task) => {
      const status = oneOffStatus(sim, task, now);
      const timeline = oneOffTimeline(sim, task);
      const stopped = status === 'STOPPED' || task.stopRequestedAt !== undefined;
      return {
        id: task.id,
        taskDefinition: task.taskDefinitionArn,
        command: [...task.command],
        status,
        ...(status === 'STOPPED' && timeline.exitCode !== undefined ? { exitCode: timeline.exitCode } : {}),
        ...(stopped ? { stopCode: timeline.stopCode, stoppedReason: timeline.stoppedReason } : {}),
      };
    }),
    faults: extra.faults,
    hookFailures: world.hookFailures.map((rule) => ({ ...rule })),
    calls: extra.calls,
  };
}

