/**
 * The one source of truth for environments, services and names. `main.ts` builds the stacks from
 * it and `scripts/deploy.ts` resolves its release targets from it.
 */
import { ZodError } from 'zod';
import { ENVIRONMENTS } from './environments';
import { ELB_NAME_LIMIT, RELEASE_TAG_KEY, serviceNames, TERRAFORM_REVISION_TAG_KEY, type ServiceNames } from './names';
import { FLEET_WORKER_INPUT, mixedFleet, testFleetCount, TEST_FLEET_VARIABLE } from './fleet';
import { environmentSchema, serviceSchema, FARGATE_SIZES, verificationHookProblems, type EnvironmentConfig, type EnvironmentConfigInput, type ServiceConfig } from './schema';

export * from './schema';
export * from './names';
export * from './scaling-record';

/** Invalid configuration: the message has one line per problem, each naming the field and the fix. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Production listener port(s): 443 (plus the 80 redirect) with a certificate, else 80. */
export function productionPort(service: Pick<ServiceConfig, 'certificateArn'>): number {
  return service.certificateArn ? 443 : 80;
}

/** Test listener port: configured, else 8443 with HTTPS and 8080 without. */
export function testListenerPort(service: Pick<ServiceConfig, 'certificateArn' | 'testListener'>): number {
  return service.testListener.port ?? (service.certificateArn ? 8443 : 8080);
}

/** The verification hook's tries of the test listener before it reports Failed. */
export const VERIFICATION_TRIES = 10;

/** What the verification hook checks for one blue-green service (functions/verify-test-listener reads it from VERIFY_TARGETS). */
export interface VerificationTargetSettings {
  /** The service's load balancer: the function looks up its DNS name and private addresses by this name. */
  readonly loadBalancerName: string;
  /** The test listener's protocol and port. */
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly port: number;
  /** The configured path (`release.verifyPath`); absent: only `deploy --verify PATH`. */
  readonly path?: string;
  /** GETs before giving up. */
  readonly tries: number;
}

/**
 * The verification hook's settings by deployment group, for every blue-green service of the
 * environment: all from configuration and names, nothing from a service's stack, so the shared
 * stack that holds the hook never reads a service stack (modules/verification-hook.ts).
 */
export function verificationTargets(env: EnvironmentConfig): Record<string, VerificationTargetSettings> {
  return Object.fromEntries(
    env.services
      .filter((service) => service.kind === 'web' && service.release.strategy === 'blue-green')
      .map((service) => {
        const names = serviceNames(env, service);
        const settings: VerificationTargetSettings = {
          loadBalancerName: names.loadBalancer,
          protocol: service.certificateArn ? 'HTTPS' : 'HTTP',
          port: testListenerPort(service),
          ...(service.release.verifyPath ? { path: service.release.verifyPath } : {}),
          tries: VERIFICATION_TRIES,
        };
        return [names.deploymentGroup, settings];
      }),
  );
}

/**
 * VERIFY_TARGETS, the verification hook's settings as its environment variable: compact, because
 * Lambda allows 4 KB for all of a function's variables (Lambda quotas, "Function environment
 * variables") and the hook serves every blue-green service of the environment. Load balancer and
 * deployment group share the service's name prefix (config/names.ts) and every service has the same
 * tries, so each service costs only `"name":"PROTOCOL:PORT[:PATH]"` (about 30 bytes; the full
 * object form took about 115, which passed 4 KB at 36 services):
 *
 *   {"prefix":"shop-prod-","tries":10,"services":{"web":"HTTPS:8443:/health"}}
 *
 * functions/verify-test-listener reads it with its own decoder (it is packaged alone); a test holds
 * that decoder, decodeVerificationTargets and verificationTargets to the same answer.
 */
export function verificationTargetsVariable(env: EnvironmentConfig): string {
  const prefix = `${env.app}-${env.environment}-`;
  const services = Object.fromEntries(
    Object.values(verificationTargets(env)).map((target) => [target.loadBalancerName.slice(prefix.length), [target.protocol, target.port, ...(target.path !== undefined ? [target.path] : [])].join(':')]),
  );
  return JSON.stringify({ prefix, tries: VERIFICATION_TRIES, services });
}

