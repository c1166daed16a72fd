/**
 * The policy rules (policy/rules.ts, also behind `npm run policy`) over the synthesized JSON of
 * every configured environment plus a two-service one (HTTPS, a test listener open to an office
 * CIDR, secrets, auto scaling): every rule holds everywhere, and every rule reports a stack broken
 * on purpose, naming the resource at fault.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvironment, type EnvironmentConfig } from '../../config';
import { checkEnvironment, formatReport } from '../../policy/check';
import { POLICY_RULES } from '../../policy/rules';
import { resources, type Synthesized } from '../../policy/synthesized';
import { allEnvironments, environmentInput, synthEnvironment } from './support';

type Stack = { config: EnvironmentConfig; synthesized: Synthesized };
const stacks: Record<string, Stack> = Object.fromEntries(allEnvironments().map((config) => [config.environment, { config, synthesized: synthEnvironment(config) }]));

describe.each(Object.keys(stacks))('policy: the %s environment', (name) => {
  const { config, synthesized } = stacks[name];
  const results = checkEnvironment(synthesized, config);

  it.each(results.map((result) => ({ statement: result.rule.statement, result })))('$statement', ({ result }) => {
    expect(result.violations).toEqual([]);
    expect(result.outcome).not.toBe('fail');
  });
});

// ---------------------------------------------------------------------------------------------
// Every rule can fail

type Body = Record<string, any>;

/** A writable copy of an environment's synthesized stack. */
function copyOf(name: string): Stack {
  const { config, synthesized } = stacks[name];
  return { config, synthesized: structuredClone(synthesized) as Synthesized };
}

/** The attributes of the first resource of a type (matching `where`), for editing, with its address. */
function first(synthesized: Synthesized, type: string, where: (body: Body) => boolean = () => true): { body: Body; address: string } {
  const found = resources(synthesized, type).find(where);
  if (!found) throw new Error(`no ${type} to break`);
  return { body: (synthesized.resource as Record<string, Record<string, Body>>)[type][found.__id], address: found.__address };
}

/** Adds a resource and returns its address. */
function add(synthesized: Synthesized, type: string, id: string, body: Body): string {
  const sections = synthesized.resource as Record<string, Record<string, Body>>;
  sections[type] = { ...sections[type], [id]: body };
  return `${type}.${id}`;
}

const isTaskGroup = (body: Body) => String(body.name).endsWith('-tasks');
const isLoadBalancerGroup = (body: Body) => String(body.name).endsWith('-alb');
const groupReference = (synthesized: Synthesized, where: (body: Body) => boolean) => `\${${first(synthesized, 'aws_security_group', where).address}.id}`;
const executionPolicy = (synthesized: Synthesized) => first(synthesized, 'aws_iam_role_policy', (body) => body.name === 'pull-log-read-secrets');
const withStatement = (policy: string, statement: Body) => {
  const document = JSON.parse(policy);
  return JSON.stringify({ ...document, Statement: [...document.Statement, statement] });
};

