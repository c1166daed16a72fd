/**
 * The configuration schema: every setting the stack and the release tool share, validated once.
 *
 * Defaults are the secure and fast choice; each is written next to its field. Parse with
 * `parseEnvironment` (config/index.ts), which turns schema failures into one line per problem
 * naming the field and the fix.
 */
import { z } from 'zod';

/** Lower-case DNS-label style identifier used to build resource names. */
const identifier = (what: string) =>
  z
    .string()
    .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, `${what} must be lower-case letters, digits and dashes, starting with a letter (e.g. "web")`);

const cidr = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/(\d|[12]\d|3[0-2])$/, 'must be an IPv4 CIDR block such as "203.0.113.0/24"');

/** The Fargate task sizes AWS accepts: cpu units → allowed memory (MiB). */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: Array.from({ length: 13 }, (_, i) => 4096 + i * 1024),
  4096: Array.from({ length: 23 }, (_, i) => 8192 + i * 1024),
  8192: Array.from({ length: 12 }, (_, i) => 16384 + i * 4096),
  16384: Array.from({ length: 12 }, (_, i) => 32768 + i * 8192),
};

/** CodeDeploy's predefined ECS deployment configurations. */
export const PREDEFINED_DEPLOYMENT_CONFIGS = [
  'CodeDeployDefault.ECSAllAtOnce',
  'CodeDeployDefault.ECSLinear10PercentEvery1Minutes',
  'CodeDeployDefault.ECSLinear10PercentEvery3Minutes',
  'CodeDeployDefault.ECSCanary10Percent5Minutes',
  'CodeDeployDefault.ECSCanary10Percent15Minutes',
] as const;
export type PredefinedDeploymentConfig = (typeof PREDEFINED_DEPLOYMENT_CONFIGS)[number];

/** A custom canary or linear traffic shift, declared in IaC as an aws_codedeploy_deployment_config. */
export const customDeploymentConfigSchema = z
  .object({
    /** `canary`: shift `percentage`, wait `intervalMinutes`, shift the rest. `linear`: shift `percentage` every `intervalMinutes`. */
    type: z.enum(['canary', 'linear']),
    /** Percentage of traffic shifted in the first (canary) or every (linear) step. */
    percentage: z.number().int().min(1).max(99),
    /** Minutes between steps. */
    intervalMinutes: z.number().int().min(1).max(2880),
  })
  .strict();
export type CustomDeploymentConfig = z.infer<typeof customDeploymentConfigSchema>;

/** Lambda functions CodeDeploy invokes at the ECS lifecycle hooks (validation tests, smoke tests). */
export const lifecycleHooksSchema = z
  .object({
    BeforeInstall: z.string().min(1),
    AfterInstall: z.string().min(1),
    AfterAllowTestTraffic: z.string().min(1),
    BeforeAllowTraffic: z.string().min(1),
    AfterAllowTraffic: z.string().min(1),
  })
  .partial()
  .strict();
export type LifecycleHooks = z.infer<typeof lifecycleHooksSchema>;

const releaseSchema = z
  .object({
    /** `blue-green`: CodeDeploy controller, two target groups, test listener. `rolling`: ECS controller with circuit breaker. @default 'blue-green' */
    strategy: z.enum(['blue-green', 'rolling']).default('blue-green'),
    /** A predefined CodeDeploy config name, or a custom canary/linear shift declared in IaC. @default CodeDeployDefault.ECSAllAtOnce */
    deploymentConfig: z
      .union([z.enum(PREDEFINED_DEPLOYMENT_CONFIGS), customDeploymentConfigSchema])
      .default('CodeDeployDefault.ECSAllAtOnce'),
    /** Minutes the old (blue) task set is kept after traffic moves, so a rollback is instant. @default 5 */
    terminationWaitMinutes: z.number().int().min(0).max(2880).default(5),
    /** When set, traffic waits this many minutes for `approve` before shifting (STOP_DEPLOYMENT ready option); unset continues at once. @default undefined */
    approvalWaitMinutes: z.number().int().min(1).max(2880).optional(),
    /** Lambda functions for CodeDeploy lifecycle hooks, added to every AppSpec. @default none */
    lifecycleHooks: lifecycleHooksSchema.default({}),
    /** Path the environment's verification hook GETs on the test listener, from inside the VPC, before production traffic moves; a failure rolls the release back (docs/releases.md). Needs the environment's `verificationHook`. @default undefined (no verification unless `deploy --verify PATH`) */
    verifyPath: z.string().startsWith('/', 'must start with "/"').optional(),
    /** A command run as a one-off task of the new revision before each deployment (`deploy --migrate` overrides it); it must be backward compatible with the version still serving (docs/releases.md). @default none */
    migrate: z.string().trim().min(1, 'must be a command').optional(),
  })
  .strict();

