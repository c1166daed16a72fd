/**
 * The ways a blue/green release does not simply succeed: approval, early termination, a bad
 * image, a stop, an alarm, a failing hook, a revision CodeDeploy or ECS refuses.
 */
import { ContinueDeploymentCommand, CreateDeploymentCommand, StopDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeListenersCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { parseEnvironment, productionPort, testListenerPort } from '../../config';
import { ENVIRONMENTS } from '../../config/environments';
import { startEmulator } from '../../emulator';
import { appSpec, clientsFor, deploymentInfo, imageOf, registerRevision, setUp, waitFor, waitForStatus, type Setup } from './support';
import { PausableClock } from '../e2e/support';

async function create(setup: Setup, content: string, extra: Record<string, unknown> = {}): Promise<string> {
  const { deploymentId } = await setup.clients.codeDeploy.send(
    new CreateDeploymentCommand({
      applicationName: setup.names.codeDeployApplication,
      deploymentGroupName: setup.names.deploymentGroup,
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content } },
      ...extra,
    }),
  );
  return deploymentId as string;
}

async function targetGroupArns(setup: Setup) {
  const { TargetGroups } = await setup.clients.elbv2.send(new DescribeTargetGroupsCommand({ Names: [...setup.names.targetGroups] }));
  return { blue: TargetGroups?.[0]?.TargetGroupArn as string, green: TargetGroups?.[1]?.TargetGroupArn as string };
}

/** Production and test listener forwards as [target group ARN, weight] lists, plus TargetGroupArn. */
async function listenerForwards(setup: Setup) {
  const state = setup.aws.state();
  const arns = state.listeners.filter((listener) => listener.loadBalancer === setup.names.loadBalancer).map((listener) => listener.arn);
  const { Listeners } = await setup.clients.elbv2.send(new DescribeListenersCommand({ ListenerArns: arns }));
  const byPort = (port: number) => {
    const action = Listeners?.find((listener) => listener.Port === port)?.DefaultActions?.[0];
    return { single: action?.TargetGroupArn, weights: action?.ForwardConfig?.TargetGroups?.map((t) => [t.TargetGroupArn, t.Weight]) };
  };
  const [service] = setup.env.services;
  return { production: byPort(productionPort(service)), test: byPort(testListenerPort(service)) };
}

async function service(setup: Setup) {
  const { services } = await setup.clients.ecs.send(new DescribeServicesCommand({ cluster: setup.env.app + '-' + setup.env.environment, services: [setup.names.service] }));
  return services?.[0];
}

describe('approval and the termination wait (prod: canary 10% for 5 minutes, approval within 60 minutes)', () => {
  let setup: Setup;
  // Held still around the first check: at 2 ms per emulated second a loaded machine could
  // otherwise reach Ready between CreateDeployment and the next call.
  let clock: PausableClock;
  beforeEach(async () => {
    clock = new PausableClock();
    setup = await setUp('prod', { timeScale: 2, now: clock.now });
  });
  afterEach(() => setup.close());

  it('waits in Ready for approval, shifts a 10% canary then the rest, and ends the termination wait when continued', async () => {
    const { blue, green } = await targetGroupArns(setup);
    const taskDefinition = await registerRevision(setup, imageOf(setup, 'v1.1.0'));
    clock.pause();
    const id = await create(setup, appSpec(taskDefinition));

    // Nothing to approve yet, and no termination wait to end.
    await expect(setup.clients.codeDeploy.send(new ContinueDeploymentCommand({ deploymentId: id, deploymentWaitType: 'READY_WAIT' }))).rejects.toMatchObject({
      name: 'DeploymentIsNotInReadyStateException',
    });
    clock.resume();

    const ready = await waitForStatus(setup.clients, id, ['Ready', 'Failed', 'Stopped']);
    expect(ready.status).toBe('Ready');
    // The replacement is reachable on the test listener; production has not moved.
    expect(await listenerForwards(setup)).toEqual({
      production: { single: blue, weights: [[blue, 1]] },
      test: { single: undefined, weights: [[green, 100], [blue, 0]] },
    });
    await expect(
      setup.clients.codeDeploy.send(new ContinueDeploymentCommand({ deploymentId: id, deploymentWaitType: 'TERMINATION_WAIT' })),
    ).rejects.toMatchObject({ name: 'DeploymentIsNotInReadyStateException' });

    await setup.clients.codeDeploy.send(new ContinueDeploymentCommand({ deploymentId: id, deploymentWaitType: 'READY_WAIT' }));
    await waitFor(() => listenerForwards(setup), (forwards) => forwards.production.weights?.[0]?.[1] === 10);
    expect((await listenerForwards(setup)).production).toEqual({ single: undefined, weights: [[green, 10], [blue, 90]] });
    expect((await service(setup))?.taskDefinition).not.toBe(taskDefinition);

    const waiting = await waitFor(() => deploymentInfo(setup.clients, id), (info) => info.instanceTerminationWaitTimeStarted === true);
    expect(waiting.status).toBe('InProgress');
    expect((await listenerForwards(setup)).production.weights).toEqual([[green, 100], [blue, 0]]);
    expect((await service(setup))?.taskSets?.map((set) => set.status).sort()).toEqual(['ACTIVE', 'PRIMARY']);

    // 15 emulated minutes would take 1.8 s here; end the wait now instead.
    await setup.clients.codeDeploy.send(new ContinueDeploymentCommand({ deploymentId: id, deploymentWaitType: 'TERMINATION_WAIT' }));
    expect((await deploymentInfo(setup.clients, id)).status).toBe('Succeeded');
    const after = await service(setup);
    expect(after?.taskDefinition).toBe(taskDefinition);
    expect(after?.taskSets?.find((set) => set.status === 'PRIMARY')?.runningCount).toBe(2);
    // The original set drains for the deregistration delay (30 s, 150 ms at this clock), then goes:
    // under load the read may land after it is gone, but never while it still takes traffic.
    expect([undefined, 'DRAINING']).toContain(after?.taskSets?.find((set) => set.status !== 'PRIMARY')?.status);
    await expect(setup.clients.codeDeploy.send(new ContinueDeploymentCommand({ deploymentId: id, deploymentWaitType: 'TERMINATION_WAIT' }))).rejects.toMatchObject({
      name: 'DeploymentAlreadyCompletedException',
    });
  });
});

