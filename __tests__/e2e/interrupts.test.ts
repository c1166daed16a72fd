/**
 * Ending a release early, end to end: Ctrl-C (with and without --detach), --timeout, and a
 * deployment group that is already busy. Emulated time is paused where a test needs the
 * deployment to stand still, so no test races the emulator's clock.
 */
import {
  acceptedMutations,
  calls,
  expectExit,
  liveTargetGroups,
  revisionOf,
  runCli,
  serviceOf,
  startCli,
  useEmulator,
  verdict,
  waitForCall,
  waitForState,
} from './support';
import type { StateDump } from '../../emulator';
import { SCALING_RECORD_TAG_KEY } from '../../config';

const e2e = useEmulator(['dev', 'prod']);

const NOT_SUSPENDED = { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false };
const SUSPENDED = { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: true, ScheduledScalingSuspended: true };

function installing(state: StateDump): boolean {
  const deployment = state.deployments[0];
  return deployment?.lifecycleEvents.find((event) => event.name === 'Install')?.status === 'InProgress';
}

describe('Ctrl-C', () => {
  it('while the replacement installs: stops with rollback, exit 3, nothing changed, auto scaling restored', async () => {
    const { aws, clock } = e2e;
    const scalingSeen: StateDump['scalableTargets'][number]['suspended'][] = [];
    const release = startCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0'], {
      interruptWhen: (state) => {
        if (!installing(state)) return false;
        scalingSeen.push(state.scalableTargets[0].suspended);
        return true;
      },
      // Hold the deployment in Install until the tool has asked to stop it.
      beforeInterrupt: () => clock.pause(),
    });
    await waitForCall(aws, 'StopDeployment');
    // A second Ctrl-C while the stop settles: the tool says so and does not abandon the rollback.
    release.interrupt();
    await release.waitForOutput(/still stopping deployment d-\w+ and rolling back; waiting up to 10 min for it to settle \(the tool will not abandon it\)/);
    clock.resume();
    const result = await release.done;

    expectExit(result, 3);
    expect(result.interrupted).toBe(true);
    expect(result.stderr).toContain('SIGINT: stopping safely');
    expect(result.stdout).toMatch(/interrupted: stopping deployment d-\w+ with rollback so the old version keeps serving/);
    expect(verdict(result)).toMatch(/^error: prod\/web: interrupted; deployment d-\w+ stopped; rolled back by d-\w+: old version shop-prod-web:1 serving$/);

    expect(scalingSeen).toEqual([SUSPENDED]);
    const state = aws.state();
    expect(calls(aws, 'StopDeployment').map((call) => call.input)).toEqual([{ deploymentId: state.deployments[0].id, autoRollbackEnabled: true }]);
    expect(state.deployments.map((d) => [d.status, d.creator, d.errorInformation?.code])).toEqual([
      ['Stopped', 'user', 'MANUAL_STOP'],
      ['Succeeded', 'codeDeployRollback', undefined],
    ]);
    expect(liveTargetGroups(state, 'shop-prod-web', 443)).toEqual(['shop-prod-web-blue']);
    expect(liveTargetGroups(state, 'shop-prod-web', 8443)).toEqual(['shop-prod-web-blue']);
    expect(revisionOf(serviceOf(state, 'shop-prod-web').taskDefinition)).toBe('shop-prod-web:1');
    expect(state.scalableTargets[0].suspended).toEqual(NOT_SUSPENDED);
    // Suspended once for the release, put back once after it.
    expect(calls(aws, 'RegisterScalableTarget').map((call) => (call.input as { SuspendedState?: unknown }).SuspendedState)).toEqual([SUSPENDED, NOT_SUSPENDED]);
  });

  it('with --detach: exit 6, the deployment keeps running; `wait` attaches and follows it to the end', async () => {
    const { aws, clock } = e2e;
    const release = startCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0', '--detach'], {
      interruptWhen: (state) => state.deployments.length > 0,
      beforeInterrupt: () => clock.pause(),
    });
    const result = await release.done;
    expectExit(result, 6);
    const id = aws.state().deployments[0].id;
    // The status is the tool's last read: the emulator may have moved on just before the clock paused.
    const [before, after] = verdict(result).split(/ running \((?:Created|InProgress)\); /);
    expect(before).toBe(`error: dev/web: interrupted; --detach left deployment ${id}`);
    expect(after).toBe(
      'status: npm run deploy -- status --env dev --service web; follow: npm run deploy -- wait --env dev --service web; stop: npm run deploy -- stop --env dev --service web',
    );
    expect(calls(aws, 'StopDeployment')).toEqual([]);
    expect(aws.state().deployments.map((d) => d.status)).toEqual([expect.stringMatching(/^(Created|InProgress)$/)]);

    const follow = startCli(aws, ['wait', '--env', 'dev']);
    await follow.waitForOutput(new RegExp(`^deployment ${id}: `));
    clock.resume();
    const followed = await follow.done;
    expectExit(followed, 0);
    expect(verdict(followed)).toBe(`dev/web: released shop-dev-web:2 (deployment ${id})`);
    expect(followed.stdout).toMatch(/traffic: original 0% \(shop-dev-web-blue\) → replacement 100% \(shop-dev-web-green\)/);
    const state = aws.state();
    expect(state.deployments.map((d) => d.status)).toEqual(['Succeeded']);
    expect(liveTargetGroups(state, 'shop-dev-web', 80)).toEqual(['shop-dev-web-green']);
  });

  it('with --detach on an auto-scaled service: scaling stays suspended with its record while the deployment runs; `stop` rolls back and restores it', async () => {
    const { aws, clock } = e2e;
    const release = startCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0', '--detach'], {
      interruptWhen: (state) => state.deployments.length > 0,
      beforeInterrupt: () => clock.pause(),
    });
    const result = await release.done;
    expectExit(result, 6);
    expect(result.stdout).toMatch(/auto scaling stays suspended while deployment d-\w+ runs; npm run deploy -- wait --env prod --service web \(or the next release\) restores it/);
    const [target] = aws.state().scalableTargets;
    expect(target.suspended).toEqual(SUSPENDED);
    expect(target.tags[SCALING_RECORD_TAG_KEY]).toMatch(/^in=false out=false scheduled=false since=\d+$/);
    expect(target.tags.Environment).toBe('prod');

    clock.resume();
    const stopped = await runCli(aws, ['stop', '--env', 'prod']);
    expectExit(stopped, 0);
    expect(stopped.stdout).toMatch(/auto scaling restored \(suspended by the release at \d\d:\d\d UTC\)/);
    const [after] = aws.state().scalableTargets;
    expect(after.suspended).toEqual(NOT_SUSPENDED);
    expect(Object.keys(after.tags)).not.toContain(SCALING_RECORD_TAG_KEY);
    expect(liveTargetGroups(aws.state(), 'shop-prod-web', 443)).toEqual(['shop-prod-web-blue']);
  });

  it('before the deployment exists: nothing is deployed, auto scaling is put back, exit 3', async () => {
    const { aws } = e2e;
    // Suspending auto scaling takes a while: Ctrl-C lands between the registration and CreateDeployment.
    aws.addFault({ service: 'autoscaling', operation: 'RegisterScalableTarget', kind: 'slow', delayMs: 400, times: 1 });
    const result = await runCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0'], { interruptOnOutput: /^registered shop-prod-web:2$/ });
    expectExit(result, 3);
    expect(verdict(result)).toBe('error: prod/web: interrupted before the deployment started; the service was not changed');
    expect(calls(aws, 'CreateDeployment')).toEqual([]);
    expect(calls(aws, 'StopDeployment')).toEqual([]);
    const state = aws.state();
    expect(state.deployments).toEqual([]);
    expect(revisionOf(serviceOf(state, 'shop-prod-web').taskDefinition)).toBe('shop-prod-web:1');
    expect(state.scalableTargets[0].suspended).toEqual(NOT_SUSPENDED);
    expect(Object.keys(state.scalableTargets[0].tags)).not.toContain(SCALING_RECORD_TAG_KEY);
    expect(calls(aws, 'RegisterScalableTarget').map((call) => (call.input as { SuspendedState?: unknown }).SuspendedState)).toEqual([SUSPENDED, NOT_SUSPENDED]);
  });

  it('during the termination wait: traffic is already on the new version, so the deployment is left to finish (exit 6)', async () => {
    const { aws, clock } = e2e;
    const release = startCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0']);
    await waitForState(aws, (state) => state.deployments[0]?.instanceTerminationWaitTimeStarted === true, 'the termination wait');
    clock.pause();
    await release.waitForOutput(/old tasks kept for rollback/);
    release.interrupt();
    const result = await release.done;
    expectExit(result, 6);
    const id = aws.state().deployments[0].id;
    expect(verdict(result)).toMatch(
      new RegExp(
        `^error: dev/web: interrupted during the termination wait: traffic is on the new version; deployment ${id} ends by itself at \\d\\d:\\d\\d UTC; ` +
          'finish now: npm run deploy -- finish --env dev --service web; roll back: npm run deploy -- rollback --env dev --service web$',
      ),
    );
    expect(calls(aws, 'StopDeployment')).toEqual([]);
    expect(aws.state().deployments.map((d) => [d.status, d.instanceTerminationWaitTimeStarted])).toEqual([['InProgress', true]]);
    expect(liveTargetGroups(aws.state(), 'shop-dev-web', 80)).toEqual(['shop-dev-web-green']);
    clock.resume();
    await waitForState(aws, (state) => state.deployments[0].status === 'Succeeded', 'the deployment to end by itself');
  });

  it('during the termination wait, even when the tool last looked before it began: the decision rests on a fresh read', async () => {
    const { aws, clock } = e2e;
    // Polls a second apart: the last snapshot the tool took still shows traffic moving.
    // Emulated time stays paused: a tool that wrongly stopped the deployment would wait for a
    // rollback that never moves, and be killed after 8 s.
    const release = startCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0'], { env: { ECS_BG_POLL_MS: '1000' }, killAfterMs: 8000 });
    await release.waitForOutput(/^deployment d-\w+ created/);
    await waitForState(aws, (state) => state.deployments[0]?.instanceTerminationWaitTimeStarted === true, 'the termination wait');
    clock.pause();
    expect(release.output).not.toMatch(/old tasks kept for rollback/);
    release.interrupt();
    const result = await release.done;

    expectExit(result, 6);
    expect(verdict(result)).toMatch(/^error: dev\/web: interrupted during the termination wait: traffic is on the new version; deployment d-\w+ ends by itself at/);
    expect(calls(aws, 'StopDeployment')).toEqual([]);
    const state = aws.state();
    expect(state.deployments.map((d) => [d.status, d.creator])).toEqual([['InProgress', 'user']]);
    expect(liveTargetGroups(state, 'shop-dev-web', 80)).toEqual(['shop-dev-web-green']);
  });
});

