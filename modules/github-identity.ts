/**
 * GitHub Actions identity for one environment: the account's GitHub OIDC provider (created here
 * or referenced by ARN), a read-only plan role for pull requests and a deploy role for release
 * jobs. Both roles trust only the configured repository and workflows; the deploy role only the
 * release workflow of the release branch in its GitHub environment. The plan role reads exactly
 * what `terraform plan` of this stack refreshes (config/plan-permissions.ts) and the state.
 *
 * The deploy role holds exactly config/release-permissions.ts, scoped to this environment's
 * resources by the names in config/names.ts. Its ARNs need the account id, which no data source
 * may look up (plans run offline), so it is read from the OIDC provider's ARN: IAM roles can
 * only trust a provider of their own account.
 */
import { Construct } from 'constructs';
import { Fn, Lazy, TerraformDataSource, TerraformLocal, TerraformResource, TerraformStack } from 'cdktf';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import {
  BASE_REVISION_TAG_KEY,
  ConfigError,
  deploymentConfigName,
  environmentNames,
  GITHUB_OIDC_HOST,
  GITHUB_ROLE_WORKFLOWS,
  hasVerificationHook,
  PREDEFINED_DEPLOYMENT_CONFIGS,
  RELEASE_TAG_KEY,
  SCALING_RECORD_TAG_KEY,
  serviceNames,
  STATE_LOCK_SUFFIX,
  stateKeyPatterns,
  type EnvironmentConfig,
  type GithubIdentityConfig,
  type ServiceConfig,
} from '../config';
import { PLAN_READS, PLAN_READS_NOTHING, type PlanReadScope } from '../config/plan-permissions';
import { RELEASE_PERMISSIONS, type NeededBy, type ReleaseResourceKind } from '../config/release-permissions';
import { GITHUB_OIDC_AUDIENCE, githubTrustPolicy, partitionOf, policyDocument, type PolicyStatement } from './iam-policy';

export interface GithubIdentityProps {
  /** The environment the roles serve: names, region, services and state backend come from it. */
  readonly environment: EnvironmentConfig;
  /** Repository, GitHub environment, plan branches and OIDC provider (`github` in config/schema.ts). */
  readonly github: GithubIdentityConfig;
}

/** IAM's limit on the inline policies of one role, in characters without whitespace. */
const INLINE_POLICY_LIMIT = 10_240;

/** Builds ARNs of this environment's account and region. */
export type ArnOf = (service: string, resource: string, options?: { readonly global?: boolean; readonly region?: string }) => string;

export function arnBuilder(partition: string, region: string, account: string): ArnOf {
  return (service, resource, options = {}) => `arn:${partition}:${service}:${options.global ? '' : (options.region ?? region)}:${account}:${resource}`;
}

/**
 * The OIDC subjects (`sub` claims) each role accepts, in the format the repository's subject
 * template gives them (GitHub Actions documentation, "OpenID Connect", customizing the subject
 * claims). AWS evaluates only the token's `aud` and `sub` for GitHub (custom claims such as
 * `job_workflow_ref` are not condition keys), so naming the workflow and branch takes a subject
 * template that puts `job_workflow_ref` into `sub`:
 * `repo:<owner/name>:<context>:job_workflow_ref:<owner/name>/.github/workflows/<file>@<ref>`.
 */
