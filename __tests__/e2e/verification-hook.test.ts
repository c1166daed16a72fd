/**
 * Verification from inside the VPC, end to end: the release tool as its own process puts prod's
 * verification hook into the AppSpec; the emulated CodeDeploy runs the function the stack packages
 * (functions/verify-test-listener) at AfterAllowTestTraffic against the emulated test listener,
 * and its PutLifecycleEventHookExecutionStatus decides the deployment, whether or not the tool is
 * still running. A failed check is shown by the tool from the function's log group
 * (FilterLogEvents), as Lambda wrote it there.
 */
import type { EmulatorHandle, StateDump } from '../../emulator';
import { expectExit, liveTargetGroups, revisionOf, runCli, serviceOf, startCli, useEmulator, verdict, waitForState } from './support';

const e2e = useEmulator(['prod'], { timeScale: 1 });
const PROD = { service: 'shop-prod-web', lb: 'shop-prod-web', group: 'shop-prod-web', blue: 'shop-prod-web-blue', hook: 'shop-prod-verify-test-listener' };

/** Choose what the emulated test listener answers the hook. */
async function testListenerAnswers(aws: EmulatorHandle, status: number, body: unknown): Promise<void> {
  const response = await fetch(`${aws.url}/_emulator/verification`, { method: 'POST', body: JSON.stringify({ status, body }) });
  expect(response.status).toBe(200);
}

async function hookLog(aws: EmulatorHandle): Promise<{ deploymentId: string; line: string }[]> {
  const response = await fetch(`${aws.url}/_emulator/verification`);
  return ((await response.json()) as { log: { deploymentId: string; line: string }[] }).log;
}

const hookEvent = (state: StateDump, id: string) => state.deployments.find((deployment) => deployment.id === id)?.lifecycleEvents.find((event) => event.name === 'AfterAllowTestTraffic');

