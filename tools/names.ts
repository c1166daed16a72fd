/**
 * Prints resource names from the shared configuration, for shell steps that need one
 * (e.g. the ECR repository a CI job pushes to), so no workflow spells a name by hand.
 *
 *   npx tsx tools/names.ts --env dev --service web            # all names as JSON
 *   npx tsx tools/names.ts --env dev --service web repository # one name
 */
import { parseArgs } from 'node:util';
import { ConfigError, environmentNames, findService, loadEnvironment, serviceNames } from '../config';

function main(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { env: { type: 'string', default: 'dev' }, service: { type: 'string' } },
    allowPositionals: true,
  });
  const env = loadEnvironment(values.env!);
  const service = values.service ? findService(env, values.service) : env.services[0];
  const names: Record<string, unknown> = { ...environmentNames(env), ...serviceNames(env, service), region: env.region, stateBackend: env.state.backend };
  const key = positionals[0];
  if (key === undefined) {
    console.log(JSON.stringify(names, null, 2));
    return;
  }
  if (!(key in names)) throw new ConfigError([`unknown name "${key}"; use one of: ${Object.keys(names).join(', ')}`]);
  console.log(String(names[key]));
}

try {
  main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