export function githubSubjects(env: EnvironmentConfig, github: GithubIdentityConfig): { plan: string[]; deploy: string[]; planOperator: 'StringEquals' | 'StringLike' } {
  const repo = `repo:${github.repository}`;
  const environment = `${repo}:environment:${github.deployEnvironment ?? env.environment}`;
  if (github.subjectClaims === 'default') {
    return { plan: [`${repo}:pull_request`, ...github.planBranches.map((branch) => `${repo}:ref:refs/heads/${branch}`)], deploy: [environment], planOperator: 'StringEquals' };
  }
  const workflow = (file: string, ref: string) => `job_workflow_ref:${github.repository}/.github/workflows/${file}@${ref}`;
  return {
    // A pull request's ref is refs/pull/<number>/merge: the number is the one wildcard.
    plan: [
      ...GITHUB_ROLE_WORKFLOWS.plan.map((file) => `${repo}:pull_request:${workflow(file, 'refs/pull/*/merge')}`),
      ...github.planBranches.flatMap((branch) => GITHUB_ROLE_WORKFLOWS.plan.map((file) => `${repo}:ref:refs/heads/${branch}:${workflow(file, `refs/heads/${branch}`)}`)),
    ],
    deploy: GITHUB_ROLE_WORKFLOWS.deploy.map((file) => `${environment}:${workflow(file, `refs/heads/${github.releaseBranch}`)}`),
    planOperator: 'StringLike',
  };
}

function servicesNeeding(env: EnvironmentConfig, neededBy: NeededBy): ServiceConfig[] {
  const blueGreen = (service: ServiceConfig) => service.release.strategy === 'blue-green';
  switch (neededBy) {
    case 'every service':
      return env.services;
    case 'blue-green':
      return env.services.filter(blueGreen);
    case 'rolling':
      return env.services.filter((service) => !blueGreen(service));
    case 'auto scaling':
      // Only blue-green releases suspend scaling (rolling updates leave it running).
      return env.services.filter((service) => blueGreen(service) && service.autoScaling !== undefined);
    case 'verification hook':
      // The hook verifies blue-green releases, and only where the stack creates it.
      return hasVerificationHook(env) ? env.services.filter(blueGreen) : [];
  }
}

interface StatementShape {
  readonly sid: string;
  /** The resources of the given services; none drops the statement. */
  readonly resources: (services: readonly ServiceConfig[]) => string[];
  readonly condition?: PolicyStatement['Condition'];
}

