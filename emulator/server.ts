/**
 * `npm run emulator -- [--env NAME[,NAME]] [--time-scale MS] [--port N] [--quiet]`
 *
 * Runs the emulator standalone, seeded with the configured environments, and prints what to
 * export so `npm run deploy` (or any AWS SDK v3 program) talks to it instead of AWS.
 */
import { environmentNamesList, loadEnvironment } from '../config';
import { startEmulator } from './emulator';

export interface ServerArgs {
  environments: string[];
  timeScale: number;
  port: number;
  replacementTimeoutMinutes: number;
  quiet: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run emulator -- [flags]

Local AWS endpoint for ECS, CodeDeploy, ECR, ELBv2 and Application Auto Scaling, seeded with what
Terraform would have created for the configured environments.

  --env NAME[,NAME]        environments to seed (repeatable; default: all of config/environments.ts)
  --time-scale MS          real milliseconds per emulated second (default 100: a minute takes 6 s)
  --port N                 port on 127.0.0.1 (default 0: any free port)
  --replacement-timeout M  emulated minutes before unhealthy replacement tasks fail a deployment (default 5)
  --quiet                  do not print one line per API call
  -h, --help               this help

Control API (JSON): GET /_emulator/state, POST /_emulator/faults, POST /_emulator/images,
POST /_emulator/alarm, POST /_emulator/hooks, POST /_emulator/reset (see emulator/README.md).`;

export function parseServerArgs(argv: readonly string[]): ServerArgs {
  const args: ServerArgs = { environments: [], timeScale: 100, port: 0, replacementTimeoutMinutes: 5, quiet: false, help: false };
  const number = (flag: string, value: string | undefined, check: (n: number) => boolean): number => {
    const parsed = Number(value);
    if (value === undefined || !Number.isFinite(parsed) || !check(parsed)) throw new Error(`${flag} needs a valid number, got ${value ?? 'nothing'}`);
    return parsed;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--env':
        args.environments.push(...(value() ?? '').split(',').filter(Boolean));
        break;
      case '--time-scale':
        args.timeScale = number(flag, value(), (n) => n > 0);
        break;
      case '--port':
        args.port = number(flag, value(), (n) => Number.isInteger(n) && n >= 0 && n < 65536);
        break;
      case '--replacement-timeout':
        args.replacementTimeoutMinutes = number(flag, value(), (n) => n > 0);
        break;
      case '--quiet':
        args.quiet = true;
        break;
      case '-h':
      case '--help':
        args.help = true;
        break;
      default:
        throw new Error(`unknown flag ${argv[i]}; see --help`);
    }
  }
  const known = environmentNamesList();
  const unknown = args.environments.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`unknown environment ${unknown.join(', ')}; use one of ${known.join(', ')}`);
  if (args.environments.length === 0) args.environments = known;
  return args;
}

async function main(): Promise<void> {
  let args: ServerArgs;
  try {
    args = parseServerArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const environments = args.environments.map((name) => loadEnvironment(name, { offline: true }));
  const aws = await startEmulator({
    environments,
    timeScale: args.timeScale,
    port: args.port,
    replacementTimeoutMinutes: args.replacementTimeoutMinutes,
    log: args.quiet ? undefined : (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
  });
  const exports = Object.entries(aws.env).map(([key, value]) => `${key}=${value}`).join(' ');
  process.stdout.write(
    [
      `AWS emulator listening on ${aws.url}`,
      `  environments: ${args.environments.join(', ')}`,
      `  time scale:   ${args.timeScale} ms per emulated second (an emulated minute takes ${((args.timeScale * 60) / 1000).toFixed(1)} s)`,
      `  state:        ${aws.url}/_emulator/state`,
      '',
      'Point the AWS SDK (and npm run deploy) at it:',
      `  export ${exports}`,
      '',
    ].join('\n'),
  );
  const shutdown = () => {
    void aws.close().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (require.main === module) void main();