const healthCheckSchema = z
  .object({
    /** HTTP path the ALB probes. @default '/' */
    path: z.string().startsWith('/', 'must start with "/"').default('/'),
    /** Seconds between probes (ALB allows 5-300). @default 10 */
    intervalSeconds: z.number().int().min(5).max(300).default(10),
    /** Seconds before a probe counts as failed (2-120, less than the interval). @default 5 */
    timeoutSeconds: z.number().int().min(2).max(120).default(5),
    /** Consecutive successes before a target is healthy (2-10). @default 2 */
    healthyThreshold: z.number().int().min(2).max(10).default(2),
    /** Consecutive failures before a target is unhealthy (2-10). @default 3 */
    unhealthyThreshold: z.number().int().min(2).max(10).default(3),
    /** HTTP codes that count as healthy. @default '200-399' */
    matcher: z.string().regex(/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/, 'must be HTTP codes such as "200" or "200-399"').default('200-399'),
  })
  .strict();

const alarmsSchema = z
  .object({
    /** Create alarms and let them stop (and roll back) a deployment. @default true */
    enabled: z.boolean().default(true),
    /** Target 5xx responses per minute that trip the alarm. @default 5 */
    target5xxPerMinute: z.number().int().min(1).default(5),
    /** Unhealthy targets (maximum over a minute) that trip the alarm. @default 1 */
    unhealthyHosts: z.number().int().min(1).default(1),
    /** Consecutive one-minute periods over the threshold before the alarm fires. @default 2 */
    evaluationPeriods: z.number().int().min(1).max(10).default(2),
    /** Names of CloudWatch alarms you own (queue age, error rate) that also stop and roll back a release; a worker's only alarms, having no load balancer to watch. @default [] */
    additionalAlarmNames: z.array(z.string().min(1).max(255)).default([]),
  })
  .strict();

const autoScalingSchema = z
  .object({
    /** Fewest tasks. */
    minCapacity: z.number().int().min(1),
    /** Most tasks. */
    maxCapacity: z.number().int().min(1),
    /** Average CPU utilisation (%) to track. @default 60 */
    cpuTargetPercent: z.number().min(10).max(90).default(60),
    /** Seconds after a scale-in before another. @default 300 */
    scaleInCooldownSeconds: z.number().int().min(0).default(300),
    /** Seconds after a scale-out before another. @default 60 */
    scaleOutCooldownSeconds: z.number().int().min(0).default(60),
  })
  .strict();

