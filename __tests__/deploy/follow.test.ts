import { BatchGetDeploymentTargetsCommand, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { followDeployment, nextInterval } from '../../scripts/steps/follow-deployment';
import { START, blueGreen, fakeWorld, type Step } from './support/fake-aws';

const READY_EVENTS = [
  ['BeforeInstall', 'Succeeded', 0, 0],
  ['Install', 'Succeeded', 0, 2],
  ['AfterInstall', 'Succeeded', 2, 2],
  ['AllowTestTraffic', 'Succeeded', 2, 3],
  ['AfterAllowTestTraffic', 'Succeeded', 3, 4],
] as const;

const SHIFTED_EVENTS = [...READY_EVENTS, ['BeforeAllowTraffic', 'Succeeded', 65, 65], ['AllowTraffic', 'Succeeded', 65, 70], ['AfterAllowTraffic', 'Succeeded', 70, 71]] as const;

/** The prod deployment group's waits: approval 60 min, old tasks kept 15 min. */
const GROUP_WAITS = { approvalWaitMinutes: 60, terminationWaitMinutes: 15 };

const CANARY_STEPS: Step[] = [
  { status: 'Created' },
  { status: 'InProgress', events: [['BeforeInstall', 'Succeeded', 0, 0], ['Install', 'InProgress', 0]], taskSets: blueGreen(100, 0, 0) },
  { status: 'InProgress', events: READY_EVENTS, taskSets: blueGreen(100, 0, 2) },
  { status: 'Ready', events: READY_EVENTS, taskSets: blueGreen(100, 0, 2) },
  { status: 'Ready', events: READY_EVENTS, taskSets: blueGreen(100, 0, 2) },
  { status: 'Ready', events: READY_EVENTS, taskSets: blueGreen(100, 0, 2) },
  { status: 'InProgress', events: [...READY_EVENTS, ['BeforeAllowTraffic', 'Succeeded', 65, 65], ['AllowTraffic', 'InProgress', 65]], taskSets: blueGreen(90, 10) },
  { status: 'InProgress', events: SHIFTED_EVENTS, taskSets: blueGreen(0, 100), info: { instanceTerminationWaitTimeStarted: true } },
  { status: 'InProgress', events: SHIFTED_EVENTS, taskSets: blueGreen(0, 100), info: { instanceTerminationWaitTimeStarted: true } },
  { status: 'Succeeded', events: SHIFTED_EVENTS, taskSets: blueGreen(0, 100), info: { instanceTerminationWaitTimeStarted: true } },
];

describe('following a deployment', () => {
  it('prints each transition once: status, lifecycle events, traffic split and replacement tasks', async () => {
    const world = fakeWorld('prod');
    world.script('d-1', CANARY_STEPS);
    const result = await followDeployment(world.context, { target: world.target, deploymentId: 'd-1', interruptible: true });
    expect(result.ending).toBe('finished');
    const lines = world.out.stdout;
    const count = (text: string) => lines.filter((line) => line === text).length;
    expect(count('deployment d-1: Ready')).toBe(1);
    expect(count('  Install: InProgress')).toBe(1);
    expect(count('  Install: Succeeded')).toBe(1);
    expect(count('traffic: original 90% → replacement 10%')).toBe(1);
    expect(count('traffic: original 0% → replacement 100%')).toBe(1);
    expect(count('replacement tasks: 2/2 running')).toBe(1);
    expect(lines).toContain('replacement tasks: 0/2 running, 2 pending');
    expect(lines.at(-1)).toBe('deployment d-1: Succeeded');
  });

  it('explains the approval wait with its deadline counted from when the replacement became ready', async () => {
    const world = fakeWorld('prod');
    world.script('d-1', CANARY_STEPS);
    await followDeployment(world.context, { target: world.target, deploymentId: 'd-1', interruptible: true, waits: GROUP_WAITS });
    // AfterAllowTestTraffic ended at minute 4; the group waits 60 minutes.
    const approval = world.out.stdout.filter((line) => line.startsWith('waiting for approval'));
    expect(approval).toEqual([
      'waiting for approval until 13:04 UTC (60 min); run: npm run deploy -- approve --env prod --service web (or stop: npm run deploy -- stop --env prod --service web)',
    ]);
  });

  it('reads only the deployment status while it stays in the approval or termination wait', async () => {
    const world = fakeWorld('prod');
    world.script('d-1', CANARY_STEPS);
    await followDeployment(world.context, { target: world.target, deploymentId: 'd-1', interruptible: true, waits: GROUP_WAITS });
    const reads = world.codeDeploy.commandCalls(GetDeploymentCommand).length;
    const targetReads = world.codeDeploy.commandCalls(BatchGetDeploymentTargetsCommand).length;
    expect(reads).toBe(CANARY_STEPS.length);
    // Three polls repeat a wait they were already in (Ready twice, the termination wait once).
    expect(targetReads).toBe(CANARY_STEPS.length - 3);
  });

  it('explains the termination wait with its deadline counted from the end of AfterAllowTraffic', async () => {
    const world = fakeWorld('prod');
    world.script('d-1', CANARY_STEPS);
    await followDeployment(world.context, { target: world.target, deploymentId: 'd-1', interruptible: true, waits: GROUP_WAITS });
    const termination = world.out.stdout.filter((line) => line.startsWith('traffic shifted'));
    expect(termination).toEqual([
      'traffic shifted; old tasks kept for rollback until 13:26 UTC (15 min); end early: npm run deploy -- finish --env prod --service web; roll back: npm run deploy -- rollback --env prod --service web',
    ]);
  });

  it('prefers the waits recorded on the deployment over the group settings', async () => {
    const world = fakeWorld('prod');
    world.script('d-1', CANARY_STEPS, {
      blueGreenDeploymentConfiguration: {
        deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 30 },
        terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 5 },
      },
    });
    await followDeployment(world.context, { target: world.target, deploymentId: 'd-1', interruptible: true, waits: { approvalWaitMinutes: 60, terminationWaitMinutes: 15 } });
    expect(world.out.stdout.join('\n')).toContain('waiting for approval until 12:34 UTC (30 min)');
    expect(world.out.stdout.join('\n')).toContain('until 13:16 UTC (5 min)');
  });

  it('polls slower while nothing changes in a long wait, never above 7.5 times the base, and wakes at the wait end', () => {
    const now = START;
    const approval = { kind: 'approval' as const, until: now + 3600_000, minutes: 60 };
    expect(nextInterval(2000, 2000, false, approval, now)).toBe(3000);
    expect(nextInterval(12000, 2000, false, approval, now)).toBe(15000);
    expect(nextInterval(15000, 2000, false, approval, now)).toBe(15000);
    expect(nextInterval(15000, 2000, true, approval, now)).toBe(2000);
    expect(nextInterval(15000, 2000, false, { ...approval, until: now + 5000 }, now)).toBe(5000);
    expect(nextInterval(6000, 2000, false, undefined, now)).toBe(6000);
  });

  it('reads the status every base interval outside the waits, and unchanged targets only every third read', async () => {
    const world = fakeWorld('prod');
    const rollingOut: Step = { status: 'InProgress', events: [['BeforeInstall', 'Succeeded', 0, 0], ['Install', 'InProgress', 0]], taskSets: blueGreen(100, 0, 0) };
    world.script('d-1', [...Array<Step>(12).fill(rollingOut), { status: 'Failed', events: rollingOut.events, taskSets: rollingOut.taskSets }]);
    const result = await followDeployment(world.context, { target: world.target, deploymentId: 'd-1', interruptible: true });
    expect(result.last.status).toBe('Failed');
    expect(new Set(world.clock.sleeps)).toEqual(new Set([2000]));
    expect(world.codeDeploy.commandCalls(GetDeploymentCommand)).toHaveLength(13);
    // Reads 1 and 2 (a change, then the first unchanged), then every third, then the move to Failed.
    expect(world.codeDeploy.commandCalls(BatchGetDeploymentTargetsCommand)).toHaveLength(6);
  });

  it('backs off in the approval wait but keeps reading the status every base interval in the termination wait', async () => {
    const world = fakeWorld('prod');
    world.script('d-1', CANARY_STEPS);
    await followDeployment(world.context, { target: world.target, deploymentId: 'd-1', interruptible: true, waits: GROUP_WAITS });
    // Reads 4-6 are the approval wait (Ready), 8-9 the termination wait.
    expect(world.clock.sleeps).toEqual([2000, 2000, 2000, 2000, 3000, 4500, 2000, 2000, 2000]);
  });

  it('returns "timeout" at the deadline without changing anything', async () => {
    const world = fakeWorld('prod');
    world.script('d-1', [{ status: 'InProgress' }]);
    const result = await followDeployment(world.context, { target: world.target, deploymentId: 'd-1', interruptible: true, deadline: START + 60_000 });
    expect(result.ending).toBe('timeout');
    expect(world.clock.now()).toBe(START + 60_000);
    expect(world.mutatingCalls()).toBe(0);
  });

  it('returns "interrupted" when the interrupt signal fires, unless told to keep going', async () => {
    const world = fakeWorld('prod');
    world.script('d-1', [{ status: 'InProgress', then: () => world.controller.abort() }]);
    expect((await followDeployment(world.context, { target: world.target, deploymentId: 'd-1', interruptible: true })).ending).toBe('interrupted');
    world.script('d-2', [{ status: 'InProgress' }, { status: 'Succeeded' }]);
    expect((await followDeployment(world.context, { target: world.target, deploymentId: 'd-2', interruptible: false })).ending).toBe('finished');
  });
});

