import { BatchGetDeploymentsCommand, CodeDeployClient, CreateDeploymentCommand, GetDeploymentCommand, StopDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { parseEnvironment } from '../../config';
import { ENVIRONMENTS } from '../../config/environments';
import type { AwsClients } from '../../scripts/aws/clients';
import { combineExitCodes, EXIT } from '../../scripts/cli/exit-codes';
import { memoryReporter } from '../../scripts/cli/output';
import { runDeploy, startOrder } from '../../scripts/commands/deploy';
import type { Context } from '../../scripts/context';
import { chunks, CoalescedReads, createBatchedCalls, DEPLOYMENTS_PER_BATCH, TokenBucket } from '../../scripts/steps/batched-calls';
import { DeploymentReader } from '../../scripts/steps/deployment-state';
import { countLine, ReleaseBoard, renderTable } from '../../scripts/steps/release-board';
import { targetFor } from '../../scripts/steps/target';
import { FakeClock, HAPPY_STEPS, fakeWorldWithApi } from './support/fake-aws';

/** A context with mocked CodeDeploy and ECS clients, a fake clock and a 2 s poll interval. */
function mockedContext() {
  const codeDeploy = mockClient(CodeDeployClient);
  const ecs = mockClient(ECSClient);
  const clock = new FakeClock();
  const context = {
    clients: { codeDeploy: new CodeDeployClient({}), ecs: new ECSClient({}) } as unknown as AwsClients,
    clock,
    out: memoryReporter(),
    env: { ECS_BG_POLL_MS: '2000' },
    interrupts: { signal: new AbortController().signal },
    fetch: globalThis.fetch,
  } satisfies Context;
  return { codeDeploy, ecs, clock, context };
}

const ids = (count: number) => Array.from({ length: count }, (_, index) => `d-${String(index).padStart(8, '0')}`);

describe('batched reads of many deployments and services', () => {
  it('answers 60 followers asking at once with three BatchGetDeployments of 25, 25 and 10 ids', async () => {
    const { codeDeploy, context } = mockedContext();
    codeDeploy.on(BatchGetDeploymentsCommand).callsFake((input: { deploymentIds: string[] }) => ({ deploymentsInfo: input.deploymentIds.map((deploymentId) => ({ deploymentId, status: 'InProgress' })) }));
    const batch = createBatchedCalls(context);
    // Two rounds of followers: those arriving while the first batch is under way share the second.
    const first = batch.deployment('d-first');
    const answers = await Promise.all([first, ...ids(60).map((id) => batch.deployment(id))]);
    expect(answers.every((info) => info?.status === 'InProgress')).toBe(true);
    const sizes = codeDeploy.commandCalls(BatchGetDeploymentsCommand).map((call) => call.args[0].input.deploymentIds?.length);
    expect(sizes).toEqual([1, 25, 25, 10]);
    expect(Math.max(...(sizes as number[]))).toBe(DEPLOYMENTS_PER_BATCH);
    expect(codeDeploy.commandCalls(GetDeploymentCommand)).toHaveLength(0);
  });

  it('serves a read from the last batch while it is younger than the poll interval, then reads all watched deployments again', async () => {
    const { codeDeploy, clock, context } = mockedContext();
    codeDeploy.on(BatchGetDeploymentsCommand).callsFake((input: { deploymentIds: string[] }) => ({ deploymentsInfo: input.deploymentIds.map((deploymentId) => ({ deploymentId, status: 'InProgress' })) }));
    const batch = createBatchedCalls(context);
    await batch.deployment('d-A');
    await batch.deployment('d-B');
    await clock.sleep(1000);
    await batch.deployment('d-A');
    await batch.deployment('d-B');
    expect(codeDeploy.commandCalls(BatchGetDeploymentsCommand)).toHaveLength(2);
    await clock.sleep(1000);
    await batch.deployment('d-A');
    // d-B is read along: its answer is half stale and its follower, asleep, will ask soon. A fresh
    // d-A was not read along with d-B's first read.
    expect(codeDeploy.commandCalls(BatchGetDeploymentsCommand).map((call) => call.args[0].input.deploymentIds)).toEqual([['d-A'], ['d-B'], ['d-A', 'd-B']]);
  });

  it('stops reading a deployment along once it has ended', async () => {
    const { codeDeploy, clock, context } = mockedContext();
    codeDeploy.on(BatchGetDeploymentsCommand).callsFake((input: { deploymentIds: string[] }) => ({
      deploymentsInfo: input.deploymentIds.map((deploymentId) => ({ deploymentId, status: deploymentId === 'd-DONE' ? 'Succeeded' : 'InProgress' })),
    }));
    const batch = createBatchedCalls(context);
    await batch.deployment('d-DONE');
    await batch.deployment('d-RUN');
    await clock.sleep(2000);
    await batch.deployment('d-RUN');
    expect(codeDeploy.commandCalls(BatchGetDeploymentsCommand).map((call) => call.args[0].input.deploymentIds)).toEqual([['d-DONE'], ['d-RUN'], ['d-RUN']]);
  });

  it('reads a deployment the batch did not return with GetDeployment, so its own error is the one reported', async () => {
    const { codeDeploy, context } = mockedContext();
    codeDeploy.on(BatchGetDeploymentsCommand).resolves({ deploymentsInfo: [] });
    codeDeploy.on(GetDeploymentCommand).rejects(Object.assign(new Error('Deployment d-GONE does not exist'), { name: 'DeploymentDoesNotExistException' }));
    const reader = new DeploymentReader({ ...context, batch: createBatchedCalls(context) }, 'd-GONE');
    await expect(reader.read({ targets: false })).rejects.toThrow('does not exist');
  });

  it('describes rolling services 10 per DescribeServices call, one cluster per call', async () => {
    const { ecs, context } = mockedContext();
    ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({ services: input.services.map((serviceName) => ({ serviceName, status: 'ACTIVE' })) }));
    const batch = createBatchedCalls(context);
    const names = Array.from({ length: 23 }, (_, index) => `svc${index}`);
    const found = await Promise.all([...names.map((name) => batch.service('blue', name)), batch.service('green', 'other')]);
    expect(found.every((service) => service?.status === 'ACTIVE')).toBe(true);
    const calls = ecs.commandCalls(DescribeServicesCommand).map((call) => [call.args[0].input.cluster, call.args[0].input.services?.length]);
    // The first asker's batch is sent alone; the 23 who asked meanwhile share the next.
    expect(calls).toEqual([['blue', 1], ['blue', 10], ['blue', 10], ['blue', 2], ['green', 1]]);
  });

  it('never answers a release that just changed its service from a read sent before the change', async () => {
    const { ecs, clock, context } = mockedContext();
    let taskDefinition = 'old:1';
    ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({ services: input.services.map((serviceName) => ({ serviceName, taskDefinition })) }));
    const batch = createBatchedCalls(context);
    expect((await batch.service('blue', 'svc'))?.taskDefinition).toBe('old:1');
    await clock.sleep(500);
    taskDefinition = 'new:2';
    const changedAt = clock.now();
    expect((await batch.service('blue', 'svc'))?.taskDefinition).toBe('old:1');
    expect((await batch.service('blue', 'svc', changedAt))?.taskDefinition).toBe('new:2');
  });

  it('cuts lists into slices of at most the batch size', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 25)).toEqual([]);
  });

  it('coalesces only keys asked for while a batch is pending or lately', async () => {
    const clock = new FakeClock();
    const fetched: string[][] = [];
    const reads = new CoalescedReads<string>({ clock, freshMs: 100, keepMs: 800, fetch: async (keys) => (fetched.push([...keys]), new Map(keys.map((key) => [key, key.toUpperCase()]))) });
    expect(await reads.read('a')).toBe('A');
    await clock.sleep(1000);
    expect(await reads.read('b')).toBe('B');
    // `a` was last asked for 1 s ago, longer than keepMs: not read along.
    expect(fetched).toEqual([['a'], ['b']]);
  });
});

