/**
 * What `cdktf deploy` would have created for an environment, built from the same configuration
 * and the same names (config/names.ts) the stack and the release tool use, so the release tool
 * finds everything exactly where it looks for it in AWS.
 */
import { createHash } from 'node:crypto';
import {
  deploymentConfigName,
  environmentNames,
  productionPort,
  serviceNames,
  TERRAFORM_REVISION_TAG_KEY,
  testListenerPort,
  type EnvironmentConfig,
  type ServiceConfig,
} from '../config';
import { arn, hash } from './ids';
import type {
  DeploymentConfigRecord,
  EcsTag,
  ImageRecord,
  ListenerRecord,
  RepositoryRecord,
  ServiceRecord,
  TargetGroupRecord,
  TaskDefinitionRecord,
} from './model';
import type { Simulation } from './simulation/engine';
import { createTaskSet } from './simulation/ecs';
import { launchTask } from './simulation/tasks';

export interface SeedOptions {
  /** Tags of the images each service's repository starts with. @default ['v1.0.0', 'v1.1.0', 'v1.2.0'] */
  readonly imageTags?: readonly string[];
}

export const DEFAULT_IMAGE_TAGS = ['v1.0.0', 'v1.1.0', 'v1.2.0'] as const;

/** CodeDeploy's predefined ECS configurations. */
const PREDEFINED_CONFIGS: Omit<DeploymentConfigRecord, 'id' | 'createdAt'>[] = [
  { name: 'CodeDeployDefault.ECSAllAtOnce', routing: { type: 'AllAtOnce' } },
  { name: 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes', routing: { type: 'TimeBasedLinear', percentage: 10, intervalMinutes: 1 } },
  { name: 'CodeDeployDefault.ECSLinear10PercentEvery3Minutes', routing: { type: 'TimeBasedLinear', percentage: 10, intervalMinutes: 3 } },
  { name: 'CodeDeployDefault.ECSCanary10Percent5Minutes', routing: { type: 'TimeBasedCanary', percentage: 10, intervalMinutes: 5 } },
  { name: 'CodeDeployDefault.ECSCanary10Percent15Minutes', routing: { type: 'TimeBasedCanary', percentage: 10, intervalMinutes: 15 } },
];

const DAY = 24 * 3600 * 1000;

export function seedPredefinedConfigs(sim: Simulation): void {
  for (const config of PREDEFINED_CONFIGS) {
    if (sim.world.deploymentConfigs.has(config.name)) continue;
    sim.world.deploymentConfigs.set(config.name, { ...config, id: sim.ids.uuid('deployment-config'), createdAt: Date.UTC(2019, 10, 26) });
  }
}

/** A Docker image manifest; its SHA-256 is the image digest, as in a real registry. */
function manifestFor(repository: string, tag: string): string {
  const layer = (n: number) => ({
    mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
    size: 1_000_000 + n * 137,
    digest: `sha256:${hash(`layer:${repository}:${tag}:${n}`)}`,
  });
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 7023, digest: `sha256:${hash(`config:${repository}:${tag}`)}` },
    layers: [layer(1), layer(2), layer(3)],
  });
}

/**
 * Push an image to an emulated repository. Tags are immutable (the stack sets IMMUTABLE), so a tag
 * already on another image is refused.
 */
export function pushImage(repository: RepositoryRecord, tag: string, pushedAt: number, options: { bad?: boolean } = {}): ImageRecord {
  const existing = repository.images.find((image) => image.tags.includes(tag));
  if (existing) {
    if (options.bad !== undefined) existing.bad = options.bad;
    return existing;
  }
  const manifest = manifestFor(repository.name, tag);
  const image: ImageRecord = {
    digest: `sha256:${createHash('sha256').update(manifest).digest('hex')}`,
    tags: [tag],
    pushedAt,
    sizeInBytes: 31_000_000 + (parseInt(hash(tag, 4), 16) % 5_000_000),
    manifest,
    manifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    bad: options.bad ?? false,
  };
  repository.images.push(image);
  return image;
}

function ecsTags(env: EnvironmentConfig, extra: Record<string, string> = {}): EcsTag[] {
  return Object.entries({ ...env.tags, ...extra }).map(([key, value]) => ({ key, value }));
}

interface Network {
  vpcId: string;
  publicSubnets: string[];
  privateSubnets: string[];
  taskSubnets: string[];
  assignPublicIp: 'ENABLED' | 'DISABLED';
  ipPrefix: string;
}

