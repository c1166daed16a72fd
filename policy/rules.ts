/**
 * The security and operability invariants every synthesized environment must hold, one named rule
 * each. `npm run policy` runs them over the stacks as `cdktf` synthesizes them, and
 * __tests__/infra/policy.test.ts runs the same rules over every environment and proves each can
 * fail.
 *
 * A rule reads only the synthesized Terraform JSON and the environment's configuration, and
 * reports each violation with the address of the resource at fault.
 */
import {
  accountOf,
  anyServiceNames,
  environmentNames,
  environmentNamesList,
  GITHUB_OIDC_HOST,
  loadEnvironment,
  RELEASE_TAG_KEY,
  SCALING_RECORD_TAG_KEY,
  serviceNames,
  sharedAccountProblems,
  testListenerPort,
  type EnvironmentConfig,
  type ServiceConfig,
} from '../config';
import { ACTIONS_ALLOWED_ON_ANY_RESOURCE, isAllowedManagedPolicyArn, isAllowedOnAnyResource, MANAGED_POLICIES_ALLOWED } from './allowed-iam';
import {
  actionCovers,
  iamDocuments,
  ignoreChanges,
  list,
  objectAt,
  providerIgnoresTag,
  referenceTarget,
  resources,
  type IamDocument,
  type IamStatement,
  type Synthesized,
  type SynthesizedResource,
} from './synthesized';

/** One broken invariant: the resource at fault and what is wrong with it. */
export interface Violation {
  /** Terraform address, e.g. `aws_ecr_repository.service-web_registry_repository_246D1CBE`. */
  readonly address: string;
  readonly message: string;
}

export interface PolicyRule {
  /** Stable kebab-case name, used in the report and in tests. */
  readonly id: string;
  /** The invariant in one sentence. */
  readonly statement: string;
  /**
   * Whether the stack has anything this rule is about; a rule for optional resources (GitHub OIDC
   * roles, iam:PassRole, an S3 backend) is reported `n/a` where they are absent.
   * @default always applies
   */
  readonly appliesTo?: (synthesized: Synthesized, config: EnvironmentConfig) => boolean;
  readonly check: (synthesized: Synthesized, config: EnvironmentConfig) => Violation[];
}

// ---------------------------------------------------------------------------------------------
// Shared readers

const WORLD_CIDRS = { cidr_ipv4: '0.0.0.0/0', cidr_ipv6: '::/0' } as const;
/** Ports a production listener uses: HTTP, and HTTPS with its HTTP redirect. */
const PRODUCTION_PORTS = [80, 443];
/** CodeDeploy keeps an original ECS task set at most this long after a successful deployment. */
const CODEDEPLOY_MAX_TERMINATION_WAIT_MINUTES = 2880;
/** IAM resources that are long-lived credentials or the users that hold them. */
const LONG_LIVED_CREDENTIAL_TYPES = [
  'aws_iam_user',
  'aws_iam_access_key',
  'aws_iam_user_login_profile',
  'aws_iam_user_policy',
  'aws_iam_user_policy_attachment',
  'aws_iam_user_group_membership',
  'aws_iam_user_ssh_key',
  'aws_iam_service_specific_credential',
  'aws_iam_signing_certificate',
];
/** An AWS access key id (long-lived AKIA or temporary ASIA) written anywhere in the stack. */
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/;

const sameList = (actual: unknown, expected: readonly string[]) => JSON.stringify(actual) === JSON.stringify(expected);
const violation = (address: string, message: string): Violation => ({ address, message });

interface ServiceGroups {
  readonly service: ServiceConfig;
  /** Address of the service's task security group, when it exists. */
  readonly tasks?: string;
  /** Address of the service's load balancer security group, when it exists. */
  readonly loadBalancer?: string;
}

/** Addresses of the resources, data sources and provider blocks whose JSON matches a pattern. */
function objectsMatching(synthesized: Synthesized, pattern: RegExp): string[] {
  const blocks: Array<[string, unknown]> = [
    ...(['resource', 'data'] as const).flatMap((section) =>
      Object.entries(synthesized[section] ?? {}).flatMap(([type, objects]) =>
        Object.entries(objects).map(([id, body]): [string, unknown] => [`${section === 'data' ? 'data.' : ''}${type}.${id}`, body]),
      ),
    ),
    ...Object.entries(synthesized.provider ?? {}).map(([name, body]): [string, unknown] => [`provider.${name}`, body]),
  ];
  return blocks.filter(([, body]) => pattern.test(JSON.stringify(body))).map(([address]) => address);
}

/** Each configured service with the addresses of its two security groups (found by their configured names). */
function serviceGroups(synthesized: Synthesized, config: EnvironmentConfig): ServiceGroups[] {
  const groups = resources(synthesized, 'aws_security_group');
  const addressOf = (name: string) => groups.find((group) => group.name === name)?.__address;
  return config.services.map((service) => {
    const names = serviceNames(config, service);
    return { service, tasks: addressOf(names.taskSecurityGroup), loadBalancer: addressOf(names.albSecurityGroup) };
  });
}

/** Security group rules of a kind attached to a security group address. */
function rulesOf(synthesized: Synthesized, kind: 'ingress' | 'egress', group: string | undefined): SynthesizedResource[] {
  return resources(synthesized, `aws_vpc_security_group_${kind}_rule`).filter((rule) => group !== undefined && referenceTarget(rule.security_group_id) === group);
}

function opensToWorld(rule: Record<string, any>): boolean {
  return rule.cidr_ipv4 === WORLD_CIDRS.cidr_ipv4 || rule.cidr_ipv6 === WORLD_CIDRS.cidr_ipv6;
}

