/**
 * One-off tasks, shared by `run` and `deploy --migrate`: build the RunTask request from the live
 * service (its subnets, security groups, platform and capacity, as the AppSpec takes them), start
 * the task with only the container's command overridden, stream its log lines from CloudWatch Logs
 * while it runs, and wait for it to stop. Ctrl-C and the deadline stop it (StopTask with a reason)
 * and still wait for STOPPED, so nothing is left running behind the tool's back.
 */
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand, type RunTaskCommandInput, type Service, type Task, type TaskDefinition } from '@aws-sdk/client-ecs';
import { hasName, toReleaseError } from '../aws/errors';
import { ReleaseError } from '../cli/errors';
import { pollIntervalMs, type Context } from '../context';
import { primaryTaskSet } from './appspec';
import { findContainer } from './container-definitions';
import { SETTLE_LIMIT_MS } from './settle';
import type { ReleaseTarget } from './target';

/** `startedBy` on every task this tool runs (ECS allows 128 characters), so they can be listed. */
export const STARTED_BY = 'ecs-bg-run';

/** The RunTask request: the live service's network and capacity, the revision, the command. */
export function runTaskInput(target: ReleaseTarget, service: Service, taskDefinitionArn: string, command: readonly string[]): RunTaskCommandInput {
  const live = primaryTaskSet(service);
  const network = (live?.networkConfiguration ?? service.networkConfiguration)?.awsvpcConfiguration;
  const capacity = live?.capacityProviderStrategy ?? service.capacityProviderStrategy;
  const platformVersion = live?.platformVersion ?? service.platformVersion;
  return {
    cluster: target.cluster,
    taskDefinition: taskDefinitionArn,
    count: 1,
    ...(capacity?.length ? { capacityProviderStrategy: capacity } : { launchType: 'FARGATE' }),
    ...(platformVersion ? { platformVersion } : {}),
    networkConfiguration: network ? { awsvpcConfiguration: network } : undefined,
    overrides: { containerOverrides: [{ name: target.service.containerName, command: [...command] }] },
    startedBy: STARTED_BY,
  };
}

/** Where the awslogs driver writes the container's lines: `prefix/container/taskId` in the group. */
export interface LogLocation {
  readonly group: string;
  readonly prefix: string;
  readonly container: string;
}

export function logLocation(taskDefinition: Pick<TaskDefinition, 'containerDefinitions' | 'family'>, container: string): LogLocation | undefined {
  const definition = findContainer(taskDefinition.containerDefinitions ?? [], container, `a revision of ${taskDefinition.family}`);
  const options = definition.logConfiguration?.logDriver === 'awslogs' ? definition.logConfiguration.options : undefined;
  const group = options?.['awslogs-group'];
  const prefix = options?.['awslogs-stream-prefix'];
  return group && prefix ? { group, prefix, container } : undefined;
}

export function taskId(taskArn: string): string {
  return taskArn.split('/').pop() as string;
}

/** The task did not start, or RunTask placed nothing: the AWS reason. */
export class TaskStartFailure extends Error {
  constructor(
    readonly reason: string,
    readonly taskArn?: string,
  ) {
    super(reason);
    this.name = 'TaskStartFailure';
  }
}

export async function startTask(context: Context, input: RunTaskCommandInput): Promise<string> {
  const answer = await context.clients.ecs.send(new RunTaskCommand(input));
  const task = answer.tasks?.[0];
  if (!task?.taskArn) {
    const failure = answer.failures?.[0];
    throw new TaskStartFailure(failure ? [failure.reason, failure.detail].filter(Boolean).join(': ') : 'RunTask started no task and named no failure');
  }
  return task.taskArn;
}

/** Reads a stream from where it left off; a stream not created yet (the container has not started) is simply empty. */
export class LogFollower {
  private token: string | undefined;
  readonly lines: string[] = [];

  constructor(
    private readonly context: Context,
    private readonly group: string,
    private readonly stream: string,
    private readonly print: (line: string) => void,
  ) {}

  async read(): Promise<void> {
    for (;;) {
      let page;
      try {
        page = await this.context.clients.logs.send(new GetLogEventsCommand({ logGroupName: this.group, logStreamName: this.stream, startFromHead: true, nextToken: this.token }));
      } catch (error) {
        if (hasName(error, 'ResourceNotFoundException')) return;
        throw error;
      }
      for (const event of page.events ?? []) {
        const line = (event.message ?? '').replace(/\n$/, '');
        this.lines.push(line);
        this.print(line);
      }
      // The same token back means the end of the stream for now (CloudWatch Logs API reference).
      const done = !page.nextForwardToken || page.nextForwardToken === this.token || (page.events ?? []).length === 0;
      this.token = page.nextForwardToken ?? this.token;
      if (done) return;
    }
  }
}

export type TaskEnding = 'stopped' | 'interrupted' | 'timeout';

export interface FollowedTask {
  readonly ending: TaskEnding;
  /** The task as last described (STOPPED unless the stop could not be confirmed in time). */
  readonly task: Task;
  readonly lines: readonly string[];
}

async function describeTask(context: Context, cluster: string, taskArn: string): Promise<Task> {
  const answer = await context.clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
  const task = answer.tasks?.[0];
  if (!task) throw new Error(`task ${taskId(taskArn)} is not known to cluster ${cluster}: ${answer.failures?.[0]?.reason ?? 'MISSING'}`);
  return task;
}

