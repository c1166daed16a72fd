/**
 * The one source of truth for environments, services and names. `main.ts` builds the stacks from
 * it and `scripts/deploy.ts` resolves its release targets from it.
 */
import { ZodError } from 'zod';
import { ENVIRONMENTS } from './environments';
import { ELB_NAME_LIMIT, serviceNames } from './names';
import { environmentSchema, FARGATE_SIZES, verificationHookProblems, type EnvironmentConfig, type EnvironmentConfigInput, type ServiceConfig } from './schema';

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

/** The CodeDeploy deployment config name a service's deployment group uses. */
export function deploymentConfigName(env: EnvironmentConfig, service: ServiceConfig): string {
  const config = service.release.deploymentConfig;
  return typeof config === 'string' ? config : serviceNames(env, service).customDeploymentConfig;
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

  problems.push(...verificationHookProblems(env));
  const zones = env.availabilityZones;
  if (new Set(zones).size !== zones.length) problems.push(`${env.environment}.availabilityZones: list each zone once`);
  const provider = env.github?.oidcProvider;
  if (env.accountId && provider?.mode === 'existing' && provider.arn.split(':')[4] !== env.accountId) {
    problems.push(`${env.environment}.accountId: ${env.accountId} is not the account of github.oidcProvider.arn (${provider.arn.split(':')[4]}); a role can only trust a provider of its own account`);
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
}

/** Load and validate one environment by name. */
export function loadEnvironment(name: string, options: LoadOptions = {}): EnvironmentConfig {
  const raw: EnvironmentConfigInput | undefined = ENVIRONMENTS[name];
  if (!raw) {
    throw new ConfigError([`unknown environment "${name}"; use one of: ${environmentNamesList().join(', ')}`]);
  }
  const config = parseEnvironment(name, raw);
  const offline = options.offline ?? /^(1|true)$/i.test(process.env.ECS_BG_OFFLINE ?? '');
  return offline ? { ...config, aws: { ...config.aws, offline: true } } : config;
}

/** Every environment, validated, together: shared AWS accounts must be acknowledged on both sides. */
export function loadAllEnvironments(options: LoadOptions = {}): EnvironmentConfig[] {
  const all = environmentNamesList().map((name) => loadEnvironment(name, options));
  const problems = all.flatMap((env) => sharedAccountProblems(env, all));
  if (problems.length > 0) throw new ConfigError(problems);
  return all;
}

/** Find a service in an environment, with a clear error naming the choices. */
export function findService(env: EnvironmentConfig, name: string): ServiceConfig {
  const service = env.services.find((candidate) => candidate.name === name);
  if (!service) {
    throw new ConfigError([`unknown service "${name}" in environment ${env.environment}; use one of: ${env.services.map((s) => s.name).join(', ')}`]);
  }
  return service;
}
