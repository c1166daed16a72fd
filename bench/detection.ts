/**
 * Finish detection: how long after CodeDeploy reports a terminal state the release tool reports
 * it, and what the following costs in API calls, on a 10-minute blue/green deployment, against
 * the emulator with realistic latency; beside a fixed 15-second waiter (`aws deploy wait
 * deployment-successful`: GetDeployment every 15 s, at most 120 attempts) on the same deployments.
 *
 * Ten minutes of real time per run is too long for a benchmark, so time is warped: the emulator
 * and the tool share a clock whose sleeps return at once, moving the clock forward instead. Every
 * API call is still a real SDK call over loopback HTTP to the emulator, and it costs latency on the
 * shared clock: half on the way in (the emulator answers as of that moment), half on the way back.
 * Real time spent computing counts too. The emulator runs at one emulated second per second.
 *
 * Scenarios, each on a freshly reset account: the deployment succeeding at its end, and an alarm
 * stopping it (with rollback) at evenly spread moments of its run: rollout, canary, termination
 * wait. The tool is the real `deploy` command (scripts/main.ts); the waiter is handed the same
 * deployment, created by the tool's own planning and creation steps.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CodeDeployClient, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { loadEnvironment, type EnvironmentConfig } from '../config';
import { startEmulator, type EmulatorHandle } from '../emulator';
import type { AwsClients } from '../scripts/aws/clients';
import { main } from '../scripts/main';
import type { Clock, Context } from '../scripts/context';
import { memoryReporter } from '../scripts/cli/output';
import { buildAppSpec } from '../scripts/steps/appspec';
import { createDeployment } from '../scripts/steps/create-deployment';
import { isTerminal } from '../scripts/steps/deployment-state';
import { planRelease } from '../scripts/steps/plan';
import { registerRevision } from '../scripts/steps/register-revision';
import { targetFor } from '../scripts/steps/target';
import { progress, stats, type Stats } from './measure';
import { WAITER_DELAY_SECONDS, WAITER_MAX_ATTEMPTS } from './model';

// ------------------------------------------------------------------ a clock whose sleeps are instant

/** Wall clock plus the time skipped so far; sleeps skip ahead, firing scheduled actions on the way. */
export class WarpClock implements Clock {
  private skipped = 0;
  private readonly scheduled: { at: number; action: () => void }[] = [];

  readonly now = (): number => Date.now() + this.skipped;

  /** Run `action` when the clock passes `at`. */
  schedule(at: number, action: () => void): void {
    this.scheduled.push({ at, action });
    this.scheduled.sort((a, b) => a.at - b.at);
  }

  /** Drop what is scheduled and not yet run (a run that ended early). */
  clearScheduled(): void {
    this.scheduled.length = 0;
  }

  /** Move the clock forward to `at` (never back), running what is scheduled on the way. */
  advanceTo(at: number): void {
    while (this.scheduled.length > 0 && this.scheduled[0].at <= at) {
      const next = this.scheduled.shift() as { at: number; action: () => void };
      if (next.at > this.now()) this.skipped = next.at - Date.now();
      next.action();
    }
    if (at > this.now()) this.skipped = at - Date.now();
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    this.advanceTo(this.now() + ms);
    // Let sockets and timers run, as a real sleep would.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

// ------------------------------------------------------------------ clients with latency, counting calls

/** Deterministic latencies: uniform between `min` and `max` ms (a fixed-seed LCG). */
export function latencySource(min: number, max: number, seed = 1): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return min + (state / 2 ** 32) * (max - min);
  };
}

export interface CallRecord {
  readonly operation: string;
  /** Clock time the request reached the endpoint. */
  readonly at: number;
}

interface Sender {
  send(command: unknown): Promise<unknown>;
}

/**
 * Real SDK clients for the emulator whose `send` costs latency on `clock` (half before the request
 * is sent, half after the answer) and is recorded. Calls in flight together share their latency.
 */
function clientsWithLatency(aws: EmulatorHandle, clock: WarpClock, latency: () => number, calls: CallRecord[], onCall: (operation: string) => void): AwsClients {
  const config = { endpoint: aws.url, region: aws.region, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, maxAttempts: 6 };
  const wrap = <T extends object>(client: T): T =>
    new Proxy(client, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return async (command: unknown) => {
          const operation = (command as { constructor: { name: string } }).constructor.name.replace(/Command$/, '');
          const started = clock.now();
          const total = latency();
          clock.advanceTo(started + total / 2);
          calls.push({ operation, at: clock.now() });
          const answer = await (target as unknown as Sender).send(command);
          clock.advanceTo(started + total);
          onCall(operation);
          return answer;
        };
      },
    });
  return {
    ecs: wrap(new ECSClient(config)),
    codeDeploy: wrap(new CodeDeployClient(config)),
    ecr: wrap(new ECRClient(config)),
    elbv2: wrap(new ElasticLoadBalancingV2Client(config)),
    autoScaling: wrap(new ApplicationAutoScalingClient(config)),
    logs: wrap(new CloudWatchLogsClient(config)),
  };
}

