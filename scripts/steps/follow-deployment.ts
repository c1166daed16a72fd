/**
 * Follow a CodeDeploy deployment to its end, printing each change once: status, lifecycle
 * events, the traffic split, replacement task counts, and, while CodeDeploy waits for approval
 * or keeps the old tasks, until when and which command ends the wait.
 */
import { pollIntervalMs, type Context, type ProgressUpdate } from '../context';
import { DeploymentReader, isTerminal, type DeploymentSnapshot, type LifecycleEventState, type TaskSetState } from './deployment-state';
import { commandLine, type ReleaseTarget } from './target';

export interface Waits {
  /** Minutes CodeDeploy waits in Ready for `approve`; undefined when it shifts at once. */
  readonly approvalWaitMinutes?: number;
  /** Minutes the old task set is kept after traffic moved. */
  readonly terminationWaitMinutes: number;
}

export interface FollowOptions {
  readonly target: ReleaseTarget;
  readonly deploymentId: string;
  /** The group's waits; the deployment's own copy, when present, wins. */
  readonly waits?: Waits;
  /** Give up (`timeout`) at this clock time. */
  readonly deadline?: number;
  /** End (`interrupted`) when the interrupt signal fires; false while a stop settles. */
  readonly interruptible: boolean;
  /** Called once when the deployment reaches Ready (waiting for approval). */
  readonly onReady?: (snapshot: DeploymentSnapshot) => Promise<void>;
  /** Label for progress lines, e.g. "rollback". */
  readonly label?: string;
  /** Continue an earlier narration, so nothing already said is repeated. */
  readonly narrator?: DeploymentNarrator;
  /** What an interrupt would do in this state, when it differs from what was said before following. */
  readonly describeInterrupt?: (snapshot: DeploymentSnapshot) => string | undefined;
}

export interface FollowResult {
  readonly ending: 'finished' | 'interrupted' | 'timeout';
  readonly last: DeploymentSnapshot;
}

/** `HH:MM UTC`. */
export function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

function latestEnd(events: readonly LifecycleEventState[], names?: readonly string[]): number | undefined {
  const ends = events
    .filter((event) => event.status === 'Succeeded' && event.endTime && (!names || names.includes(event.name)))
    .map((event) => (event.endTime as Date).getTime());
  return ends.length ? Math.max(...ends) : undefined;
}

/** The deployment's own blue/green settings, falling back to the group's. */
export function effectiveWaits(snapshot: DeploymentSnapshot, fallback?: Waits): Waits {
  const config = snapshot.info.blueGreenDeploymentConfiguration;
  const ready = config?.deploymentReadyOption;
  const termination = config?.terminateBlueInstancesOnDeploymentSuccess?.terminationWaitTimeInMinutes;
  return {
    approvalWaitMinutes: ready
      ? ready.actionOnTimeout === 'STOP_DEPLOYMENT'
        ? (ready.waitTimeInMinutes ?? 0)
        : undefined
      : fallback?.approvalWaitMinutes,
    terminationWaitMinutes: termination ?? fallback?.terminationWaitMinutes ?? 0,
  };
}

export type WaitKind = 'approval' | 'termination';

export interface WaitWindow {
  readonly kind: WaitKind;
  readonly until: number;
  readonly minutes: number;
}

/**
 * The wait CodeDeploy is in, with its end: approval waits count from the end of the last
 * finished lifecycle event (when the replacement became ready), termination waits from the end
 * of AfterAllowTraffic/AllowTraffic (when traffic finished moving).
 */
export function currentWait(snapshot: DeploymentSnapshot, waits: Waits, firstSeen: number): WaitWindow | undefined {
  if (snapshot.status === 'Ready' && waits.approvalWaitMinutes !== undefined) {
    const start = latestEnd(snapshot.events) ?? firstSeen;
    return { kind: 'approval', until: start + waits.approvalWaitMinutes * 60_000, minutes: waits.approvalWaitMinutes };
  }
  if (snapshot.info.instanceTerminationWaitTimeStarted && !isTerminal(snapshot.status)) {
    const start = latestEnd(snapshot.events, ['AfterAllowTraffic', 'AllowTraffic']) ?? firstSeen;
    return { kind: 'termination', until: start + waits.terminationWaitMinutes * 60_000, minutes: waits.terminationWaitMinutes };
  }
  return undefined;
}

/**
 * CodeDeploy labels the task set serving when a deployment starts `Blue` and the one it starts
 * `Green`, whichever target group each sits on (and in a rollback deployment the replacement is
 * the previous version). Saying "original" and "replacement", with the target group, reads right
 * in every case.
 */
