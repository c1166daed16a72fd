/**
 * The facts of an environment (tools/terraform/stack-facts.ts) as AWS answers them: read with
 * the SDK calls the release tool makes, by the names config/names.ts gives, from any world that
 * answers them: the emulator over HTTP, or the unit tests' fake (aws-sdk-client-mock). What a
 * world does not answer (a fake stubs only what its tests need) is left out, never guessed.
 */
import { DescribeScalableTargetsCommand, ListTagsForResourceCommand as ListScalingTagsCommand, type ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { GetDeploymentConfigCommand, GetDeploymentGroupCommand, type CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, type ECSClient, type Tag } from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  type Action,
  type ElasticLoadBalancingV2Client,
  type Listener,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { environmentNames, serviceNames, TERRAFORM_REVISION_TAG_KEY, type EnvironmentConfig, type ServiceConfig } from '../../config';
import type {
  DeploymentConfigFacts,
  DeploymentGroupFacts,
  EnvironmentFacts,
  ListenerFacts,
  ScalableTargetFacts,
  ServiceFacts,
  TargetGroupFacts,
} from '../../tools/terraform/stack-facts';

export interface ObservedClients {
  readonly ecs: ECSClient;
  readonly codeDeploy: CodeDeployClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly autoScaling: ApplicationAutoScalingClient;
}

/** The last part of an ARN: a role's, a target group's (`targetgroup/<name>/<id>` → name) or a name as is. */
function nameInArn(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const targetGroup = /:targetgroup\/([^/]+)\//.exec(arn);
  return targetGroup ? targetGroup[1] : arn.replace(/^.*[:/]/, '');
}

function tagRecord(tags: readonly Tag[] | undefined): Record<string, string> | undefined {
  return tags && Object.fromEntries(tags.map((tag) => [tag.key ?? '', tag.value ?? '']));
}

/** The one target group a default action sends traffic to (a weighted forward with one non-zero weight counts). */
function forwardedTo(action: Action | undefined): string | undefined {
  if (action?.Type !== 'forward') return undefined;
  if (action.TargetGroupArn) return nameInArn(action.TargetGroupArn);
  const live = (action.ForwardConfig?.TargetGroups ?? []).filter((group) => (group.Weight ?? 1) > 0);
  return live.length === 1 ? nameInArn(live[0].TargetGroupArn) : undefined;
}

function listenerFacts(loadBalancer: string, listener: Listener): ListenerFacts {
  const action = listener.DefaultActions?.[0];
  const redirect = action?.RedirectConfig;
  return {
    loadBalancer,
    port: listener.Port!,
    protocol: listener.Protocol!,
    forwardsTo: forwardedTo(action),
    redirect: redirect && { port: redirect.Port!, protocol: redirect.Protocol!, statusCode: redirect.StatusCode! },
  };
}

async function observeService(clients: ObservedClients, env: EnvironmentConfig, config: ServiceConfig): Promise<{ service?: ServiceFacts; scalable?: ScalableTargetFacts }> {
  const names = serviceNames(env, config);
  const described = await clients.ecs.send(new DescribeServicesCommand({ cluster: environmentNames(env).cluster, services: [names.service], include: ['TAGS'] }));
  const service = described?.services?.[0];
  if (!service) return {};
  const tags = tagRecord(service.tags);
  // Terraform's revision is the one its tag names (a release may run another).
  const terraformRevision = tags?.[TERRAFORM_REVISION_TAG_KEY] ?? service.taskDefinition;
  if (tags?.[TERRAFORM_REVISION_TAG_KEY]) tags[TERRAFORM_REVISION_TAG_KEY] = tags[TERRAFORM_REVISION_TAG_KEY].replace(/^.*:task-definition\//, '').replace(/:\d+$/, '');
  const revision = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: terraformRevision, include: ['TAGS'] }));
  const task = revision?.taskDefinition;
  const deployment = service.deploymentConfiguration;
  const loadBalancers = (service.loadBalancers ?? []).map((balancer) => ({
    targetGroup: nameInArn(balancer.targetGroupArn)!,
    containerName: balancer.containerName!,
    containerPort: balancer.containerPort!,
  }));
  const facts = {
    name: service.serviceName!,
    cluster: nameInArn(service.clusterArn)!,
    kind: loadBalancers.length > 0 ? 'web' : 'worker',
    desiredCount: service.desiredCount!,
    controller: service.deploymentController?.type ?? 'ECS',
    launchType: service.launchType!,
    circuitBreaker: deployment?.deploymentCircuitBreaker && { enable: deployment.deploymentCircuitBreaker.enable!, rollback: deployment.deploymentCircuitBreaker.rollback! },
    rollbackAlarms: deployment?.alarms?.enable ? deployment.alarms.alarmNames : undefined,
    healthCheckGracePeriodSeconds: loadBalancers.length > 0 ? service.healthCheckGracePeriodSeconds : undefined,
    assignPublicIp: service.networkConfiguration?.awsvpcConfiguration ? service.networkConfiguration.awsvpcConfiguration.assignPublicIp === 'ENABLED' : undefined,
    loadBalancers,
    tags,
    taskDefinition: task && {
      family: task.family!,
      cpu: task.cpu!,
      memory: task.memory!,
      executionRole: nameInArn(task.executionRoleArn)!,
      taskRole: nameInArn(task.taskRoleArn)!,
      containers: (task.containerDefinitions ?? []).map((container) => ({
        name: container.name!,
        ports: (container.portMappings ?? []).map((mapping) => mapping.containerPort!),
        stopTimeoutSeconds: container.stopTimeout,
        essential: container.essential !== false,
        logGroup: container.logConfiguration?.options?.['awslogs-group'],
      })),
      tags: tagRecord(revision.tags),
    },
  } as ServiceFacts;

  if (!config.autoScaling) return { service: facts };
  const scaling = await clients.autoScaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [names.scalableResourceId] }));
  const target = scaling?.ScalableTargets?.[0];
  if (!target) return { service: facts };
  const scalingTags = target.ScalableTargetARN ? await clients.autoScaling.send(new ListScalingTagsCommand({ ResourceARN: target.ScalableTargetARN })) : undefined;
  return {
    service: facts,
    scalable: {
      resourceId: target.ResourceId!,
      scalableDimension: target.ScalableDimension!,
      minCapacity: target.MinCapacity!,
      maxCapacity: target.MaxCapacity!,
      tags: scalingTags?.Tags as Record<string, string>,
    },
  };
}