export const serviceSchema = z
  .object({
    /** Short service name, unique in the environment (e.g. "web", "api"). */
    name: identifier('service name'),
    /** `web`: serves HTTP behind its own load balancer. `worker`: no load balancer, listener or target group (queue consumers, schedulers); releases roll (`release.strategy: 'rolling'`) and its tasks' security group admits nothing. @default 'web' */
    kind: z.enum(['web', 'worker']).default('web'),
    /** Image Terraform registers in the first task definition, before any release; releases replace it. Never a `latest` tag. @default public nginx, pinned */
    bootstrapImage: z.string().default('public.ecr.aws/nginx/nginx:1.27-alpine'),
    /** Name of the container that receives traffic. @default 'app' */
    containerName: identifier('containerName').default('app'),
    /** Port the container listens on. @default 80 */
    containerPort: z.number().int().min(1).max(65535).default(80),
    /** Fargate CPU units. @default 256 */
    cpu: z.number().int().default(256),
    /** Fargate memory (MiB), valid for the cpu size. @default 512 */
    memory: z.number().int().default(512),
    /** CPU architecture of the image. @default 'X86_64' */
    cpuArchitecture: z.enum(['X86_64', 'ARM64']).default('X86_64'),
    /** Tasks to run (the initial count when auto scaling is on). @default 2 */
    desiredCount: z.number().int().min(0).default(2),
    /** Plain environment variables for the container. @default {} */
    environmentVariables: z.record(z.string()).default({}),
    /** Secrets injected as variables: name → SSM parameter or Secrets Manager ARN. @default {} */
    secrets: z
      .record(z.string().regex(/^arn:aws[a-z-]*:(ssm|secretsmanager):/, 'must be an SSM parameter or Secrets Manager ARN'))
      .default({}),
    /** Seconds ECS waits after SIGTERM before SIGKILL (2-120). @default 30 */
    stopTimeoutSeconds: z.number().int().min(2).max(120).default(30),
    /** ALB target health check. */
    healthCheck: healthCheckSchema.default({}),
    /** Seconds the ALB drains a deregistering target (AWS default 300). @default 30 */
    deregistrationDelaySeconds: z.number().int().min(0).max(3600).default(30),
    /** How releases replace tasks. */
    release: releaseSchema.default({}),
    /** Test listener for blue/green: the replacement task set is reachable here before production traffic moves. */
    testListener: z
      .object({
        /** ALB port of the test listener. @default 8443 with HTTPS, else 8080 */
        port: z.number().int().min(1).max(65535).optional(),
        /** CIDRs allowed to reach the test port; none by default, so it is closed to the world. @default [] */
        allowedCidrs: z.array(cidr).default([]),
      })
      .strict()
      .default({}),
    /** ACM certificate ARN: production listener becomes HTTPS on 443 with an HTTP→HTTPS redirect. @default undefined (HTTP on 80) */
    certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:/, 'must be an ACM certificate ARN').optional(),
    /** CIDRs allowed to reach the production port(s). @default ['0.0.0.0/0'] */
    productionAllowedCidrs: z.array(cidr).min(1).default(['0.0.0.0/0']),
    /** CloudWatch alarms wired to CodeDeploy's stop-and-roll-back. */
    alarms: alarmsSchema.default({}),
    /** Target-tracking auto scaling on CPU; suspended during releases. @default undefined (off) */
    autoScaling: autoScalingSchema.optional(),
    /** Days the ECR lifecycle policy keeps an untagged image (a push that never got its tag); tagged images, which every release and rollback runs, never expire. @default 14 */
    untaggedImageDays: z.number().int().min(1).max(3650).default(14),
  })
  .strict();
export type ServiceConfig = z.infer<typeof serviceSchema>;
export type ServiceConfigInput = z.input<typeof serviceSchema>;

const networkSchema = z.discriminatedUnion('mode', [
  z
    .object({
      /** Create a VPC with a public and a private subnet in each availability zone. */
      mode: z.literal('create'),
      /** VPC CIDR (a /16 to /24); subnets are carved from it. @default '10.0.0.0/16' */
      cidr: cidr.default('10.0.0.0/16'),
      /** NAT for private subnets: `none` puts tasks in public subnets with public IPs (still reachable only from the ALB); `single` or `per-az` puts them in private subnets. @default 'none' */
      natGateways: z.enum(['none', 'single', 'per-az']).default('none'),
    })
    .strict(),
  z
    .object({
      /** Use a VPC that exists already. */
      mode: z.literal('existing'),
      /** Id of the VPC. */
      vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, 'must be a VPC id such as "vpc-0abc1234"'),
      /** Subnets for the ALB (2+ AZs). */
      publicSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, 'must be a subnet id')).min(2),
      /** Subnets for the tasks (2+ AZs, with a route to ECR: NAT or VPC endpoints). */
      privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, 'must be a subnet id')).min(2),
    })
    .strict(),
]);
export type NetworkConfig = z.infer<typeof networkSchema>;

const stateSchema = z.discriminatedUnion('backend', [
  z
    .object({
      /** Terraform state in a local file under terraform.<stack>.tfstate. */
      backend: z.literal('local'),
    })
    .strict(),
  z
    .object({
      /** Terraform state in S3 with locking. */
      backend: z.literal('s3'),
      /** Bucket name. */
      bucket: z.string().min(3),
      /** Object key. @default '<app>/<environment>/terraform.tfstate' */
      key: z.string().optional(),
      /** Bucket region. @default the environment's region */
      region: z.string().optional(),
      /** DynamoDB table for locking (legacy); without it S3 native locking (use_lockfile) is used. @default undefined */
      dynamodbTable: z.string().optional(),
    })
    .strict(),
]);