function networkOf(env: EnvironmentConfig): Network {
  const { network } = env;
  if (network.mode === 'existing') {
    return {
      vpcId: network.vpcId,
      publicSubnets: network.publicSubnetIds,
      privateSubnets: network.privateSubnetIds,
      taskSubnets: network.privateSubnetIds,
      assignPublicIp: 'DISABLED',
      ipPrefix: '10.0.',
    };
  }
  const prefix = `${environmentNames(env).network}`;
  const publicSubnets = env.availabilityZones.map((zone) => `subnet-${hash(`${prefix}:public:${zone}`, 17)}`);
  const privateSubnets = env.availabilityZones.map((zone) => `subnet-${hash(`${prefix}:private:${zone}`, 17)}`);
  const noNat = network.natGateways === 'none';
  return {
    vpcId: `vpc-${hash(`${prefix}:vpc`, 17)}`,
    publicSubnets,
    privateSubnets,
    // Without NAT the tasks run in the public subnets with public IPs (config/schema.ts).
    taskSubnets: noNat ? publicSubnets : privateSubnets,
    assignPublicIp: noNat ? 'ENABLED' : 'DISABLED',
    ipPrefix: `${network.cidr.split('.').slice(0, 2).join('.')}.`,
  };
}

/** The task definition Terraform registers (modules/task-definition.ts), revision 1 of the family. */
function registerBootstrapRevision(sim: Simulation, env: EnvironmentConfig, service: ServiceConfig, createdAt: number): TaskDefinitionRecord {
  const names = serviceNames(env, service);
  const account = sim.world.accountId;
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  const body = {
    family: names.taskFamily,
    taskRoleArn: arn.role(account, names.taskRole),
    executionRoleArn: arn.role(account, names.executionRole),
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: String(service.cpu),
    memory: String(service.memory),
    runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: service.cpuArchitecture },
    containerDefinitions: [
      {
        name: service.containerName,
        image: service.bootstrapImage,
        essential: true,
        portMappings: [{ containerPort: service.containerPort, hostPort: service.containerPort, protocol: 'tcp' }],
        environment: Object.entries(service.environmentVariables).map(([name, value]) => ({ name, value })).sort(byName),
        secrets: Object.entries(service.secrets).map(([name, valueFrom]) => ({ name, valueFrom })).sort(byName),
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': names.logGroup, 'awslogs-region': env.region, 'awslogs-stream-prefix': service.containerName },
        },
        stopTimeout: service.stopTimeoutSeconds,
        readonlyRootFilesystem: false,
        cpu: 0,
        mountPoints: [],
        volumesFrom: [],
      },
    ],
    volumes: [],
    placementConstraints: [],
  };
  const existing = sim.world.taskDefinitions.filter((definition) => definition.family === names.taskFamily);
  const revision = existing.length + 1;
  const record: TaskDefinitionRecord = {
    arn: arn.taskDefinition(env.region, account, names.taskFamily, revision),
    family: names.taskFamily,
    revision,
    status: 'ACTIVE',
    region: env.region,
    registeredAt: createdAt,
    body,
    tags: ecsTags(env, { ManagedBy: 'terraform' }),
  };
  sim.world.taskDefinitions.push(record);
  return record;
}

