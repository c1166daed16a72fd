/**
 * Reading task scale-in protection for `status` (scripts/steps/task-protection.ts), against
 * mocked ECS: every page of ListTasks, GetTaskProtection 100 tasks at a time, only protected tasks.
 */
import { GetTaskProtectionCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { loadEnvironment } from '../../config';
import { protectedTasks } from '../../scripts/steps/task-protection';
import { targetFor } from '../../scripts/steps/target';
import { fakeWorld } from './support/fake-aws';

const taskArn = (n: number) => `arn:aws:ecs:ap-northeast-1:123456789012:task/shop-preview/${String(n).padStart(32, '0')}`;

describe('protectedTasks', () => {
  it('lists every page of the service tasks, asks about them 100 at a time and keeps only the protected ones, soonest expiry first', async () => {
    const world = fakeWorld('preview');
    const env = loadEnvironment('preview');
    const worker = targetFor(env, env.services.find((service) => service.kind === 'worker')!);
    const all = Array.from({ length: 150 }, (_, index) => taskArn(index));
    world.ecs.on(ListTasksCommand, { nextToken: undefined }).resolves({ taskArns: all.slice(0, 100), nextToken: 'page-2' });
    world.ecs.on(ListTasksCommand, { nextToken: 'page-2' }).resolves({ taskArns: all.slice(100) });
    world.ecs.on(GetTaskProtectionCommand).callsFake((input: { tasks: string[] }) => ({
      protectedTasks: input.tasks.map((arn) => {
        const n = all.indexOf(arn);
        return n === 7 || n === 120 ? { taskArn: arn, protectionEnabled: true, expirationDate: new Date(Date.UTC(2026, 11, 4, n === 7 ? 18 : 17)) } : { taskArn: arn, protectionEnabled: false };
      }),
    }));

    expect(await protectedTasks(world.context, worker)).toEqual([
      { taskArn: all[120], expiresAt: '2026-12-04T17:00:00.000Z' },
      { taskArn: all[7], expiresAt: '2026-12-04T18:00:00.000Z' },
    ]);
    expect(world.ecs.commandCalls(ListTasksCommand).map((call) => call.args[0].input)).toEqual([
      { cluster: 'shop-preview', serviceName: 'shop-preview-worker', desiredStatus: 'RUNNING', nextToken: undefined },
      { cluster: 'shop-preview', serviceName: 'shop-preview-worker', desiredStatus: 'RUNNING', nextToken: 'page-2' },
    ]);
    expect(world.ecs.commandCalls(GetTaskProtectionCommand).map((call) => call.args[0].input.tasks?.length)).toEqual([100, 50]);
  });

  it('asks nothing about protection when the service runs no task', async () => {
    const world = fakeWorld('preview');
    const env = loadEnvironment('preview');
    world.ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    expect(await protectedTasks(world.context, targetFor(env, env.services[1]))).toEqual([]);
    expect(world.ecs.commandCalls(GetTaskProtectionCommand)).toEqual([]);
  });
});
