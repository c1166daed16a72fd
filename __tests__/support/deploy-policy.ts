/**
 * The deploy role's policy as synthesized, to check AWS calls against: the end-to-end harness
 * asserts after every test that each call the emulator answered is allowed by the deploy policy
 * of one of the test's environments (docs/identity.md).
 *
 * A call is checked the way IAM evaluates it: the table below says which actions AWS authorizes
 * for the operation (its own and the dependent ones), on which resource ARN and with which
 * condition keys; an Allow statement must match all three. ARNs follow the Service Authorization
 * Reference; some need the emulator's state (the group of a deployment id, a scalable target's
 * ARN and tags), read through `EmulatedAccount`.
 */
import type { DescribeImagesRequest, DescribeRepositoriesRequest } from '@aws-sdk/client-ecr';
import type { FilterLogEventsRequest, GetLogEventsRequest } from '@aws-sdk/client-cloudwatch-logs';
import type { DescribeServicesRequest, DescribeTasksRequest, GetTaskProtectionRequest, ListTasksRequest, RegisterTaskDefinitionRequest, RunTaskRequest, StopTaskRequest, UpdateServiceRequest } from '@aws-sdk/client-ecs';
import type {
  CreateDeploymentInput,
  GetDeploymentConfigInput,
  GetDeploymentGroupInput,
  GetDeploymentInput,
  ListDeploymentsInput,
} from '@aws-sdk/client-codedeploy';
import type {
  DescribeScalableTargetsRequest,
  ListTagsForResourceRequest,
  RegisterScalableTargetRequest,
  TagResourceRequest,
  UntagResourceRequest,
} from '@aws-sdk/client-application-auto-scaling';
import type { EnvironmentConfig, GithubIdentityConfig } from '../../config';
import type { CallRecord, EmulatorHandle } from '../../emulator';
import { GithubIdentity } from '../../modules/github-identity';
import { partitionOf } from '../../modules/iam-policy';
import { iamWildcard } from '../../policy/synthesized';
import { synthScope } from './synth';

/** IAM service prefix of each service the emulator speaks. */
const IAM_PREFIX_BY_EMULATED_SERVICE: Readonly<Record<CallRecord['service'], string>> = {
  ecs: 'ecs',
  codedeploy: 'codedeploy',
  ecr: 'ecr',
  elbv2: 'elasticloadbalancing',
  autoscaling: 'application-autoscaling',
  logs: 'logs',
};

/** An environment without `github` gets this repository for the synth: the deploy policy does not depend on it. */
const STAND_IN: GithubIdentityConfig = { repository: 'example-org/stand-in', releaseBranch: 'main', subjectClaims: 'workflow', planBranches: ['main'], oidcProvider: { mode: 'create' } };

/** The IAM action an emulated call stands for, e.g. `elbv2` `DescribeListeners` → `elasticloadbalancing:DescribeListeners`. */
export function iamActionOfCall(call: Pick<CallRecord, 'service' | 'operation'>): string {
  return `${IAM_PREFIX_BY_EMULATED_SERVICE[call.service]}:${call.operation}`;
}

// ---------------------------------------------------------------- the account the calls went to

