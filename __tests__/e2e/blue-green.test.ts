/**
 * Blue/green releases end to end: the tool as its own process, the real SDK, the emulated
 * CodeDeploy. Each test checks what a person reads and what AWS ended up with.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  acceptedMutations,
  calls,
  expectExit,
  liveTargetGroups,
  pinnedImage,
  revisionOf,
  runCli,
  serviceOf,
  startCli,
  taskDefinitionOf,
  useEmulator,
  verdict,
  waitForState,
} from './support';

// One emulated second per real millisecond: prod's 5-minute canary takes 0.3 s, its 15-minute
// termination wait 0.9 s. The approval wait is held open by pausing the clock where it matters.
const e2e = useEmulator(['dev', 'prod'], { timeScale: 1 });

const DEV = { service: 'shop-dev-web', lb: 'shop-dev-web', repository: 'shop-dev/web', blue: 'shop-dev-web-blue', green: 'shop-dev-web-green' };
const PROD = { service: 'shop-prod-web', lb: 'shop-prod-web', repository: 'shop-prod/web', blue: 'shop-prod-web-blue', green: 'shop-prod-web-green' };

/** A local stand-in for the test listener, answering every request with `status`. */
async function healthServer(status: number): Promise<{ url: string; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const server: Server = createServer((request, response) => {
    paths.push(request.url ?? '');
    response.statusCode = status;
    response.end(status < 400 ? 'ok' : 'broken');
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    close: () => new Promise<void>((closed) => server.close(() => closed())),
  };
}

describe('deploy (blue/green, dev)', () => {
  it('releases a tag pinned by digest on a tagged revision, moves production traffic, then is a no-op when repeated', async () => {
    const { aws } = e2e;
    const before = aws.state();
    const original = serviceOf(before, DEV.service).taskDefinition;
    expect(liveTargetGroups(before, DEV.lb, 80)).toEqual([DEV.blue]);

    const first = await runCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0']);
    expectExit(first, 0);
    expect(verdict(first)).toMatch(/^dev\/web: released shop-dev-web:2 \(deployment d-\w+\)$/);
    expect(first.stdout).toContain('registered shop-dev-web:2');
    expect(first.stdout).toMatch(/traffic: original 0% \(shop-dev-web-blue\) → replacement 100% \(shop-dev-web-green\)/);

    const after = aws.state();
    const service = serviceOf(after, DEV.service);
    expect(service.taskDefinition).not.toBe(original);
    expect(revisionOf(service.taskDefinition)).toBe('shop-dev-web:2');
    const revision = taskDefinitionOf(after, service.taskDefinition);
    expect(revision.images).toEqual([pinnedImage(after, DEV.repository, 'v1.1.0')]);
    expect(revision.images[0]).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(revision.tags).toMatchObject({ ReleasedBy: 'ecs-bluegreen-deploy', BaseRevision: original });
    expect(liveTargetGroups(after, DEV.lb, 80)).toEqual([DEV.green]);
    expect(service.taskSets.filter((set) => set.status === 'PRIMARY').map((set) => [revisionOf(set.taskDefinition), set.targetGroup])).toEqual([['shop-dev-web:2', DEV.green]]);
    // The original task set is gone or on its way out (draining), no longer serving.
    expect(service.taskSets.filter((set) => set.status !== 'PRIMARY').map((set) => [set.status, revisionOf(set.taskDefinition)])).toEqual(
      service.taskSets.length > 1 ? [['DRAINING', 'shop-dev-web:1']] : [],
    );
    expect(after.deployments.map((d) => d.status)).toEqual(['Succeeded']);
    expect(acceptedMutations(aws)).toEqual(['ecs.RegisterTaskDefinition', 'codedeploy.CreateDeployment']);

    const logged = aws.callLog().length;
    const again = await runCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0']);
    expectExit(again, 0);
    expect(verdict(again)).toMatch(/^dev\/web: already running sha256:[0-9a-f]{64} \(shop-dev-web:2\); nothing to do/);
    const repeated = aws.callLog().slice(logged);
    expect(repeated.length).toBeGreaterThan(0);
    expect(repeated.filter((call) => call.mutating)).toEqual([]);
    expect(repeated.map((call) => call.operation)).not.toContain('RegisterTaskDefinition');
    expect(repeated.map((call) => call.operation)).not.toContain('CreateDeployment');
    expect(aws.state().deployments).toHaveLength(1);
  });

  it('--deployment-config shifts traffic by a predefined config other than the group\'s', async () => {
    const { aws } = e2e;
    const result = await runCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0', '--deployment-config', 'CodeDeployDefault.ECSCanary10Percent5Minutes']);
    expectExit(result, 0);
    expect(aws.state().deployments.map((d) => [d.status, d.deploymentConfig])).toEqual([['Succeeded', 'CodeDeployDefault.ECSCanary10Percent5Minutes']]);
  });

  it('rolls back a release whose tasks never become healthy: exit 1, the old revision keeps serving', async () => {
    const { aws } = e2e;
    aws.putImage({ repository: DEV.repository, tag: 'v1.2.0', bad: true });
    const original = serviceOf(aws.state(), DEV.service).taskDefinition;

    const result = await runCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.2.0']);
    expectExit(result, 1);
    expect(verdict(result)).toMatch(/^error: dev\/web: deployment d-\w+ failed \(ECS_UPDATE_ERROR: .*\); rolled back by d-\w+: old version shop-dev-web:1 serving$/);
    expect(result.stdout).toMatch(/rollback deployment d-\w+ started/);

    const state = aws.state();
    expect(liveTargetGroups(state, DEV.lb, 80)).toEqual([DEV.blue]);
    expect(serviceOf(state, DEV.service).taskDefinition).toBe(original);
    expect(serviceOf(state, DEV.service).taskSets.map((set) => [set.status, set.taskDefinition])).toEqual([['PRIMARY', original]]);
    expect(state.deployments.map((d) => [d.status, d.creator])).toEqual([
      ['Failed', 'user'],
      ['Succeeded', 'codeDeployRollback'],
    ]);
  });
});

describe('deploy (blue/green, prod: canary with an approval wait)', () => {
  it('waits for approval, names the command, and finishes once a second process approves', async () => {
    const { aws, clock } = e2e;
    const release = startCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0']);
    // However long the second process takes to start, the approval wait cannot run out meanwhile.
    await waitForState(aws, (state) => state.deployments[0]?.status === 'Ready', 'the approval wait');
    clock.pause();
    const waiting = await release.waitForOutput(/waiting for approval/);
    expect(waiting).toMatch(/waiting for approval until \d\d:\d\d UTC \(60 min\); run: npm run deploy -- approve --env prod --service web/);
    expect(aws.state().deployments.map((d) => d.status)).toEqual(['Ready']);
    expect(liveTargetGroups(aws.state(), PROD.lb, 443)).toEqual([PROD.blue]);
    expect(liveTargetGroups(aws.state(), PROD.lb, 8443)).toEqual([PROD.green]);

    const approve = await runCli(aws, ['approve', '--env', 'prod']);
    expectExit(approve, 0);
    expect(verdict(approve)).toMatch(/^prod\/web: approved deployment d-\w+; traffic starts moving\. Follow: npm run deploy -- wait --env prod --service web$/);
    expect(calls(aws, 'ContinueDeployment').map((call) => [call.status, (call.input as { deploymentWaitType?: string }).deploymentWaitType])).toEqual([[200, 'READY_WAIT']]);

    // The canary step: held until the tool has reported it.
    clock.resume();
    await waitForState(aws, (state) => state.deployments[0].replacementTraffic === 10, 'the 10% canary step');
    clock.pause();
    await release.waitForOutput(/^traffic: original 90% \(shop-prod-web-blue\) → replacement 10% \(shop-prod-web-green\)$/);
    clock.resume();

    const result = await release.done;
    expectExit(result, 0);
    expect(verdict(result)).toMatch(/^prod\/web: released shop-prod-web:2 \(deployment d-\w+\)$/);
    const state = aws.state();
    expect(liveTargetGroups(state, PROD.lb, 443)).toEqual([PROD.green]);
    expect(revisionOf(serviceOf(state, PROD.service).taskDefinition)).toBe('shop-prod-web:2');
  });

  it('--verify approves by itself when the test listener answers 200', async () => {
    const { aws } = e2e;
    const server = await healthServer(200);
    try {
      const result = await runCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0', '--verify', '/health', '--verify-base-url', server.url]);
      expectExit(result, 0);
      expect(result.stdout).toContain(`verify: GET ${server.url}/health → HTTP 200 (try 1/10); approving`);
      expect(verdict(result)).toMatch(/^prod\/web: released shop-prod-web:2/);
      expect(server.paths).toEqual(['/health']);
      expect(calls(aws, 'ContinueDeployment').map((call) => (call.input as { deploymentWaitType?: string }).deploymentWaitType)).toEqual(['READY_WAIT']);
      expect(calls(aws, 'StopDeployment')).toEqual([]);
      expect(liveTargetGroups(aws.state(), PROD.lb, 443)).toEqual([PROD.green]);
    } finally {
      await server.close();
    }
  });

  it('--verify stops with rollback when the test listener answers 500: exit 1, production never moved', async () => {
    const { aws } = e2e;
    const server = await healthServer(500);
    try {
      const result = await runCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0', '--verify', '/health', '--verify-tries', '2', '--verify-base-url', server.url]);
      expectExit(result, 1);
      expect(result.stdout).toContain('verify failed: GET');
      expect(verdict(result)).toMatch(/^error: prod\/web: verification failed \(GET http:\/\/127\.0\.0\.1:\d+\/health → HTTP 500 after 2 tries\); rolled back by d-\w+: old version shop-prod-web:1 serving$/);
      expect(server.paths).toEqual(['/health', '/health']);
      expect(calls(aws, 'StopDeployment').map((call) => call.input)).toEqual([{ deploymentId: expect.stringMatching(/^d-/), autoRollbackEnabled: true }]);
      expect(calls(aws, 'ContinueDeployment')).toEqual([]);
      const state = aws.state();
      expect(liveTargetGroups(state, PROD.lb, 443)).toEqual([PROD.blue]);
      expect(liveTargetGroups(state, PROD.lb, 8443)).toEqual([PROD.blue]);
      expect(revisionOf(serviceOf(state, PROD.service).taskDefinition)).toBe('shop-prod-web:1');
      expect(state.scalableTargets[0].suspended).toEqual({ DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false });
    } finally {
      await server.close();
    }
  });

  it('finish ends the termination wait early and the release succeeds', async () => {
    const { aws, clock } = e2e;
    const server = await healthServer(200);
    try {
      const release = startCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0', '--verify', '/health', '--verify-base-url', server.url]);
      await waitForState(aws, (s) => s.deployments[0]?.instanceTerminationWaitTimeStarted === true, 'the termination wait');
      // Emulated time stands still from here: only `finish` can end the wait.
      clock.pause();
      const waiting = await release.waitForOutput(/old tasks kept for rollback/);
      expect(waiting).toMatch(/until \d\d:\d\d UTC \(15 min\); end early: npm run deploy -- finish --env prod --service web; roll back: npm run deploy -- rollback --env prod --service web/);
      const state = aws.state();
      expect(state.deployments[0].status).toBe('InProgress');
      expect(serviceOf(state, PROD.service).taskSets).toHaveLength(2);

      const finish = await runCli(aws, ['finish', '--env', 'prod']);
      expectExit(finish, 0);
      expect(verdict(finish)).toMatch(/^prod\/web: finished deployment d-\w+ early; the old tasks are being removed$/);

      const result = await release.done;
      expectExit(result, 0);
      expect(verdict(result)).toMatch(/^prod\/web: released shop-prod-web:2/);
      const after = aws.state();
      expect(after.deployments.map((d) => d.status)).toEqual(['Succeeded']);
      // The wait is over although emulated time stood still: the original task set is being removed.
      expect(serviceOf(after, PROD.service).taskSets.map((set) => [set.status, set.targetGroup])).toEqual([
        ['DRAINING', PROD.blue],
        ['PRIMARY', PROD.green],
      ]);
      expect(calls(aws, 'ContinueDeployment').map((call) => (call.input as { deploymentWaitType?: string }).deploymentWaitType)).toEqual(['READY_WAIT', 'TERMINATION_WAIT']);
      expect(after.scalableTargets[0].suspended).toEqual({ DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false });
    } finally {
      clock.resume();
      await server.close();
    }
  });
});