/** A git branch or GitHub environment name as it appears in an OIDC subject claim: no wildcards, no colons. */
const claimPart = (what: string) =>
  z.string().regex(/^[A-Za-z0-9._\/-]+$/, `${what} must be letters, digits, ".", "_", "-" or "/" (no wildcards or colons)`);

/** The host of GitHub's OIDC tokens: the provider URL, and the prefix of its IAM condition keys. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/**
 * The workflow files (under .github/workflows/) whose jobs may assume the roles, when the
 * repository's OIDC subject names the workflow (`subjectClaims: 'workflow'`).
 */
export const GITHUB_ROLE_WORKFLOWS = {
  /** Release jobs: the deploy role. */
  deploy: ['release-environment.yml'],
  /** Plans of pull requests and of the plan branches: the plan role. */
  plan: ['pull-request.yml', 'infrastructure.yml'],
} as const;

/** The claims the repository's OIDC subject template must include for `subjectClaims: 'workflow'`, in this order. */
export const GITHUB_WORKFLOW_SUBJECT_CLAIMS = ['repo', 'context', 'job_workflow_ref'] as const;

const oidcProviderSchema = z.discriminatedUnion('mode', [
  z
    .object({
      /** Create the account's GitHub OIDC provider in this stack (only one per AWS account may exist). */
      mode: z.literal('create'),
    })
    .strict(),
  z
    .object({
      /** Trust a GitHub OIDC provider that exists already in this account (created by another stack or by hand). */
      mode: z.literal('existing'),
      /** Its ARN. */
      arn: z
        .string()
        .regex(
          new RegExp(`^arn:aws[a-z-]*:iam::\\d{12}:oidc-provider/${GITHUB_OIDC_HOST.replace(/\./g, '\\.')}$`),
          `must be the ARN of the GitHub OIDC provider, such as "arn:aws:iam::123456789012:oidc-provider/${GITHUB_OIDC_HOST}"`,
        ),
    })
    .strict(),
]);
export type OidcProviderConfig = z.infer<typeof oidcProviderSchema>;

/**
 * GitHub Actions identity: a read-only plan role for pull requests and a deploy role for release
 * jobs, both assumed through the account's GitHub OIDC provider (docs/identity.md).
 */
export const githubIdentitySchema = z
  .object({
    /** The only repository whose workflows may assume the roles, as GitHub spells it: "owner/name". */
    repository: z
      .string()
      .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\/[A-Za-z0-9._-]+$/, 'must be "owner/name", such as "example-org/shop"'),
    /** GitHub environment whose jobs may assume the deploy role (jobs that declare `environment:` get it in their subject claim). @default the environment's name */
    deployEnvironment: claimPart('deployEnvironment').optional(),
    /** The only branch whose release workflow may assume the deploy role (`subjectClaims: 'workflow'`; with `default`, restrict the GitHub environment to it instead). @default 'main' */
    releaseBranch: claimPart('releaseBranch').default('main'),
    /**
     * What the repository's OIDC subject (`sub`) names. `workflow`: the subject template includes
     * `repo`, `context` and `job_workflow_ref` (set once per repository, docs/identity.md), so the
     * deploy role trusts only release-environment.yml of `releaseBranch` in the GitHub environment,
     * and the plan role only the plan workflows. `default`: GitHub's default subject, which names
     * the environment but not the branch or workflow.
     * @default 'workflow'
     */
    subjectClaims: z.enum(['workflow', 'default']).default('workflow'),
    /** Branches whose push-triggered jobs may assume the plan role, besides pull requests. @default ['main'] */
    planBranches: z.array(claimPart('planBranches[]')).default(['main']),
    /** The account's GitHub OIDC provider: created here, or an existing one by ARN. @default { mode: 'create' } */
    oidcProvider: oidcProviderSchema.default({ mode: 'create' }),
  })
  .strict();
