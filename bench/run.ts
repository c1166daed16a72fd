/**
 * `npm run bench -- [--quick] [--only synth|terraform|release|history|detection|model|cost|growth|plan-growth|all|tests] [--reps N] [--time-scale MS] [--alarms N] [--json[=FILE]]`
 *
 * A repeatable benchmark, not a test: it measures and prints tables.
 *
 *   synth      every environment through main.ts, project imports vs the provider package root; per
 *              environment in process and in a cold process; peak RSS
 *   terraform  `npm run plan` (offline) with the project's imports and with the provider package root,
 *              and `npm run plan -- --all`; wall time and peak memory of the process tree
 *   release    the release tool against the local emulator: full blue/green release, status,
 *              render, no-op release, start-up (--help); wall time and AWS calls per operation
 *   history    release start-up after 1 and 200 releases (with the service's TerraformRevision tag, and without)
 *   detection  finish detection of the release tool vs a fixed 15 s waiter on a 10-minute deployment
 *              against the emulator with realistic latency (warped time), and the calls it costs
 *   cost       modelled fixed monthly cost of each environment at 1, 10 and 50 services (bench/cost.ts)
 *   growth     an environment of 1, 10 and 50 services split into stacks: synthesis wall time and peak
 *              RSS, stacks and resources per stack, policy time, drift self-check time (bench/growth.ts)
 *   all        `deploy --all` on a 50-service fleet in the emulator (virtual time): wall time vs the slowest
 *              single deployment, API calls per minute per API vs AWS's published limits (bench/all.ts)
 *   plan-growth  plan time of a one-service change at 1 and 50 services, and the planned stack's resources
 *   tests      the test suite's wall time (`npx jest`, once)
 *   model      polling cost of the tool's adaptive schedule vs a fixed 15 s waiter on modelled
 *              deployments, and the load balancer wait per release, ours vs the ALB's defaults
 *
 * --quick: one repetition, no terraform, plan-growth or tests. --json: the results as one JSON document on stdout (the
 * tables go to stderr); --json=FILE writes it to FILE instead. Progress always goes to stderr.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release as osRelease, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { environmentNamesList, loadEnvironment } from '../config';
import { HAS_GNU_TIME, progress, ROOT } from './measure';
import { AWS_ALB_DEFAULTS, type PollModel, type ReleaseWait, type WaitModel } from './model';
import type { AllResults } from './all';
import type { DetectionResults, RunResult } from './detection';
import type { EnvironmentCost } from './cost';
import type { GrowthResults } from './growth';
import type { HistoryResults } from './history';
import type { ReleaseResults } from './release';
import type { TestSuiteResults } from './tests';
import type { SynthResults } from './synth';
import { duration, medianMin, mib, ms, section, table, type Row } from './table';
import type { TerraformResults } from './terraform';
import type { PlanGrowthResults } from './plan-growth';

const PARTS = ['synth', 'terraform', 'release', 'history', 'detection', 'model', 'cost', 'growth', 'plan-growth', 'all', 'tests'] as const;
type Part = (typeof PARTS)[number];

const USAGE = `Usage: npm run bench -- [--quick] [--only ${PARTS.join('|')}[,...]] [--reps N] [--time-scale MS] [--alarms N] [--json[=FILE]]

  --quick          one repetition, no terraform, growth, plan-growth and tests parts
  --only PARTS     run only these parts (comma-separated)
  --reps N         repetitions of every measurement (default 3)
  --time-scale MS  emulator: real milliseconds per emulated second for the release part (default 2)
  --alarms N       detection: alarm moments spread over the deployment (default 10, --quick 4)
  --json[=FILE]    machine-readable results: on stdout (tables move to stderr), or into FILE`;

interface Options {
  readonly parts: readonly Part[];
  readonly repetitions: number;
  readonly timeScaleMs: number;
  /** Alarm moments in the detection part. */
  readonly alarms: number;
  readonly json: false | 'stdout' | string;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      reps: { type: 'string' },
      'time-scale': { type: 'string' },
      alarms: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const only = values.only?.split(',').map((part) => part.trim()) ?? [...PARTS];
  const unknown = only.filter((part) => !(PARTS as readonly string[]).includes(part));
  if (unknown.length) throw new Error(`--only: unknown part ${unknown.join(', ')}; use ${PARTS.join(', ')}`);
  let parts = PARTS.filter((part) => only.includes(part));
  if (values.quick && !values.only) parts = parts.filter((part) => !['terraform', 'tests', 'growth', 'plan-growth'].includes(part));
  const repetitions = values.quick ? 1 : Number(values.reps ?? 3);
  if (!Number.isInteger(repetitions) || repetitions < 1 || repetitions > 50) throw new Error('--reps must be a whole number from 1 to 50');
  const timeScaleMs = Number(values['time-scale'] ?? 2);
  if (!(timeScaleMs > 0 && timeScaleMs <= 1000)) throw new Error('--time-scale must be a number of milliseconds above 0, at most 1000');
  const alarms = Number(values.alarms ?? (values.quick ? 4 : 10));
  if (!Number.isInteger(alarms) || alarms < 1 || alarms > 100) throw new Error('--alarms must be a whole number from 1 to 100');
  return { parts, repetitions, timeScaleMs, alarms, json: values.json ? 'stdout' : false };
}

