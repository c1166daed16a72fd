/**
 * Auto scaling around a release: suspended with a record of the prior state written first, put
 * back only once the deployment has ended, and never stranded by a run that dies or detaches.
 */
import {
  DescribeScalableTargetsCommand,
  ListTagsForResourceCommand,
  RegisterScalableTargetCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type SuspendedState,
} from '@aws-sdk/client-application-auto-scaling';
import { ContinueDeploymentCommand, CreateDeploymentCommand, GetDeploymentCommand, ListDeploymentsCommand, StopDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { formatScalingRecord, parseScalingRecord, SCALING_RECORD_TAG_KEY } from '../../config';
import { awsError, blueGreen, fakeWorld, runCli, START, taskDefinitionArn, type Step, type World } from './support/fake-aws';

const SUSPENDED = { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: true, ScheduledScalingSuspended: true };
const RUNNING = { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false };
/** A prior state that is not all-or-nothing, so a restore that loses it shows. */
const SCALE_IN_OFF = { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false };

const appSpecOf = (arn: string) => ({ revision: { revisionType: 'AppSpecContent' as const, appSpecContent: { content: JSON.stringify({ Resources: [{ TargetService: { Properties: { TaskDefinition: arn } } }] }) } } });
const APPROVED: Step[] = [
  { status: 'Created' },
  { status: 'Ready', taskSets: blueGreen(100, 0, 2) },
  { status: 'InProgress', taskSets: blueGreen(0, 100) },
  { status: 'Succeeded', taskSets: blueGreen(0, 100), info: appSpecOf(taskDefinitionArn('shop-prod-web', 9)) },
];

function registered(world: World): (SuspendedState | undefined)[] {
  return world.autoScaling.commandCalls(RegisterScalableTargetCommand).map((call) => call.args[0].input.SuspendedState);
}

/** The auto scaling calls in the order they were sent, by name. */
function scalingCalls(world: World): string[] {
  return world.autoScaling.calls().map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, ''));
}

/** A record as an earlier run leaves it: scaling suspended, the tag naming the state to restore. */
function leftByEarlierRun(prior: SuspendedState, since = START - 3_600_000) {
  return { state: SUSPENDED, tags: { [SCALING_RECORD_TAG_KEY]: formatScalingRecord({ prior, since }) } };
}

describe('the suspension record', () => {
  it('round-trips through a tag value and rejects values this tool did not write', () => {
    const record = { prior: SCALE_IN_OFF, since: 1_767_268_800_000, deployment: 'd-ABCDEF123' };
    expect(formatScalingRecord(record)).toBe('in=true out=false scheduled=false since=1767268800000 deployment=d-ABCDEF123');
    expect(formatScalingRecord(record)).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u);
    expect(parseScalingRecord(formatScalingRecord(record))).toEqual(record);
    // Records written before they named the deployment still read.
    expect(parseScalingRecord('in=true out=false scheduled=false since=1767268800000')).toEqual({ prior: SCALE_IN_OFF, since: 1_767_268_800_000 });
    expect(parseScalingRecord(undefined)).toBeUndefined();
    expect(parseScalingRecord('suspended by ops')).toBeUndefined();
    expect(parseScalingRecord('in=true out=false scheduled=false')).toBeUndefined();
  });
});