export type GithubIdentityConfig = z.infer<typeof githubIdentitySchema>;

const accessLogsSchema = z.discriminatedUnion('mode', [
  z
    .object({
      /** A bucket in this stack (one per environment, a prefix per service), with the bucket policy ALB log delivery needs in the region. */
      mode: z.literal('create'),
      /** Days the logs are kept. @default 90 */
      retentionDays: z.number().int().min(1).max(3650).default(90),
    })
    .strict(),
  z
    .object({
      /** A bucket that exists already; its policy must let ALB log delivery of this region write under the prefix. */
      mode: z.literal('existing'),
      /** Bucket name. */
      bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'),
      /** Key prefix; each service writes under `<prefix>/<service>`. @default '<app>-<environment>' */
      prefix: z.string().regex(/^[A-Za-z0-9!_.*'()-]+(?:\/[A-Za-z0-9!_.*'()-]+)*$/, 'must be an S3 key prefix without leading or trailing "/"').optional(),
    })
    .strict(),
  z
    .object({
      /** No access logs. */
      mode: z.literal('off'),
    })
    .strict(),
]);
export type AccessLogsConfig = z.infer<typeof accessLogsSchema>;

const loadBalancersSchema = z
  .object({
    /** ALB access logs. @default { mode: 'create' } in a production environment, else { mode: 'off' } */
    accessLogs: accessLogsSchema.optional(),
    /** Deletion protection on every load balancer: a `destroy` or a replacement must first turn it off. @default true in a production environment, else false */
    deletionProtection: z.boolean().optional(),
  })
  .strict();

/** AWS services whose endpoints may be overridden (LocalStack-style emulators). */
export const ENDPOINT_SERVICES = [
  'ecs', 'codedeploy', 'ecr', 'elbv2', 'applicationautoscaling', 'iam', 'ec2', 'cloudwatch', 'logs', 'sts',
] as const;

export const environmentSchema = z
  .object({
    /** Application name, the first part of every resource name. */
    app: identifier('app'),
    /** Environment name (dev, prod, ...), the second part of every resource name. */
    environment: identifier('environment'),
    /** Production-like: every service must serve HTTPS (`certificateArn`, with an HTTP→HTTPS redirect), and load balancers default to access logs and deletion protection. @default false */
    production: z.boolean().default(false),
    /** The AWS account (12 digits) the environment lives in, compared across environments to find shared accounts. @default the account of `github.oidcProvider.arn` when the provider is `existing`, else unknown (the policy rule `shared-account-acknowledged` then fails for an environment with a deploy role) */
    accountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id').optional(),
    /** The other environments in the same AWS account, acknowledged: each one's deploy role can approve or stop this one's deployments and the reverse (CodeDeploy's ContinueDeployment and StopDeployment take no resource). Synthesis fails when an environment shares the account unlisted, or lists one that does not. @default [] (an account of its own) */
    sharedAccountWith: z.array(identifier('sharedAccountWith[]')).default([]),
    /** AWS region. */
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as "ap-northeast-1"'),
    /** Availability zones to spread over (2+). Taken from configuration so a plan needs no AWS call. */
    availabilityZones: z.array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, 'must be an availability zone such as "ap-northeast-1a"')).min(2, 'needs at least 2 availability zones: an ALB requires subnets in two'),
    /** The VPC: created, or existing ids. @default { mode: 'create' } */
    network: networkSchema.default({ mode: 'create' }),
    /** ECS Container Insights on the cluster. @default true */
    containerInsights: z.boolean().default(true),
    /** Days CloudWatch keeps container logs. @default 30 */
    logRetentionDays: z
      .number()
      .int()
      .refine((d) => [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653].includes(d), 'must be a CloudWatch retention value (1, 3, 5, 7, 14, 30, 60, 90, 365, ...)')
      .default(30),
    /** Where Terraform keeps state. @default { backend: 'local' } */
    state: stateSchema.default({ backend: 'local' }),
    /** Provider settings for emulators and offline plans. */
    aws: z
      .object({
        /** Fake credentials and no AWS calls at provider start-up: for offline `terraform plan` and emulators. @default false */
        offline: z.boolean().default(false),
        /** Endpoint URL overrides per service, for LocalStack-style emulators. @default {} */
        endpoints: z.record(z.enum(ENDPOINT_SERVICES), z.string().url()).default({}),
      })
      .strict()
      .default({}),
    /** Name of the environment variable holding a Slack-compatible webhook URL for release notifications (never the URL itself). @default 'CHAT_WEBHOOK_URL' */
    chatWebhookEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name').default('CHAT_WEBHOOK_URL'),
    /** A verification function in the VPC that CodeDeploy runs at AfterAllowTestTraffic to GET the test listener (`release.verifyPath`, `deploy --verify`); the test listeners admit it. It calls the CodeDeploy and EC2 APIs, so the task subnets need NAT (or an existing network's own route). @default true when a blue-green service exists and the tasks have NAT or the network is existing, else false */
    verificationHook: z.boolean().optional(),
    /** Access logs and deletion protection of the services' load balancers. @default {} (the production-dependent defaults below) */
    loadBalancers: loadBalancersSchema.default({}),
    /** GitHub OIDC provider, plan role and deploy role for this environment's workflows. @default undefined (off) */
    github: githubIdentitySchema.optional(),
    /** Tags on every resource. @default {} */
    tags: z.record(z.string()).default({}),
    /** The services of this environment; they share the network and cluster. */
    services: z.array(serviceSchema).min(1, 'needs at least one service'),
  })
  .strict();