function machine(): Record<string, unknown> {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model,
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    os: `${process.platform} ${osRelease()}`,
    node: process.version,
    commit: git(['rev-parse', '--short', 'HEAD']),
    peakRss: HAS_GNU_TIME ? '/usr/bin/time -v (process tree)' : 'process.resourceUsage (synth only)',
    loadAverageAtStart: loadavg().map((value) => +value.toFixed(2)),
  };
}

// ------------------------------------------------------------------ report

/** Target 1: every environment synthesized in under 3 s. */
export const SYNTH_TARGET_MS = 3000;

function synthReport(results: SynthResults): string {
  const rows: Row[] = results.inProcess.map((inProcess) => {
    const cold = results.cold.find((candidate) => candidate.environment === inProcess.environment);
    return [
      inProcess.environment,
      inProcess.resources,
      `${(inProcess.jsonBytes / 1024).toFixed(0)} KiB`,
      ms(inProcess.firstMs),
      medianMin(inProcess.warm),
      medianMin(cold?.wall),
      ms(cold?.boot.median),
      ms(cold?.load.median),
      ms(cold?.synth.median),
      mib(cold?.maxRssKb?.median),
    ];
  });
  const all: Row[] = [
    ['npx tsx main.ts (cdktf.json\'s app command)', 'project', medianMin(results.npxMainTs.wall), mib(results.npxMainTs.maxRssKb?.median)],
    ['tsx main.ts', 'project', medianMin(results.mainTs.wall), mib(results.mainTs.maxRssKb?.median)],
    ['tsx main.ts', 'provider root', medianMin(results.providerRootMainTs.wall), mib(results.providerRootMainTs.maxRssKb?.median)],
  ];
  const full = results.npxMainTs.wall.median;
  return [
    section(`Synthesis of all ${results.inProcess.length} environments in one process (median (min))`),
    table(['command', 'provider imports', 'wall', 'peak RSS'], all),
    '',
    `target: every environment in under ${ms(SYNTH_TARGET_MS)}: npx tsx main.ts ${ms(full)}: ${full < SYNTH_TARGET_MS ? 'met' : `missed by ${ms(full - SYNTH_TARGET_MS)}`}`,
    'project = one module per resource (@cdktf/provider-aws/lib/<resource>); provider root = the same code importing @cdktf/provider-aws',
    section('Synthesis per environment (median (min))'),
    table(['env', 'resources', 'cdk.tf.json', 'in-process 1st', 'in-process warm', 'cold process', 'boot', 'load', 'synth', 'peak RSS'], rows),
    '',
    `in process: loading cdktf + provider bindings + modules took ${ms(results.moduleLoadMs)} before the first synthesis`,
    `cold process: tsx bench/synth-child.ts ENV (one environment, as main.ts does per stack); boot = node start to the script, load = imports, synth = App.synth()`,
  ].join('\n');
}