describe('reading a deployment that has not started', () => {
  it('treats DeploymentNotStartedException from the target calls as "no targets yet"', async () => {
    const { ListDeploymentTargetsCommand } = await import('@aws-sdk/client-codedeploy');
    const { awsError } = await import('./support/fake-aws');
    const world = fakeWorld('prod');
    world.codeDeploy.on(ListDeploymentTargetsCommand).rejectsOnce(awsError('DeploymentNotStartedException', 'The specified deployment has not started.')).resolves({ targetIds: ['t'] });
    world.script('d-1', [{ status: 'Created' }, { status: 'InProgress', taskSets: blueGreen(100, 0, 0) }, { status: 'Succeeded' }]);
    const result = await followDeployment(world.context, { target: world.target, deploymentId: 'd-1', interruptible: true });
    expect(result.ending).toBe('finished');
    expect(world.out.stdout).toContain('replacement tasks: 0/2 running, 2 pending');
  });
});

describe('a read still under way when --timeout elapses', () => {
  it('is abandoned (its requests aborted): the follow ends at the deadline with what was last known', async () => {
    const world = fakeWorld('prod');
    world.script('d-1', [{ status: 'InProgress' }]);
    let reads = 0;
    let aborted = false;
    // The first read answers; the next one, 2 s later, hangs (throttling and the SDK's backoff, in
    // effect) and is given up 100 ms (real time) later, at the deadline.
    world.codeDeploy.on(GetDeploymentCommand).callsFake(() => {
      reads += 1;
      if (reads === 1) return { deploymentInfo: { deploymentId: 'd-1', status: 'InProgress' } };
      return new Promise(() => undefined);
    });
    const send = world.clients.codeDeploy.send.bind(world.clients.codeDeploy);
    world.clients.codeDeploy.send = ((command: never, options?: { abortSignal?: AbortSignal }) => {
      options?.abortSignal?.addEventListener('abort', () => (aborted = true));
      return send(command, options as never);
    }) as typeof world.clients.codeDeploy.send;
    const result = await followDeployment(world.context, { target: world.target, deploymentId: 'd-1', interruptible: true, deadline: world.clock.now() + 2_100 });
    expect(result.ending).toBe('timeout');
    expect(result.last.status).toBe('InProgress');
    expect(reads).toBe(2);
    expect(aborted).toBe(true);
  });
});