function describeSource(rule: Record<string, any>): string {
  return rule.cidr_ipv4 ?? rule.cidr_ipv6 ?? rule.prefix_list_id ?? referenceTarget(rule.referenced_security_group_id) ?? String(rule.referenced_security_group_id);
}

/** Allow statements of readable documents of a kind, with their document; unreadable ones are reported by iam-documents-readable. */
function allowStatements(synthesized: Synthesized, kind: IamDocument['kind']): Array<{ document: IamDocument; statement: IamStatement }> {
  return iamDocuments(synthesized)
    .filter((document) => document.kind === kind)
    .flatMap((document) => (document.statements ?? []).filter((statement) => statement.Effect === 'Allow').map((statement) => ({ document, statement })));
}

function statementName(statement: IamStatement): string {
  return statement.Sid ? `statement ${statement.Sid}` : 'a statement';
}

/** The ECS service attributes releases (and auto scaling) change, which Terraform must ignore. */
function expectedServiceIgnores(synthesized: Synthesized, service: Record<string, any>): string[] {
  const scaled = resources(synthesized, 'aws_appautoscaling_target').some((target) => String(target.resource_id).endsWith(`/${service.name}`));
  return ['task_definition', ...(service.deployment_controller?.type === 'CODE_DEPLOY' ? ['load_balancer'] : []), ...(scaled ? ['desired_count'] : [])];
}

/** Whether a trust statement's federated principal is GitHub's OIDC provider (by ARN, or a provider resource or data source for its URL). */
function trustsGitHub(synthesized: Synthesized, statement: IamStatement): boolean {
  const principal = statement.Principal;
  if (principal === undefined || principal === '*') return false;
  return list(principal.Federated).some((federated) => {
    if (federated.includes(GITHUB_OIDC_HOST)) return true;
    const target = referenceTarget(federated);
    return target !== undefined && String(objectAt(synthesized, target)?.url ?? '').includes(GITHUB_OIDC_HOST);
  });
}

/** `repo:<owner>/<name>:<anything>`: a subject that names exactly one repository (wildcards only after it). */
const ONE_REPOSITORY_SUBJECT = /^repo:[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+:[^\s]+$/;

/** A role ARN naming one role (no wildcard in the name), or a reference to a role in this stack. */
function namesOneRole(resource: string): boolean {
  const target = referenceTarget(resource);
  if (target) return target.startsWith('aws_iam_role.') || target.startsWith('data.aws_iam_role.');
  return /^arn:aws[a-z-]*:iam::(?:\d{12}|\$\{[^}]+\}):role\/[^*?]+$/.test(resource);
}

// ---------------------------------------------------------------------------------------------
// Network

const tasksOnlyFromOwnLoadBalancer: PolicyRule = {
  id: 'tasks-only-from-own-load-balancer',
  statement:
    "Each service's tasks use only their own security group, whose one ingress rule admits the container port from the service's load balancer security group, never from a CIDR; a worker's admits nothing and it has no load balancer security group.",
  check: (synthesized, config) =>
    serviceGroups(synthesized, config).flatMap(({ service, tasks, loadBalancer }) => {
      const name = serviceNames(config, service);
      const worker = service.kind === 'worker';
      if (!tasks) return [violation(`service ${service.name}`, `security group ${name.taskSecurityGroup} is missing`)];
      if (worker && loadBalancer) return [violation(loadBalancer, `is a load balancer security group of worker ${service.name}, which has no load balancer`)];
      if (!worker && !loadBalancer) return [violation(`service ${service.name}`, `security group ${name.albSecurityGroup} is missing`)];
      const ingress = rulesOf(synthesized, 'ingress', tasks);
      const found: Violation[] = [];
      const expectedIngress = worker ? 0 : 1;
      if (ingress.length !== expectedIngress) found.push(violation(tasks, `has ${ingress.length} ingress rules; expected ${worker ? 'none (a worker takes no traffic)' : `exactly one, from ${loadBalancer}`}`));
      for (const rule of ingress.filter(() => !worker)) {
        const fromLoadBalancer = referenceTarget(rule.referenced_security_group_id) === loadBalancer && !rule.cidr_ipv4 && !rule.cidr_ipv6 && !rule.prefix_list_id;
        if (!fromLoadBalancer) found.push(violation(rule.__address, `admits ${describeSource(rule)}; only ${loadBalancer} may reach the tasks`));
        if (rule.from_port !== service.containerPort || rule.to_port !== service.containerPort) {
          found.push(violation(rule.__address, `opens ports ${rule.from_port}-${rule.to_port}; only the container port ${service.containerPort}`));
        }
      }
      for (const ecsService of resources(synthesized, 'aws_ecs_service').filter((candidate) => candidate.name === name.service)) {
        const attached = list(ecsService.network_configuration?.security_groups as string[]).map((group) => referenceTarget(group) ?? group);
        if (!sameList(attached, [tasks])) found.push(violation(ecsService.__address, `runs in security groups ${attached.join(', ')}; expected only ${tasks}`));
      }
      return found;
    }),
};

const noUncheckedSecurityGroupRules: PolicyRule = {
  id: 'no-unchecked-security-group-rules',
  statement: 'Security group rules are separate aws_vpc_security_group_*_rule resources: no inline ingress or egress blocks and no aws_security_group_rule, which would escape these checks.',
  check: (synthesized) => [
    ...[...resources(synthesized, 'aws_security_group'), ...resources(synthesized, 'aws_default_security_group')]
      .filter((group) => list(group.ingress).length > 0 || list(group.egress).length > 0)
      .map((group) => violation(group.__address, 'declares inline ingress or egress rules')),
    ...resources(synthesized, 'aws_security_group_rule').map((rule) => violation(rule.__address, 'is a legacy aws_security_group_rule; use aws_vpc_security_group_ingress_rule or _egress_rule')),
  ],
};

