/**
 * Two models, computed rather than measured:
 *
 * 1. Polling cost. A deployment timeline is built from a service's configuration (deployment
 *    config, approval and termination waits, health check, desired count) and the emulator's
 *    rounded durations (emulator/simulation/timings.ts). The release tool's own follow loop,
 *    `followDeployment` from scripts/steps/follow-deployment.ts with its `nextInterval` schedule,
 *    runs against that timeline on a virtual clock, through a stand-in CodeDeploy client that
 *    answers from the timeline and counts calls. It is compared with the fixed 15-second
 *    `DeploymentSuccessful` waiter (`aws deploy wait deployment-successful`: GetDeployment every
 *    15 s, at most 120 attempts). API latency is taken as zero.
 *
 * 2. The time a release waits on AWS once the replacement tasks run, per environment and for
 *    config/schema.ts's defaults (read by parsing a minimal environment through
 *    `parseEnvironment`), against the ALB's own defaults.
 */
import {
  BatchGetDeploymentTargetsCommand,
  GetDeploymentCommand,
  ListDeploymentTargetsCommand,
  type BatchGetDeploymentTargetsCommandOutput,
  type DeploymentStatus,
  type GetDeploymentCommandOutput,
} from '@aws-sdk/client-codedeploy';
import { loadEnvironment, parseEnvironment, type EnvironmentConfig, type ServiceConfig } from '../config';
import { RUNNING_AFTER, TIMINGS } from '../emulator/simulation/timings';
import type { AwsClients } from '../scripts/aws/clients';
import { memoryReporter } from '../scripts/cli/output';
import type { Context } from '../scripts/context';
import { followDeployment } from '../scripts/steps/follow-deployment';
import { targetFor } from '../scripts/steps/target';
import { hookVerification, releaseHooks } from '../scripts/steps/verification-hook';

// ------------------------------------------------------------------ deployment timeline

const EVENTS = ['BeforeInstall', 'Install', 'AfterInstall', 'AllowTestTraffic', 'AfterAllowTestTraffic', 'BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic'] as const;
type EventName = (typeof EVENTS)[number];

/** Traffic steps of a deployment config: [percent on the replacement, seconds after AllowTraffic starts]. */
export function trafficSteps(config: ServiceConfig['release']['deploymentConfig']): [number, number][] {
  let shape: { type: 'canary' | 'linear'; percentage: number; intervalMinutes: number } | undefined;
  if (typeof config === 'string') {
    const match = /^CodeDeployDefault\.ECS(Canary|Linear)(\d+)Percent(?:Every)?(\d+)Minutes$/.exec(config);
    if (match) shape = { type: match[1] === 'Canary' ? 'canary' : 'linear', percentage: Number(match[2]), intervalMinutes: Number(match[3]) };
  } else {
    shape = config;
  }
  if (!shape) return [[100, 0]];
  const interval = shape.intervalMinutes * 60;
  if (shape.type === 'canary') return [[shape.percentage, 0], [100, interval]];
  const steps: [number, number][] = [];
  for (let percent = shape.percentage; percent < 100; percent += shape.percentage) steps.push([percent, steps.length * interval]);
  steps.push([100, steps.length * interval]);
  return steps;
}

/**
 * What the model reads of a service: the settings its stack gives the target group, the
 * deployment group and the ECS service, taken from the configuration the stack is built from, and
 * the hooks a release runs (the release tool's own choice, the verification hook included).
 * __tests__/bench/model.test.ts compares them with the synthesized stacks: the model stays free of
 * cdktf, and a module that stops following the configuration fails that test.
 */
export interface ModelInputs {
  readonly desiredCount: number;
  /** The target group's health check. */
  readonly healthCheck: { readonly intervalSeconds: number; readonly healthyThreshold: number };
  readonly deregistrationDelaySeconds: number;
  /** The deployment group's blue/green settings. */
  readonly terminationWaitMinutes: number;
  readonly approvalWaitMinutes?: number;
  readonly deploymentConfig: ServiceConfig['release']['deploymentConfig'];
  readonly rolling: boolean;
  /** Lifecycle events a release runs a function at. */
  readonly hookEvents: readonly string[];
}

