/**
 * Bad input: one clear line on stderr, exit code 2, and not a single mutating AWS call. Cases that
 * can be judged from flags and configuration alone must not call AWS at all.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filledArgv, filledEnv, UNIT_CASES, type BadInputCase } from '../support/bad-input-cases';
import { fakeWorld, runCli, type World } from './support/fake-aws';

describe('bad input', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'bad-input-'));
    writeFileSync(join(tmp, 'a-file'), 'not a directory\n');
    mkdirSync(join(tmp, 'rendered'));
    for (const name of ['taskdef.json', 'appspec.yaml']) writeFileSync(join(tmp, 'rendered', name), 'rendered before\n');
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const rows = (aws: 'none' | 'reads') => UNIT_CASES.filter((entry) => entry.aws === aws).map((entry) => ({ ...entry, label: `${entry.inputClass}: ${entry.title}` }));

  async function refused(entry: BadInputCase, environment: 'prod' | 'preview'): Promise<World> {
    const world = fakeWorld(environment);
    entry.setup?.(world);
    const run = await runCli(world, filledArgv(entry.argv, { tmp }), filledEnv(entry.env, { tmp }));
    expect(run.code).toBe(2);
    expect(run.stderr).toHaveLength(1);
    expect(run.stderr[0]).toMatch(entry.expected);
    if (entry.neverPrinted) expect([...run.stdout, ...run.stderr].join('\n')).not.toContain(entry.neverPrinted);
    expect(world.mutatingCalls()).toBe(0);
    return world;
  }

  it.each(rows('none'))('$label: exit 2, one line, no AWS call at all', async (entry) => {
    const world = await refused(entry, entry.argv.includes('preview') ? 'preview' : 'prod');
    expect(world.allCalls()).toBe(0);
  });

  it.each(rows('reads'))('$label: exit 2, one line, no mutating call', async (entry) => {
    await refused(entry, entry.argv.includes('preview') ? 'preview' : 'prod');
  });

  it('leaves the files rendered before as they were', () => {
    expect(readFileSync(join(tmp, 'rendered', 'taskdef.json'), 'utf8')).toBe('rendered before\n');
  });

  it('counts at least 25 cases', () => {
    expect(UNIT_CASES.length).toBeGreaterThanOrEqual(25);
  });

  it('prints the error in the JSON document too with --json, and nothing else on stdout', async () => {
    const world = fakeWorld('prod');
    const run = await runCli(world, ['--env', 'prod', '--tag', 'latest', '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout.join('\n'))).toEqual({ command: 'deploy', exitCode: 2, error: expect.stringMatching(/mutable tag/) });
  });

  it('prints each command\'s help with exit 0 and no AWS call', async () => {
    const world = fakeWorld('prod');
    for (const command of ['deploy', 'status', 'wait', 'approve', 'finish', 'rollback', 'stop', 'settle', 'render']) {
      const run = await runCli(world, [command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout.join('\n')).toMatch(/Usage: npm run deploy --/);
      expect(run.stdout.join('\n')).toContain('6  interrupted, deployment left running');
    }
    expect(world.allCalls()).toBe(0);
  });
});
