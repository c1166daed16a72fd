/**
 * Task scale-in protection in the emulator (UpdateTaskProtection, GetTaskProtection), on the
 * preview worker: the API's checks and failures, expiry, and a scale-in passing over protected
 * tasks until their protection ends.
 */
import {
  DescribeTasksCommand,
  GetTaskProtectionCommand,
  ListTasksCommand,
  UpdateServiceCommand,
  UpdateTaskProtectionCommand,
} from '@aws-sdk/client-ecs';
import { setUp, waitFor, type Setup } from './support';

const CLUSTER = 'shop-preview';
const WORKER = 'shop-preview-worker';

async function liveTasks(setup: Setup): Promise<string[]> {
  const { taskArns } = await setup.clients.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: WORKER }));
  return taskArns ?? [];
}

async function statuses(setup: Setup, tasks: string[]): Promise<string[]> {
  const { tasks: described } = await setup.clients.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks }));
  return tasks.map((arn) => described?.find((task) => task.taskArn === arn)?.desiredStatus ?? 'gone');
}

describe('task scale-in protection', () => {
  let setup: Setup;
  afterEach(() => setup.close());

  it('is off until set, reports its expiry while on, and answers unknown tasks with MISSING', async () => {
    setup = await setUp('preview', { timeScale: 5 });
    const [task] = await liveTasks(setup);
    const before = await setup.clients.ecs.send(new GetTaskProtectionCommand({ cluster: CLUSTER, tasks: [task, 'ffffffffffffffffffffffffffffffff'] }));
    expect(before.protectedTasks).toEqual([{ taskArn: task, protectionEnabled: false }]);
    expect(before.failures).toEqual([{ arn: 'ffffffffffffffffffffffffffffffff', reason: 'MISSING' }]);

    const set = await setup.clients.ecs.send(new UpdateTaskProtectionCommand({ cluster: CLUSTER, tasks: [task], protectionEnabled: true }));
    const expiry = set.protectedTasks?.[0].expirationDate?.getTime() ?? 0;
    // 120 emulated minutes by default, at 5 ms per emulated second.
    expect(expiry - Date.now()).toBeGreaterThan(120 * 60 * 5 - 10_000);
    expect(expiry - Date.now()).toBeLessThanOrEqual(120 * 60 * 5);
    const after = await setup.clients.ecs.send(new GetTaskProtectionCommand({ cluster: CLUSTER, tasks: [task] }));
    expect(after.protectedTasks?.map((t) => t.protectionEnabled)).toEqual([true]);
  });

  it.each([
    ['an expiry under a minute', { expiresInMinutes: 0 }, /expiresInMinutes must be between 1 and 2880/],
    ['an expiry over 48 hours', { expiresInMinutes: 2881 }, /expiresInMinutes must be between 1 and 2880/],
    ['no task', { tasks: [] }, /tasks must list 1 to 10/],
    ['eleven tasks', { tasks: Array.from({ length: 11 }, (_, i) => `task-${i}`) }, /tasks must list 1 to 10/],
  ])('refuses %s with InvalidParameterException', async (_case, change, message) => {
    setup = await setUp('preview', { timeScale: 5 });
    const [task] = await liveTasks(setup);
    const request = new UpdateTaskProtectionCommand({ cluster: CLUSTER, tasks: [task], protectionEnabled: true, ...change });
    await expect(setup.clients.ecs.send(request)).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(message) });
  });

  it('expires on its own after expiresInMinutes', async () => {
    setup = await setUp('preview', { timeScale: 1 });
    const [task] = await liveTasks(setup);
    await setup.clients.ecs.send(new UpdateTaskProtectionCommand({ cluster: CLUSTER, tasks: [task], protectionEnabled: true, expiresInMinutes: 1 }));
    const expired = await waitFor(
      () => setup.clients.ecs.send(new GetTaskProtectionCommand({ cluster: CLUSTER, tasks: [task] })),
      (answer) => answer.protectedTasks?.[0].protectionEnabled === false,
    );
    expect(expired.protectedTasks?.[0]).toEqual({ taskArn: task, protectionEnabled: false });
  });

  it('a scale-in passes over protected tasks; they stop once protection is cleared', async () => {
    setup = await setUp('preview', { timeScale: 5 });
    const tasks = await liveTasks(setup);
    expect(tasks).toHaveLength(2);
    await setup.clients.ecs.send(new UpdateTaskProtectionCommand({ cluster: CLUSTER, tasks: [tasks[0]], protectionEnabled: true, expiresInMinutes: 60 }));
    await setup.clients.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: WORKER, desiredCount: 0 }));

    await waitFor(() => statuses(setup, tasks), (found) => found[1] === 'STOPPED');
    // Long enough for many simulation steps: the protected task is still wanted running.
    await new Promise((done) => setTimeout(done, 300));
    expect(await statuses(setup, tasks)).toEqual(['RUNNING', 'STOPPED']);

    await setup.clients.ecs.send(new UpdateTaskProtectionCommand({ cluster: CLUSTER, tasks: [tasks[0]], protectionEnabled: false }));
    await waitFor(() => statuses(setup, tasks), (found) => found[0] === 'STOPPED');
  });
});
