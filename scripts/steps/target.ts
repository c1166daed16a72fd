/** Resolve which environment and services a command acts on, from the configuration and flags. */
import {
  ConfigError,
  environmentNames,
  environmentNamesList,
  findService,
  loadEnvironment,
  serviceNames,
  type EnvironmentConfig,
  type ServiceConfig,
  type ServiceNames,
} from '../../config';
import { BadInputError } from '../cli/errors';

export interface ReleaseTarget {
  readonly env: EnvironmentConfig;
  readonly service: ServiceConfig;
  readonly names: ServiceNames;
  readonly cluster: string;
  readonly strategy: 'blue-green' | 'rolling';
}

export interface TargetFlags {
  readonly env?: string;
  readonly service?: string;
  readonly all?: boolean;
}

function badInputFromConfig<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) throw new BadInputError(error.problems.join('; '));
    throw error;
  }
}

export function targetFor(env: EnvironmentConfig, service: ServiceConfig): ReleaseTarget {
  return {
    env,
    service,
    names: serviceNames(env, service),
    cluster: environmentNames(env).cluster,
    strategy: service.release.strategy,
  };
}

/**
 * `--env` is always required: a release never lands in an environment by default. `--service` may
 * be left out when the environment has a single service.
 */
export function resolveTargets(flags: TargetFlags, options: { allowMany: boolean }): ReleaseTarget[] {
  if (!flags.env) throw new BadInputError(`--env is required; use one of: ${environmentNamesList().join(', ')}`);
  const env = badInputFromConfig(() => loadEnvironment(flags.env as string));
  if (flags.all && flags.service) throw new BadInputError('--all and --service conflict; pass one of them');
  if (flags.all && !options.allowMany) throw new BadInputError('--all is not accepted here; pass --service NAME');
  let services: ServiceConfig[];
  if (flags.all) {
    services = env.services;
  } else if (flags.service !== undefined) {
    const requested = [...new Set(flags.service.split(',').map((name) => name.trim()))];
    if (requested.some((name) => name === '')) throw new BadInputError(`--service "${flags.service}" has an empty name; use e.g. --service web,api`);
    services = requested.map((name) => badInputFromConfig(() => findService(env, name)));
  } else if (env.services.length === 1) {
    services = env.services;
  } else {
    throw new BadInputError(
      `environment ${env.environment} has several services (${env.services.map((s) => s.name).join(', ')}): pass --service NAME${options.allowMany ? ' or --all' : ''}`,
    );
  }
  if (services.length > 1 && !options.allowMany) throw new BadInputError('this command acts on one service: pass a single --service NAME');
  return services.map((service) => targetFor(env, service));
}

/** The exact command a person runs next, e.g. `npm run deploy -- wait --env prod --service web`. */
export function commandLine(verb: string, target: ReleaseTarget, extra = ''): string {
  return `npm run deploy -- ${verb} --env ${target.env.environment} --service ${target.service.name}${extra ? ` ${extra}` : ''}`;
}

/** `shop-prod-web`-style label for progress lines and summaries. */
export function targetLabel(target: ReleaseTarget): string {
  return `${target.env.environment}/${target.service.name}`;
}
