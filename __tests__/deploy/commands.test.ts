import { ContinueDeploymentCommand, CreateDeploymentCommand, GetDeploymentCommand, ListDeploymentsCommand, StopDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { DescribeServicesCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { formatScalingRecord, SCALING_RECORD_TAG_KEY } from '../../config';
import { at, blueGreen, fakeWorld, runCli, taskDefinitionArn, type World } from './support/fake-aws';
import { inScratchDir } from '../support/scratch';

const appSpecOf = (arn: string) => ({ revision: { revisionType: 'AppSpecContent' as const, appSpecContent: { content: JSON.stringify({ version: '0.0', Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: arn } } }] }) } } });
const prodRevision = (revision: number) => taskDefinitionArn('shop-prod-web', revision);

describe('approve', () => {
  it('continues a deployment waiting for approval (READY_WAIT)', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-1' });
    world.script('d-1', [{ status: 'Ready' }]);
    const run = await runCli(world, ['approve', '--env', 'prod']);
    expect(run.code).toBe(0);
    expect(world.codeDeploy.commandCalls(ContinueDeploymentCommand).map((call) => call.args[0].input)).toEqual([{ deploymentId: 'd-1', deploymentWaitType: 'READY_WAIT' }]);
  });

  it('refuses, naming the state, when the deployment is not waiting for approval', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-1' });
    world.script('d-1', [{ status: 'InProgress' }]);
    const run = await runCli(world, ['approve', '--env', 'prod']);
    expect(run.code).toBe(2);
    expect(run.stderr).toEqual(['error: deployment d-1 is InProgress, not waiting for approval (Ready); follow it: npm run deploy -- wait --env prod --service web']);
    expect(world.mutatingCalls()).toBe(0);
  });

  it('points to finish when the deployment is already in its termination wait', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-1' });
    world.script('d-1', [{ status: 'InProgress', info: { instanceTerminationWaitTimeStarted: true } }]);
    const run = await runCli(world, ['approve', '--env', 'prod']);
    expect(run.code).toBe(2);
    expect(run.stderr[0]).toContain('end that wait with: npm run deploy -- finish --env prod --service web');
  });
});

describe('finish', () => {
  it('ends the termination wait (TERMINATION_WAIT) once it has started', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-1' });
    world.script('d-1', [{ status: 'InProgress', info: { instanceTerminationWaitTimeStarted: true } }]);
    const run = await runCli(world, ['finish', '--env', 'prod']);
    expect(run.code).toBe(0);
    expect(world.codeDeploy.commandCalls(ContinueDeploymentCommand)[0].args[0].input).toEqual({ deploymentId: 'd-1', deploymentWaitType: 'TERMINATION_WAIT' });
  });

  it('refuses while the deployment still waits for approval, pointing to approve', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-1' });
    world.script('d-1', [{ status: 'Ready' }]);
    const run = await runCli(world, ['finish', '--env', 'prod']);
    expect(run.code).toBe(2);
    expect(run.stderr).toEqual(['error: deployment d-1 is Ready: it waits for approval, not termination; approve with: npm run deploy -- approve --env prod --service web']);
    expect(world.mutatingCalls()).toBe(0);
  });
});