/** VERIFY_TARGETS back to the settings by deployment group (the inverse of verificationTargetsVariable). */
export function decodeVerificationTargets(variable: string): Record<string, VerificationTargetSettings> {
  const { prefix, tries, services } = JSON.parse(variable) as { prefix: string; tries: number; services: Record<string, string> };
  return Object.fromEntries(
    Object.entries(services).map(([service, spec]) => {
      const [protocol, port, ...path] = spec.split(':');
      const name = `${prefix}${service}`;
      const settings: VerificationTargetSettings = { loadBalancerName: name, protocol: protocol as VerificationTargetSettings['protocol'], port: Number(port), ...(path.length > 0 ? { path: path.join(':') } : {}), tries };
      return [name, settings];
    }),
  );
}

/** The CodeDeploy deployment config name a service's deployment group uses. */
export function deploymentConfigName(env: EnvironmentConfig, service: ServiceConfig): string {
  const config = service.release.deploymentConfig;
  return typeof config === 'string' ? config : serviceNames(env, service).customDeploymentConfig;
}

/** The ARN partition of a region: aws, aws-cn or aws-us-gov. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * How a created VPC is split (modules/network.ts): each subnet takes `bitsPerSubnet` more prefix
 * bits, which gives 16 slots, public subnets in the first `slotsPerTier` and private ones in the
 * rest; AWS's smallest subnet is a /28.
 */
export const SUBNET_LAYOUT = { bitsPerSubnet: 4, slotsPerTier: 8, smallestPrefix: 28 } as const;

/**
 * The longest name each AWS API accepts for the names config/names.ts builds per service (each
 * API's reference: CreateRole, CreateService, RegisterTaskDefinition, CreateRepository,
 * CreateLogGroup, CreateApplication, CreateDeploymentGroup, CreateDeploymentConfig,
 * PutMetricAlarm, CreateSecurityGroup). ELB's 32 characters, the tightest, is checked for web
 * services below; an environment of 100 services stays within all of them with the example's names.
 */
const SERVICE_NAME_LIMITS: readonly { readonly what: string; readonly limit: number; readonly names: (names: ServiceNames) => readonly string[] }[] = [
  { what: "IAM's role name", limit: 64, names: (n) => [n.executionRole, n.taskRole] },
  { what: "ECS's service and task family name", limit: 255, names: (n) => [n.service, n.taskFamily] },
  { what: "ECR's repository name", limit: 256, names: (n) => [n.repository] },
  { what: "CloudWatch Logs' log group name", limit: 512, names: (n) => [n.logGroup] },
  { what: "CodeDeploy's application, deployment group and deployment config name", limit: 100, names: (n) => [n.codeDeployApplication, n.deploymentGroup, n.customDeploymentConfig] },
  { what: "CloudWatch's alarm name", limit: 255, names: (n) => [n.alarms.target5xx, n.alarms.unhealthyHosts] },
  { what: "EC2's security group name", limit: 255, names: (n) => [n.albSecurityGroup, n.taskSecurityGroup] },
];

/** Names of a service over the limit of the API that creates them, one line each. */
function nameLengthProblems(env: EnvironmentConfig, service: ServiceConfig, at: string): string[] {
  const names = serviceNames(env, service);
  return SERVICE_NAME_LIMITS.flatMap(({ what, limit, names: of }) =>
    of(names)
      .filter((name) => name.length > limit)
      .map((name) => `${at}.name: "${name}" is ${name.length} characters, over ${what} limit of ${limit}; shorten app, environment or service name`),
  );
}

