/**
 * ECS task scale-in protection (AWS ECS API reference, UpdateTaskProtection and
 * GetTaskProtection; developer guide, "Protect your Amazon ECS tasks from being terminated by
 * scale-in events"): a service task whose protection is set is not stopped by a scale-in of the
 * service or by a deployment replacing it, until the task clears its protection or the protection
 * expires (after `expiresInMinutes`, 1 to 2880, 120 when not given). A task that fails (a crashed
 * container, a failed health check) stops all the same: protection only holds the scheduler back.
 *
 * The emulator holds a rolling deployment IN_PROGRESS while tasks of the deployments it replaces
 * are protected: it completes once the last of them has been told to stop.
 */
import type { TaskOwner, TaskRecord } from '../model';
import type { SimContext } from './context';
import { isLive, requestStop, tasksOf } from './tasks';

/** Minutes a protection lasts when the request names none. */
export const DEFAULT_PROTECTION_MINUTES = 120;
/** Longest protection one request may set (48 hours). */
export const MAX_PROTECTION_MINUTES = 2880;

/** Whether the scheduler must leave the task running at `now`. */
export function isProtected(task: TaskRecord, now: number): boolean {
  return task.protectedUntil !== undefined && now < task.protectedUntil;
}

/** Set (or extend: every request resets the expiry) or clear a task's protection. */
export function setProtection(ctx: SimContext, task: TaskRecord, enabled: boolean, expiresInMinutes: number | undefined, now: number): void {
  task.protectedUntil = enabled ? now + ctx.clock.ms((expiresInMinutes ?? DEFAULT_PROTECTION_MINUTES) * 60) : undefined;
}

/** The task's protection as GetTaskProtection reports it. */
export function protectionOf(task: TaskRecord, now: number): { protectionEnabled: boolean; expirationDate?: Date } {
  return isProtected(task, now) ? { protectionEnabled: true, expirationDate: new Date(task.protectedUntil as number) } : { protectionEnabled: false };
}

/** Live tasks of an owner the scheduler may not stop yet. */
export function protectedTasksOf(ctx: SimContext, owner: TaskOwner, now: number): TaskRecord[] {
  return tasksOf(ctx, owner).filter((task) => isLive(task) && isProtected(task, now));
}

/**
 * Stop every live task of an owner the scheduler may stop (a replaced deployment); protected ones
 * keep running and are stopped by a later call once their protection has ended. Returns how many
 * it stopped.
 */
export function stopUnprotected(ctx: SimContext, owner: TaskOwner, now: number, reason: string): number {
  let count = 0;
  for (const task of tasksOf(ctx, owner)) {
    if (!isLive(task) || isProtected(task, now)) continue;
    requestStop(task, now, 'ServiceSchedulerInitiated', reason);
    count += 1;
  }
  return count;
}