/** Address of the environment's verification hook security group, when the stack has one. */
function verificationHookGroup(synthesized: Synthesized, config: EnvironmentConfig): string | undefined {
  const name = environmentNames(config).verificationHook;
  return resources(synthesized, 'aws_security_group').find((group) => group.name === name)?.__address;
}

const testListenerClosedToWorld: PolicyRule = {
  id: 'test-listener-closed-to-world',
  statement: "A test listener port admits exactly its configured CIDRs (none by default) and the environment's verification hook, never 0.0.0.0/0 or ::/0; a rolling service opens no test port at all.",
  check: (synthesized, config) =>
    serviceGroups(synthesized, config).flatMap(({ service, loadBalancer }) => {
      const port = testListenerPort(service);
      const onTestPort = rulesOf(synthesized, 'ingress', loadBalancer).filter((rule) => rule.ip_protocol === '-1' || (rule.from_port <= port && port <= rule.to_port));
      const hook = verificationHookGroup(synthesized, config);
      const expected = service.release.strategy === 'blue-green' ? [...service.testListener.allowedCidrs, ...(hook ? [hook] : [])].sort() : [];
      const found = onTestPort.filter(opensToWorld).map((rule) => violation(rule.__address, `opens test port ${port} of ${service.name} to the world`));
      const actual = onTestPort.map(describeSource).sort();
      if (found.length === 0 && !sameList(actual, expected)) {
        found.push(violation(loadBalancer ?? `service ${service.name}`, `test port ${port} admits [${actual.join(', ')}]; configured [${expected.join(', ')}]`));
      }
      return found;
    }),
};

const verificationHookPrivate: PolicyRule = {
  id: 'verification-hook-private',
  statement: 'The verification hook function runs in the VPC in its own security group, admits no ingress, has no function URL and no resource policy: only CodeDeploy, through its service role, invokes it.',
  appliesTo: (synthesized) => resources(synthesized, 'aws_lambda_function').length > 0,
  check: (synthesized, config) => {
    const hook = verificationHookGroup(synthesized, config);
    const found: Violation[] = [];
    for (const fn of resources(synthesized, 'aws_lambda_function')) {
      const groups = list(fn.vpc_config?.security_group_ids as string[]).map((group) => referenceTarget(group) ?? group);
      if (!hook || !sameList(groups, [hook])) found.push(violation(fn.__address, `runs in security groups [${groups.join(', ')}]; expected only the verification hook's ${environmentNames(config).verificationHook}`));
      if (list(fn.vpc_config?.subnet_ids as string[]).length === 0) found.push(violation(fn.__address, 'runs outside the VPC; the test listener must stay closed to everything but the VPC'));
    }
    found.push(...rulesOf(synthesized, 'ingress', hook).map((rule) => violation(rule.__address, `admits ${describeSource(rule)} to the verification hook; it needs no ingress`)));
    for (const type of ['aws_lambda_function_url', 'aws_lambda_permission']) {
      found.push(...resources(synthesized, type).map((resource) => violation(resource.__address, `${type} lets others invoke the function; CodeDeploy's role needs none`)));
    }
    return found;
  },
};

const worldOnlyOnProductionPorts: PolicyRule = {
  id: 'world-only-on-production-ports',
  statement: 'Only load balancer security groups accept traffic from 0.0.0.0/0 or ::/0, and only on the production ports 80 and 443.',
  check: (synthesized, config) => {
    const loadBalancerGroups = new Set(serviceGroups(synthesized, config).map((groups) => groups.loadBalancer));
    return resources(synthesized, 'aws_vpc_security_group_ingress_rule')
      .filter(opensToWorld)
      .filter((rule) => !loadBalancerGroups.has(referenceTarget(rule.security_group_id)) || rule.from_port !== rule.to_port || !PRODUCTION_PORTS.includes(rule.from_port))
      .map((rule) => violation(rule.__address, `opens ports ${rule.from_port}-${rule.to_port} of ${referenceTarget(rule.security_group_id) ?? rule.security_group_id} to the world`));
  },
};

const loadBalancerEgressOnlyToTasks: PolicyRule = {
  id: 'load-balancer-egress-only-to-tasks',
  statement: "A load balancer security group sends traffic only to its service's task security group.",
  check: (synthesized, config) =>
    serviceGroups(synthesized, config).flatMap(({ tasks, loadBalancer }) =>
      rulesOf(synthesized, 'egress', loadBalancer)
        .filter((rule) => referenceTarget(rule.referenced_security_group_id) !== tasks || rule.cidr_ipv4 || rule.cidr_ipv6 || rule.prefix_list_id)
        .map((rule) => violation(rule.__address, `lets the load balancer send to ${describeSource(rule)}; only ${tasks}`)),
    ),
};

const loadBalancersDropInvalidHeaders: PolicyRule = {
  id: 'load-balancers-drop-invalid-headers',
  statement: 'Every load balancer drops HTTP headers with invalid names instead of passing them to the tasks.',
  check: (synthesized) =>
    resources(synthesized, 'aws_lb')
      .filter((lb) => lb.drop_invalid_header_fields !== true)
      .map((lb) => violation(lb.__address, 'does not set drop_invalid_header_fields')),
};

const isProduction = (_synthesized: Synthesized, config: EnvironmentConfig) => config.production;