export function modelInputs(environment: EnvironmentConfig, service: ServiceConfig): ModelInputs {
  const release = service.release;
  const target = targetFor(environment, service);
  const hooks = releaseHooks(target, hookVerification(target, undefined)) as Record<string, string | undefined>;
  return {
    desiredCount: service.desiredCount,
    healthCheck: { intervalSeconds: service.healthCheck.intervalSeconds, healthyThreshold: service.healthCheck.healthyThreshold },
    deregistrationDelaySeconds: service.deregistrationDelaySeconds,
    terminationWaitMinutes: release.terminationWaitMinutes,
    approvalWaitMinutes: release.approvalWaitMinutes,
    deploymentConfig: release.deploymentConfig,
    rolling: release.strategy === 'rolling',
    hookEvents: EVENTS.filter((name) => hooks[name]),
  };
}

export interface Transition {
  /** Seconds after CreateDeployment. */
  readonly at: number;
  readonly what: string;
}

export interface Timeline {
  readonly service: ServiceConfig;
  readonly inputs: ModelInputs;
  readonly startedAt: number;
  readonly events: Record<EventName, { start: number; end: number }>;
  readonly tasksLaunchedAt: number;
  readonly tasksRunningAt: number;
  readonly readyAt?: number;
  readonly approvedAt?: number;
  readonly shifts: [number, number][];
  readonly terminationStartAt: number;
  readonly succeededAt: number;
  /** The old targets finish draining (after Succeeded: no poller sees it). */
  readonly drainedAt: number;
  readonly transitions: Transition[];
}

/**
 * When everything happens, in seconds after CreateDeployment, in CodeDeploy's ECS order; the
 * durations are the emulator's (TIMINGS) and the service's own settings. `approvalAfterSeconds`:
 * when someone runs `approve` after the deployment became Ready.
 */
export function buildTimeline(environment: EnvironmentConfig, service: ServiceConfig, approvalAfterSeconds?: number): Timeline {
  const release = modelInputs(environment, service);
  const hook = (name: EventName) => (release.hookEvents.includes(name) ? TIMINGS.hookWithFunction : TIMINGS.hookWithoutFunction);
  const healthy = release.healthCheck.intervalSeconds * release.healthCheck.healthyThreshold;
  const events = {} as Record<EventName, { start: number; end: number }>;
  const steps = trafficSteps(release.deploymentConfig);
  let t: number = TIMINGS.deploymentStart;
  const startedAt = t;
  let tasksLaunchedAt = 0;
  let readyAt: number | undefined;
  let approvedAt: number | undefined;
  let shifts: [number, number][] = [];
  for (const name of EVENTS) {
    const start = t;
    switch (name) {
      case 'Install':
        tasksLaunchedAt = start;
        t = start + RUNNING_AFTER + healthy;
        break;
      case 'AllowTestTraffic':
        t = start + TIMINGS.reroute;
        break;
      case 'AllowTraffic':
        shifts = steps.map(([percent, after]) => [percent, start + after]);
        t = start + steps[steps.length - 1][1] + TIMINGS.reroute;
        break;
      default:
        t = start + hook(name);
    }
    events[name] = { start, end: t };
    if (name === 'AfterAllowTestTraffic' && release.approvalWaitMinutes !== undefined) {
      readyAt = t;
      const after = Math.min(approvalAfterSeconds ?? release.approvalWaitMinutes * 30, release.approvalWaitMinutes * 60 - 1);
      approvedAt = readyAt + after;
      t = approvedAt;
    }
  }
  const terminationStartAt = t;
  const succeededAt = terminationStartAt + release.terminationWaitMinutes * 60;
  const tasksRunningAt = tasksLaunchedAt + RUNNING_AFTER;

  const transitions: Transition[] = [
    { at: 0, what: 'Created' },
    { at: startedAt, what: 'InProgress' },
    { at: tasksLaunchedAt, what: 'replacement tasks launched' },
    { at: tasksRunningAt, what: 'replacement tasks RUNNING' },
    { at: events.Install.end, what: 'replacement healthy (Install Succeeded)' },
    { at: events.AllowTestTraffic.end, what: 'test listener on replacement' },
  ];
  if (readyAt !== undefined && approvedAt !== undefined) {
    transitions.push({ at: readyAt, what: 'Ready (waiting for approval)' }, { at: approvedAt, what: 'approved (InProgress)' });
  }
  for (const [percent, at] of shifts) transitions.push({ at, what: `production traffic ${percent}% on replacement` });
  transitions.push({ at: events.AllowTraffic.end, what: 'AllowTraffic Succeeded' });
  transitions.push({ at: terminationStartAt, what: 'termination wait started' });
  transitions.push({ at: succeededAt, what: 'Succeeded' });
  return {
    service,
    inputs: release,
    startedAt,
    events,
    tasksLaunchedAt,
    tasksRunningAt,
    readyAt,
    approvedAt,
    shifts,
    terminationStartAt,
    succeededAt,
    drainedAt: succeededAt + release.deregistrationDelaySeconds,
    transitions,
  };
}