async function observeLoadBalancer(clients: ObservedClients, env: EnvironmentConfig, config: ServiceConfig, targetGroupNames: readonly string[]): Promise<{ listeners: ListenerFacts[]; targetGroups: TargetGroupFacts[] }> {
  const names = serviceNames(env, config);
  const balancers = await clients.elbv2.send(new DescribeLoadBalancersCommand({ Names: [names.loadBalancer] }));
  const arn = balancers?.LoadBalancers?.[0]?.LoadBalancerArn;
  const listeners = arn ? await clients.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: arn })) : undefined;
  const groups = await clients.elbv2.send(new DescribeTargetGroupsCommand({ Names: [...targetGroupNames] }));
  return {
    listeners: (listeners?.Listeners ?? []).map((listener) => listenerFacts(names.loadBalancer, listener)),
    targetGroups: (groups?.TargetGroups ?? [])
      .filter((group) => targetGroupNames.includes(group.TargetGroupName ?? ''))
      .map(
        (group) =>
          ({
            name: group.TargetGroupName!,
            port: group.Port!,
            protocol: group.Protocol!,
            targetType: group.TargetType!,
            healthCheck: group.HealthCheckPath === undefined ? undefined : {
              path: group.HealthCheckPath,
              intervalSeconds: group.HealthCheckIntervalSeconds!,
              healthyThreshold: group.HealthyThresholdCount!,
              unhealthyThreshold: group.UnhealthyThresholdCount!,
              timeoutSeconds: group.HealthCheckTimeoutSeconds!,
              matcher: group.Matcher?.HttpCode ?? '',
            },
            // Not in DescribeTargetGroups (a target group attribute): read where the stand-in keeps it, if at all.
            deregistrationDelaySeconds: undefined,
          }) as unknown as TargetGroupFacts,
      ),
  };
}