export function trafficLine(snapshot: DeploymentSnapshot): string | undefined {
  const original = snapshot.taskSets.find((taskSet) => taskSet.label.toLowerCase() === 'blue');
  const replacement = snapshot.taskSets.find((taskSet) => taskSet.label.toLowerCase() === 'green');
  if (!original && !replacement) return undefined;
  const share = (role: string, taskSet: TaskSetState | undefined) =>
    `${role} ${Math.round(taskSet?.trafficWeight ?? 0)}%${taskSet?.targetGroup ? ` (${taskSet.targetGroup})` : ''}`;
  return `traffic: ${share('original', original)} → ${share('replacement', replacement)}`;
}

export function replacementLine(snapshot: DeploymentSnapshot): string | undefined {
  const green = snapshot.taskSets.find((taskSet) => taskSet.label.toLowerCase() === 'green');
  if (!green) return undefined;
  return `replacement tasks: ${green.running}/${green.desired} running${green.pending ? `, ${green.pending} pending` : ''}`;
}

/** A deployment's row in the live table: status (and wait), traffic on the replacement, its tasks. */
export function progressOf(snapshot: DeploymentSnapshot, wait: WaitWindow | undefined, label = ''): ProgressUpdate {
  const replacement = snapshot.taskSets.find((taskSet) => taskSet.label.toLowerCase() === 'green');
  const status = wait ? `${snapshot.status} (${wait.kind} wait)` : snapshot.status;
  return {
    phase: label ? `${label} ${status}` : status,
    ...(replacement ? { traffic: Math.round(replacement.trafficWeight), tasks: `${replacement.running}/${replacement.desired}` } : {}),
  };
}

/** Prints what changed since the last snapshot, and nothing else. */
export class DeploymentNarrator {
  private readonly seen = new Set<string>();
  private firstSeen = new Map<string, number>();

  constructor(
    private readonly context: Context,
    private readonly target: ReleaseTarget,
    private readonly fallbackWaits: Waits | undefined,
    private readonly label = '',
  ) {}

  private once(key: string, text: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    this.context.out.line(this.label ? `${this.label}: ${text}` : text);
    return true;
  }

  /** Returns true when anything new was printed. */
  report(snapshot: DeploymentSnapshot): boolean {
    let changed = this.once(`status:${snapshot.status}`, `deployment ${snapshot.id}: ${snapshot.status}`);
    for (const event of snapshot.events) {
      if (event.status === 'Pending') continue;
      changed = this.once(`event:${event.name}:${event.status}`, `  ${event.name}: ${event.status}`) || changed;
    }
    const traffic = trafficLine(snapshot);
    if (traffic) changed = this.once(`traffic:${traffic}`, traffic) || changed;
    const replacement = replacementLine(snapshot);
    if (replacement) changed = this.once(`tasks:${replacement}`, replacement) || changed;
    const wait = this.wait(snapshot);
    if (wait) changed = this.once(`wait:${wait.kind}`, this.explain(wait)) || changed;
    this.context.progress?.update(progressOf(snapshot, wait, this.label));
    return changed;
  }

  wait(snapshot: DeploymentSnapshot): WaitWindow | undefined {
    const key = snapshot.status === 'Ready' ? 'approval' : 'termination';
    if (!this.firstSeen.has(key)) this.firstSeen.set(key, this.context.clock.now());
    const window = currentWait(snapshot, effectiveWaits(snapshot, this.fallbackWaits), this.firstSeen.get(key) as number);
    if (!window) this.firstSeen.delete(key);
    return window;
  }

  private explain(wait: WaitWindow): string {
    if (wait.kind === 'approval') {
      return `waiting for approval until ${clockTime(wait.until)} (${wait.minutes} min); run: ${commandLine('approve', this.target)} (or stop: ${commandLine('stop', this.target)})`;
    }
    return `traffic shifted; old tasks kept for rollback until ${clockTime(wait.until)} (${wait.minutes} min); end early: ${commandLine('finish', this.target)}; roll back: ${commandLine('rollback', this.target)}`;
  }
}

/**
 * The schedule of the targets' reads (and, in a wait, of every read): the base interval
 * (`ECS_BG_POLL_MS`, 2 s) around transitions; while nothing changes it grows, to 3× the base
 * (6 s) outside the waits and 7.5× (15 s) in approval and termination waits, but always wakes at
 * a wait's end.
 */
export function nextInterval(current: number, base: number, changed: boolean, wait: WaitWindow | undefined, now: number): number {
  if (changed) return base;
  const ceiling = wait ? base * 7.5 : base * 3;
  let next = Math.min(current * 1.5, ceiling);
  if (wait) next = Math.max(base, Math.min(next, wait.until - now));
  return next;
}