// ------------------------------------------------------------------ a CodeDeploy that answers from the timeline

const EPOCH = Date.UTC(2025, 0, 6, 9, 0, 0);
const DEPLOYMENT_ID = 'd-MODEL00001';

function statusAt(timeline: Timeline, t: number): DeploymentStatus {
  if (t >= timeline.succeededAt) return 'Succeeded';
  if (t < timeline.startedAt) return 'Created';
  if (timeline.readyAt !== undefined && timeline.approvedAt !== undefined && t >= timeline.readyAt && t < timeline.approvedAt) return 'Ready';
  return 'InProgress';
}

function getDeployment(timeline: Timeline, t: number): Partial<GetDeploymentCommandOutput> {
  const release = timeline.inputs;
  return {
    deploymentInfo: {
      deploymentId: DEPLOYMENT_ID,
      status: statusAt(timeline, t),
      instanceTerminationWaitTimeStarted: t >= timeline.terminationStartAt,
      blueGreenDeploymentConfiguration: {
        deploymentReadyOption:
          release.approvalWaitMinutes !== undefined
            ? { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: release.approvalWaitMinutes }
            : { actionOnTimeout: 'CONTINUE_DEPLOYMENT', waitTimeInMinutes: 0 },
        terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: release.terminationWaitMinutes },
      },
    },
  };
}

function deploymentTarget(timeline: Timeline, t: number): Partial<BatchGetDeploymentTargetsCommandOutput> {
  const date = (seconds: number) => new Date(EPOCH + seconds * 1000);
  const lifecycleEvents = EVENTS.map((name) => {
    const { start, end } = timeline.events[name];
    if (t < start) return { lifecycleEventName: name, status: 'Pending' as const };
    if (t < end) return { lifecycleEventName: name, status: 'InProgress' as const, startTime: date(start) };
    return { lifecycleEventName: name, status: 'Succeeded' as const, startTime: date(start), endTime: date(end) };
  });
  const desired = timeline.inputs.desiredCount;
  const launched = t >= timeline.tasksLaunchedAt;
  const running = t >= timeline.tasksRunningAt ? desired : 0;
  let green = 0;
  for (const [percent, at] of timeline.shifts) if (t >= at) green = percent;
  const taskSetsInfo = [
    { identifer: 'ecs-svc/blue', taskSetLabel: 'Blue' as const, trafficWeight: 100 - green, desiredCount: desired, runningCount: desired, pendingCount: 0 },
    ...(launched ? [{ identifer: 'ecs-svc/green', taskSetLabel: 'Green' as const, trafficWeight: green, desiredCount: desired, runningCount: running, pendingCount: desired - running }] : []),
  ];
  return { deploymentTargets: [{ deploymentTargetType: 'ECSTarget', ecsTarget: { deploymentId: DEPLOYMENT_ID, targetId: 'cluster:service', lifecycleEvents, taskSetsInfo } }] };
}

function notStarted(): Error {
  const error = new Error('The deployment has not started');
  error.name = 'DeploymentNotStartedException';
  return error;
}

export interface PollRun {
  /** Seconds after CreateDeployment of each poll (GetDeployment). */
  readonly polls: number[];
  readonly callsByOperation: Record<string, number>;
  readonly calls: number;
  /** Lines the tool printed while following. */
  readonly lines: number;
}

