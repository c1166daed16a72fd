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