const productionHttpsOnly: PolicyRule = {
  id: 'production-https-only',
  statement: 'In a production environment every listener serves HTTPS with a certificate and a TLS policy, except HTTP listeners that only redirect to HTTPS.',
  appliesTo: isProduction,
  check: (synthesized) =>
    resources(synthesized, 'aws_lb_listener').flatMap((listener) => {
      if (listener.protocol === 'HTTPS') {
        return listener.certificate_arn && listener.ssl_policy ? [] : [violation(listener.__address, 'is HTTPS without certificate_arn or ssl_policy')];
      }
      const actions = list(listener.default_action as Array<{ type?: string; redirect?: { protocol?: string } }>);
      const redirectsToHttps = actions.length === 1 && actions[0].type === 'redirect' && actions[0].redirect?.protocol === 'HTTPS';
      return redirectsToHttps ? [] : [violation(listener.__address, `serves ${listener.protocol ?? 'HTTP'} on port ${listener.port}; use HTTPS, or redirect to it`)];
    }),
};

const productionAccessLogs: PolicyRule = {
  id: 'production-access-logs',
  statement: 'In a production environment every load balancer writes access logs to S3.',
  appliesTo: isProduction,
  check: (synthesized) =>
    resources(synthesized, 'aws_lb')
      .filter((lb) => !(lb.access_logs?.enabled === true && lb.access_logs?.bucket))
      .map((lb) => violation(lb.__address, 'writes no access logs (access_logs with enabled and a bucket)')),
};

const productionDeletionProtection: PolicyRule = {
  id: 'production-deletion-protection',
  statement: 'In a production environment every load balancer has deletion protection, so a destroy or a replacement cannot take production offline by accident.',
  appliesTo: isProduction,
  check: (synthesized) =>
    resources(synthesized, 'aws_lb')
      .filter((lb) => lb.enable_deletion_protection !== true)
      .map((lb) => violation(lb.__address, 'has no deletion protection (enable_deletion_protection)')),
};

// ---------------------------------------------------------------------------------------------
// Images, logs and state

const registriesImmutableAndScanned: PolicyRule = {
  id: 'registries-immutable-and-scanned',
  statement: 'Every ECR repository has immutable tags, so a released tag always means the same image, and scans each image on push.',
  check: (synthesized) =>
    resources(synthesized, 'aws_ecr_repository').flatMap((repository) => [
      ...(repository.image_tag_mutability === 'IMMUTABLE' ? [] : [violation(repository.__address, `has ${repository.image_tag_mutability ?? 'MUTABLE (default)'} tags`)]),
      ...(repository.image_scanning_configuration?.scan_on_push === true ? [] : [violation(repository.__address, 'does not scan on push')]),
    ]),
};

const registriesEncrypted: PolicyRule = {
  id: 'registries-encrypted',
  statement: 'Every ECR repository declares its encryption at rest: AES256, or KMS.',
  check: (synthesized) =>
    resources(synthesized, 'aws_ecr_repository')
      .filter((repository) => !['AES256', 'KMS'].includes(list(repository.encryption_configuration as Array<{ encryption_type?: string }>)[0]?.encryption_type ?? ''))
      .map((repository) => violation(repository.__address, 'declares no encryption_configuration (AES256 or KMS)')),
};

const registriesKeepReleaseImages: PolicyRule = {
  id: 'registries-keep-release-images',
  statement: 'ECR lifecycle policies expire only untagged images: every release pins a tagged image, so no count or age can expire the image a live or rollback-eligible revision runs.',
  check: (synthesized) =>
    resources(synthesized, 'aws_ecr_lifecycle_policy').flatMap((policy) => {
      let rules: Array<{ rulePriority?: number; selection?: { tagStatus?: string } }>;
      try {
        rules = list(JSON.parse(String(policy.policy)).rules);
      } catch {
        return [violation(policy.__address, 'has a policy that is not readable JSON')];
      }
      return rules
        .filter((rule) => rule.selection?.tagStatus !== 'untagged')
        .map((rule) => violation(policy.__address, `rule ${rule.rulePriority ?? '?'} selects ${rule.selection?.tagStatus ?? 'unknown'} images; only untagged images may expire`));
    }),
};

const logGroupsRetained: PolicyRule = {
  id: 'log-groups-retained',
  statement: 'Every log group has a retention period, and a KMS key, when it names one, by key ARN (CloudWatch Logs encrypts every log group; it accepts only a key ARN).',
  check: (synthesized) =>
    resources(synthesized, 'aws_cloudwatch_log_group').flatMap((group) => [
      ...(group.retention_in_days > 0 ? [] : [violation(group.__address, 'keeps logs forever (no retention_in_days)')]),
      ...(group.kms_key_id === undefined || /^arn:aws[a-z-]*:kms:[^:]+:[^:]+:key\//.test(group.kms_key_id) || referenceTarget(group.kms_key_id)?.startsWith('aws_kms_key.')
        ? []
        : [violation(group.__address, `kms_key_id ${group.kms_key_id} is not a KMS key ARN`)]),
    ]),
};

const imagesPinned: PolicyRule = {
  id: 'images-pinned',
  statement: 'No image reference anywhere in the stack uses the "latest" tag.',
  check: (synthesized) => objectsMatching(synthesized, /:latest\b/).map((address) => violation(address, 'references an image tagged "latest"')),
};

const releaseTagReserved: PolicyRule = {
  id: 'release-tag-reserved',
  statement: `Terraform never puts the ${RELEASE_TAG_KEY} tag on anything: it marks the revisions releases register.`,
  check: (synthesized) => objectsMatching(synthesized, new RegExp(`"${RELEASE_TAG_KEY}"`)).map((address) => violation(address, `carries the ${RELEASE_TAG_KEY} tag`)),
};

