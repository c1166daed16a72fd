/**
 * The end-to-end check of the deploy policy (__tests__/support/deploy-policy.ts) looks at actions,
 * resources and conditions the way IAM does. These tests prove it passes the calls of a normal
 * release and reports each call the policy would not allow on the resource AWS authorizes, with
 * the call, the ARN and the reason on one line.
 */
import {
  BASE_REVISION_TAG_KEY,
  deploymentConfigName,
  environmentNames,
  loadEnvironment,
  RELEASE_TAG_KEY,
  RELEASE_TAG_VALUE,
  SCALING_RECORD_TAG_KEY,
  serviceNames,
  type EnvironmentConfig,
} from '../../config';
import { RELEASE_PERMISSIONS } from '../../config/release-permissions';
import { Emulator, type CallRecord } from '../../emulator';
import {
  allows,
  authorizationsOf,
  callsOutsideDeployPolicy,
  emulatedAccount,
  failedCondition,
  namesResource,
  OPERATIONS_WITH_RESOURCES,
  resolvedStatements,
  resolveExpressions,
  synthesizedDeployPolicy,
  type EmulatedAccount,
} from '../support/deploy-policy';

const REGION = 'ap-northeast-1';
const dev = loadEnvironment('dev', { offline: true });
const prod = loadEnvironment('prod', { offline: true });
const preview = loadEnvironment('preview', { offline: true });
const seeded = emulatedAccount({ emulator: new Emulator({ environments: [dev, prod, preview] }), region: REGION });
const ACCOUNT = seeded.accountId;

function namesOf(env: EnvironmentConfig) {
  return { ...serviceNames(env, env.services[0]), cluster: environmentNames(env).cluster };
}
const PROD = namesOf(prod);
const DEV = namesOf(dev);
const PREVIEW = namesOf(preview);
const PROD_TARGET = seeded.scalableTargets.find((target) => target.resourceId === PROD.scalableResourceId)?.arn ?? '';
/** The deployment the release below creates, as the emulator would know it. */
const PROD_DEPLOYMENT = 'd-PRODREL01';
const DEV_DEPLOYMENT = 'd-DEVREL001';
const account: EmulatedAccount = {
  ...seeded,
  deployments: [
    { id: PROD_DEPLOYMENT, application: PROD.codeDeployApplication, deploymentGroup: PROD.deploymentGroup },
    { id: DEV_DEPLOYMENT, application: DEV.codeDeployApplication, deploymentGroup: DEV.deploymentGroup },
  ],
};

let seq = 0;
function call(service: CallRecord['service'], operation: string, input: Record<string, unknown> = {}): CallRecord {
  seq += 1;
  return { seq, at: '2026-01-01T00:00:00.000Z', service, operation, mutating: false, status: 200, requestId: `r-${seq}`, input };
}

const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const baseRevision = (names: typeof PROD) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${names.taskFamily}:1`;
const RELEASE_TAGS = (names: typeof PROD) => [
  { key: RELEASE_TAG_KEY, value: RELEASE_TAG_VALUE },
  { key: BASE_REVISION_TAG_KEY, value: baseRevision(names) },
];
const registration = (names: typeof PROD, overrides: Record<string, unknown> = {}) =>
  call('ecs', 'RegisterTaskDefinition', {
    family: names.taskFamily,
    taskRoleArn: role(names.taskRole),
    executionRoleArn: role(names.executionRole),
    containerDefinitions: [{ name: 'web', image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${names.repository}@sha256:${'a'.repeat(64)}` }],
    tags: RELEASE_TAGS(names),
    ...overrides,
  });
const scaling = { ServiceNamespace: 'ecs', ResourceId: PROD.scalableResourceId, ScalableDimension: 'ecs:service:DesiredCount' };
const group = (names: typeof PROD) => ({ applicationName: names.codeDeployApplication, deploymentGroupName: names.deploymentGroup });

