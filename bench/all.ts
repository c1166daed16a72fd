/**
 * `deploy --all` at 50 services: wall time against the slowest single deployment plus start-up,
 * and the API calls per minute per API against AWS's published limits.
 *
 * The release tool is the real `deploy` command (scripts/cli/main.ts) with real SDK clients over
 * loopback HTTP to the emulator, seeded with dev as a 50-service fleet (TEST_FLEET, config/fleet.ts:
 * blue/green web services and rolling workers, alternating). Minutes of releases are too long to
 * wait for, so time is virtual: the emulator (one emulated second per second) and the tool share a
 * clock that jumps to the next sleeper's wake-up whenever every release is asleep and no call is
 * under way, so concurrent sleeps overlap as they would in real time. Each call also costs
 * `LATENCY_MS` on that clock, half on the way in and half on the way back; real computing time
 * counts too. The tool polls at its default interval (2 s), so the rates are those a real run
 * sends. Runs: `deploy --all`, then on a freshly reset account one single `deploy` of a blue/green
 * service and of a rolling one (the slowest single deployment is the larger of the two).
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { loadEnvironment } from '../config';
import { TEST_FLEET_VARIABLE } from '../config/fleet';
import { startEmulator, type EmulatorHandle } from '../emulator';
import type { AwsClients } from '../scripts/aws/clients';
import { main } from '../scripts/main';
import type { Clock } from '../scripts/context';
import { DEPLOYMENTS_PER_BATCH, REGISTRATION_BURST, REGISTRATIONS_PER_SECOND } from '../scripts/steps/batched-calls';
import { progress } from './measure';

/** Services in the fleet. */
export const FLEET_SIZE = 50;
/** Fleet sizes of the growth rows (`--all` on the first N services of the same fleet). */
export const GROWTH_SIZES = [1, 10, FLEET_SIZE] as const;
/** Latency of one call on the shared clock (loopback answers in about a millisecond; AWS in tens). */
export const LATENCY_MS = 60;
/** The target: `--all` within 1.2× of the slowest single deployment plus start-up. */
export const ALL_TARGET_RATIO = 1.2;

/**
 * A clock for many concurrent sleepers: the wall clock plus the time skipped so far. When every
 * sleeper waits and no call is under way, it jumps to the earliest wake-up.
 */
export class SharedVirtualClock implements Clock {
  private skipped = 0;
  private readonly sleepers = new Set<{ at: number; wake: () => void }>();
  private inFlight = 0;
  private scheduled = false;

  readonly now = (): number => Date.now() + this.skipped;

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = {
        at: this.now() + ms,
        wake: () => {
          this.sleepers.delete(sleeper);
          signal?.removeEventListener('abort', sleeper.wake);
          resolve();
        },
      };
      this.sleepers.add(sleeper);
      signal?.addEventListener('abort', sleeper.wake, { once: true });
      this.schedule();
    });
  }

  /** Runs `call` as a call under way: the clock does not jump meanwhile. */
  async during<T>(call: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    try {
      return await call();
    } finally {
      this.inFlight -= 1;
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // After the callbacks that are ready now have run (a follower reading its answer and going back to sleep).
    setTimeout(() => {
      this.scheduled = false;
      this.jump();
    }, 2);
  }

  private jump(): void {
    if (this.inFlight > 0 || this.sleepers.size === 0) return;
    const next = Math.min(...[...this.sleepers].map((sleeper) => sleeper.at));
    if (next > this.now()) this.skipped += next - this.now();
    for (const sleeper of [...this.sleepers]) if (sleeper.at <= this.now()) sleeper.wake();
    this.schedule();
  }
}

/** One call as the tool sent it, dated on the shared clock. */
export interface SentCall {
  readonly operation: string;
  readonly at: number;
}