const stateEncrypted: PolicyRule = {
  id: 'state-encrypted',
  statement: 'A Terraform state kept in S3 is encrypted at rest.',
  appliesTo: (synthesized) => synthesized.terraform?.backend?.s3 !== undefined,
  check: (synthesized) => (synthesized.terraform?.backend?.s3?.encrypt === true ? [] : [violation('terraform.backend.s3', 'does not set encrypt = true')]),
};

// ---------------------------------------------------------------------------------------------
// IAM

const iamDocumentsReadable: PolicyRule = {
  id: 'iam-documents-readable',
  statement: 'Every IAM policy is literal JSON or an aws_iam_policy_document in the stack, so these rules can read every statement.',
  check: (synthesized) =>
    iamDocuments(synthesized)
      .filter((document) => document.statements === undefined)
      .map((document) => violation(document.address, `has a ${document.kind} policy these rules cannot read`)),
};

const iamNoWildcardActions: PolicyRule = {
  id: 'iam-no-wildcard-actions',
  statement: 'No IAM statement allows "*", a wildcard service prefix, or every action of a service ("ecs:*").',
  check: (synthesized) =>
    [...allowStatements(synthesized, 'permissions'), ...allowStatements(synthesized, 'trust')].flatMap(({ document, statement }) =>
      list(statement.Action)
        .filter((action) => action === '*' || action.split(':')[0].includes('*') || /^[^:]+:\*$/.test(action))
        .map((action) => violation(document.address, `${statementName(statement)} allows "${action}"`)),
    ),
};

const iamNoNegations: PolicyRule = {
  id: 'iam-no-negations',
  statement: 'No IAM statement uses NotAction, NotResource or NotPrincipal, which grant everything they do not name.',
  check: (synthesized) =>
    iamDocuments(synthesized).flatMap((document) =>
      (document.statements ?? [])
        .filter((statement) => statement.NotAction !== undefined || statement.NotResource !== undefined || statement.NotPrincipal !== undefined)
        .map((statement) => violation(document.address, `${statementName(statement)} uses NotAction, NotResource or NotPrincipal`)),
    ),
};

const iamResourceStarOnlyForUnscopedActions: PolicyRule = {
  id: 'iam-resource-star-only-for-unscoped-actions',
  statement: `Resource "*" is granted only for the ${Object.keys(ACTIONS_ALLOWED_ON_ANY_RESOURCE).length} actions pinned in policy/allowed-iam.ts, each with its reason: IAM cannot scope it to a resource, Lambda's network interfaces, or a read-only refresh of terraform plan.`,
  check: (synthesized) =>
    allowStatements(synthesized, 'permissions').flatMap(({ document, statement }) =>
      list(statement.Resource).includes('*')
        ? list(statement.Action)
            .filter((action) => !isAllowedOnAnyResource(action))
            .map((action) => violation(document.address, `${statementName(statement)} allows "${action}" on every resource`))
        : [],
    ),
};

const iamManagedPoliciesAllowListed: PolicyRule = {
  id: 'iam-managed-policies-allow-listed',
  statement: `Only the AWS managed policies pinned in policy/allowed-iam.ts (${Object.keys(MANAGED_POLICIES_ALLOWED).join(', ')}) are attached, each for its written reason.`,
  check: (synthesized) => {
    const allowed = isAllowedManagedPolicyArn;
    return [
      ...['aws_iam_role_policy_attachment', 'aws_iam_policy_attachment'].flatMap((type) =>
        resources(synthesized, type)
          .filter((attachment) => !allowed(attachment.policy_arn) && !referenceTarget(attachment.policy_arn)?.startsWith('aws_iam_policy.'))
          .map((attachment) => violation(attachment.__address, `attaches ${attachment.policy_arn}, which is not on the allow-list`)),
      ),
      ...resources(synthesized, 'aws_iam_role').flatMap((role) =>
        list(role.managed_policy_arns as string[])
          .filter((arn) => !allowed(arn) && !referenceTarget(arn)?.startsWith('aws_iam_policy.'))
          .map((arn) => violation(role.__address, `attaches ${arn}, which is not on the allow-list`)),
      ),
    ];
  },
};

/**
 * The task and execution roles of every service of the environment, as the deploy policy names
 * them: config/names.ts's role names with `*` for the service (`shop-dev-*-task`).
 */
function namesServiceRolesOf(config: EnvironmentConfig, resource: string): boolean {
  const role = /^arn:aws[a-z-]*:iam::(?:\d{12}|\$\{[^}]+\}):role\/(.+)$/.exec(resource)?.[1];
  const any = anyServiceNames(config);
  return role === any.executionRole || role === any.taskRole;
}

const iamPassRoleScoped: PolicyRule = {
  id: 'iam-pass-role-scoped',
  statement:
    'iam:PassRole is allowed only on named roles (role ARNs without wildcards, or roles of this stack) or on the task and execution roles of this environment\'s services by their naming pattern, never on "*".',
  appliesTo: (synthesized) => allowStatements(synthesized, 'permissions').some(({ statement }) => list(statement.Action).some((action) => actionCovers(action, 'iam:PassRole'))),
  check: (synthesized, config) =>
    allowStatements(synthesized, 'permissions')
      .filter(({ statement }) => list(statement.Action).some((action) => actionCovers(action, 'iam:PassRole')))
      .flatMap(({ document, statement }) => {
        const resourcesGranted = list(statement.Resource);
        if (resourcesGranted.length === 0) return [violation(document.address, `${statementName(statement)} allows iam:PassRole without naming a role`)];
        return resourcesGranted
          .filter((resource) => !namesOneRole(resource) && !namesServiceRolesOf(config, resource))
          .map((resource) => violation(document.address, `${statementName(statement)} allows iam:PassRole on ${resource}`));
      }),
};