function terraformReport(results: TerraformResults): string {
  const rows: Row[] = results.runs.map((run) => [
    run.label,
    run.imports,
    medianMin(run.wall),
    mib(run.maxRssKb?.median),
    run.stacks.map((stack) => `${stack.stack} ${ms(stack.terraform?.median) ?? ''}`.trim()).join(', '),
    run.stacks.map((stack) => stack.summary.replace(/^(\d+) to add, (\d+) to change, (\d+) to destroy$/, '+$1 ~$2 -$3')).join(', '),
  ]);
  return [
    section(`Offline terraform plan through tools/terraform.ts (${results.terraformVersion}, providers: ${results.providers})`),
    table(['command', 'provider imports', 'wall', 'peak RSS', 'of which terraform init + plan, per stack', 'plan (+add ~change -destroy)'], rows),
    '',
    'wall and peak RSS: the whole process tree (npm, tsx, synthesis, terraform and its provider plugin), median (min)',
  ].join('\n');
}

/** Target 2: spawn → CreateDeployment under 1.0 s on loopback with no added latency. */
export const RELEASE_OVERHEAD_TARGET_MS = 1000;

function releaseReport(results: ReleaseResults): string {
  const rows: Row[] = results.commands.map((command) => [
    command.label,
    medianMin(command.wall),
    ms(command.toFirstCall?.median),
    ms(command.toCreateDeployment?.median),
    command.callsBeforeCreate?.median,
    command.calls?.median,
    command.mutatingCalls?.median,
    command.followCalls?.median,
    mib(command.maxRssKb?.median),
  ]);
  const aws = results.commands.filter((command) => command.calls && !command.latencyMs);
  const operations = [...new Set(aws.flatMap((command) => Object.keys(command.callsByOperation)))].sort();
  const opRows: Row[] = operations.map((operation) => [operation, ...aws.map((command) => command.callsByOperation[operation] ?? 0)]);
  const byKey = (key: string) => results.commands.find((command) => command.key === key);
  const verdict = (key: string) => {
    const value = byKey(key)?.toCreateDeployment?.median;
    if (value === undefined) return 'n/a';
    const met = value < RELEASE_OVERHEAD_TARGET_MS;
    return `${ms(value)}: ${met ? 'met' : `missed by ${ms(value - RELEASE_OVERHEAD_TARGET_MS)}`}`;
  };
  return [
    section(`Release tool against the emulator (dev, ${results.repetitions} repetition(s); time scale ${results.timeScaleMs} ms per emulated second, ECS_BG_POLL_MS=${results.pollBaseMs})`),
    results.rebuilt.length ? `dist/ was rebuilt first (${results.rebuilt.length} source file(s) newer than the build)\n` : '',
    table(['command', 'wall', 'spawn→1st call', 'spawn→CreateDeployment', 'calls before it', 'AWS calls', 'mutating', 'follow loop', 'peak RSS'], rows),
    '',
    `target: spawn → CreateDeployment under ${ms(RELEASE_OVERHEAD_TARGET_MS)}: npm run deploy ${verdict('release-npm')}; compiled ${verdict('release')}; tsx (naive) ${verdict('release-tsx')}`,
    '',
    'AWS calls per operation (median per run; the rows without added latency):',
    table(['operation', ...aws.map((command) => command.key)], opRows),
    '',
    'The follow-loop count (GetDeployment, ListDeploymentTargets, BatchGetDeploymentTargets) depends on the time scale;',
    'every other count is fixed by the command. The finish-detection part gives the follow loop in real time.',
  ].join('\n');
}

function historyReport(results: HistoryResults): string {
  const rows: Row[] = results.cases.map((item) => [
    item.releases,
    item.tagged ? 'TerraformRevision tag' : 'no tag: scan (≤ 100)',
    ms(item.result.toCreateDeployment?.median),
    item.result.callsBeforeCreate?.median,
    item.revisionReads,
    medianMin(item.result.wall),
  ]);
  const startUp = (releases: number) => results.cases.find((item) => item.tagged && item.releases === releases)?.result.toCreateDeployment?.median;
  const [few, many] = [startUp(1), startUp(200)];
  return [
    section(`Release start-up after many releases (dev, compiled tool, ${results.repetitions} repetition(s), median; time scale ${results.timeScaleMs} ms per emulated second)`),
    table(['releases before', 'base revision found by', 'spawn→CreateDeployment', 'calls before it', 'revision reads', 'wall'], rows),
    '',
    few !== undefined && many !== undefined ? `with the tag: ${ms(many)} after 200 releases vs ${ms(few)} after 1 (ratio ${(many / few).toFixed(2)})` : '',
  ].join('\n');
}

