/**
 * The CodeDeploy AppSpec (version 0.0) for an ECS deployment, built from the LIVE service so the
 * replacement task set gets exactly the network, platform and capacity settings the service has.
 */
import { createHash } from 'node:crypto';
import type { Service, TaskSet } from '@aws-sdk/client-ecs';
import { parse, stringify } from 'yaml';
import type { LifecycleHooks } from '../../config';
import { BadInputError } from '../cli/errors';

export interface AppSpec {
  readonly version: '0.0';
  readonly Resources: readonly [{ readonly TargetService: { readonly Type: 'AWS::ECS::Service'; readonly Properties: AppSpecProperties } }];
  readonly Hooks?: readonly Partial<Record<keyof LifecycleHooks, string>>[];
}

export interface AppSpecProperties {
  readonly TaskDefinition: string;
  readonly LoadBalancerInfo: { readonly ContainerName: string; readonly ContainerPort: number };
  readonly PlatformVersion?: string;
  readonly NetworkConfiguration?: {
    readonly AwsvpcConfiguration: { readonly Subnets: string[]; readonly SecurityGroups?: string[]; readonly AssignPublicIp?: string };
  };
  readonly CapacityProviderStrategy?: readonly { readonly CapacityProvider: string; readonly Base?: number; readonly Weight?: number }[];
}

/** The order CodeDeploy runs ECS hooks in. */
export const HOOK_ORDER = ['BeforeInstall', 'AfterInstall', 'AfterAllowTestTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic'] as const;

/** The task set serving production (PRIMARY) of a CodeDeploy-controlled service, if any. */
export function primaryTaskSet(service: Service): TaskSet | undefined {
  return service.taskSets?.find((taskSet) => taskSet.status === 'PRIMARY');
}

export function buildAppSpec(service: Service, taskDefinitionArn: string, hooks: LifecycleHooks): AppSpec {
  const live = primaryTaskSet(service);
  const loadBalancer = (live?.loadBalancers ?? service.loadBalancers)?.find((candidate) => candidate.containerName);
  if (!loadBalancer?.containerName || !loadBalancer.containerPort) {
    throw new BadInputError(`service ${service.serviceName} has no load balancer container; a blue/green service needs one: run \`cdktf deploy\``);
  }
  const network = (live?.networkConfiguration ?? service.networkConfiguration)?.awsvpcConfiguration;
  const platformVersion = live?.platformVersion ?? service.platformVersion;
  const capacity = live?.capacityProviderStrategy ?? service.capacityProviderStrategy;
  const properties: AppSpecProperties = {
    TaskDefinition: taskDefinitionArn,
    LoadBalancerInfo: { ContainerName: loadBalancer.containerName, ContainerPort: loadBalancer.containerPort },
    ...(platformVersion ? { PlatformVersion: platformVersion } : {}),
    ...(network?.subnets?.length
      ? {
          NetworkConfiguration: {
            AwsvpcConfiguration: {
              Subnets: [...network.subnets],
              ...(network.securityGroups?.length ? { SecurityGroups: [...network.securityGroups] } : {}),
              ...(network.assignPublicIp ? { AssignPublicIp: network.assignPublicIp } : {}),
            },
          },
        }
      : {}),
    ...(capacity?.length
      ? {
          CapacityProviderStrategy: capacity.map((item) => ({
            CapacityProvider: item.capacityProvider as string,
            ...(item.base !== undefined ? { Base: item.base } : {}),
            ...(item.weight !== undefined ? { Weight: item.weight } : {}),
          })),
        }
      : {}),
  };
  const hookList = HOOK_ORDER.filter((name) => hooks[name]).map((name) => ({ [name]: hooks[name] as string }));
  return {
    version: '0.0',
    Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: properties } }],
    ...(hookList.length ? { Hooks: hookList } : {}),
  };
}

/** The AppSpec as sent to CreateDeployment: JSON, with its sha256. */
export function appSpecContent(spec: AppSpec): { content: string; sha256: string } {
  const content = JSON.stringify(spec);
  return { content, sha256: createHash('sha256').update(content).digest('hex') };
}

/** YAML for `render` (CodePipeline's CodeDeployToECS action reads appspec.yaml). */
export function appSpecYaml(spec: AppSpec): string {
  return stringify(spec);
}

/** An ECS AppSpec as a deployment holds it (JSON or YAML), or undefined when it cannot be read. */
function parseAppSpec(content: string | undefined): Partial<AppSpec> | undefined {
  if (!content) return undefined;
  try {
    // YAML is a superset of JSON: one parser reads both forms.
    return (parse(content) as Partial<AppSpec> | null) ?? undefined;
  } catch {
    return undefined;
  }
}

/** The task definition ARN an ECS AppSpec (JSON or YAML) deploys, or undefined. */
export function taskDefinitionOfAppSpec(content: string | undefined): string | undefined {
  return parseAppSpec(content)?.Resources?.[0]?.TargetService?.Properties?.TaskDefinition;
}

/** The function an ECS AppSpec (JSON or YAML) runs at a lifecycle event, or undefined. */
export function hookOfAppSpec(content: string | undefined, event: keyof LifecycleHooks): string | undefined {
  const hooks = parseAppSpec(content)?.Hooks;
  return Array.isArray(hooks) ? hooks.find((hook) => typeof hook?.[event] === 'string')?.[event] : undefined;
}