/**
 * The status is read every base interval (2 s) except in the approval wait, so a deployment's end
 * (success, a failure, an alarm's rollback, also in the termination wait) is seen within 2 s, for
 * one GetDeployment; the targets, which only feed the progress lines, follow `nextInterval` (and
 * cannot change during a wait). In the approval wait nothing moves until someone approves or the
 * wait runs out at a known time, so the status follows `nextInterval` there too. Per release that
 * is at most one GetDeployment every 2 s plus one target read every 2-6 s.
 */
export function nextPoll(targetsInterval: number, base: number, wait: WaitWindow | undefined): number {
  return wait?.kind === 'approval' ? targetsInterval : base;
}

/** A deployment no read has answered for yet. */
function notYetRead(deploymentId: string): DeploymentSnapshot {
  return { id: deploymentId, status: 'Unknown', info: { deploymentId }, events: [], taskSets: [] };
}

/**
 * `read`, or undefined when `deadline` passes first: the read is then abandoned (its requests
 * aborted, its answer ignored). Bounded by real time, as an injected clock cannot interrupt a call
 * that is still under way.
 */
export async function readBefore<T>(context: Context, deadline: number | undefined, read: (abortSignal: AbortSignal | undefined) => Promise<T>): Promise<T | undefined> {
  if (deadline === undefined) return read(undefined);
  const abandon = new AbortController();
  const reading = read(abandon.signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - context.clock.now()));
  });
  try {
    const first = await Promise.race([reading.then((value) => ({ value })), late]);
    if (first) return first.value;
    abandon.abort();
    reading.catch(() => undefined);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

export async function followDeployment(context: Context, options: FollowOptions): Promise<FollowResult> {
  const reader = new DeploymentReader(context, options.deploymentId);
  const narrator = options.narrator ?? new DeploymentNarrator(context, options.target, options.waits, options.label);
  const base = pollIntervalMs(context.env);
  const { signal } = context.interrupts;
  let targetsInterval = base;
  let targetsReadAt = -Infinity;
  let readyHandled = false;
  const interruptPlan = context.interrupts.onInterrupt;
  for (;;) {
    const readAt = context.clock.now();
    // An interrupt that arrives while this read is under way is acted on after the next read: this
    // one may show the deployment as it was before (traffic still moving, when it has moved since).
    const interruptedBeforeRead = signal.aborted;
    // With several services the targets are read less often (batched-calls.ts): the status, read in batches, still ends the wait.
    const targetsDue = readAt - targetsReadAt >= Math.max(targetsInterval, context.batch?.targetsIntervalMs ?? 0);
    const snapshot = await readBefore(context, options.deadline, (abortSignal) => reader.read({ targets: targetsDue, abortSignal }));
    // --timeout elapsed while AWS was slow to answer (throttling and the SDK's backoff): end now,
    // on what was last known, instead of after the retries.
    if (snapshot === undefined) return { ending: 'timeout', last: reader.latest ?? notYetRead(options.deploymentId) };
    if (reader.lastReadIncludedTargets) targetsReadAt = readAt;
    const changed = narrator.report(snapshot);
    if (options.describeInterrupt) context.interrupts.onInterrupt = options.describeInterrupt(snapshot) ?? interruptPlan;
    if (isTerminal(snapshot.status)) return { ending: 'finished', last: snapshot };
    // Checked on a snapshot read after the interrupt or the deadline, never on one from before the
    // sleep: the deployment may have moved on meanwhile (into the termination wait, or to its end),
    // and what the caller does next (stop with rollback, or leave it) depends on where it is now.
    if (options.interruptible && interruptedBeforeRead) return { ending: 'interrupted', last: snapshot };
    if (options.deadline !== undefined && context.clock.now() >= options.deadline) return { ending: 'timeout', last: snapshot };
    if (snapshot.status === 'Ready' && options.onReady && !readyHandled && !signal.aborted) {
      readyHandled = true;
      await options.onReady(snapshot);
      targetsInterval = base;
      targetsReadAt = -Infinity;
      continue;
    }
    const now = context.clock.now();
    const wait = narrator.wait(snapshot);
    targetsInterval = nextInterval(targetsInterval, base, changed, wait, now);
    const interval = nextPoll(targetsInterval, base, wait);
    const untilDeadline = options.deadline !== undefined ? Math.max(0, options.deadline - now) : interval;
    await context.clock.sleep(Math.min(interval, untilDeadline), options.interruptible ? signal : undefined);
  }
}