const noLongLivedCredentials: PolicyRule = {
  id: 'no-long-lived-credentials',
  statement: 'No IAM users, access keys or other long-lived credentials, no keys in the provider block, no access key id anywhere: CI assumes roles through OIDC.',
  check: (synthesized, config) => [
    ...LONG_LIVED_CREDENTIAL_TYPES.flatMap((type) => resources(synthesized, type).map((resource) => violation(resource.__address, `is a long-lived credential (${type})`))),
    // An offline stack (plans without an account) carries obviously fake keys on purpose.
    ...(config.aws.offline
      ? []
      : list(synthesized.provider?.aws)
          .filter((provider) => provider.access_key !== undefined || provider.secret_key !== undefined || provider.token !== undefined)
          .map(() => violation('provider.aws', 'carries static credentials'))),
    ...objectsMatching(synthesized, ACCESS_KEY_ID).map((address) => violation(address, 'contains an AWS access key id')),
  ],
};

const iamTrustNoWildcardPrincipal: PolicyRule = {
  id: 'iam-trust-no-wildcard-principal',
  statement: 'No role trusts "*": every trust statement names its AWS service, account or identity provider.',
  check: (synthesized) =>
    allowStatements(synthesized, 'trust')
      .filter(({ statement }) => statement.Principal === undefined || statement.Principal === '*' || Object.values(statement.Principal).some((value) => list(value).includes('*')))
      .map(({ document, statement }) => violation(document.address, `${statementName(statement)} trusts any principal`)),
};

/** CodeDeploy actions that take no resource: whoever holds them on `*` can approve or stop any deployment of the account. */
const ACCOUNT_WIDE_DEPLOYMENT_CONTROL = ['codedeploy:ContinueDeployment', 'codedeploy:StopDeployment'];

/** Permission documents granting an account-wide deployment control action on "*". */
function accountWideDeploymentControl(synthesized: Synthesized): IamDocument[] {
  const grants = ({ statement }: { statement: IamStatement }) =>
    list(statement.Resource).includes('*') && list(statement.Action).some((pattern) => ACCOUNT_WIDE_DEPLOYMENT_CONTROL.some((action) => actionCovers(pattern, action)));
  return [...new Set(allowStatements(synthesized, 'permissions').filter(grants).map(({ document }) => document))];
}

/** The repository's environments, with `config` in place of its own (or added, for a stack built elsewhere). */
function environmentsBeside(config: EnvironmentConfig): EnvironmentConfig[] {
  const configured = environmentNamesList().filter((name) => name !== config.environment).map((name) => loadEnvironment(name));
  return [...configured, config];
}

const sharedAccountAcknowledged: PolicyRule = {
  id: 'shared-account-acknowledged',
  statement:
    'A role that may approve or stop deployments account-wide (CodeDeploy ContinueDeployment/StopDeployment take no resource) belongs to an environment whose AWS account is known, and every other environment in that account is acknowledged in sharedAccountWith.',
  appliesTo: (synthesized) => accountWideDeploymentControl(synthesized).length > 0,
  check: (synthesized, config) =>
    accountWideDeploymentControl(synthesized).flatMap((document) => {
      if (accountOf(config) === undefined) {
        return [violation(document.address, `can approve or stop any deployment of ${config.environment}'s account, which is unknown: set accountId so environments sharing it are found`)];
      }
      return sharedAccountProblems(config, environmentsBeside(config)).map((problem) => violation(document.address, problem));
    }),
};

const githubOidcTrustPinned: PolicyRule = {
  id: 'github-oidc-trust-pinned',
  statement: `Every role trusting GitHub's OIDC provider allows only sts:AssumeRoleWithWebIdentity, pins ${GITHUB_OIDC_HOST}:aud to sts.amazonaws.com and limits :sub to one repository; the provider's client id is sts.amazonaws.com.`,
  appliesTo: (synthesized) =>
    allowStatements(synthesized, 'trust').some(({ statement }) => trustsGitHub(synthesized, statement)) ||
    resources(synthesized, 'aws_iam_openid_connect_provider').some((provider) => String(provider.url).includes(GITHUB_OIDC_HOST)),
  check: (synthesized) => [
    ...allowStatements(synthesized, 'trust')
      .filter(({ statement }) => trustsGitHub(synthesized, statement))
      .flatMap(({ document, statement }) => {
        const found: Violation[] = [];
        const name = statementName(statement);
        if (!sameList(list(statement.Action), ['sts:AssumeRoleWithWebIdentity'])) found.push(violation(document.address, `${name} allows ${list(statement.Action).join(', ')}; only sts:AssumeRoleWithWebIdentity`));
        const audience = statement.Condition?.StringEquals?.[`${GITHUB_OIDC_HOST}:aud`];
        if (!sameList(list(audience), ['sts.amazonaws.com'])) found.push(violation(document.address, `${name} does not pin ${GITHUB_OIDC_HOST}:aud to sts.amazonaws.com with StringEquals`));
        const subjects = ['StringEquals', 'StringLike'].flatMap((operator) => list(statement.Condition?.[operator]?.[`${GITHUB_OIDC_HOST}:sub`]));
        if (subjects.length === 0) found.push(violation(document.address, `${name} does not restrict ${GITHUB_OIDC_HOST}:sub: any repository could assume the role`));
        for (const subject of subjects.filter((candidate) => !ONE_REPOSITORY_SUBJECT.test(candidate))) {
          found.push(violation(document.address, `${name} admits subject "${subject}", which does not name one repository`));
        }
        const otherOperators = Object.keys(statement.Condition ?? {}).filter((operator) => /ForAnyValue|IfExists/.test(operator));
        if (otherOperators.length > 0) found.push(violation(document.address, `${name} uses ${otherOperators.join(', ')}, which can match tokens without the claim`));
        return found;
      }),
    ...resources(synthesized, 'aws_iam_openid_connect_provider')
      .filter((provider) => String(provider.url).includes(GITHUB_OIDC_HOST) && !sameList(provider.client_id_list, ['sts.amazonaws.com']))
      .map((provider) => violation(provider.__address, `accepts client ids ${JSON.stringify(provider.client_id_list)}; only sts.amazonaws.com`)),
  ],
};