/** One statement per resource kind: what it names and under which condition. */
function statementShapes(env: EnvironmentConfig, arnOf: ArnOf): Record<ReleaseResourceKind, StatementShape> {
  const names = (service: ServiceConfig) => serviceNames(env, service);
  const { cluster, verificationHookLogGroup: hookLogGroup } = environmentNames(env);
  const whenAny = (resource: string) => (services: readonly ServiceConfig[]) => (services.length > 0 ? [resource] : []);
  return {
    'ecs-service': { sid: 'EcsServicesOfThisEnvironment', resources: (services) => services.map((s) => arnOf('ecs', `service/${cluster}/${names(s).service}`)) },
    'task-family': { sid: 'RegisterRevisionsOfTheseFamilies', resources: (services) => services.map((s) => arnOf('ecs', `task-definition/${names(s).taskFamily}:*`)) },
    'task-family-at-registration': {
      sid: 'TagRevisionsOnlyWhileRegisteringThem',
      resources: (services) => services.map((s) => arnOf('ecs', `task-definition/${names(s).taskFamily}:*`)),
      condition: {
        StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [RELEASE_TAG_KEY, BASE_REVISION_TAG_KEY] },
      },
    },
    'task-family-in-cluster': {
      sid: 'RunRevisionsOfTheseFamiliesInThisCluster',
      resources: (services) => services.map((s) => arnOf('ecs', `task-definition/${names(s).taskFamily}:*`)),
      condition: { StringEquals: { 'ecs:cluster': arnOf('ecs', `cluster/${cluster}`) } },
    },
    'ecs-task': { sid: 'FollowAndStopTasksOfThisCluster', resources: whenAny(arnOf('ecs', `task/${cluster}/*`)) },
    'log-streams': { sid: 'ReadTheirTaskLogs', resources: (services) => services.map((s) => arnOf('logs', `log-group:${names(s).logGroup}:log-stream:*`)) },
    // The log-group resource type of the Service Authorization Reference is `log-group:<name>`;
    // AWS authorizes group-wide reads on `log-group:<name>:log-stream:` (its AccessDenied messages
    // name that), which `:*` covers. Both name this one group only (a group name has no colon).
    'verification-hook-log': {
      sid: 'ReadTheVerificationHookLog',
      resources: (services) => (services.length === 0 ? [] : [`log-group:${hookLogGroup}`, `log-group:${hookLogGroup}:*`].map((resource) => arnOf('logs', resource))),
    },
    // ListTasks is authorized on container instances, with the cluster as `ecs:cluster`
    // (Service Authorization Reference, Amazon ECS): Fargate tasks have none, the condition scopes it.
    'ecs-task-list': {
      sid: 'ListTasksOfThisCluster',
      resources: whenAny(arnOf('ecs', `container-instance/${cluster}/*`)),
      condition: { StringEquals: { 'ecs:cluster': arnOf('ecs', `cluster/${cluster}`) } },
    },
    'task-roles': {
      sid: 'PassTaskRolesOnlyToEcsTasks',
      resources: (services) => services.flatMap((s) => [names(s).executionRole, names(s).taskRole].map((role) => arnOf('iam', `role/${role}`, { global: true }))),
      condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    },
    repository: { sid: 'ReadAndPushTheseRepositories', resources: (services) => services.map((s) => arnOf('ecr', `repository/${names(s).repository}`)) },
    'codedeploy-application': { sid: 'RecordAppSpecRevisions', resources: (services) => services.map((s) => arnOf('codedeploy', `application:${names(s).codeDeployApplication}`)) },
    'deployment-group': {
      sid: 'DeployTheseDeploymentGroups',
      resources: (services) => services.map((s) => arnOf('codedeploy', `deploymentgroup:${names(s).codeDeployApplication}/${names(s).deploymentGroup}`)),
    },
    'deployment-config': {
      sid: 'ReadTheirDeploymentConfigs',
      // Each group's own config, and the predefined ECS ones `--deployment-config` may pick instead:
      // the tool reads the chosen one, and CreateDeployment is authorized as reading it too.
      resources: (services) =>
        services.length === 0
          ? []
          : [...new Set([...services.map((s) => deploymentConfigName(env, s)), ...PREDEFINED_DEPLOYMENT_CONFIGS])].map((name) => arnOf('codedeploy', `deploymentconfig:${name}`)),
    },
    'ecs-scalable-target': {
      sid: 'SuspendAndRestoreScalingOfThisEnvironment',
      // The ARN ends in an id AWS assigns, so the targets are picked by namespace, dimension and
      // the Environment tag the provider puts on everything (providerConfig in environment-stack.ts).
      resources: whenAny(arnOf('application-autoscaling', 'scalable-target/*')),
      condition: {
        StringEquals: {
          'application-autoscaling:service-namespace': 'ecs',
          'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount',
          'aws:ResourceTag/Environment': env.environment,
        },
      },
    },
    'ecs-scalable-target-record': {
      sid: 'RecordScalingSuspensionOfThisEnvironment',
      // Tag actions carry no namespace or dimension keys: the Environment tag scopes the targets,
      // and of all tag keys only the suspension record may be written or removed.
      resources: whenAny(arnOf('application-autoscaling', 'scalable-target/*')),
      condition: {
        StringEquals: { 'aws:ResourceTag/Environment': env.environment },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [SCALING_RECORD_TAG_KEY] },
      },
    },
    'account-wide': { sid: 'ActionsWithoutResourceScope', resources: whenAny('*') },
  };
}

/** The deploy role's statements: every permission of config/release-permissions.ts this environment's services need. */
export function deployPolicyStatements(env: EnvironmentConfig, arnOf: ArnOf): PolicyStatement[] {
  const shapes = statementShapes(env, arnOf);
  return (Object.keys(shapes) as ReleaseResourceKind[]).flatMap((kind) => {
    const shape = shapes[kind];
    const granted = RELEASE_PERMISSIONS.filter((permission) => permission.resource === kind)
      .map((permission) => ({ action: permission.action, resources: shape.resources(servicesNeeding(env, permission.neededBy)) }))
      .filter((permission) => permission.resources.length > 0);
    if (granted.length === 0) return [];
    const statement: PolicyStatement = {
      Sid: shape.sid,
      Effect: 'Allow',
      Action: [...new Set(granted.map((permission) => permission.action))],
      Resource: [...new Set(granted.flatMap((permission) => permission.resources))].sort(),
      ...(shape.condition ? { Condition: shape.condition } : {}),
    };
    return [statement];
  });
}

