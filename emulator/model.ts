/**
 * The emulated AWS account: every resource the five services expose, as plain records.
 *
 * Records hold what AWS stores; what AWS derives (a task's current status, a target's health, a
 * service's running count) is computed on read by the simulation from these records and the
 * clock, so it can never drift out of step with them.
 */

/** ECS `{ key, value }` tag. */
export interface EcsTag {
  key: string;
  value: string;
}

export interface ClusterRecord {
  name: string;
  arn: string;
  region: string;
  containerInsights: boolean;
  createdAt: number;
}

export interface TaskDefinitionRecord {
  arn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  region: string;
  registeredAt: number;
  deregisteredAt?: number;
  /** The registration request as sent (minus tags): returned as the task definition's fields. */
  body: Record<string, unknown>;
  tags: EcsTag[];
}

/** ECS `loadBalancers` entry. */
export interface EcsLoadBalancer {
  targetGroupArn: string;
  containerName: string;
  containerPort: number;
}

/** ECS `networkConfiguration`, kept as sent. */
export interface NetworkConfiguration {
  awsvpcConfiguration: {
    subnets: string[];
    securityGroups?: string[];
    assignPublicIp?: 'ENABLED' | 'DISABLED';
  };
}

export interface CapacityProviderStrategyItem {
  capacityProvider: string;
  weight?: number;
  base?: number;
}

/** How a task will turn out, decided when it is launched from its images. */
export type TaskOutcome = 'healthy' | 'unhealthy' | 'pull-failure';

/** Who runs a task: a task set (CODE_DEPLOY services) or an ECS deployment (rolling services). */
export interface TaskOwner {
  kind: 'task-set' | 'ecs-deployment';
  id: string;
}

export interface TaskRecord {
  arn: string;
  id: string;
  clusterArn: string;
  serviceName: string;
  taskDefinitionArn: string;
  owner: TaskOwner;
  /** ECS puts the task set or deployment id here for service tasks. */
  startedBy: string;
  group: string;
  createdAt: number;
  ip: string;
  availabilityZone: string;
  subnetId: string;
  outcome: TaskOutcome;
  /** Why the outcome is not healthy (pull error text, bad image), for stoppedReason. */
  outcomeDetail?: string;
  /** Target groups the task is registered in (from its owner's load balancers). */
  targetGroupArns: string[];
  containerPort?: number;
  /** When ECS decided to stop it; it drains, then is STOPPED. */
  stopRequestedAt?: number;
  stopCode?: 'TaskFailedToStart' | 'EssentialContainerExited' | 'ServiceSchedulerInitiated' | 'UserInitiated';
  stoppedReason?: string;
  /** Whether the task counts as a failed launch (circuit breaker, service events). */
  failed?: boolean;
  /** Until when (real ms) task scale-in protection keeps the scheduler from stopping it (simulation/protection.ts). */
  protectedUntil?: number;
}

/** A task set of a CODE_DEPLOY service. */
export interface TaskSetRecord {
  id: string;
  arn: string;
  serviceArn: string;
  clusterArn: string;
  status: 'PRIMARY' | 'ACTIVE' | 'DRAINING';
  taskDefinitionArn: string;
  startedBy: string;
  externalId?: string;
  scalePercent: number;
  loadBalancers: EcsLoadBalancer[];
  networkConfiguration?: NetworkConfiguration;
  platformVersion?: string;
  launchType?: string;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  createdAt: number;
  updatedAt: number;
  stabilityStatus: 'STEADY_STATE' | 'STABILIZING';
  stabilityStatusAt: number;
  /** Set when the task set is being deleted: its tasks drain, then it disappears. */
  deletedAt?: number;
}

/** A deployment of an ECS-controller (rolling) service. */
export interface EcsDeploymentRecord {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinitionArn: string;
  desiredCount: number;
  failedTasks: number;
  createdAt: number;
  updatedAt: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  launchType?: string;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  platformVersion?: string;
  networkConfiguration?: NetworkConfiguration;
  /** Set on a deployment created by a circuit-breaker rollback. */
  rollbackOf?: string;
}

export interface ServiceEvent {
  id: string;
  createdAt: number;
  message: string;
}

export interface ServiceRecord {
  name: string;
  arn: string;
  clusterName: string;
  clusterArn: string;
  region: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  controller: 'ECS' | 'CODE_DEPLOY';
  /** For CODE_DEPLOY services this mirrors the PRIMARY task set. */
  taskDefinitionArn: string;
  desiredCount: number;
  loadBalancers: EcsLoadBalancer[];
  networkConfiguration?: NetworkConfiguration;
  platformVersion?: string;
  launchType?: string;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  deploymentConfiguration: Record<string, unknown>;
  healthCheckGracePeriodSeconds?: number;
  propagateTags?: string;
  enableECSManagedTags?: boolean;
  enableExecuteCommand?: boolean;
  createdAt: number;
  createdBy?: string;
  taskSets: TaskSetRecord[];
  deployments: EcsDeploymentRecord[];
  /** Newest first, at most 100 (as DescribeServices returns). */
  events: ServiceEvent[];
  tags: EcsTag[];
  /** Network of the environment: where task IPs come from. */
  ipPrefix: string;
  availabilityZones: string[];
}