describe('a release on an auto-scaled service', () => {
  it('records the prior state before suspending, and restores it and drops the record after success', async () => {
    const world = fakeWorld('prod', { scaling: { state: SCALE_IN_OFF } });
    let whileFollowing: Record<string, string> = {};
    world.script('d-NEW', APPROVED.map((step, index) => (index === 1 ? { ...step, then: () => (whileFollowing = { ...world.scaling.tags }) } : step)));
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--verify', '/health']);
    expect(run.code).toBe(0);
    expect(whileFollowing[SCALING_RECORD_TAG_KEY]).toBe(`in=true out=false scheduled=false since=${START} deployment=d-NEW`);
    // Read in the plan, then again once CreateDeployment has made the group this run's.
    expect(scalingCalls(world)).toEqual(['DescribeScalableTargets', 'DescribeScalableTargets', 'TagResource', 'RegisterScalableTarget', 'ListTagsForResource', 'RegisterScalableTarget', 'UntagResource']);
    expect(registered(world)).toEqual([SUSPENDED, SCALE_IN_OFF]);
    expect(world.scaling.state).toEqual(SCALE_IN_OFF);
    expect(world.scaling.tags).toEqual({ Environment: 'prod' });
  });

  it('keeps scaling suspended when --detach leaves the deployment running, and `wait` restores it when the deployment ends', async () => {
    const detached = fakeWorld('prod');
    detached.script('d-NEW', [{ status: 'InProgress', then: () => detached.controller.abort() }]);
    const run = await runCli(detached, ['--env', 'prod', '--tag', 'v1.4.2', '--detach']);
    expect(run.code).toBe(6);
    expect(detached.scaling.state).toEqual(SUSPENDED);
    const record = parseScalingRecord(detached.scaling.tags[SCALING_RECORD_TAG_KEY]);
    expect(record?.prior).toEqual(RUNNING);

    // A later `wait` (another process: the same AWS state, a fresh run).
    const later = fakeWorld('prod', { scaling: { state: detached.scaling.state, tags: detached.scaling.tags } });
    later.script('d-NEW', [{ status: 'InProgress', taskSets: blueGreen(0, 100) }, { status: 'Succeeded', taskSets: blueGreen(0, 100), info: appSpecOf(taskDefinitionArn('shop-prod-web', 9)) }]);
    const waited = await runCli(later, ['wait', '--env', 'prod', '--deployment-id', 'd-NEW']);
    expect(waited.code).toBe(0);
    expect(later.scaling.state).toEqual(RUNNING);
    expect(later.scaling.tags).toEqual({ Environment: 'prod' });
    expect(waited.stdout.join('\n')).toMatch(/auto scaling restored \(suspended by the release at \d\d:\d\d UTC\)/);
  });

  it('keeps scaling suspended when AWS fails while the deployment may still run (exit 5)', async () => {
    const world = fakeWorld('prod');
    world.codeDeploy.on(StopDeploymentCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    world.script('d-NEW', [{ status: 'InProgress', then: () => world.controller.abort() }]);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2']);
    expect(run.code).toBe(5);
    expect(world.scaling.state).toEqual(SUSPENDED);
    expect(world.scaling.tags[SCALING_RECORD_TAG_KEY]).toBeDefined();
  });

  it('takes over a suspension an earlier run left behind and restores the recorded state at its end', async () => {
    const world = fakeWorld('prod', { scaling: leftByEarlierRun(SCALE_IN_OFF) });
    world.script('d-NEW', APPROVED);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--verify', '/health']);
    expect(run.code).toBe(0);
    expect(run.stdout.join('\n')).toContain('auto scaling was left suspended by a release at 11:00 UTC; this release keeps it suspended and restores DynamicScalingInSuspended=true,DynamicScalingOutSuspended=false,ScheduledScalingSuspended=false at its end');
    // Claimed (a new `since`, this deployment) and suspended again, in case the run that held it
    // restored it in between.
    expect(world.autoScaling.commandCalls(TagResourceCommand).map((call) => call.args[0].input.Tags)).toEqual([
      { [SCALING_RECORD_TAG_KEY]: `in=true out=false scheduled=false since=${START} deployment=d-NEW` },
    ]);
    expect(registered(world)).toEqual([SUSPENDED, SCALE_IN_OFF]);
    expect(world.scaling.tags).toEqual({ Environment: 'prod' });
  });

  it('leaves alone scaling a person suspended (no record): no tag, no change, a warning', async () => {
    const world = fakeWorld('prod', { scaling: { state: SUSPENDED } });
    world.script('d-NEW', APPROVED);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--verify', '/health']);
    expect(run.code).toBe(0);
    expect(run.stderr.join('\n')).toContain('was suspended before this release, not by a release; leaving it so');
    expect(world.autoScaling.commandCalls(TagResourceCommand)).toHaveLength(0);
    expect(registered(world)).toEqual([]);
    expect(world.scaling.state).toEqual(SUSPENDED);
  });

  it('does not restore a suspension another release has taken over meanwhile', async () => {
    const world = fakeWorld('prod');
    const takenOver = formatScalingRecord({ prior: RUNNING, since: START + 60_000 });
    world.script('d-NEW', APPROVED.map((step, index) => (index === 2 ? { ...step, then: () => (world.scaling.tags[SCALING_RECORD_TAG_KEY] = takenOver) } : step)));
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--verify', '/health']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('auto scaling: another release took over its suspension at 12:01 UTC; that release restores it');
    expect(registered(world)).toEqual([SUSPENDED]);
    expect(world.scaling.tags[SCALING_RECORD_TAG_KEY]).toBe(takenOver);
  });

  it('says how to restore by hand, record included, when the restore fails', async () => {
    const world = fakeWorld('prod');
    world.autoScaling.on(UntagResourceCommand).rejects(awsError('AccessDeniedException', 'not allowed'));
    world.script('d-NEW', APPROVED);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--verify', '/health']);
    expect(run.code).toBe(0);
    expect(run.stderr.join('\n')).toMatch(
      new RegExp(`could not restore auto scaling of service/shop-prod/shop-prod-web \\(AccessDeniedException\\); run: aws application-autoscaling register-scalable-target .* && aws application-autoscaling untag-resource --resource-arn arn:aws:application-autoscaling:\\S+ --tag-keys ${SCALING_RECORD_TAG_KEY}`),
    );
  });

  it('without a scalable target ARN from the endpoint: no record, and scaling is restored when the run ends even if the deployment runs on', async () => {
    const world = fakeWorld('prod');
    world.autoScaling.on(DescribeScalableTargetsCommand).callsFake(() => ({
      ScalableTargets: [{ ResourceId: world.target.names.scalableResourceId, ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 2, MaxCapacity: 10, RoleARN: 'role', CreationTime: new Date(START), SuspendedState: { ...world.scaling.state } }],
    }));
    world.script('d-NEW', [{ status: 'InProgress', then: () => world.controller.abort() }]);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--detach']);
    expect(run.code).toBe(6);
    expect(scalingCalls(world)).toEqual(['DescribeScalableTargets', 'DescribeScalableTargets', 'RegisterScalableTarget', 'RegisterScalableTarget']);
    expect(world.scaling.state).toEqual(RUNNING);
  });

  it('changes nothing on bad input, even with a record to take over', async () => {
    const world = fakeWorld('prod', { scaling: leftByEarlierRun(RUNNING) });
    const run = await runCli(world, ['--env', 'prod', '--tag', 'latest']);
    expect(run.code).toBe(2);
    expect(world.mutatingCalls()).toBe(0);
    expect(world.scaling.state).toEqual(SUSPENDED);
  });
});

describe('wait and stop restore what a release left suspended', () => {
  it('stop: after the rollback settles', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-OLD', scaling: leftByEarlierRun(RUNNING) });
    world.codeDeploy.on(StopDeploymentCommand).callsFake(() => {
      world.codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: [] });
      world.script('d-OLD', [{ status: 'Stopped', info: { rollbackInfo: { rollbackDeploymentId: 'd-RB' } } }]);
      world.script('d-RB', [{ status: 'Succeeded', info: appSpecOf(taskDefinitionArn('shop-prod-web', 7)) }]);
      return { status: 'Pending' };
    });
    const run = await runCli(world, ['stop', '--env', 'prod']);
    expect(run.code).toBe(0);
    expect(world.scaling.state).toEqual(RUNNING);
    expect(world.scaling.tags[SCALING_RECORD_TAG_KEY]).toBeUndefined();
  });

  it('finish: once the old task set is gone and the deployment has ended', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-NEW', scaling: leftByEarlierRun(RUNNING) });
    world.script('d-NEW', [
      { status: 'InProgress', taskSets: blueGreen(0, 100), info: { instanceTerminationWaitTimeStarted: true } },
      { status: 'InProgress', taskSets: blueGreen(0, 100), info: { instanceTerminationWaitTimeStarted: true } },
      { status: 'Succeeded', taskSets: blueGreen(0, 100), info: { instanceTerminationWaitTimeStarted: true, ...appSpecOf(taskDefinitionArn('shop-prod-web', 9)) } },
    ]);
    // Active until finished; CodeDeploy then lists it no more.
    world.codeDeploy.on(ListDeploymentsCommand).callsFake(() => ({ deployments: world.codeDeploy.commandCalls(ContinueDeploymentCommand).length === 0 ? ['d-NEW'] : [] }));
    const run = await runCli(world, ['finish', '--env', 'prod']);
    expect(run.code).toBe(0);
    expect(world.codeDeploy.commandCalls(ContinueDeploymentCommand).map((call) => call.args[0].input)).toEqual([{ deploymentId: 'd-NEW', deploymentWaitType: 'TERMINATION_WAIT' }]);
    expect(world.scaling.state).toEqual(RUNNING);
    expect(world.scaling.tags[SCALING_RECORD_TAG_KEY]).toBeUndefined();
  });

  it('finish: without a record, only ends the wait (no polling)', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-NEW' });
    world.script('d-NEW', [{ status: 'InProgress', taskSets: blueGreen(0, 100), info: { instanceTerminationWaitTimeStarted: true } }]);
    const run = await runCli(world, ['finish', '--env', 'prod']);
    expect(run.code).toBe(0);
    expect(world.codeDeploy.commandCalls(GetDeploymentCommand)).toHaveLength(1);
    expect(world.mutatingCalls()).toBe(1);
  });

  it('wait: not while another deployment is active (its release holds the suspension)', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-OTHER', scaling: leftByEarlierRun(RUNNING) });
    world.script('d-NEW', [{ status: 'Succeeded', info: appSpecOf(taskDefinitionArn('shop-prod-web', 9)) }]);
    const run = await runCli(world, ['wait', '--env', 'prod', '--deployment-id', 'd-NEW']);
    expect(run.code).toBe(0);
    expect(world.scaling.state).toEqual(SUSPENDED);
    expect(world.autoScaling.commandCalls(ListTagsForResourceCommand)).toHaveLength(1);
    expect(world.mutatingCalls()).toBe(0);
  });
});