/** Load balancer rules: names within ELB's limit, health check timing, HTTPS in production, a closed test port. */
function webProblems(env: EnvironmentConfig, service: ServiceConfig, at: string): string[] {
  const problems: string[] = [];
  const names = serviceNames(env, service);
  const longest = [names.loadBalancer, ...names.targetGroups].reduce((a, b) => (b.length > a.length ? b : a));
  if (longest.length > ELB_NAME_LIMIT) {
    problems.push(`${at}.name: "${longest}" is ${longest.length} characters, over ELB's ${ELB_NAME_LIMIT}; shorten app, environment or service name`);
  }

  const check = service.healthCheck;
  if (check.timeoutSeconds >= check.intervalSeconds) {
    problems.push(`${at}.healthCheck.timeoutSeconds: ${check.timeoutSeconds} must be less than intervalSeconds (${check.intervalSeconds})`);
  }

  if (env.production && !service.certificateArn) {
    problems.push(`${at}.certificateArn: a production environment serves HTTPS only (HTTP redirects to it); set the service's ACM certificate ARN, or production: false`);
  }

  const testPort = testListenerPort(service);
  const productionPorts = service.certificateArn ? [80, 443] : [80];
  if (productionPorts.includes(testPort)) {
    problems.push(`${at}.testListener.port: ${testPort} clashes with the production listener; pick another port such as 8080`);
  }
  if (service.testListener.allowedCidrs.includes('0.0.0.0/0')) {
    problems.push(`${at}.testListener.allowedCidrs: 0.0.0.0/0 opens the unreleased version to the world; list your office or VPN CIDRs`);
  }
  if (service.release.strategy === 'rolling' && service.testListener.allowedCidrs.length > 0) {
    problems.push(`${at}.testListener.allowedCidrs: a rolling service has no test listener; remove the CIDRs or switch release.strategy to "blue-green"`);
  }
  return problems;
}

/** A worker has no load balancer: it rolls, and load balancer settings would be silently unused, so they are refused. */
function workerProblems(service: ServiceConfig, at: string): string[] {
  const problems: string[] = [];
  if (service.release.strategy !== 'rolling') {
    problems.push(`${at}.release.strategy: a worker has no load balancer to shift traffic on; set release: { strategy: 'rolling' }`);
  }
  const unused = [
    service.certificateArn !== undefined && 'certificateArn',
    (service.testListener.port !== undefined || service.testListener.allowedCidrs.length > 0) && 'testListener',
  ].filter((field): field is string => typeof field === 'string');
  for (const field of unused) problems.push(`${at}.${field}: a worker has no load balancer; remove it, or make the service kind "web"`);
  return problems;
}

/** A created VPC must split into one public and one private subnet per zone (SUBNET_LAYOUT). */
function networkProblems(env: EnvironmentConfig): string[] {
  if (env.network.mode !== 'create') return [];
  const problems: string[] = [];
  const { bitsPerSubnet, slotsPerTier, smallestPrefix } = SUBNET_LAYOUT;
  if (Number(env.network.cidr.split('/')[1]) + bitsPerSubnet > smallestPrefix) {
    problems.push(`${env.environment}.network.cidr: ${env.network.cidr} is too small to split into subnets; use a /${smallestPrefix - bitsPerSubnet} or larger block such as 10.0.0.0/16`);
  }
  if (env.availabilityZones.length > slotsPerTier) {
    problems.push(`${env.environment}.availabilityZones: ${env.availabilityZones.length} zones exceed the ${slotsPerTier} subnet slots per tier; list at most ${slotsPerTier}`);
  }
  return problems;
}

/** Tag keys the stack and the release tool set themselves, which configured tags must not claim. */
function reservedTagProblems(env: EnvironmentConfig): string[] {
  const reasons: Record<string, string> = {
    [RELEASE_TAG_KEY]: 'this tag marks revisions the release tool registers',
    [TERRAFORM_REVISION_TAG_KEY]: 'the stack sets this tag on each ECS service to its newest task definition revision',
  };
  return Object.entries(reasons).filter(([key]) => key in env.tags).map(([key, reason]) => `${env.environment}.tags.${key}: ${reason}; remove it from the tags`);
}

