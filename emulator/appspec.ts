/**
 * The AppSpec of an ECS deployment (YAML or JSON), checked for the structure CodeDeploy needs.
 *
 * Structural problems are refused at CreateDeployment with `InvalidRevisionException`. Whether what
 * the AppSpec names exists (the task definition, its container and port) is ECS's business: it is
 * checked when Install creates the task set, and a problem fails the deployment there.
 */
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import type { AppSpec, CapacityProviderStrategyItem, NetworkConfiguration } from './model';
import { AwsError } from './protocol/errors';
import { HOOK_EVENTS } from './simulation/codedeploy';

function invalid(message: string): never {
  throw new AwsError('InvalidRevisionException', `The AppSpec content is invalid: ${message}`);
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export function sha256(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

function networkConfiguration(value: unknown): NetworkConfiguration | undefined {
  if (value === undefined) return undefined;
  const awsvpc = isObject(value) ? value.AwsvpcConfiguration : undefined;
  if (!isObject(awsvpc)) invalid('NetworkConfiguration must contain AwsvpcConfiguration');
  const subnets = awsvpc.Subnets;
  if (!Array.isArray(subnets) || subnets.length === 0 || !subnets.every((subnet) => typeof subnet === 'string')) {
    invalid('NetworkConfiguration.AwsvpcConfiguration.Subnets must be a non-empty list of subnet ids');
  }
  const groups = awsvpc.SecurityGroups;
  if (groups !== undefined && (!Array.isArray(groups) || !groups.every((group) => typeof group === 'string'))) {
    invalid('NetworkConfiguration.AwsvpcConfiguration.SecurityGroups must be a list of security group ids');
  }
  const assign = awsvpc.AssignPublicIp;
  if (assign !== undefined && assign !== 'ENABLED' && assign !== 'DISABLED') invalid('AssignPublicIp must be ENABLED or DISABLED');
  return {
    awsvpcConfiguration: {
      subnets: subnets as string[],
      securityGroups: groups as string[] | undefined,
      assignPublicIp: assign as 'ENABLED' | 'DISABLED' | undefined,
    },
  };
}

function capacityProviderStrategy(value: unknown): CapacityProviderStrategyItem[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) invalid('CapacityProviderStrategy must be a non-empty list');
  return value.map((item) => {
    if (!isObject(item) || typeof item.CapacityProvider !== 'string') invalid('each CapacityProviderStrategy item needs a CapacityProvider');
    return {
      capacityProvider: item.CapacityProvider,
      weight: item.Weight === undefined ? undefined : Number(item.Weight),
      base: item.Base === undefined ? undefined : Number(item.Base),
    };
  });
}

export function parseAppSpec(content: string): AppSpec {
  let document: unknown;
  try {
    document = parse(content);
  } catch (error) {
    invalid(`it is neither YAML nor JSON (${(error as Error).message.split('\n')[0]})`);
  }
  if (!isObject(document)) invalid('it must be a mapping with version, Resources and optional Hooks');
  if (document.version === undefined) invalid('version is missing; use version: 0.0');
  if (Number(document.version) !== 0) invalid(`version ${String(document.version)} is not supported; use version: 0.0`);

  const resources = document.Resources;
  if (!Array.isArray(resources) || resources.length !== 1) invalid('Resources must list exactly one target service');
  const entry = resources[0];
  if (!isObject(entry) || Object.keys(entry).length !== 1) invalid('the Resources item must be a single named target (e.g. TargetService)');
  const target = Object.values(entry)[0];
  if (!isObject(target)) invalid('the target service must be a mapping with Type and Properties');
  if (target.Type !== 'AWS::ECS::Service') invalid(`target Type must be AWS::ECS::Service, not ${String(target.Type)}`);
  const properties = target.Properties;
  if (!isObject(properties)) invalid('the target service has no Properties');
  if (typeof properties.TaskDefinition !== 'string' || properties.TaskDefinition === '') invalid('Properties.TaskDefinition must be the task definition ARN');

  const lb = properties.LoadBalancerInfo;
  if (!isObject(lb)) invalid('Properties.LoadBalancerInfo with ContainerName and ContainerPort is required');
  if (typeof lb.ContainerName !== 'string' || lb.ContainerName === '') invalid('LoadBalancerInfo.ContainerName must be a container name');
  const port = Number(lb.ContainerPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) invalid('LoadBalancerInfo.ContainerPort must be a port number');
  if (properties.PlatformVersion !== undefined && typeof properties.PlatformVersion !== 'string') invalid('PlatformVersion must be a string');

  const hooks: Record<string, string> = {};
  if (document.Hooks !== undefined) {
    if (!Array.isArray(document.Hooks)) invalid('Hooks must be a list of { <LifecycleEvent>: <Lambda function> }');
    for (const hook of document.Hooks) {
      if (!isObject(hook)) invalid('each Hooks item must be a mapping');
      for (const [event, fn] of Object.entries(hook)) {
        if (!HOOK_EVENTS.includes(event)) invalid(`${event} is not an ECS lifecycle hook; use one of ${HOOK_EVENTS.join(', ')}`);
        if (typeof fn !== 'string' || fn === '') invalid(`the ${event} hook must name a Lambda function`);
        hooks[event] = fn;
      }
    }
  }

  return {
    taskDefinition: properties.TaskDefinition,
    containerName: lb.ContainerName,
    containerPort: port,
    platformVersion: properties.PlatformVersion as string | undefined,
    networkConfiguration: networkConfiguration(properties.NetworkConfiguration),
    capacityProviderStrategy: capacityProviderStrategy(properties.CapacityProviderStrategy),
    hooks,
  };
}