function growthReport(results: GrowthResults): string {
  const synthesis = results.synthesis.map((row): Row =>
    row.error
      ? [row.environment, row.services, `not measured: ${row.error}`]
      : [row.environment, row.services, medianMin(row.wall), medianMin(row.synth), mib(row.maxRssKb?.median), row.stacks, row.sharedResources, row.maxServiceResources, row.totalResources, medianMin(row.policy), row.policyFailures === 0 ? 'pass' : `${row.policyFailures} failed`],
  );
  const selfCheck = results.selfCheck.map((row): Row => [row.environment, row.services, row.scope, row.stacks, `${row.seconds.toFixed(1)} s`, `${row.passed} of ${row.stacks}`]);
  return [
    section('Growth: one environment of 1, 10 and 50 services, a shared stack and one stack per service (median (min))'),
    table(['fleet', 'services', 'process wall', 'synthesis', 'peak RSS', 'stacks', 'shared resources', 'max per service stack', 'all resources', 'policy (all stacks)', 'rules'], synthesis),
    `process wall: tsx bench/growth-child.ts (start-up, imports, synthesis, policy); peak RSS: ${results.rssSource}`,
    '',
    table(['fleet', 'services', 'drift self-check of', 'stacks', 'wall', 'passed'], selfCheck),
    'the self-check as npm run drift -- --self-check runs it: real Terraform, offline, at the tools\' concurrency (cores, at least 2)',
  ].join('\n');
}

function costReport(costs: readonly EnvironmentCost[]): string {
  const usd = (value: number) => `$${value.toFixed(2)}`;
  const parts = costs.map((cost) => {
    const pick = (lines: { item: string; monthlyUsd: number }[], ...prefixes: string[]) => lines.filter((line) => prefixes.some((prefix) => line.item.startsWith(prefix))).reduce((sum, line) => sum + line.monthlyUsd, 0);
    const sum = (lines: { monthlyUsd: number }[]) => lines.reduce((total, line) => total + line.monthlyUsd, 0);
    const rows: Row[] = cost.rows.map((row) => [
      row.services,
      usd(pick(row.perService, 'Application Load Balancers')),
      usd(pick(row.perService, 'NAT')),
      usd(pick(row.perService, 'public IPv4')),
      usd(pick(row.perService, 'Fargate')),
      usd(pick(row.perService, 'CloudWatch alarm', 'Container Insights', 'CloudWatch Logs', 'ECR')),
      usd(sum(row.perService)),
      usd(sum(row.shared)),
      usd(sum(row.perService) / row.services),
    ]);
    return [`${cost.environment} (${cost.region}):`, table(['services', 'ALBs', 'NAT', 'public IPv4', 'Fargate', 'CloudWatch + ECR', 'total, ALB per service', 'total, one shared ALB', 'per service'], rows)].join('\n');
  });
  const prices = costs[0]?.prices;
  return [
    section(`Modelled fixed monthly cost, USD, list prices ${prices?.region} as of ${prices?.asOf} (bench/cost.ts; docs/cost.md)`),
    ...parts,
    '',
    'Usage-dependent charges (LCUs, NAT data processing, data transfer) are not included; log volume, image size and',
    'Container Insights metric counts are assumptions stated in bench/cost.ts. The shared ALB needs ECS-native blue/green.',
  ].join('\n');
}

/** Target 3: median detection of a terminal state under 2 s. */
export const DETECTION_TARGET_MS = 2000;

/** ECS's published sustained rate for service reads (DescribeServices), requests per second. */
const ECS_SERVICE_READ_SUSTAINED_PER_SECOND = 20;