/** Rules zod cannot express field by field: they relate fields to each other. */
function crossFieldProblems(env: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  env.services.forEach((service, index) => {
    const at = `${env.environment}.services[${index}] (${service.name})`;
    if (seen.has(service.name)) problems.push(`${at}.name: "${service.name}" is used twice; give each service a unique name`);
    seen.add(service.name);

    const memories = FARGATE_SIZES[service.cpu];
    if (!memories) {
      problems.push(`${at}.cpu: ${service.cpu} is not a Fargate size; use one of ${Object.keys(FARGATE_SIZES).join(', ')}`);
    } else if (!memories.includes(service.memory)) {
      problems.push(`${at}.memory: ${service.memory} MiB does not fit cpu ${service.cpu}; use one of ${memories.join(', ')}`);
    }

    problems.push(...nameLengthProblems(env, service, at));
    problems.push(...(service.kind === 'worker' ? workerProblems(service, at) : webProblems(env, service, at)));

    const release = service.release;
    if (release.strategy === 'rolling') {
      if (release.approvalWaitMinutes !== undefined) problems.push(`${at}.release.approvalWaitMinutes: approval needs strategy "blue-green"; remove it or switch strategy`);
      if (Object.keys(release.lifecycleHooks).length > 0) problems.push(`${at}.release.lifecycleHooks: hooks need strategy "blue-green"; remove them or switch strategy`);
      if (release.deploymentConfig !== 'CodeDeployDefault.ECSAllAtOnce') problems.push(`${at}.release.deploymentConfig: traffic shifting needs strategy "blue-green"; remove it or switch strategy`);
    }

    const scaling = service.autoScaling;
    if (scaling) {
      if (scaling.minCapacity > scaling.maxCapacity) problems.push(`${at}.autoScaling.minCapacity: ${scaling.minCapacity} is above maxCapacity ${scaling.maxCapacity}`);
      if (service.desiredCount < scaling.minCapacity || service.desiredCount > scaling.maxCapacity) {
        problems.push(`${at}.desiredCount: ${service.desiredCount} is outside autoScaling bounds ${scaling.minCapacity}-${scaling.maxCapacity}`);
      }
    }
  });

  problems.push(...verificationHookProblems(env), ...networkProblems(env), ...reservedTagProblems(env));
  problems.push(...customDeploymentConfigProblems([env]));
  const zones = env.availabilityZones;
  if (new Set(zones).size !== zones.length) problems.push(`${env.environment}.availabilityZones: list each zone once`);
  const provider = env.github?.oidcProvider;
  if (env.accountId && provider?.mode === 'existing' && provider.arn.split(':')[4] !== env.accountId) {
    problems.push(`${env.environment}.accountId: ${env.accountId} is not the account of github.oidcProvider.arn (${provider.arn.split(':')[4]}); a role can only trust a provider of its own account`);
  }
  const providerPartition = provider?.mode === 'existing' ? provider.arn.split(':')[1] : undefined;
  if (providerPartition !== undefined && providerPartition !== partitionOf(env.region)) {
    problems.push(`${env.environment}.github.oidcProvider.arn: partition "${providerPartition}" does not match region ${env.region} ("${partitionOf(env.region)}"); use the provider of this environment's account`);
  }
  if (env.sharedAccountWith.includes(env.environment)) problems.push(`${env.environment}.sharedAccountWith: lists the environment itself; list the others in its account`);
  const strayZone = zones.find((zone) => !zone.startsWith(env.region));
  if (strayZone) problems.push(`${env.environment}.availabilityZones: "${strayZone}" is not in region ${env.region}`);
  return problems;
}

/** The AWS account an environment lives in: `accountId`, else the account of an existing GitHub OIDC provider's ARN; undefined when unknown. */
export function accountOf(env: Pick<EnvironmentConfig, 'accountId' | 'github'>): string | undefined {
  const provider = env.github?.oidcProvider;
  return env.accountId ?? (provider?.mode === 'existing' ? provider.arn.split(':')[4] : undefined);
}

/**
 * Environments in one AWS account share a blast radius: a deploy role's CodeDeploy
 * ContinueDeployment and StopDeployment take no resource (Service Authorization Reference), so it
 * can approve or stop every deployment of the account. Each environment must list every other one
 * of its account in `sharedAccountWith`, and none outside it.
 */
