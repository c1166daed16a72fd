/**
 * Task scale-in protection of a service's running tasks (AWS ECS API reference, ListTasks and
 * GetTaskProtection): a protected task is not stopped by a scale-in or by a rolling release until
 * it clears protection or the protection expires, so it can hold a rollout for that long.
 */
import { GetTaskProtectionCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import type { Context } from '../context';
import type { ReleaseTarget } from './target';

/** GetTaskProtection takes at most this many tasks per call. */
const TASKS_PER_CALL = 100;

export interface ProtectedTask {
  readonly taskArn: string;
  /** When the protection expires (ISO 8601), unless the task clears it first. */
  readonly expiresAt?: string;
}

async function runningTasks(context: Context, target: ReleaseTarget): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await context.clients.ecs.send(new ListTasksCommand({ cluster: target.cluster, serviceName: target.names.service, desiredStatus: 'RUNNING', nextToken }));
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

/** The service's tasks whose scale-in protection is on, soonest expiry first. */
export async function protectedTasks(context: Context, target: ReleaseTarget): Promise<ProtectedTask[]> {
  const arns = await runningTasks(context, target);
  const found: ProtectedTask[] = [];
  for (let start = 0; start < arns.length; start += TASKS_PER_CALL) {
    const answer = await context.clients.ecs.send(new GetTaskProtectionCommand({ cluster: target.cluster, tasks: arns.slice(start, start + TASKS_PER_CALL) }));
    for (const task of answer.protectedTasks ?? []) {
      if (task.protectionEnabled && task.taskArn) found.push({ taskArn: task.taskArn, expiresAt: task.expirationDate?.toISOString() });
    }
  }
  return found.sort((a, b) => (a.expiresAt ?? '').localeCompare(b.expiresAt ?? ''));
}