/** The tool's follow loop against `timeline`, on a virtual clock that moves only when it sleeps. */
export async function simulateTool(environment: EnvironmentConfig, timeline: Timeline): Promise<PollRun> {
  let virtualMs = 0;
  const seconds = () => virtualMs / 1000;
  const polls: number[] = [];
  const counts: Record<string, number> = {};
  const codeDeploy = {
    send: async (command: unknown) => {
      const name = (command as { constructor: { name: string } }).constructor.name.replace(/Command$/, '');
      counts[name] = (counts[name] ?? 0) + 1;
      const t = seconds();
      if (command instanceof GetDeploymentCommand) {
        polls.push(t);
        return getDeployment(timeline, t);
      }
      if (command instanceof ListDeploymentTargetsCommand) {
        if (t < timeline.startedAt) throw notStarted();
        return { targetIds: ['cluster:service'] };
      }
      if (command instanceof BatchGetDeploymentTargetsCommand) {
        if (t < timeline.startedAt) throw notStarted();
        return deploymentTarget(timeline, t);
      }
      throw new Error(`the model does not answer ${name}`);
    },
  };
  const out = memoryReporter();
  const context: Context = {
    clients: { codeDeploy } as unknown as AwsClients,
    clock: {
      now: () => EPOCH + virtualMs,
      sleep: async (ms) => {
        virtualMs += ms;
      },
    },
    out,
    env: {},
    interrupts: { signal: new AbortController().signal },
    fetch: globalThis.fetch,
  };
  const release = timeline.inputs;
  const waitsMs = ((release.approvalWaitMinutes ?? 0) + release.terminationWaitMinutes) * 60_000;
  const result = await followDeployment(context, {
    target: targetFor(environment, timeline.service),
    deploymentId: DEPLOYMENT_ID,
    waits: { approvalWaitMinutes: release.approvalWaitMinutes, terminationWaitMinutes: release.terminationWaitMinutes },
    // The deploy command's default: CodeDeploy's waits plus 30 minutes.
    deadline: EPOCH + 30 * 60_000 + waitsMs,
    interruptible: true,
  });
  if (result.ending !== 'finished' || result.last.status !== 'Succeeded') throw new Error(`model run ended ${result.ending} in ${result.last.status}`);
  return { polls, callsByOperation: counts, calls: Object.values(counts).reduce((a, b) => a + b, 0), lines: out.stdout.length };
}

/** The fixed waiter: GetDeployment at 0, 15, 30, … seconds until it sees Succeeded. */
export const WAITER_DELAY_SECONDS = 15;
export const WAITER_MAX_ATTEMPTS = 120;

export function simulateWaiter(timeline: Timeline): PollRun & { givesUpAt?: number } {
  const polls: number[] = [];
  for (let t = 0; ; t += WAITER_DELAY_SECONDS) {
    polls.push(t);
    if (t >= timeline.succeededAt) break;
  }
  const givesUpAt = polls.length > WAITER_MAX_ATTEMPTS ? (WAITER_MAX_ATTEMPTS - 1) * WAITER_DELAY_SECONDS : undefined;
  return { polls, callsByOperation: { GetDeployment: polls.length }, calls: polls.length, lines: 0, givesUpAt };
}

/** Seconds from `at` to the first poll at or after it. */
export function detectionLatency(polls: readonly number[], at: number): number {
  const seen = polls.find((poll) => poll >= at - 1e-9);
  return seen === undefined ? NaN : seen - at;
}

// ------------------------------------------------------------------ scenarios

export interface TransitionLatency extends Transition {
  readonly tool: number;
  readonly waiter: number;
}

export interface PollScenario {
  readonly name: string;
  readonly environment: string;
  readonly deploymentConfig: string;
  readonly approvalAfterSeconds?: number;
  readonly durationSeconds: number;
  /** The old targets have drained (deregistration delay after Succeeded): neither poller is still looking. */
  readonly drainedAtSeconds: number;
  readonly tool: PollRun;
  readonly waiter: PollRun & { givesUpAt?: number };
  readonly transitions: TransitionLatency[];
  /** Polls (GetDeployment) in each stretch of the deployment: where the calls go. */
  readonly phases: { phase: string; fromSeconds: number; toSeconds: number; toolPolls: number; waiterPolls: number }[];
}

function phasesOf(timeline: Timeline, tool: readonly number[], waiter: readonly number[]): PollScenario['phases'] {
  const approval = timeline.readyAt !== undefined && timeline.approvedAt !== undefined;
  const cuts: [string, number][] = [[approval ? 'start to Ready' : 'start to traffic shift', 0]];
  if (timeline.readyAt !== undefined && timeline.approvedAt !== undefined) {
    cuts.push(['approval wait', timeline.readyAt], ['traffic shift', timeline.approvedAt]);
  } else {
    cuts.push(['traffic shift', timeline.events.AllowTraffic.start]);
  }
  cuts.push(['termination wait', timeline.terminationStartAt], ['Succeeded seen', timeline.succeededAt]);
  const count = (polls: readonly number[], from: number, to: number) => polls.filter((poll) => poll >= from && poll < to).length;
  return cuts.map(([phase, from], index) => {
    const to = index + 1 < cuts.length ? cuts[index + 1][1] : Infinity;
    return { phase, fromSeconds: from, toSeconds: to, toolPolls: count(tool, from, to), waiterPolls: count(waiter, from, to) };
  });
}

