/**
 * The preflight's read-only calls go out at once and each is made once, yet a failure is reported
 * exactly as a one-after-another run would have reported it.
 */
import { DescribeScalableTargetsCommand } from '@aws-sdk/client-application-auto-scaling';
import { CreateDeploymentCommand, GetDeploymentGroupCommand, ListDeploymentsCommand } from '@aws-sdk/client-codedeploy';
import { DescribeImagesCommand, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { planRelease } from '../../scripts/steps/plan';
import { readsInOrder } from '../../scripts/steps/reads-in-order';
import { HAPPY_STEPS, awsError, fakeWorld, runCli, taskDefinitionArn } from './support/fake-aws';

const settle = () => new Promise((resolve) => setImmediate(resolve));

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

describe('reads in order', () => {
  it('throws the first failure in the order given, even when a later read failed sooner', async () => {
    const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('first listed')), 20));
    const early = Promise.reject(new Error('second listed'));
    await expect(readsInOrder([late, early])).rejects.toThrow('first listed');
  });

  it('returns every value in the order given', async () => {
    await expect(readsInOrder([Promise.resolve(1), undefined, new Promise((resolve) => setTimeout(() => resolve('b'), 5))])).resolves.toEqual([1, undefined, 'b']);
  });

  it('waits for every read before throwing, so none is left running', async () => {
    let slowDone = false;
    const slow = new Promise((resolve) => setTimeout(() => resolve((slowDone = true)), 20));
    await expect(readsInOrder([Promise.reject(new Error('boom')), slow])).rejects.toThrow('boom');
    expect(slowDone).toBe(true);
  });
});

describe('planning a release', () => {
  it('sends every independent read before the service description has answered', async () => {
    const world = fakeWorld('prod');
    const service = deferred<unknown>();
    world.ecs.on(DescribeServicesCommand).callsFake(() => service.promise);
    const planning = planRelease(world.context, world.target, { tag: 'v1.4.2' });
    await settle();
    expect(world.codeDeploy.commandCalls(GetDeploymentGroupCommand)).toHaveLength(1);
    expect(world.elbv2.commandCalls(DescribeTargetGroupsCommand)).toHaveLength(1);
    expect(world.ecr.commandCalls(DescribeRepositoriesCommand)).toHaveLength(1);
    expect(world.ecr.commandCalls(DescribeImagesCommand)).toHaveLength(1);
    expect(world.codeDeploy.commandCalls(ListDeploymentsCommand)).toHaveLength(1);
    expect(world.autoScaling.commandCalls(DescribeScalableTargetsCommand)).toHaveLength(1);
    // The base revision is the one the service's tags name: it is read once the service answered.
    expect(world.ecs.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(0);
    service.resolve({ services: [world.service] });
    await expect(planning).resolves.toMatchObject({ alreadyRunning: false, base: { foundBy: 'service tag' } });
  });

  it('reports the service check\'s failure, not a later check\'s, when both fail', async () => {
    const world = fakeWorld('prod');
    world.ecs.on(DescribeServicesCommand).callsFake(() => new Promise((_, reject) => setTimeout(() => reject(awsError('ClusterNotFoundException')), 10)));
    world.codeDeploy.on(GetDeploymentGroupCommand).rejects(awsError('DeploymentGroupDoesNotExistException'));
    await expect(planRelease(world.context, world.target, { tag: 'v1.4.2' })).rejects.toThrow(/^cluster shop-prod not found/);
  });

  const described = (world: ReturnType<typeof fakeWorld>) => world.ecs.commandCalls(DescribeTaskDefinitionCommand).map((call) => call.args[0].input.taskDefinition);

  it('describes the tagged base and the running revision once each, at the same time', async () => {
    const world = fakeWorld('prod', { running: 8 });
    await planRelease(world.context, world.target, { tag: 'v1.4.2' });
    expect(described(world)).toEqual([6, 8].map((revision) => taskDefinitionArn('shop-prod-web', revision)));
  });

  it('does not describe the running revision again when it is the base revision', async () => {
    const world = fakeWorld('prod', { running: 6 });
    const plan = await planRelease(world.context, world.target, { tag: 'v1.4.2' });
    expect(plan.runningArn).toBe(taskDefinitionArn('shop-prod-web', 6));
    expect(described(world)).toEqual([taskDefinitionArn('shop-prod-web', 6)]);
  });

  it('without the tag, does not describe the running revision again when the base scan already did', async () => {
    const world = fakeWorld('prod', { running: 8, terraformRevisionTag: null });
    await planRelease(world.context, world.target, { tag: 'v1.4.2' });
    expect(described(world)).toEqual([8, 7, 6].map((revision) => taskDefinitionArn('shop-prod-web', revision)));
  });

  it('without the tag, describes the running revision at once while the scan goes on', async () => {
    const world = fakeWorld('prod', { running: 5, terraformRevisionTag: null });
    await planRelease(world.context, world.target, { tag: 'v1.4.2' });
    expect(described(world).sort()).toEqual([5, 6, 7, 8].map((revision) => taskDefinitionArn('shop-prod-web', revision)));
    expect(world.ecs.commandCalls(ListTaskDefinitionsCommand)).toHaveLength(1);
  });
});

describe('a one-service release', () => {
  it('reads the auto scaling state in the plan, and again only once CreateDeployment has made the group its own', async () => {
    const world = fakeWorld('dev', { scalable: true });
    world.script('d-NEW', HAPPY_STEPS);
    const run = await runCli(world, ['--env', 'dev', '--tag', 'v1.4.2']);
    expect(run.code).toBe(0);
    const order = [...world.autoScaling.commandCalls(DescribeScalableTargetsCommand), ...world.codeDeploy.commandCalls(CreateDeploymentCommand)]
      .sort((a, b) => (a.calledBefore(b) ? -1 : 1))
      .map((call) => call.args[0].constructor.name);
    expect(order).toEqual(['DescribeScalableTargetsCommand', 'CreateDeploymentCommand', 'DescribeScalableTargetsCommand']);
    expect(run.stdout).toContain('auto scaling suspended for the release');
  });
});