describe('rollback', () => {
  function withHistory(world: World) {
    // Newest first by time: d-3 deployed the running :7, d-2 deployed :4, d-1 deployed :2. Revisions 5, 6
    // and 8 were registered by Terraform or by a failed release and never served through CodeDeploy.
    const history: Record<string, { createTime: Date; arn: string }> = {
      'd-1': { createTime: at(-300), arn: prodRevision(2) },
      'd-3': { createTime: at(-10), arn: prodRevision(7) },
      'd-2': { createTime: at(-100), arn: prodRevision(4) },
    };
    world.codeDeploy.on(ListDeploymentsCommand).callsFake((input: { includeOnlyStatuses?: string[] }) => ({
      deployments: input.includeOnlyStatuses?.includes('Succeeded') ? Object.keys(history) : [],
    }));
    for (const [id, entry] of Object.entries(history)) world.script(id, [{ status: 'Succeeded', info: { createTime: entry.createTime, ...appSpecOf(entry.arn) } }]);
    world.taskDefinitions.set(prodRevision(4), { taskDefinition: { ...world.taskDefinitions.get(prodRevision(6))!.taskDefinition, taskDefinitionArn: prodRevision(4), revision: 4 }, tags: [] });
  }

  it('redeploys the last successfully deployed revision other than the running one, not revision minus one', async () => {
    const world = fakeWorld('prod');
    withHistory(world);
    world.script('d-NEW', [{ status: 'InProgress' }, { status: 'Ready' }, { status: 'Succeeded', info: appSpecOf(prodRevision(4)) }]);
    const run = await runCli(world, ['rollback', '--env', 'prod']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('rolling back prod/web: shop-prod-web:7 → shop-prod-web:4 (last successful deployment d-2)');
    const content = world.codeDeploy.commandCalls(CreateDeploymentCommand)[0].args[0].input.revision!.appSpecContent!.content!;
    expect(JSON.parse(content).Resources[0].TargetService.Properties.TaskDefinition).toBe(prodRevision(4));
    expect(world.ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  it('only says what it would deploy with --dry-run', async () => {
    const world = fakeWorld('prod');
    withHistory(world);
    const run = await runCli(world, ['rollback', '--env', 'prod', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout.at(-1)).toBe('prod/web: dry run: would deploy shop-prod-web:4; nothing changed');
    expect(world.mutatingCalls()).toBe(0);
  });

  it('deploys the revision given with --to', async () => {
    const world = fakeWorld('prod');
    world.script('d-NEW', [{ status: 'InProgress' }, { status: 'Ready' }, { status: 'Succeeded' }]);
    const run = await runCli(world, ['rollback', '--env', 'prod', '--to', '5']);
    expect(run.code).toBe(0);
    const content = world.codeDeploy.commandCalls(CreateDeploymentCommand)[0].args[0].input.revision!.appSpecContent!.content!;
    expect(JSON.parse(content).Resources[0].TargetService.Properties.TaskDefinition).toBe(prodRevision(5));
  });

  it("names the environment's verification hook in the rollback's AppSpec where the service's releases use it, and nowhere else", async () => {
    const prod = fakeWorld('prod');
    prod.script('d-NEW', [{ status: 'InProgress' }, { status: 'Ready' }, { status: 'Succeeded' }]);
    const verified = await runCli(prod, ['rollback', '--env', 'prod', '--to', '5']);
    expect(verified.code).toBe(0);
    const create = prod.codeDeploy.commandCalls(CreateDeploymentCommand)[0].args[0].input;
    expect(JSON.parse(create.revision!.appSpecContent!.content!).Hooks).toEqual([{ AfterAllowTestTraffic: 'shop-prod-verify-test-listener' }]);
    // The function GETs release.verifyPath: the description carries no `verify PATH`.
    expect(create.description).toBe('rollback to shop-prod-web:5');
    expect(verified.stdout).toContain('verify: CodeDeploy runs shop-prod-verify-test-listener at AfterAllowTestTraffic: GET /health on the test listener from inside the VPC; production traffic moves only if it passes');

    const dev = fakeWorld('dev');
    dev.script('d-NEW', [{ status: 'InProgress' }, { status: 'Succeeded' }]);
    const unverified = await runCli(dev, ['rollback', '--env', 'dev', '--to', '5']);
    expect(unverified.code).toBe(0);
    expect(JSON.parse(dev.codeDeploy.commandCalls(CreateDeploymentCommand)[0].args[0].input.revision!.appSpecContent!.content!).Hooks).toBeUndefined();
  });

  it('stops a running deployment with rollback instead of starting another', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-1' });
    world.script('d-1', [{ status: 'InProgress' }]);
    world.codeDeploy.on(StopDeploymentCommand).callsFake(() => {
      world.script('d-1', [{ status: 'Stopped', info: { errorInformation: { code: 'MANUAL_STOP' }, rollbackInfo: { rollbackDeploymentId: 'd-RB' } } }]);
      world.script('d-RB', [{ status: 'Succeeded', info: appSpecOf(prodRevision(7)) }]);
      return { status: 'Pending' };
    });
    const run = await runCli(world, ['rollback', '--env', 'prod']);
    expect(run.code).toBe(0);
    expect(world.codeDeploy.commandCalls(StopDeploymentCommand)[0].args[0].input).toEqual({ deploymentId: 'd-1', autoRollbackEnabled: true });
    expect(world.codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
    expect(run.stdout.at(-1)).toBe('prod/web: deployment d-1 stopped; rolled back by d-RB: old version shop-prod-web:7 serving');
  });
});

describe('stop', () => {
  it('stops without rollback only when asked, with a warning of what that leaves serving', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-1' });
    world.script('d-1', [{ status: 'InProgress' }, { status: 'Stopped', info: { errorInformation: { code: 'MANUAL_STOP' } } }]);
    const run = await runCli(world, ['stop', '--env', 'prod', '--no-rollback']);
    expect(run.code).toBe(0);
    expect(world.codeDeploy.commandCalls(StopDeploymentCommand)[0].args[0].input).toEqual({ deploymentId: 'd-1', autoRollbackEnabled: false });
    expect(run.stderr[0]).toMatch(/^warning: stopping WITHOUT rollback: traffic stays where it is now/);
  });
});

describe('wait', () => {
  it('only detaches on Ctrl-C, saying the deployment keeps running, and exits 6', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-1' });
    world.script('d-1', [{ status: 'InProgress', then: () => world.controller.abort() }]);
    const run = await runCli(world, ['wait', '--env', 'prod']);
    expect(run.code).toBe(6);
    expect(run.stderr.join('\n')).toContain('stopped watching deployment d-1 (this command did not start it, so it keeps running)');
    expect(world.mutatingCalls()).toBe(0);
  });

  it('follows a failing deployment and its rollback with deploy\'s exit code', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-1' });
    world.script('d-1', [{ status: 'InProgress' }, { status: 'Failed', info: { rollbackInfo: { rollbackDeploymentId: 'd-RB' } } }]);
    world.script('d-RB', [{ status: 'Succeeded', info: appSpecOf(prodRevision(7)) }]);
    const run = await runCli(world, ['wait', '--env', 'prod']);
    expect(run.code).toBe(1);
    expect(run.stderr.join('\n')).toContain('rolled back by d-RB: old version shop-prod-web:7 serving');
  });
});

describe('status', () => {
  it('shows the running revision, the live target group, task counts and the current deployment', async () => {
    const world = fakeWorld('prod', { activeDeployment: 'd-1' });
    world.script('d-1', [{ status: 'InProgress', events: [['Install', 'Succeeded', 0, 2]], taskSets: blueGreen(90, 10) }]);
    const run = await runCli(world, ['status', '--env', 'prod', '--json']);
    expect(run.code).toBe(0);
    const [service] = JSON.parse(run.stdout.join('\n')).services;
    expect(service).toMatchObject({
      runningRevision: prodRevision(7),
      liveTargetGroups: [{ name: 'shop-prod-web-blue', weight: 100 }],
      tasks: { desired: 2, running: 2, pending: 0 },
      deployment: { id: 'd-1', active: true, status: 'InProgress', events: [{ name: 'Install', status: 'Succeeded' }], traffic: 'traffic: original 90% → replacement 10%' },
    });
    expect(service.digest).toMatch(/^sha256:b{64}$/);
    expect(service.autoScaling).toEqual({ suspended: { dynamicIn: false, dynamicOut: false, scheduled: false } });
    expect(world.mutatingCalls()).toBe(0);
  });

  it('says when a release left auto scaling suspended, since when, what it restores and who restores it', async () => {
    const suspended = { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: true, ScheduledScalingSuspended: true };
    const record = formatScalingRecord({ prior: { DynamicScalingInSuspended: true }, since: Date.parse('2026-01-01T11:30:00Z'), deployment: 'd-1' });
    const world = fakeWorld('prod', { activeDeployment: 'd-1', scaling: { state: suspended, tags: { [SCALING_RECORD_TAG_KEY]: record } } });
    world.script('d-1', [{ status: 'InProgress' }]);
    const text = await runCli(world, ['status', '--env', 'prod']);
    expect(text.stdout).toContain('  scaling:  suspended by the release at 11:30 UTC for deployment d-1; restored when its deployment ends by npm run deploy -- wait --env prod --service web, stop, finish, settle or the next release');
    const json = await runCli(world, ['status', '--env', 'prod', '--json']);
    expect(JSON.parse(json.stdout.join('\n')).services[0].autoScaling).toEqual({
      suspended: { dynamicIn: true, dynamicOut: true, scheduled: true },
      releaseRecord: { since: '2026-01-01T11:30:00.000Z', restores: { dynamicIn: true, dynamicOut: false, scheduled: false }, deployment: 'd-1' },
    });
    expect(world.mutatingCalls()).toBe(0);
  });

  it('tells scaling a person suspended apart from a release', async () => {
    const world = fakeWorld('prod', { scaling: { state: { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: true, ScheduledScalingSuspended: true } } });
    const run = await runCli(world, ['status', '--env', 'prod']);
    expect(run.stdout).toContain('  scaling:  suspended, not by a release (releases leave it so)');
  });
});

describe('render', () => {
  it('writes taskdef.json with the pinned image and appspec.yaml with the <TASK_DEFINITION> placeholder, changing nothing', async () => {
    const world = fakeWorld('prod');
    await inScratchDir('render', async (out) => {
      const run = await runCli(world, ['render', '--env', 'prod', '--tag', 'v1.4.2', '--out', out]);
      expect(run.code).toBe(0);
      const taskdef = JSON.parse(readFileSync(join(out, 'taskdef.json'), 'utf8'));
      expect(taskdef.family).toBe('shop-prod-web');
      expect(taskdef.containerDefinitions[0].image).toMatch(/shop-prod\/web@sha256:a{64}$/);
      expect(taskdef).not.toHaveProperty('revision');
      const appspec = parse(readFileSync(join(out, 'appspec.yaml'), 'utf8'));
      expect(appspec.Resources[0].TargetService.Properties.TaskDefinition).toBe('<TASK_DEFINITION>');
    });
    expect(world.mutatingCalls()).toBe(0);
  });
});

describe('a rolling release', () => {
  const rollout = (world: World, deployments: Service['deployments']): { services: Service[] } => ({ services: [{ ...world.service, deployments }] });
  const NEW = taskDefinitionArn('shop-preview-web', 9);
  const OLD = taskDefinitionArn('shop-preview-web', 7);

  it('updates only the task definition and succeeds when the PRIMARY rollout completes', async () => {
    const world = fakeWorld('preview');
    world.ecs
      .on(DescribeServicesCommand)
      .resolvesOnce(rollout(world, world.service.deployments))
      .resolvesOnce(rollout(world, [{ id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: NEW, rolloutState: 'IN_PROGRESS', runningCount: 1, desiredCount: 2, pendingCount: 1 }, { id: 'ecs-svc/1', status: 'ACTIVE', taskDefinition: OLD }]))
      .resolves(rollout(world, [{ id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: NEW, rolloutState: 'COMPLETED', runningCount: 2, desiredCount: 2 }]));
    const run = await runCli(world, ['--env', 'preview', '--service', 'web', '--tag', 'v1.4.2']);
    expect(run.code).toBe(0);
    expect(world.ecs.commandCalls(UpdateServiceCommand).map((call) => call.args[0].input)).toEqual([{ cluster: 'shop-preview', service: 'shop-preview-web', taskDefinition: NEW }]);
    expect(run.stdout).toContain('rollout IN_PROGRESS: 1/2 running, 1 pending');
    expect(run.stdout.at(-1)).toBe('preview/web: released shop-preview-web:9 (rolling)');
  });

  it('exits 1 when the circuit breaker fails the rollout and rolls back', async () => {
    const world = fakeWorld('preview');
    world.ecs
      .on(DescribeServicesCommand)
      .resolvesOnce(rollout(world, world.service.deployments))
      .resolvesOnce(rollout(world, [{ id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: NEW, rolloutState: 'IN_PROGRESS' }, { id: 'ecs-svc/1', status: 'ACTIVE', taskDefinition: OLD }]))
      .resolvesOnce(rollout(world, [{ id: 'ecs-svc/3', status: 'PRIMARY', taskDefinition: OLD, rolloutState: 'IN_PROGRESS' }, { id: 'ecs-svc/2', status: 'ACTIVE', taskDefinition: NEW, rolloutState: 'FAILED', rolloutStateReason: 'circuit breaker: tasks failed to start' }]))
      .resolves(rollout(world, [{ id: 'ecs-svc/3', status: 'PRIMARY', taskDefinition: OLD, rolloutState: 'COMPLETED' }]));
    const run = await runCli(world, ['--env', 'preview', '--service', 'web', '--tag', 'v1.4.2']);
    expect(run.code).toBe(1);
    expect(run.stderr.at(-1)).toBe('error: preview/web: rollout of shop-preview-web:9 failed; the circuit breaker rolled back to shop-preview-web:7, which is serving');
  });

  it('puts the previous revision back on Ctrl-C and exits 3', async () => {
    const world = fakeWorld('preview');
    let reads = 0;
    world.ecs.on(DescribeServicesCommand).callsFake(() => {
      reads++;
      if (reads === 2) world.controller.abort();
      const putBack = world.ecs.commandCalls(UpdateServiceCommand).length > 1;
      return rollout(world, putBack ? [{ id: 'ecs-svc/3', status: 'PRIMARY', taskDefinition: OLD, rolloutState: 'COMPLETED' }] : reads === 1 ? world.service.deployments : [{ id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: NEW, rolloutState: 'IN_PROGRESS' }]);
    });
    const run = await runCli(world, ['--env', 'preview', '--service', 'web', '--tag', 'v1.4.2']);
    expect(run.code).toBe(3);
    expect(world.ecs.commandCalls(UpdateServiceCommand).map((call) => call.args[0].input.taskDefinition)).toEqual([NEW, OLD]);
  });
});

describe('reading deployment history', () => {
  it('never asks GetDeployment about more than 50 successful deployments', async () => {
    const world = fakeWorld('prod');
    world.codeDeploy.on(ListDeploymentsCommand).callsFake((input: { includeOnlyStatuses?: string[] }) => ({
      deployments: input.includeOnlyStatuses?.includes('Succeeded') ? Array.from({ length: 80 }, (_, i) => `d-${i}`) : [],
    }));
    for (let i = 0; i < 80; i++) world.script(`d-${i}`, [{ status: 'Succeeded', info: appSpecOf(prodRevision(7)) }]);
    const run = await runCli(world, ['rollback', '--env', 'prod', '--dry-run']);
    expect(run.code).toBe(2);
    expect(world.codeDeploy.commandCalls(GetDeploymentCommand)).toHaveLength(50);
  });
});