export function sharedAccountProblems(env: EnvironmentConfig, all: readonly EnvironmentConfig[]): string[] {
  const account = accountOf(env);
  const others = all.filter((other) => other.environment !== env.environment);
  const sharing = account === undefined ? [] : others.filter((other) => accountOf(other) === account).map((other) => other.environment);
  const unlisted = sharing.filter((name) => !env.sharedAccountWith.includes(name));
  const stale = env.sharedAccountWith.filter((name) => !sharing.includes(name));
  return [
    ...unlisted.map(
      (name) =>
        `${env.environment}.sharedAccountWith: shares AWS account ${account} with "${name}", whose deploy role can approve or stop ${env.environment}'s deployments (CodeDeploy ContinueDeployment/StopDeployment take no resource); list "${name}" to accept that, or give ${env.environment} an account of its own`,
    ),
    ...stale.map((name) => `${env.environment}.sharedAccountWith: lists "${name}", which is not in this environment's account (${account ?? 'unknown: set accountId'}); remove it`),
  ];
}

/**
 * The deploy policy names an environment's resources by patterns (`<app>-<environment>-*`,
 * modules/github-identity.ts). In one AWS account, another environment whose `<app>-<environment>`
 * begins with this one's plus a dash (environment `dev-eu` beside `dev` of the same app, or an app
 * `shop-dev` beside app `shop`'s `dev`) would have task families and roles matching this one's
 * patterns, so its deploy role could register and pass them. Such names are refused within an
 * account; the CodeDeploy statements also check the Environment tag (docs/identity.md).
 */
export function namePrefixProblems(env: EnvironmentConfig, all: readonly EnvironmentConfig[]): string[] {
  const account = accountOf(env);
  if (account === undefined) return [];
  const prefix = (other: EnvironmentConfig) => `${other.app}-${other.environment}-`;
  return all
    .filter((other) => other !== env && other.environment !== env.environment && accountOf(other) === account)
    .filter((other) => prefix(other).startsWith(prefix(env)))
    .map(
      (other) =>
        `${other.environment}.environment: "${other.app}-${other.environment}" begins with "${env.app}-${env.environment}-" of environment ${env.environment} in the same AWS account (${account}), so ${env.environment}'s deploy role would match its task families and roles; rename one so neither name begins with the other's plus a dash, or give them separate accounts`,
    );
}

/** CodeDeploy's quota of custom deployment configurations per account and Region ("CodeDeploy quotas"; not adjustable). */
export const CUSTOM_DEPLOYMENT_CONFIGS_PER_ACCOUNT = 50;

/** The services of `environments` that declare their own traffic shift (`release.deploymentConfig` as an object): one CodeDeploy deployment config each. */
function customDeploymentConfigs(environments: readonly EnvironmentConfig[]): string[] {
  return environments.flatMap((env) => env.services.filter((service) => typeof service.release.deploymentConfig !== 'string').map((service) => `${env.environment}/${service.name}`));
}

/**
 * CodeDeploy allows 50 custom deployment configs per account and Region, so the environments of
 * one account and region together may not declare more: one line per account and region over it
 * (an environment of unknown account is counted on its own, in `crossFieldProblems`).
 */
export function customDeploymentConfigProblems(all: readonly EnvironmentConfig[]): string[] {
  const groups = new Map<string, EnvironmentConfig[]>();
  for (const env of all) {
    const key = `${accountOf(env) ?? `unknown account of ${env.environment}`} (${env.region})`;
    groups.set(key, [...(groups.get(key) ?? []), env]);
  }
  return [...groups].flatMap(([where, environments]) => {
    const count = customDeploymentConfigs(environments).length;
    if (count <= CUSTOM_DEPLOYMENT_CONFIGS_PER_ACCOUNT) return [];
    const at = environments.map((env) => env.environment).join(', ');
    return [
      `${environments.length === 1 ? `${at}.services` : at}: ${count} services declare their own release.deploymentConfig in account ${where}, over CodeDeploy's ${CUSTOM_DEPLOYMENT_CONFIGS_PER_ACCOUNT} custom deployment configs per account and Region (not adjustable); give the others a predefined CodeDeployDefault.ECS* config`,
    ];
  });
}

function formatZodError(name: string, error: ZodError): string[] {
  return error.issues.map((issue) => {
    const path = [name, ...issue.path].join('.').replace(/\.(\d+)/g, '[$1]');
    return `${path}: ${issue.message}`;
  });
}