export type EnvironmentConfig = z.infer<typeof environmentSchema>;
export type EnvironmentConfigInput = z.input<typeof environmentSchema>;

/** The access logs an environment's load balancers write: as configured, else created for production and off otherwise. */
export function accessLogsOf(env: Pick<EnvironmentConfig, 'production' | 'loadBalancers'>): AccessLogsConfig {
  return env.loadBalancers.accessLogs ?? (env.production ? { mode: 'create', retentionDays: 90 } : { mode: 'off' });
}

/** Whether the environment's task subnets reach AWS APIs through NAT (or an existing network's own route). */
function reachesAwsApis(env: Pick<EnvironmentConfig, 'network'>): boolean {
  return env.network.mode === 'existing' || env.network.natGateways !== 'none';
}

/** Whether the stack creates the verification hook: as configured, else when a blue-green service exists and the task subnets reach AWS APIs. */
export function hasVerificationHook(env: Pick<EnvironmentConfig, 'network' | 'services' | 'verificationHook'>): boolean {
  const blueGreen = env.services.some((service) => service.release.strategy === 'blue-green');
  return env.verificationHook ?? (blueGreen && reachesAwsApis(env));
}

/** Problems with the verification hook settings, one line each (config/index.ts reports them). */
export function verificationHookProblems(env: EnvironmentConfig): string[] {
  const problems: string[] = [];
  if (env.verificationHook === true) {
    if (!env.services.some((service) => service.release.strategy === 'blue-green')) problems.push(`${env.environment}.verificationHook: no blue-green service to verify; remove it`);
    if (!reachesAwsApis(env)) problems.push(`${env.environment}.verificationHook: the hook function calls CodeDeploy and EC2 from the task subnets, which have no NAT; set network.natGateways to "single" or "per-az", or verificationHook: false`);
  }
  env.services.forEach((service, index) => {
    if (service.release.verifyPath === undefined) return;
    const at = `${env.environment}.services[${index}] (${service.name}).release.verifyPath`;
    if (service.release.strategy !== 'blue-green') problems.push(`${at}: verification needs strategy "blue-green" (a test listener); remove it or switch strategy`);
    else if (!hasVerificationHook(env)) problems.push(`${at}: the environment has no verification hook (verificationHook, which needs NAT for the task subnets); remove verifyPath or enable the hook`);
    if (service.release.lifecycleHooks.AfterAllowTestTraffic) problems.push(`${at}: lifecycleHooks.AfterAllowTestTraffic is set too, and an AppSpec runs one function per event; remove one of them`);
  });
  return problems;
}

/** Whether an environment's load balancers have deletion protection: as configured, else on for production. */
export function deletionProtectionOf(env: Pick<EnvironmentConfig, 'production' | 'loadBalancers'>): boolean {
  return env.loadBalancers.deletionProtection ?? env.production;
}