/** What the check needs to know about the emulated account besides the calls themselves. */
export interface EmulatedAccount {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** CodeDeploy deployments: GetDeployment names only the id, AWS authorizes it on the deployment's group. */
  readonly deployments: readonly { readonly id: string; readonly application: string; readonly deploymentGroup: string }[];
  /** Deployment groups with their configuration: CreateDeployment is also authorized as GetDeploymentConfig on it. */
  readonly deploymentGroups: readonly { readonly application: string; readonly name: string; readonly deploymentConfig: string }[];
  /** Scalable targets: RegisterScalableTarget names namespace, resource id and dimension; AWS authorizes the target's ARN. */
  readonly scalableTargets: readonly { readonly arn: string; readonly serviceNamespace: string; readonly resourceId: string; readonly scalableDimension: string }[];
  /** Task definitions with the roles they name: RunTask passes them (iam:PassRole). */
  readonly taskDefinitions: readonly { readonly arn: string; readonly roles: readonly string[] }[];
  /** Tags by resource ARN: the `aws:ResourceTag/<key>` condition keys. */
  readonly tags: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** The account as the emulator holds it now (tags as they are at the end of the test). */
export function emulatedAccount(aws: Pick<EmulatorHandle, 'emulator' | 'region'>): EmulatedAccount {
  const { world } = aws.emulator.sim;
  const ecsTags = (tags: readonly { key: string; value: string }[]) => Object.fromEntries(tags.map((tag) => [tag.key, tag.value]));
  return {
    partition: partitionOf(aws.region),
    region: aws.region,
    accountId: world.accountId,
    deployments: world.deployments.map((d) => ({ id: d.id, application: d.applicationName, deploymentGroup: d.deploymentGroupName })),
    deploymentGroups: world.deploymentGroups.map((g) => ({ application: g.applicationName, name: g.name, deploymentConfig: g.deploymentConfigName })),
    scalableTargets: world.scalableTargets.map(({ arn, serviceNamespace, resourceId, scalableDimension }) => ({ arn, serviceNamespace, resourceId, scalableDimension })),
    taskDefinitions: world.taskDefinitions.map((definition) => ({
      arn: definition.arn,
      roles: [definition.body.taskRoleArn, definition.body.executionRoleArn].filter((role): role is string => typeof role === 'string'),
    })),
    tags: Object.fromEntries([
      ...world.services.map((service) => [service.arn, ecsTags(service.tags)]),
      ...world.taskDefinitions.map((definition) => [definition.arn, ecsTags(definition.tags)]),
      ...world.scalableTargets.map((target) => [target.arn, { ...target.tags }]),
    ]),
  };
}

// ---------------------------------------------------------------- what AWS authorizes for each operation

/** Condition keys of a request: single values, or sets (`aws:TagKeys`). */
export type ConditionContext = Readonly<Record<string, string | readonly string[]>>;

/** One authorization AWS makes for a call: an action on a resource ARN (or "*") with the request's condition keys. */
export interface Authorization {
  readonly action: string;
  readonly resource: string;
  readonly context: ConditionContext;
  /** A dependent action the call is also authorized as, not the call's own. */
  readonly implied?: boolean;
}

/** The table cannot name the resource (e.g. a deployment id the emulator never issued). */
class Unresolved extends Error {}

type Derive<Input> = (input: Input, account: EmulatedAccount) => Authorization[];

const TASK_ROLE_SERVICE = 'ecs-tasks.amazonaws.com';

function arn(account: EmulatedAccount, service: string, resource: string, global = false): string {
  return `arn:${account.partition}:${service}:${global ? '' : account.region}:${account.accountId}:${resource}`;
}

/** An authorization on a resource, with the resource's tags as `aws:ResourceTag/<key>`. */
function on(account: EmulatedAccount, action: string, resource: string, context: ConditionContext = {}, implied = false): Authorization {
  const resourceTags = Object.entries(account.tags[resource] ?? {}).map(([key, value]) => [`aws:ResourceTag/${key}`, value]);
  return { action, resource, context: { ...Object.fromEntries(resourceTags), ...context }, ...(implied ? { implied } : {}) };
}

/** Actions that support no resource-level permissions are authorized on "*". */
const accountWide =
  (action: string): Derive<unknown> =>
  () => [{ action, resource: '*', context: {} }];

/** `aws:TagKeys` and `aws:RequestTag/<key>` of the tags a request carries. */
function requestTags(tags: Readonly<Record<string, string>>): ConditionContext {
  return { 'aws:TagKeys': Object.keys(tags), ...Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:RequestTag/${key}`, value])) };
}

function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null || value === '') throw new Unresolved(`the request names no ${what}`);
  return value;
}

function ecsService(account: EmulatedAccount, cluster: string | undefined, service: string): string {
  if (service.startsWith('arn:')) return service;
  const clusterName = (cluster ?? 'default').replace(/^arn:[^:]*:ecs:[^:]*:[^:]*:cluster\//, '');
  return arn(account, 'ecs', `service/${clusterName}/${service}`);
}

function ecsCluster(account: EmulatedAccount, cluster: string | undefined): string {
  const name = (cluster ?? 'default').replace(/^arn:[^:]*:ecs:[^:]*:[^:]*:cluster\//, '');
  return arn(account, 'ecs', `cluster/${name}`);
}

/** `task/<cluster>/<id>`: a task ARN as given, or built from the cluster and a bare id. */
function ecsTask(account: EmulatedAccount, cluster: string | undefined, task: string): string {
  if (task.startsWith('arn:')) return task;
  return arn(account, 'ecs', `task/${ecsCluster(account, cluster).split('/').pop()}/${task}`);
}

function iamRole(account: EmulatedAccount, role: string): string {
  return role.startsWith('arn:') ? role : arn(account, 'iam', `role/${role}`, true);
}

function repository(account: EmulatedAccount, name: string, registryId: string | undefined): string {
  return arn({ ...account, accountId: registryId ?? account.accountId }, 'ecr', `repository/${name}`);
}

function deploymentGroup(account: EmulatedAccount, application: string | undefined, group: string | undefined): string {
  return arn(account, 'codedeploy', `deploymentgroup:${required(application, 'application')}/${required(group, 'deployment group')}`);
}

function scalableTarget(account: EmulatedAccount, input: { ServiceNamespace?: string; ResourceId?: string; ScalableDimension?: string }): string {
  const found = account.scalableTargets.find(
    (target) => target.serviceNamespace === input.ServiceNamespace && target.resourceId === input.ResourceId && target.scalableDimension === input.ScalableDimension,
  );
  if (!found) throw new Unresolved(`no scalable target ${input.ServiceNamespace}/${input.ResourceId}/${input.ScalableDimension} in the account`);
  return found.arn;
}

/**
 * Every operation the release tool sends (config/release-permissions.ts, source "sdk"), keyed by
 * its IAM action: what AWS authorizes for it, per the Service Authorization Reference. An
 * operation without an entry fails the check.
 */
const AUTHORIZATIONS: Readonly<Record<string, Derive<never>>> = {
  // ECS: services and task definitions; ListTaskDefinitions, DescribeTaskDefinition and DeregisterTaskDefinition have no resource type.
  'ecs:DescribeServices': (input: DescribeServicesRequest, account) =>
    required(input.services?.length ? input.services : undefined, 'service').map((service) =>
      on(account, 'ecs:DescribeServices', ecsService(account, input.cluster, service)),
    ),
  'ecs:UpdateService': (input: UpdateServiceRequest, account) => [
    on(account, 'ecs:UpdateService', ecsService(account, input.cluster, required(input.service, 'service'))),
  ],
  'ecs:ListTaskDefinitions': accountWide('ecs:ListTaskDefinitions'),
  // Task protection: ListTasks is authorized on the cluster's container instances with the cluster
  // as `ecs:cluster`; GetTaskProtection on each task.
  'ecs:ListTasks': (input: ListTasksRequest, account) => {
    const cluster = ecsCluster(account, input.cluster);
    return [on(account, 'ecs:ListTasks', arn(account, 'ecs', `container-instance/${cluster.split('/').pop()}/*`), { 'ecs:cluster': cluster })];
  },
  'ecs:GetTaskProtection': (input: GetTaskProtectionRequest, account) =>
    required(input.tasks?.length ? input.tasks : undefined, 'task').map((task) =>
      on(account, 'ecs:GetTaskProtection', ecsTask(account, input.cluster, task), { 'ecs:cluster': ecsCluster(account, input.cluster) }),
    ),
  'ecs:DescribeTaskDefinition': accountWide('ecs:DescribeTaskDefinition'),
  'ecs:DeregisterTaskDefinition': accountWide('ecs:DeregisterTaskDefinition'),
  // Authorized on the family with any revision (AWS names `task-definition/<family>:*` when it denies one);
  // tags in the request are also authorized as ecs:TagResource, each role as iam:PassRole.
  'ecs:RegisterTaskDefinition': (input: RegisterTaskDefinitionRequest, account) => {
    const revisions = arn(account, 'ecs', `task-definition/${required(input.family, 'family')}:*`);
    const tags = Object.fromEntries((input.tags ?? []).map((tag) => [tag.key ?? '', tag.value ?? '']));
    const tagging = Object.keys(tags).length > 0 ? [on(account, 'ecs:TagResource', revisions, { ...requestTags(tags), 'ecs:CreateAction': 'RegisterTaskDefinition' }, true)] : [];
    const roles = [input.taskRoleArn, input.executionRoleArn].filter((role): role is string => Boolean(role));
    return [
      on(account, 'ecs:RegisterTaskDefinition', revisions, requestTags(tags)),
      ...tagging,
      ...[...new Set(roles)].map((role) => on(account, 'iam:PassRole', iamRole(account, role), { 'iam:PassedToService': TASK_ROLE_SERVICE }, true)),
    ];
  },
  // One-off tasks: RunTask is authorized on the revision with the cluster as `ecs:cluster`, and as
  // iam:PassRole for the roles the revision names; tasks are authorized on `task/<cluster>/<id>`.
  'ecs:RunTask': (input: RunTaskRequest, account) => {
    const reference = required(input.taskDefinition, 'task definition');
    const revision = reference.startsWith('arn:') ? reference : arn(account, 'ecs', `task-definition/${reference}`);
    const definition = account.taskDefinitions.find((candidate) => candidate.arn === revision);
    if (!definition) throw new Unresolved(`task definition ${reference} is unknown to the account (RunTask by family alone is not modelled)`);
    if (input.overrides?.taskRoleArn || input.overrides?.executionRoleArn) throw new Unresolved('the request overrides a role, which the deploy policy does not model');
    return [
      on(account, 'ecs:RunTask', revision, { 'ecs:cluster': ecsCluster(account, input.cluster) }),
      ...[...new Set(definition.roles)].map((role) => on(account, 'iam:PassRole', iamRole(account, role), { 'iam:PassedToService': TASK_ROLE_SERVICE }, true)),
    ];
  },
  'ecs:DescribeTasks': (input: DescribeTasksRequest, account) =>
    required(input.tasks?.length ? input.tasks : undefined, 'task').map((task) =>
      on(account, 'ecs:DescribeTasks', ecsTask(account, input.cluster, task), { 'ecs:cluster': ecsCluster(account, input.cluster) }),
    ),
  'ecs:StopTask': (input: StopTaskRequest, account) => [
    on(account, 'ecs:StopTask', ecsTask(account, input.cluster, required(input.task, 'task')), { 'ecs:cluster': ecsCluster(account, input.cluster) }),
  ],
  // CloudWatch Logs: GetLogEvents is authorized on the log stream; FilterLogEvents, which reads
  // the whole group, on `log-group:<name>:log-stream:` (an empty stream name), as AWS names the
  // resource when it denies a group-wide read.
  'logs:GetLogEvents': (input: GetLogEventsRequest, account) => [
    on(account, 'logs:GetLogEvents', arn(account, 'logs', `log-group:${required(input.logGroupName, 'log group')}:log-stream:${required(input.logStreamName, 'log stream')}`)),
  ],
  'logs:FilterLogEvents': (input: FilterLogEventsRequest, account) => [
    on(account, 'logs:FilterLogEvents', arn(account, 'logs', `log-group:${required(input.logGroupName, 'log group')}:log-stream:`)),
  ],
  // ECR: the repository, in the account of the registry the request names.
  'ecr:DescribeRepositories': (input: DescribeRepositoriesRequest, account) =>
    required(input.repositoryNames?.length ? input.repositoryNames : undefined, 'repository').map((name) =>
      on(account, 'ecr:DescribeRepositories', repository(account, name, input.registryId)),
    ),
  'ecr:DescribeImages': (input: DescribeImagesRequest, account) => [
    on(account, 'ecr:DescribeImages', repository(account, required(input.repositoryName, 'repository'), input.registryId)),
  ],
  // CodeDeploy: deployment groups and configs; CreateDeployment also reads the configuration and
  // registers the AppSpec as a revision of the application. Deployment ids resolve to their group.
  'codedeploy:GetDeploymentGroup': (input: GetDeploymentGroupInput, account) => [
    on(account, 'codedeploy:GetDeploymentGroup', deploymentGroup(account, input.applicationName, input.deploymentGroupName)),
  ],
  'codedeploy:GetDeploymentConfig': (input: GetDeploymentConfigInput, account) => [
    on(account, 'codedeploy:GetDeploymentConfig', arn(account, 'codedeploy', `deploymentconfig:${required(input.deploymentConfigName, 'deployment config')}`)),
  ],
  'codedeploy:CreateDeployment': (input: CreateDeploymentInput, account) => {
    const application = required(input.applicationName, 'application');
    const group = account.deploymentGroups.find((candidate) => candidate.application === application && candidate.name === input.deploymentGroupName);
    const config = input.deploymentConfigName ?? group?.deploymentConfig;
    const applicationArn = arn(account, 'codedeploy', `application:${application}`);
    return [
      on(account, 'codedeploy:CreateDeployment', deploymentGroup(account, application, input.deploymentGroupName)),
      on(account, 'codedeploy:GetDeploymentConfig', arn(account, 'codedeploy', `deploymentconfig:${required(config, 'deployment config (nor a known group)')}`), {}, true),
      on(account, 'codedeploy:RegisterApplicationRevision', applicationArn, {}, true),
      on(account, 'codedeploy:GetApplicationRevision', applicationArn, {}, true),
    ];
  },
  'codedeploy:GetDeployment': (input: GetDeploymentInput, account) => {
    const deployment = account.deployments.find((candidate) => candidate.id === input.deploymentId);
    if (!deployment) throw new Unresolved(`deployment ${input.deploymentId} is unknown to the account, so is its group`);
    return [on(account, 'codedeploy:GetDeployment', deploymentGroup(account, deployment.application, deployment.deploymentGroup))];
  },
  'codedeploy:ListDeployments': (input: ListDeploymentsInput, account) => [
    on(account, 'codedeploy:ListDeployments', deploymentGroup(account, input.applicationName, input.deploymentGroupName)),
  ],
  'codedeploy:ListDeploymentTargets': accountWide('codedeploy:ListDeploymentTargets'),
  'codedeploy:BatchGetDeploymentTargets': accountWide('codedeploy:BatchGetDeploymentTargets'),
  'codedeploy:ContinueDeployment': accountWide('codedeploy:ContinueDeployment'),
  'codedeploy:StopDeployment': accountWide('codedeploy:StopDeployment'),
  // Elastic Load Balancing: no Describe action has a resource type.
  'elasticloadbalancing:DescribeTargetGroups': accountWide('elasticloadbalancing:DescribeTargetGroups'),
  'elasticloadbalancing:DescribeListeners': accountWide('elasticloadbalancing:DescribeListeners'),
  'elasticloadbalancing:DescribeLoadBalancers': accountWide('elasticloadbalancing:DescribeLoadBalancers'),
  // Application Auto Scaling: scalable targets, with namespace, dimension and the target's tags.
  'application-autoscaling:DescribeScalableTargets': (input: DescribeScalableTargetsRequest) => [
    {
      action: 'application-autoscaling:DescribeScalableTargets',
      resource: '*',
      context: {
        ...(input.ServiceNamespace ? { 'application-autoscaling:service-namespace': input.ServiceNamespace } : {}),
        ...(input.ScalableDimension ? { 'application-autoscaling:scalable-dimension': input.ScalableDimension } : {}),
      },
    },
  ],
  'application-autoscaling:RegisterScalableTarget': (input: RegisterScalableTargetRequest, account) => {
    // Passing a role is authorized as iam:PassRole, which the deploy policy does not grant for this.
    if (input.RoleARN) throw new Unresolved('the request passes RoleARN, and iam:PassRole for scalable targets is not modelled here');
    const target = scalableTarget(account, input);
    const tags = input.Tags ?? {};
    const keys = { 'application-autoscaling:service-namespace': required(input.ServiceNamespace, 'namespace'), 'application-autoscaling:scalable-dimension': required(input.ScalableDimension, 'dimension') };
    return [
      on(account, 'application-autoscaling:RegisterScalableTarget', target, { ...keys, ...requestTags(tags) }),
      ...(Object.keys(tags).length > 0 ? [on(account, 'application-autoscaling:TagResource', target, requestTags(tags), true)] : []),
    ];
  },
  'application-autoscaling:TagResource': (input: TagResourceRequest, account) => [
    on(account, 'application-autoscaling:TagResource', required(input.ResourceARN, 'resource ARN'), requestTags(input.Tags ?? {})),
  ],
  'application-autoscaling:UntagResource': (input: UntagResourceRequest, account) => [
    on(account, 'application-autoscaling:UntagResource', required(input.ResourceARN, 'resource ARN'), { 'aws:TagKeys': input.TagKeys ?? [] }),
  ],
  'application-autoscaling:ListTagsForResource': (input: ListTagsForResourceRequest, account) => [
    on(account, 'application-autoscaling:ListTagsForResource', required(input.ResourceARN, 'resource ARN')),
  ],
};

/** The operations the table knows, as IAM actions. */
export const OPERATIONS_WITH_RESOURCES: readonly string[] = Object.keys(AUTHORIZATIONS);

/** What AWS authorizes for one call; throws `Unresolved` when the call or the account does not name the resource. */
export function authorizationsOf(call: Pick<CallRecord, 'service' | 'operation' | 'input'>, account: EmulatedAccount): Authorization[] {
  const derive = AUTHORIZATIONS[iamActionOfCall(call)] as Derive<unknown> | undefined;
  if (!derive) throw new Unresolved('the operation has no entry in the table of __tests__/support/deploy-policy.ts: add which ARN AWS authorizes it on');
  return derive(call.input ?? {}, account);
}

// ---------------------------------------------------------------- the synthesized policy

/** A statement of the synthesized policy, Terraform expressions still in it. */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** The deploy policy of one environment as synthesized, with the Terraform locals its expressions refer to. */
export interface SynthesizedPolicy {
  readonly statements: readonly Statement[];
  readonly locals: Readonly<Record<string, unknown>>;
}

const synthesized = new Map<string, SynthesizedPolicy>();

/** The synthesized deploy policy of an environment (`release` on the GitHub deploy role). */
export function synthesizedDeployPolicy(environment: EnvironmentConfig): SynthesizedPolicy {
  const cached = synthesized.get(environment.environment);
  if (cached) return cached;
  const github = environment.github ?? STAND_IN;
  const stack = JSON.parse(synthScope((scope) => void new GithubIdentity(scope, 'identity', { environment, github })));
  const policies: Array<{ name: string; policy: string }> = Object.values(stack.resource?.aws_iam_role_policy ?? {});
  const release = policies.find((policy) => policy.name === 'release');
  if (!release) throw new Error(`no deploy policy synthesized for ${environment.environment}`);
  const policy = { statements: JSON.parse(release.policy).Statement, locals: stack.locals ?? {} };
  synthesized.set(environment.environment, policy);
  return policy;
}

/**
 * Terraform expressions the deploy policy may hold, and the value each has in the emulated
 * account. Anything else fails the check: guessing would hide a wrong ARN.
 */
const KNOWN_EXPRESSIONS: readonly { readonly pattern: RegExp; readonly value: (account: EmulatedAccount) => string }[] = [
  // The account id from the OIDC provider's ARN (roles trust only a provider of their own account).
  { pattern: /^element\(split\(":", aws_iam_openid_connect_provider\.[\w-]+\.arn\), 4\)$/, value: (account) => account.accountId },
  { pattern: /^data\.aws_caller_identity\.[\w-]+\.account_id$/, value: (account) => account.accountId },
  { pattern: /^data\.aws_region\.[\w-]+\.(name|region)$/, value: (account) => account.region },
  { pattern: /^data\.aws_partition\.[\w-]+\.partition$/, value: (account) => account.partition },
];

/** `text` with every `${…}` replaced by its value in the account; throws on an expression it does not know. */
export function resolveExpressions(text: string, locals: Readonly<Record<string, unknown>>, account: EmulatedAccount): string {
  if (text.includes('$${')) throw new Error(`the deploy policy holds an IAM policy variable, which the check cannot evaluate: ${text}`);
  return text.replace(/\$\{([^{}]*)\}/g, (_whole, expression: string) => {
    const local = /^local\.([\w-]+)$/.exec(expression);
    if (local) {
      const value = locals[local[1]];
      if (typeof value !== 'string') throw new Error(`the deploy policy refers to local.${local[1]}, which the synthesized stack does not define as a string`);
      return resolveExpressions(value, locals, account);
    }
    const known = KNOWN_EXPRESSIONS.find((candidate) => candidate.pattern.test(expression));
    if (!known) throw new Error(`the deploy policy holds a Terraform expression the check does not know: \${${expression}}; teach KNOWN_EXPRESSIONS in __tests__/support/deploy-policy.ts its value`);
    return known.value(account);
  });
}

/** The policy's statements with their expressions resolved for the account. */
export function resolvedStatements(policy: SynthesizedPolicy, account: EmulatedAccount): Statement[] {
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string') return resolveExpressions(value, policy.locals, account);
    if (Array.isArray(value)) return value.map(resolve);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [resolve(key), resolve(inner)]));
    return value;
  };
  return policy.statements.map((statement) => {
    const unsupported = Object.keys(statement).filter((element) => !['Sid', 'Effect', 'Action', 'Resource', 'Condition'].includes(element));
    if (unsupported.length > 0) throw new Error(`the deploy policy uses ${unsupported.join(', ')}, which the check does not evaluate`);
    return resolve(statement) as Statement;
  });
}