function describeConfig(config: ServiceConfig['release']['deploymentConfig']): string {
  return typeof config === 'string' ? config.replace('CodeDeployDefault.', '') : `custom ${config.type} ${config.percentage}% every ${config.intervalMinutes} min`;
}

async function scenario(name: string, environment: EnvironmentConfig, approvalAfterSeconds?: number): Promise<PollScenario> {
  const service = environment.services[0];
  const timeline = buildTimeline(environment, service, approvalAfterSeconds);
  const tool = await simulateTool(environment, timeline);
  const waiter = simulateWaiter(timeline);
  return {
    name,
    environment: environment.environment,
    deploymentConfig: describeConfig(service.release.deploymentConfig),
    approvalAfterSeconds: timeline.readyAt !== undefined && timeline.approvedAt !== undefined ? timeline.approvedAt - timeline.readyAt : undefined,
    durationSeconds: timeline.succeededAt,
    drainedAtSeconds: timeline.drainedAt,
    tool,
    waiter,
    transitions: timeline.transitions.map((transition) => ({
      ...transition,
      tool: detectionLatency(tool.polls, transition.at),
      waiter: detectionLatency(waiter.polls, transition.at),
    })),
    phases: phasesOf(timeline, tool.polls, waiter.polls),
  };
}

export interface ApprovalSweep {
  readonly stepSeconds: number;
  readonly runs: number;
  readonly toolCalls: { min: number; median: number; max: number };
  readonly waiterCalls: { min: number; median: number; max: number };
  /** Seconds from `approve` to the first poll that sees it. */
  readonly toolApprovalLatency: { mean: number; max: number };
  readonly waiterApprovalLatency: { mean: number; max: number };
}

function spread(values: number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
}

/** The approval at every `stepSeconds` of the wait: cost and latency do not hinge on one lucky moment. */
async function sweepApproval(environment: EnvironmentConfig, stepSeconds: number): Promise<ApprovalSweep | undefined> {
  const service = environment.services[0];
  const wait = service.release.approvalWaitMinutes;
  if (wait === undefined) return undefined;
  const tool: number[] = [];
  const waiter: number[] = [];
  const toolLatency: number[] = [];
  const waiterLatency: number[] = [];
  for (let after = stepSeconds; after < wait * 60; after += stepSeconds) {
    const timeline = buildTimeline(environment, service, after);
    const toolRun = await simulateTool(environment, timeline);
    const waiterRun = simulateWaiter(timeline);
    tool.push(toolRun.calls);
    waiter.push(waiterRun.calls);
    toolLatency.push(detectionLatency(toolRun.polls, timeline.approvedAt as number));
    waiterLatency.push(detectionLatency(waiterRun.polls, timeline.approvedAt as number));
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    stepSeconds,
    runs: tool.length,
    toolCalls: spread(tool),
    waiterCalls: spread(waiter),
    toolApprovalLatency: { mean: mean(toolLatency), max: Math.max(...toolLatency) },
    waiterApprovalLatency: { mean: mean(waiterLatency), max: Math.max(...waiterLatency) },
  };
}

export interface PollModel {
  readonly pollBaseSeconds: number;
  readonly waiter: { delaySeconds: number; maxAttempts: number };
  readonly scenarios: PollScenario[];
  readonly prodApprovalSweep?: ApprovalSweep;
}

export async function pollModel(): Promise<PollModel> {
  const prod = loadEnvironment('prod');
  const dev = loadEnvironment('dev');
  const wait = prod.services[0].release.approvalWaitMinutes ?? 0;
  return {
    pollBaseSeconds: 2,
    waiter: { delaySeconds: WAITER_DELAY_SECONDS, maxAttempts: WAITER_MAX_ATTEMPTS },
    scenarios: [
      await scenario(`prod, approved ${wait / 2} min into the ${wait} min wait`, prod, (wait / 2) * 60),
      await scenario(`prod, approved 2 min after Ready`, prod, 120),
      await scenario('dev (no approval)', dev),
    ],
    prodApprovalSweep: await sweepApproval(prod, 5),
  };
}

// ------------------------------------------------------------------ time a release waits on AWS

export interface AlbSettings {
  readonly intervalSeconds: number;
  readonly healthyThreshold: number;
  readonly deregistrationDelaySeconds: number;
  readonly terminationWaitMinutes: number;
  /** Seconds from the first to the last traffic step (0 all at once). */
  readonly shiftSeconds: number;
  /** The deployment config, for the report. */
  readonly shift: string;
}