function seedLoadBalancer(sim: Simulation, env: EnvironmentConfig, service: ServiceConfig, network: Network, createdAt: number) {
  const names = serviceNames(env, service);
  const account = sim.world.accountId;
  const blueGreen = service.release.strategy === 'blue-green';
  const lbSuffix = sim.ids.elbSuffix('lb');
  const loadBalancerArn = arn.loadBalancer(env.region, account, names.loadBalancer, lbSuffix);
  sim.world.loadBalancers.push({
    arn: loadBalancerArn,
    name: names.loadBalancer,
    dnsName: `${names.loadBalancer}-${parseInt(hash(loadBalancerArn, 8), 16) % 2_000_000_000}.${env.region}.elb.amazonaws.com`,
    canonicalHostedZoneId: 'Z14GRHDCWA56QT',
    createdAt,
    vpcId: network.vpcId,
    subnets: network.publicSubnets.map((subnetId, index) => ({ subnetId, zoneName: env.availabilityZones[index] })),
    securityGroups: [`sg-${hash(names.albSecurityGroup, 17)}`],
    region: env.region,
  });

  const groupNames = blueGreen ? names.targetGroups : [names.targetGroups[0]];
  const targetGroups: TargetGroupRecord[] = groupNames.map((name) => ({
    arn: arn.targetGroup(env.region, account, name, sim.ids.elbSuffix('tg')),
    name,
    port: service.containerPort,
    vpcId: network.vpcId,
    region: env.region,
    healthCheck: { ...service.healthCheck },
    deregistrationDelaySeconds: service.deregistrationDelaySeconds,
  }));
  sim.world.targetGroups.push(...targetGroups);

  const https = service.certificateArn !== undefined;
  const tls = https ? { certificateArn: service.certificateArn, sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' } : {};
  const listener = (port: number, protocol: 'HTTP' | 'HTTPS', action: ListenerRecord['defaultAction'], withTls: boolean): ListenerRecord => {
    const record: ListenerRecord = {
      arn: arn.listener(env.region, account, names.loadBalancer, lbSuffix, sim.ids.elbSuffix('listener')),
      loadBalancerArn,
      port,
      protocol,
      defaultAction: action,
      ...(withTls ? tls : {}),
    };
    sim.world.listeners.push(record);
    return record;
  };
  const forwardToBlue = (): ListenerRecord['defaultAction'] => ({ type: 'forward', targets: [{ targetGroupArn: targetGroups[0].arn, weight: 1 }] });
  const production = listener(productionPort(service), https ? 'HTTPS' : 'HTTP', forwardToBlue(), https);
  if (https) listener(80, 'HTTP', { type: 'redirect', port: '443', protocol: 'HTTPS', statusCode: 'HTTP_301' }, false);
  const test = blueGreen ? listener(testListenerPort(service), https ? 'HTTPS' : 'HTTP', forwardToBlue(), https) : undefined;
  return { targetGroups, production, test };
}

/** Seed one environment. Seeding twice adds nothing twice (the cluster and families are reused). */
export function seedFromEnvironment(sim: Simulation, env: EnvironmentConfig, options: SeedOptions = {}): void {
  const { world } = sim;
  const account = world.accountId;
  const seededAt = sim.clock.now();
  // Terraform ran yesterday; the first tasks have been up for an hour.
  const createdAt = seededAt - DAY;
  const tasksStartedAt = seededAt - 3600 * 1000 - sim.clock.ms(3600);
  const envNames = environmentNames(env);
  const network = networkOf(env);
  seedPredefinedConfigs(sim);

  if (!world.clusters.has(envNames.cluster)) {
    world.clusters.set(envNames.cluster, {
      name: envNames.cluster,
      arn: arn.cluster(env.region, account, envNames.cluster),
      region: env.region,
      containerInsights: env.containerInsights,
      createdAt,
    });
  }
  const cluster = world.clusters.get(envNames.cluster)!;

  for (const service of env.services) {
    const names = serviceNames(env, service);
    if (world.services.some((existing) => existing.name === names.service && existing.clusterName === cluster.name)) continue;
    const blueGreen = service.release.strategy === 'blue-green';

    const repository: RepositoryRecord = {
      name: names.repository,
      arn: arn.repository(env.region, account, names.repository),
      uri: `${account}.dkr.ecr.${env.region}.amazonaws.com/${names.repository}`,
      registryId: account,
      region: env.region,
      createdAt,
      images: [],
    };
    const tags = options.imageTags ?? DEFAULT_IMAGE_TAGS;
    tags.forEach((tag, index) => pushImage(repository, tag, seededAt - (tags.length - index) * DAY));
    world.repositories.push(repository);

    const definition = registerBootstrapRevision(sim, env, service, createdAt);
    // A worker has no load balancer, listener or target group (modules/service.ts).
    const balanced = service.kind === 'web' ? seedLoadBalancer(sim, env, service, network, createdAt) : undefined;
    const loadBalancers = balanced ? [{ targetGroupArn: balanced.targetGroups[0].arn, containerName: service.containerName, containerPort: service.containerPort }] : [];
    const networkConfiguration = {
      awsvpcConfiguration: {
        subnets: network.taskSubnets,
        securityGroups: [`sg-${hash(names.taskSecurityGroup, 17)}`],
        assignPublicIp: network.assignPublicIp,
      },
    };
    const ownAlarms = service.kind === 'web' ? [names.alarms.target5xx, names.alarms.unhealthyHosts] : [];
    const alarmNames = service.alarms.enabled ? [...ownAlarms, ...service.alarms.additionalAlarmNames] : [];

    const record: ServiceRecord = {
      name: names.service,
      arn: arn.service(env.region, account, cluster.name, names.service),
      clusterName: cluster.name,
      clusterArn: cluster.arn,
      region: env.region,
      status: 'ACTIVE',
      controller: blueGreen ? 'CODE_DEPLOY' : 'ECS',
      taskDefinitionArn: definition.arn,
      desiredCount: service.desiredCount,
      loadBalancers,
      networkConfiguration,
      platformVersion: 'LATEST',
      launchType: 'FARGATE',
      deploymentConfiguration: blueGreen
        ? { maximumPercent: 200, minimumHealthyPercent: 100 }
        : {
            deploymentCircuitBreaker: { enable: true, rollback: true },
            maximumPercent: 200,
            minimumHealthyPercent: 100,
            ...(alarmNames.length > 0 ? { alarms: { alarmNames, enable: true, rollback: true } } : {}),
          },
      healthCheckGracePeriodSeconds: balanced ? 60 : 0,
      propagateTags: 'SERVICE',
      enableECSManagedTags: true,
      enableExecuteCommand: false,
      createdAt,
      createdBy: arn.role(account, 'terraform'),
      taskSets: [],
      deployments: [],
      events: [],
      // As the stack tags it (modules/fargate-service.ts): the Terraform-owned revision.
      tags: ecsTags(env, { [TERRAFORM_REVISION_TAG_KEY]: definition.arn }),
      ipPrefix: network.ipPrefix,
      availabilityZones: env.availabilityZones,
    };
    world.services.push(record);

    const spec = { taskDefinition: definition, loadBalancers, networkConfiguration };
    if (blueGreen) {
      // ECS creates the first task set itself when a CODE_DEPLOY service is created.
      const taskSet = createTaskSet(sim, record, {
        taskDefinitionArn: definition.arn,
        loadBalancers,
        networkConfiguration,
        platformVersion: 'LATEST',
        launchType: 'FARGATE',
        startedBy: 'ecs',
      }, 'PRIMARY', createdAt);
      taskSet.stabilityStatus = 'STEADY_STATE';
      for (let i = 0; i < record.desiredCount; i += 1) launchTask(sim, record, { kind: 'task-set', id: taskSet.id }, spec, tasksStartedAt);
    } else {
      const deployment = {
        id: sim.ids.ecsDeploymentId(),
        status: 'PRIMARY' as const,
        taskDefinitionArn: definition.arn,
        desiredCount: record.desiredCount,
        failedTasks: 0,
        createdAt,
        updatedAt: createdAt,
        rolloutState: 'COMPLETED' as const,
        rolloutStateReason: 'ECS deployment completed.',
        launchType: 'FARGATE',
        platformVersion: 'LATEST',
        networkConfiguration,
      };
      deployment.rolloutStateReason = `ECS deployment ${deployment.id} completed.`;
      record.deployments.push(deployment);
      for (let i = 0; i < record.desiredCount; i += 1) launchTask(sim, record, { kind: 'ecs-deployment', id: deployment.id }, spec, tasksStartedAt);
    }
    record.events.unshift({ id: sim.ids.uuid('service-event'), createdAt: seededAt, message: `(service ${record.name}) has reached a steady state.` });

    if (blueGreen && balanced) {
      const { production, test } = balanced;
      const configName = deploymentConfigName(env, service);
      const custom = service.release.deploymentConfig;
      if (typeof custom !== 'string' && !world.deploymentConfigs.has(configName)) {
        world.deploymentConfigs.set(configName, {
          id: sim.ids.uuid('deployment-config'),
          name: configName,
          createdAt,
          routing:
            custom.type === 'canary'
              ? { type: 'TimeBasedCanary', percentage: custom.percentage, intervalMinutes: custom.intervalMinutes }
              : { type: 'TimeBasedLinear', percentage: custom.percentage, intervalMinutes: custom.intervalMinutes },
        });
      }
      if (!world.applications.has(names.codeDeployApplication)) {
        world.applications.set(names.codeDeployApplication, {
          id: sim.ids.uuid('application'),
          name: names.codeDeployApplication,
          computePlatform: 'ECS',
          createdAt,
        });
      }
      const approval = service.release.approvalWaitMinutes;
      world.deploymentGroups.push({
        id: sim.ids.uuid('deployment-group'),
        applicationName: names.codeDeployApplication,
        name: names.deploymentGroup,
        serviceRoleArn: arn.role(account, envNames.codeDeployRole),
        deploymentConfigName: configName,
        clusterName: cluster.name,
        serviceName: record.name,
        targetGroupNames: [names.targetGroups[0], names.targetGroups[1]],
        prodListenerArns: [production.arn],
        testListenerArns: test ? [test.arn] : [],
        readyAction: approval === undefined ? 'CONTINUE_DEPLOYMENT' : 'STOP_DEPLOYMENT',
        readyWaitMinutes: approval ?? 0,
        terminationWaitMinutes: service.release.terminationWaitMinutes,
        // As modules/blue-green-deployment.ts configures it.
        autoRollback: {
          enabled: true,
          events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', ...(alarmNames.length > 0 ? ['DEPLOYMENT_STOP_ON_ALARM'] : [])],
        },
        alarms: { enabled: alarmNames.length > 0, names: alarmNames },
      });
    }

    if (service.autoScaling) {
      world.scalableTargets.push({
        serviceNamespace: 'ecs',
        resourceId: names.scalableResourceId,
        scalableDimension: 'ecs:service:DesiredCount',
        minCapacity: service.autoScaling.minCapacity,
        maxCapacity: service.autoScaling.maxCapacity,
        roleArn: arn.role(
          account,
          'aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService',
        ),
        arn: arn.scalableTarget(env.region, account, hash(names.scalableResourceId, 32)),
        createdAt,
        suspended: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false },
        // As the provider's default_tags put them (modules/aws-stack.ts).
        tags: { ...env.tags, Environment: env.environment, ManagedBy: 'terraform' },
      });
    }
  }
}