describe('the registration pace', () => {
  it('lets 20 registrations through at once, then one a second, as ECS refills its bucket', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(clock, 20, 1);
    const started = clock.now();
    const times: number[] = [];
    await Promise.all(Array.from({ length: 25 }, () => bucket.take().then(() => times.push(clock.now() - started))));
    expect(times.slice(0, 20)).toEqual(new Array(20).fill(0));
    expect(times.slice(20)).toEqual([1000, 2000, 3000, 4000, 5000]);
  });

  it('returns at once without a token when the wait is interrupted', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(clock, 1, 1);
    await bucket.take();
    const interrupt = new AbortController();
    interrupt.abort();
    const before = clock.now();
    await bucket.take(interrupt.signal);
    expect(clock.now()).toBe(before);
  });
});

describe('releasing several services', () => {
  const env = parseEnvironment('dev', {
    ...ENVIRONMENTS.dev,
    services: [
      { name: 'worker', kind: 'worker', desiredCount: 1, release: { strategy: 'rolling' } },
      { name: 'web', desiredCount: 1, release: { strategy: 'blue-green', terminationWaitMinutes: 1 } },
      { name: 'api', desiredCount: 1, release: { strategy: 'blue-green', terminationWaitMinutes: 15, approvalWaitMinutes: 30 } },
    ],
  });

  it('starts the longest expected release first and rolling ones last', () => {
    const plans = env.services.map((service) => {
      const target = targetFor(env, service);
      const release = service.release;
      return { target, group: target.strategy === 'blue-green' ? ({ approvalWaitMinutes: release.approvalWaitMinutes, terminationWaitMinutes: release.terminationWaitMinutes } as never) : undefined };
    });
    expect(startOrder(plans).map((index) => env.services[index].name)).toEqual(['api', 'web', 'worker']);
  });

  it('ends with the most telling exit code: AWS error, timeout, failure, stop, detached, bad input, success', () => {
    expect(combineExitCodes([EXIT.succeeded, EXIT.failed, EXIT.stopped])).toBe(EXIT.failed);
    expect(combineExitCodes([EXIT.detached, EXIT.timedOut, EXIT.failed])).toBe(EXIT.timedOut);
    expect(combineExitCodes([EXIT.failed, EXIT.awsError])).toBe(EXIT.awsError);
    expect(combineExitCodes([EXIT.badInput, EXIT.stopped])).toBe(EXIT.stopped);
    expect(combineExitCodes([EXIT.succeeded, EXIT.succeeded])).toBe(EXIT.succeeded);
  });

  /** dev with web and api, both blue/green, as the fake world answers for any service name. */
  function twoServiceWorld() {
    const world = fakeWorldWithApi();
    world.codeDeploy.on(CreateDeploymentCommand).callsFake((input: { deploymentGroupName: string }) => ({ deploymentId: `d-${input.deploymentGroupName}` }));
    // The batch read answers each id as the world's GetDeployment would.
    world.codeDeploy.on(BatchGetDeploymentsCommand).callsFake(async (input: { deploymentIds: string[] }) => ({
      deploymentsInfo: await Promise.all(input.deploymentIds.map(async (deploymentId) => (await world.context.clients.codeDeploy.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo)),
    }));
    const dev = parseEnvironment('dev', { ...ENVIRONMENTS.dev, services: [ENVIRONMENTS.dev.services[0], { name: 'api', desiredCount: 1 }] });
    const targets = dev.services.map((service) => targetFor(dev, service));
    return { world, targets };
  }
  const options = (targets: ReturnType<typeof twoServiceWorld>['targets'], extra: { failFast?: boolean; concurrency?: number } = {}) => ({
    targets,
    request: { tag: 'v1.4.2' },
    dryRun: false,
    force: false,
    ifActive: 'fail' as const,
    detach: false,
    failFast: extra.failFast ?? false,
    concurrency: extra.concurrency ?? 2,
  });

  it('follows both deployments through BatchGetDeployments and ends with a summary table', async () => {
    const { world, targets } = twoServiceWorld();
    world.script('d-shop-dev-web', HAPPY_STEPS);
    world.script('d-shop-dev-api', HAPPY_STEPS);
    const result = await runDeploy(world.context, options(targets));
    expect(result.exitCode).toBe(0);
    expect(world.codeDeploy.commandCalls(BatchGetDeploymentsCommand).some((call) => call.args[0].input.deploymentIds?.length === 2)).toBe(true);
    expect(world.out.stdout).toContainEqual(expect.stringMatching(/^SERVICE +STRATEGY +PHASE +TRAFFIC +TASKS +ELAPSED +RESULT$/));
    expect(world.out.stdout).toContainEqual(expect.stringMatching(/^web +blue-green +Succeeded +100% +\d+\/\d+ +\d+:\d\d +released$/));
    expect(world.out.stdout[world.out.stdout.length - 1]).toBe('2 services: 2 released');
  });

  it('with --fail-fast and one at a time, skips what had not started after a failure, registering nothing for it', async () => {
    const { world, targets } = twoServiceWorld();
    world.script('d-shop-dev-web', [{ status: 'InProgress' }, { status: 'Failed', info: { autoRollbackConfiguration: { enabled: false } } }]);
    world.codeDeploy.on(StopDeploymentCommand).resolves({});
    const result = await runDeploy(world.context, options(targets, { failFast: true, concurrency: 1 }));
    expect(result.document.services).toMatchObject([
      { service: 'web', exitCode: EXIT.failed },
      { service: 'api', exitCode: EXIT.badInput, verdict: 'dev/api: skipped after an earlier failure (--fail-fast); nothing changed' },
    ]);
    expect(result.exitCode).toBe(EXIT.failed);
    expect(world.codeDeploy.commandCalls(CreateDeploymentCommand).map((call) => call.args[0].input.deploymentGroupName)).toEqual(['shop-dev-web']);
    expect(world.out.stdout[world.out.stdout.length - 1]).toBe('2 services: 1 FAILED, rolled back, 1 skipped');
  });
});

describe('the live table', () => {
  const clock = () => new FakeClock();

  it('aligns one row per service: phase, traffic, tasks, elapsed', () => {
    const lines = renderTable(
      [
        { service: 'web', strategy: 'blue-green', phase: 'InProgress', traffic: 40, tasks: '2/2', startedAt: 0 },
        { service: 'worker12', strategy: 'rolling', phase: 'rollout IN_PROGRESS', tasks: '1/2', startedAt: 30_000 },
      ],
      95_000,
    );
    expect(lines).toEqual([
      'SERVICE   STRATEGY    PHASE                TRAFFIC  TASKS  ELAPSED',
      'web       blue-green  InProgress           40%      2/2    1:35',
      'worker12  rolling     rollout IN_PROGRESS           1/2    1:05',
    ]);
  });

  it('counts the results in the last line', () => {
    expect(countLine([
      { service: 'a', strategy: 'rolling', phase: 'COMPLETED', exitCode: 0 },
      { service: 'b', strategy: 'rolling', phase: 'FAILED', exitCode: 1 },
      { service: 'c', strategy: 'rolling', phase: 'COMPLETED', exitCode: 0 },
    ])).toBe('3 services: 2 released, 1 FAILED, rolled back');
  });

  it('on a terminal redraws in place, and prints errors above the table', async () => {
    const written: string[] = [];
    const streams = { stdout: (text: string) => void written.push(text), stderr: (text: string) => void written.push(`ERR ${text}`), terminal: true };
    const board = new ReleaseBoard([{ name: 'web', strategy: 'blue-green' }], clock(), streams, true);
    board.started('web');
    board.update('web', { phase: 'InProgress', traffic: 0, tasks: '0/1' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    board.above().stderr('error: something\n');
    board.close();
    const screen = written.join('');
    expect(screen).toContain('web      blue-green  InProgress  0%       0/1');
    // Cursor up over the drawn table and clear it before the error, then the table again under it.
    expect(screen).toMatch(/\u001b\[2A\r\u001b\[JERR error: something\nSERVICE/);
  });

  it('elsewhere draws nothing until the summary', () => {
    const written: string[] = [];
    const board = new ReleaseBoard([{ name: 'web', strategy: 'blue-green' }], clock(), { stdout: (text) => void written.push(text), stderr: () => undefined }, false);
    board.update('web', { phase: 'InProgress' });
    board.close();
    expect(written).toEqual([]);
    expect(board.summary()[1]).toMatch(/^web +blue-green +InProgress +running$/);
  });
});