// ---------------------------------------------------------------- IAM's matching rules

/** Whether an action matches one of the policy's action patterns (IAM: case-insensitive, `*` and `?` wildcards). */
export function allows(patterns: readonly string[], action: string): boolean {
  return patterns.some((pattern) => iamWildcard(pattern, true).test(action));
}

/** Whether a resource matches one of the policy's resource patterns (case-sensitive, `*` and `?`). */
export function namesResource(patterns: readonly string[], resource: string): boolean {
  return patterns.some((pattern) => iamWildcard(pattern, false).test(resource));
}

const MATCHERS: Readonly<Record<string, (wanted: string, actual: string) => boolean>> = {
  StringEquals: (wanted, actual) => wanted === actual,
  StringLike: (wanted, actual) => iamWildcard(wanted, false).test(actual),
};

/**
 * Why a condition block fails for a request, or undefined when it holds. Every operator and every
 * key must hold. Plain operators need the key (absent → false) and hold when any of its values
 * matches; ForAllValues holds when each value of the request matches (vacuously for an absent
 * key); ForAnyValue needs at least one matching value.
 */
export function failedCondition(condition: Statement['Condition'], context: ConditionContext): string | undefined {
  const lookup = (key: string) => Object.entries(context).find(([candidate]) => candidate.toLowerCase() === key.toLowerCase())?.[1];
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    const [qualifier, base] = operator.includes(':') ? operator.split(':') : ['', operator];
    const matches = MATCHERS[base];
    if (!matches || !['', 'ForAllValues', 'ForAnyValue'].includes(qualifier)) throw new Error(`the deploy policy uses the condition operator ${operator}, which the check does not evaluate`);
    for (const [key, expected] of Object.entries(keys)) {
      const wanted = [expected].flat();
      const present = lookup(key);
      const values = present === undefined ? undefined : [present].flat();
      const fits = (value: string) => wanted.some((candidate) => matches(candidate, value));
      const holds =
        qualifier === 'ForAllValues' ? (values ?? []).every(fits) : qualifier === 'ForAnyValue' ? (values ?? []).some(fits) : values !== undefined && values.some(fits);
      if (!holds) {
        const had = values === undefined ? `no ${key}` : JSON.stringify(present);
        return `${operator} ${key} ${JSON.stringify(wanted.length === 1 ? wanted[0] : wanted)} fails: the request has ${had}`;
      }
    }
  }
  return undefined;
}