/**
 * The plan role's refresh statements: for each resource type of the stack, the reads of
 * config/plan-permissions.ts, one statement per scope. A type without an entry fails synthesis.
 */
export function planReadStatements(env: EnvironmentConfig, resourceTypes: Iterable<string>, arnOf: ArnOf, providerArn: string): PolicyStatement[] {
  const types = [...new Set(resourceTypes)].filter((type) => !PLAN_READS_NOTHING.includes(type)).sort();
  const unknown = types.filter((type) => !PLAN_READS[type]);
  if (unknown.length > 0) {
    throw new ConfigError(unknown.map((type) => `${env.environment}.github: terraform plan reads ${type}, which config/plan-permissions.ts does not list; add its Read calls there (hashicorp/aws provider source) so the plan role may make them`));
  }
  const names = environmentNames(env);
  const scopes: Record<PlanReadScope, { sid: string; resources: string[] }> = {
    any: { sid: 'RefreshTheStacksResourceTypes', resources: ['*'] },
    'environment-roles': { sid: 'RefreshThisEnvironmentsRoles', resources: [arnOf('iam', `role/${names.stack}-*`, { global: true })] },
    'oidc-provider': { sid: 'RefreshTheGitHubOidcProvider', resources: [providerArn] },
    'access-log-bucket': { sid: 'RefreshTheAccessLogBucket', resources: [`arn:${partitionOf(env.region)}:s3:::${names.accessLogBucketPrefix}*`] },
    'verification-hook': { sid: 'RefreshTheVerificationHook', resources: [arnOf('lambda', `function:${names.verificationHook}`)] },
  };
  return (Object.keys(scopes) as PlanReadScope[]).flatMap((scope) => {
    const actions = [...new Set(types.filter((type) => PLAN_READS[type].scope === scope).flatMap((type) => PLAN_READS[type].actions))].sort();
    return actions.length === 0 ? [] : [{ Sid: scopes[scope].sid, Effect: 'Allow' as const, Action: actions, Resource: scopes[scope].resources }];
  });
}

/** Every resource and data source type synthesized in a stack. */
function stackResourceTypes(stack: TerraformStack): string[] {
  return stack.node
    .findAll()
    .filter((construct): construct is TerraformResource | TerraformDataSource => construct instanceof TerraformResource || construct instanceof TerraformDataSource)
    .map((construct) => construct.terraformResourceType);
}