/** Validate raw configuration: defaults applied, every problem reported at once. */
export function parseEnvironment(name: string, input: unknown): EnvironmentConfig {
  const parsed = environmentSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(formatZodError(name, parsed.error));
  const problems = crossFieldProblems(parsed.data);
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

/** Names of the configured environments. */
export function environmentNamesList(): string[] {
  return Object.keys(ENVIRONMENTS);
}

/** Overrides applied on top of an environment, e.g. `offline` for a plan without AWS. */
export interface LoadOptions {
  /** Force fake credentials and skip AWS calls at provider start-up. @default the ECS_BG_OFFLINE variable ("1"/"true") */
  readonly offline?: boolean;
  /** `ENV=COUNT`: the environment as a synthetic fleet (config/fleet.ts). @default the TEST_FLEET variable */
  readonly fleet?: string;
}

/** The other environments that parse (one that does not reports its own problems when it is loaded). */
function otherEnvironments(name: string): EnvironmentConfig[] {
  return environmentNamesList()
    .filter((other) => other !== name)
    .flatMap((other) => {
      try {
        return [parseEnvironment(other, ENVIRONMENTS[other])];
      } catch (error) {
        if (error instanceof ConfigError) return [];
        throw error;
      }
    });
}

/**
 * Load and validate one environment by name, including that it acknowledges every other
 * environment of its AWS account: every tool (the stack, `npm run deploy`, plan, policy) calls
 * this, so all of them reach the same verdict on the same configuration.
 */
export function loadEnvironment(name: string, options: LoadOptions = {}): EnvironmentConfig {
  const raw: EnvironmentConfigInput | undefined = ENVIRONMENTS[name];
  if (!raw) {
    throw new ConfigError([`unknown environment "${name}"; use one of: ${environmentNamesList().join(', ')}`]);
  }
  const parsed = parseEnvironment(name, raw);
  const all = [parsed, ...otherEnvironments(name)];
  const accountProblems = [
    ...sharedAccountProblems(parsed, all),
    // Name prefixes either way: this environment's covering another's, or another's covering this one's.
    ...namePrefixProblems(parsed, all),
    ...all.filter((other) => other !== parsed).flatMap((other) => namePrefixProblems(other, [other, parsed])),
    // The custom deployment configs of every environment in this one's account and Region together.
    ...customDeploymentConfigProblems(all.filter((other) => other === parsed || (accountOf(parsed) !== undefined && accountOf(other) === accountOf(parsed) && other.region === parsed.region))),
  ];
  if (accountProblems.length > 0) throw new ConfigError(accountProblems);
  const offline = options.offline ?? /^(1|true)$/i.test(process.env.ECS_BG_OFFLINE ?? '');
  const config = withTestFleet(parsed, options.fleet ?? process.env[TEST_FLEET_VARIABLE], offline);
  return offline ? { ...config, aws: { ...config.aws, offline: true } } : config;
}

/** `TEST_FLEET` (config/fleet.ts): the environment as a synthetic fleet, offline only; validated like any environment. */
function withTestFleet(config: EnvironmentConfig, fleet: string | undefined, offline: boolean): EnvironmentConfig {
  let count: number | undefined;
  try {
    count = testFleetCount(fleet, config.environment);
  } catch (error) {
    throw new ConfigError([(error as Error).message]);
  }
  if (count === undefined) return config;
  if (!offline && !config.aws.offline) {
    throw new ConfigError([`${TEST_FLEET_VARIABLE} makes ${config.environment} a synthetic fleet for the emulator and is honoured only offline (ECS_BG_OFFLINE=1); unset it`]);
  }
  const worker = serviceSchema.parse(FLEET_WORKER_INPUT);
  return parseEnvironment(config.environment, mixedFleet(config, count, worker));
}

/** Every environment, validated (each load checks it against the others of its account). */
export function loadAllEnvironments(options: LoadOptions = {}): EnvironmentConfig[] {
  return environmentNamesList().map((name) => loadEnvironment(name, options));
}

/** Find a service in an environment, with a clear error naming the choices. */
export function findService(env: EnvironmentConfig, name: string): ServiceConfig {
  const service = env.services.find((candidate) => candidate.name === name);
  if (!service) {
    throw new ConfigError([`unknown service "${name}" in environment ${env.environment}; use one of: ${env.services.map((s) => s.name).join(', ')}`]);
  }
  return service;
}