describe('--timeout', () => {
  it('stops a release that cannot end in time (it waits 60 min for approval) and rolls it back and rolls it back: exit 4', async () => {
    const { aws } = e2e;
    const result = await runCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0', '--timeout', '2s']);
    expectExit(result, 4);
    expect(result.stderr).toMatch(/warning: --timeout is shorter than the group's approval and termination waits \(75 min\)/);
    expect(result.stdout).toMatch(/timed out: stopping deployment d-\w+ with rollback/);
    expect(verdict(result)).toMatch(/^error: prod\/web: timed out; deployment d-\w+ stopped; rolled back by d-\w+: old version shop-prod-web:1 serving$/);
    const state = aws.state();
    expect(state.deployments.map((d) => [d.status, d.creator])).toEqual([
      ['Stopped', 'user'],
      ['Succeeded', 'codeDeployRollback'],
    ]);
    expect(calls(aws, 'StopDeployment').map((call) => (call.input as { autoRollbackEnabled?: boolean }).autoRollbackEnabled)).toEqual([true]);
    expect(liveTargetGroups(state, 'shop-prod-web', 443)).toEqual(['shop-prod-web-blue']);
    expect(revisionOf(serviceOf(state, 'shop-prod-web').taskDefinition)).toBe('shop-prod-web:1');
    expect(state.scalableTargets[0].suspended).toEqual(NOT_SUSPENDED);
  });
});

describe('a deployment already running in the group', () => {
  it('--if-active fail (the default) refuses with exit 2 naming it; --if-active wait follows it, then releases', async () => {
    const { aws, clock } = e2e;
    const first = startCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0']);
    await first.waitForOutput(/^deployment d-\w+ created/);
    // The first deployment stays under way while the others run.
    clock.pause();
    const active = aws.state().deployments[0].id;

    const logged = aws.callLog().length;
    const refused = await runCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.2.0']);
    expectExit(refused, 2);
    expect(refused.stderrLines).toEqual([
      `error: deployment group shop-dev-web already has an active deployment ${active}: follow it: npm run deploy -- wait --env dev --service web; ` +
        'stop it: npm run deploy -- stop --env dev --service web; or rerun with --if-active wait|stop',
    ]);
    expect(aws.callLog().slice(logged).filter((call) => call.mutating)).toEqual([]);

    const second = startCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.2.0', '--if-active', 'wait']);
    await second.waitForOutput(new RegExp(`^--if-active wait: waiting for active deployment ${active} to end$`));
    expect(calls(aws, 'CreateDeployment')).toHaveLength(1);
    clock.resume();

    const [firstResult, secondResult] = await Promise.all([first.done, second.done]);
    expectExit(firstResult, 0);
    expectExit(secondResult, 0);
    expect(verdict(secondResult)).toMatch(/^dev\/web: released shop-dev-web:3 \(deployment d-\w+\)$/);
    const lines = secondResult.stdoutLines;
    const ended = lines.indexOf(`active: deployment ${active}: Succeeded`);
    const created = lines.findIndex((line) => /^deployment d-\w+ created/.test(line));
    expect(ended).toBeGreaterThan(-1);
    expect(created).toBeGreaterThan(ended);

    const state = aws.state();
    expect(state.deployments.map((d) => [d.status, revisionOf(d.taskDefinition)])).toEqual([
      ['Succeeded', 'shop-dev-web:2'],
      ['Succeeded', 'shop-dev-web:3'],
    ]);
    expect(calls(aws, 'CreateDeployment').map((call) => call.status)).toEqual([200, 200]);
    expect(acceptedMutations(aws)).toEqual(['ecs.RegisterTaskDefinition', 'codedeploy.CreateDeployment', 'ecs.RegisterTaskDefinition', 'codedeploy.CreateDeployment']);
    expect(revisionOf(serviceOf(state, 'shop-dev-web').taskDefinition)).toBe('shop-dev-web:3');
    // Two releases in a row: green, then back to blue.
    expect(liveTargetGroups(state, 'shop-dev-web', 80)).toEqual(['shop-dev-web-blue']);
  });
});
