/**
 * Bad input through the real process: exit 2, exactly one line on stderr, and AWS untouched.
 * Checks that need no AWS call make none at all; those that read AWS change nothing. The cases
 * are __tests__/support/bad-input-cases.ts's E2E_CASES (docs/reliability-bad-input.md lists them).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2E_CASES, filledArgv, filledEnv, type BadInputCase } from '../support/bad-input-cases';
import { expectExit, runCli, startCli, useEmulator, type CliResult } from './support';

const e2e = useEmulator(['dev', 'prod']);

function expectOneLineRefusal(result: CliResult, message: RegExp): void {
  expectExit(result, 2);
  expect(result.stdout).toBe('');
  expect(result.stderrLines).toHaveLength(1);
  expect(result.stderrLines[0]).toMatch(/^error: /);
  expect(result.stderrLines[0]).toMatch(message);
}

describe('bad input (exit 2)', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'e2e-bad-input-'));
    writeFileSync(join(tmp, 'a-file'), 'not a directory\n');
    mkdirSync(join(tmp, 'rendered'));
    for (const name of ['taskdef.json', 'appspec.yaml']) writeFileSync(join(tmp, 'rendered', name), 'rendered before\n');
    writeFileSync(join(tmp, 'aws-config'), '[profile broken]\nregion = not a region;x\n');
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const byToken = (cases: readonly BadInputCase[], withDeployment: boolean) => cases.filter((entry) => entry.argv.includes('{prodDeployment}') === withDeployment);

  async function refuseOne(entry: BadInputCase, tokens: Record<string, string>): Promise<void> {
    const result = await runCli(e2e.aws, filledArgv(entry.argv, tokens), { env: { ...Object.fromEntries(Object.keys(entry.env ?? {}).map((name) => [name, undefined])), ...filledEnv(entry.env, tokens) } });
    expectOneLineRefusal(result, entry.expected);
    if (entry.neverPrinted) expect(result.stdout + result.stderr).not.toContain(entry.neverPrinted);
  }

  /** The offline cases three at a time (together they may make no call at all), then the reading ones one by one. */
  async function refuse(cases: readonly BadInputCase[], tokens: Record<string, string>): Promise<void> {
    const { aws } = e2e;
    const before = aws.callLog().length;
    const offline = cases.filter((entry) => entry.aws === 'none');
    for (let start = 0; start < offline.length; start += 3) {
      await Promise.all(offline.slice(start, start + 3).map((entry) => refuseOne(entry, tokens)));
    }
    expect(aws.callLog().slice(before)).toEqual([]);
    for (const entry of cases.filter((candidate) => candidate.aws === 'reads')) {
      const from = aws.callLog().length;
      await refuseOne(entry, tokens);
      expect(aws.callLog().slice(from).filter((call) => call.mutating)).toEqual([]);
    }
  }

  it('refuses each case with one line and changes nothing; those judged offline make no AWS call', async () => {
    await refuse(byToken(E2E_CASES, false), { tmp });
    expect(e2e.aws.state().deployments).toEqual([]);
    expect(readFileSync(join(tmp, 'rendered', 'taskdef.json'), 'utf8')).toBe('rendered before\n');
  });

  it("refuses another environment's deployment id while it waits for approval, and leaves it waiting", async () => {
    const { aws, clock } = e2e;
    const release = startCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0']);
    await release.waitForOutput(/waiting for approval/);
    clock.pause();
    const prodDeployment = aws.state().deployments[0].id;
    await refuse(byToken(E2E_CASES, true), { prodDeployment });
    expect(aws.callLog().filter((call) => ['ContinueDeployment', 'StopDeployment'].includes(call.operation))).toEqual([]);
    expect(aws.state().deployments[0].status).toBe('Ready');
    clock.resume();
    release.interrupt();
    expectExit(await release.done, 3);
  });
});

describe('AccessDenied', () => {
  it('names the denied operation and the role, says nothing of retries, and is not retried', async () => {
    const { aws } = e2e;
    aws.addFault({ service: 'ecs', operation: 'DescribeServices', kind: 'denied' });
    const result = await runCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0']);
    expectExit(result, 5);
    expect(result.stderrLines).toEqual([
      "error: AWS denied ecs:DescribeServices to role emulated-deploy-role (AccessDeniedException): add ecs:DescribeServices to that role's policy (for the deploy role: config/release-permissions.ts, docs/identity.md), or release with a role that has it",
    ]);
    expect(aws.callLog().filter((call) => call.operation === 'DescribeServices')).toHaveLength(1);
    expect(aws.callLog().filter((call) => call.mutating)).toEqual([]);
  });
});

describe('the chat webhook URL is a secret', () => {
  it('is never printed, not even in the warning when posting to it fails', async () => {
    const { aws } = e2e;
    // fetch refuses a URL with credentials and names the URL in its error.
    const webhook = 'http://bot:s3cr3t-p4ss@127.0.0.1:9/services/T000/B000/t0k3n';
    const result = await runCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0'], { env: { CHAT_WEBHOOK_URL: webhook } });
    expectExit(result, 0);
    const printed = result.stdout + result.stderr;
    for (const fragment of ['s3cr3t-p4ss', 't0k3n', '127.0.0.1:9']) expect(printed).not.toContain(fragment);
    expect(result.stderrLines.filter((line) => /chat notification failed/.test(line))).toEqual([expect.stringContaining('<CHAT_WEBHOOK_URL>')]);
  });
});