// ------------------------------------------------------------------ the deployment

const ENV = 'dev';
const TAG = 'v1.1.0';

/** dev's names and service with a 10-minute shape: canary 10 % for 4 min, old tasks kept 5 min. */
export function tenMinuteEnvironment(): EnvironmentConfig {
  const dev = loadEnvironment(ENV, { offline: true });
  return {
    ...dev,
    services: dev.services.map((service) => ({
      ...service,
      release: { ...service.release, deploymentConfig: { type: 'canary' as const, percentage: 10, intervalMinutes: 4 }, terminationWaitMinutes: 5 },
    })),
  };
}

export interface RunResult {
  readonly scenario: string;
  /** Seconds after CreateDeployment that the alarm fired, if one did. */
  readonly alarmAfterSeconds?: number;
  readonly terminalStatus: string;
  /** Seconds from CreateDeployment to the terminal state CodeDeploy reports. */
  readonly terminalAfterSeconds: number;
  /** Milliseconds from the terminal state to the poller reporting it. */
  readonly detectionMs: number;
  /** Calls from CreateDeployment to the terminal state seen (the follow loop). */
  readonly followCalls: number;
  /** Calls of the whole run (for the tool: preflight, follow, rollback follow, verdict). */
  readonly calls: number;
  readonly callsByOperation: Record<string, number>;
  /** Most calls in any one second of the follow. */
  readonly peakCallsPerSecond: number;
}

interface Harness {
  readonly aws: EmulatorHandle;
  /** One clock for the emulator and every run: it only ever moves forward. */
  readonly clock: WarpClock;
  readonly latency: () => number;
}

/** Trips the group's alarm and notes when: the emulator dates the stop to its last one-second step, but reads see it from now on. */
function alarmAction(harness: Harness, environment: EnvironmentConfig, alarm: { trippedAt?: number }): () => void {
  const names = targetFor(environment, environment.services[0]).names;
  return () => {
    alarm.trippedAt = harness.clock.now();
    harness.aws.tripAlarm({ applicationName: names.codeDeployApplication, deploymentGroupName: names.deploymentGroup });
  };
}

function peakPerSecond(calls: readonly CallRecord[]): number {
  let peak = 0;
  for (let i = 0, j = 0; j < calls.length; j += 1) {
    while (calls[j].at - calls[i].at >= 1000) i += 1;
    peak = Math.max(peak, j - i + 1);
  }
  return peak;
}

function summarise(
  scenario: string,
  alarm: { afterSeconds?: number; trippedAt?: number },
  calls: CallRecord[],
  created: number,
  deploymentId: string,
  aws: EmulatorHandle,
  reportedAt: number | undefined,
): RunResult {
  const record = aws.emulator.sim.world.deployments.find((deployment) => deployment.id === deploymentId);
  if (!record?.completeTime || reportedAt === undefined) throw new Error(`${scenario}: deployment ${deploymentId} did not end, or its end was not reported`);
  if (alarm.afterSeconds !== undefined && (alarm.trippedAt === undefined || record.status !== 'Stopped')) {
    throw new Error(`${scenario}: the alarm did not stop the deployment (${record.status})`);
  }
  // Reads show the terminal state from this moment on.
  const terminalAt = Math.max(record.completeTime, alarm.trippedAt ?? 0);
  const follow = calls.filter((call) => call.at > created && call.at <= reportedAt);
  const callsByOperation: Record<string, number> = {};
  for (const call of calls) callsByOperation[call.operation] = (callsByOperation[call.operation] ?? 0) + 1;
  return {
    scenario,
    alarmAfterSeconds: alarm.afterSeconds,
    terminalStatus: record.status,
    terminalAfterSeconds: (terminalAt - created) / 1000,
    detectionMs: reportedAt - terminalAt,
    followCalls: follow.length,
    calls: calls.length,
    callsByOperation,
    peakCallsPerSecond: peakPerSecond(follow),
  };
}

/** The real `deploy` command, following to the end; detection is when it prints the terminal status. */
async function runTool(harness: Harness, environment: EnvironmentConfig, scenario: string, alarmAfterSeconds?: number): Promise<RunResult> {
  const { aws } = harness;
  const { clock } = harness;
  aws.reset();
  clock.clearScheduled();
  const calls: CallRecord[] = [];
  let created = 0;
  const alarm: { afterSeconds?: number; trippedAt?: number } = { afterSeconds: alarmAfterSeconds };
  const clients = clientsWithLatency(aws, clock, harness.latency, calls, (operation) => {
    if (operation !== 'CreateDeployment') return;
    created = clock.now();
    if (alarmAfterSeconds !== undefined) clock.schedule(created + alarmAfterSeconds * 1000, alarmAction(harness, environment, alarm));
  });
  let deploymentId = '';
  let reportedAt: number | undefined;
  const stdout = (text: string) => {
    for (const line of text.split('\n')) {
      deploymentId ||= /^deployment (d-\w+) created/.exec(line)?.[1] ?? '';
      if (deploymentId && reportedAt === undefined && new RegExp(`^deployment ${deploymentId}: (Succeeded|Failed|Stopped)$`).test(line)) reportedAt = clock.now();
    }
  };
  const output: string[] = [];
  const code = await main(['deploy', '--env', ENV, '--tag', TAG], {
    streams: { stdout: (text) => (output.push(text), stdout(text)), stderr: (text) => output.push(text) },
    env: {},
    interrupts: { signal: new AbortController().signal },
    clients: async () => clients,
    clock,
    fetch: globalThis.fetch,
  });
  const expected = alarmAfterSeconds === undefined ? 0 : 1;
  if (code !== expected) throw new Error(`${scenario}: the tool exited ${code}, expected ${expected}:\n${output.join('')}`);
  return summarise(scenario, alarm, calls, created, deploymentId, aws, reportedAt);
}