/** Real SDK clients for the emulator; each call costs LATENCY_MS on the shared clock and is recorded in `sent`. */
function clientsOn(aws: EmulatorHandle, clock: SharedVirtualClock, sent: SentCall[]): AwsClients {
  const config = { endpoint: aws.url, region: aws.region, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, maxAttempts: 6 };
  const wrap = <T extends object>(client: T): T =>
    new Proxy(client, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return async (command: unknown, options?: unknown) => {
          await clock.sleep(LATENCY_MS / 2);
          sent.push({ operation: (command as { constructor: { name: string } }).constructor.name.replace(/Command$/, ''), at: clock.now() });
          const answer = await clock.during(() => (target as unknown as { send(command: unknown, options?: unknown): Promise<unknown> }).send(command, options));
          await clock.sleep(LATENCY_MS / 2);
          return answer;
        };
      },
    }) as T;
  const clients = {
    ecs: new ECSClient(config),
    codeDeploy: new CodeDeployClient(config),
    ecr: new ECRClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    autoScaling: new ApplicationAutoScalingClient(config),
    logs: new CloudWatchLogsClient(config),
  };
  return Object.fromEntries(Object.entries(clients).map(([name, client]) => [name, wrap(client)])) as unknown as AwsClients;
}

export interface ApiRate {
  readonly operation: string;
  readonly calls: number;
  /** Calls per minute over the run. */
  readonly perMinute: number;
  /** Most calls in any 60 s of the run. */
  readonly peakPerMinute: number;
  /** Most calls in any one second. */
  readonly peakPerSecond: number;
  /** The published limit it is measured against, in calls per minute (sustained), if any. */
  readonly limitPerMinute?: number;
  readonly limit: string;
}

export interface RunMeasure {
  readonly command: string;
  readonly exitCode: number;
  /** Virtual seconds from the command's start to its end. */
  readonly wallSeconds: number;
  /** Seconds from the run's first call until its last deployment (or rollout) was started. */
  readonly lastStartSeconds?: number;
  readonly calls: number;
}

export interface GrowthRow {
  readonly services: number;
  readonly wallSeconds: number;
  readonly calls: number;
  /** All calls per minute over the run, and by service. */
  readonly perMinute: number;
  readonly codeDeployPerMinute: number;
  readonly ecsPerMinute: number;
}

/** The AWS service of an SDK operation, for the growth rows. */
const CODEDEPLOY_OPERATIONS = new Set(['BatchGetDeployments', 'BatchGetDeploymentTargets', 'ListDeploymentTargets', 'CreateDeployment', 'GetDeployment', 'GetDeploymentGroup', 'ListDeployments', 'GetDeploymentConfig', 'StopDeployment', 'ContinueDeployment']);
const ECS_OPERATIONS = new Set(['DescribeServices', 'DescribeTaskDefinition', 'ListTaskDefinitions', 'RegisterTaskDefinition', 'UpdateService']);

function growthRow(services: number, measure: RunMeasure, calls: readonly SentCall[]): GrowthRow {
  const minutes = measure.wallSeconds / 60;
  const rate = (count: number) => +(count / minutes).toFixed(1);
  return {
    services,
    wallSeconds: measure.wallSeconds,
    calls: calls.length,
    perMinute: rate(calls.length),
    codeDeployPerMinute: rate(calls.filter((call) => CODEDEPLOY_OPERATIONS.has(call.operation)).length),
    ecsPerMinute: rate(calls.filter((call) => ECS_OPERATIONS.has(call.operation)).length),
  };
}

export interface AllResults {
  readonly services: number;
  readonly blueGreen: number;
  readonly rolling: number;
  readonly latencyMs: number;
  readonly all: RunMeasure;
  /** The same 50 services 2 at a time, as `--all` ran before this measurement. */
  readonly twoAtATime: RunMeasure;
  readonly singleBlueGreen: RunMeasure;
  readonly singleRolling: RunMeasure;
  /** all.wallSeconds / max(single runs' wall seconds). */
  readonly ratio: number;
  readonly targetRatio: number;
  readonly rates: readonly ApiRate[];
  /** `--all` on 1, 10 and 50 services: wall time and calls per minute. */
  readonly growth: readonly GrowthRow[];
  /** The single blue/green release's calls per minute: what each of 25 would send without shared reads. */
  readonly singleBlueGreenRates: readonly ApiRate[];
  readonly summaryLine: string;
}

