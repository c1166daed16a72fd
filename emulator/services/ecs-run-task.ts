/**
 * ECS RunTask and StopTask, and how DescribeTasks presents one-off tasks. Validation and messages
 * follow the ECS API reference (RunTask: awsvpc needs a network configuration, overrides must name
 * containers of the task definition; StopTask: "The referenced task was not found.").
 */
import type { Container, Failure, RunTaskRequest, RunTaskResponse, StopTaskRequest, StopTaskResponse, Task } from '@aws-sdk/client-ecs';
import { arn } from '../ids';
import type { ClusterRecord, OneOffTaskRecord } from '../model';
import { AwsError, fail } from '../protocol/errors';
import type { Simulation } from '../simulation/engine';
import { oneOffStatus, oneOffTimeline, takeScript } from '../simulation/one-off-tasks';
import { date } from './common';

interface ContainerBody {
  name: string;
  image: string;
  essential?: boolean;
  logConfiguration?: { logDriver?: string; options?: Record<string, string> };
}

export function presentOneOffTask(sim: Simulation, task: OneOffTaskRecord): Task {
  const now = sim.clock.now();
  const status = oneOffStatus(sim, task, now);
  const timeline = oneOffTimeline(sim, task);
  const stopped = status === 'STOPPED';
  const container: Container = {
    containerArn: `${task.arn.replace(':task/', ':container/')}/${task.containerName}`,
    taskArn: task.arn,
    name: task.containerName,
    lastStatus: status === 'DEACTIVATING' ? 'RUNNING' : status,
    exitCode: stopped ? timeline.exitCode : undefined,
    reason: stopped && timeline.stopCode === 'TaskFailedToStart' ? timeline.stoppedReason : undefined,
  };
  return {
    taskArn: task.arn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.taskDefinitionArn,
    lastStatus: status,
    desiredStatus: stopped || task.stopRequestedAt !== undefined ? 'STOPPED' : 'RUNNING',
    startedBy: task.startedBy,
    group: task.group,
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    createdAt: date(task.createdAt),
    startedAt: timeline.runningAt !== undefined && now >= timeline.runningAt ? date(timeline.runningAt) : undefined,
    stoppingAt: date(task.stopRequestedAt),
    stoppedAt: stopped ? date(timeline.stoppedAt) : undefined,
    stopCode: stopped || task.stopRequestedAt !== undefined ? timeline.stopCode : undefined,
    stoppedReason: stopped || task.stopRequestedAt !== undefined ? timeline.stoppedReason : undefined,
    overrides: { containerOverrides: [{ name: task.containerName, command: task.command }] },
    containers: [container],
    attachments: [{ id: `attachment-${task.id.slice(0, 8)}`, type: 'ElasticNetworkInterface', status: stopped ? 'DELETED' : 'ATTACHED', details: [{ name: 'subnetId', value: task.subnetId }] }],
  };
}

export function findOneOffTask(sim: Simulation, cluster: ClusterRecord, reference: string): OneOffTaskRecord | undefined {
  return sim.world.oneOffTasks.find((task) => task.clusterArn === cluster.arn && (task.arn === reference || task.id === reference));
}

/** RunTask, given the cluster and task definition the caller resolved (ecs.ts owns those lookups). */
export function runTask(sim: Simulation, cluster: ClusterRecord, definition: { arn: string; status: string; body: Record<string, unknown> }, input: RunTaskRequest): RunTaskResponse {
  if (definition.status !== 'ACTIVE') fail('ClientException', 'TaskDefinition is inactive');
  if ((input.count ?? 1) !== 1) fail('InvalidParameterException', 'The emulator runs one task per RunTask call.');
  if (input.launchType !== undefined && input.launchType !== 'FARGATE') fail('InvalidParameterException', 'The emulator runs Fargate tasks only.');
  const network = input.networkConfiguration?.awsvpcConfiguration;
  if (definition.body.networkMode === 'awsvpc' && !network?.subnets?.length) {
    fail('InvalidParameterException', "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  }
  const containers = (definition.body.containerDefinitions as ContainerBody[] | undefined) ?? [];
  const overrides = input.overrides?.containerOverrides ?? [];
  for (const override of overrides) {
    if (!containers.some((container) => container.name === override.name)) fail('InvalidParameterException', `Override for container named ${override.name} is not a container in the TaskDefinition.`);
  }
  const main = containers.find((container) => overrides.some((override) => override.name === container.name)) ?? containers.find((container) => container.essential !== false) ?? containers[0];
  const command = overrides.find((override) => override.name === main.name)?.command ?? [];
  const script = takeScript(sim.world.taskScripts);
  if (script.failToRun) {
    const failure: Failure = { arn: definition.arn, reason: script.failToRun };
    return { tasks: [], failures: [failure] };
  }
  const id = sim.ids.taskId();
  const region = cluster.region;
  const options = main.logConfiguration?.logDriver === 'awslogs' ? main.logConfiguration.options ?? {} : {};
  const prefix = options['awslogs-stream-prefix'];
  const badImage = sim.world.badImageRefs.has(main.image) ? `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${main.image}: not found` : undefined;
  const task: OneOffTaskRecord = {
    arn: arn.task(region, sim.world.accountId, cluster.name, id),
    id,
    clusterArn: cluster.arn,
    taskDefinitionArn: definition.arn,
    containerName: main.name,
    command,
    startedBy: input.startedBy,
    group: input.group ?? `family:${definition.arn.split('/').pop()?.split(':')[0]}`,
    createdAt: sim.clock.now(),
    subnetId: network?.subnets?.[0] ?? '',
    securityGroups: [...(network?.securityGroups ?? [])],
    exitCode: script.exitCode ?? 0,
    durationSeconds: script.durationSeconds ?? 5,
    logLines: [...(script.logLines ?? [`running: ${command.join(' ')}`])],
    failToStart: script.failToStart ?? badImage,
    logGroup: options['awslogs-group'],
    logStream: prefix ? `${prefix}/${main.name}/${id}` : undefined,
  };
  sim.world.oneOffTasks.push(task);
  return { tasks: [presentOneOffTask(sim, task)], failures: [] };
}

export function stopTask(sim: Simulation, cluster: ClusterRecord, input: StopTaskRequest): StopTaskResponse {
  if (!input.task) fail('InvalidParameterException', 'task can not be blank.');
  const task = findOneOffTask(sim, cluster, input.task);
  if (!task) throw new AwsError('InvalidParameterException', 'The referenced task was not found.');
  const now = sim.clock.now();
  if (task.stopRequestedAt === undefined && oneOffStatus(sim, task, now) !== 'STOPPED') {
    task.stopRequestedAt = now;
    task.stoppedReason = input.reason ? input.reason.slice(0, 255) : 'Task stopped by user';
  }
  return { task: presentOneOffTask(sim, task) };
}
