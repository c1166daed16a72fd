import { RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { ContinueDeploymentCommand, CreateDeploymentCommand, GetDeploymentCommand, StopDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { createHash } from 'node:crypto';
import { HAPPY_STEPS, awsError, blueGreen, fakeWorld, runCli, taskDefinitionArn, type Step, type World } from './support/fake-aws';
import type { DeploymentSnapshot } from '../../scripts/steps/deployment-state';
import { hookFailure } from '../../scripts/steps/verification-hook';

const NEW = taskDefinitionArn('shop-prod-web', 9);
const appSpecOf = (arn: string) => ({ revision: { revisionType: 'AppSpecContent' as const, appSpecContent: { content: JSON.stringify({ Resources: [{ TargetService: { Properties: { TaskDefinition: arn } } }] }) } } });

/** prod waits for approval: these steps include someone approving. */
const APPROVED_STEPS: Step[] = [
  { status: 'Created' },
  { status: 'InProgress', taskSets: blueGreen(100, 0, 0) },
  { status: 'Ready', taskSets: blueGreen(100, 0, 2) },
  { status: 'InProgress', taskSets: blueGreen(0, 100) },
  { status: 'Succeeded', taskSets: blueGreen(0, 100), info: appSpecOf(NEW) },
];

function suspendedStates(world: World) {
  return world.autoScaling.commandCalls(RegisterScalableTargetCommand).map((call) => call.args[0].input.SuspendedState);
}
const SUSPENDED = { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: true, ScheduledScalingSuspended: true };
const PRIOR = { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false };

/** After StopDeployment, CodeDeploy reports Stopped and names a rollback deployment that succeeds. */
function stopLeadsToRollback(world: World, deploymentId = 'd-NEW') {
  world.codeDeploy.on(StopDeploymentCommand).callsFake((input: { deploymentId: string }) => {
    world.script(input.deploymentId, [
      { status: 'Stopped', info: { errorInformation: { code: 'MANUAL_STOP', message: 'stopped by request' }, rollbackInfo: { rollbackDeploymentId: `${input.deploymentId}-RB` } } },
    ]);
    world.script(`${input.deploymentId}-RB`, [{ status: 'InProgress' }, { status: 'Succeeded', info: appSpecOf(taskDefinitionArn('shop-prod-web', 7)) }]);
    return { status: 'Pending' };
  });
  return deploymentId;
}

describe('a blue/green release', () => {
  it('registers the revision, suspends auto scaling, deploys the AppSpec and restores auto scaling after success', async () => {
    const world = fakeWorld('prod');
    let scalingWhenFollowing: unknown[] = [];
    world.script('d-NEW', APPROVED_STEPS.map((step, index) => (index === 0 ? { ...step, then: () => (scalingWhenFollowing = suspendedStates(world)) } : step)));
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2']);
    expect(run.code).toBe(0);
    expect(run.stdout.at(-1)).toBe('prod/web: released shop-prod-web:9 (deployment d-NEW)');
    expect(scalingWhenFollowing).toEqual([SUSPENDED]);
    expect(suspendedStates(world)).toEqual([SUSPENDED, PRIOR]);
    const create = world.codeDeploy.commandCalls(CreateDeploymentCommand)[0].args[0].input;
    expect(create).toMatchObject({ applicationName: 'shop-prod-web', deploymentGroupName: 'shop-prod-web', revision: { revisionType: 'AppSpecContent' } });
    expect(create).not.toHaveProperty('deploymentConfigName');
    const { content, sha256 } = create.revision!.appSpecContent!;
    expect(sha256).toBe(createHash('sha256').update(content!).digest('hex'));
    expect(JSON.parse(content!).Resources[0].TargetService.Properties.TaskDefinition).toBe(NEW);
  });

  it('follows the rollback deployment when the deployment fails, reports the old version serving, exits 1 and restores auto scaling', async () => {
    const world = fakeWorld('prod');
    world.script('d-NEW', [
      { status: 'InProgress' },
      { status: 'Failed', info: { errorInformation: { code: 'HEALTH_CONSTRAINTS', message: 'tasks failed health checks' }, rollbackInfo: { rollbackDeploymentId: 'd-RB' } } },
    ]);
    world.script('d-RB', [{ status: 'InProgress' }, { status: 'Succeeded', info: appSpecOf(taskDefinitionArn('shop-prod-web', 7)) }]);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'error: prod/web: deployment d-NEW failed (HEALTH_CONSTRAINTS: tasks failed health checks); rolled back by d-RB: old version shop-prod-web:7 serving',
    );
    expect(run.stdout).toContain('rollback: deployment d-RB: Succeeded');
    expect(suspendedStates(world)).toEqual([SUSPENDED, PRIOR]);
  });

  it('stops with rollback on Ctrl-C, waits for the rollback, exits 3 and restores auto scaling', async () => {
    const world = fakeWorld('prod');
    world.script('d-NEW', [{ status: 'InProgress', then: () => world.controller.abort() }]);
    stopLeadsToRollback(world);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2']);
    expect(run.code).toBe(3);
    expect(world.codeDeploy.commandCalls(StopDeploymentCommand).map((call) => call.args[0].input)).toEqual([{ deploymentId: 'd-NEW', autoRollbackEnabled: true }]);
    expect(run.stderr.join('\n')).toContain('interrupted; deployment d-NEW stopped; rolled back by d-NEW-RB: old version shop-prod-web:7 serving');
    expect(suspendedStates(world)).toEqual([SUSPENDED, PRIOR]);
    expect(world.interrupts.stoppingMessage).toMatch(/still stopping deployment d-NEW and rolling back/);
  });

  it('leaves the deployment running with --detach on Ctrl-C, exits 6 and prints the commands to continue', async () => {
    const world = fakeWorld('prod');
    world.script('d-NEW', [{ status: 'InProgress', then: () => world.controller.abort() }]);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--detach']);
    expect(run.code).toBe(6);
    expect(world.codeDeploy.commandCalls(StopDeploymentCommand)).toHaveLength(0);
    expect(run.stderr.join('\n')).toContain(
      '--detach left deployment d-NEW running (InProgress); status: npm run deploy -- status --env prod --service web; follow: npm run deploy -- wait --env prod --service web; stop: npm run deploy -- stop --env prod --service web',
    );
    // Scaling stays suspended while the deployment runs; the record tells `wait` what to restore.
    expect(suspendedStates(world)).toEqual([SUSPENDED]);
    expect(run.stdout).toContain('auto scaling stays suspended while deployment d-NEW runs; npm run deploy -- wait --env prod --service web (or settle, stop, the next release) restores it when the deployment ends');
  });

  it('requests a stop with rollback when --timeout elapses and ends at once with exit 4, leaving the rollback to CodeDeploy', async () => {
    const world = fakeWorld('prod');
    world.script('d-NEW', [{ status: 'InProgress' }]);
    stopLeadsToRollback(world);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--timeout', '5m']);
    expect(run.code).toBe(4);
    expect(world.codeDeploy.commandCalls(StopDeploymentCommand)).toHaveLength(1);
    // Nothing is read after the stop: the run ends within --timeout plus the stop call.
    const reads = world.codeDeploy.commandCalls(GetDeploymentCommand);
    expect(reads[reads.length - 1].calledBefore(world.codeDeploy.commandCalls(StopDeploymentCommand)[0])).toBe(true);
    expect(run.stderr.join('\n')).toMatch(
      /timed out; deployment d-NEW stop with rollback requested: CodeDeploy returns traffic to the old version on its own; follow it: npm run deploy -- wait --env prod --service web; auto scaling stays suspended until the deployment ends/,
    );
    expect(run.stderr.join('\n')).toMatch(/--timeout is shorter than the group's approval and termination waits \(75 min\)/);
  });

  it('does not roll back a serving release when the timeout falls in the termination wait', async () => {
    const world = fakeWorld('prod');
    world.script('d-NEW', [
      { status: 'InProgress', events: [['AllowTraffic', 'Succeeded', 0, 1], ['AfterAllowTraffic', 'Succeeded', 1, 2]], taskSets: blueGreen(0, 100), info: { instanceTerminationWaitTimeStarted: true } },
    ]);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--timeout', '10m']);
    expect(run.code).toBe(4);
    expect(world.codeDeploy.commandCalls(StopDeploymentCommand)).toHaveLength(0);
    expect(run.stderr.join('\n')).toContain('timed out during the termination wait: traffic is on the new version; deployment d-NEW ends by itself at 12:17 UTC');
  });

  it('Ctrl-C that arrives while a read is under way is decided on the next read: traffic had moved meanwhile, so the deployment is left (exit 6)', async () => {
    const world = fakeWorld('dev');
    world.script('d-NEW', [
      // The read under way when Ctrl-C comes still shows traffic moving…
      { status: 'InProgress', taskSets: blueGreen(50, 50), then: () => world.controller.abort() },
      // …the next one shows the termination wait.
      { status: 'InProgress', events: [['AllowTraffic', 'Succeeded', 0, 1], ['AfterAllowTraffic', 'Succeeded', 1, 2]], taskSets: blueGreen(0, 100), info: { instanceTerminationWaitTimeStarted: true } },
    ]);
    const run = await runCli(world, ['--env', 'dev', '--tag', 'v1.4.2']);
    expect(run.code).toBe(6);
    expect(world.codeDeploy.commandCalls(StopDeploymentCommand)).toHaveLength(0);
    expect(run.stdout).toContain('interrupted: traffic is already on the new version, so deployment d-NEW is left to finish its termination wait (exit 6); roll back with the rollback command');
  });

  it('reports that the service already runs the image, exits 0 and changes nothing', async () => {
    const world = fakeWorld('prod');
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.1']);
    expect(run.code).toBe(0);
    expect(run.stdout.at(-1)).toMatch(/^prod\/web: already running sha256:b{64} \(shop-prod-web:7\); nothing to do/);
    expect(world.mutatingCalls()).toBe(0);
  });

  it('releases an identical revision anyway with --force', async () => {
    const world = fakeWorld('prod');
    world.script('d-NEW', APPROVED_STEPS);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.1', '--force']);
    expect(run.code).toBe(0);
    expect(world.ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
  });

  it('prints the plan with --dry-run from the same path and sends no mutating call', async () => {
    const world = fakeWorld('prod');
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--dry-run']);
    expect(run.code).toBe(0);
    const text = run.stdout.join('\n');
    expect(text).toContain('base revision:  shop-prod-web:6 (newest Terraform-owned)');
    expect(text).toMatch(/image: +123456789012\.dkr\.ecr\.ap-northeast-1\.amazonaws\.com\/shop-prod\/web@sha256:a{64} \(tag v1\.4\.2\)/);
    expect(text).toContain('TaskDefinition: <new revision of shop-prod-web>');
    expect(text).toContain('deployment group: shop-prod-web');
    expect(world.mutatingCalls()).toBe(0);
  });

  it('prints exactly one JSON document on stdout with --json', async () => {
    const world = fakeWorld('prod');
    world.script('d-NEW', APPROVED_STEPS);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--json']);
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout.join('\n'));
    expect(document).toMatchObject({ command: 'deploy', environment: 'prod', exitCode: 0, services: [{ service: 'web', deploymentId: 'd-NEW', taskDefinition: NEW }] });
    expect(run.stderr.join('\n')).toContain('deployment d-NEW: Succeeded');
  });

  it('says which deployment may still be running when AWS keeps failing after it was created, and exits 5', async () => {
    const world = fakeWorld('prod');
    world.codeDeploy.on(GetDeploymentCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2']);
    expect(run.code).toBe(5);
    expect(run.stderr.join('\n')).toContain(
      'AWS error ThrottlingException (after retries): Rate exceeded; deployment d-NEW was created and may still be running: status: npm run deploy -- status --env prod --service web',
    );
    expect(suspendedStates(world)).toEqual([SUSPENDED]);
  });
});

describe('--if-active', () => {
  it('fails by default naming the active deployment and the commands to follow or stop it, before any mutating call', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-OLD' });
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2']);
    expect(run.code).toBe(2);
    expect(run.stderr).toEqual([
      'error: deployment group shop-prod-web already has an active deployment d-OLD: follow it: npm run deploy -- wait --env prod --service web; stop it: npm run deploy -- stop --env prod --service web; or rerun with --if-active wait|stop',
    ]);
    expect(world.mutatingCalls()).toBe(0);
  });

  it('waits for the active deployment to end, then releases', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-OLD' });
    world.script('d-OLD', [{ status: 'InProgress' }, { status: 'Succeeded' }]);
    world.script('d-NEW', APPROVED_STEPS);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--if-active', 'wait']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('active: deployment d-OLD: Succeeded');
    expect(world.codeDeploy.commandCalls(StopDeploymentCommand)).toHaveLength(0);
    expect(world.codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(1);
  });

  it('stops the active deployment with rollback and waits for it to settle before releasing', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-OLD' });
    world.script('d-OLD', [{ status: 'InProgress' }]);
    stopLeadsToRollback(world);
    world.script('d-NEW', APPROVED_STEPS);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--if-active', 'stop']);
    expect(run.code).toBe(0);
    expect(world.codeDeploy.commandCalls(StopDeploymentCommand)[0].args[0].input).toEqual({ deploymentId: 'd-OLD', autoRollbackEnabled: true });
    expect(run.stdout).toContain('rollback: deployment d-OLD-RB: Succeeded');
  });

  it('handles a deployment started between preflight and CreateDeployment the same way', async () => {
    const world = fakeWorld('prod');
    world.codeDeploy.on(CreateDeploymentCommand).rejectsOnce(awsError('DeploymentLimitExceededException', 'The Deployment Group already has an active Deployment')).resolves({ deploymentId: 'd-NEW' });
    const { ListDeploymentsCommand } = await import('@aws-sdk/client-codedeploy');
    world.codeDeploy.on(ListDeploymentsCommand).resolvesOnce({ deployments: [] }).resolves({ deployments: ['d-RACE'] });
    world.script('d-RACE', [{ status: 'Succeeded' }]);
    world.script('d-NEW', APPROVED_STEPS);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--if-active', 'wait']);
    expect(run.code).toBe(0);
    expect(world.codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(2);
  });
});

describe('--verify on the test listener', () => {
  const READY_THEN_DONE: Step[] = [{ status: 'InProgress' }, { status: 'Ready' }, { status: 'InProgress' }, { status: 'Succeeded', info: appSpecOf(NEW) }];

  it('approves (READY_WAIT) once the path answers 2xx, retrying until then', async () => {
    const world = fakeWorld('prod');
    world.fetchResponses = [503, 200];
    world.script('d-NEW', READY_THEN_DONE);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--verify', '/health', '--verify-base-url', 'https://10.20.0.5:8443']);
    expect(run.code).toBe(0);
    expect(world.fetchCalls.map((call) => call.url)).toEqual(['https://10.20.0.5:8443/health', 'https://10.20.0.5:8443/health']);
    expect(world.codeDeploy.commandCalls(ContinueDeploymentCommand).map((call) => call.args[0].input)).toEqual([{ deploymentId: 'd-NEW', deploymentWaitType: 'READY_WAIT' }]);
  });

  it('stops with rollback and exits 1 when the path keeps failing', async () => {
    const world = fakeWorld('prod');
    world.fetchResponses = [500];
    world.script('d-NEW', READY_THEN_DONE);
    stopLeadsToRollback(world);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--verify', '/health', '--verify-tries', '3', '--verify-base-url', 'http://127.0.0.1:9999']);
    expect(run.code).toBe(1);
    expect(world.fetchCalls).toHaveLength(3);
    expect(world.fetchCalls[0].url).toBe('http://127.0.0.1:9999/health');
    expect(world.codeDeploy.commandCalls(ContinueDeploymentCommand)).toHaveLength(0);
    expect(run.stderr.join('\n')).toContain('verification failed (GET http://127.0.0.1:9999/health → HTTP 500 after 3 tries); rolled back by d-NEW-RB');
  });
});

describe('--verify with the environment verification hook', () => {
  const HOOK = 'shop-prod-verify-test-listener';
  const createdWith = (world: ReturnType<typeof fakeWorld>) => world.codeDeploy.commandCalls(CreateDeploymentCommand)[0].args[0].input;

  it('names the hook at AfterAllowTestTraffic, passes the path in the description, checks nothing itself and approves at Ready', async () => {
    const world = fakeWorld('prod');
    world.script('d-NEW', [{ status: 'InProgress' }, { status: 'Ready' }, { status: 'InProgress' }, { status: 'Succeeded', info: appSpecOf(NEW) }]);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--verify', '/ready', '--description', 'hotfix']);
    expect(run.code).toBe(0);
    const input = createdWith(world);
    expect(JSON.parse(input?.revision?.appSpecContent?.content as string).Hooks).toEqual([{ AfterAllowTestTraffic: HOOK }]);
    expect(input?.description).toBe('verify /ready - hotfix');
    expect(world.fetchCalls).toEqual([]);
    expect(run.stdout).toContain(`verify: ${HOOK} passed at AfterAllowTestTraffic; approving`);
    expect(world.codeDeploy.commandCalls(ContinueDeploymentCommand).map((call) => call.args[0].input)).toEqual([{ deploymentId: 'd-NEW', deploymentWaitType: 'READY_WAIT' }]);
  });

  it('uses release.verifyPath without --verify: the hook runs, the description is untouched, approval stays with a person', async () => {
    const world = fakeWorld('prod');
    world.script('d-NEW', APPROVED_STEPS);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2']);
    expect(run.code).toBe(0);
    expect(JSON.parse(createdWith(world)?.revision?.appSpecContent?.content as string).Hooks).toEqual([{ AfterAllowTestTraffic: HOOK }]);
    expect(createdWith(world)?.description).toBeUndefined();
    expect(run.stdout.join("\n")).toContain(`verify: CodeDeploy runs ${HOOK} at AfterAllowTestTraffic: GET /health`);
  });

  it('refuses --verify-tries (the stack sets the hook\'s tries) and a description that no longer fits, before any AWS call', async () => {
    const world = fakeWorld('prod');
    const tries = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--verify', '/health', '--verify-tries', '3']);
    expect(tries.code).toBe(2);
    expect(tries.stderr.join('\n')).toContain(`--verify-tries counts checks from this machine; the verification hook ${HOOK}`);
    const long = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--verify', '/health', '--description', 'x'.repeat(95)]);
    expect(long.code).toBe(2);
    expect(long.stderr.join('\n')).toContain("over CodeDeploy's 100; shorten --description");
    expect(world.codeDeploy.calls()).toHaveLength(0);
  });
});

describe('a release on a service without auto scaling', () => {
  it('neither suspends nor restores anything', async () => {
    const world = fakeWorld('dev');
    world.script('d-NEW', HAPPY_STEPS);
    const run = await runCli(world, ['--env', 'dev', '--tag', 'v1.4.2']);
    expect(run.code).toBe(0);
    expect(suspendedStates(world)).toEqual([]);
  });
});

describe('Ctrl-C before the deployment exists', () => {
  it('changes nothing: no revision, no auto scaling change, no deployment; exit 3', async () => {
    const world = fakeWorld('prod');
    world.controller.abort();
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2']);
    expect(run.code).toBe(3);
    expect(run.stderr).toEqual(['error: prod/web: interrupted before the deployment started; the service and its auto scaling were not changed']);
    expect(world.mutatingCalls()).toBe(0);
  });
});

describe('--timeout before the deployment exists', () => {
  it('creates no deployment once the time is up, and says the revision it registered is unused (exit 4)', async () => {
    const world = fakeWorld('prod');
    // Registering takes the whole minute the release was given.
    world.ecs.on(RegisterTaskDefinitionCommand).callsFake(async (input: { family: string }) => {
      await world.clock.sleep(61_000);
      return { taskDefinition: { taskDefinitionArn: taskDefinitionArn(input.family, 9) } };
    });
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--timeout', '1m']);
    expect(run.code).toBe(4);
    expect(world.codeDeploy.commandCalls(CreateDeploymentCommand)).toEqual([]);
    expect(run.stderr[run.stderr.length - 1]).toBe(
      'error: prod/web: timed out before the deployment was created; the service and its auto scaling were not changed; revision shop-prod-web:9 was registered but serves nothing (an unused artifact)',
    );
  });
});

describe('a failed verification hook, as the release reports it', () => {
  const hook = { functionName: 'shop-prod-verify-test-listener', logGroupName: '/aws/lambda/shop-prod-verify-test-listener', path: '/health', fromFlag: true };
  const snapshot = (code: string, eventStatus: string) =>
    ({
      id: 'd-1',
      status: 'Failed',
      info: { errorInformation: { code, message: 'reported Failed' } },
      events: [{ name: 'AfterAllowTestTraffic', status: eventStatus }],
      taskSets: [],
    }) as unknown as DeploymentSnapshot;

  it("is the hook's failure only when CodeDeploy says a hook failed, not when an alarm or a stop ended the deployment during the hook", () => {
    expect(hookFailure(snapshot('HOOK_EXECUTION_FAILURE', 'Failed'), hook)).toBe('shop-prod-verify-test-listener reported the test listener failing for GET /health (reported Failed)');
    expect(hookFailure(snapshot('ALARM_ACTIVE', 'Failed'), hook)).toBeUndefined();
    expect(hookFailure(snapshot('HOOK_EXECUTION_FAILURE', 'Succeeded'), hook)).toBeUndefined();
  });
});