// ---------------------------------------------------------------- ELBv2

export interface ForwardTarget {
  targetGroupArn: string;
  weight: number;
}

export type ListenerAction =
  | { type: 'forward'; targets: ForwardTarget[] }
  | { type: 'redirect'; port: string; protocol: string; statusCode: string };

export interface ListenerRecord {
  arn: string;
  loadBalancerArn: string;
  port: number;
  protocol: 'HTTP' | 'HTTPS';
  certificateArn?: string;
  sslPolicy?: string;
  defaultAction: ListenerAction;
}

export interface LoadBalancerRecord {
  arn: string;
  name: string;
  dnsName: string;
  canonicalHostedZoneId: string;
  createdAt: number;
  vpcId: string;
  subnets: { subnetId: string; zoneName: string }[];
  securityGroups: string[];
  region: string;
}

export interface TargetGroupRecord {
  arn: string;
  name: string;
  port: number;
  vpcId: string;
  region: string;
  healthCheck: {
    path: string;
    intervalSeconds: number;
    timeoutSeconds: number;
    healthyThreshold: number;
    unhealthyThreshold: number;
    matcher: string;
  };
  deregistrationDelaySeconds: number;
}

// ---------------------------------------------------------------- ECR

export interface ImageRecord {
  digest: string;
  tags: string[];
  pushedAt: number;
  sizeInBytes: number;
  manifest: string;
  manifestMediaType: string;
  /** Fault injection: tasks running this image never pass health checks. */
  bad: boolean;
}

export interface RepositoryRecord {
  name: string;
  arn: string;
  uri: string;
  registryId: string;
  region: string;
  createdAt: number;
  images: ImageRecord[];
}

// ---------------------------------------------------------------- Application Auto Scaling

export interface ScalableTargetRecord {
  serviceNamespace: string;
  resourceId: string;
  scalableDimension: string;
  minCapacity: number;
  maxCapacity: number;
  roleArn: string;
  arn: string;
  createdAt: number;
  suspended: {
    DynamicScalingInSuspended: boolean;
    DynamicScalingOutSuspended: boolean;
    ScheduledScalingSuspended: boolean;
  };
  tags: Record<string, string>;
}

// ---------------------------------------------------------------- CodeDeploy

export interface ApplicationRecord {
  id: string;
  name: string;
  computePlatform: 'ECS';
  createdAt: number;
}

export type TrafficRouting =
  | { type: 'AllAtOnce' }
  | { type: 'TimeBasedCanary'; percentage: number; intervalMinutes: number }
  | { type: 'TimeBasedLinear'; percentage: number; intervalMinutes: number };

export interface DeploymentConfigRecord {
  id: string;
  name: string;
  createdAt: number;
  routing: TrafficRouting;
}

export interface DeploymentGroupRecord {
  id: string;
  applicationName: string;
  name: string;
  serviceRoleArn: string;
  deploymentConfigName: string;
  clusterName: string;
  serviceName: string;
  targetGroupNames: [string, string];
  prodListenerArns: string[];
  testListenerArns: string[];
  readyAction: 'CONTINUE_DEPLOYMENT' | 'STOP_DEPLOYMENT';
  readyWaitMinutes: number;
  terminationWaitMinutes: number;
  autoRollback: { enabled: boolean; events: string[] };
  alarms: { enabled: boolean; names: string[] };
  lastSuccessfulDeploymentId?: string;
  lastAttemptedDeploymentId?: string;
}

export type DeploymentStatus = 'Created' | 'Queued' | 'InProgress' | 'Baking' | 'Ready' | 'Succeeded' | 'Failed' | 'Stopped';

export type LifecycleStatus = 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'Skipped' | 'Unknown';

export interface LifecycleEventRecord {
  name: string;
  status: LifecycleStatus;
  startTime?: number;
  endTime?: number;
  diagnostics?: { errorCode: string; scriptName: string; message: string; logTail: string };
  /** A hook function run for this event: the execution id it reports with, and what it reported. */
  hookExecution?: { id: string; functionName: string; status: 'InProgress' | 'Succeeded' | 'Failed' };
}

/** The parts of an AppSpec an ECS deployment uses. */
export interface AppSpec {
  taskDefinition: string;
  containerName: string;
  containerPort: number;
  platformVersion?: string;
  networkConfiguration?: NetworkConfiguration;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  hooks: Record<string, string>;
}

/** Where a deployment is in the blue/green state machine (finer than its public status). */
export type DeploymentPhase =
  | 'created'
  | 'lifecycle'
  | 'ready-wait'
  | 'termination-wait'
  | 'done';