describe('deploy --verify with the environment verification hook (prod)', () => {
  it('names the hook in the AppSpec; the function GETs the path inside the VPC, passes, and the release approves and completes', async () => {
    const { aws } = e2e;
    const result = await runCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0', '--verify', '/health']);
    expectExit(result, 0);
    expect(result.stdout).toContain(`verify: CodeDeploy runs ${PROD.hook} at AfterAllowTestTraffic: GET /health on the test listener from inside the VPC`);
    expect(result.stdout).toMatch(/^ {2}AfterAllowTestTraffic: Succeeded$/m);
    expect(result.stdout).toContain(`verify: ${PROD.hook} passed at AfterAllowTestTraffic; approving`);
    expect(verdict(result)).toMatch(/^prod\/web: released shop-prod-web:2/);

    const state = aws.state();
    const deployment = state.deployments.find((candidate) => candidate.deploymentGroup === PROD.group);
    const record = aws.emulator.sim.world.deployments.find((candidate) => candidate.id === deployment?.id);
    expect(record?.appSpec.hooks).toEqual({ AfterAllowTestTraffic: PROD.hook });
    const log = await hookLog(aws);
    expect(log.map((entry) => JSON.parse(entry.line))).toEqual([
      { deploymentId: deployment?.id, check: '1/10', path: '/health', result: 'passed', status: 200, ms: expect.any(Number) },
      { deploymentId: deployment?.id, reported: 'Succeeded' },
    ]);
    // A check that passed needs no reading of its log, and the output says nothing more about it.
    expect(aws.callLog().filter((call) => call.operation === 'FilterLogEvents')).toEqual([]);
    expect(result.stdout).not.toMatch(/check \d+\/\d+|filter-log-events|could not be read/);
    // The function reported its own result; the tool sent no PutLifecycleEventHookExecutionStatus.
    const puts = aws.callLog().filter((call) => call.operation === 'PutLifecycleEventHookExecutionStatus');
    expect(puts.map((call) => [call.accessKeyId, (call.input as { status: string }).status])).toEqual([['EMULATEDVERIFICATIONHOOK', 'Succeeded']]);
    expect(revisionOf(serviceOf(state, PROD.service).taskDefinition)).toBe('shop-prod-web:2');
  });

  it('rolls back when the hook sees the test listener fail, before any production traffic moved, and shows the failing response from its log', async () => {
    const { aws } = e2e;
    await testListenerAnswers(aws, 500, { status: 'degraded', database: 'unreachable', password: 'hunter2' });
    const result = await runCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0', '--verify', '/health']);
    expectExit(result, 1);
    const deploymentId = /deployment (d-\w+) created/.exec(result.stdout)?.[1] as string;
    expect(result.stdout).toMatch(/^ {2}AfterAllowTestTraffic: Failed$/m);
    expect(result.stdout).toContain(`verify failed: ${PROD.hook} reported the test listener failing for GET /health`);
    // The last five of its ten checks, read from its log group: status, time, the body's excerpt
    // (the emulated listener's pretty-printed JSON on one line, the password redacted).
    const body = '{ "status": "degraded", "database": "unreachable", "password": "[redacted]" }';
    const shown = result.stdoutLines.slice(result.stdoutLines.indexOf(`verify: the last 5 of 10 checks by ${PROD.hook} (log group /aws/lambda/${PROD.hook}):`));
    expect(shown.slice(1, 6).map((line) => line.replace(/ in \d+ ms/, ' in N ms'))).toEqual([6, 7, 8, 9, 10].map((n) => `  check ${n}/10: GET /health → HTTP 500 in N ms: ${body}`));
    expect(result.stdout).not.toContain('hunter2');
    expect(verdict(result)).toMatch(
      new RegExp(
        `^error: prod/web: verification failed \\(.+\\); last check 10/10: GET /health → HTTP 500 in \\d+ ms: ${body.replace(/[[\]{}]/g, '\\$&')}; rolled back by d-\\w+: old version shop-prod-web:1 serving; every check: aws logs filter-log-events --log-group-name /aws/lambda/${PROD.hook} --filter-pattern '"${deploymentId}"'$`,
      ),
    );
    const reads = aws.callLog().filter((call) => call.operation === 'FilterLogEvents');
    expect(reads.map((call) => call.input)).toEqual([expect.objectContaining({ logGroupName: `/aws/lambda/${PROD.hook}`, filterPattern: `"${deploymentId}"` })]);

    const state = aws.state();
    expect(revisionOf(serviceOf(state, PROD.service).taskDefinition)).toBe('shop-prod-web:1');
    expect(liveTargetGroups(state, PROD.lb, 443)).toEqual([PROD.blue]);
  });

  it('gives the rollback verdict when AWS denies reading the log, and says how to read it', async () => {
    const { aws } = e2e;
    await testListenerAnswers(aws, 500, { error: 'boom' });
    aws.addFault({ service: 'logs', operation: 'FilterLogEvents', kind: 'denied' });
    const result = await runCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0', '--verify', '/health']);
    expectExit(result, 1);
    const deploymentId = /deployment (d-\w+) created/.exec(result.stdout)?.[1] as string;
    expect(result.stdout).toMatch(new RegExp(`^verify: the log of ${PROD.hook} could not be read: AWS denied logs:FilterLogEvents`, 'm'));
    expect(verdict(result)).toMatch(
      new RegExp(`^error: prod/web: verification failed \\(.+\\); its log /aws/lambda/${PROD.hook} could not be read; rolled back by d-\\w+: old version shop-prod-web:1 serving; read it: aws logs filter-log-events --log-group-name /aws/lambda/${PROD.hook} --filter-pattern '"${deploymentId}"'$`),
    );
    const state = aws.state();
    expect(revisionOf(serviceOf(state, PROD.service).taskDefinition)).toBe('shop-prod-web:1');
    expect(liveTargetGroups(state, PROD.lb, 443)).toEqual([PROD.blue]);
  });

  it('still verifies when the runner is killed (SIGKILL) right after creating the deployment: a failing check rolls back with nobody watching, and `wait` shows why', async () => {
    const { aws } = e2e;
    await testListenerAnswers(aws, 500, { error: 'boom' });
    const release = startCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0', '--verify', '/health'], { interruptOnOutput: /^deployment d-\w+ created/, signal: 'SIGKILL' });
    const killed = await release.done;
    expect(killed.signal).toBe('SIGKILL');
    const deploymentId = /deployment (d-\w+) created/.exec(killed.stdout)?.[1] as string;

    const state = await waitForState(
      aws,
      (now) => now.deployments.some((deployment) => deployment.id === deploymentId && deployment.status === 'Failed') && now.deployments.some((deployment) => deployment.creator === 'codeDeployRollback' && deployment.status === 'Succeeded'),
      'the unverified deployment failed by its hook and rolled back',
    );
    expect(hookEvent(state, deploymentId)?.status).toBe('Failed');
    expect(revisionOf(serviceOf(state, PROD.service).taskDefinition)).toBe('shop-prod-web:1');
    expect(liveTargetGroups(state, PROD.lb, 443)).toEqual([PROD.blue]);

    // Whoever picks it up later (`wait`) gets the same verdict, the failing response included.
    const waited = await runCli(aws, ['wait', '--env', 'prod', '--deployment-id', deploymentId]);
    expectExit(waited, 1);
    expect(waited.stdout).toContain(`verify failed: ${PROD.hook} reported the test listener failing for GET /health`);
    expect(waited.stdout).toContain(`verify: the last 5 of 10 checks by ${PROD.hook}`);
    expect(verdict(waited)).toMatch(/^error: prod\/web: verification failed \(.+\); last check 10\/10: GET \/health → HTTP 500 in \d+ ms: \{ "error": "boom" \}; rolled back by d-\w+: old version shop-prod-web:1 serving; every check: aws logs filter-log-events .+$/);
  });

  it('leaves a passing deployment waiting for approval when the runner is killed: it never goes live without someone approving', async () => {
    const { aws } = e2e;
    const release = startCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0', '--verify', '/health'], { interruptOnOutput: /^deployment d-\w+ created/, signal: 'SIGKILL' });
    const deploymentId = /deployment (d-\w+) created/.exec((await release.done).stdout)?.[1] as string;
    const state = await waitForState(aws, (now) => now.deployments.some((deployment) => deployment.id === deploymentId && deployment.status === 'Ready'), 'the verified deployment waiting for approval');
    expect(hookEvent(state, deploymentId)?.status).toBe('Succeeded');
    expect(liveTargetGroups(state, PROD.lb, 443)).toEqual([PROD.blue]);
  });

  it('uses release.verifyPath without --verify, and then waits for a person to approve as configured', async () => {
    const { aws } = e2e;
    const release = startCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0']);
    await release.waitForOutput(/waiting for approval until/);
    const approve = await runCli(aws, ['approve', '--env', 'prod']);
    expectExit(approve, 0);
    const result = await release.done;
    expectExit(result, 0);
    expect(result.stdout).toContain(`verify: CodeDeploy runs ${PROD.hook} at AfterAllowTestTraffic: GET /health on the test listener from inside the VPC`);
    expect((await hookLog(aws)).map((entry) => JSON.parse(entry.line).result ?? JSON.parse(entry.line).reported)).toEqual(['passed', 'Succeeded']);
  });

  it('--verify-base-url keeps the check on this machine: no hook in the AppSpec', async () => {
    const { aws } = e2e;
    const result = await runCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0', '--verify', '/health', '--verify-base-url', `${aws.url}/_emulator/test-listener/${PROD.group}`, '--dry-run']);
    expectExit(result, 0);
    expect(result.stdout).toContain(`verify:         GET ${aws.url}/_emulator/test-listener/${PROD.group}/health`);
    expect(result.stdout).not.toContain(PROD.hook);
  });
});