/** The plan role's state statements: reading the S3 state and taking its lock. */
export function planPolicyStatements(env: EnvironmentConfig, arnOf: ArnOf): PolicyStatement[] {
  const state = env.state;
  if (state.backend !== 's3') return [];
  const bucket = `arn:${partitionOf(state.region ?? env.region)}:s3:::${state.bucket}`;
  // Every stack's state: the shared stack's key and the service stacks' keys (config/names.ts).
  const keys = stateKeyPatterns(env, state).map((key) => `${bucket}/${key}`);
  const lock: PolicyStatement = state.dynamodbTable
    ? {
        Sid: 'TakeAndReleaseTheStateLock',
        Effect: 'Allow',
        Action: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
        Resource: [arnOf('dynamodb', `table/${state.dynamodbTable}`, { region: state.region ?? env.region })],
      }
    : { Sid: 'TakeAndReleaseTheStateLock', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: keys.map((key) => `${key}${STATE_LOCK_SUFFIX}`) };
  return [
    { Sid: 'ListTheStateBucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucket] },
    { Sid: 'ReadTheState', Effect: 'Allow', Action: ['s3:GetObject'], Resource: keys },
    lock,
  ];
}

export class GithubIdentity extends Construct {
  /** ARN of the account's GitHub OIDC provider (created here or configured). */
  public readonly providerArn: string;
  /** Role pull-request and push jobs assume to run `terraform plan`: the reads of the stack's resource types, and the state. */
  public readonly planRoleArn: string;
  /** Role release jobs of the GitHub environment assume to push images and run `npm run deploy`. */
  public readonly deployRoleArn: string;
  /** The deploy role's statements, as synthesized. */
  public readonly deployStatements: readonly PolicyStatement[];

  /** The environment's other stacks (its services'), whose resource types the plan role also refreshes. */
  private readonly otherStacks: TerraformStack[] = [];

  constructor(scope: Construct, id: string, props: GithubIdentityProps) {
    super(scope, id);
    const { environment: env, github } = props;
    const names = environmentNames(env);
    const partition = partitionOf(env.region);

    let account: string;
    if (github.oidcProvider.mode === 'existing') {
      const [, providerPartition, , , providerAccount] = github.oidcProvider.arn.split(':');
      if (providerPartition !== partition) {
        throw new ConfigError([`${env.environment}.github.oidcProvider.arn: partition "${providerPartition}" does not match region ${env.region} ("${partition}"); use the provider of this environment's account`]);
      }
      this.providerArn = github.oidcProvider.arn;
      account = providerAccount;
    } else {
      const provider = new IamOpenidConnectProvider(this, 'oidc-provider', {
        url: `https://${GITHUB_OIDC_HOST}`,
        clientIdList: [GITHUB_OIDC_AUDIENCE],
      });
      this.providerArn = provider.arn;
      // A local keeps the expression (and its quotes) out of the policy JSON: `${local.…}`.
      account = new TerraformLocal(this, 'account-id', Fn.element(Fn.split(':', provider.arn), 4)).asString;
    }

    const arnOf = arnBuilder(partition, env.region, account);
    this.deployStatements = deployPolicyStatements(env, arnOf);
    const estimated = policyDocument(deployPolicyStatements(env, arnBuilder(partition, env.region, '123456789012'))).length;
    if (estimated > INLINE_POLICY_LIMIT) {
      throw new ConfigError([`${env.environment}.github: the deploy policy for ${env.services.length} services is ${estimated} characters, over IAM's ${INLINE_POLICY_LIMIT} per role; split the services over more environments`]);
    }
    const subjects = githubSubjects(env, github);

    const planRole = new IamRole(this, 'plan-role', {
      name: names.planRole,
      description: `GitHub ${github.repository}: terraform plan of ${names.stack} (read-only)`,
      assumeRolePolicy: githubTrustPolicy(this.providerArn, subjects.plan, subjects.planOperator),
    });
    // Produced at synthesis, when every construct of the stack exists: the reads of exactly the
    // resource types the stack has.
    const providerArn = this.providerArn;
    new IamRolePolicy(this, 'plan-reads', {
      name: 'terraform-plan-reads',
      role: planRole.id,
      policy: Lazy.stringValue({ produce: () => policyDocument(planReadStatements(env, [TerraformStack.of(this), ...this.otherStacks].flatMap(stackResourceTypes), arnOf, providerArn)) }),
    });
    const planStatements = planPolicyStatements(env, arnOf);
    if (planStatements.length > 0) {
      new IamRolePolicy(this, 'plan-state', { name: 'terraform-state', role: planRole.id, policy: policyDocument(planStatements) });
    }

    const deployRole = new IamRole(this, 'deploy-role', {
      name: names.deployRole,
      description: `GitHub ${github.repository}: push images and release ${names.stack}`,
      assumeRolePolicy: githubTrustPolicy(this.providerArn, subjects.deploy),
    });
    new IamRolePolicy(this, 'deploy-release', { name: 'release', role: deployRole.id, policy: policyDocument(this.deployStatements) });

    this.planRoleArn = planRole.arn;
    this.deployRoleArn = deployRole.arn;
  }

  /** Let the plan role also refresh what `stack` (a service stack of this environment) holds. */
  public planAlso(stack: TerraformStack): void {
    this.otherStacks.push(stack);
  }
}
