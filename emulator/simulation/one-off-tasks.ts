/**
 * One-off tasks (ECS RunTask): what they do is scripted from tests through the control API
 * (`POST /_emulator/tasks`), and everything about them follows from the clock: a task is
 * PROVISIONING, PENDING (image pull), RUNNING for its scripted duration, writing its log lines
 * evenly over the run, and then STOPPED with its exit code. StopTask ends it a short grace
 * period later with 143 (the container's answer to SIGTERM, ECS's first signal). A task that
 * cannot start stops at the end of the pull with `TaskFailedToStart` and the scripted reason; one
 * that cannot even be placed comes back in RunTask's `failures`.
 */
import type { OneOffTaskRecord, TaskScript } from '../model';
import type { Simulation } from './engine';
import { RUNNING_AFTER, TIMINGS } from './timings';

/** Emulated seconds between StopTask and STOPPED (the container exits on SIGTERM). */
export const STOP_GRACE_SECONDS = 2;
/** Exit code of a container stopped by SIGTERM (128 + 15). */
export const SIGTERM_EXIT_CODE = 143;

/** The next script (a FIFO the control API fills), or the defaults. */
export function takeScript(scripts: TaskScript[]): TaskScript {
  const script = scripts[0];
  if (!script) return {};
  const left = (script.times ?? 1) - 1;
  if (left <= 0) scripts.shift();
  else scripts[0] = { ...script, times: left };
  return script;
}

export function checkScript(script: TaskScript): void {
  if (script.exitCode !== undefined && (!Number.isInteger(script.exitCode) || script.exitCode < 0 || script.exitCode > 255)) throw new Error('exitCode must be a whole number from 0 to 255');
  if (script.durationSeconds !== undefined && !(script.durationSeconds >= 0)) throw new Error('durationSeconds must be zero or more');
  if (script.logLines !== undefined && !Array.isArray(script.logLines)) throw new Error('logLines must be an array of strings');
  if (script.times !== undefined && (!Number.isInteger(script.times) || script.times < 1)) throw new Error('times must be a positive integer');
}

export interface OneOffTimeline {
  readonly runningAt?: number;
  readonly stoppedAt: number;
  /** The container's exit code once STOPPED (none when it never started). */
  readonly exitCode?: number;
  readonly stopCode: 'TaskFailedToStart' | 'EssentialContainerExited' | 'UserInitiated';
  readonly stoppedReason: string;
}

export function oneOffTimeline(sim: Simulation, task: OneOffTaskRecord): OneOffTimeline {
  const ms = (seconds: number) => sim.clock.ms(seconds);
  const pullEnds = task.createdAt + ms(RUNNING_AFTER);
  const stopAt = task.stopRequestedAt !== undefined ? task.stopRequestedAt + ms(STOP_GRACE_SECONDS) : undefined;
  if (task.failToStart) {
    return { stoppedAt: Math.min(pullEnds, stopAt ?? Infinity), stopCode: 'TaskFailedToStart', stoppedReason: task.failToStart };
  }
  const naturalEnd = pullEnds + ms(task.durationSeconds);
  if (stopAt !== undefined && stopAt < naturalEnd) {
    const started = stopAt > pullEnds;
    return {
      runningAt: started ? pullEnds : undefined,
      stoppedAt: Math.max(stopAt, task.createdAt + ms(TIMINGS.provisioning)),
      exitCode: started ? SIGTERM_EXIT_CODE : undefined,
      stopCode: 'UserInitiated',
      stoppedReason: task.stoppedReason ?? 'Task stopped by user',
    };
  }
  return { runningAt: pullEnds, stoppedAt: naturalEnd, exitCode: task.exitCode, stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' };
}

export function oneOffStatus(sim: Simulation, task: OneOffTaskRecord, now: number): string {
  const timeline = oneOffTimeline(sim, task);
  if (now >= timeline.stoppedAt) return 'STOPPED';
  if (task.stopRequestedAt !== undefined && now >= task.stopRequestedAt) return 'DEACTIVATING';
  if (timeline.runningAt !== undefined && now >= timeline.runningAt) return 'RUNNING';
  return now >= task.createdAt + sim.clock.ms(TIMINGS.provisioning) ? 'PENDING' : 'PROVISIONING';
}

/** The log events the container has written by `now`: one per line, spread over its run. */
export function oneOffLogEvents(sim: Simulation, task: OneOffTaskRecord, now: number): { timestamp: number; message: string }[] {
  const timeline = oneOffTimeline(sim, task);
  if (timeline.runningAt === undefined) return [];
  const step = sim.clock.ms(task.durationSeconds) / Math.max(1, task.logLines.length);
  return task.logLines
    .map((message, index) => ({ timestamp: Math.round(timeline.runningAt! + index * step), message }))
    .filter((event) => event.timestamp <= now && event.timestamp <= timeline.stoppedAt);
}