describe('rollback with the environment verification hook (prod)', () => {
  /** A verified release of v1.1.0: revision 2 serves, revision 1 is the one to roll back to. */
  async function released(aws: EmulatorHandle): Promise<void> {
    expectExit(await runCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0', '--verify', '/health']), 0);
    expect(revisionOf(serviceOf(aws.state(), PROD.service).taskDefinition)).toBe('shop-prod-web:2');
  }
  const rollbackDeployment = (aws: EmulatorHandle) => aws.state().deployments.find((deployment) => deployment.creator !== 'codeDeployRollback' && revisionOf(deployment.taskDefinition) === 'shop-prod-web:1');

  it('verifies the revision it returns to with the hook (release.verifyPath) before production traffic moves to it', async () => {
    const { aws } = e2e;
    await released(aws);
    const rollback = startCli(aws, ['rollback', '--env', 'prod', '--to', '1']);
    // prod's approval wait applies to a rollback as to any release: a person approves.
    await rollback.waitForOutput(/waiting for approval until/);
    expectExit(await runCli(aws, ['approve', '--env', 'prod']), 0);
    const result = await rollback.done;
    expectExit(result, 0);
    expect(result.stdout).toContain(`verify: CodeDeploy runs ${PROD.hook} at AfterAllowTestTraffic: GET /health on the test listener from inside the VPC`);
    expect(result.stdout).toMatch(/^ {2}AfterAllowTestTraffic: Succeeded$/m);
    expect(verdict(result)).toMatch(/^prod\/web: rolled back to shop-prod-web:1 \(from shop-prod-web:2; deployment d-\w+\)$/);

    const deployment = rollbackDeployment(aws);
    const record = aws.emulator.sim.world.deployments.find((candidate) => candidate.id === deployment?.id);
    expect(record?.appSpec.hooks).toEqual({ AfterAllowTestTraffic: PROD.hook });
    const checked = (await hookLog(aws)).filter((entry) => entry.deploymentId === deployment?.id).map((entry) => JSON.parse(entry.line));
    expect(checked).toEqual([expect.objectContaining({ check: '1/10', path: '/health', status: 200 }), expect.objectContaining({ reported: 'Succeeded' })]);
    expect(revisionOf(serviceOf(aws.state(), PROD.service).taskDefinition)).toBe('shop-prod-web:1');
  });

  it('keeps the version that serves when the revision it would return to fails the check, and shows the failing response (exit 1)', async () => {
    const { aws } = e2e;
    await released(aws);
    // The environment changed since revision 1 served (say, a migration it cannot read).
    await testListenerAnswers(aws, 500, { error: 'schema version 7 is newer than this build understands' });
    const result = await runCli(aws, ['rollback', '--env', 'prod', '--to', '1']);
    expectExit(result, 1);
    expect(result.stdout).toMatch(/^ {2}AfterAllowTestTraffic: Failed$/m);
    expect(result.stdout).toContain(`verify: the last 5 of 10 checks by ${PROD.hook}`);
    expect(verdict(result)).toMatch(
      /^error: prod\/web: verification failed \(.+\); last check 10\/10: GET \/health → HTTP 500 in \d+ ms: \{ "error": "schema version 7 is newer than this build understands" \}; rolled back by d-\w+: old version shop-prod-web:2 serving; every check: aws logs filter-log-events .+$/,
    );
    const state = aws.state();
    expect(revisionOf(serviceOf(state, PROD.service).taskDefinition)).toBe('shop-prod-web:2');
    expect(hookEvent(state, rollbackDeployment(aws)?.id ?? '')?.status).toBe('Failed');
  });

  it('--dry-run shows the hook in the AppSpec it would deploy', async () => {
    const { aws } = e2e;
    await released(aws);
    const result = await runCli(aws, ['rollback', '--env', 'prod', '--to', '1', '--dry-run']);
    expectExit(result, 0);
    expect(result.stdout).toMatch(new RegExp(`^ {2}Hooks:\\n {4}- AfterAllowTestTraffic: ${PROD.hook}$`, 'm'));
  });
});

