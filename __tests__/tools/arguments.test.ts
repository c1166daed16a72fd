import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../config';
import { parseDriftArguments, parseTerraformArguments } from '../../tools/terraform/arguments';

const ENVIRONMENTS = (): string[] => ['dev', 'prod', 'preview'];
const dir = mkdtempSync(join(tmpdir(), 'tools-arguments-'));
const stateFile = join(dir, 'old.tfstate');
writeFileSync(stateFile, '{}');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The one line a bad command line produces. */
function problem(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(1);
    return (error as ConfigError).problems[0];
  }
  throw new Error('expected a ConfigError');
}

describe('npm run plan arguments', () => {
  it('plans dev by default, offline against an empty state, for people', () => {
    expect(parseTerraformArguments(['plan'], ENVIRONMENTS)).toEqual({ command: 'plan', environments: ['dev'], stateFile: undefined, json: false, markdownFile: undefined });
  });

  it('takes --all, --json and --markdown together', () => {
    const options = parseTerraformArguments(['plan', '--all', '--json', '--markdown', join(dir, 'plan.md')], ENVIRONMENTS);
    expect(options).toMatchObject({ environments: ['dev', 'prod', 'preview'], json: true, markdownFile: join(dir, 'plan.md') });
  });

  it("takes --service for one service's stack of one environment", () => {
    expect(parseTerraformArguments(['plan', '--env', 'prod', '--service', 'web'], ENVIRONMENTS)).toMatchObject({ environments: ['prod'], service: 'web' });
    expect(parseTerraformArguments(['validate', '--service', 'worker'], ENVIRONMENTS)).toMatchObject({ environments: ['dev'], service: 'worker' });
    expect(parseDriftArguments(['--self-check', '--env', 'preview', '--service', 'worker'], ENVIRONMENTS)).toMatchObject({ environments: ['preview'], service: 'worker', selfCheck: true });
  });

  it('takes --state for one environment', () => {
    expect(parseTerraformArguments(['plan', '--env', 'prod', '--state', stateFile], ENVIRONMENTS)).toMatchObject({ environments: ['prod'], stateFile });
  });

  it.each([
    [['plan', '--all', '--state', stateFile], "--state is one environment's state; pass --env NAME, not --all"],
    [['plan', '--env', 'dev', '--state', join(dir, 'missing.tfstate')], `--state ${join(dir, 'missing.tfstate')}: no such file`],
    [['plan', '--markdown', join(dir, 'no-such-dir', 'plan.md')], `--markdown ${join(dir, 'no-such-dir', 'plan.md')}: directory ${join(dir, 'no-such-dir')} does not exist`],
    [['plan', '--markdown', dir], `--markdown ${dir}: is a directory; name a file`],
    [['validate', '--json'], '--json applies to plan only'],
    [['plan', '--env', 'dev', '--all'], '--env and --all exclude each other; pass one'],
    [['plan', '--all', '--service', 'web'], '--service names a stack of one environment; pass --env NAME, not --all'],
    [['plan', '--env', 'dev', '--service', ''], '--service needs a service name'],
    [['apply'], 'usage: npm run <synth|validate|plan> -- [--env NAME [--service NAME] | --all] [--state FILE] [--json] [--markdown FILE]'],
    [['plan', '--verbose'], "Unknown option '--verbose'; usage: npm run <synth|validate|plan> -- [--env NAME [--service NAME] | --all] [--state FILE] [--json] [--markdown FILE]"],
  ])('refuses %j with one line', (argv, message) => {
    expect(problem(() => parseTerraformArguments(argv, ENVIRONMENTS))).toBe(message);
  });
});

describe('npm run drift arguments', () => {
  it('checks dev against its configured backend by default', () => {
    expect(parseDriftArguments([], ENVIRONMENTS)).toEqual({ selfCheck: false, environments: ['dev'], stateFile: undefined, json: false });
  });

  it('checks one environment against a state file, as JSON', () => {
    expect(parseDriftArguments(['--env', 'prod', '--state', stateFile, '--json'], ENVIRONMENTS)).toEqual({ selfCheck: false, environments: ['prod'], stateFile, json: true });
  });

  it('self-checks every environment with --self-check --all', () => {
    expect(parseDriftArguments(['--self-check', '--all'], ENVIRONMENTS)).toMatchObject({ selfCheck: true, environments: ['dev', 'prod', 'preview'] });
  });

  it.each([
    [['--all'], 'drift checks one environment at a time (each against its own state); pass --env NAME, or --self-check --all'],
    [['--self-check', '--state', stateFile], '--self-check builds its own states; drop --state'],
    [['--self-check', '--json'], '--json applies to a drift check, not --self-check'],
    [['--env', 'dev', '--state', join(dir, 'gone.tfstate')], `--state ${join(dir, 'gone.tfstate')}: no such file`],
    [['dev'], 'unexpected argument "dev"; usage: npm run drift -- [--env NAME] [--service NAME] [--state FILE] [--json]  |  npm run drift -- --self-check [--env NAME [--service NAME] | --all]'],
    [['--env'], "Option '--env <value>' argument missing; usage: npm run drift -- [--env NAME] [--service NAME] [--state FILE] [--json]  |  npm run drift -- --self-check [--env NAME [--service NAME] | --all]"],
  ])('refuses %j with one line', (argv, message) => {
    expect(problem(() => parseDriftArguments(argv, ENVIRONMENTS))).toBe(message);
  });
});
