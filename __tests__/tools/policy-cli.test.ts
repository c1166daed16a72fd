/**
 * `npm run policy` as a command: its arguments, where it synthesizes, and its exit codes as a
 * person sees them (the rules themselves are tested in __tests__/infra/policy.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, environmentNamesList, loadEnvironment } from '../../config';
import { parsePolicyArguments, synthesizeForPolicy } from '../../tools/policy';
import { inScratchDir } from '../support/scratch';

const REPO_ROOT = resolve(__dirname, '../..');

function problems(argv: string[]): readonly string[] {
  try {
    parsePolicyArguments(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('npm run policy arguments', () => {
  it('checks every environment by default and with --all, one with --env', () => {
    expect(parsePolicyArguments([])).toEqual({ environments: environmentNamesList(), json: false });
    expect(parsePolicyArguments(['--all', '--json'])).toEqual({ environments: environmentNamesList(), json: true });
    expect(parsePolicyArguments(['--env', 'prod'])).toEqual({ environments: ['prod'], json: false });
  });

  it("takes --service with --env: only that service's stack's findings", () => {
    expect(parsePolicyArguments(['--env', 'prod', '--service', 'web'])).toEqual({ environments: ['prod'], service: 'web', json: false });
    expect(problems(['--service', 'web'])).toEqual(['--service names a stack of one environment; pass --env NAME too']);
  });

  it('names the problem and the fix in one line', () => {
    expect(problems(['--env', 'staging'])).toEqual([`unknown environment "staging"; use one of: ${environmentNamesList().join(', ')}`]);
    expect(problems(['--env', 'dev', '--all'])).toEqual(['--env and --all exclude each other; pass one']);
    expect(problems(['dev'])[0]).toMatch(/^unexpected argument "dev"; usage: npm run policy/);
    expect(problems(['--verbose'])[0]).toMatch(/usage: npm run policy/);
  });
});

describe('synthesis for the policy check', () => {
  it('creates its output directory and its parents (a fresh clone has no .tf/)', async () => {
    await inScratchDir('policy', (dir) => {
      const outdir = join(dir, 'not', 'yet', 'there');
      const [stack] = synthesizeForPolicy([loadEnvironment('dev')], outdir);
      expect(Object.keys(stack.resource ?? {})).toContain('aws_ecs_service');
      expect(existsSync(outdir)).toBe(true);
    });
  });
});

describe('the command', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'tools/policy.ts', ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CDKTF_DISABLE_TELEMETRY: 'true' },
    });

  it('exits 2 with one line on stderr for bad input', () => {
    const result = run(['--env', 'staging']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^unknown environment "staging"/)]);
  });

  it('exits 0 and reports every rule for an environment as JSON', () => {
    const result = run(['--env', 'dev', '--json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as unknown;
    expect(JSON.stringify(report)).toContain('tasks-only-from-own-load-balancer');
  });
});