export interface FollowTaskOptions {
  readonly cluster: string;
  readonly taskArn: string;
  readonly logs?: LogLocation;
  /** Clock time at which the task is stopped. */
  readonly deadline?: number;
  /** Each log line as it arrives. */
  readonly print: (line: string) => void;
  /** Says what is running, for Ctrl-C pressed twice and StopTask's reason. */
  readonly what: string;
}

/** Follow the task to STOPPED, printing its lines; on Ctrl-C or the deadline stop it and wait. */
export async function followTask(context: Context, options: FollowTaskOptions): Promise<FollowedTask> {
  const { cluster, taskArn } = options;
  const id = taskId(taskArn);
  const follower = options.logs ? new LogFollower(context, options.logs.group, `${options.logs.prefix}/${options.logs.container}/${id}`, options.print) : undefined;
  const base = pollIntervalMs(context.env);
  const { signal } = context.interrupts;
  context.interrupts.onInterrupt ??= `stopping task ${id} (StopTask) and waiting until it has stopped`;
  let ending: TaskEnding = 'stopped';
  let lastStatus: string | undefined;
  let stopDeadline: number | undefined;
  for (;;) {
    const task = await describeTask(context, cluster, taskArn);
    if (task.lastStatus !== lastStatus) {
      lastStatus = task.lastStatus;
      context.out.line(`task ${id}: ${lastStatus}`);
    }
    await follower?.read();
    if (task.lastStatus === 'STOPPED') {
      // The last lines can land after the status changes: one more read.
      await follower?.read();
      return { ending, task, lines: follower?.lines ?? [] };
    }
    const now = context.clock.now();
    if (ending === 'stopped' && (signal.aborted || (options.deadline !== undefined && now >= options.deadline))) {
      ending = signal.aborted ? 'interrupted' : 'timeout';
      const reason = `${ending === 'interrupted' ? 'Interrupted' : 'Timed out'}: stopped by npm run deploy (${options.what})`;
      context.interrupts.stoppingMessage = `still stopping task ${id}; waiting for it to stop`;
      context.out.line(`${ending === 'interrupted' ? 'interrupted' : 'timed out'}: stopping task ${id}`);
      await context.clients.ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason }));
      stopDeadline = now + SETTLE_LIMIT_MS;
    }
    if (stopDeadline !== undefined && now >= stopDeadline) return { ending, task, lines: follower?.lines ?? [] };
    const sleepFor = ending === 'stopped' && options.deadline !== undefined ? Math.min(base, Math.max(0, options.deadline - now)) : base;
    await context.clock.sleep(sleepFor, ending === 'stopped' ? signal : undefined);
  }
}

/** What happened to the task, from its STOPPED description. */
export interface TaskOutcome {
  /** The container ran and exited with this code. */
  readonly exitCode?: number;
  /** It never ran: the AWS reason (image pull, capacity, ...). */
  readonly failedToStart?: string;
}

export function taskOutcome(task: Task, container: string): TaskOutcome {
  const main = task.containers?.find((candidate) => candidate.name === container);
  if (main?.exitCode !== undefined && main.exitCode !== null) return { exitCode: main.exitCode };
  if (task.stopCode === 'TaskFailedToStart' || task.lastStatus === 'STOPPED') {
    return { failedToStart: [...new Set([task.stoppedReason, main?.reason].filter(Boolean))].join('; ') || 'the task stopped before its container ran' };
  }
  return {};
}

/** A one-off task run to its end: its id, how following it ended, and what it did. */
export interface CompletedTask {
  readonly taskArn?: string;
  readonly ending: TaskEnding;
  readonly outcome: TaskOutcome;
  readonly lines: readonly string[];
}

/**
 * Start a task of `taskDefinition` and follow it to its end. A task RunTask could not place is a
 * start failure like one that stopped before running. An AWS error after the start says which
 * task may still be running.
 */
export async function runToCompletion(
  context: Context,
  input: RunTaskCommandInput,
  options: Omit<FollowTaskOptions, 'cluster' | 'taskArn'> & { readonly container: string },
): Promise<CompletedTask> {
  // Ctrl-C before the start: nothing to stop, so nothing is started.
  if (context.interrupts.signal.aborted) return { ending: 'interrupted', outcome: {}, lines: [] };
  let taskArn: string;
  try {
    taskArn = await startTask(context, input);
  } catch (error) {
    if (error instanceof TaskStartFailure) return { ending: 'stopped', outcome: { failedToStart: error.reason }, lines: [] };
    throw error;
  }
  context.out.line(`task ${taskId(taskArn)} started (${options.what})`);
  try {
    const followed = await followTask(context, { ...options, cluster: input.cluster as string, taskArn });
    return { taskArn, ending: followed.ending, outcome: taskOutcome(followed.task, options.container), lines: followed.lines };
  } catch (error) {
    const released = toReleaseError(error);
    throw new ReleaseError(`${released.message}; task ${taskArn} may still be running: aws ecs stop-task --cluster ${String(input.cluster)} --task ${taskId(taskArn)}`, released.exitCode);
  }
}
