/**
 * Shared by the emulator tests: real SDK v3 clients pointed at an in-process emulator, an AppSpec
 * builder and a polling helper.
 */
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CodeDeployClient, GetDeploymentCommand, type DeploymentInfo } from '@aws-sdk/client-codedeploy';
import { ECRClient } from '@aws-sdk/client-ecr';
import { DescribeTaskDefinitionCommand, ECSClient, RegisterTaskDefinitionCommand, type RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { stringify } from 'yaml';
import { loadEnvironment, serviceNames, type EnvironmentConfig } from '../../config';
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from '../../emulator';

export interface Clients {
  ecs: ECSClient;
  codeDeploy: CodeDeployClient;
  ecr: ECRClient;
  elbv2: ElasticLoadBalancingV2Client;
  autoScaling: ApplicationAutoScalingClient;
  destroy(): void;
}

export function clientsFor(aws: EmulatorHandle, maxAttempts = 3): Clients {
  const common = {
    endpoint: aws.url,
    region: aws.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts,
  };
  const clients = {
    ecs: new ECSClient(common),
    codeDeploy: new CodeDeployClient(common),
    ecr: new ECRClient(common),
    elbv2: new ElasticLoadBalancingV2Client(common),
    autoScaling: new ApplicationAutoScalingClient(common),
  };
  return { ...clients, destroy: () => Object.values(clients).forEach((client) => client.destroy()) };
}

export interface Setup {
  aws: EmulatorHandle;
  clients: Clients;
  env: EnvironmentConfig;
  names: ReturnType<typeof serviceNames>;
  close(): Promise<void>;
}

/** An emulator seeded with one configured environment, and clients for it. */
export async function setUp(environment: string, options: Omit<EmulatorOptions, 'environments'> = {}, maxAttempts = 3): Promise<Setup> {
  const env = loadEnvironment(environment, { offline: true });
  const aws = await startEmulator({ timeScale: 5, ...options, environments: [env] });
  const clients = clientsFor(aws, maxAttempts);
  return {
    aws,
    clients,
    env,
    names: serviceNames(env, env.services[0]),
    close: async () => {
      clients.destroy();
      await aws.close();
    },
  };
}

/** Poll `probe` until `accept` holds for its value; fails with the last value after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 8000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last, null, 2).slice(0, 3000)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    last = await probe();
  }
  return last;
}

export async function deploymentInfo(clients: Clients, deploymentId: string): Promise<DeploymentInfo> {
  const { deploymentInfo: info } = await clients.codeDeploy.send(new GetDeploymentCommand({ deploymentId }));
  return info as DeploymentInfo;
}

export function waitForStatus(clients: Clients, deploymentId: string, statuses: string[], timeoutMs?: number): Promise<DeploymentInfo> {
  return waitFor(() => deploymentInfo(clients, deploymentId), (info) => statuses.includes(info.status ?? ''), timeoutMs);
}

/** Register a release revision of the service's family running `image` (as the release tool does). */
export async function registerRevision(setup: Setup, image: string): Promise<string> {
  const { clients, names } = setup;
  const { taskDefinition: current } = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: names.taskFamily }));
  const input: RegisterTaskDefinitionRequest = {
    family: current?.family,
    containerDefinitions: current?.containerDefinitions?.map((container) => ({ ...container, image })),
    cpu: current?.cpu,
    memory: current?.memory,
    networkMode: current?.networkMode,
    requiresCompatibilities: current?.requiresCompatibilities,
    executionRoleArn: current?.executionRoleArn,
    taskRoleArn: current?.taskRoleArn,
    runtimePlatform: current?.runtimePlatform,
    tags: [{ key: 'ReleasedBy', value: 'ecs-bluegreen-deploy' }],
  };
  const { taskDefinition } = await clients.ecs.send(new RegisterTaskDefinitionCommand(input));
  return taskDefinition?.taskDefinitionArn as string;
}

export function appSpec(taskDefinitionArn: string, options: { containerName?: string; containerPort?: number; hooks?: Record<string, string> } = {}): string {
  const document: Record<string, unknown> = {
    version: 0.0,
    Resources: [
      {
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            TaskDefinition: taskDefinitionArn,
            LoadBalancerInfo: { ContainerName: options.containerName ?? 'app', ContainerPort: options.containerPort ?? 80 },
            PlatformVersion: 'LATEST',
          },
        },
      },
    ],
  };
  if (options.hooks) document.Hooks = Object.entries(options.hooks).map(([event, fn]) => ({ [event]: fn }));
  return stringify(document);
}

/** The image URI of a seeded tag, pinned by digest as the release tool pins it. */
export function imageOf(setup: Setup, tag: string): string {
  const repository = setup.aws.state().repositories.find((candidate) => candidate.name === setup.names.repository);
  const image = repository?.images.find((candidate) => candidate.tags.includes(tag));
  if (!repository || !image) throw new Error(`no image ${tag} in ${setup.names.repository}`);
  return `${repository.uri}@${image.digest}`;
}