async function observeDeploymentGroup(clients: ObservedClients, env: EnvironmentConfig, config: ServiceConfig): Promise<{ group?: DeploymentGroupFacts; deploymentConfig?: DeploymentConfigFacts }> {
  const names = serviceNames(env, config);
  const answer = await clients.codeDeploy.send(new GetDeploymentGroupCommand({ applicationName: names.codeDeployApplication, deploymentGroupName: names.deploymentGroup }));
  const info = answer?.deploymentGroupInfo;
  if (!info) return {};
  const pair = info.loadBalancerInfo?.targetGroupPairInfoList?.[0];
  const ports = async (arns: string[] | undefined) => {
    if (!arns || arns.length === 0) return [];
    const described = await clients.elbv2.send(new DescribeListenersCommand({ ListenerArns: arns }));
    return (described?.Listeners ?? []).map((listener) => listener.Port!);
  };
  const blueGreen = info.blueGreenDeploymentConfiguration;
  const group = {
    application: info.applicationName!,
    name: info.deploymentGroupName!,
    deploymentConfig: info.deploymentConfigName!,
    serviceRole: nameInArn(info.serviceRoleArn)!,
    cluster: info.ecsServices?.[0]?.clusterName!,
    service: info.ecsServices?.[0]?.serviceName!,
    targetGroups: (pair?.targetGroups ?? []).map((group) => group.name!),
    productionListenerPorts: await ports(pair?.prodTrafficRoute?.listenerArns),
    testListenerPorts: await ports(pair?.testTrafficRoute?.listenerArns),
    alarms: info.alarmConfiguration === undefined ? undefined : info.alarmConfiguration.enabled ? (info.alarmConfiguration.alarms ?? []).map((alarm) => alarm.name!) : [],
    autoRollbackEvents: info.autoRollbackConfiguration?.enabled ? info.autoRollbackConfiguration.events : [],
    readyAction: blueGreen?.deploymentReadyOption?.actionOnTimeout!,
    readyWaitMinutes: blueGreen?.deploymentReadyOption?.waitTimeInMinutes!,
    terminationWaitMinutes: blueGreen?.terminateBlueInstancesOnDeploymentSuccess?.terminationWaitTimeInMinutes!,
  } as DeploymentGroupFacts;
  if (!group.deploymentConfig || group.deploymentConfig.startsWith('CodeDeployDefault.')) return { group };
  const described = await clients.codeDeploy.send(new GetDeploymentConfigCommand({ deploymentConfigName: group.deploymentConfig }));
  const routing = described?.deploymentConfigInfo?.trafficRoutingConfig;
  const canary = routing?.timeBasedCanary;
  const linear = routing?.timeBasedLinear;
  return {
    group,
    deploymentConfig: routing && {
      name: group.deploymentConfig,
      type: routing.type!,
      ...(canary ? { percentage: canary.canaryPercentage, intervalMinutes: canary.canaryInterval } : {}),
      ...(linear ? { percentage: linear.linearPercentage, intervalMinutes: linear.linearInterval } : {}),
    },
  };
}

/** The facts of `services` (default: every one the environment configures) as the clients' world answers them. */
export async function observedFacts(clients: ObservedClients, env: EnvironmentConfig, services: readonly ServiceConfig[] = env.services): Promise<EnvironmentFacts> {
  const facts: { [K in keyof EnvironmentFacts]: EnvironmentFacts[K][number][] } = {
    clusters: [environmentNames(env).cluster],
    services: [],
    listeners: [],
    targetGroups: [],
    deploymentGroups: [],
    deploymentConfigs: [],
    scalableTargets: [],
    verificationHooks: [],
  };
  for (const config of services) {
    const { service, scalable } = await observeService(clients, env, config);
    if (service) facts.services.push(service);
    if (scalable) facts.scalableTargets.push(scalable);
    const { group, deploymentConfig } = config.release.strategy === 'blue-green' ? await observeDeploymentGroup(clients, env, config) : {};
    if (group) facts.deploymentGroups.push(group);
    if (deploymentConfig) facts.deploymentConfigs.push(deploymentConfig);
    if (config.kind !== 'web') continue;
    const targetGroupNames = [...new Set([...(service?.loadBalancers ?? []).map((balancer) => balancer.targetGroup), ...(group?.targetGroups ?? [])])];
    const { listeners, targetGroups } = await observeLoadBalancer(clients, env, config, targetGroupNames);
    facts.listeners.push(...listeners);
    facts.targetGroups.push(...targetGroups);
  }
  return facts;
}

/** Facts as plain data in a stable order: absent fields dropped, every list sorted, so two worlds compare with toEqual. */
export function comparable<T>(facts: T): T {
  const sort = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sort).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined).map(([key, field]) => [key, sort(field)]));
    return value;
  };
  return sort(JSON.parse(JSON.stringify(facts))) as T;
}