describe('a blue/green deployment that goes wrong (dev)', () => {
  let setup: Setup;
  beforeEach(async () => {
    setup = await setUp('dev', { replacementTimeoutMinutes: 2 });
  });
  afterEach(() => setup.close());

  it('fails Install when the image is bad and rolls back with the listeners still on the original target group', async () => {
    const { blue, green } = await targetGroupArns(setup);
    setup.aws.putImage({ repository: setup.names.repository, tag: 'v1.2.0', bad: true });
    const original = (await service(setup))?.taskDefinition;
    const taskDefinition = await registerRevision(setup, imageOf(setup, 'v1.2.0'));
    const id = await create(setup, appSpec(taskDefinition));

    // The replacement's target is unhealthy while Install waits.
    await waitFor(
      () => setup.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: green })),
      (health) => (health.TargetHealthDescriptions ?? []).some((description) => description.TargetHealth?.State === 'unhealthy'),
    );

    const failed = await waitForStatus(setup.clients, id, ['Failed', 'Succeeded', 'Stopped']);
    expect(failed.status).toBe('Failed');
    expect(failed.errorInformation?.code).toBe('ECS_UPDATE_ERROR');
    expect(failed.errorInformation?.message).toMatch(/replacement task set to become healthy/);
    const rollbackId = failed.rollbackInfo?.rollbackDeploymentId as string;
    expect(rollbackId).toMatch(/^d-/);

    const rollback = await waitForStatus(setup.clients, rollbackId, ['Succeeded', 'Failed', 'Stopped']);
    expect(rollback).toMatchObject({ status: 'Succeeded', creator: 'codeDeployRollback', rollbackInfo: { rollbackTriggeringDeploymentId: id } });

    expect(await listenerForwards(setup)).toEqual({ production: { single: blue, weights: [[blue, 1]] }, test: { single: blue, weights: [[blue, 1]] } });
    const after = await waitFor(() => service(setup), (current) => current?.taskSets?.length === 1);
    expect(after?.taskDefinition).toBe(original);
    expect(after?.taskSets?.[0]).toMatchObject({ status: 'PRIMARY', taskDefinition: original });
  });

  it('stops with rollback during the termination wait and moves production traffic back', async () => {
    const { blue, green } = await targetGroupArns(setup);
    const original = (await service(setup))?.taskDefinition;
    const taskDefinition = await registerRevision(setup, imageOf(setup, 'v1.1.0'));
    const id = await create(setup, appSpec(taskDefinition));
    await waitFor(() => deploymentInfo(setup.clients, id), (info) => info.instanceTerminationWaitTimeStarted === true);
    expect((await listenerForwards(setup)).production.weights).toEqual([[green, 100], [blue, 0]]);

    const stop = await setup.clients.codeDeploy.send(new StopDeploymentCommand({ deploymentId: id, autoRollbackEnabled: true }));
    expect(stop.status).toBe('Pending');
    const stopped = await deploymentInfo(setup.clients, id);
    expect(stopped).toMatchObject({ status: 'Stopped', errorInformation: { code: 'MANUAL_STOP' } });
    await waitForStatus(setup.clients, stopped.rollbackInfo?.rollbackDeploymentId as string, ['Succeeded']);

    expect((await listenerForwards(setup)).production.weights).toEqual([[blue, 100], [green, 0]]);
    expect((await listenerForwards(setup)).test.weights).toEqual([[blue, 100], [green, 0]]);
    const after = await service(setup);
    expect(after?.taskDefinition).toBe(original);
    expect(after?.loadBalancers?.[0]?.targetGroupArn).toBe(blue);
  });

  it('stops without rollback and leaves traffic where it was', async () => {
    const { blue, green } = await targetGroupArns(setup);
    const taskDefinition = await registerRevision(setup, imageOf(setup, 'v1.1.0'));
    const id = await create(setup, appSpec(taskDefinition));
    await waitFor(() => deploymentInfo(setup.clients, id), (info) => info.instanceTerminationWaitTimeStarted === true);
    const stop = await setup.clients.codeDeploy.send(new StopDeploymentCommand({ deploymentId: id, autoRollbackEnabled: false }));
    expect(stop.status).toBe('Succeeded');
    const stopped = await deploymentInfo(setup.clients, id);
    expect(stopped.status).toBe('Stopped');
    expect(stopped.rollbackInfo).toBeUndefined();
    expect((await listenerForwards(setup)).production.weights).toEqual([[green, 100], [blue, 0]]);
    expect((await service(setup))?.taskDefinition).toBe(taskDefinition);
    await expect(setup.clients.codeDeploy.send(new StopDeploymentCommand({ deploymentId: id }))).rejects.toMatchObject({
      name: 'DeploymentAlreadyCompletedException',
    });
  });

  it('is stopped by a tripped alarm and rolled back', async () => {
    const taskDefinition = await registerRevision(setup, imageOf(setup, 'v1.1.0'));
    const id = await create(setup, appSpec(taskDefinition));
    await waitForStatus(setup.clients, id, ['InProgress']);
    const response = await fetch(`${setup.aws.url}/_emulator/alarm`, { method: 'POST', body: JSON.stringify({ deploymentId: id }) });
    expect(response.status).toBe(200);
    const stopped = await deploymentInfo(setup.clients, id);
    expect(stopped.status).toBe('Stopped');
    expect(stopped.errorInformation?.code).toBe('ALARM_ACTIVE');
    expect(stopped.errorInformation?.message).toContain(setup.names.alarms.target5xx);
    await waitForStatus(setup.clients, stopped.rollbackInfo?.rollbackDeploymentId as string, ['Succeeded']);
  });

  it('fails when a lifecycle hook reports failure, with the hook in the diagnostics', async () => {
    setup.aws.failHook({ lifecycleEvent: 'AfterAllowTestTraffic' });
    const taskDefinition = await registerRevision(setup, imageOf(setup, 'v1.1.0'));
    const id = await create(setup, appSpec(taskDefinition, { hooks: { AfterAllowTestTraffic: 'shop-dev-smoke-test' } }));
    const failed = await waitForStatus(setup.clients, id, ['Failed', 'Succeeded']);
    expect(failed.errorInformation?.code).toBe('HOOK_EXECUTION_FAILURE');
    expect(failed.errorInformation?.message).toContain('shop-dev-smoke-test');
    expect(setup.aws.state().deployments.find((deployment) => deployment.id === id)?.lifecycleEvents).toEqual([
      { name: 'BeforeInstall', status: 'Succeeded' },
      { name: 'Install', status: 'Succeeded' },
      { name: 'AfterInstall', status: 'Succeeded' },
      { name: 'AllowTestTraffic', status: 'Succeeded' },
      { name: 'AfterAllowTestTraffic', status: 'Failed' },
      { name: 'BeforeAllowTraffic', status: 'Skipped' },
      { name: 'AllowTraffic', status: 'Skipped' },
      { name: 'AfterAllowTraffic', status: 'Skipped' },
    ]);
    await waitForStatus(setup.clients, failed.rollbackInfo?.rollbackDeploymentId as string, ['Succeeded']);
  });

  it('refuses malformed AppSpecs and unknown configs, and fails Install for a container ECS would refuse', async () => {
    const taskDefinition = await registerRevision(setup, imageOf(setup, 'v1.1.0'));
    await expect(create(setup, 'version: 0.0\nResources: [')).rejects.toMatchObject({ name: 'InvalidRevisionException' });
    await expect(create(setup, appSpec(taskDefinition).replace('AWS::ECS::Service', 'AWS::Lambda::Function'))).rejects.toMatchObject({
      name: 'InvalidRevisionException',
    });
    await expect(
      setup.clients.codeDeploy.send(
        new CreateDeploymentCommand({
          applicationName: setup.names.codeDeployApplication,
          deploymentGroupName: setup.names.deploymentGroup,
          revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec(taskDefinition), sha256: '0'.repeat(64) } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidRevisionException' });
    await expect(create(setup, appSpec(taskDefinition), { deploymentConfigName: 'CodeDeployDefault.NoSuchConfig' })).rejects.toMatchObject({
      name: 'DeploymentConfigDoesNotExistException',
    });
    await expect(
      setup.clients.codeDeploy.send(
        new CreateDeploymentCommand({
          applicationName: 'no-such-app',
          deploymentGroupName: setup.names.deploymentGroup,
          revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec(taskDefinition) } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ApplicationDoesNotExistException' });

    const id = await create(setup, appSpec(taskDefinition, { containerName: 'web' }));
    const failed = await waitForStatus(setup.clients, id, ['Failed', 'Succeeded']);
    expect(failed.errorInformation).toMatchObject({ code: 'ECS_UPDATE_ERROR' });
    expect(failed.errorInformation?.message).toContain('The container web does not exist in the task definition');
    await waitForStatus(setup.clients, failed.rollbackInfo?.rollbackDeploymentId as string, ['Succeeded']);
  });
});

describe('a linear traffic shift', () => {
  it('moves production traffic 10% a minute when the deployment overrides the config', async () => {
    const setup = await setUp('dev', { timeScale: 2 });
    try {
      const { green } = await targetGroupArns(setup);
      const taskDefinition = await registerRevision(setup, imageOf(setup, 'v1.1.0'));
      const id = await create(setup, appSpec(taskDefinition), { deploymentConfigName: 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes' });
      const seen: number[] = [];
      await waitFor(
        async () => {
          const weights = (await listenerForwards(setup)).production.weights ?? [];
          const percent = Number(weights.find(([arn]) => arn === green)?.[1] ?? 0);
          if (seen.at(-1) !== percent) seen.push(percent);
          return percent;
        },
        (percent) => percent === 100,
        8000,
        10,
      );
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(seen).toEqual(expect.arrayContaining([10, 50, 90, 100]));
      expect((await deploymentInfo(setup.clients, id)).deploymentConfigName).toBe('CodeDeployDefault.ECSLinear10PercentEvery1Minutes');
    } finally {
      await setup.close();
    }
  });
});

describe('an approval nobody gives', () => {
  it('stops the deployment when the ready wait runs out, without production traffic ever moving', async () => {
    const raw = ENVIRONMENTS.prod;
    const env = parseEnvironment('prod', {
      ...raw,
      services: raw.services.map((service) => ({ ...service, release: { ...service.release, approvalWaitMinutes: 1 } })),
    });
    const aws = await startEmulator({ environments: [env], timeScale: 5 });
    const clients = clientsFor(aws);
    const setup: Setup = { aws, clients, env, names: (await import('../../config')).serviceNames(env, env.services[0]), close: async () => undefined };
    try {
      const { blue, green } = await targetGroupArns(setup);
      const taskDefinition = await registerRevision(setup, imageOf(setup, 'v1.1.0'));
      const id = await create(setup, appSpec(taskDefinition));
      await waitForStatus(clients, id, ['Ready']);
      const stopped = await waitForStatus(clients, id, ['Stopped', 'Succeeded', 'Failed']);
      expect(stopped.status).toBe('Stopped');
      expect(stopped.errorInformation?.code).toBe('TIMEOUT');
      expect(await listenerForwards(setup)).toEqual({
        production: { single: blue, weights: [[blue, 1]] },
        test: { single: undefined, weights: [[blue, 100], [green, 0]] },
      });
      const current = await waitFor(() => service(setup), (found) => found?.taskSets?.length === 1);
      expect(current?.taskSets?.[0]?.loadBalancers?.[0]?.targetGroupArn).toBe(blue);
    } finally {
      clients.destroy();
      await aws.close();
    }
  });
});
