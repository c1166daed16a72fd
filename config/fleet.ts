/**
 * A synthetic environment of many services, for tests and benchmarks that measure how the stack,
 * the deploy policy and the release tool grow with the service count (issue: 50 services per
 * environment). It is never used for a real environment.
 */
import type { EnvironmentConfig, ServiceConfig } from './schema';

/**
 * `env` with `count` services, made by cycling through `templates` (by default the environment's
 * own services, so a mixed environment stays mixed). The first round keeps the templates' names;
 * later rounds append the round number: web, worker, web2, worker2, ... Names stay short enough
 * for ELB's 32-character limit with the example's app and environment names.
 */
export function fleetOf(env: EnvironmentConfig, count: number, templates: readonly ServiceConfig[] = env.services): EnvironmentConfig {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`fleetOf: count must be a positive integer, got ${count}`);
  if (templates.length === 0) throw new RangeError('fleetOf: at least one template service is needed');
  const services = Array.from({ length: count }, (_, index): ServiceConfig => {
    const template = templates[index % templates.length];
    const round = Math.floor(index / templates.length);
    return { ...template, name: round === 0 ? template.name : `${template.name}${round + 1}` };
  });
  return { ...env, services };
}

/**
 * `TEST_FLEET=ENV=COUNT` (e.g. `dev=50`): the release tool and the emulator's tests and benchmarks
 * see environment ENV as `mixedFleet(ENV, COUNT)`, so `deploy --all` can be tried on 50 services
 * against the emulator. Honoured only offline (`ECS_BG_OFFLINE=1`, or an environment with
 * `aws.offline`): a synthetic fleet is never released to AWS. Not an `ECS_BG_*` variable, as it
 * is not a setting of the tool.
 */
export const TEST_FLEET_VARIABLE = 'TEST_FLEET';

/** The count `TEST_FLEET` asks for `environment`, undefined when it names another one (or is unset); malformed is an error. */
export function testFleetCount(value: string | undefined, environment: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const match = /^([a-z][a-z0-9-]*)=(\d{1,3})$/.exec(value);
  if (!match || Number(match[2]) < 1) throw new RangeError(`${TEST_FLEET_VARIABLE} "${value}" must be ENV=COUNT, e.g. dev=50 (COUNT from 1 to 999)`);
  return match[1] === environment ? Number(match[2]) : undefined;
}

/** A rolling worker, for fleets of an environment that has none: blue/green and rolling mixed. */
export const FLEET_WORKER_INPUT = { name: 'worker', kind: 'worker', desiredCount: 1, release: { strategy: 'rolling' } } as const;

/**
 * `env`'s services, plus `worker` (a rolling worker, already parsed with the schema's defaults)
 * when none of them rolls, cycled to `count`: web, worker, web2, worker2, ...
 */
export function mixedFleet(env: EnvironmentConfig, count: number, worker: ServiceConfig): EnvironmentConfig {
  const rolls = env.services.some((service) => service.release.strategy === 'rolling');
  return fleetOf(env, count, rolls ? env.services : [...env.services, worker]);
}
