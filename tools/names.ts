/**
 * Prints resource names from the shared configuration, for shell steps that need one
 * (e.g. the ECR repository a CI job pushes to), so no workflow spells a name by hand.
 *
 *   npx tsx tools/names.ts --env dev --service web            # all names as JSON
 *   npx tsx tools/names.ts --env dev --service web repository # one name
 *   npx tsx tools/names.ts --env dev stacks                   # every stack, one a line, shared first
 *   npx tsx tools/names.ts --env dev --service web serviceStack   # the stack of that service
 *
 * A list prints one item a line, so a shell loop (`for stack in $(...)`) walks it in order.
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
  const names: Record<string, unknown> = {
    ...environmentNames(env),
    ...serviceNames(env, service),
    region: env.region,
    stateBackend: env.state.backend,
    // The stacks in dependency order (config/names.ts): the shared stack, then one per service.
    stacks: environmentStacks(env).map((entry) => entry.stack),
    serviceStack: serviceStackName(env, service),
  };
  const key = positionals[0];
  if (key === undefined) {
    console.log(JSON.stringify(names, null, 2));
    return;
  }
  if (!(key in names)) throw new ConfigError([`unknown name "${key}"; use one of: ${Object.keys(names).join(', ')}`]);
  const value = names[key];
  console.log(Array.isArray(value) ? value.join('\n') : String(value));
}

try {
  main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