/** Published sustained rates (calls per minute) the rates are compared with, with where each comes from. */
const LIMITS: Readonly<Record<string, { perMinute?: number; text: string }>> = {
  DescribeServices: { perMinute: 20 * 60, text: 'ECS service reads: 20/s sustained (Request throttling for the Amazon ECS API)' },
  RegisterTaskDefinition: { perMinute: REGISTRATIONS_PER_SECOND * 60, text: `ECS task definition registrations: ${REGISTRATIONS_PER_SECOND}/s sustained, burst ${REGISTRATION_BURST} (same page)` },
  UpdateService: { text: 'ECS service changes: one per rolling service, after its registration' },
  DescribeTaskDefinition: { perMinute: 20 * 60, text: 'ECS reads: 20/s sustained (same page)' },
  BatchGetDeployments: { text: `CodeDeploy: no published rate (Quotas for CodeDeploy); ${DEPLOYMENTS_PER_BATCH} ids per call` },
  BatchGetDeploymentTargets: { text: 'CodeDeploy: no published rate; one deployment per call' },
  ListDeploymentTargets: { text: 'CodeDeploy: no published rate; once per deployment' },
  CreateDeployment: { text: 'CodeDeploy: no published rate; one per blue/green service' },
  GetDeployment: { text: 'CodeDeploy: no published rate; about 41/min was seen throttled (docs/benchmarks.md)' },
};

function ratesOf(calls: readonly { operation: string; at: number }[], from: number, to: number): ApiRate[] {
  const minutes = Math.max((to - from) / 60_000, 1 / 60);
  const byOperation = new Map<string, number[]>();
  for (const call of calls) byOperation.set(call.operation, [...(byOperation.get(call.operation) ?? []), call.at]);
  const peak = (times: number[], windowMs: number) => {
    let most = 0;
    for (let i = 0, j = 0; j < times.length; j += 1) {
      while (times[j] - times[i] >= windowMs) i += 1;
      most = Math.max(most, j - i + 1);
    }
    return most;
  };
  return [...byOperation]
    .map(([operation, times]) => {
      const sorted = [...times].sort((a, b) => a - b);
      const limit = LIMITS[operation];
      return {
        operation,
        calls: sorted.length,
        perMinute: +(sorted.length / minutes).toFixed(1),
        peakPerMinute: peak(sorted, 60_000),
        peakPerSecond: peak(sorted, 1000),
        limitPerMinute: limit?.perMinute,
        limit: limit?.text ?? '',
      };
    })
    .sort((a, b) => b.calls - a.calls);
}

interface Harness {
  readonly aws: EmulatorHandle;
  readonly clock: SharedVirtualClock;
  readonly clients: AwsClients;
  /** Every call the clients sent, over all runs. */
  readonly sent: SentCall[];
}

/** Runs the real CLI in this process on the shared clock; the emulator's call log dates every call. */
async function run(harness: Harness, argv: readonly string[], fleetSize = FLEET_SIZE): Promise<{ measure: RunMeasure; output: string; calls: SentCall[] }> {
  const { aws, clock, clients, sent } = harness;
  aws.reset();
  sent.length = 0;
  // The tool loads its environment from the process's variables (config/index.ts).
  process.env[TEST_FLEET_VARIABLE] = `dev=${fleetSize}`;
  const output: string[] = [];
  const from = clock.now();
  const code = await main([...argv], {
    streams: { stdout: (text) => void output.push(text), stderr: (text) => void output.push(text) },
    env: { ECS_BG_OFFLINE: '1', [TEST_FLEET_VARIABLE]: `dev=${fleetSize}` },
    interrupts: { signal: new AbortController().signal },
    clients: async () => clients,
    clock,
    fetch: globalThis.fetch,
  });
  const to = clock.now();
  const calls = [...sent];
  const starts = calls.filter((call) => call.operation === 'CreateDeployment' || call.operation === 'UpdateService').map((call) => call.at);
  return {
    measure: {
      command: `deploy ${argv.slice(1).join(' ')}`,
      exitCode: code,
      wallSeconds: +((to - from) / 1000).toFixed(1),
      lastStartSeconds: starts.length ? +((Math.max(...starts) - from) / 1000).toFixed(1) : undefined,
      calls: calls.length,
    },
    output: output.join(''),
    calls: calls.map((call) => ({ ...call, at: call.at - from })),
  };
}