function detectionReport(results: DetectionResults): string {
  const rows: Row[] = results.tool.map((tool, index) => {
    const waiter = results.waiter[index];
    return [
      tool.scenario,
      `${tool.terminalStatus} at ${duration(tool.terminalAfterSeconds)}`,
      ms(tool.detectionMs),
      tool.followCalls,
      tool.peakCallsPerSecond,
      ms(waiter.detectionMs),
      waiter.followCalls,
    ];
  });
  const undisturbed = results.tool[0];
  const followMinutes = undisturbed.terminalAfterSeconds / 60;
  const perMinute = (run: RunResult) => (run.followCalls / (run.terminalAfterSeconds / 60)).toFixed(0);
  const ecsCalls = (runs: RunResult[]) => runs.reduce((sum, run) => sum + (run.callsByOperation.DescribeServices ?? 0), 0);
  const median = results.toolDetection.median;
  return [
    section(`Finish detection on a ${duration(results.durationSeconds)} deployment (${results.deployment}); latency ${results.latencyMs.min}-${results.latencyMs.max} ms a call, warped time`),
    table(['scenario', 'terminal state', 'tool sees it after', 'tool calls', 'tool peak calls/s', '15 s waiter sees it after', 'waiter calls'], rows),
    '',
    `median detection: tool ${ms(median)} (max ${ms(results.toolDetection.max)}), 15 s waiter ${ms(results.waiterDetection.median)} (max ${ms(results.waiterDetection.max)})`,
    `target: median under ${ms(DETECTION_TARGET_MS)}: ${median < DETECTION_TARGET_MS ? 'met' : `missed by ${ms(median - DETECTION_TARGET_MS)}`}`,
    `cost of the undisturbed ${followMinutes.toFixed(1)}-minute deployment: tool ${undisturbed.followCalls} CodeDeploy reads (${perMinute(undisturbed)}/min, at most ${undisturbed.peakCallsPerSecond} in any second), waiter ${results.waiter[0].followCalls} (${perMinute(results.waiter[0])}/min)`,
    `ECS: ${ecsCalls(results.tool)} DescribeServices calls over all tool runs, all in the preflight (limit: ${ECS_SERVICE_READ_SUSTAINED_PER_SECOND}/s sustained); the blue/green follow loop reads CodeDeploy only`,
    'calls = from CreateDeployment to the terminal state seen; the tool then follows the rollback and prints its verdict',
  ].join('\n');
}

function latencyStats(values: number[]): string {
  const finite = values.filter((value) => Number.isFinite(value));
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
  return `${mean.toFixed(1)} / ${Math.max(...finite).toFixed(1)} s`;
}

function modelReport(poll: PollModel): string {
  const summary: Row[] = poll.scenarios.map((scenario) => {
    const later = scenario.transitions.filter((transition) => transition.at > 0);
    return [
      scenario.name,
      duration(scenario.durationSeconds),
      scenario.tool.polls.length,
      scenario.tool.calls,
      scenario.waiter.calls,
      latencyStats(later.map((transition) => transition.tool)),
      latencyStats(later.map((transition) => transition.waiter)),
      scenario.waiter.givesUpAt !== undefined ? `gives up at ${duration(scenario.waiter.givesUpAt)}` : 'ok',
    ];
  });
  const [main] = poll.scenarios;
  const transitions: Row[] = main.transitions.map((transition) => [duration(transition.at), transition.what, `${transition.tool.toFixed(1)} s`, `${transition.waiter.toFixed(1)} s`]);
  const phases: Row[] = main.phases.map((phase) => [phase.phase, phase.toolPolls, phase.waiterPolls]);
  const sweep = poll.prodApprovalSweep;
  const lines = [
    section('Polling cost model (the tool\'s followDeployment + nextInterval on a virtual clock vs a fixed 15 s waiter)'),
    `tool: GetDeployment every ${poll.pollBaseSeconds} s except in the approval wait (backs off to ${poll.pollBaseSeconds * 7.5} s, waking at its end);`,
    `      the targets (BatchGetDeploymentTargets) when the status moves, else every ${poll.pollBaseSeconds}-${poll.pollBaseSeconds * 3} s outside the waits, not at all inside them`,
    `waiter: GetDeployment every ${poll.waiter.delaySeconds} s, at most ${poll.waiter.maxAttempts} attempts (aws deploy wait deployment-successful); API latency taken as 0`,
    '',
    table(['scenario', 'deployment', 'tool polls', 'tool calls', 'waiter calls', 'tool latency mean/max', 'waiter latency mean/max', 'waiter'], summary),
    '',
    `Detection latency per transition, ${main.name} (${main.deploymentConfig}):`,
    table(['at', 'transition', 'tool', 'waiter'], transitions),
    `(the old targets then drain until ${duration(main.drainedAtSeconds)}, the deregistration delay after Succeeded, when neither poller is looking)`,
    '',
    `Polls per stretch, ${main.name}:`,
    table(['stretch', 'tool polls', 'waiter polls'], phases),
  ];
  if (sweep) {
    lines.push(
      '',
      `prod, approval swept every ${sweep.stepSeconds} s over the wait (${sweep.runs} runs): tool calls ${sweep.toolCalls.min}-${sweep.toolCalls.max} (median ${sweep.toolCalls.median}), ` +
        `waiter calls ${sweep.waiterCalls.min}-${sweep.waiterCalls.max} (median ${sweep.waiterCalls.median}); approval seen after ` +
        `tool ${sweep.toolApprovalLatency.mean.toFixed(1)} s mean / ${sweep.toolApprovalLatency.max.toFixed(1)} s max, waiter ${sweep.waiterApprovalLatency.mean.toFixed(1)} / ${sweep.waiterApprovalLatency.max.toFixed(1)} s`,
    );
  }

  return lines.join('\n');
}

