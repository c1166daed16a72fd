/**
 * The GitHub identity of an environment: OIDC provider, trust of the plan and deploy roles, the
 * plan role's state access, and a deploy policy scoped to exactly this environment's names.
 */
import {
  ConfigError,
  environmentNames,
  GITHUB_ROLE_OUTPUTS,
  loadEnvironment,
  parseEnvironment,
  PREDEFINED_DEPLOYMENT_CONFIGS,
  serviceNames,
  type EnvironmentConfig,
  type EnvironmentConfigInput,
} from '../../config';
import { environmentInput, only, resources, synthEnvironment, type Synthesized } from './support';

const ACCOUNT = '123456789012';
const EXISTING_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

interface Statement {
  Sid: string;
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** An environment named "test" with GitHub identity on; `github` and other fields override the defaults. */
function withGithub(overrides: Partial<EnvironmentConfigInput> = {}, github: Record<string, unknown> = {}): EnvironmentConfig {
  return parseEnvironment('test', {
    ...environmentInput(overrides),
    ...overrides,
    github: { repository: 'example-org/shop', oidcProvider: { mode: 'existing', arn: EXISTING_PROVIDER }, ...github },
  });
}

/** Blue-green `web`, blue-green `api` with auto scaling and a custom canary, rolling `worker`. */
const MIXED_SERVICES: EnvironmentConfigInput['services'] = [
  { name: 'web' },
  { name: 'api', desiredCount: 2, autoScaling: { minCapacity: 2, maxCapacity: 4 }, release: { deploymentConfig: { type: 'canary', percentage: 10, intervalMinutes: 5 } } },
  { name: 'worker', release: { strategy: 'rolling' } },
];

const roleNamed = (synthesized: Synthesized, name: string) => resources(synthesized, 'aws_iam_role').find((role) => role.name === name);
const trust = (synthesized: Synthesized, name: string) => JSON.parse(roleNamed(synthesized, name)?.assume_role_policy).Statement[0];
const inlinePolicy = (synthesized: Synthesized, policyName: string): Statement[] =>
  JSON.parse(resources(synthesized, 'aws_iam_role_policy').find((policy) => policy.name === policyName)?.policy ?? '{"Statement":[]}').Statement;
const bySid = (statements: Statement[]) => Object.fromEntries(statements.map((statement) => [statement.Sid, statement]));
const deployActions = (synthesized: Synthesized) => inlinePolicy(synthesized, 'release').flatMap((statement) => statement.Action);

describe('GitHub identity', () => {
  // Synthesized once each and shared: an existing provider, a created one, three kinds of service.
  const existingProvider = synthEnvironment(withGithub());
  const createdProvider = synthEnvironment(withGithub({}, { oidcProvider: { mode: 'create' } }));
  const mixedConfig = withGithub({ services: MIXED_SERVICES });
  const mixed = synthEnvironment(mixedConfig);

  it('is on in dev and prod, for their GitHub environments, and off in preview, as config/environments.ts says', () => {
    const github = (name: string) => loadEnvironment(name, { offline: true }).github;
    expect([github('dev')?.deployEnvironment, github('prod')?.deployEnvironment, github('preview')]).toEqual(['dev', 'prod', undefined]);
    const devRoles = resources(synthEnvironment(loadEnvironment('dev', { offline: true })), 'aws_iam_role').map((role) => role.name);
    expect(devRoles).toEqual(expect.arrayContaining(['shop-dev-github-plan', 'shop-dev-github-deploy']));
  });

  it('creates no provider, role or output when the environment does not configure it', () => {
    const synthesized = synthEnvironment(parseEnvironment('test', environmentInput()));
    expect(resources(synthesized, 'aws_iam_openid_connect_provider')).toEqual([]);
    expect(resources(synthesized, 'aws_iam_role').filter((role) => role.name.includes('github'))).toEqual([]);
    expect(Object.keys(synthesized.output ?? {}).filter((name) => name.startsWith('github_'))).toEqual([]);
  });

  it('creates the GitHub OIDC provider for the sts.amazonaws.com audience and lets both roles trust it', () => {
    const synthesized = createdProvider;
    const provider = only(synthesized, 'aws_iam_openid_connect_provider');
    expect([provider.url, provider.client_id_list]).toEqual(['https://token.actions.githubusercontent.com', ['sts.amazonaws.com']]);
    const providerArn = `\${aws_iam_openid_connect_provider.${provider.__id}.arn}`;
    expect(trust(synthesized, 'shop-test-github-plan').Principal).toEqual({ Federated: providerArn });
    expect(trust(synthesized, 'shop-test-github-deploy').Principal).toEqual({ Federated: providerArn });
  });

  it('reads the account of every deploy ARN from the created provider, with no AWS lookup', () => {
    const synthesized = createdProvider;
    const provider = only(synthesized, 'aws_iam_openid_connect_provider');
    const [localName, expression] = Object.entries((synthesized as { locals?: Record<string, string> }).locals ?? {})[0];
    expect(expression).toBe(`\${element(split(":", aws_iam_openid_connect_provider.${provider.__id}.arn), 4)}`);
    const scoped = inlinePolicy(synthesized, 'release').flatMap((statement) => statement.Resource).filter((arn) => arn !== '*' && !arn.includes('scalable-target'));
    expect(scoped.every((arn) => arn.split(':')[4] === `\${local.${localName}}`)).toBe(true);
    expect(synthesized.data).toBeUndefined();
  });

  it('trusts an existing provider by its ARN and creates none', () => {
    const synthesized = existingProvider;
    expect(resources(synthesized, 'aws_iam_openid_connect_provider')).toEqual([]);
    expect(trust(synthesized, 'shop-test-github-deploy').Principal).toEqual({ Federated: EXISTING_PROVIDER });
  });

  it('lets the plan role be assumed only by the plan workflows, for pull requests and pushes to the plan branches of the repository', () => {
    const statement = trust(synthEnvironment(withGithub({}, { planBranches: ['main', 'release/1.x'] })), 'shop-test-github-plan');
    expect(statement.Action).toBe('sts:AssumeRoleWithWebIdentity');
    const workflow = (file: string, ref: string) => `job_workflow_ref:example-org/shop/.github/workflows/${file}@${ref}`;
    expect(statement.Condition).toEqual({
      StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
      StringLike: {
        'token.actions.githubusercontent.com:sub': [
          `repo:example-org/shop:pull_request:${workflow('pull-request.yml', 'refs/pull/*/merge')}`,
          `repo:example-org/shop:pull_request:${workflow('infrastructure.yml', 'refs/pull/*/merge')}`,
          `repo:example-org/shop:ref:refs/heads/main:${workflow('pull-request.yml', 'refs/heads/main')}`,
          `repo:example-org/shop:ref:refs/heads/main:${workflow('infrastructure.yml', 'refs/heads/main')}`,
          `repo:example-org/shop:ref:refs/heads/release/1.x:${workflow('pull-request.yml', 'refs/heads/release/1.x')}`,
          `repo:example-org/shop:ref:refs/heads/release/1.x:${workflow('infrastructure.yml', 'refs/heads/release/1.x')}`,
        ],
      },
    });
  });

  it("lets the deploy role be assumed only by release-environment.yml of the release branch, in the GitHub environment (named after the environment by default)", () => {
    const sub = (synthesized: Synthesized) => trust(synthesized, 'shop-test-github-deploy').Condition.StringEquals;
    expect(sub(existingProvider)).toEqual({
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      'token.actions.githubusercontent.com:sub': 'repo:example-org/shop:environment:test:job_workflow_ref:example-org/shop/.github/workflows/release-environment.yml@refs/heads/main',
    });
    expect(sub(synthEnvironment(withGithub({}, { deployEnvironment: 'production', releaseBranch: 'release' })))['token.actions.githubusercontent.com:sub']).toBe(
      'repo:example-org/shop:environment:production:job_workflow_ref:example-org/shop/.github/workflows/release-environment.yml@refs/heads/release',
    );
  });

  it("with GitHub's default subject (subjectClaims: 'default'), trusts the environment and the plan branches as GitHub names them", () => {
    const synthesized = synthEnvironment(withGithub({}, { subjectClaims: 'default' }));
    expect(trust(synthesized, 'shop-test-github-deploy').Condition.StringEquals['token.actions.githubusercontent.com:sub']).toBe('repo:example-org/shop:environment:test');
    expect(trust(synthesized, 'shop-test-github-plan').Condition).toEqual({
      StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': ['repo:example-org/shop:pull_request', 'repo:example-org/shop:ref:refs/heads/main'] },
    });
  });

  it('gives the plan role no managed policy: its own reads and, with local state, nothing else', () => {
    const synthesized = existingProvider;
    const planRole = roleNamed(synthesized, 'shop-test-github-plan');
    expect(resources(synthesized, 'aws_iam_role_policy_attachment').filter((attachment) => attachment.role === `\${aws_iam_role.${planRole?.__id}.name}`)).toEqual([]);
    expect(resources(synthesized, 'aws_iam_role_policy').filter((policy) => policy.role === `\${aws_iam_role.${planRole?.__id}.id}`).map((policy) => policy.name)).toEqual(['terraform-plan-reads']);
  });

  it("scopes the plan role's IAM reads to this environment's roles and its OIDC provider", () => {
    const statements = bySid(inlinePolicy(existingProvider, 'terraform-plan-reads'));
    expect(statements.RefreshThisEnvironmentsRoles.Resource).toEqual([`arn:aws:iam::${ACCOUNT}:role/shop-test-*`]);
    expect(bySid(inlinePolicy(createdProvider, 'terraform-plan-reads')).RefreshTheGitHubOidcProvider.Resource).toEqual([
      `\${${resources(createdProvider, 'aws_iam_openid_connect_provider')[0].__address}.arn}`,
    ]);
    expect(statements.RefreshTheGitHubOidcProvider).toBeUndefined();
  });

  it('lets the plan role read an S3 state and write and delete only its .tflock object', () => {
    const synthesized = synthEnvironment(withGithub({ state: { backend: 's3', bucket: 'shop-state' } }));
    expect(inlinePolicy(synthesized, 'terraform-state').map(({ Action, Resource }) => [Action, Resource])).toEqual([
      [['s3:ListBucket'], ['arn:aws:s3:::shop-state']],
      [['s3:GetObject'], ['arn:aws:s3:::shop-state/shop/test/terraform.tfstate', 'arn:aws:s3:::shop-state/shop/test/terraform.*.tfstate']],
      [['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], ['arn:aws:s3:::shop-state/shop/test/terraform.tfstate.tflock', 'arn:aws:s3:::shop-state/shop/test/terraform.*.tfstate.tflock']],
    ]);
  });

  it('lets the plan role take the DynamoDB lock instead when the state names a table', () => {
    const synthesized = synthEnvironment(withGithub({ state: { backend: 's3', bucket: 'shop-state', key: 'infra/test.tfstate', region: 'us-east-1', dynamodbTable: 'locks' } }));
    const statements = inlinePolicy(synthesized, 'terraform-state');
    expect(statements[1].Resource).toEqual(['arn:aws:s3:::shop-state/infra/test.tfstate', 'arn:aws:s3:::shop-state/infra/test.*.tfstate']);
    expect(statements[2]).toEqual({
      Sid: 'TakeAndReleaseTheStateLock',
      Effect: 'Allow',
      Action: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
      Resource: [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/locks`],
    });
  });

  it('scopes every deploy statement to the names in config/names.ts, and nothing more', () => {
    const config = mixedConfig;
    const [web, api, worker] = config.services.map((service) => serviceNames(config, service));
    const cluster = environmentNames(config).cluster;
    const arn = (service: string, resource: string) => `arn:aws:${service}:ap-northeast-1:${ACCOUNT}:${resource}`;
    const statements = bySid(inlinePolicy(mixed, 'release'));
    const scoped = Object.fromEntries(Object.entries(statements).map(([sid, statement]) => [sid, statement.Resource]));
    expect(scoped).toEqual({
      EcsServicesOfThisEnvironment: [web, api, worker].map((n) => arn('ecs', `service/${cluster}/${n.service}`)).sort(),
      RegisterRevisionsOfTheseFamilies: [web, api, worker].map((n) => arn('ecs', `task-definition/${n.taskFamily}:*`)).sort(),
      TagRevisionsOnlyWhileRegisteringThem: [web, api, worker].map((n) => arn('ecs', `task-definition/${n.taskFamily}:*`)).sort(),
      RunRevisionsOfTheseFamiliesInThisCluster: [web, api, worker].map((n) => arn('ecs', `task-definition/${n.taskFamily}:*`)).sort(),
      FollowAndStopTasksOfThisCluster: [arn('ecs', `task/${cluster}/*`)],
      ReadTheirTaskLogs: [web, api, worker].map((n) => arn('logs', `log-group:${n.logGroup}:log-stream:*`)).sort(),
      PassTaskRolesOnlyToEcsTasks: [web, api, worker].flatMap((n) => [n.executionRole, n.taskRole]).map((role) => `arn:aws:iam::${ACCOUNT}:role/${role}`).sort(),
      ReadAndPushTheseRepositories: [web, api, worker].map((n) => arn('ecr', `repository/${n.repository}`)).sort(),
      RecordAppSpecRevisions: [web, api].map((n) => arn('codedeploy', `application:${n.codeDeployApplication}`)).sort(),
      DeployTheseDeploymentGroups: [web, api].map((n) => arn('codedeploy', `deploymentgroup:${n.codeDeployApplication}/${n.deploymentGroup}`)).sort(),
      ReadTheirDeploymentConfigs: [...PREDEFINED_DEPLOYMENT_CONFIGS, api.customDeploymentConfig].map((name) => arn('codedeploy', `deploymentconfig:${name}`)).sort(),
      SuspendAndRestoreScalingOfThisEnvironment: [arn('application-autoscaling', 'scalable-target/*')],
      RecordScalingSuspensionOfThisEnvironment: [arn('application-autoscaling', 'scalable-target/*')],
      ActionsWithoutResourceScope: ['*'],
      ListTasksOfThisCluster: [arn('ecs', `container-instance/${cluster}/*`)],
    });
    // Task protection, read by `status` for the rolling worker.
    expect(statements.ListTasksOfThisCluster.Condition).toEqual({ StringEquals: { 'ecs:cluster': arn('ecs', `cluster/${cluster}`) } });
    expect(statements.RecordScalingSuspensionOfThisEnvironment.Action.sort()).toEqual([
      'application-autoscaling:ListTagsForResource',
      'application-autoscaling:TagResource',
      'application-autoscaling:UntagResource',
    ]);
    expect(statements.RecordScalingSuspensionOfThisEnvironment.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/Environment': 'test' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['ecs-bluegreen-deploy:suspended-scaling'] },
    });
    expect(statements.SuspendAndRestoreScalingOfThisEnvironment.Condition).toEqual({
      StringEquals: { 'application-autoscaling:service-namespace': 'ecs', 'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount', 'aws:ResourceTag/Environment': 'test' },
    });
    expect(statements.RunRevisionsOfTheseFamiliesInThisCluster.Action).toEqual(['ecs:RunTask']);
    expect(statements.RunRevisionsOfTheseFamiliesInThisCluster.Condition).toEqual({ StringEquals: { 'ecs:cluster': arn('ecs', `cluster/${cluster}`) } });
    expect(statements.FollowAndStopTasksOfThisCluster.Action.sort()).toEqual(['ecs:DescribeTasks', 'ecs:GetTaskProtection', 'ecs:StopTask']);
    expect(statements.ReadTheirTaskLogs.Action).toEqual(['logs:GetLogEvents']);
    expect(statements.TagRevisionsOnlyWhileRegisteringThem.Condition).toEqual({
      StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['ReleasedBy', 'BaseRevision'] },
    });
  });

  it("lets the deploy role read the verification hook's log group (FilterLogEvents), only that group and only where the stack creates the hook", () => {
    const config = withGithub({ services: MIXED_SERVICES, network: { mode: 'create', cidr: '10.30.0.0/16', natGateways: 'single' } });
    const group = environmentNames(config).verificationHookLogGroup;
    const statements = bySid(inlinePolicy(synthEnvironment(config), 'release'));
    expect(statements.ReadTheVerificationHookLog).toEqual({
      Sid: 'ReadTheVerificationHookLog',
      Effect: 'Allow',
      Action: ['logs:FilterLogEvents'],
      Resource: [`arn:aws:logs:ap-northeast-1:${ACCOUNT}:log-group:${group}`, `arn:aws:logs:ap-northeast-1:${ACCOUNT}:log-group:${group}:*`],
    });
    expect(Object.values(statements).filter((statement) => statement.Action.includes('logs:FilterLogEvents'))).toHaveLength(1);
    // No NAT, no hook: nothing to read.
    expect(deployActions(mixed)).not.toContain('logs:FilterLogEvents');
  });

  it("passes only this environment's task and execution roles, and only to ECS tasks", () => {
    const config = mixedConfig;
    const passRole = inlinePolicy(mixed, 'release').filter((statement) => statement.Action.includes('iam:PassRole'));
    expect(passRole).toHaveLength(1);
    expect(passRole[0].Action).toEqual(['iam:PassRole']);
    expect(passRole[0].Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    const ownRoles = config.services.flatMap((service) => [serviceNames(config, service).executionRole, serviceNames(config, service).taskRole]);
    expect(passRole[0].Resource.map((arn) => arn.split(':role/')[1]).sort()).toEqual(ownRoles.sort());
  });

  it('grants only what its strategies need: no CodeDeploy without blue-green, no UpdateService or scaling changes without their services', () => {
    const rolling = deployActions(synthEnvironment(withGithub({ services: [{ name: 'web', release: { strategy: 'rolling' } }] })));
    const blueGreen = deployActions(existingProvider);
    expect(rolling.filter((action) => action.startsWith('codedeploy:') || action.startsWith('application-autoscaling:'))).toEqual([]);
    expect(rolling).toContain('ecs:UpdateService');
    expect(blueGreen).not.toContain('ecs:UpdateService');
    expect(blueGreen).not.toContain('application-autoscaling:RegisterScalableTarget');
    expect(blueGreen).toEqual(expect.arrayContaining(['codedeploy:CreateDeployment', 'application-autoscaling:DescribeScalableTargets']));
  });

  it('puts the role ARNs in the outputs named in config/names.ts', () => {
    const synthesized = existingProvider;
    const roleArn = (name: string) => `\${aws_iam_role.${roleNamed(synthesized, name)?.__id}.arn}`;
    expect(synthesized.output?.[GITHUB_ROLE_OUTPUTS.plan.output]?.value).toBe(roleArn('shop-test-github-plan'));
    expect(synthesized.output?.[GITHUB_ROLE_OUTPUTS.deploy.output]?.value).toBe(roleArn('shop-test-github-deploy'));
  });
});

describe('invalid GitHub identity configuration', () => {
  const problems = (build: () => unknown): string[] => {
    try {
      build();
    } catch (error) {
      if (error instanceof ConfigError) return [...error.problems];
      throw error;
    }
    return [];
  };

  it('rejects a repository that is not owner/name, naming the field', () => {
    expect(problems(() => withGithub({}, { repository: 'shop' }))).toEqual(['test.github.repository: must be "owner/name", such as "example-org/shop"']);
  });

  it('rejects wildcards in plan branches and the GitHub environment', () => {
    expect(problems(() => withGithub({}, { planBranches: ['*'], deployEnvironment: 'prod:*' }))).toHaveLength(2);
  });

  it('rejects an existing provider ARN that is not the GitHub provider', () => {
    expect(problems(() => withGithub({}, { oidcProvider: { mode: 'existing', arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/accounts.google.com` } }))).toEqual([
      expect.stringMatching(/^test\.github\.oidcProvider\.arn: must be the ARN of the GitHub OIDC provider/),
    ]);
  });

  it('rejects, at synth, a provider from another partition than the region', () => {
    const china = withGithub({ region: 'cn-north-1', availabilityZones: ['cn-north-1a', 'cn-north-1b'] });
    expect(problems(() => synthEnvironment(china))).toEqual([
      'test.github.oidcProvider.arn: partition "aws" does not match region cn-north-1 ("aws-cn"); use the provider of this environment\'s account',
    ]);
  });
});