/** The same deployment, created by the tool's own steps, then watched by the fixed 15-second waiter. */
async function runWaiter(harness: Harness, environment: EnvironmentConfig, scenario: string, alarmAfterSeconds?: number): Promise<RunResult> {
  const { aws } = harness;
  const { clock } = harness;
  aws.reset();
  clock.clearScheduled();
  const calls: CallRecord[] = [];
  const clients = clientsWithLatency(aws, clock, harness.latency, calls, () => undefined);
  const context: Context = { clients, clock, out: memoryReporter(), env: {}, interrupts: { signal: new AbortController().signal }, fetch: globalThis.fetch };
  const target = targetFor(loadEnvironment(ENV), loadEnvironment(ENV).services[0]);
  const plan = await planRelease(context, target, { tag: TAG });
  const arn = await registerRevision(context, plan.registration);
  const deploymentId = await createDeployment(context, target, { appSpec: buildAppSpec(plan.service, arn, target.service.release.lifecycleHooks), ifActive: 'fail' });
  const created = clock.now();
  const followFrom = calls.length;
  const alarm: { afterSeconds?: number; trippedAt?: number } = { afterSeconds: alarmAfterSeconds };
  if (alarmAfterSeconds !== undefined) clock.schedule(created + alarmAfterSeconds * 1000, alarmAction(harness, environment, alarm));
  let reportedAt: number | undefined;
  for (let attempt = 1; attempt <= WAITER_MAX_ATTEMPTS; attempt += 1) {
    const found = await clients.codeDeploy.send(new GetDeploymentCommand({ deploymentId }));
    if (isTerminal(found.deploymentInfo?.status ?? '')) {
      reportedAt = clock.now();
      break;
    }
    await clock.sleep(WAITER_DELAY_SECONDS * 1000);
  }
  return summarise(scenario, alarm, calls.slice(followFrom), created, deploymentId, aws, reportedAt);
}

// ------------------------------------------------------------------ the benchmark

export interface DetectionResults {
  readonly latencyMs: { min: number; max: number };
  readonly deployment: string;
  /** Seconds from CreateDeployment to Succeeded, undisturbed. */
  readonly durationSeconds: number;
  readonly tool: RunResult[];
  readonly waiter: RunResult[];
  readonly toolDetection: Stats;
  readonly waiterDetection: Stats;
}

/**
 * `alarms` runs with an alarm at (k + 0.5) / alarms of the undisturbed duration, k = 0 … alarms-1,
 * plus the undisturbed run itself.
 */
export async function benchDetection(alarms: number, latencyMs = { min: 40, max: 120 }): Promise<DetectionResults> {
  const environment = tenMinuteEnvironment();
  const clock = new WarpClock();
  const aws = await startEmulator({ environments: [environment], timeScale: 1000, replacementTimeoutMinutes: 5, now: clock.now });
  const harness: Harness = { aws, clock, latency: latencySource(latencyMs.min, latencyMs.max) };
  try {
    progress('detection: tool, undisturbed 10-minute deployment');
    const undisturbed = await runTool(harness, environment, 'succeeds');
    const duration = undisturbed.terminalAfterSeconds;
    const moments = Array.from({ length: alarms }, (_, k) => Math.round(((k + 0.5) / alarms) * duration));
    const tool = [undisturbed];
    for (const at of moments) {
      progress(`detection: tool, alarm after ${at} s`);
      tool.push(await runTool(harness, environment, `alarm at ${at} s`, at));
    }
    const waiter: RunResult[] = [];
    progress('detection: 15 s waiter, undisturbed');
    waiter.push(await runWaiter(harness, environment, 'succeeds'));
    for (const at of moments) {
      progress(`detection: 15 s waiter, alarm after ${at} s`);
      waiter.push(await runWaiter(harness, environment, `alarm at ${at} s`, at));
    }
    return {
      latencyMs,
      deployment: 'dev names, canary 10 % for 4 min, all traffic, old tasks kept 5 min',
      durationSeconds: duration,
      tool,
      waiter,
      toolDetection: stats(tool.map((run) => run.detectionMs)),
      waiterDetection: stats(waiter.map((run) => run.detectionMs)),
    };
  } finally {
    await aws.close();
  }
}
