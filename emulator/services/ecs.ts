/**
 * Amazon ECS (JSON 1.1, target prefix `AmazonEC2ContainerServiceV20141113`).
 *
 * Clusters, services (ECS and CODE_DEPLOY controllers), task definitions, task sets and tasks.
 * Error names and messages follow ECS: `ClusterNotFoundException` "Cluster not found.",
 * `ServiceNotFoundException` "Service not found.", `ClientException` for task definitions that
 * cannot be described, `InvalidParameterException` for requests ECS refuses.
 */
import type {
  Cluster,
  Container,
  DeregisterTaskDefinitionRequest,
  DescribeClustersRequest,
  DescribeClustersResponse,
  DescribeServicesRequest,
  DescribeServicesResponse,
  DescribeTaskDefinitionRequest,
  DescribeTaskDefinitionResponse,
  DescribeTaskSetsRequest,
  DescribeTaskSetsResponse,
  DescribeTasksRequest,
  DescribeTasksResponse,
  Deployment,
  Failure,
  ListServicesRequest,
  ListServicesResponse,
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  ListTaskDefinitionsRequest,
  ListTaskDefinitionsResponse,
  ListTasksRequest,
  ListTasksResponse,
  RegisterTaskDefinitionRequest,
  RegisterTaskDefinitionResponse,
  RunTaskRequest,
  RunTaskResponse,
  Service,
  StopTaskRequest,
  StopTaskResponse,
  Tag,
  TagResourceRequest,
  Task,
  TaskDefinition,
  TaskSet,
  UntagResourceRequest,
  UpdateServiceRequest,
  UpdateServiceResponse,
} from '@aws-sdk/client-ecs';
import { arn } from '../ids';
import type { ClusterRecord, EcsDeploymentRecord, EcsTag, ServiceRecord, TaskDefinitionRecord, TaskRecord, TaskSetRecord } from '../model';
import { AwsError, fail } from '../protocol/errors';
import type { Simulation } from '../simulation/engine';
import { deploymentCounts, startRollingDeployment, taskSetCounts, taskSetDesired } from '../simulation/ecs';
import { isLive, serviceEvent, stoppedAt, taskStatus, timeline } from '../simulation/tasks';
import { RUNNING_AFTER, TIMINGS } from '../simulation/timings';
import { date, paginate, type HandlerContext, type ServiceHandler } from './common';
import { taskProtectionOperations } from './task-protection';
import { findOneOffTask, presentOneOffTask, runTask, stopTask } from './ecs-run-task';

// ---------------------------------------------------------------- lookups

export function findCluster(sim: Simulation, reference: string | undefined): ClusterRecord {
  const name = (reference ?? 'default').split('/').pop() as string;
  const cluster = sim.world.clusters.get(name);
  if (!cluster || (reference?.startsWith('arn:') && cluster.arn !== reference)) throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
  return cluster;
}

function findServiceIn(sim: Simulation, cluster: ClusterRecord, reference: string): ServiceRecord | undefined {
  const name = reference.split('/').pop() as string;
  return sim.world.services.find(
    (service) => service.clusterName === cluster.name && service.name === name && (!reference.startsWith('arn:') || service.arn === reference),
  );
}

function requireService(sim: Simulation, cluster: ClusterRecord, reference: string | undefined): ServiceRecord {
  if (!reference) fail('InvalidParameterException', 'service can not be blank.');
  const service = findServiceIn(sim, cluster, reference);
  if (!service) throw new AwsError('ServiceNotFoundException', 'Service not found.');
  if (service.status !== 'ACTIVE') throw new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.');
  return service;
}

/** `family`, `family:revision` or a full ARN, as every ECS API accepts. */
export function resolveTaskDefinition(sim: Simulation, reference: string | undefined): TaskDefinitionRecord | undefined {
  if (!reference) return undefined;
  const tail = reference.startsWith('arn:') ? reference.split('/').slice(1).join('/') : reference;
  const [family, revision] = tail.split(':');
  const ofFamily = sim.world.taskDefinitions.filter((definition) => definition.family === family);
  if (revision !== undefined) return ofFamily.find((definition) => definition.revision === Number(revision));
  return ofFamily.filter((definition) => definition.status === 'ACTIVE').sort((a, b) => b.revision - a.revision)[0];
}