/** A role trusting GitHub's OIDC provider through `condition`, with the provider, added to a stack. */
function addGitHubRole(synthesized: Synthesized, condition: Body): string {
  const provider = add(synthesized, 'aws_iam_openid_connect_provider', 'github', { url: 'https://token.actions.githubusercontent.com', client_id_list: ['sts.amazonaws.com'] });
  return add(synthesized, 'aws_iam_role', 'github-test', {
    name: 'github-test',
    assume_role_policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Federated: `\${${provider}.arn}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition }],
    }),
  });
}

const PINNED_GITHUB_CONDITION = {
  StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': 'repo:example-org/shop:environment:prod' },
};

/** A role policy allowing iam:PassRole on `resource`, added to a stack. */
const addPassRole = (synthesized: Synthesized, resource: string) =>
  add(synthesized, 'aws_iam_role_policy', 'pass-role', {
    name: 'pass-role',
    role: 'deployer',
    policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'PassTaskRoles', Effect: 'Allow', Action: ['iam:PassRole'], Resource: [resource] }] }),
  });

interface Breakage {
  /** What is broken, completing "<rule id> catches ...". */
  readonly what: string;
  /** Environment to start from. @default 'dev' */
  readonly environment?: string;
  /** Breaks the copy and returns the address the violation must name. */
  readonly apply: (synthesized: Synthesized, config: EnvironmentConfig) => string;
  /** Breaks the configuration the stack is checked with instead of (or as well as) the stack. @default unchanged */
  readonly configure?: (config: EnvironmentConfig) => EnvironmentConfig;
}

const BREAKAGES: Record<string, Breakage> = {
  'tasks-only-from-own-load-balancer': {
    what: 'a task security group opening the task port to 0.0.0.0/0',
    apply: (synthesized) => {
      const rule = first(synthesized, 'aws_vpc_security_group_ingress_rule', (body) => body.security_group_id === groupReference(synthesized, isTaskGroup));
      delete rule.body.referenced_security_group_id;
      rule.body.cidr_ipv4 = '0.0.0.0/0';
      return rule.address;
    },
  },
  'no-unchecked-security-group-rules': {
    what: 'a legacy aws_security_group_rule',
    apply: (synthesized) =>
      add(synthesized, 'aws_security_group_rule', 'ssh', { type: 'ingress', from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['10.0.0.0/8'], security_group_id: groupReference(synthesized, isTaskGroup) }),
  },
  'test-listener-closed-to-world': {
    what: 'the test listener port open to the world',
    environment: 'two',
    apply: (synthesized) => {
      const rule = first(synthesized, 'aws_vpc_security_group_ingress_rule', (body) => body.cidr_ipv4 === '203.0.113.0/24');
      rule.body.cidr_ipv4 = '0.0.0.0/0';
      return rule.address;
    },
  },
  'verification-hook-private': {
    what: 'a resource policy letting anyone invoke the verification hook',
    environment: 'prod',
    apply: (synthesized) =>
      add(synthesized, 'aws_lambda_permission', 'anyone', { action: 'lambda:InvokeFunction', function_name: first(synthesized, 'aws_lambda_function').body.function_name, principal: '*' }),
  },
  'world-only-on-production-ports': {
    what: 'SSH open to the world on the load balancer',
    apply: (synthesized) =>
      add(synthesized, 'aws_vpc_security_group_ingress_rule', 'ssh', { cidr_ipv4: '0.0.0.0/0', from_port: 22, to_port: 22, ip_protocol: 'tcp', security_group_id: groupReference(synthesized, isLoadBalancerGroup) }),
  },
  'load-balancer-egress-only-to-tasks': {
    what: 'a load balancer allowed to send anywhere',
    apply: (synthesized) => {
      const rule = first(synthesized, 'aws_vpc_security_group_egress_rule', (body) => body.security_group_id === groupReference(synthesized, isLoadBalancerGroup));
      delete rule.body.referenced_security_group_id;
      rule.body.cidr_ipv4 = '0.0.0.0/0';
      return rule.address;
    },
  },
  'load-balancers-drop-invalid-headers': {
    what: 'a load balancer passing invalid headers',
    apply: (synthesized) => {
      const lb = first(synthesized, 'aws_lb');
      lb.body.drop_invalid_header_fields = false;
      return lb.address;
    },
  },
  'production-https-only': {
    what: 'a production listener serving plain HTTP',
    environment: 'prod',
    apply: (synthesized) => {
      const listener = first(synthesized, 'aws_lb_listener', (body) => body.port === 80);
      listener.body.default_action = [{ type: 'forward', target_group_arn: 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/blue/1' }];
      return listener.address;
    },
  },
  'production-access-logs': {
    what: 'a production load balancer without access logs',
    environment: 'prod',
    apply: (synthesized) => {
      const lb = first(synthesized, 'aws_lb');
      delete lb.body.access_logs;
      return lb.address;
    },
  },
  'production-deletion-protection': {
    what: 'a production load balancer without deletion protection',
    environment: 'prod',
    apply: (synthesized) => {
      const lb = first(synthesized, 'aws_lb');
      lb.body.enable_deletion_protection = false;
      return lb.address;
    },
  },
  'registries-immutable-and-scanned': {
    what: 'an ECR repository with MUTABLE tags',
    apply: (synthesized) => {
      const repository = first(synthesized, 'aws_ecr_repository');
      repository.body.image_tag_mutability = 'MUTABLE';
      return repository.address;
    },
  },
  'registries-encrypted': {
    what: 'an ECR repository without encryption settings',
    apply: (synthesized) => {
      const repository = first(synthesized, 'aws_ecr_repository');
      delete repository.body.encryption_configuration;
      return repository.address;
    },
  },
  'registries-keep-release-images': {
    what: 'a lifecycle policy that keeps only the newest 30 images',
    apply: (synthesized) => {
      const policy = first(synthesized, 'aws_ecr_lifecycle_policy');
      policy.body.policy = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 30 }, action: { type: 'expire' } }] });
      return policy.address;
    },
  },
  'log-groups-retained': {
    what: 'a log group kept forever',
    apply: (synthesized) => {
      const group = first(synthesized, 'aws_cloudwatch_log_group');
      delete group.body.retention_in_days;
      return group.address;
    },
  },
  'images-pinned': {
    what: 'a container image tagged latest',
    apply: (synthesized) => {
      const definition = first(synthesized, 'aws_ecs_task_definition');
      definition.body.container_definitions = definition.body.container_definitions.replace(/"image":"[^"]+"/, '"image":"nginx:latest"');
      return definition.address;
    },
  },
  'release-tag-reserved': {
    what: 'the release tag on a Terraform task definition',
    apply: (synthesized) => {
      const definition = first(synthesized, 'aws_ecs_task_definition');
      definition.body.tags = { ReleasedBy: 'terraform' };
      return definition.address;
    },
  },
  'state-encrypted': {
    what: 'an S3 state without encryption',
    apply: (synthesized) => {
      (synthesized.terraform as Body).backend = { s3: { bucket: 'state', key: 'shop/dev/terraform.tfstate', region: 'ap-northeast-1', encrypt: false } };
      return 'terraform.backend.s3';
    },
  },
  'iam-documents-readable': {
    what: 'a role policy that is not JSON',
    apply: (synthesized) => {
      const policy = executionPolicy(synthesized);
      policy.body.policy = '${file("policy.json")}';
      return policy.address;
    },
  },
  'iam-no-wildcard-actions': {
    what: 'an IAM statement with Action "*"',
    apply: (synthesized) => {
      const policy = executionPolicy(synthesized);
      policy.body.policy = withStatement(policy.body.policy, { Sid: 'Everything', Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::bucket' });
      return policy.address;
    },
  },
  'iam-no-negations': {
    what: 'a statement with NotAction',
    apply: (synthesized) => {
      const policy = executionPolicy(synthesized);
      policy.body.policy = withStatement(policy.body.policy, { Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::bucket' });
      return policy.address;
    },
  },
  'iam-resource-star-only-for-unscoped-actions': {
    what: 'ecs:UpdateService on every resource',
    apply: (synthesized) => {
      const policy = executionPolicy(synthesized);
      policy.body.policy = withStatement(policy.body.policy, { Effect: 'Allow', Action: ['ecs:UpdateService'], Resource: '*' });
      return policy.address;
    },
  },
  'iam-managed-policies-allow-listed': {
    what: 'AdministratorAccess attached to a role',
    apply: (synthesized) => add(synthesized, 'aws_iam_role_policy_attachment', 'admin', { role: 'shop-dev-web-task', policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
  },
  'iam-pass-role-scoped': {
    what: 'iam:PassRole on "*"',
    apply: (synthesized) => addPassRole(synthesized, '*'),
  },
  'no-long-lived-credentials': {
    what: 'an IAM access key',
    apply: (synthesized) => add(synthesized, 'aws_iam_access_key', 'ci', { user: 'ci' }),
  },
  'iam-trust-no-wildcard-principal': {
    what: 'a role any AWS principal may assume',
    apply: (synthesized) => {
      const role = first(synthesized, 'aws_iam_role', (body) => String(body.name).endsWith('-task'));
      role.body.assume_role_policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] });
      return role.address;
    },
  },
  'github-oidc-trust-pinned': {
    what: 'a GitHub OIDC role any repository may assume',
    apply: (synthesized) => addGitHubRole(synthesized, { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:*' } }),
  },
  'shared-account-acknowledged': {
    what: "dev moved into prod's AWS account without acknowledging it",
    configure: (config) => ({ ...config, accountId: '123456789012' }),
    apply: (synthesized) => first(synthesized, 'aws_iam_role_policy', (body) => body.name === 'release').address,
  },
  'blue-green-services-on-codedeploy': {
    what: 'a blue-green service on the ECS controller',
    apply: (synthesized) => {
      const service = first(synthesized, 'aws_ecs_service');
      service.body.deployment_controller = { type: 'ECS' };
      return service.address;
    },
  },
  'services-ignore-release-attributes': {
    what: 'a service that no longer ignores load_balancer',
    apply: (synthesized) => {
      const service = first(synthesized, 'aws_ecs_service');
      service.body.lifecycle.ignore_changes = ['task_definition'];
      return service.address;
    },
  },
  'listeners-left-to-codedeploy': {
    what: 'a missing ignore_changes entry on the test listener',
    apply: (synthesized) => {
      const listener = first(synthesized, 'aws_lb_listener', (body) => body.port === 8080);
      delete listener.body.lifecycle;
      return listener.address;
    },
  },
  'task-definitions-survive-releases': {
    what: 'a task definition without skip_destroy',
    apply: (synthesized) => {
      const definition = first(synthesized, 'aws_ecs_task_definition');
      delete definition.body.skip_destroy;
      return definition.address;
    },
  },
  'scaling-suspension-left-to-releases': {
    what: 'a scalable target Terraform would un-suspend',
    environment: 'prod',
    apply: (synthesized) => {
      const target = first(synthesized, 'aws_appautoscaling_target');
      delete target.body.lifecycle;
      return target.address;
    },
  },
  'scaling-record-not-drift': {
    what: 'a provider that would read the suspension record into the state',
    environment: 'prod',
    apply: (synthesized) => {
      for (const provider of synthesized.provider?.aws ?? []) delete provider.ignore_tags;
      return 'provider.aws';
    },
  },
  'deployments-roll-back': {
    what: 'a deployment group without auto rollback',
    apply: (synthesized) => {
      const group = first(synthesized, 'aws_codedeploy_deployment_group');
      group.body.auto_rollback_configuration = { enabled: false, events: [] };
      return group.address;
    },
  },
  'deployment-waits-bounded': {
    what: 'a termination wait beyond CodeDeploy’s two days',
    apply: (synthesized) => {
      const group = first(synthesized, 'aws_codedeploy_deployment_group');
      group.body.blue_green_deployment_config.terminate_blue_instances_on_deployment_success.termination_wait_time_in_minutes = 5000;
      return group.address;
    },
  },
};

describe('every policy rule can fail', () => {
  it('has a deliberately broken stack for every rule', () => {
    expect(Object.keys(BREAKAGES).sort()).toEqual(POLICY_RULES.map((rule) => rule.id).sort());
  });

  it.each(POLICY_RULES.map((rule) => ({ id: rule.id, rule, breakage: BREAKAGES[rule.id] })))('$id catches $breakage.what', ({ id, breakage }) => {
    const { config: original, synthesized } = copyOf(breakage.environment ?? 'dev');
    const config = breakage.configure ? breakage.configure(original) : original;
    const address = breakage.apply(synthesized, config);
    const result = checkEnvironment(synthesized, config).find((candidate) => candidate.rule.id === id)!;
    expect(result.outcome).toBe('fail');
    expect(result.violations.map((found) => found.address)).toContain(address);
  });
});

describe('rules about optional resources', () => {
  it('pass a GitHub OIDC role pinned to one repository and sts.amazonaws.com', () => {
    const { config, synthesized } = copyOf('preview');
    addGitHubRole(synthesized, PINNED_GITHUB_CONDITION);
    expect(checkEnvironment(synthesized, config).find((result) => result.rule.id === 'github-oidc-trust-pinned')).toMatchObject({ outcome: 'pass' });
  });

  it('report a GitHub OIDC provider that accepts other client ids', () => {
    const { config, synthesized } = copyOf('preview');
    addGitHubRole(synthesized, PINNED_GITHUB_CONDITION);
    (synthesized.resource as Body).aws_iam_openid_connect_provider.github.client_id_list = ['sts.amazonaws.com', 'my-app'];
    const result = checkEnvironment(synthesized, config).find((candidate) => candidate.rule.id === 'github-oidc-trust-pinned')!;
    expect(result.violations.map((found) => found.address)).toEqual(['aws_iam_openid_connect_provider.github']);
  });

  it('pass iam:PassRole on a role of the stack, and read aws_iam_policy_document data sources', () => {
    const { config, synthesized } = copyOf('preview');
    const address = addPassRole(synthesized, '${aws_iam_role.deployer.arn}');
    (synthesized as { data?: Body }).data = {
      aws_iam_policy_document: { wide: { statement: [{ effect: 'Allow', actions: ['iam:PassRole'], resources: ['arn:aws:iam::123456789012:role/*'] }] } },
    };
    add(synthesized, 'aws_iam_role_policy', 'from-data', { name: 'wide', role: 'deployer', policy: '${data.aws_iam_policy_document.wide.json}' });
    const result = checkEnvironment(synthesized, config).find((candidate) => candidate.rule.id === 'iam-pass-role-scoped')!;
    expect(result.violations.map((found) => found.address)).toEqual(['aws_iam_role_policy.from-data']);
    expect(result.violations.map((found) => found.address)).not.toContain(address);
  });

  it('are not applicable where the stack has none of their resources', () => {
    const { config, synthesized } = copyOf('preview');
    const outcomes = Object.fromEntries(checkEnvironment(synthesized, config).map((result) => [result.rule.id, result.outcome]));
    expect([outcomes['state-encrypted'], outcomes['github-oidc-trust-pinned'], outcomes['iam-pass-role-scoped']]).toEqual(['not-applicable', 'not-applicable', 'not-applicable']);
  });

  it('report static provider credentials unless the stack is the offline plan stack', () => {
    const online = parseEnvironment('dev', environmentInput());
    const { synthesized } = copyOf('dev');
    const result = checkEnvironment(synthesized, online).find((candidate) => candidate.rule.id === 'no-long-lived-credentials')!;
    expect(result.violations).toEqual([{ address: 'provider.aws', message: 'carries static credentials' }]);
  });
});

describe('the documentation', () => {
  it('states the number of rules where README counts them', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const counts = [...readme.matchAll(/(\d+) (?:policy rules|security and operability rules)/g)].map((match) => Number(match[1]));
    expect(counts.length).toBeGreaterThanOrEqual(2);
    expect(counts.every((count) => count === POLICY_RULES.length)).toBe(true);
  });
});

describe('the report', () => {
  it('prints rule, environment and result, then one line per violation with the resource address', () => {
    const { config, synthesized } = copyOf('dev');
    const address = BREAKAGES['registries-immutable-and-scanned'].apply(synthesized, config);
    const lines = formatReport(checkEnvironment(synthesized, config)).split('\n');
    expect(lines[0]).toMatch(/^rule +environment +result$/);
    expect(lines).toContainEqual(expect.stringMatching(/^registries-immutable-and-scanned +dev +FAIL \(1\)$/));
    expect(lines).toContain(`FAIL registries-immutable-and-scanned [dev] ${address}: has MUTABLE tags`);
    expect(lines.at(-2)).toMatch(new RegExp(`^\\d+ passed, 1 failed, \\d+ not applicable \\(${POLICY_RULES.length} rules × 1 environment\\(s\\)\\)$`));
  });
});

describe('rules about workers (no load balancer)', () => {
  const violationsOf = (stack: Stack, id: string) => checkEnvironment(stack.synthesized, stack.config).find((result) => result.rule.id === id)?.violations ?? [];
  const isWorkerTasks = (body: Body) => body.name === 'shop-preview-worker-tasks';

  it("report a worker's task security group admitting anything, even from a load balancer", () => {
    const stack = copyOf('preview');
    const rule = add(stack.synthesized, 'aws_vpc_security_group_ingress_rule', 'worker-in', {
      security_group_id: groupReference(stack.synthesized, isWorkerTasks),
      referenced_security_group_id: groupReference(stack.synthesized, isLoadBalancerGroup),
      ip_protocol: 'tcp',
      from_port: 80,
      to_port: 80,
    });
    expect(rule).toBe('aws_vpc_security_group_ingress_rule.worker-in');
    expect(violationsOf(stack, 'tasks-only-from-own-load-balancer').map((v) => v.message)).toEqual([expect.stringMatching(/has 1 ingress rules; expected none \(a worker takes no traffic\)/)]);
  });

  it("report a worker's alarms that do not roll back, and still a rolling web service without alarms", () => {
    const stack = copyOf('preview');
    const worker = first(stack.synthesized, 'aws_ecs_service', (body) => body.name === 'shop-preview-worker');
    worker.body.alarms = { alarm_names: ['queue-age'], enable: true, rollback: false };
    const web = first(stack.synthesized, 'aws_ecs_service', (body) => body.name === 'shop-preview-web');
    delete web.body.alarms;
    expect(violationsOf(stack, 'deployments-roll-back').map((v) => v.address).sort()).toEqual([web.address, worker.address].sort());
  });
});
