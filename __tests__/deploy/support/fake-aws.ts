/**
 * A small fake AWS world for the release tool's tests: aws-sdk-client-mock stubs answering like
 * the real services for one environment's service, plus scripted CodeDeploy deployments, a fake
 * clock and an in-memory reporter.
 *
 * Hand-written (a world is built per test; synthesizing the stacks for each would cost seconds per
 * file) from the configuration: whatever it answers must be what the stacks create, which
 * __tests__/deploy/fake-aws.test.ts checks against the synthesized stacks (emulator/README.md,
 * "The seeded account and the stacks").
 */
// The SDK's notice about future Node versions would clutter test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  ListTagsForResourceCommand,
  RegisterScalableTargetCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type SuspendedState,
} from '@aws-sdk/client-application-auto-scaling';
import {
  BatchGetDeploymentTargetsCommand,
  CodeDeployClient,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  GetDeploymentConfigCommand,
  GetDeploymentGroupCommand,
  ListDeploymentTargetsCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
  type DeploymentInfo,
  type ECSTaskSet,
} from '@aws-sdk/client-codedeploy';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  type Service,
  type Tag,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  type Listener,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Stub = AwsStub<any, any, any>;
import { RELEASE_TAG_KEY, RELEASE_TAG_VALUE, TERRAFORM_REVISION_TAG_KEY, deploymentConfigName, loadEnvironment, productionPort, testListenerPort } from '../../../config';
import type { AwsClients } from '../../../scripts/aws/clients';
import { memoryReporter, type MemoryReporter } from '../../../scripts/cli/output';
import type { Clock, Context, Interrupts } from '../../../scripts/context';
import { targetFor, type ReleaseTarget } from '../../../scripts/steps/target';

export const REGION = 'ap-northeast-1';
export const ACCOUNT = '123456789012';
export const DIGEST = `sha256:${'a'.repeat(64)}`;
export const OLD_DIGEST = `sha256:${'b'.repeat(64)}`;
export const START = Date.parse('2026-01-01T12:00:00Z');

export const taskDefinitionArn = (family: string, revision: number) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
export const repositoryUri = (repository: string) => `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${repository}`;

/** Errors the SDK retries (throttling, server faults): the fake hands them over as they end, after the SDK's attempts. */
const RETRIED_BY_THE_SDK = /^(Throttling|ThrottlingException|TooManyRequestsException|ServerException|InternalFailure|InternalServiceException|ServiceUnavailable)$/;

export function awsError(name: string, message = name): Error {
  const attempts = RETRIED_BY_THE_SDK.test(name) ? 6 : 1;
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400, attempts }, $fault: 'client' });
}

/** Advances only when slept on; refuses to run away if a test's script never ends. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(public time = START) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return;
    this.time += ms;
    if (this.time - START > 3 * 24 * 3600_000) throw new Error('fake clock ran for 3 days: the test never ends');
    await Promise.resolve();
  }
}

export interface Step {
  readonly status: string;
  readonly events?: readonly (readonly [name: string, status: string, startMinute?: number, endMinute?: number])[];
  readonly taskSets?: readonly Partial<ECSTaskSet>[];
  readonly info?: Partial<DeploymentInfo>;
  /** Runs when this step is read (e.g. press Ctrl-C). */
  readonly then?: () => void;
}

export const at = (minute: number) => new Date(START + minute * 60_000);

export function blueGreen(blue: number, green: number, greenRunning = 2): Partial<ECSTaskSet>[] {
  return [
    { taskSetLabel: 'Blue', trafficWeight: blue, runningCount: 2, desiredCount: 2, pendingCount: 0 },
    { taskSetLabel: 'Green', trafficWeight: green, runningCount: greenRunning, desiredCount: 2, pendingCount: 2 - greenRunning },
  ];
}