describe('two releases of one service at once', () => {
  it('the run that loses CreateDeployment touches no scaling and says what it left: an unused revision (exit 2)', async () => {
    const world = fakeWorld('prod');
    // The plan saw a free group; another release's deployment exists by CreateDeployment.
    world.codeDeploy.on(CreateDeploymentCommand).callsFake(() => {
      world.codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-WINNER'] });
      throw awsError('DeploymentLimitExceededException', "The Deployment Group 'shop-prod-web' already has an active Deployment 'd-WINNER'");
    });
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2']);
    expect(run.code).toBe(2);
    expect(scalingCalls(world)).toEqual(['DescribeScalableTargets']);
    expect(world.scaling).toEqual({ state: RUNNING, tags: { Environment: 'prod' } });
    expect(world.codeDeploy.commandCalls(StopDeploymentCommand)).toEqual([]);
    expect(run.stderr).toEqual([
      'error: prod/web: another release started deployment d-WINNER in shop-prod-web while this one was being prepared; this run changed nothing that serves ' +
        '(service, listeners and auto scaling untouched): follow it: npm run deploy -- wait --env prod --service web; or rerun with --if-active wait|stop; ' +
        'revision shop-prod-web:9 was registered but serves nothing (an unused artifact)',
    ]);
  });

  it('a suspension that fails after CreateDeployment is a warning: the deployment goes on, the release ends normally', async () => {
    const world = fakeWorld('prod');
    world.autoScaling.on(TagResourceCommand).rejects(awsError('AccessDeniedException', 'not allowed'));
    world.script('d-NEW', APPROVED);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--verify', '/health']);
    expect(run.code).toBe(0);
    expect(run.stderr.join('\n')).toContain(
      'warning: could not suspend auto scaling of service/shop-prod/shop-prod-web (AccessDeniedException); deployment d-NEW runs with scaling as it was',
    );
    expect(world.scaling.state).toEqual(RUNNING);
  });

  it('a run whose deployment ended leaves scaling suspended when another deployment has started meanwhile', async () => {
    const world = fakeWorld('prod');
    world.script('d-NEW', APPROVED.map((step, index) => (index === 3 ? { ...step, then: () => world.codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-NEXT'] }) } : step)));
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--verify', '/health']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('auto scaling stays suspended: deployment d-NEXT started meanwhile; its release (or npm run deploy -- wait --env prod --service web) restores it when it ends');
    expect(registered(world)).toEqual([SUSPENDED]);
    expect(world.scaling.state).toEqual(SUSPENDED);
  });
});

describe('a suspension is restored only after the deployment it was taken for has ended', () => {
  it('settle leaves it while that deployment still runs, even if the group lists no active deployment', async () => {
    const record = formatScalingRecord({ prior: RUNNING, since: START - 60_000, deployment: 'd-HELD' });
    const world = fakeWorld('prod', { scaling: { state: SUSPENDED, tags: { [SCALING_RECORD_TAG_KEY]: record } } });
    world.script('d-HELD', [{ status: 'InProgress' }]);
    const run = await runCli(world, ['settle', '--env', 'prod']);
    expect(run.code).toBe(4);
    expect(world.codeDeploy.commandCalls(GetDeploymentCommand).map((call) => call.args[0].input.deploymentId)).toContain('d-HELD');
    expect(registered(world)).toEqual([]);
    expect(world.scaling.state).toEqual(SUSPENDED);
    expect(run.stderr[run.stderr.length - 1]).toBe(
      'error: prod/web: no deployment was running; auto scaling stays suspended while deployment d-HELD runs: run npm run deploy -- settle --env prod --service web again once it ends',
    );
  });
});

describe('settle: a cancelled or killed release brought to a safe end', () => {
  const ours = 'release abc run 42';

  it('stops this release\'s forward deployment with rollback, follows the rollback, restores scaling', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-OURS', scaling: leftByEarlierRun(RUNNING) });
    world.script('d-OURS', [{ status: 'Ready' }], { description: ours });
    world.codeDeploy.on(StopDeploymentCommand).callsFake(() => {
      world.codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: [] });
      world.script('d-OURS', [{ status: 'Stopped', info: { rollbackInfo: { rollbackDeploymentId: 'd-RB' } } }], { description: ours });
      world.script('d-RB', [{ status: 'Succeeded', info: appSpecOf(taskDefinitionArn('shop-prod-web', 7)) }]);
      return { status: 'Pending' };
    });
    const run = await runCli(world, ['settle', '--env', 'prod', '--description', ours]);
    expect(run.code).toBe(0);
    expect(world.codeDeploy.commandCalls(StopDeploymentCommand).map((call) => call.args[0].input)).toEqual([{ deploymentId: 'd-OURS', autoRollbackEnabled: true }]);
    expect(run.stdout[run.stdout.length - 1]).toBe('prod/web: deployment d-OURS stopped; rolled back by d-RB: old version shop-prod-web:7 serving; auto scaling restored');
    expect(world.scaling).toEqual({ state: RUNNING, tags: { Environment: 'prod' } });
  });

  it('follows CodeDeploy\'s rollback under way without stopping it', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-RB', scaling: leftByEarlierRun(RUNNING) });
    world.script('d-RB', [{ status: 'InProgress' }, { status: 'Succeeded', then: () => world.codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: [] }) }], { creator: 'codeDeployRollback' });
    const run = await runCli(world, ['settle', '--env', 'prod', '--description', ours]);
    expect(run.code).toBe(0);
    expect(world.codeDeploy.commandCalls(StopDeploymentCommand)).toEqual([]);
    expect(run.stdout[run.stdout.length - 1]).toBe('prod/web: rollback d-RB ended Succeeded; auto scaling restored');
    expect(world.scaling.state).toEqual(RUNNING);
  });

  it('leaves another release\'s deployment and its suspension alone', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-OTHER', scaling: leftByEarlierRun(RUNNING) });
    world.script('d-OTHER', [{ status: 'InProgress' }], { description: 'release def run 43' });
    const run = await runCli(world, ['settle', '--env', 'prod', '--description', ours]);
    expect(run.code).toBe(0);
    expect(world.mutatingCalls()).toBe(0);
    expect(run.stdout[run.stdout.length - 1]).toBe(
      `prod/web: deployment d-OTHER is not this release's (its description is not "${ours}"): left running; its release restores auto scaling when it ends`,
    );
  });

  it('with nothing running, only restores what a release left suspended', async () => {
    const world = fakeWorld('prod', { scaling: leftByEarlierRun(SCALE_IN_OFF) });
    const run = await runCli(world, ['settle', '--env', 'prod']);
    expect(run.code).toBe(0);
    expect(world.codeDeploy.commandCalls(StopDeploymentCommand)).toEqual([]);
    expect(world.scaling).toEqual({ state: SCALE_IN_OFF, tags: { Environment: 'prod' } });
  });
});
