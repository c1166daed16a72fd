/**
 * Worker services end to end (preview/worker: no load balancer, ECS rolling updates with the
 * circuit breaker), and task scale-in protection holding a rollout until the job is done.
 */
import { ECSClient, ListTasksCommand, UpdateTaskProtectionCommand } from '@aws-sdk/client-ecs';
import { setProtection } from '../../emulator/simulation/protection';
import { calls, expectExit, revisionOf, runCli, serviceOf, startCli, useEmulator, verdict, waitForState } from './support';

const e2e = useEmulator(['preview']);
const WORKER = 'shop-preview-worker';

/** The worker's running tasks, listed as the application's own role would (not the deploy role). */
async function workerTasks(ecs: ECSClient): Promise<string[]> {
  const listed = await e2e.asTerraform(() => ecs.send(new ListTasksCommand({ cluster: 'shop-preview', serviceName: WORKER })));
  return listed.taskArns ?? [];
}

describe('deploy (worker, preview)', () => {
  let ecs: ECSClient;
  beforeEach(() => {
    ecs = new ECSClient({ endpoint: e2e.aws.url, region: e2e.aws.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });
  afterEach(() => ecs.destroy());

  it('rolls the worker out without a single load balancer call: exit 0', async () => {
    const { aws } = e2e;
    const result = await runCli(aws, ['deploy', '--env', 'preview', '--service', 'worker', '--tag', 'v1.1.0']);
    expectExit(result, 0);
    expect(verdict(result)).toBe(`preview/worker: released ${WORKER}:2 (rolling)`);
    const service = serviceOf(aws.state(), WORKER);
    expect([revisionOf(service.taskDefinition), service.targetGroups]).toEqual([`${WORKER}:2`, []]);
    expect(aws.callLog().filter((call) => call.service === 'elbv2')).toEqual([]);
    expect(calls(aws, 'UpdateService').map((call) => call.input)).toEqual([{ cluster: 'shop-preview', service: WORKER, taskDefinition: service.taskDefinition }]);
  });

  it('new tasks that crash trip the circuit breaker, which rolls the worker back: exit 1, the old revision runs', async () => {
    const { aws } = e2e;
    aws.putImage({ repository: 'shop-preview/worker', tag: 'v1.2.0', bad: true });
    const result = await runCli(aws, ['deploy', '--env', 'preview', '--service', 'worker', '--tag', 'v1.2.0']);
    expectExit(result, 1);
    expect(verdict(result)).toBe(`error: preview/worker: rollout of ${WORKER}:2 failed; the circuit breaker rolled back to ${WORKER}:1, which is serving`);
    const service = serviceOf(aws.state(), WORKER);
    expect(revisionOf(service.taskDefinition)).toBe(`${WORKER}:1`);
    expect(service.events.join('\n')).toMatch(/deployment failed: tasks failed to start/);
    expect(calls(aws, 'UpdateService')).toHaveLength(1);
  });

  it('a task protected by its job keeps running and holds the rollout until the job clears protection; then exit 0', async () => {
    const { aws } = e2e;
    const [busy] = await workerTasks(ecs);
    // The longest protection (48 emulated hours: minutes of real time), so it cannot lapse on a slow machine.
    const protectedNow = await e2e.asTerraform(() =>
      ecs.send(new UpdateTaskProtectionCommand({ cluster: 'shop-preview', tasks: [busy], protectionEnabled: true, expiresInMinutes: 2880 })),
    );
    expect(protectedNow.protectedTasks?.map((task) => [task.taskArn, task.protectionEnabled])).toEqual([[busy, true]]);

    const release = startCli(aws, ['deploy', '--env', 'preview', '--service', 'worker', '--tag', 'v1.1.0']);
    await release.waitForOutput(/waiting for 1 protected task of the replaced deployment to stop/);
    const held = serviceOf(aws.state(), WORKER);
    // The new tasks run; of the old ones, only the protected task is left running.
    expect(held.deployments.map((d) => [d.status, revisionOf(d.taskDefinition), d.rolloutState, d.running])).toEqual([
      ['PRIMARY', `${WORKER}:2`, 'IN_PROGRESS', 2],
      ['ACTIVE', `${WORKER}:1`, 'COMPLETED', 1],
    ]);

    // `status` shows which task holds the rollout, and until when at the latest.
    const expiresAt = protectedNow.protectedTasks?.[0].expirationDate?.toISOString();
    const [text, json] = await Promise.all([
      runCli(aws, ['status', '--env', 'preview', '--service', 'worker']),
      runCli(aws, ['status', '--env', 'preview', '--service', 'worker', '--json']),
    ]);
    expectExit(text, 0);
    expect(text.stdout).toContain(`  protected: task ${busy.split('/').pop()} until ${expiresAt} (a rollout or scale-in waits for it)`);
    const document = JSON.parse(json.stdout) as { services: { protectedTasks: unknown[] }[] };
    expect(document.services[0].protectedTasks).toEqual([{ taskArn: busy, expiresAt }]);

    // The job finishes and clears its protection (the agent endpoint's PUT, docs/releases.md).
    const sim = aws.emulator.sim;
    const task = sim.world.tasks.find((candidate) => candidate.arn === busy);
    if (!task) throw new Error('the protected task is gone');
    setProtection(sim, task, false, undefined, sim.clock.now());

    const result = await release.done;
    expectExit(result, 0);
    expect(verdict(result)).toBe(`preview/worker: released ${WORKER}:2 (rolling)`);
    await waitForState(aws, (state) => serviceOf(state, WORKER).deployments.length === 1, 'the replaced deployment to leave');
    const after = await runCli(aws, ['status', '--env', 'preview', '--service', 'worker', '--json']);
    expect((JSON.parse(after.stdout) as { services: { protectedTasks: unknown[] }[] }).services[0].protectedTasks).toEqual([]);
  });
});
