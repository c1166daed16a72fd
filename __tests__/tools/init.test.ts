import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, parseEnvironment, sharedAccountProblems } from '../../config';
import { ENVIRONMENTS } from '../../config/environments';
import { adoptEnvironments, type InitAnswers } from '../../tools/init/adopt-environments';
import { parseInitArguments } from '../../tools/init/arguments';
import { configFileState, renderEnvironmentsFile } from '../../tools/init/environments-file';

const ANSWERS: InitAnswers = {
  app: 'acme',
  region: 'eu-west-1',
  account: '111122223333',
  prodAccount: '444455556666',
  repository: 'acme-corp/store',
  services: [{ name: 'api', port: 8080, healthPath: '/healthz' }, { name: 'web' }],
};

function problemsOf(act: () => unknown): readonly string[] {
  try {
    act();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('npm run init: answers mapped onto the example', () => {
  const adopted = adoptEnvironments(ENVIRONMENTS, ANSWERS);
  const dev = parseEnvironment('dev', adopted.dev);
  const prod = parseEnvironment('prod', adopted.prod);

  it('writes dev and prod under the new app, region, account and repository', () => {
    expect(Object.keys(adopted)).toEqual(['dev', 'prod']);
    expect([dev.app, dev.region, dev.accountId, dev.github?.repository]).toEqual(['acme', 'eu-west-1', '111122223333', 'acme-corp/store']);
    expect([prod.app, prod.accountId, prod.github?.oidcProvider]).toEqual([
      'acme',
      '444455556666',
      { mode: 'existing', arn: 'arn:aws:iam::444455556666:oidc-provider/token.actions.githubusercontent.com' },
    ]);
    expect(dev.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b']);
    expect(prod.tags).toEqual({ Project: 'acme', Environment: 'prod' });
  });

  it("gives every service the example's settings, with the answer's name, port and health check path", () => {
    expect(prod.services.map((service) => [service.name, service.containerPort, service.healthCheck.path])).toEqual([
      ['api', 8080, '/healthz'],
      ['web', 80, '/'],
    ]);
    const example = parseEnvironment('prod', ENVIRONMENTS.prod).services[0];
    expect(prod.services[1]).toEqual({ ...example, name: 'web', certificateArn: expect.stringMatching(/^arn:aws:acm:eu-west-1:444455556666:certificate\//) });
  });

  it('carries every other field of the example through, so settings the schema gains later are kept', () => {
    const { app, environment, accountId, region, availabilityZones, tags, github, services, sharedAccountWith, ...rest } = ENVIRONMENTS.prod;
    expect(adopted.prod).toMatchObject(rest);
  });

  it('acknowledges a shared account on both sides when dev and prod get one account', () => {
    const shared = adoptEnvironments(ENVIRONMENTS, { ...ANSWERS, prodAccount: undefined });
    expect([shared.dev.sharedAccountWith, shared.prod.sharedAccountWith]).toEqual([['prod'], ['dev']]);
    const parsed = ['dev', 'prod'].map((name) => parseEnvironment(name, shared[name]));
    expect(parsed.flatMap((env) => sharedAccountProblems(env, parsed))).toEqual([]);
  });

  it('rejects answers the schema rejects, one line per problem, naming the field', () => {
    expect(problemsOf(() => adoptEnvironments(ENVIRONMENTS, { ...ANSWERS, app: 'Acme', account: '42' }))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^dev\.app: /), expect.stringMatching(/^dev\.accountId: must be a 12-digit AWS account id/)]),
    );
  });

  it('round-trips: the written file exports exactly the adopted environments', () => {
    const text = renderEnvironmentsFile(adopted);
    const body = text.slice(text.indexOf('export const ENVIRONMENTS'));
    const exported = new Function(`${body.replace('export const ENVIRONMENTS: Record<string, EnvironmentConfigInput> =', 'return')}`)();
    expect(exported).toEqual(JSON.parse(JSON.stringify(adopted)));
  });
});

describe('npm run init: an edited config is never replaced silently', () => {
  const adopted = adoptEnvironments(ENVIRONMENTS, ANSWERS);
  const written = renderEnvironmentsFile(adopted);

  it("may replace the shipped example and its own unedited output", () => {
    expect(configFileState('/** example */\nexport const ENVIRONMENTS = {};\n', ENVIRONMENTS)).toEqual({ kind: 'example' });
    expect(configFileState(written, adopted)).toEqual({ kind: 'written-by-init' });
  });

  it('refuses its own output once a person edited it, and an example renamed by hand', () => {
    expect(configFileState(written.replace("desiredCount: 1", 'desiredCount: 3'), adopted)).toEqual({ kind: 'edited', reason: 'was edited after npm run init wrote it' });
    expect(configFileState('export const ENVIRONMENTS = {};', { ...ENVIRONMENTS, dev: { ...ENVIRONMENTS.dev, app: 'mine' } })).toMatchObject({ kind: 'edited' });
  });
});

describe('npm run init: the command line', () => {
  it('parses repeated services with optional port and health path', () => {
    const options = parseInitArguments(['--app', 'a', '--region', 'eu-west-1', '--account', '111122223333', '--repository', 'o/r', '--service', 'api:8080:/healthz', '--service', 'web']);
    expect(options.answers?.services).toEqual([{ name: 'api', port: 8080, healthPath: '/healthz' }, { name: 'web' }]);
    expect(options.interactive).toBe(false);
  });

  it('asks interactively only when no answer is given', () => {
    expect(parseInitArguments([])).toMatchObject({ interactive: true });
    expect(problemsOf(() => parseInitArguments(['--app', 'a']))).toEqual(['missing --region, --account, --repository, --service; see npm run init -- --help']);
  });

  it('rejects unknown flags and malformed services in one line', () => {
    expect(problemsOf(() => parseInitArguments(['--bogus']))).toEqual(["Unknown option '--bogus'; see npm run init -- --help"]);
    expect(problemsOf(() => parseInitArguments(['--app', 'a', '--region', 'r', '--account', '1', '--repository', 'o/r', '--service', 'api:http']))).toEqual([
      '--service api:http: port "http" is not a number; use NAME[:PORT[:HEALTH_PATH]], e.g. api:8080:/healthz',
    ]);
  });

  it('leaves the project\'s own configuration loadable (the tests never write config/environments.ts)', () => {
    const { ENVIRONMENTS: own } = jest.requireActual<typeof import('../../config/environments')>('../../config/environments');
    expect(Object.entries(own).map(([name, input]) => parseEnvironment(name, input).environment)).toEqual(Object.keys(own));
  });
});

describe('the adoption path on a scratch copy (tools/adopt-check.ts)', () => {
  it('runs init under new names, then plan, policy and a release against the emulator, and removes the copy', () => {
    const run = spawnSync(join(__dirname, '../../node_modules/.bin/tsx'), ['tools/adopt-check.ts'], { cwd: join(__dirname, '../..'), encoding: 'utf8', timeout: 420_000 });
    const output = `${run.stdout}${run.stderr}`;
    // On failure, what the failing step printed.
    expect({ status: run.status, failed: output.includes('FAILED') ? output.slice(output.indexOf('FAILED')) : '' }).toEqual({ status: 0, failed: '' });
    expect(output).toMatch(/^ok {2}a release of acme-dev \(api and web\) against the emulator/m);
  }, 450_000);
});