// ---------------------------------------------------------------------------------------------
// Releases and Terraform never fight

const blueGreenServicesOnCodeDeploy: PolicyRule = {
  id: 'blue-green-services-on-codedeploy',
  statement: 'Every blue-green service is on the CODE_DEPLOY deployment controller, with a deployment group.',
  check: (synthesized, config) =>
    config.services
      .filter((service) => service.release.strategy === 'blue-green')
      .flatMap((service) => {
        const names = serviceNames(config, service);
        const ecsService = resources(synthesized, 'aws_ecs_service').find((candidate) => candidate.name === names.service);
        if (!ecsService) return [violation(`service ${service.name}`, `ECS service ${names.service} is missing`)];
        const group = resources(synthesized, 'aws_codedeploy_deployment_group').find((candidate) => candidate.deployment_group_name === names.deploymentGroup);
        return [
          ...(ecsService.deployment_controller?.type === 'CODE_DEPLOY' ? [] : [violation(ecsService.__address, `uses the ${ecsService.deployment_controller?.type ?? 'ECS'} controller; blue-green needs CODE_DEPLOY`)]),
          ...(group ? [] : [violation(ecsService.__address, `has no deployment group ${names.deploymentGroup}`)]),
        ];
      }),
};

const servicesIgnoreReleaseAttributes: PolicyRule = {
  id: 'services-ignore-release-attributes',
  statement: 'Every ECS service ignores exactly what releases and auto scaling change: task_definition, load_balancer (CODE_DEPLOY), desired_count (auto scaling).',
  check: (synthesized) =>
    resources(synthesized, 'aws_ecs_service').flatMap((service) => {
      const expected = expectedServiceIgnores(synthesized, service);
      return sameList(ignoreChanges(service), expected) ? [] : [violation(service.__address, `ignores ${JSON.stringify(ignoreChanges(service) ?? [])}; expected ${JSON.stringify(expected)}`)];
    }),
};

const listenersLeftToCodeDeploy: PolicyRule = {
  id: 'listeners-left-to-codedeploy',
  statement: "Exactly the listeners a deployment group routes ignore default_action, which CodeDeploy rewrites; every other listener stays fully under Terraform.",
  check: (synthesized) => {
    const routed = new Set(
      resources(synthesized, 'aws_codedeploy_deployment_group').flatMap((group) => {
        const pair = group.load_balancer_info?.target_group_pair_info;
        return [...list(pair?.prod_traffic_route?.listener_arns), ...list(pair?.test_traffic_route?.listener_arns)].map((arn: string) => referenceTarget(arn));
      }),
    );
    return resources(synthesized, 'aws_lb_listener').flatMap((listener) => {
      const expected = routed.has(listener.__address) ? ['default_action'] : undefined;
      if (expected ? sameList(ignoreChanges(listener), expected) : ignoreChanges(listener) === undefined) return [];
      return [violation(listener.__address, expected ? 'is routed by CodeDeploy but does not ignore exactly default_action' : `is not routed by CodeDeploy but ignores ${JSON.stringify(ignoreChanges(listener))}`)];
    });
  },
};

const taskDefinitionsSurviveReleases: PolicyRule = {
  id: 'task-definitions-survive-releases',
  statement: 'Every task definition keeps old revisions (skip_destroy), ignores container_definitions (the image belongs to releases) and is replaced through a terraform_data trigger when other container settings change.',
  check: (synthesized) =>
    resources(synthesized, 'aws_ecs_task_definition').flatMap((definition) => [
      ...(definition.skip_destroy === true ? [] : [violation(definition.__address, 'deregisters old revisions on replacement (no skip_destroy), so rollbacks lose their target')]),
      ...(sameList(ignoreChanges(definition), ['container_definitions']) ? [] : [violation(definition.__address, `ignores ${JSON.stringify(ignoreChanges(definition) ?? [])}; expected ["container_definitions"]`)]),
      ...(/^terraform_data\./.test(String(list(definition.lifecycle?.replace_triggered_by)[0] ?? ''))
        ? []
        : [violation(definition.__address, 'has no terraform_data replace trigger, so container setting changes would never register')]),
    ]),
};

const scalingSuspensionLeftToReleases: PolicyRule = {
  id: 'scaling-suspension-left-to-releases',
  statement: 'Every scalable target ignores suspended_state, which the release tool sets during a release and restores after.',
  check: (synthesized) =>
    resources(synthesized, 'aws_appautoscaling_target')
      .filter((target) => !sameList(ignoreChanges(target), ['suspended_state']))
      .map((target) => violation(target.__address, `ignores ${JSON.stringify(ignoreChanges(target) ?? [])}; expected ["suspended_state"]`)),
};