function waitReport(model: WaitModel): string {
  const toAll = (wait: ReleaseWait) => `${wait.settings.intervalSeconds} s × ${wait.settings.healthyThreshold} + ${wait.settings.shiftSeconds} s = ${wait.toAllTrafficSeconds} s`;
  const together = (wait: ReleaseWait) => `${wait.waitSeconds} s`;
  const row = (label: string, ours: ReleaseWait, aws: ReleaseWait, approval?: number): Row => {
    const note = approval !== undefined ? ` + approval (≤ ${approval} min)` : '';
    return [label, ours.settings.shift, `${toAll(ours)}${note}`, `${ours.drainSeconds} s`, together(ours), `${toAll(aws)}${note}`, `${aws.drainSeconds} s`, together(aws)];
  };
  const rows: Row[] = [
    row('schema defaults', model.defaults.ours, model.defaults.aws),
    ...model.environments.map((env) => row(`${env.environment}/${env.service} (${env.strategy})`, env.ours, env.aws, env.approvalWaitMinutes)),
  ];
  const termination = [
    `schema defaults ${model.defaults.ours.terminationWaitSeconds / 60} min`,
    ...model.environments.map((env) => `${env.environment}/${env.service} ${env.strategy === 'rolling' ? 'none (rolling update)' : `${env.ours.terminationWaitSeconds / 60} min`}`),
  ];
  const d = model.defaults.ours;
  const t = model.target;
  return [
    section('Time a release waits on AWS once the replacement tasks run (modelled from the settings; task start-up comes first)'),
    table(['', 'deployment config', 'running → all traffic', 'all traffic → drained', 'together', 'ALB defaults: running → all traffic', 'drained', 'together'], rows),
    '',
    'running → all traffic = health check interval × healthy threshold + traffic shift; all traffic → drained = deregistration delay',
    `ALB defaults: ${AWS_ALB_DEFAULTS.intervalSeconds} s × ${AWS_ALB_DEFAULTS.healthyThreshold} healthy checks, deregistration delay ${AWS_ALB_DEFAULTS.deregistrationDelaySeconds} s`,
    `termination wait, a deliberate rollback window between the two stretches and not counted in them: ${termination.join('; ')}`,
    `target: with the defaults, all at once, together under ${t.limitSeconds} s with at least ${t.minHealthyThreshold} consecutive healthy checks: ` +
      `${d.waitSeconds} s with ${d.settings.healthyThreshold} checks: ${t.met ? 'met' : 'missed'}`,
  ].join('\n');
}

