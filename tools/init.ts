/**
 * `npm run init`: the example becomes your project. Answers come from flags, or from prompts when
 * run in a terminal without them; config/environments.ts is rewritten with dev and prod under your
 * names (tools/init/adopt-environments.ts), validated with the real schema, and the next commands
 * are printed. An edited config is never replaced without --force.
 *
 * Exit codes: 0 written, 2 bad input or an edited file (nothing written).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { ConfigError, environmentNames, type EnvironmentConfigInput } from '../config';
import { adoptEnvironments, type InitAnswers } from './init/adopt-environments';
import { INIT_USAGE, parseInitArguments, parseServiceAnswer } from './init/arguments';
import { configFileState, renderEnvironmentsFile } from './init/environments-file';

const CONFIG_FILE = join(__dirname, '..', 'config', 'environments.ts');

async function ask(): Promise<InitAnswers> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const question = async (text: string) => (await prompt.question(`${text}: `)).trim();
    const app = await question('Application name (e.g. store)');
    const region = await question('AWS region (e.g. eu-west-1)');
    const account = await question('AWS account id of dev (12 digits)');
    const prodAccount = await question(`AWS account id of prod (Enter: the same, ${account})`);
    const repository = await question('GitHub repository (owner/name)');
    const services = await question('Services, space-separated NAME[:PORT[:HEALTH_PATH]] (e.g. web api:8080:/healthz)');
    return {
      app,
      region,
      account,
      ...(prodAccount ? { prodAccount } : {}),
      repository,
      services: services.split(/\s+/).filter(Boolean).map(parseServiceAnswer),
    };
  } finally {
    prompt.close();
  }
}

function nextSteps(environments: Record<string, EnvironmentConfigInput>): string[] {
  const dev = environmentNames({ app: environments.dev.app, environment: 'dev' }).stack;
  return [
    `wrote ${relative(process.cwd(), CONFIG_FILE) || CONFIG_FILE}: ${Object.keys(environments).map((name) => environmentNames({ app: environments[name].app, environment: name }).stack).join(' and ')}, account ${environments.dev.accountId}${environments.prod.accountId !== environments.dev.accountId ? ` (prod ${environments.prod.accountId})` : ' (dev and prod share it: sharedAccountWith)'}`,
    ...(environments.prod.services.some((service) => service.certificateArn)
      ? ['prod serves HTTPS only: set each prod service\'s certificateArn to your ACM certificate (a placeholder is written)']
      : []),
    '',
    'Next:',
    '  npm run plan -- --all        # synthesize both stacks and plan them offline',
    '  npm run policy -- --all      # the security and operability rules',
    `  npx cdktf deploy ${dev}   # create dev in your account (docs/adopt.md, step by step)`,
  ];
}

async function main(argv: string[]): Promise<number> {
  const options = parseInitArguments(argv);
  if (options.help) {
    console.log(INIT_USAGE);
    return 0;
  }
  const current = readFileSync(CONFIG_FILE, 'utf8');
  const { ENVIRONMENTS } = await import('../config/environments');
  const state = configFileState(current, ENVIRONMENTS);
  if (state.kind === 'edited' && !options.force) {
    throw new ConfigError([`config/environments.ts ${state.reason}; init will not replace it (pass --force to, keeping its other settings)`]);
  }
  if (options.interactive && !process.stdin.isTTY) throw new ConfigError([`no answers given and no terminal to ask in; ${INIT_USAGE.split('\n')[0]}`]);
  const answers = options.answers ?? (await ask());
  const environments = adoptEnvironments(ENVIRONMENTS, answers);
  writeFileSync(CONFIG_FILE, renderEnvironmentsFile(environments));
  for (const line of nextSteps(environments)) console.log(line);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) console.error(problem);
    process.exitCode = 2;
  },
);
