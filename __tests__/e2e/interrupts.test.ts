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
    const release = startCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0']);
    // Hold the deployment in Install (API calls are still answered) until the tool has suspended
    // scaling, which it does right after CreateDeployment, and then until it has asked to stop.
    await waitForState(aws, installing, 'the replacement installing');
    clock.pause();
    await waitForState(aws, (state) => state.scalableTargets[0].suspended.DynamicScalingOutSuspended === true, 'auto scaling suspended');
    release.interrupt();
    await waitForCall(aws, 'StopDeployment');
    // A second Ctrl-C while the stop settles: the tool says so and does not abandon the rollback.
    release.interrupt();
    await release.waitForOutput(/still stopping deployment d-\w+ and rolling back; waiting up to 10 min for it to settle \(the tool will not abandon it; if this process is killed, CodeDeploy completes the rollback and `settle` restores auto scaling\)/);
    clock.resume();
    const result = await release.done;

    expectExit(result, 3);
    expect(result.interrupted).toBe(true);
    // Said before it is done: what Ctrl-C does where the release is now.
    expect(result.stderr).toMatch(/SIGINT: stopping deployment d-\w+ with rollback so the old version keeps serving; please wait/);
    expect(result.stdout).toMatch(/interrupted: stopping deployment d-\w+ with rollback so the old version keeps serving/);
    expect(verdict(result)).toMatch(/^error: prod\/web: interrupted; deployment d-\w+ stopped; rolled back by d-\w+: old version shop-prod-web:1 serving$/);

    // The first mutating calls after CreateDeployment: the record, then the suspension.
    const afterCreate = aws.callLog().filter((call) => call.mutating && call.seq > calls(aws, 'CreateDeployment')[0].seq);
    expect(afterCreate.slice(0, 2).map((call) => call.operation)).toEqual(['TagResource', 'RegisterScalableTarget']);
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
    expect(result.stdout).toMatch(/auto scaling stays suspended while deployment d-\w+ runs; npm run deploy -- wait --env prod --service web \(or settle, stop, the next release\) restores it/);
    const [target] = aws.state().scalableTargets;
    expect(target.suspended).toEqual(SUSPENDED);
    expect(target.tags[SCALING_RECORD_TAG_KEY]).toMatch(/^in=false out=false scheduled=false since=\d+ deployment=d-\w+$/);
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

  it('before the deployment exists: nothing is deployed, auto scaling untouched, exit 3, the registered revision named as unused', async () => {
    const { aws } = e2e;
    // Registering takes a second: Ctrl-C lands while RegisterTaskDefinition is under way (the
    // emulator has taken the slow rule, so the request has arrived and waits out the delay).
    const slow = aws.addFault({ service: 'ecs', operation: 'RegisterTaskDefinition', kind: 'slow', delayMs: 1000, times: 1 });
    const result = await runCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0'], {
      interruptWhen: (state) => !state.faults.some((rule) => rule.id === slow.id),
    });
    expectExit(result, 3);
    expect(result.stderr).toContain('SIGINT: stopping before the deployment is created: the service and its auto scaling stay as they are; please wait');
    expect(verdict(result)).toBe(
      'error: prod/web: interrupted before the deployment started; the service and its auto scaling were not changed; revision shop-prod-web:2 was registered but serves nothing (an unused artifact)',
    );
    expect(calls(aws, 'CreateDeployment')).toEqual([]);
    expect(calls(aws, 'StopDeployment')).toEqual([]);
    const state = aws.state();
    expect(state.deployments).toEqual([]);
    expect(revisionOf(serviceOf(state, 'shop-prod-web').taskDefinition)).toBe('shop-prod-web:1');
    expect(state.scalableTargets[0].suspended).toEqual(NOT_SUSPENDED);
    expect(Object.keys(state.scalableTargets[0].tags)).not.toContain(SCALING_RECORD_TAG_KEY);
    expect(calls(aws, 'RegisterScalableTarget')).toEqual([]);
    expect(calls(aws, 'TagResource')).toEqual([]);
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
    // Said before anything is done, and it is what is done: the deployment is left, exit 6.
    expect(result.stderrLines[0]).toBe(
      `SIGINT: traffic is already on the new version, so deployment ${id} is left to finish its termination wait (exit 6); roll back with the rollback command; please wait`,
    );
    expect(result.stdout).toContain(`interrupted: traffic is already on the new version, so deployment ${id} is left to finish its termination wait (exit 6)`);
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
    // rollback that never moves, and be killed after 20 s.
    const release = startCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0'], { env: { ECS_BG_POLL_MS: '1000' }, killAfterMs: 20_000 });
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
  it('stops a release that cannot end in time (it waits 60 min for approval) with rollback and ends at once: exit 4; `wait` follows the rollback and restores scaling', async () => {
    const { aws } = e2e;
    // 5 s: start-up and planning fit in it on a loaded machine (time up before CreateDeployment creates nothing).
    const result = await runCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0', '--timeout', '5s']);
    expectExit(result, 4);
    expect(result.stderr).toMatch(/warning: --timeout is shorter than the group's approval and termination waits \(75 min\)/);
    expect(result.stdout).toMatch(/timed out: stopping deployment d-\w+ with rollback; CodeDeploy moves traffic back on its own, this run does not wait past --timeout/);
    expect(verdict(result)).toMatch(
      /^error: prod\/web: timed out; deployment d-\w+ stop with rollback requested: CodeDeploy returns traffic to the old version on its own; follow it: npm run deploy -- wait --env prod --service web; auto scaling stays suspended until the deployment ends: npm run deploy -- wait --env prod --service web \(or settle\) restores it then$/,
    );
    expect(calls(aws, 'StopDeployment').map((call) => (call.input as { autoRollbackEnabled?: boolean }).autoRollbackEnabled)).toEqual([true]);
    const stop = calls(aws, 'StopDeployment')[0];
    expect(calls(aws).filter((call) => call.seq > stop.seq && call.service === 'codedeploy')).toEqual([]);

    const followed = await runCli(aws, ['wait', '--env', 'prod']);
    expectExit(followed, 0);
    expect(followed.stdout).toMatch(/auto scaling restored \(suspended by the release at \d\d:\d\d UTC\)/);
    const state = aws.state();
    expect(state.deployments.map((d) => [d.status, d.creator])).toEqual([
      ['Stopped', 'user'],
      ['Succeeded', 'codeDeployRollback'],
    ]);
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