function planGrowthReport(results: PlanGrowthResults): string {
  const rows: Row[] = results.rows.map((row) => [row.services, row.stacks, row.stack, row.resources, row.plan, medianMin(row.planStats), ms(row.synthMs)]);
  const largest = results.rows[results.rows.length - 1];
  const biggestStack = Math.max(...results.rows.map((row) => row.resources));
  const verdict = (met: boolean, missed: string) => (met ? 'met' : `missed by ${missed}`);
  return [
    section(`Plan of a one-service change as the environment grows (dev, first service's desiredCount +1; ${results.terraformVersion}, -refresh=false)`),
    table(['services', 'stacks', 'planned stack', 'resources in it', 'plan', 'terraform plan (median (min))', 'synthesis, all stacks'], rows),
    '',
    `against the state a fresh apply leaves (fabricated as the drift self-check does), the shared stack's read from its fabricated state; same run, one process`,
    `target: ${largest.services} services within ${results.targets.ratio}× of ${results.rows[0].services}: ${results.ratio.toFixed(2)}×: ${verdict(results.ratio <= results.targets.ratio, `${(results.ratio - results.targets.ratio).toFixed(2)}×`)}; ` +
      `planned stack at most ~${results.targets.resources} resources: ${biggestStack}: ${verdict(biggestStack <= results.targets.resources, `${biggestStack - results.targets.resources}`)}`,
  ].join('\n');
}

/** The suite's wall time target on this machine. */
function allReport(results: AllResults): string {
  const seconds = (value: number | undefined) => (value === undefined ? undefined : `${value} s`);
  const runs = table(
    ['Run', 'Wall (virtual)', 'Last start', 'Calls', 'Exit'],
    [results.all, results.twoAtATime, results.singleBlueGreen, results.singleRolling].map((run) => [run.command, seconds(run.wallSeconds), seconds(run.lastStartSeconds), run.calls, run.exitCode]),
  );
  const rates = table(
    ['API', 'Calls', 'Per min', 'Peak per min', 'Peak per s', 'Published sustained limit'],
    results.rates.map((rate) => [rate.operation, rate.calls, rate.perMinute, rate.peakPerMinute, rate.peakPerSecond, rate.limitPerMinute !== undefined ? `${rate.limitPerMinute}/min: ${rate.limit}` : rate.limit]),
  );
  const growth = table(
    ['Services', 'Wall (virtual)', 'Calls', 'Calls/min', 'CodeDeploy/min', 'ECS/min'],
    results.growth.map((row) => [row.services, seconds(row.wallSeconds), row.calls, row.perMinute, row.codeDeployPerMinute, row.ecsPerMinute]),
  );
  const verdict = results.ratio <= results.targetRatio ? 'met' : `MISSED by ${((results.ratio / results.targetRatio - 1) * 100).toFixed(0)} %`;
  return [
    section(`deploy --all on ${results.services} services (${results.blueGreen} blue/green, ${results.rolling} rolling), ${results.latencyMs} ms per call`),
    runs,
    '',
    `ratio: ${results.ratio} × the slowest single deployment plus start-up (target ≤ ${results.targetRatio}: ${verdict}); the run ended with "${results.summaryLine}"`,
    '',
    rates,
    '',
    growth,
    '',
    `one blue/green release alone, per minute: ${results.singleBlueGreenRates
      .filter((rate) => ['GetDeployment', 'BatchGetDeploymentTargets', 'ListDeploymentTargets'].includes(rate.operation))
      .map((rate) => `${rate.operation} ${rate.perMinute}`)
      .join(', ')} (followed alone, ${results.blueGreen} releases would send ${results.blueGreen}× that)`,
  ].join('\n');
}

export const TESTS_TARGET_MS = 60_000;

function testsReport(results: TestSuiteResults): string {
  return [
    section('Test suite (npx jest, as npm test runs it after the typecheck)'),
    `${results.suites} suites, ${results.tests} tests, ${results.workers} worker(s): ${ms(results.wallMs)} wall, peak RSS ${mib(results.maxRssKb) ?? 'n/a'}`,
    `target: under ${ms(TESTS_TARGET_MS)}: ${results.wallMs < TESTS_TARGET_MS ? 'met' : `missed by ${ms(results.wallMs - TESTS_TARGET_MS)}`}`,
  ].join('\n');
}

// ------------------------------------------------------------------ main

