/**
 * Preflight: read-only checks that the live resources are the ones the configuration names, so a
 * release never starts against a half-built or drifted stack. Every problem is bad input naming
 * the resource and the fix.
 */
import { GetDeploymentConfigCommand, GetDeploymentGroupCommand, type DeploymentGroupInfo } from '@aws-sdk/client-codedeploy';
import { DescribeServicesCommand, type Service } from '@aws-sdk/client-ecs';
import { DescribeListenersCommand, DescribeTargetGroupsCommand, type Listener, type TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { PREDEFINED_DEPLOYMENT_CONFIGS, deploymentConfigName, productionPort, testListenerPort } from '../../config';
import { BadInputError } from '../cli/errors';
import { hasName } from '../aws/errors';
import type { Context } from '../context';
import { readsInOrder } from './reads-in-order';
import type { ReleaseTarget } from './target';

const FIX_STACK = 'run `npm run plan`/`cdktf deploy` first';

/** The live ECS service; missing or inactive is bad input. */
export async function describeLiveService(context: Context, target: ReleaseTarget): Promise<Service> {
  const { cluster } = target;
  const serviceName = target.names.service;
  let described;
  try {
    // The tags carry the stack's newest task definition revision (base-revision.ts). With several
    // services the read is shared (batched-calls.ts); one the batch did not return is read alone.
    const batched = await context.batch?.service(cluster, serviceName);
    described = batched ? { services: [batched] } : await context.clients.ecs.send(new DescribeServicesCommand({ cluster, services: [serviceName], include: ['TAGS'] }));
  } catch (error) {
    if (hasName(error, 'ClusterNotFoundException')) throw new BadInputError(`cluster ${cluster} not found in ${target.env.region}: ${FIX_STACK}`);
    throw error;
  }
  const service = described.services?.find((candidate) => candidate.serviceName === serviceName);
  if (!service || service.status === 'INACTIVE') throw new BadInputError(`service ${serviceName} not found in cluster ${cluster}: ${FIX_STACK}`);
  if (service.status !== 'ACTIVE') throw new BadInputError(`service ${serviceName} is ${service.status}, not ACTIVE: it is being deleted; ${FIX_STACK}`);
  return service;
}

/** The service's deployment controller must match the configured strategy. */
export function checkController(service: Service, target: ReleaseTarget): void {
  const controller = service.deploymentController?.type ?? 'ECS';
  const expected = target.strategy === 'blue-green' ? 'CODE_DEPLOY' : 'ECS';
  if (controller !== expected) {
    throw new BadInputError(
      `service ${target.names.service} uses the ${controller} deployment controller but config says release.strategy "${target.strategy}" (needs ${expected}): ` +
        `apply the stack (\`cdktf deploy\`) so the service matches, or set release.strategy to "${controller === 'CODE_DEPLOY' ? 'blue-green' : 'rolling'}"`,
    );
  }
}

/** The task definition the service runs now: the PRIMARY task set's under CodeDeploy, else the service's. */
export function runningTaskDefinition(service: Service): string | undefined {
  return service.taskSets?.find((taskSet) => taskSet.status === 'PRIMARY')?.taskDefinition ?? service.taskDefinition;
}

export interface ListenerInfo {
  readonly arn: string;
  readonly port: number;
  readonly protocol: string;
  readonly loadBalancerArn: string;
}

export interface DeploymentGroupCheck {
  readonly group: DeploymentGroupInfo;
  readonly production: ListenerInfo;
  readonly test?: ListenerInfo;
  readonly targetGroups: readonly { readonly name: string; readonly arn: string }[];
  /** Minutes CodeDeploy waits for `approve` before stopping; undefined when it shifts traffic at once. */
  readonly approvalWaitMinutes?: number;
  /** Minutes the old task set is kept after traffic moved. */
  readonly terminationWaitMinutes: number;
}

export async function getDeploymentGroup(context: Context, target: ReleaseTarget): Promise<DeploymentGroupInfo> {
  const { codeDeployApplication: applicationName, deploymentGroup: deploymentGroupName } = target.names;
  try {
    const found = await context.clients.codeDeploy.send(new GetDeploymentGroupCommand({ applicationName, deploymentGroupName }));
    if (!found.deploymentGroupInfo) throw new BadInputError(`deployment group ${deploymentGroupName} not found: ${FIX_STACK}`);
    return found.deploymentGroupInfo;
  } catch (error) {
    if (hasName(error, 'ApplicationDoesNotExistException')) throw new BadInputError(`CodeDeploy application ${applicationName} not found: ${FIX_STACK}`);
    if (hasName(error, 'DeploymentGroupDoesNotExistException')) {
      throw new BadInputError(`deployment group ${deploymentGroupName} not found in application ${applicationName}: ${FIX_STACK}`);
    }
    throw error;
  }
}

/** Waits configured on the group (CodeDeploy's own values are what its timers use). */
export function groupWaits(group: DeploymentGroupInfo): { approvalWaitMinutes?: number; terminationWaitMinutes: number } {
  const config = group.blueGreenDeploymentConfiguration;
  const ready = config?.deploymentReadyOption;
  return {
    approvalWaitMinutes: ready?.actionOnTimeout === 'STOP_DEPLOYMENT' ? (ready.waitTimeInMinutes ?? 0) : undefined,
    terminationWaitMinutes: config?.terminateBlueInstancesOnDeploymentSuccess?.terminationWaitTimeInMinutes ?? 0,
  };
}

async function describeListeners(context: Context, groupName: string, listenerArns: string[]): Promise<Listener[]> {
  try {
    return (await context.clients.elbv2.send(new DescribeListenersCommand({ ListenerArns: listenerArns }))).Listeners ?? [];
  } catch (error) {
    if (hasName(error, 'ListenerNotFoundException')) throw new BadInputError(`a listener of deployment group ${groupName} no longer exists: ${FIX_STACK}`);
    throw error;
  }
}

async function describeTargetGroups(context: Context, target: ReleaseTarget): Promise<TargetGroup[]> {
  try {
    return (await context.clients.elbv2.send(new DescribeTargetGroupsCommand({ Names: [...target.names.targetGroups] }))).TargetGroups ?? [];
  } catch (error) {
    if (hasName(error, 'TargetGroupNotFoundException')) throw new BadInputError(`target groups ${target.names.targetGroups.join(', ')} not found: ${FIX_STACK}`);
    throw error;
  }
}

/** The deployment group exists, targets this service, and its target groups and listeners are the configured ones. */
export async function checkDeploymentGroup(context: Context, target: ReleaseTarget): Promise<DeploymentGroupCheck> {
  const group = await getDeploymentGroup(context, target);
  const name = target.names.deploymentGroup;
  const targetsService = group.ecsServices?.some(
    (ecs) => ecs.serviceName === target.names.service && (ecs.clusterName === target.cluster || ecs.clusterName?.endsWith(`/${target.cluster}`)),
  );
  if (!targetsService) {
    throw new BadInputError(`deployment group ${name} does not target service ${target.names.service} in cluster ${target.cluster}: the stack has drifted; ${FIX_STACK}`);
  }
  const pair = group.loadBalancerInfo?.targetGroupPairInfoList?.[0];
  const groupTargetGroups = (pair?.targetGroups ?? []).map((tg) => tg.name ?? '').sort();
  const expectedTargetGroups = [...target.names.targetGroups].sort();
  if (groupTargetGroups.join(',') !== expectedTargetGroups.join(',')) {
    throw new BadInputError(
      `deployment group ${name} swaps target groups [${groupTargetGroups.join(', ')}], config names [${expectedTargetGroups.join(', ')}]: the stack has drifted; ${FIX_STACK}`,
    );
  }
  const productionArns = pair?.prodTrafficRoute?.listenerArns ?? [];
  const testArns = pair?.testTrafficRoute?.listenerArns ?? [];
  if (productionArns.length === 0) throw new BadInputError(`deployment group ${name} has no production listener: ${FIX_STACK}`);

  // The listeners and the target groups are read at once; the listener checks are judged first.
  const listenersChecked = describeListeners(context, name, [...productionArns, ...testArns]).then((listeners) => {
    const info = (arn: string): ListenerInfo => {
      const listener = listeners.find((candidate) => candidate.ListenerArn === arn);
      if (!listener) throw new BadInputError(`listener ${arn} of deployment group ${name} not found: ${FIX_STACK}`);
      return { arn, port: listener.Port ?? 0, protocol: listener.Protocol ?? 'HTTP', loadBalancerArn: listener.LoadBalancerArn ?? '' };
    };
    const production = info(productionArns[0]);
    const expectedProductionPort = productionPort(target.service);
    if (production.port !== expectedProductionPort) {
      throw new BadInputError(`deployment group ${name}'s production listener is on port ${production.port}, config expects ${expectedProductionPort}: the stack has drifted; ${FIX_STACK}`);
    }
    const test = testArns.length ? info(testArns[0]) : undefined;
    const expectedTestPort = testListenerPort(target.service);
    if (test && test.port !== expectedTestPort) {
      throw new BadInputError(`deployment group ${name}'s test listener is on port ${test.port}, config expects ${expectedTestPort}: the stack has drifted; ${FIX_STACK}`);
    }
    return { production, test };
  });
  const [{ production, test }, targetGroups] = await readsInOrder([listenersChecked, describeTargetGroups(context, target)]);

  // A target group no listener forwards to yet lists no load balancer at all; one that lists
  // another load balancer belongs to something else.
  const stray = targetGroups.find((tg) => {
    const attached = tg.LoadBalancerArns ?? [];
    return production.loadBalancerArn && attached.length > 0 && !attached.includes(production.loadBalancerArn);
  });
  if (stray) {
    throw new BadInputError(`target group ${stray.TargetGroupName} is attached to another load balancer than the production listener's: ${FIX_STACK}`);
  }
  return {
    group,
    production,
    test,
    targetGroups: targetGroups.map((tg) => ({ name: tg.TargetGroupName ?? '', arn: tg.TargetGroupArn ?? '' })),
    ...groupWaits(group),
  };
}

/** `--deployment-config`: a predefined ECS config or this service's configured custom one. Checked offline first. */
export function checkDeploymentConfigName(target: ReleaseTarget, name: string): void {
  const custom = typeof target.service.release.deploymentConfig === 'string' ? undefined : deploymentConfigName(target.env, target.service);
  const allowed: string[] = [...PREDEFINED_DEPLOYMENT_CONFIGS, ...(custom ? [custom] : [])];
  if (!allowed.includes(name)) {
    throw new BadInputError(`--deployment-config "${name}" is not an ECS deployment config of this service; use one of: ${allowed.join(', ')}`);
  }
}

/** The named config exists in CodeDeploy and is for ECS. */
export async function verifyDeploymentConfig(context: Context, name: string): Promise<void> {
  try {
    const found = await context.clients.codeDeploy.send(new GetDeploymentConfigCommand({ deploymentConfigName: name }));
    const platform = found.deploymentConfigInfo?.computePlatform;
    if (platform && platform !== 'ECS') throw new BadInputError(`--deployment-config ${name} is for ${platform}, not ECS`);
  } catch (error) {
    if (hasName(error, 'DeploymentConfigDoesNotExistException')) {
      throw new BadInputError(`--deployment-config ${name} does not exist in CodeDeploy: ${FIX_STACK}`);
    }
    throw error;
  }
}
