/**
 * ECS UpdateTaskProtection and GetTaskProtection (AWS ECS API reference): what a task's own ECS
 * agent endpoint (`$ECS_AGENT_URI/task-protection/v1/state`) calls on its behalf, and what
 * `status` reads. Only service tasks can be protected; others come back as failures with reason
 * `TASK_NOT_VALID`, unknown ones with `MISSING`.
 */
import type {
  Failure,
  GetTaskProtectionRequest,
  GetTaskProtectionResponse,
  ProtectedTask,
  UpdateTaskProtectionRequest,
  UpdateTaskProtectionResponse,
} from '@aws-sdk/client-ecs';
import type { TaskRecord } from '../model';
import { fail } from '../protocol/errors';
import type { Simulation } from '../simulation/engine';
import { MAX_PROTECTION_MINUTES, protectionOf, setProtection } from '../simulation/protection';
import { isLive } from '../simulation/tasks';
import type { HandlerContext, Operation } from './common';
import { findCluster } from './ecs';

/** The tasks a request names (ids or ARNs) in a cluster, and a failure for each it cannot act on. */
function resolveTasks(sim: Simulation, clusterArn: string, references: readonly string[]): { tasks: TaskRecord[]; failures: Failure[] } {
  const tasks: TaskRecord[] = [];
  const failures: Failure[] = [];
  for (const reference of references) {
    const id = reference.split('/').pop();
    const task = sim.world.tasks.find((candidate) => candidate.clusterArn === clusterArn && candidate.id === id && isLive(candidate));
    if (!task) failures.push({ arn: reference, reason: 'MISSING' });
    else if (task.owner.kind !== 'ecs-deployment' && task.owner.kind !== 'task-set') failures.push({ arn: task.arn, reason: 'TASK_NOT_VALID', detail: 'The task is not part of a service.' });
    else tasks.push(task);
  }
  return { tasks, failures };
}

function presentProtection(task: TaskRecord, now: number): ProtectedTask {
  return { taskArn: task.arn, ...protectionOf(task, now) };
}

export const taskProtectionOperations: Readonly<Record<string, Operation>> = {
  UpdateTaskProtection(input: UpdateTaskProtectionRequest, { sim }: HandlerContext): UpdateTaskProtectionResponse {
    const cluster = findCluster(sim, input.cluster);
    const references = input.tasks ?? [];
    if (references.length === 0 || references.length > 10) fail('InvalidParameterException', 'tasks must list 1 to 10 task ids or ARNs.');
    if (typeof input.protectionEnabled !== 'boolean') fail('InvalidParameterException', 'protectionEnabled can not be blank.');
    const minutes = input.expiresInMinutes;
    if (minutes !== undefined && (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_PROTECTION_MINUTES)) {
      fail('InvalidParameterException', `expiresInMinutes must be between 1 and ${MAX_PROTECTION_MINUTES}.`);
    }
    const now = sim.clock.now();
    const { tasks, failures } = resolveTasks(sim, cluster.arn, references);
    for (const task of tasks) setProtection(sim, task, input.protectionEnabled, minutes, now);
    return { protectedTasks: tasks.map((task) => presentProtection(task, now)), failures };
  },

  GetTaskProtection(input: GetTaskProtectionRequest, { sim }: HandlerContext): GetTaskProtectionResponse {
    const cluster = findCluster(sim, input.cluster);
    const references = input.tasks ?? [];
    if (references.length > 100) fail('InvalidParameterException', 'tasks must list at most 100 task ids or ARNs.');
    const now = sim.clock.now();
    const { tasks, failures } = resolveTasks(sim, cluster.arn, references);
    return { protectedTasks: tasks.map((task) => presentProtection(task, now)), failures };
  },
};