/** What the release tool sends for a blue/green release of prod's service with auto scaling, in order. */
const PROD_RELEASE: CallRecord[] = [
  call('ecs', 'DescribeServices', { cluster: PROD.cluster, services: [PROD.service] }),
  call('codedeploy', 'GetDeploymentGroup', group(PROD)),
  call('codedeploy', 'GetDeploymentConfig', { deploymentConfigName: deploymentConfigName(prod, prod.services[0]) }),
  call('elbv2', 'DescribeListeners', { ListenerArns: ['arn:aws:elasticloadbalancing:listener/app/x/y/z'] }),
  call('elbv2', 'DescribeTargetGroups', { Names: [...PROD.targetGroups] }),
  call('elbv2', 'DescribeLoadBalancers', { LoadBalancerArns: ['arn:aws:elasticloadbalancing:loadbalancer/app/x/y'] }),
  call('ecs', 'ListTaskDefinitions', { familyPrefix: PROD.taskFamily, status: 'ACTIVE', sort: 'DESC' }),
  call('ecs', 'DescribeTaskDefinition', { taskDefinition: baseRevision(PROD), include: ['TAGS'] }),
  call('ecr', 'DescribeRepositories', { repositoryNames: [PROD.repository] }),
  call('ecr', 'DescribeImages', { repositoryName: PROD.repository, imageIds: [{ imageTag: 'v1.1.0' }] }),
  call('codedeploy', 'ListDeployments', { ...group(PROD), includeOnlyStatuses: ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'] }),
  call('autoscaling', 'DescribeScalableTargets', { ServiceNamespace: 'ecs', ResourceIds: [PROD.scalableResourceId], ScalableDimension: 'ecs:service:DesiredCount' }),
  call('autoscaling', 'ListTagsForResource', { ResourceARN: PROD_TARGET }),
  call('autoscaling', 'TagResource', { ResourceARN: PROD_TARGET, Tags: { [SCALING_RECORD_TAG_KEY]: 'in=false,out=false,scheduled=false' } }),
  call('autoscaling', 'RegisterScalableTarget', { ...scaling, SuspendedState: { DynamicScalingInSuspended: true } }),
  registration(PROD),
  call('codedeploy', 'CreateDeployment', { ...group(PROD), revision: { revisionType: 'AppSpecContent', appSpecContent: { content: '{}' } } }),
  call('codedeploy', 'GetDeployment', { deploymentId: PROD_DEPLOYMENT }),
  call('codedeploy', 'ListDeploymentTargets', { deploymentId: PROD_DEPLOYMENT }),
  call('codedeploy', 'BatchGetDeploymentTargets', { deploymentId: PROD_DEPLOYMENT, targetIds: ['t'] }),
  call('codedeploy', 'ContinueDeployment', { deploymentId: PROD_DEPLOYMENT, deploymentWaitType: 'READY_WAIT' }),
  call('codedeploy', 'StopDeployment', { deploymentId: PROD_DEPLOYMENT, autoRollbackEnabled: true }),
  call('autoscaling', 'RegisterScalableTarget', { ...scaling, SuspendedState: { DynamicScalingInSuspended: false } }),
  call('autoscaling', 'UntagResource', { ResourceARN: PROD_TARGET, TagKeys: [SCALING_RECORD_TAG_KEY] }),
];

describe('the deploy policy check on a normal release', () => {
  it('passes every call of a blue/green release with auto scaling, dependent actions included', () => {
    expect(callsOutsideDeployPolicy(PROD_RELEASE, [prod], account)).toEqual([]);
  });

  it('checks every dependent action config/release-permissions.ts lists, on the resource AWS authorizes it on', () => {
    const implied = PROD_RELEASE.flatMap((release) => authorizationsOf(release, account)).filter((authorization) => authorization.implied);
    const listed = RELEASE_PERMISSIONS.filter((permission) => permission.source === 'implied').map((permission) => permission.action);
    expect([...new Set(implied.map((authorization) => authorization.action))]).toEqual(expect.arrayContaining(listed));
    expect(implied.map((authorization) => `${authorization.action} ${authorization.resource}`)).toEqual(
      expect.arrayContaining([
        `ecs:TagResource arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${PROD.taskFamily}:*`,
        `iam:PassRole ${role(PROD.taskRole)}`,
        `iam:PassRole ${role(PROD.executionRole)}`,
        `codedeploy:RegisterApplicationRevision arn:aws:codedeploy:${REGION}:${ACCOUNT}:application:${PROD.codeDeployApplication}`,
        `codedeploy:GetApplicationRevision arn:aws:codedeploy:${REGION}:${ACCOUNT}:application:${PROD.codeDeployApplication}`,
      ]),
    );
  });

  it('passes a rolling update', () => {
    const rolling = [
      call('ecs', 'DescribeServices', { cluster: PREVIEW.cluster, services: [PREVIEW.service] }),
      registration(PREVIEW),
      call('ecs', 'UpdateService', { cluster: PREVIEW.cluster, service: PREVIEW.service, taskDefinition: `${PREVIEW.taskFamily}:2` }),
    ];
    expect(callsOutsideDeployPolicy(rolling, [preview], account)).toEqual([]);
  });

  it('resolves the account id dev reads from the OIDC provider it creates to the emulated account', () => {
    const statements = resolvedStatements(synthesizedDeployPolicy(dev), account);
    expect(statements.flatMap((statement) => [statement.Resource].flat())).toContain(`arn:aws:ecs:${REGION}:${ACCOUNT}:service/${DEV.cluster}/shop-dev-*`);
    expect(callsOutsideDeployPolicy([call('ecs', 'DescribeServices', { cluster: DEV.cluster, services: [DEV.service] })], [dev], account)).toEqual([]);
  });

  it('knows exactly the operations the release tool sends', () => {
    const sent = RELEASE_PERMISSIONS.filter((permission) => permission.source === 'sdk').map((permission) => permission.action);
    expect([...OPERATIONS_WITH_RESOURCES].sort()).toEqual(sent.sort());
  });
});

describe('the deploy policy check reports, one line each', () => {
  const otherAccount = '210987654321';
  it.each<[string, CallRecord, EmulatedAccount, RegExp]>([
    [
      'a call on another cluster\'s service',
      call('ecs', 'DescribeServices', { cluster: DEV.cluster, services: [PROD.service] }),
      account,
      /^ecs\.DescribeServices: ecs:DescribeServices on arn:aws:ecs:ap-northeast-1:123456789012:service\/shop-dev\/shop-prod-web: no statement granting ecs:DescribeServices names this resource \(they name arn:aws:ecs:ap-northeast-1:123456789012:service\/shop-prod\/shop-prod-\*\)$/,
    ],
    [
      'a task definition family of another service',
      registration(PROD, { family: DEV.taskFamily }),
      account,
      /^ecs\.RegisterTaskDefinition: ecs:RegisterTaskDefinition on arn:aws:ecs:ap-northeast-1:123456789012:task-definition\/shop-dev-web:\*: no statement granting ecs:RegisterTaskDefinition names this resource/,
    ],
    [
      'iam:PassRole of a role that is not the service\'s',
      registration(PROD, { taskRoleArn: role(DEV.taskRole) }),
      account,
      /^ecs\.RegisterTaskDefinition: iam:PassRole on arn:aws:iam::123456789012:role\/shop-dev-web-task \(implied\): no statement granting iam:PassRole names this resource/,
    ],
    [
      'a scalable target tagged for another environment',
      call('autoscaling', 'RegisterScalableTarget', { ...scaling, SuspendedState: { DynamicScalingInSuspended: true } }),
      { ...account, tags: { ...account.tags, [PROD_TARGET]: { ...account.tags[PROD_TARGET], Environment: 'staging' } } },
      /^autoscaling\.RegisterScalableTarget: application-autoscaling:RegisterScalableTarget on arn:aws:application-autoscaling:ap-northeast-1:123456789012:scalable-target\/\w+: SuspendAndRestoreScalingOfThisEnvironment: StringEquals aws:ResourceTag\/Environment "prod" fails: the request has "staging"$/,
    ],
    [
      'a TagResource with a tag key other than the record key',
      call('autoscaling', 'TagResource', { ResourceARN: PROD_TARGET, Tags: { Owner: 'someone' } }),
      account,
      /^autoscaling\.TagResource: application-autoscaling:TagResource on arn:aws:application-autoscaling:\S+: RecordScalingSuspensionOfThisEnvironment: ForAllValues:StringEquals aws:TagKeys "ecs-bluegreen-deploy:suspended-scaling" fails: the request has \["Owner"\]$/,
    ],
    [
      'a RegisterTaskDefinition tagged with other than the release tags (ecs:TagResource is conditioned on them)',
      registration(PROD, { tags: [...RELEASE_TAGS(PROD), { key: 'Owner', value: 'someone' }] }),
      account,
      /^ecs\.RegisterTaskDefinition: ecs:TagResource on arn:aws:ecs:ap-northeast-1:123456789012:task-definition\/shop-prod-web:\* \(implied\): TagRevisionsOnlyWhileRegisteringThem: ForAllValues:StringEquals aws:TagKeys \["ReleasedBy","BaseRevision"\] fails: the request has \["ReleasedBy","BaseRevision","Owner"\]$/,
    ],
    [
      'a scalable target of another account',
      call('autoscaling', 'ListTagsForResource', { ResourceARN: PROD_TARGET.replace(ACCOUNT, otherAccount) }),
      account,
      /^autoscaling\.ListTagsForResource: application-autoscaling:ListTagsForResource on arn:aws:application-autoscaling:ap-northeast-1:210987654321:scalable-target\/\w+: no statement granting .* names this resource/,
    ],
    [
      'a repository of another service',
      call('ecr', 'DescribeImages', { repositoryName: DEV.repository, imageIds: [{ imageTag: 'v1.1.0' }] }),
      account,
      /^ecr\.DescribeImages: ecr:DescribeImages on arn:aws:ecr:ap-northeast-1:123456789012:repository\/shop-dev\/web: no statement granting/,
    ],
    [
      'a deployment of another deployment group (GetDeployment names only its id)',
      call('codedeploy', 'GetDeployment', { deploymentId: DEV_DEPLOYMENT }),
      account,
      /^codedeploy\.GetDeployment: codedeploy:GetDeployment on arn:aws:codedeploy:ap-northeast-1:123456789012:deploymentgroup:shop-dev-web\/shop-dev-web: no statement granting/,
    ],
    [
      'a deployment config neither the group\'s nor a predefined ECS one, also when CreateDeployment names it',
      call('codedeploy', 'CreateDeployment', { ...group(PROD), deploymentConfigName: 'shop-other-traffic-shift' }),
      account,
      /^codedeploy\.CreateDeployment: codedeploy:GetDeploymentConfig on arn:aws:codedeploy:ap-northeast-1:123456789012:deploymentconfig:shop-other-traffic-shift \(implied\): no statement granting/,
    ],
    [
      'a call in another account (the policy names prod\'s account)',
      call('ecs', 'DescribeServices', { cluster: PROD.cluster, services: [PROD.service] }),
      { ...account, accountId: otherAccount },
      /^ecs\.DescribeServices: ecs:DescribeServices on arn:aws:ecs:ap-northeast-1:210987654321:service\/shop-prod\/shop-prod-web: no statement granting/,
    ],
    [
      'a call in another region',
      call('codedeploy', 'GetDeploymentGroup', group(PROD)),
      { ...account, region: 'eu-west-1' },
      /^codedeploy\.GetDeploymentGroup: codedeploy:GetDeploymentGroup on arn:aws:codedeploy:eu-west-1:123456789012:deploymentgroup:shop-prod-web\/shop-prod-web: no statement granting/,
    ],
    [
      'an action the policy does not grant at all (the action-only check)',
      call('ecs', 'UpdateService', { cluster: PROD.cluster, service: PROD.service }),
      account,
      /^ecs\.UpdateService: ecs:UpdateService on \S+: no Allow statement grants ecs:UpdateService$/,
    ],
    [
      'an operation the table does not know, so a new SDK call cannot slip through',
      call('ecs', 'DeleteService', { cluster: PROD.cluster, service: PROD.service }),
      account,
      /^ecs\.DeleteService: ecs:DeleteService on an unknown resource: the operation has no entry in the table/,
    ],
    [
      'a deployment id the account never issued',
      call('codedeploy', 'GetDeployment', { deploymentId: 'd-NOSUCH000' }),
      account,
      /^codedeploy\.GetDeployment: codedeploy:GetDeployment on an unknown resource: deployment d-NOSUCH000 is unknown/,
    ],
  ])('%s', (_what, sent, where, line) => {
    const reported = callsOutsideDeployPolicy([sent], [prod], where);
    expect(reported).toContainEqual(expect.stringMatching(line));
    expect(reported.every((text) => !text.includes('\n'))).toBe(true);
  });

  it('reports each failing authorization of a call, and nothing for the ones that pass', () => {
    expect(callsOutsideDeployPolicy([registration(PROD, { taskRoleArn: role(DEV.taskRole) })], [prod], account)).toHaveLength(1);
  });
});

/**
 * The prefix trap: dev's patterns (`shop-dev-*`) also match the names of an environment `dev-eu`
 * of app `shop` (`shop-dev-eu-web`) and of an app `shop-dev` (`shop-dev-staging-web` for its
 * environment `staging`). Configuration refuses such names in one account (config.test.ts); where they
 * exist anyway (another repository's environment in the account), these calls show what still
 * holds: the `/`-delimited names and the environment's tag.
 */
describe("the deploy policy of dev against names that begin with dev's prefix", () => {
  const devEu = { ...serviceNames({ app: 'shop', environment: 'dev-eu' }, { name: 'web' }), cluster: environmentNames({ app: 'shop', environment: 'dev-eu' }).cluster };
  const otherApp = { ...serviceNames({ app: 'shop-dev', environment: 'staging' }, { name: 'web' }), cluster: environmentNames({ app: 'shop-dev', environment: 'staging' }).cluster };
  const codeDeployArn = (names: typeof devEu) => `arn:aws:codedeploy:${REGION}:${ACCOUNT}:deploymentgroup:${names.codeDeployApplication}/${names.deploymentGroup}`;
  const applicationArn = (names: typeof devEu) => `arn:aws:codedeploy:${REGION}:${ACCOUNT}:application:${names.codeDeployApplication}`;
  /** The account with dev-eu's and the other app's CodeDeploy resources, tagged by their stacks' providers. */
  const sharing: EmulatedAccount = {
    ...account,
    deploymentGroups: [
      ...account.deploymentGroups,
      { application: devEu.codeDeployApplication, name: devEu.deploymentGroup, deploymentConfig: 'CodeDeployDefault.ECSAllAtOnce' },
    ],
    deployments: [...account.deployments, { id: 'd-DEVEU0001', application: devEu.codeDeployApplication, deploymentGroup: devEu.deploymentGroup }],
    tags: {
      ...account.tags,
      [codeDeployArn(devEu)]: { Environment: 'dev-eu' },
      [applicationArn(devEu)]: { Environment: 'dev-eu' },
      [codeDeployArn(otherApp)]: { Environment: 'staging' },
    },
  };

  it('the names really do match the patterns of dev (the trap exists)', () => {
    const statements = resolvedStatements(synthesizedDeployPolicy(dev), sharing);
    const groups = statements.find((statement) => statement.Sid === 'DeployTheseDeploymentGroups');
    expect(namesResource([groups?.Resource ?? []].flat(), codeDeployArn(devEu))).toBe(true);
    expect(namesResource([groups?.Resource ?? []].flat(), codeDeployArn(otherApp))).toBe(true);
  });

  it.each<[string, CallRecord, RegExp]>([
    [
      "CreateDeployment on dev-eu's deployment group (its Environment tag is dev-eu)",
      call('codedeploy', 'CreateDeployment', { ...group(devEu), revision: { revisionType: 'AppSpecContent', appSpecContent: { content: '{}' } } }),
      /^codedeploy\.CreateDeployment: codedeploy:CreateDeployment on \S+:deploymentgroup:shop-dev-eu-web\/shop-dev-eu-web: DeployTheseDeploymentGroups: StringEquals aws:ResourceTag\/Environment "dev" fails: the request has "dev-eu"$/,
    ],
    [
      "GetDeployment of a dev-eu deployment",
      call('codedeploy', 'GetDeployment', { deploymentId: 'd-DEVEU0001' }),
      /^codedeploy\.GetDeployment: codedeploy:GetDeployment on \S+:deploymentgroup:shop-dev-eu-web\/shop-dev-eu-web: DeployTheseDeploymentGroups: StringEquals aws:ResourceTag\/Environment "dev" fails: the request has "dev-eu"$/,
    ],
    [
      "ListDeployments of app shop-dev's group",
      call('codedeploy', 'ListDeployments', group(otherApp)),
      /^codedeploy\.ListDeployments: codedeploy:ListDeployments on \S+:deploymentgroup:shop-dev-staging-web\/shop-dev-staging-web: DeployTheseDeploymentGroups: StringEquals aws:ResourceTag\/Environment "dev" fails: the request has "staging"$/,
    ],
    [
      "DescribeServices in dev-eu's cluster (the cluster is named exactly)",
      call('ecs', 'DescribeServices', { cluster: devEu.cluster, services: [devEu.service] }),
      /^ecs\.DescribeServices: ecs:DescribeServices on \S+:service\/shop-dev-eu\/shop-dev-eu-web: no statement granting ecs:DescribeServices names this resource/,
    ],
    [
      "DescribeImages in app shop-dev's repository (repositories end the prefix with /)",
      call('ecr', 'DescribeImages', { repositoryName: otherApp.repository, imageIds: [{ imageTag: 'v1' }] }),
      /^ecr\.DescribeImages: ecr:DescribeImages on \S+:repository\/shop-dev-staging\/web: no statement granting ecr:DescribeImages names this resource/,
    ],
    [
      "GetLogEvents of dev-eu's log group (log groups end the prefix with /)",
      call('logs', 'GetLogEvents', { logGroupName: devEu.logGroup, logStreamName: 'web/web/abc' }),
      /^logs\.GetLogEvents: logs:GetLogEvents on \S+:log-group:\/ecs\/shop-dev-eu\/web:log-stream:web\/web\/abc: no statement granting logs:GetLogEvents names this resource/,
    ],
  ])('refuses %s', (_what, sent, line) => {
    const reported = callsOutsideDeployPolicy([sent], [dev], sharing);
    expect(reported).toContainEqual(expect.stringMatching(line));
    // CreateDeployment's dependent actions on the application are refused the same way.
    expect(reported.filter((text) => !/"dev" fails: the request has "dev-eu"|no statement granting/.test(text) && !line.test(text))).toEqual([]);
  });

  it("still allows dev's own deployment group, tagged Environment=dev", () => {
    const own: EmulatedAccount = { ...sharing, tags: { ...sharing.tags, [codeDeployArn(DEV)]: { Environment: 'dev' } } };
    expect(callsOutsideDeployPolicy([call('codedeploy', 'GetDeploymentGroup', group(DEV))], [dev], own)).toEqual([]);
  });
});

describe('IAM matching as the check applies it', () => {
  it('matches actions case-insensitively and resources case-sensitively, with * and ? wildcards', () => {
    expect(allows(['ECS:describe*'], 'ecs:DescribeServices')).toBe(true);
    expect(allows(['ecs:Describe?ervices'], 'ecs:DescribeServices')).toBe(true);
    expect(namesResource(['arn:aws:ecs:*:*:service/shop-prod/*'], 'arn:aws:ecs:r:1:service/shop-prod/web')).toBe(true);
    expect(namesResource(['arn:aws:ecs:*:*:service/Shop-Prod/*'], 'arn:aws:ecs:r:1:service/shop-prod/web')).toBe(false);
    expect(namesResource(['arn:aws:ecs:r:1:task-definition/web:*'], '*')).toBe(false);
    expect(namesResource(['*'], '*')).toBe(true);
  });

  it('holds ForAllValues over an absent key, fails StringEquals on one, and applies StringLike wildcards', () => {
    expect(failedCondition({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a'] } }, {})).toBeUndefined();
    expect(failedCondition({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a'] } }, { 'aws:TagKeys': ['a', 'b'] })).toMatch(/the request has \["a","b"\]/);
    expect(failedCondition({ StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } }, {})).toBe('StringEquals ecs:CreateAction "RegisterTaskDefinition" fails: the request has no ecs:CreateAction');
    expect(failedCondition({ StringLike: { 'aws:ResourceTag/Environment': 'pro?' } }, { 'aws:ResourceTag/Environment': 'prod' })).toBeUndefined();
    expect(failedCondition({ StringEquals: { 'AWS:ResourceTag/Environment': 'prod' } }, { 'aws:ResourceTag/Environment': 'prod' })).toBeUndefined();
    expect(() => failedCondition({ NumericLessThan: { 'ecs:task-cpu': '512' } }, {})).toThrow(/condition operator NumericLessThan/);
  });
});

describe('Terraform expressions in the synthesized policy', () => {
  it('resolves locals and the known data sources to the emulated account', () => {
    const locals = { account: '${element(split(":", aws_iam_openid_connect_provider.identity_oidc-provider_1.arn), 4)}' };
    expect(resolveExpressions('arn:${data.aws_partition.p.partition}:iam::${local.account}:role/x', locals, account)).toBe(`arn:aws:iam::${ACCOUNT}:role/x`);
    expect(resolveExpressions('${data.aws_region.current.name}/${data.aws_caller_identity.me.account_id}', {}, account)).toBe(`${REGION}/${ACCOUNT}`);
  });

  it('fails loudly on an expression it does not know instead of treating it as a wildcard', () => {
    expect(() => resolveExpressions('arn:aws:iam::${aws_iam_role.deploy.arn}', {}, account)).toThrow(/Terraform expression the check does not know: \$\{aws_iam_role\.deploy\.arn\}/);
    expect(() => resolveExpressions('${local.missing}', {}, account)).toThrow(/local\.missing/);
    expect(() => resolveExpressions('arn:aws:s3:::b/$${aws:username}', {}, account)).toThrow(/policy variable/);
  });
});
