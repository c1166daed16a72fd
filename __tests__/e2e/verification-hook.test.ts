/**
 * Verification from inside the VPC, end to end: the release tool as its own process puts prod's
 * verification hook into the AppSpec; the emulated CodeDeploy runs the function the stack packages
 * (functions/verify-test-listener) at AfterAllowTestTraffic against the emulated test listener,
 * and its PutLifecycleEventHookExecutionStatus decides the deployment, whether or not the tool is
 * still running.
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
      expect.objectContaining({ deploymentId: deployment?.id, result: 'passed', try: '1/10', response: 'HTTP 200', url: expect.stringMatching(/\/health$/) }),
    ]);
    // The function reported its own result; the tool sent no PutLifecycleEventHookExecutionStatus.
    const puts = aws.callLog().filter((call) => call.operation === 'PutLifecycleEventHookExecutionStatus');
    expect(puts.map((call) => [call.accessKeyId, (call.input as { status: string }).status])).toEqual([['EMULATEDVERIFICATIONHOOK', 'Succeeded']]);
    expect(revisionOf(serviceOf(state, PROD.service).taskDefinition)).toBe('shop-prod-web:2');
  });

  it('rolls back when the hook sees the test listener fail, before any production traffic moved, and says where the failing response is', async () => {
    const { aws } = e2e;
    await testListenerAnswers(aws, 503, { status: 'degraded', database: 'unreachable' });
    const result = await runCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0', '--verify', '/health']);
    expectExit(result, 1);
    const deploymentId = /deployment (d-\w+) created/.exec(result.stdout)?.[1] as string;
    expect(result.stdout).toMatch(/^ {2}AfterAllowTestTraffic: Failed$/m);
    expect(result.stdout).toContain(`verify failed: ${PROD.hook} reported the test listener failing for GET /health`);
    expect(result.stdout).toContain(`its log: aws logs filter-log-events --log-group-name /aws/lambda/${PROD.hook} --filter-pattern '"${deploymentId}"'`);
    expect(verdict(result)).toMatch(/^error: prod\/web: verification failed \(.+\); rolled back by d-\w+: old version shop-prod-web:1 serving$/);

    const failing = (await hookLog(aws)).map((entry) => JSON.parse(entry.line)).find((line) => line.result === 'failed');
    expect(failing).toEqual(expect.objectContaining({ deploymentId, response: 'HTTP 503' }));
    expect(JSON.parse(failing.body)).toEqual({ status: 'degraded', database: 'unreachable' });
    const state = aws.state();
    expect(revisionOf(serviceOf(state, PROD.service).taskDefinition)).toBe('shop-prod-web:1');
    expect(liveTargetGroups(state, PROD.lb, 443)).toEqual([PROD.blue]);
  });

  it('still verifies when the runner is killed (SIGKILL) right after creating the deployment: a failing check rolls back with nobody watching', async () => {
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
    expect((await hookLog(aws)).map((entry) => JSON.parse(entry.line).result)).toEqual(['passed']);
  });

  it('--verify-base-url keeps the check on this machine: no hook in the AppSpec', async () => {
    const { aws } = e2e;
    const result = await runCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0', '--verify', '/health', '--verify-base-url', `${aws.url}/_emulator/test-listener/${PROD.group}`, '--dry-run']);
    expectExit(result, 0);
    expect(result.stdout).toContain(`verify:         GET ${aws.url}/_emulator/test-listener/${PROD.group}/health`);
    expect(result.stdout).not.toContain(PROD.hook);
  });
});