const BASE_CONTAINERS = [
  {
    name: 'app',
    image: 'public.ecr.aws/nginx/nginx:1.27-alpine',
    essential: true,
    portMappings: [{ containerPort: 80, protocol: 'tcp' as const }],
    environment: [{ name: 'GREETING', value: 'hello' }],
    secrets: [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:ssm:ap-northeast-1:123456789012:parameter/db' }],
  },
  { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0', essential: false, firelensConfiguration: { type: 'fluentbit' as const } },
];

export interface WorldOptions {
  /** Revisions newest first: [revision, releaseTagged, image of app]. */
  readonly revisions?: readonly (readonly [number, boolean, string?])[];
  /** Revision the service runs. */
  readonly running?: number;
  readonly scalable?: boolean;
  /** The scalable target's state and tags at the start (default: not suspended, no tags). */
  readonly scaling?: { readonly state?: SuspendedState; readonly tags?: Record<string, string> };
  readonly activeDeployment?: string;
  readonly capacityProviders?: boolean;
  /** Revision the service's TerraformRevision tag names (default: the newest without the release tag); null: no tag, as before the stack set it. */
  readonly terraformRevisionTag?: number | null;
}

export interface World {
  readonly target: ReleaseTarget;
  readonly ecs: Stub;
  readonly codeDeploy: Stub;
  readonly ecr: Stub;
  readonly elbv2: Stub;
  readonly autoScaling: Stub;
  readonly logs: Stub;
  /** The scalable target as the fake holds it: RegisterScalableTarget and the tag calls change it. */
  readonly scaling: { state: SuspendedState; tags: Record<string, string> };
  readonly clients: AwsClients;
  readonly clock: FakeClock;
  readonly out: MemoryReporter;
  readonly controller: AbortController;
  readonly interrupts: Interrupts;
  readonly context: Context;
  readonly service: Service;
  readonly taskDefinitions: Map<string, { taskDefinition: TaskDefinition; tags: Tag[] }>;
  readonly fetchCalls: { url: string; init?: RequestInit }[];
  fetchResponses: (number | Error)[];
  script(deploymentId: string, steps: readonly Step[], info?: Partial<DeploymentInfo>): void;
  /** How many mutating calls were sent to AWS, over all clients. */
  mutatingCalls(): number;
  /** Every AWS call sent, over all clients. */
  allCalls(): number;
}

export const MUTATING_COMMANDS = [
  ['ecs', RegisterTaskDefinitionCommand],
  ['ecs', UpdateServiceCommand],
  ['ecs', RunTaskCommand],
  ['ecs', StopTaskCommand],
  ['codeDeploy', CreateDeploymentCommand],
  ['codeDeploy', ContinueDeploymentCommand],
  ['codeDeploy', StopDeploymentCommand],
  ['autoScaling', RegisterScalableTargetCommand],
  ['autoScaling', TagResourceCommand],
  ['autoScaling', UntagResourceCommand],
] as const;

export function fakeWorld(envName: 'prod' | 'dev' | 'preview' = 'prod', options: WorldOptions = {}): World {
  const env = loadEnvironment(envName);
  const target = targetFor(env, env.services[0]);
  const names = target.names;
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const clients: AwsClients = {
    ecs: new ECSClient({ region: REGION, credentials }),
    codeDeploy: new CodeDeployClient({ region: REGION, credentials }),
    ecr: new ECRClient({ region: REGION, credentials }),
    elbv2: new ElasticLoadBalancingV2Client({ region: REGION, credentials }),
    autoScaling: new ApplicationAutoScalingClient({ region: REGION, credentials }),
    logs: new CloudWatchLogsClient({ region: REGION, credentials }),
  };
  const ecs = mockClient(clients.ecs);
  const codeDeploy = mockClient(clients.codeDeploy);
  const ecr = mockClient(clients.ecr);
  const elbv2 = mockClient(clients.elbv2);
  const autoScaling = mockClient(clients.autoScaling);
  const logs = mockClient(clients.logs);

  const family = names.taskFamily;
  const revisions = options.revisions ?? [
    [8, true, `${repositoryUri(names.repository)}@${'sha256:' + 'c'.repeat(64)}`],
    [7, true, `${repositoryUri(names.repository)}@${OLD_DIGEST}`],
    [6, false],
    [5, false],
  ];
  const running = options.running ?? 7;
  const taskDefinitions = new Map<string, { taskDefinition: TaskDefinition; tags: Tag[] }>();
  for (const [revision, tagged, image] of revisions) {
    const arn = taskDefinitionArn(family, revision);
    const taskDefinition: TaskDefinition = {
      taskDefinitionArn: arn,
      family,
      revision,
      status: 'ACTIVE',
      taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/${names.taskRole}`,
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/${names.executionRole}`,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      compatibilities: ['EC2', 'FARGATE'],
      requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.task-iam-role' }],
      cpu: String(target.service.cpu),
      memory: String(target.service.memory),
      runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' },
      volumes: [],
      registeredAt: new Date(START - revision * 3600_000),
      containerDefinitions: BASE_CONTAINERS.map((container) => (container.name === 'app' && image ? { ...container, image } : container)),
    };
    const tags: Tag[] = tagged ? [{ key: RELEASE_TAG_KEY, value: RELEASE_TAG_VALUE }, { key: 'BaseRevision', value: taskDefinitionArn(family, 6) }] : [{ key: 'Project', value: 'shop' }];
    taskDefinitions.set(arn, { taskDefinition, tags });
    taskDefinitions.set(`${family}:${revision}`, { taskDefinition, tags });
  }
  ecs.on(ListTaskDefinitionsCommand).resolves({
    taskDefinitionArns: [taskDefinitionArn(`${family}2`, 3), ...revisions.map(([revision]) => taskDefinitionArn(family, revision))],
  });
  ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => {
    const found = taskDefinitions.get(input.taskDefinition);
    if (!found) throw awsError('ClientException', 'Unable to describe task definition.');
    return { taskDefinition: found.taskDefinition, tags: found.tags };
  });
  ecs.on(RegisterTaskDefinitionCommand).callsFake((input: TaskDefinition & { tags?: Tag[] }) => {
    const arn = taskDefinitionArn(family, 9);
    const taskDefinition = { ...input, taskDefinitionArn: arn, revision: 9, status: 'ACTIVE' } as TaskDefinition;
    taskDefinitions.set(arn, { taskDefinition, tags: input.tags ?? [] });
    return { taskDefinition };
  });

  const blueArn = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${names.targetGroups[0]}/1`;
  const greenArn = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${names.targetGroups[1]}/2`;
  const loadBalancerArn = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/${names.loadBalancer}/3`;
  // Without NAT gateways the tasks get public IPs (config/schema.ts).
  const publicIp = env.network.mode === 'create' && env.network.natGateways === 'none';
  const network = { awsvpcConfiguration: { subnets: ['subnet-0aaa', 'subnet-0bbb'], securityGroups: ['sg-0tasks'], assignPublicIp: publicIp ? ('ENABLED' as const) : ('DISABLED' as const) } };
  const capacity = options.capacityProviders ? [{ capacityProvider: 'FARGATE_SPOT', base: 1, weight: 2 }, { capacityProvider: 'FARGATE', base: 0, weight: 1 }] : undefined;
  const loadBalancers = [{ targetGroupArn: blueArn, containerName: target.service.containerName, containerPort: target.service.containerPort }];
  const blueGreenService = target.strategy === 'blue-green';
  const service: Service = {
    serviceName: names.service,
    status: 'ACTIVE',
    deploymentController: { type: blueGreenService ? 'CODE_DEPLOY' : 'ECS' },
    desiredCount: target.service.desiredCount,
    runningCount: target.service.desiredCount,
    pendingCount: 0,
    taskDefinition: taskDefinitionArn(family, running),
    loadBalancers,
    networkConfiguration: network,
    platformVersion: 'LATEST',
    launchType: capacity ? undefined : 'FARGATE',
    capacityProviderStrategy: capacity,
    taskSets: blueGreenService
      ? [{ id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: taskDefinitionArn(family, running), loadBalancers, networkConfiguration: network, platformVersion: '1.4.0', capacityProviderStrategy: capacity, runningCount: 2, computedDesiredCount: 2 }]
      : undefined,
    deployments: blueGreenService ? undefined : [{ id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: taskDefinitionArn(family, running), rolloutState: 'COMPLETED', runningCount: 2, desiredCount: 2 }],
  };
  const recorded = options.terraformRevisionTag === undefined ? revisions.find(([, tagged]) => !tagged)?.[0] : options.terraformRevisionTag;
  // world.service carries the tags (as DescribeServices with include: ['TAGS'] returns it), so a
  // test that answers DescribeServices with it gets the stack's TerraformRevision tag too.
  service.tags = [{ key: 'Project', value: 'shop' }, ...(recorded === undefined || recorded === null ? [] : [{ key: TERRAFORM_REVISION_TAG_KEY, value: taskDefinitionArn(family, recorded) }])];
  // Like ECS: tags only when asked for with include: ['TAGS'].
  ecs.on(DescribeServicesCommand).callsFake((input: { include?: string[] }) => ({
    services: [input.include?.includes('TAGS') ? service : { ...service, tags: undefined }],
    failures: [],
  }));
  ecs.on(UpdateServiceCommand).resolves({ service: { ...service, deployments: [{ id: 'ecs-svc/2', status: 'PRIMARY' }] } });

  const approval = target.service.release.approvalWaitMinutes;
  codeDeploy.on(GetDeploymentGroupCommand).resolves({
    deploymentGroupInfo: {
      applicationName: names.codeDeployApplication,
      deploymentGroupName: names.deploymentGroup,
      deploymentConfigName: deploymentConfigName(env, target.service),
      computePlatform: 'ECS',
      ecsServices: [{ serviceName: names.service, clusterName: target.cluster }],
      loadBalancerInfo: {
        targetGroupPairInfoList: [
          {
            targetGroups: [{ name: names.targetGroups[0] }, { name: names.targetGroups[1] }],
            prodTrafficRoute: { listenerArns: ['listener/prod'] },
            testTrafficRoute: { listenerArns: ['listener/test'] },
          },
        ],
      },
      blueGreenDeploymentConfiguration: {
        deploymentReadyOption: approval ? { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: approval } : { actionOnTimeout: 'CONTINUE_DEPLOYMENT', waitTimeInMinutes: 0 },
        terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: target.service.release.terminationWaitMinutes },
      },
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
    },
  });
  const shift = target.service.release.deploymentConfig;
  codeDeploy.on(GetDeploymentConfigCommand).resolves({
    deploymentConfigInfo: {
      computePlatform: 'ECS',
      ...(typeof shift === 'string'
        ? {}
        : {
            trafficRoutingConfig:
              shift.type === 'canary'
                ? { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: shift.percentage, canaryInterval: shift.intervalMinutes } }
                : { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: shift.percentage, linearInterval: shift.intervalMinutes } },
          }),
    },
  });
  codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: options.activeDeployment ? [options.activeDeployment] : [] });
  codeDeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-NEW' });
  codeDeploy.on(ContinueDeploymentCommand).resolves({});
  codeDeploy.on(StopDeploymentCommand).resolves({ status: 'Pending' });

  // The ports and protocol the configuration gives the listeners (prod serves HTTPS and redirects
  // HTTP); a test listener only for blue/green.
  const protocol = target.service.certificateArn ? 'HTTPS' : 'HTTP';
  const listeners: Record<string, Listener> = {
    'listener/prod': { ListenerArn: 'listener/prod', Port: productionPort(target.service), Protocol: protocol, LoadBalancerArn: loadBalancerArn, DefaultActions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: blueArn, Weight: 1 }, { TargetGroupArn: greenArn, Weight: 0 }] } }] },
    ...(blueGreenService ? { 'listener/test': { ListenerArn: 'listener/test', Port: testListenerPort(target.service), Protocol: protocol, LoadBalancerArn: loadBalancerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: greenArn }] } } : {}),
    ...(target.service.certificateArn
      ? { 'listener/redirect': { ListenerArn: 'listener/redirect', Port: 80, Protocol: 'HTTP', LoadBalancerArn: loadBalancerArn, DefaultActions: [{ Type: 'redirect', RedirectConfig: { Port: '443', Protocol: 'HTTPS', StatusCode: 'HTTP_301' } }] } }
      : {}),
  };
  elbv2.on(DescribeListenersCommand).callsFake((input: { ListenerArns?: string[]; LoadBalancerArn?: string }) => ({
    Listeners: input.ListenerArns
      ? input.ListenerArns.map((arn) => listeners[arn]).filter(Boolean)
      : Object.values(listeners).filter((listener) => listener.LoadBalancerArn === input.LoadBalancerArn),
  }));
  const targetGroups = [
    { TargetGroupName: names.targetGroups[0], TargetGroupArn: blueArn, LoadBalancerArns: [loadBalancerArn] },
    { TargetGroupName: names.targetGroups[1], TargetGroupArn: greenArn, LoadBalancerArns: [loadBalancerArn] },
  ];
  elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: targetGroups });
  elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [{ LoadBalancerArn: loadBalancerArn, DNSName: `${names.loadBalancer}-123.${REGION}.elb.amazonaws.com` }] });

  ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [{ repositoryName: names.repository, repositoryUri: repositoryUri(names.repository) }] });
  ecr.on(DescribeImagesCommand).callsFake((input: { imageIds: { imageTag?: string; imageDigest?: string }[] }) => {
    const id = input.imageIds[0];
    if (id.imageTag === 'v1.4.2' || id.imageDigest === DIGEST) return { imageDetails: [{ imageDigest: DIGEST, imageTags: ['v1.4.2'] }] };
    if (id.imageTag === 'v1.4.1' || id.imageDigest === OLD_DIGEST) return { imageDetails: [{ imageDigest: OLD_DIGEST, imageTags: ['v1.4.1'] }] };
    throw awsError('ImageNotFoundException', 'The image requested does not exist');
  });

  const scalable = options.scalable ?? target.service.autoScaling !== undefined;
  const scaling = {
    state: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false, ...options.scaling?.state },
    tags: { Environment: envName, ...options.scaling?.tags } as Record<string, string>,
  };
  const scalableArn = `arn:aws:application-autoscaling:${REGION}:123456789012:scalable-target/0123456789abcdef0123456789abcdef`;
  autoScaling.on(DescribeScalableTargetsCommand).callsFake(() => ({
    ScalableTargets: scalable
      ? [{ ResourceId: names.scalableResourceId, ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: target.service.autoScaling?.minCapacity ?? 2, MaxCapacity: target.service.autoScaling?.maxCapacity ?? 10, RoleARN: 'role', CreationTime: new Date(START), SuspendedState: { ...scaling.state }, ScalableTargetARN: scalableArn }]
      : [],
  }));
  autoScaling.on(RegisterScalableTargetCommand).callsFake((input: { SuspendedState?: SuspendedState }) => {
    Object.assign(scaling.state, input.SuspendedState);
    return { ScalableTargetARN: scalableArn };
  });
  const checkArn = (arn: string) => {
    if (arn !== scalableArn) throw awsError('ResourceNotFoundException', `No scalable target found for ${arn}`);
  };
  autoScaling.on(ListTagsForResourceCommand).callsFake((input: { ResourceARN: string }) => {
    checkArn(input.ResourceARN);
    return { Tags: { ...scaling.tags } };
  });
  autoScaling.on(TagResourceCommand).callsFake((input: { ResourceARN: string; Tags: Record<string, string> }) => {
    checkArn(input.ResourceARN);
    Object.assign(scaling.tags, input.Tags);
    return {};
  });
  autoScaling.on(UntagResourceCommand).callsFake((input: { ResourceARN: string; TagKeys: string[] }) => {
    checkArn(input.ResourceARN);
    for (const key of input.TagKeys) delete scaling.tags[key];
    return {};
  });

  // Scripted deployments: each GetDeployment moves one step on; the targets follow the same step.
  const scripts = new Map<string, { steps: readonly Step[]; index: number; info: Partial<DeploymentInfo> }>();
  const stepOf = (id: string, advance: boolean): { step: Step; info: Partial<DeploymentInfo> } => {
    const script = scripts.get(id);
    if (!script) throw awsError('DeploymentDoesNotExistException', `deployment ${id} does not exist`);
    const step = script.steps[Math.min(advance ? script.index : Math.max(0, script.index - 1), script.steps.length - 1)];
    if (advance) {
      script.index++;
      step.then?.();
    }
    return { step, info: script.info };
  };
  codeDeploy.on(GetDeploymentCommand).callsFake((input: { deploymentId: string }) => {
    const { step, info } = stepOf(input.deploymentId, true);
    return {
      deploymentInfo: {
        deploymentId: input.deploymentId,
        applicationName: target.names.codeDeployApplication,
        deploymentGroupName: target.names.deploymentGroup,
        ...info,
        ...step.info,
        status: step.status,
      },
    };
  });
  codeDeploy.on(ListDeploymentTargetsCommand).resolves({ targetIds: [`${target.cluster}:${names.service}`] });
  codeDeploy.on(BatchGetDeploymentTargetsCommand).callsFake((input: { deploymentId: string }) => {
    const { step } = stepOf(input.deploymentId, false);
    return {
      deploymentTargets: [
        {
          deploymentTargetType: 'ECSTarget',
          ecsTarget: {
            deploymentId: input.deploymentId,
            lifecycleEvents: (step.events ?? []).map(([name, status, start, end]) => ({
              lifecycleEventName: name,
              status,
              startTime: start !== undefined ? at(start) : undefined,
              endTime: end !== undefined ? at(end) : undefined,
            })),
            taskSetsInfo: (step.taskSets ?? []) as ECSTaskSet[],
          },
        },
      ],
    };
  });

  const clock = new FakeClock();
  const out = memoryReporter();
  const controller = new AbortController();
  const interrupts: Interrupts = { signal: controller.signal };
  const fetchCalls: { url: string; init?: RequestInit }[] = [];
  const world: World = {
    target,
    ecs,
    codeDeploy,
    ecr,
    elbv2,
    autoScaling,
    logs,
    scaling,
    clients,
    clock,
    out,
    controller,
    interrupts,
    service,
    taskDefinitions,
    fetchCalls,
    fetchResponses: [],
    context: undefined as unknown as Context,
    script(deploymentId, steps, info = {}) {
      scripts.set(deploymentId, { steps, index: 0, info: { deploymentId, autoRollbackConfiguration: { enabled: true }, ...info } });
    },
    mutatingCalls() {
      const stubs = { ecs, codeDeploy, autoScaling } as const;
      return MUTATING_COMMANDS.reduce((sum, [client, command]) => sum + stubs[client].commandCalls(command as never).length, 0);
    },
    allCalls() {
      return [ecs, codeDeploy, ecr, elbv2, autoScaling].reduce((sum, stub) => sum + stub.calls().length, 0);
    },
  };
  const fakeFetch = (async (url: string | URL, init?: RequestInit) => {
    fetchCalls.push({ url: String(url), init });
    const next = world.fetchResponses.length > 1 ? world.fetchResponses.shift() : world.fetchResponses[0];
    if (next instanceof Error) throw next;
    return new Response(null, { status: next ?? 200 });
  }) as typeof fetch;
  (world as { context: Context }).context = { clients, clock, out, env: { ECS_BG_POLL_MS: '2000' }, interrupts, fetch: fakeFetch };
  return world;
}

/** A successful all-at-once blue/green deployment, step by step. */
export const HAPPY_STEPS: readonly Step[] = [
  { status: 'Created' },
  { status: 'InProgress', events: [['BeforeInstall', 'Succeeded', 0, 0], ['Install', 'InProgress', 0]], taskSets: blueGreen(100, 0, 0) },
  { status: 'InProgress', events: [['BeforeInstall', 'Succeeded', 0, 0], ['Install', 'Succeeded', 0, 2], ['AllowTraffic', 'InProgress', 2]], taskSets: blueGreen(100, 0, 2) },
  { status: 'Succeeded', events: [['BeforeInstall', 'Succeeded', 0, 0], ['Install', 'Succeeded', 0, 2], ['AllowTraffic', 'Succeeded', 2, 3]], taskSets: blueGreen(0, 100, 2) },
];

export interface CliRun {
  readonly code: number;
  readonly stdout: string[];
  readonly stderr: string[];
}

/** Run the CLI as `npm run deploy -- ...` would, against the fake world. */
export async function runCli(world: World, argv: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const { main } = await import('../../../scripts/main');
  const stdout: string[] = [];
  const stderr: string[] = [];
  const collect = (into: string[]) => (text: string) => into.push(...text.replace(/\n$/, '').split('\n'));
  const code = await main(argv, {
    streams: { stdout: collect(stdout), stderr: collect(stderr) },
    env: { ECS_BG_POLL_MS: '2000', ...env },
    interrupts: world.interrupts,
    clients: async () => world.clients,
    clock: world.clock,
    fetch: world.context.fetch,
  });
  return { code, stdout, stderr };
}

/**
 * dev's world where a second blue/green service, `api`, exists beside `web`: each service has its
 * own deployment group, service and task definition family, answered for any name asked.
 */
export function fakeWorldWithApi(): World {
  const world = fakeWorld('dev');
  world.ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
    services: input.services.map((serviceName) => ({ ...world.service, serviceName, tags: [{ key: TERRAFORM_REVISION_TAG_KEY, value: taskDefinitionArn(serviceName, 6) }] })),
  }));
  world.codeDeploy.on(GetDeploymentGroupCommand).callsFake((input: { deploymentGroupName: string }) => {
    const name = input.deploymentGroupName;
    return {
      deploymentGroupInfo: {
        deploymentGroupName: name,
        ecsServices: [{ serviceName: name, clusterName: 'shop-dev' }],
        loadBalancerInfo: { targetGroupPairInfoList: [{ targetGroups: [{ name: `${name}-blue` }, { name: `${name}-green` }], prodTrafficRoute: { listenerArns: ['listener/prod'] }, testTrafficRoute: { listenerArns: ['listener/test'] } }] },
        blueGreenDeploymentConfiguration: { terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 1 } },
      },
    };
  });
  for (const [key, entry] of [...world.taskDefinitions]) {
    const api = (text: string) => text.replace('shop-dev-web', 'shop-dev-api');
    world.taskDefinitions.set(api(key), { ...entry, taskDefinition: { ...entry.taskDefinition, family: 'shop-dev-api', taskDefinitionArn: api(entry.taskDefinition.taskDefinitionArn!) } });
  }
  world.ecs.on(ListTaskDefinitionsCommand).callsFake((input: { familyPrefix: string }) => ({ taskDefinitionArns: [8, 7, 6].map((revision) => taskDefinitionArn(input.familyPrefix, revision)) }));
  return world;
}
