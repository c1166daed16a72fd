/**
 * `npm run init`'s command line, parsed into answers. Pure: a bad command line is a ConfigError
 * with one line (the entry point prints it and exits 2).
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../../config';
import type { InitAnswers, ServiceAnswer } from './adopt-environments';

export const INIT_USAGE = `usage: npm run init -- --app NAME --region REGION --account ID --repository OWNER/REPO --service NAME[:PORT[:HEALTH_PATH]] [--service ...]
                      [--prod-account ID] [--zones a,c,d] [--force]

Turns the example into your project: rewrites config/environments.ts with dev and prod under your
names (everything else as in the example), validates it, and prints the next commands. Run without
flags in a terminal, it asks for each answer.

  --app NAME              application name, the first part of every resource name (e.g. "store")
  --region REGION         AWS region of both environments (e.g. "eu-west-1")
  --account ID            AWS account (12 digits) of dev, and of prod unless --prod-account
  --prod-account ID       prod's own AWS account (recommended: docs/identity.md)
  --repository OWNER/REPO the GitHub repository whose workflows may assume the roles
  --service NAME[:PORT[:HEALTH_PATH]]  a service, e.g. "api:8080:/healthz" (repeatable; port 80 and "/" by default)
  --zones LETTERS         availability zone letters (default: a,b,c as many as the example has)
  --force                 replace a config/environments.ts that was edited
  -h, --help              this help

Exit codes: 0 written, 2 bad input or an edited file (nothing written).`;

export interface InitOptions {
  readonly help: boolean;
  readonly force: boolean;
  /** No answers on the command line: ask for them when a terminal is attached. */
  readonly interactive: boolean;
  readonly answers?: InitAnswers;
}

/** One `NAME[:PORT[:HEALTH_PATH]]`. */
export function parseServiceAnswer(text: string): ServiceAnswer {
  const [name, port, healthPath, ...rest] = text.split(':');
  const bad = (why: string) => new ConfigError([`--service ${text}: ${why}; use NAME[:PORT[:HEALTH_PATH]], e.g. api:8080:/healthz`]);
  if (!name || rest.length > 0) throw bad('expected up to three parts');
  if (port !== undefined && !/^\d{1,5}$/.test(port)) throw bad(`port "${port}" is not a number`);
  if (healthPath !== undefined && !healthPath.startsWith('/')) throw bad(`health path "${healthPath}" must start with "/"`);
  return { name, ...(port !== undefined ? { port: Number(port) } : {}), ...(healthPath !== undefined ? { healthPath } : {}) };
}

const REQUIRED = ['app', 'region', 'account', 'repository', 'service'] as const;

export function parseInitArguments(argv: readonly string[]): InitOptions {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        app: { type: 'string' },
        region: { type: 'string' },
        account: { type: 'string' },
        'prod-account': { type: 'string' },
        repository: { type: 'string' },
        service: { type: 'string', multiple: true },
        zones: { type: 'string' },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new ConfigError([`${(error as Error).message.split(/\.\s|\n/)[0]}; see npm run init -- --help`]);
  }
  const force = values.force as boolean;
  if (values.help) return { help: true, force, interactive: false };
  const given = REQUIRED.filter((flag) => values[flag] !== undefined);
  if (given.length === 0) return { help: false, force, interactive: true };
  const missing = REQUIRED.filter((flag) => values[flag] === undefined);
  if (missing.length > 0) throw new ConfigError([`missing ${missing.map((flag) => `--${flag}`).join(', ')}; see npm run init -- --help`]);
  const zones = values.zones as string | undefined;
  if (zones !== undefined && !/^[a-z](,[a-z])+$/.test(zones)) throw new ConfigError([`--zones ${zones}: give two or more zone letters, e.g. a,c`]);
  return {
    help: false,
    force,
    interactive: false,
    answers: {
      app: values.app as string,
      region: values.region as string,
      account: values.account as string,
      ...(values['prod-account'] !== undefined ? { prodAccount: values['prod-account'] as string } : {}),
      repository: values.repository as string,
      services: (values.service as string[]).map(parseServiceAnswer),
      ...(zones !== undefined ? { zoneLetters: zones.split(',') } : {}),
    },
  };
}