export async function benchAll(): Promise<AllResults> {
  // The tool loads its environments from the process's variables: the fleet, offline only.
  const saved = { fleet: process.env[TEST_FLEET_VARIABLE], offline: process.env.ECS_BG_OFFLINE };
  process.env[TEST_FLEET_VARIABLE] = `dev=${FLEET_SIZE}`;
  process.env.ECS_BG_OFFLINE = '1';
  const clock = new SharedVirtualClock();
  const fleet = loadEnvironment('dev', { offline: true });
  const aws = await startEmulator({ environments: [fleet], now: clock.now, timeScale: 1000 });
  const sent: SentCall[] = [];
  const clients = clientsOn(aws, clock, sent);
  const harness: Harness = { aws, clock, clients, sent };
  try {
    progress(`all: deploy --all on ${FLEET_SIZE} services (virtual time)`);
    const all = await run(harness, ['deploy', '--env', 'dev', '--all', '--tag', 'v1.1.0']);
    if (all.measure.exitCode !== 0) throw new Error(`deploy --all exited ${all.measure.exitCode}:\n${all.output}`);
    const rates = ratesOf(all.calls, 0, all.measure.wallSeconds * 1000);
    const summaryLine = all.output.trimEnd().split('\n').pop() ?? '';
    progress('all: single releases');
    const growth: GrowthRow[] = [];
    for (const size of GROWTH_SIZES.filter((size) => size !== FLEET_SIZE)) {
      progress(`all: deploy --all on ${size}`);
      const smaller = await run(harness, ['deploy', '--env', 'dev', '--all', '--tag', 'v1.1.0'], size);
      if (smaller.measure.exitCode !== 0) throw new Error(`deploy --all on ${size} exited ${smaller.measure.exitCode}:\n${smaller.output}`);
      growth.push(growthRow(size, smaller.measure, smaller.calls));
    }
    growth.push(growthRow(FLEET_SIZE, all.measure, all.calls));
    progress('all: the naive alternative, 2 at a time (the default before --all was measured)');
    const twoAtATime = await run(harness, ['deploy', '--env', 'dev', '--all', '--tag', 'v1.1.0', '--concurrency', '2']);
    if (twoAtATime.measure.exitCode !== 0) throw new Error(`deploy --all --concurrency 2 exited ${twoAtATime.measure.exitCode}:\n${twoAtATime.output}`);
    const singleBlueGreen = await run(harness, ['deploy', '--env', 'dev', '--service', 'web', '--tag', 'v1.1.0']);
    const singleRolling = await run(harness, ['deploy', '--env', 'dev', '--service', 'worker', '--tag', 'v1.1.0']);
    for (const single of [singleBlueGreen, singleRolling]) if (single.measure.exitCode !== 0) throw new Error(`${single.measure.command} exited ${single.measure.exitCode}:\n${single.output}`);
    const slowest = Math.max(singleBlueGreen.measure.wallSeconds, singleRolling.measure.wallSeconds);
    return {
      services: fleet.services.length,
      blueGreen: fleet.services.filter((service) => service.release.strategy === 'blue-green').length,
      rolling: fleet.services.filter((service) => service.release.strategy === 'rolling').length,
      latencyMs: LATENCY_MS,
      all: all.measure,
      twoAtATime: twoAtATime.measure,
      singleBlueGreen: singleBlueGreen.measure,
      singleRolling: singleRolling.measure,
      ratio: +(all.measure.wallSeconds / slowest).toFixed(3),
      targetRatio: ALL_TARGET_RATIO,
      rates,
      growth,
      singleBlueGreenRates: ratesOf(singleBlueGreen.calls, 0, singleBlueGreen.measure.wallSeconds * 1000),
      summaryLine,
    };
  } finally {
    for (const client of Object.values(clients)) client.destroy();
    await aws.close();
    if (saved.fleet === undefined) delete process.env[TEST_FLEET_VARIABLE];
    else process.env[TEST_FLEET_VARIABLE] = saved.fleet;
    if (saved.offline === undefined) delete process.env.ECS_BG_OFFLINE;
    else process.env.ECS_BG_OFFLINE = saved.offline;
  }
}