/** Why the statements do not allow an authorization, or undefined when one Allow statement does (and no Deny matches). */
export function deniedBecause(authorization: Authorization, statements: readonly Statement[]): string | undefined {
  const { action, resource, context } = authorization;
  const applicable = statements.filter((statement) => allows([statement.Action].flat(), action));
  const matching = (statement: Statement) => namesResource([statement.Resource].flat(), resource) && failedCondition(statement.Condition, context) === undefined;
  const deny = applicable.find((statement) => statement.Effect === 'Deny' && matching(statement));
  if (deny) return `denied by statement ${deny.Sid ?? '(no Sid)'}`;
  const granting = applicable.filter((statement) => statement.Effect === 'Allow');
  if (granting.length === 0) return `no Allow statement grants ${action}`;
  const onResource = granting.filter((statement) => namesResource([statement.Resource].flat(), resource));
  if (onResource.length === 0) {
    const named = [...new Set(granting.flatMap((statement) => [statement.Resource].flat()))];
    return `no statement granting ${action} names this resource (they name ${named.join(', ')})`;
  }
  if (onResource.some((statement) => failedCondition(statement.Condition, context) === undefined)) return undefined;
  return onResource.map((statement) => `${statement.Sid ?? '(no Sid)'}: ${failedCondition(statement.Condition, context)}`).join('; ');
}