function requireTaskDefinition(sim: Simulation, reference: string | undefined): TaskDefinitionRecord {
  const definition = resolveTaskDefinition(sim, reference);
  if (!definition) throw new AwsError('ClientException', 'Unable to describe task definition.');
  return definition;
}

// ---------------------------------------------------------------- presentation

export function presentTaskDefinition(definition: TaskDefinitionRecord): TaskDefinition {
  const body = definition.body as TaskDefinition;
  return {
    ...body,
    taskDefinitionArn: definition.arn,
    family: definition.family,
    revision: definition.revision,
    status: definition.status,
    compatibilities: ['EC2', 'FARGATE'],
    requiresAttributes: [
      { name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' },
      { name: 'ecs.capability.execution-role-awslogs' },
      { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.19' },
      { name: 'ecs.capability.task-eni' },
    ],
    registeredAt: date(definition.registeredAt),
    deregisteredAt: date(definition.deregisteredAt),
    registeredBy: `arn:aws:iam::${definition.arn.split(':')[4]}:role/emulator`,
  };
}

function presentTaskSet(sim: Simulation, service: ServiceRecord, taskSet: TaskSetRecord, now: number): TaskSet {
  const counts = taskSetCounts(sim, service, taskSet, now);
  return {
    id: taskSet.id,
    taskSetArn: taskSet.arn,
    serviceArn: taskSet.serviceArn,
    clusterArn: taskSet.clusterArn,
    startedBy: taskSet.startedBy,
    externalId: taskSet.externalId,
    status: taskSet.status,
    taskDefinition: taskSet.taskDefinitionArn,
    computedDesiredCount: taskSetDesired(service, taskSet),
    pendingCount: counts.pending,
    runningCount: counts.running,
    createdAt: date(taskSet.createdAt),
    updatedAt: date(taskSet.updatedAt),
    launchType: taskSet.launchType as TaskSet['launchType'],
    capacityProviderStrategy: taskSet.capacityProviderStrategy,
    platformVersion: taskSet.platformVersion,
    platformFamily: 'Linux',
    networkConfiguration: taskSet.networkConfiguration,
    loadBalancers: taskSet.loadBalancers,
    serviceRegistries: [],
    scale: { value: taskSet.scalePercent, unit: 'PERCENT' },
    stabilityStatus: taskSet.stabilityStatus,
    stabilityStatusAt: date(taskSet.stabilityStatusAt),
    tags: [],
  };
}

function presentRollingDeployment(sim: Simulation, service: ServiceRecord, deployment: EcsDeploymentRecord, now: number): Deployment {
  const counts = deploymentCounts(sim, service, deployment, now);
  return {
    id: deployment.id,
    status: deployment.status,
    taskDefinition: deployment.taskDefinitionArn,
    desiredCount: deployment.desiredCount,
    pendingCount: counts.pending,
    runningCount: counts.running,
    failedTasks: deployment.failedTasks,
    createdAt: date(deployment.createdAt),
    updatedAt: date(deployment.updatedAt),
    launchType: deployment.launchType as Deployment['launchType'],
    capacityProviderStrategy: deployment.capacityProviderStrategy,
    platformVersion: deployment.platformVersion,
    platformFamily: 'Linux',
    networkConfiguration: deployment.networkConfiguration,
    rolloutState: deployment.rolloutState,
    rolloutStateReason: deployment.rolloutStateReason,
  };
}

/** For CODE_DEPLOY services ECS lists each task set as a deployment (no rollout state). */
function taskSetAsDeployment(presented: TaskSet): Deployment {
  return {
    id: presented.id,
    status: presented.status,
    taskDefinition: presented.taskDefinition,
    desiredCount: presented.computedDesiredCount,
    pendingCount: presented.pendingCount,
    runningCount: presented.runningCount,
    failedTasks: 0,
    createdAt: presented.createdAt,
    updatedAt: presented.updatedAt,
    launchType: presented.launchType,
    capacityProviderStrategy: presented.capacityProviderStrategy,
    platformVersion: presented.platformVersion,
    platformFamily: presented.platformFamily,
    networkConfiguration: presented.networkConfiguration,
  };
}

export function presentService(sim: Simulation, service: ServiceRecord, includeTags: boolean): Service {
  const now = sim.clock.now();
  const tasks = sim.world.tasks.filter((task) => task.serviceName === service.name && task.clusterArn === service.clusterArn && isLive(task));
  const running = tasks.filter((task) => taskStatus(sim, task, now) === 'RUNNING').length;
  const pending = tasks.filter((task) => ['PROVISIONING', 'PENDING'].includes(taskStatus(sim, task, now))).length;
  const codeDeploy = service.controller === 'CODE_DEPLOY';
  const taskSets = codeDeploy ? service.taskSets.map((taskSet) => presentTaskSet(sim, service, taskSet, now)) : undefined;
  const deployments = codeDeploy
    ? (taskSets ?? []).filter((taskSet) => taskSet.status !== 'DRAINING').map(taskSetAsDeployment)
    : service.deployments.map((deployment) => presentRollingDeployment(sim, service, deployment, now));
  return {
    serviceArn: service.arn,
    serviceName: service.name,
    clusterArn: service.clusterArn,
    loadBalancers: service.loadBalancers,
    serviceRegistries: [],
    status: service.status,
    desiredCount: service.desiredCount,
    runningCount: running,
    pendingCount: pending,
    launchType: service.launchType as Service['launchType'],
    capacityProviderStrategy: service.capacityProviderStrategy,
    platformVersion: service.platformVersion,
    platformFamily: 'Linux',
    taskDefinition: service.taskDefinitionArn,
    deploymentConfiguration: service.deploymentConfiguration as Service['deploymentConfiguration'],
    taskSets,
    deployments,
    roleArn: `arn:aws:iam::${sim.world.accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
    events: service.events.map((event) => ({ id: event.id, createdAt: date(event.createdAt), message: event.message })),
    createdAt: date(service.createdAt),
    placementConstraints: [],
    placementStrategy: [],
    networkConfiguration: service.networkConfiguration,
    healthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds,
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: service.controller },
    tags: includeTags ? service.tags : undefined,
    createdBy: service.createdBy,
    enableECSManagedTags: service.enableECSManagedTags,
    propagateTags: service.propagateTags as Service['propagateTags'],
    enableExecuteCommand: service.enableExecuteCommand,
  };
}

function presentTask(sim: Simulation, task: TaskRecord): Task {
  const now = sim.clock.now();
  const definition = sim.world.taskDefinitions.find((candidate) => candidate.arn === task.taskDefinitionArn);
  const service = sim.world.services.find((candidate) => candidate.name === task.serviceName && candidate.clusterArn === task.clusterArn);
  const status = taskStatus(sim, task, now);
  const t = timeline(sim, task, service);
  const reachedRunning = now >= t.runningAt && task.outcome !== 'pull-failure';
  const stopped = stoppedAt(sim, task);
  const containers = ((definition?.body.containerDefinitions as { name: string; image: string; healthCheck?: unknown }[] | undefined) ?? []).map(
    (container): Container => {
      let healthStatus: Container['healthStatus'] = 'UNKNOWN';
      if (container.healthCheck && reachedRunning) healthStatus = task.outcome === 'healthy' ? 'HEALTHY' : 'UNHEALTHY';
      return {
        containerArn: `${task.arn.replace(':task/', ':container/')}/${container.name}`,
        taskArn: task.arn,
        name: container.name,
        image: container.image,
        lastStatus: status === 'DEACTIVATING' ? 'RUNNING' : status,
        healthStatus,
        exitCode: status === 'STOPPED' && reachedRunning ? (task.failed ? 1 : 0) : undefined,
        networkInterfaces: [{ attachmentId: `eni-attach-${task.id.slice(0, 8)}`, privateIpv4Address: task.ip }],
      };
    },
  );
  const anyHealthCheck = containers.some((container) => container.healthStatus !== 'UNKNOWN');
  return {
    taskArn: task.arn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.taskDefinitionArn,
    lastStatus: status,
    desiredStatus: isLive(task) ? 'RUNNING' : 'STOPPED',
    healthStatus: anyHealthCheck ? (task.outcome === 'healthy' ? 'HEALTHY' : 'UNHEALTHY') : 'UNKNOWN',
    startedBy: task.startedBy,
    group: task.group,
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    platformFamily: 'Linux',
    cpu: definition?.body.cpu as string | undefined,
    memory: definition?.body.memory as string | undefined,
    availabilityZone: task.availabilityZone,
    connectivity: 'CONNECTED',
    connectivityAt: date(task.createdAt + sim.clock.ms(TIMINGS.provisioning)),
    createdAt: date(task.createdAt),
    pullStartedAt: now >= task.createdAt + sim.clock.ms(TIMINGS.provisioning) ? date(task.createdAt + sim.clock.ms(TIMINGS.provisioning)) : undefined,
    pullStoppedAt: reachedRunning ? date(t.runningAt - sim.clock.ms(1)) : undefined,
    startedAt: reachedRunning ? date(task.createdAt + sim.clock.ms(RUNNING_AFTER)) : undefined,
    stoppingAt: date(task.stopRequestedAt),
    stoppedAt: stopped !== undefined && now >= stopped ? date(stopped) : undefined,
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    executionStoppedAt: stopped !== undefined && now >= stopped ? date(stopped) : undefined,
    containers,
    attachments: [
      {
        id: `attachment-${task.id.slice(0, 8)}`,
        type: 'ElasticNetworkInterface',
        status: status === 'STOPPED' ? 'DELETED' : 'ATTACHED',
        details: [
          { name: 'subnetId', value: task.subnetId },
          { name: 'privateIPv4Address', value: task.ip },
        ],
      },
    ],
    version: 1 + (task.stopRequestedAt !== undefined ? 2 : 0) + (reachedRunning ? 1 : 0),
    tags: [],
  };
}

function presentCluster(sim: Simulation, cluster: ClusterRecord): Cluster {
  const now = sim.clock.now();
  const tasks = sim.world.tasks.filter((task) => task.clusterArn === cluster.arn && isLive(task));
  return {
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    status: 'ACTIVE',
    registeredContainerInstancesCount: 0,
    runningTasksCount: tasks.filter((task) => taskStatus(sim, task, now) === 'RUNNING').length,
    pendingTasksCount: tasks.filter((task) => ['PROVISIONING', 'PENDING'].includes(taskStatus(sim, task, now))).length,
    activeServicesCount: sim.world.services.filter((service) => service.clusterArn === cluster.arn && service.status === 'ACTIVE').length,
    statistics: [],
    tags: [],
    settings: [{ name: 'containerInsights', value: cluster.containerInsights ? 'enabled' : 'disabled' }],
    capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
    defaultCapacityProviderStrategy: [],
  };
}

// ---------------------------------------------------------------- tags

function taggable(sim: Simulation, resourceArn: string | undefined): { tags: EcsTag[] } {
  const found =
    sim.world.taskDefinitions.find((definition) => definition.arn === resourceArn) ??
    sim.world.services.find((service) => service.arn === resourceArn);
  if (!found) throw new AwsError('InvalidParameterException', 'The specified resource is not valid.');
  return found;
}

// ---------------------------------------------------------------- operations

const FAMILY = /^[a-zA-Z0-9_-]{1,255}$/;

export const ecsHandler: ServiceHandler = {
  name: 'ecs',
  operations: {
    ...taskProtectionOperations,
    DescribeClusters(input: DescribeClustersRequest, { sim }: HandlerContext): DescribeClustersResponse {
      const references = input.clusters && input.clusters.length > 0 ? input.clusters : ['default'];
      const clusters: Cluster[] = [];
      const failures: Failure[] = [];
      for (const reference of references) {
        const cluster = sim.world.clusters.get(reference.split('/').pop() as string);
        if (cluster) clusters.push(presentCluster(sim, cluster));
        else {
          const region = [...sim.world.clusters.values()][0]?.region ?? 'us-east-1';
          failures.push({ arn: reference.startsWith('arn:') ? reference : arn.cluster(region, sim.world.accountId, reference), reason: 'MISSING' });
        }
      }
      return { clusters, failures };
    },

    ListServices(input: ListServicesRequest, { sim }: HandlerContext): ListServicesResponse {
      const cluster = findCluster(sim, input.cluster);
      const arns = sim.world.services.filter((service) => service.clusterName === cluster.name && service.status === 'ACTIVE').map((service) => service.arn);
      const { page, nextToken } = paginate(arns, input.nextToken, Math.min(input.maxResults ?? 10, 100), 'InvalidParameterException');
      return { serviceArns: page, nextToken };
    },

    DescribeServices(input: DescribeServicesRequest, { sim }: HandlerContext): DescribeServicesResponse {
      const cluster = findCluster(sim, input.cluster);
      const references = input.services ?? [];
      if (references.length === 0) fail('InvalidParameterException', 'Services cannot be empty.');
      if (references.length > 10) fail('InvalidParameterException', 'Too many services provided; 10 is the maximum.');
      const includeTags = (input.include ?? []).includes('TAGS');
      const services: Service[] = [];
      const failures: Failure[] = [];
      for (const reference of references) {
        const service = findServiceIn(sim, cluster, reference);
        if (service) services.push(presentService(sim, service, includeTags));
        else {
          const name = reference.split('/').pop() as string;
          failures.push({ arn: reference.startsWith('arn:') ? reference : arn.service(cluster.region, sim.world.accountId, cluster.name, name), reason: 'MISSING' });
        }
      }
      return { services, failures };
    },

    DescribeTaskDefinition(input: DescribeTaskDefinitionRequest, { sim }: HandlerContext): DescribeTaskDefinitionResponse {
      const definition = requireTaskDefinition(sim, input.taskDefinition);
      const includeTags = (input.include ?? []).includes('TAGS');
      return { taskDefinition: presentTaskDefinition(definition), tags: includeTags ? definition.tags : undefined };
    },

    ListTaskDefinitions(input: ListTaskDefinitionsRequest, { sim }: HandlerContext): ListTaskDefinitionsResponse {
      const status = input.status ?? 'ACTIVE';
      const descending = input.sort === 'DESC';
      const maxResults = input.maxResults ?? 100;
      if (maxResults < 1 || maxResults > 100) fail('InvalidParameterException', 'maxResults must be between 1 and 100.');
      const matching = sim.world.taskDefinitions
        .filter((definition) => definition.status === status && (!input.familyPrefix || definition.family === input.familyPrefix))
        .sort((a, b) => a.family.localeCompare(b.family) || a.revision - b.revision);
      if (descending) matching.reverse();
      const { page, nextToken } = paginate(matching.map((definition) => definition.arn), input.nextToken, maxResults, 'InvalidParameterException');
      return { taskDefinitionArns: page, nextToken };
    },

    RegisterTaskDefinition(input: RegisterTaskDefinitionRequest, { sim }: HandlerContext): RegisterTaskDefinitionResponse {
      if (!input.family || !FAMILY.test(input.family)) {
        fail('ClientException', 'Family contains invalid characters; up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.');
      }
      const containers = input.containerDefinitions ?? [];
      if (containers.length === 0) fail('ClientException', 'Container list cannot be empty.');
      for (const container of containers) {
        if (!container.name) fail('ClientException', 'Container.name should not be null or empty.');
        if (!container.image) fail('ClientException', 'Container.image should not be null or empty.');
      }
      const fargate = (input.requiresCompatibilities ?? []).includes('FARGATE');
      if (fargate && (!input.cpu || !input.memory)) fail('ClientException', 'Fargate requires that \'cpu\' be defined at the task level.');
      if (fargate && input.networkMode !== 'awsvpc') fail('ClientException', 'Fargate only supports network mode \'awsvpc\'.');
      const region = sim.world.taskDefinitions.find((definition) => definition.family === input.family)?.region ?? [...sim.world.clusters.values()][0]?.region ?? 'us-east-1';
      const revision = sim.world.taskDefinitions.filter((definition) => definition.family === input.family).length + 1;
      const { tags, ...body } = input;
      const record: TaskDefinitionRecord = {
        arn: arn.taskDefinition(region, sim.world.accountId, input.family, revision),
        family: input.family,
        revision,
        status: 'ACTIVE',
        region,
        registeredAt: sim.clock.now(),
        body: body as Record<string, unknown>,
        tags: (tags ?? []).map((tag: Tag) => ({ key: tag.key ?? '', value: tag.value ?? '' })),
      };
      sim.world.taskDefinitions.push(record);
      return { taskDefinition: presentTaskDefinition(record), tags: record.tags };
    },

    DeregisterTaskDefinition(input: DeregisterTaskDefinitionRequest, { sim }: HandlerContext) {
      const reference = input.taskDefinition ?? '';
      const tail = reference.startsWith('arn:') ? reference.split('/').slice(1).join('/') : reference;
      if (!tail.includes(':')) fail('ClientException', 'Revision must be specified: use family:revision or the full ARN.');
      const definition = requireTaskDefinition(sim, reference);
      if (definition.status === 'ACTIVE') {
        definition.status = 'INACTIVE';
        definition.deregisteredAt = sim.clock.now();
      }
      return { taskDefinition: presentTaskDefinition(definition) };
    },

    UpdateService(input: UpdateServiceRequest, { sim }: HandlerContext): UpdateServiceResponse {
      const cluster = findCluster(sim, input.cluster);
      const service = requireService(sim, cluster, input.service);
      const now = sim.clock.now();
      if (input.desiredCount !== undefined && (input.desiredCount < 0 || !Number.isInteger(input.desiredCount))) {
        fail('InvalidParameterException', 'desiredCount must be a non-negative integer.');
      }

      if (service.controller === 'CODE_DEPLOY') {
        // CodeDeploy owns everything a deployment changes; ECS says so and changes nothing.
        const refuse = (what: string) =>
          fail('InvalidParameterException', `Unable to update ${what} on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.`);
        if (input.taskDefinition !== undefined) refuse('task definition');
        if (input.loadBalancers !== undefined) refuse('load balancers');
        if (input.networkConfiguration !== undefined) refuse('network configuration');
        if (input.platformVersion !== undefined) refuse('platform version');
        if (input.capacityProviderStrategy !== undefined) refuse('capacity provider strategy');
        if (input.forceNewDeployment) refuse('force new deployment');
        if (input.desiredCount !== undefined && input.desiredCount !== service.desiredCount) {
          service.desiredCount = input.desiredCount;
          serviceEvent(sim, service, `desired count changed to ${input.desiredCount}.`, now);
        }
        if (input.healthCheckGracePeriodSeconds !== undefined) service.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds;
        return { service: presentService(sim, service, false) };
      }

      let newDeployment = input.forceNewDeployment === true;
      let taskDefinitionArn = service.taskDefinitionArn;
      if (input.taskDefinition !== undefined) {
        const definition = resolveTaskDefinition(sim, input.taskDefinition);
        if (!definition) fail('ClientException', 'TaskDefinition not found.');
        if (definition.status !== 'ACTIVE') fail('ClientException', 'TaskDefinition is inactive');
        if (definition.arn !== service.taskDefinitionArn) newDeployment = true;
        taskDefinitionArn = definition.arn;
      }
      if (input.networkConfiguration !== undefined) {
        service.networkConfiguration = input.networkConfiguration as ServiceRecord['networkConfiguration'];
        newDeployment = true;
      }
      if (input.platformVersion !== undefined && input.platformVersion !== service.platformVersion) {
        service.platformVersion = input.platformVersion;
        newDeployment = true;
      }
      if (input.deploymentConfiguration !== undefined) {
        service.deploymentConfiguration = { ...service.deploymentConfiguration, ...(input.deploymentConfiguration as Record<string, unknown>) };
      }
      if (input.healthCheckGracePeriodSeconds !== undefined) service.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds;
      if (input.desiredCount !== undefined) service.desiredCount = input.desiredCount;
      if (newDeployment) {
        const deployment = startRollingDeployment(sim, service, taskDefinitionArn, now);
        serviceEvent(sim, service, `(deployment ${deployment.id}) deployment started with task definition ${taskDefinitionArn}.`, now);
      }
      return { service: presentService(sim, service, false) };
    },

    DescribeTaskSets(input: DescribeTaskSetsRequest, { sim }: HandlerContext): DescribeTaskSetsResponse {
      const cluster = findCluster(sim, input.cluster);
      const service = requireService(sim, cluster, input.service);
      if (service.controller === 'ECS') fail('InvalidParameterException', 'Amazon ECS only supports task set management on services configured to use external deployment controllers.');
      const now = sim.clock.now();
      const wanted = input.taskSets ?? [];
      const taskSets = service.taskSets.filter((taskSet) => wanted.length === 0 || wanted.includes(taskSet.id) || wanted.includes(taskSet.arn));
      const failures: Failure[] = wanted
        .filter((reference) => !service.taskSets.some((taskSet) => taskSet.id === reference || taskSet.arn === reference))
        .map((reference) => ({ arn: reference, reason: 'MISSING' }));
      return { taskSets: taskSets.map((taskSet) => presentTaskSet(sim, service, taskSet, now)), failures };
    },

    ListTasks(input: ListTasksRequest, { sim }: HandlerContext): ListTasksResponse {
      const cluster = findCluster(sim, input.cluster);
      if (input.serviceName) requireService(sim, cluster, input.serviceName);
      const serviceName = input.serviceName?.split('/').pop();
      const wantStopped = input.desiredStatus === 'STOPPED';
      const family = input.family;
      const matching = sim.world.tasks.filter(
        (task) =>
          task.clusterArn === cluster.arn &&
          (serviceName === undefined || task.serviceName === serviceName) &&
          (input.startedBy === undefined || task.startedBy === input.startedBy) &&
          (family === undefined || task.taskDefinitionArn.split('/').pop()?.split(':')[0] === family) &&
          isLive(task) !== wantStopped,
      );
      const { page, nextToken } = paginate(matching.map((task) => task.arn), input.nextToken, Math.min(input.maxResults ?? 100, 100), 'InvalidParameterException');
      return { taskArns: page, nextToken };
    },

    DescribeTasks(input: DescribeTasksRequest, { sim }: HandlerContext): DescribeTasksResponse {
      const cluster = findCluster(sim, input.cluster);
      const references = input.tasks ?? [];
      if (references.length === 0) fail('InvalidParameterException', 'Tasks cannot be empty.');
      if (references.length > 100) fail('InvalidParameterException', 'Too many tasks provided; 100 is the maximum.');
      const tasks: Task[] = [];
      const failures: Failure[] = [];
      for (const reference of references) {
        const task = sim.world.tasks.find((candidate) => candidate.clusterArn === cluster.arn && (candidate.arn === reference || candidate.id === reference));
        const oneOff = task ? undefined : findOneOffTask(sim, cluster, reference);
        if (task) tasks.push(presentTask(sim, task));
        else if (oneOff) tasks.push(presentOneOffTask(sim, oneOff));
        else failures.push({ arn: reference.startsWith('arn:') ? reference : arn.task(cluster.region, sim.world.accountId, cluster.name, reference), reason: 'MISSING' });
      }
      return { tasks, failures };
    },

    RunTask(input: RunTaskRequest, { sim }: HandlerContext): RunTaskResponse {
      const cluster = findCluster(sim, input.cluster);
      return runTask(sim, cluster, requireTaskDefinition(sim, input.taskDefinition), input);
    },

    StopTask(input: StopTaskRequest, { sim }: HandlerContext): StopTaskResponse {
      return stopTask(sim, findCluster(sim, input.cluster), input);
    },

    ListTagsForResource(input: ListTagsForResourceRequest, { sim }: HandlerContext): ListTagsForResourceResponse {
      return { tags: taggable(sim, input.resourceArn).tags };
    },

    TagResource(input: TagResourceRequest, { sim }: HandlerContext) {
      const resource = taggable(sim, input.resourceArn);
      for (const tag of input.tags ?? []) {
        resource.tags = resource.tags.filter((existing) => existing.key !== tag.key);
        resource.tags.push({ key: tag.key ?? '', value: tag.value ?? '' });
      }
      return {};
    },

    UntagResource(input: UntagResourceRequest, { sim }: HandlerContext) {
      const resource = taggable(sim, input.resourceArn);
      resource.tags = resource.tags.filter((tag) => !(input.tagKeys ?? []).includes(tag.key));
      return {};
    },
  },
};
