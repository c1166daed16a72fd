/**
 * Prints resource names from the shared configuration, for shell steps that need one
 * (e.g. the ECR repository a CI job pushes to), so no workflow spells a name by hand.
 *
 *   npx tsx tools/names.ts --env dev --service web            # all names as JSON
 *   npx tsx tools/names.ts --env dev --service web repository # one name
 *   npx tsx tools/names.ts --env dev stacks                   # the environment's stacks, one a line, in dependency order
 *
 * `stacks` lists the shared stack first, then one stack per service in configuration order: the
 * order in which they are planned and applied (a service stack reads the shared stack).
 */
import { parseArgs } from 'node:util';
import { ConfigError, environmentNames, environmentStacks, findService, loadEnvironment, serviceNames, serviceStackName } from '../config';

function main(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { env: { type: 'string', default: 'dev' }, service: { type: 'string' } },
    allowPositionals: true,
  });
  const env = loadEnvironment(values.env!);
  const service = values.service ? findService(env, values.service) : env.services[0];
  const key = positionals[0];
  if (key === 'stacks') {
    for (const { stack } of environmentStacks(env)) console.log(stack);
    return;
  }
  const names: Record<string, unknown> = { ...environmentNames(env), ...serviceNames(env, service), serviceStack: serviceStackName(env, service), region: env.region, stateBackend: env.state.backend };
  if (key === undefined) {
    console.log(JSON.stringify(names, null, 2));
    return;
  }
  if (!(key in names)) throw new ConfigError([`unknown name "${key}"; use one of: ${[...Object.keys(names), 'stacks'].join(', ')}`]);
  console.log(String(names[key]));
}

try {
  main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