export interface DeploymentRecord {
  id: string;
  applicationName: string;
  deploymentGroupName: string;
  deploymentConfigName: string;
  description?: string;
  creator: 'user' | 'codeDeployRollback';
  status: DeploymentStatus;
  phase: DeploymentPhase;
  /** When the current phase or lifecycle event began (real ms). */
  phaseStartedAt: number;
  createTime: number;
  startTime?: number;
  completeTime?: number;
  revision: { revisionType: 'AppSpecContent'; appSpecContent: { content: string; sha256?: string } };
  previousRevision?: DeploymentRecord['revision'];
  appSpec: AppSpec;
  autoRollback: { enabled: boolean; events: string[] };
  errorInformation?: { code: string; message: string };
  rollbackInfo?: { rollbackDeploymentId?: string; rollbackTriggeringDeploymentId?: string; rollbackMessage?: string };
  instanceTerminationWaitTimeStarted: boolean;
  lifecycleEvents: LifecycleEventRecord[];
  /** Index into lifecycleEvents of the event under way. */
  currentEvent: number;
  /** Task set serving production before the deployment (Blue). */
  originalTaskSetId?: string;
  /** Task set the deployment created (Green). */
  replacementTaskSetId?: string;
  originalTargetGroupArn?: string;
  replacementTargetGroupArn?: string;
  /** Production traffic on the replacement, percent. */
  replacementWeight: number;
  /** When the last traffic step happened (canary/linear). */
  lastShiftAt?: number;
  /** Last known counts of each task set, kept after the task set is gone. */
  taskSetSnapshots: Record<string, { desired: number; pending: number; running: number; status: string }>;
  lastUpdatedAt: number;
  /** Rollback deployments: the deployment being undone. */
  rollbackOf?: string;
}

/** A rule that makes lifecycle hooks fail (fault injection). */
export interface HookFailureRule {
  id: string;
  lifecycleEvent: string;
  deploymentGroupName?: string;
  remaining: number;
}

/** Everything the emulator knows. */
/** What the next one-off task does; every field has a default. */
/** A one-off task's script (simulation/one-off-tasks.ts). */
export interface TaskScript {
  /** The main container's exit code. @default 0 */
  readonly exitCode?: number;
  /** Emulated seconds the container runs. @default 5 */
  readonly durationSeconds?: number;
  /** Lines the container writes, spread evenly over the run. @default one line naming the command */
  readonly logLines?: readonly string[];
  /** The task stops before its container starts, with this stoppedReason (e.g. CannotPullContainerError: …). */
  readonly failToStart?: string;
  /** RunTask places nothing and answers with this failure reason (e.g. capacity). */
  readonly failToRun?: string;
  /** How many runs this script serves. @default 1 */
  readonly times?: number;
}

/** A task started by RunTask. */
export interface OneOffTaskRecord {
  arn: string;
  id: string;
  clusterArn: string;
  taskDefinitionArn: string;
  containerName: string;
  command: string[];
  startedBy?: string;
  group: string;
  createdAt: number;
  subnetId: string;
  securityGroups: string[];
  exitCode: number;
  durationSeconds: number;
  logLines: string[];
  failToStart?: string;
  logGroup?: string;
  logStream?: string;
  stopRequestedAt?: number;
  stoppedReason?: string;
}

/** One CloudWatch Logs event, as PutLogEvents stored it (written here by the verification hook functions). */
export interface LogEventRecord {
  logGroup: string;
  logStream: string;
  /** When it happened, and when CloudWatch Logs took it in (epoch ms). */
  timestamp: number;
  ingestionTime: number;
  message: string;
  /** Order of arrival, from 1: breaks ties between events of the same millisecond. */
  sequence: number;
}

export interface World {
  accountId: string;
  clusters: Map<string, ClusterRecord>;
  taskDefinitions: TaskDefinitionRecord[];
  services: ServiceRecord[];
  tasks: TaskRecord[];
  /** Tasks started by RunTask, and the scripts the next ones follow. */
  oneOffTasks: OneOffTaskRecord[];
  taskScripts: TaskScript[];
  loadBalancers: LoadBalancerRecord[];
  listeners: ListenerRecord[];
  targetGroups: TargetGroupRecord[];
  repositories: RepositoryRecord[];
  scalableTargets: ScalableTargetRecord[];
  applications: Map<string, ApplicationRecord>;
  deploymentConfigs: Map<string, DeploymentConfigRecord>;
  deploymentGroups: DeploymentGroupRecord[];
  deployments: DeploymentRecord[];
  hookFailures: HookFailureRule[];
  /** CloudWatch Logs groups that exist (the stacks create them), and the events written to them. */
  logGroups: Set<string>;
  logEvents: LogEventRecord[];
  /** Image references (outside the emulated ECR) marked bad by fault injection. */
  badImageRefs: Set<string>;
  /** Next host number per IP prefix, for task addresses. */
  ipCounters: Map<string, number>;
}

export function emptyWorld(accountId: string): World {
  return {
    accountId,
    clusters: new Map(),
    taskDefinitions: [],
    services: [],
    tasks: [],
    oneOffTasks: [],
    taskScripts: [],
    loadBalancers: [],
    listeners: [],
    targetGroups: [],
    repositories: [],
    scalableTargets: [],
    applications: new Map(),
    deploymentConfigs: new Map(),
    deploymentGroups: [],
    deployments: [],
    hookFailures: [],
    logGroups: new Set(),
    logEvents: [],
    badImageRefs: new Set(),
    ipCounters: new Map(),
  };
}
