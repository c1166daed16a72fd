/**
 * `npm run init`'s answers mapped onto the example's environments: the dev and prod of
 * config/environments.ts are the template, and only what names the project changes (app, region
 * and zones, account, repository, services). Every other field — release settings, sizes, network,
 * production defaults, anything the schema gains later — flows through from the template as it is.
 */
import {
  ConfigError,
  GITHUB_OIDC_HOST,
  parseEnvironment,
  sharedAccountProblems,
  type EnvironmentConfigInput,
  type ServiceConfigInput,
} from '../../config';

/** The environments init writes, in this order. */
export const INIT_ENVIRONMENTS = ['dev', 'prod'] as const;

/** One `--service NAME[:PORT[:HEALTH_PATH]]`. */
export interface ServiceAnswer {
  readonly name: string;
  /** Port the container listens on. @default the template service's (80) */
  readonly port?: number;
  /** Path the load balancer's health check probes. @default the template service's ('/') */
  readonly healthPath?: string;
}

export interface InitAnswers {
  /** Application name, the first part of every resource name. */
  readonly app: string;
  /** AWS region of both environments. */
  readonly region: string;
  /** AWS account of dev (and of prod unless `prodAccount` is given). */
  readonly account: string;
  /** AWS account of prod. @default `account` (dev and prod then share it, acknowledged in both) */
  readonly prodAccount?: string;
  /** GitHub repository, "owner/name". */
  readonly repository: string;
  /** The services, in order. */
  readonly services: readonly ServiceAnswer[];
  /** Availability zone letters. @default the template's zones when the region is unchanged, else a, b, c (as many as the template has) */
  readonly zoneLetters?: readonly string[];
}

/** Every string in a value, rewritten by `rewrite` (objects and arrays copied, nothing shared with the input). */
function mapStrings<T>(value: T, rewrite: (text: string) => string): T {
  if (typeof value === 'string') return rewrite(value) as T;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, rewrite)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, rewrite)])) as T;
  }
  return value;
}

/** ARNs of the template (certificates, secrets, hook functions...) moved to the new region and account. */
function rehomeArns(region: string, account: string): (text: string) => string {
  return (text) => text.replace(/^(arn:aws[a-z-]*:[a-z0-9-]+):([a-z0-9-]*):(\d{12})?:/, (_, head: string, oldRegion: string, oldAccount?: string) => `${head}:${oldRegion ? region : ''}:${oldAccount ? account : ''}:`);
}

function availabilityZones(template: EnvironmentConfigInput, answers: InitAnswers): string[] {
  if (!answers.zoneLetters && template.region === answers.region) return [...template.availabilityZones];
  const letters = answers.zoneLetters ?? ['a', 'b', 'c'].slice(0, template.availabilityZones.length);
  return letters.map((letter) => `${answers.region}${letter}`);
}

/** A service under the template's settings; port and health check path are the answer's, or the schema's defaults. */
function adoptService(template: ServiceConfigInput, answer: ServiceAnswer): ServiceConfigInput {
  const { name: _name, containerPort: _port, healthCheck, ...settings } = template;
  const { path: _path, ...probe } = healthCheck ?? {};
  const check = answer.healthPath !== undefined ? { ...probe, path: answer.healthPath } : probe;
  return {
    name: answer.name,
    ...settings,
    ...(answer.port !== undefined ? { containerPort: answer.port } : {}),
    ...(Object.keys(check).length > 0 ? { healthCheck: check } : {}),
  };
}

function accountFor(name: string, answers: InitAnswers): string {
  return name === 'prod' ? (answers.prodAccount ?? answers.account) : answers.account;
}

function adoptEnvironment(name: string, template: EnvironmentConfigInput, answers: InitAnswers): EnvironmentConfigInput {
  const account = accountFor(name, answers);
  const moved = mapStrings(template, rehomeArns(answers.region, account));
  const templateService = moved.services[0];
  const sharing = INIT_ENVIRONMENTS.filter((other) => other !== name && accountFor(other, answers) === account);
  const github = moved.github && {
    ...moved.github,
    repository: answers.repository,
    ...(moved.github.oidcProvider?.mode === 'existing'
      ? { oidcProvider: { mode: 'existing' as const, arn: `arn:aws:iam::${account}:oidc-provider/${GITHUB_OIDC_HOST}` } }
      : {}),
  };
  const { app: _app, environment: _environment, accountId: _account, sharedAccountWith: _sharing, ...settings } = moved;
  return {
    app: answers.app,
    environment: name,
    accountId: account,
    ...(sharing.length > 0 ? { sharedAccountWith: sharing } : {}),
    ...settings,
    region: answers.region,
    availabilityZones: availabilityZones(template, answers),
    tags: Object.fromEntries(Object.entries(moved.tags ?? {}).map(([key, value]) => [key, value === template.app ? answers.app : value])),
    ...(github ? { github } : {}),
    services: answers.services.map((service) => adoptService(templateService, service)),
  };
}

/**
 * dev and prod for the project, from the template's dev and prod, validated with the real schema
 * and the cross-environment checks (a ConfigError with one line per problem).
 */
export function adoptEnvironments(template: Readonly<Record<string, EnvironmentConfigInput>>, answers: InitAnswers): Record<string, EnvironmentConfigInput> {
  const missing = INIT_ENVIRONMENTS.filter((name) => !template[name]);
  if (missing.length > 0) {
    throw new ConfigError([`config/environments.ts has no ${missing.join(' or ')} environment to start from; restore the example (git checkout config/environments.ts) or edit it by hand`]);
  }
  if (answers.services.length === 0) throw new ConfigError(['name at least one service: --service NAME[:PORT[:HEALTH_PATH]]']);
  const adopted = Object.fromEntries(INIT_ENVIRONMENTS.map((name) => [name, adoptEnvironment(name, template[name], answers)]));
  const parsed = INIT_ENVIRONMENTS.map((name) => parseEnvironment(name, adopted[name]));
  const problems = parsed.flatMap((env) => sharedAccountProblems(env, parsed));
  if (problems.length > 0) throw new ConfigError(problems);
  return adopted;
}