const scalingRecordNotDrift: PolicyRule = {
  id: 'scaling-record-not-drift',
  statement: `The AWS provider ignores the release tool's ${SCALING_RECORD_TAG_KEY} tag (ignore_tags), so the record of a suspension is never drift and an apply during a release does not delete it.`,
  appliesTo: (synthesized) => resources(synthesized, 'aws_appautoscaling_target').length > 0,
  check: (synthesized) => (providerIgnoresTag(synthesized, SCALING_RECORD_TAG_KEY) ? [] : [violation('provider.aws', `does not ignore the tag ${SCALING_RECORD_TAG_KEY}`)]),
};

// ---------------------------------------------------------------------------------------------
// Deployment safety

const deploymentsRollBack: PolicyRule = {
  id: 'deployments-roll-back',
  statement:
    "Every deployment rolls back on failure and on its alarms: deployment groups with auto rollback and enabled alarms, rolling services with the circuit breaker and deployment alarms (a worker, with no load balancer to watch, has the alarms its configuration names, each rolling back).",
  check: (synthesized) => [
    ...resources(synthesized, 'aws_codedeploy_deployment_group').flatMap((group) => {
      const rollback = group.auto_rollback_configuration;
      const events = list(rollback?.events as string[]);
      const alarms = group.alarm_configuration;
      return [
        ...(rollback?.enabled === true && events.includes('DEPLOYMENT_FAILURE') && events.includes('DEPLOYMENT_STOP_ON_ALARM')
          ? []
          : [violation(group.__address, `rolls back on [${events.join(', ')}]${rollback?.enabled === true ? '' : ' (disabled)'}; needs DEPLOYMENT_FAILURE and DEPLOYMENT_STOP_ON_ALARM`)]),
        ...(alarms?.enabled === true && list(alarms.alarms).length > 0 ? [] : [violation(group.__address, 'has no enabled alarms to stop a bad deployment')]),
      ];
    }),
    ...resources(synthesized, 'aws_ecs_service')
      .filter((service) => (service.deployment_controller?.type ?? 'ECS') === 'ECS')
      .flatMap((service) => [
        ...(service.deployment_circuit_breaker?.enable === true && service.deployment_circuit_breaker?.rollback === true
          ? []
          : [violation(service.__address, 'has no deployment circuit breaker with rollback')]),
        ...((service.alarms?.enable === true && service.alarms?.rollback === true && list(service.alarms.alarm_names).length > 0) ||
        (list(service.load_balancer).length === 0 && service.alarms === undefined)
          ? []
          : [violation(service.__address, 'has no deployment alarms with rollback')]),
      ]),
  ],
};

const deploymentWaitsBounded: PolicyRule = {
  id: 'deployment-waits-bounded',
  statement: `Every blue-green deployment terminates its old task set after a wait within CodeDeploy's ${CODEDEPLOY_MAX_TERMINATION_WAIT_MINUTES} minutes, and an approval that stops on timeout waits at least a minute.`,
  check: (synthesized) =>
    resources(synthesized, 'aws_codedeploy_deployment_group').flatMap((group) => {
      const config = group.blue_green_deployment_config;
      const termination = config?.terminate_blue_instances_on_deployment_success;
      const ready = config?.deployment_ready_option;
      const wait = termination?.termination_wait_time_in_minutes;
      return [
        ...(termination?.action === 'TERMINATE' ? [] : [violation(group.__address, `leaves the old task set ${termination?.action ?? 'with no termination setting'}; it must be TERMINATE`)]),
        ...(Number.isInteger(wait) && wait >= 0 && wait <= CODEDEPLOY_MAX_TERMINATION_WAIT_MINUTES
          ? []
          : [violation(group.__address, `termination wait ${wait} is outside 0-${CODEDEPLOY_MAX_TERMINATION_WAIT_MINUTES} minutes`)]),
        ...(ready?.action_on_timeout === 'STOP_DEPLOYMENT' && !(ready.wait_time_in_minutes >= 1)
          ? [violation(group.__address, `approval wait ${ready.wait_time_in_minutes ?? 0} min stops every deployment before anyone can approve it`)]
          : []),
      ];
    }),
};

/** Every rule, in report order. */
export const POLICY_RULES: readonly PolicyRule[] = [
  tasksOnlyFromOwnLoadBalancer,
  noUncheckedSecurityGroupRules,
  testListenerClosedToWorld,
  verificationHookPrivate,
  worldOnlyOnProductionPorts,
  loadBalancerEgressOnlyToTasks,
  loadBalancersDropInvalidHeaders,
  productionHttpsOnly,
  productionAccessLogs,
  productionDeletionProtection,
  registriesImmutableAndScanned,
  registriesEncrypted,
  registriesKeepReleaseImages,
  logGroupsRetained,
  imagesPinned,
  releaseTagReserved,
  stateEncrypted,
  iamDocumentsReadable,
  iamNoWildcardActions,
  iamNoNegations,
  iamResourceStarOnlyForUnscopedActions,
  iamManagedPoliciesAllowListed,
  iamPassRoleScoped,
  noLongLivedCredentials,
  iamTrustNoWildcardPrincipal,
  githubOidcTrustPinned,
  sharedAccountAcknowledged,
  blueGreenServicesOnCodeDeploy,
  servicesIgnoreReleaseAttributes,
  listenersLeftToCodeDeploy,
  taskDefinitionsSurviveReleases,
  scalingSuspensionLeftToReleases,
  scalingRecordNotDrift,
  deploymentsRollBack,
  deploymentWaitsBounded,
];