/**
 * What a release waits for on AWS once the replacement tasks run, in two stretches:
 *
 *   running → all traffic   the target group needs `healthyThreshold` passing checks `interval`
 *                           apart, then the deployment config shifts the traffic
 *   all traffic → drained   the old targets drain for the deregistration delay
 *
 * The termination wait (CodeDeploy keeps the old tasks for a rollback) sits between the two; it is
 * a deliberate rollback window, reported on its own and kept out of the sum.
 */
export interface ReleaseWait {
  readonly settings: AlbSettings;
  readonly healthySeconds: number;
  readonly toAllTrafficSeconds: number;
  readonly drainSeconds: number;
  /** The two stretches together: what the target is about. */
  readonly waitSeconds: number;
  /** 0 for rolling updates, which have none. */
  readonly terminationWaitSeconds: number;
}

export function releaseWait(settings: AlbSettings, rolling = false): ReleaseWait {
  const healthySeconds = settings.intervalSeconds * settings.healthyThreshold;
  const toAllTrafficSeconds = healthySeconds + settings.shiftSeconds;
  return {
    settings,
    healthySeconds,
    toAllTrafficSeconds,
    drainSeconds: settings.deregistrationDelaySeconds,
    waitSeconds: toAllTrafficSeconds + settings.deregistrationDelaySeconds,
    terminationWaitSeconds: rolling ? 0 : settings.terminationWaitMinutes * 60,
  };
}

/** What an HTTP target group uses when it sets nothing (Elastic Load Balancing's defaults). */
export const AWS_ALB_DEFAULTS = { intervalSeconds: 30, healthyThreshold: 5, deregistrationDelaySeconds: 300 } as const;

/** Target 4: with the defaults, all at once, the two stretches under 60 s, never fewer than 2 healthy checks. */
export const WAIT_TARGET = { limitSeconds: 60, minHealthyThreshold: 2 } as const;

function settingsOf(inputs: ModelInputs): AlbSettings {
  const steps = trafficSteps(inputs.deploymentConfig);
  return {
    intervalSeconds: inputs.healthCheck.intervalSeconds,
    healthyThreshold: inputs.healthCheck.healthyThreshold,
    deregistrationDelaySeconds: inputs.deregistrationDelaySeconds,
    terminationWaitMinutes: inputs.terminationWaitMinutes,
    shiftSeconds: steps[steps.length - 1][1],
    shift: inputs.rolling ? 'rolling update' : describeConfig(inputs.deploymentConfig),
  };
}

export interface WaitModel {
  /** The schema's defaults, read by parsing an environment that sets nothing, and the same with the ALB's defaults. */
  readonly defaults: { ours: ReleaseWait; aws: ReleaseWait };
  /** Each configured environment's web services, as configured and with the ALB's defaults. */
  readonly environments: { environment: string; service: string; strategy: string; approvalWaitMinutes?: number; ours: ReleaseWait; aws: ReleaseWait }[];
  readonly target: { limitSeconds: number; minHealthyThreshold: number; met: boolean };
}

export function waitModel(environmentNames: readonly string[]): WaitModel {
  const minimal = parseEnvironment('bench', {
    app: 'bench',
    environment: 'model',
    region: 'ap-northeast-1',
    availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c'],
    services: [{ name: 'web' }],
  });
  const defaults = settingsOf(modelInputs(minimal, minimal.services[0]));
  const withAwsAlb = (settings: AlbSettings): AlbSettings => ({ ...settings, ...AWS_ALB_DEFAULTS });
  const ours = releaseWait(defaults);
  return {
    defaults: { ours, aws: releaseWait(withAwsAlb(defaults)) },
    environments: environmentNames.flatMap((name) => {
      const environment = loadEnvironment(name);
      // A worker has no load balancer (no target group in its stack): no health checks or draining to wait for.
      return environment.services.filter((service) => service.kind === 'web').map((service) => {
        const inputs = modelInputs(environment, service);
        const rolling = inputs.rolling;
        const settings = settingsOf(inputs);
        return {
          environment: name,
          service: service.name,
          strategy: service.release.strategy,
          approvalWaitMinutes: service.release.approvalWaitMinutes,
          ours: releaseWait(settings, rolling),
          aws: releaseWait(withAwsAlb(settings), rolling),
        };
      });
    }),
    target: {
      ...WAIT_TARGET,
      met: defaults.shiftSeconds === 0 && ours.waitSeconds < WAIT_TARGET.limitSeconds && defaults.healthyThreshold >= WAIT_TARGET.minHealthyThreshold,
    },
  };
}