async function main(): Promise<number> {
  // The detection part runs SDK clients in this process; the notice about future Node versions is noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const argv = process.argv.slice(2);
  // `--json=FILE` is not a boolean flag to parseArgs: it is taken out before parsing.
  const jsonFile = argv.find((arg) => arg.startsWith('--json='))?.slice('--json='.length);
  let options: Options | undefined;
  try {
    options = parseOptions(argv.filter((arg) => !arg.startsWith('--json=')));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message.split(/\.\s|\n/)[0] : String(error)}; see npm run bench -- --help\n`);
    return 2;
  }
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (jsonFile !== undefined) options = { ...options, json: jsonFile || 'stdout' };
  const report = options.json === 'stdout' ? (text: string) => process.stderr.write(`${text}\n`) : (text: string) => process.stdout.write(`${text}\n`);

  const environments = environmentNamesList();
  const started = Date.now();
  const results: Record<string, unknown> = {
    benchmark: 'ecs-bluegreen-cdktf',
    startedAt: new Date(started).toISOString(),
    command: `npm run bench -- ${argv.join(' ')}`.trim(),
    repetitions: options.repetitions,
    machine: machine(),
  };
  const header = results.machine as Record<string, unknown>;
  report(`machine: ${header.nproc} CPUs (${header.cpu}), ${header.memoryGiB} GiB, ${header.os}, node ${header.node}, commit ${header.commit}; load average ${(header.loadAverageAtStart as number[]).join(' ')}`);
  report(`parts: ${options.parts.join(', ')}; repetitions: ${options.repetitions}`);

  // Each part is loaded only when it runs: the synth part measures loading cdktf, so nothing may load it earlier.
  for (const part of options.parts) {
    const partStarted = Date.now();
    if (part === 'synth') {
      const { benchSynth } = await import('./synth');
      const synth = await benchSynth(environments, options.repetitions);
      results.synth = synth;
      report(synthReport(synth));
    } else if (part === 'terraform') {
      const { benchTerraform } = await import('./terraform');
      const terraform = await benchTerraform(options.repetitions);
      results.terraform = terraform;
      report(terraformReport(terraform));
    } else if (part === 'release') {
      const { benchRelease } = await import('./release');
      const release = await benchRelease(options.repetitions, options.timeScaleMs);
      results.release = release;
      report(releaseReport(release));
    } else if (part === 'history') {
      const { benchHistory } = await import('./history');
      const history = await benchHistory(options.repetitions, options.timeScaleMs);
      results.history = history;
      report(historyReport(history));
    } else if (part === 'cost') {
      const { environmentCost } = await import('./cost');
      const costs = environments.map((name) => environmentCost(loadEnvironment(name, { offline: true })));
      results.cost = costs;
      report(costReport(costs));
    } else if (part === 'growth') {
      const { benchGrowth } = await import('./growth');
      const growth = await benchGrowth(options.repetitions);
      results.growth = growth;
      report(growthReport(growth));
    } else if (part === 'all') {
      const { benchAll } = await import('./all');
      const all = await benchAll();
      results.all = all;
      report(allReport(all));
    } else if (part === 'plan-growth') {
      const { benchPlanGrowth } = await import('./plan-growth');
      const growth = await benchPlanGrowth([1, 50], options.repetitions);
      results.planGrowth = growth;
      report(planGrowthReport(growth));
    } else if (part === 'tests') {
      const { benchTests } = await import('./tests');
      const tests = await benchTests();
      results.tests = tests;
      report(testsReport(tests));
    } else if (part === 'detection') {
      const { benchDetection } = await import('./detection');
      const detection = await benchDetection(options.alarms);
      results.detection = detection;
      report(detectionReport(detection));
    } else {
      const { waitModel, pollModel } = await import('./model');
      const poll = await pollModel();
      const wait = waitModel(environments);
      results.model = { poll, wait };
      report(modelReport(poll));
      report(waitReport(wait));
    }
    progress(`${part}: ${((Date.now() - partStarted) / 1000).toFixed(1)} s`);
  }

  const totalSeconds = (Date.now() - started) / 1000;
  results.totalSeconds = +totalSeconds.toFixed(1);
  (results.machine as Record<string, unknown>).loadAverageAtEnd = loadavg().map((value) => +value.toFixed(2));
  report(`\ntotal ${totalSeconds.toFixed(1)} s; load average at end ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
  if (options.json === 'stdout') process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else if (options.json) {
    writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`);
    report(`results written to ${options.json}`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