// ---------------------------------------------------------------- the check

/**
 * One line per call (identical lines once) that no deploy policy of the environments allows, as
 * AWS would authorize it in the account: action, resource and conditions, the call's dependent
 * actions included. Empty when every call is allowed.
 */
export function callsOutsideDeployPolicy(calls: readonly CallRecord[], environments: readonly EnvironmentConfig[], account: EmulatedAccount): string[] {
  const statements = environments.flatMap((environment) => resolvedStatements(synthesizedDeployPolicy(environment), account));
  return [...new Set(calls.flatMap((call) => callOutsidePolicy(call, statements, account)))];
}

/** The failures of one call against resolved statements. */
function callOutsidePolicy(call: Pick<CallRecord, 'service' | 'operation' | 'input'>, statements: readonly Statement[], account: EmulatedAccount): string[] {
  const name = `${call.service}.${call.operation}`;
  let authorizations: Authorization[];
  try {
    authorizations = authorizationsOf(call, account);
  } catch (error) {
    if (error instanceof Unresolved) return [`${name}: ${iamActionOfCall(call)} on an unknown resource: ${error.message}`];
    throw error;
  }
  return authorizations.flatMap((authorization) => {
    const why = deniedBecause(authorization, statements);
    return why === undefined ? [] : [`${name}: ${authorization.action} on ${authorization.resource}${authorization.implied ? ' (implied)' : ''}: ${why}`];
  });
}
