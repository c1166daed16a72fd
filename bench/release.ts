/**
 * Release tool overhead against the local emulator: the real tool in a child process, with the
 * emulator in this process counting its API calls, on loopback with no added latency.
 *
 * The tool runs three ways, side by side:
 *   npm run deploy      what a person types: npm, then scripts/launch.js, then the build in dist/
 *   compiled            node scripts/launch.js (the same without npm's own start-up)
 *   tsx (naive)         tsx scripts/deploy.ts, the TypeScript sources compiled on the fly (what
 *                       `npm run deploy` ran before the build existed)
 *
 * Per repetition, each release on a freshly reset account (dev: blue/green, all at once, 1 min
 * termination wait); status, render and the no-op release follow the first one. The headline is
 * spawn → CreateDeployment: start-up, configuration, SDK clients, the preflight reads and the
 * registration, up to the call that starts the deployment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment } from '../config';
import { startEmulator, type CallRecord, type EmulatorHandle } from '../emulator';
import { progress, ROOT, runChild, stats, statsOf, TSX, type ChildRun, type Stats } from './measure';

/** Operations the tool repeats while it follows a deployment. */
export const FOLLOW_OPERATIONS = ['GetDeployment', 'ListDeploymentTargets', 'BatchGetDeploymentTargets'];

/** Latency added to every call in the `latency` row, to show what running the reads at once saves. */
export const ADDED_LATENCY_MS = 50;

export interface CommandSpec {
  readonly key: string;
  readonly label: string;
  readonly argv: readonly string[];
  /** Needs the emulator (and counts its calls). */
  readonly aws: boolean;
  /** Runs on a freshly reset account. */
  readonly fresh?: boolean;
  /** Every call answered this many milliseconds late. */
  readonly latencyMs?: number;
  /** Text the output must contain, so a wrong outcome never passes as a fast one. */
  readonly expect?: RegExp;
}

export interface CommandResult {
  readonly key: string;
  readonly label: string;
  readonly command: string;
  readonly latencyMs: number;
  readonly wall: Stats;
  readonly maxRssKb?: Stats;
  /** Median calls per repetition, by `service:Operation`. */
  readonly callsByOperation: Record<string, number>;
  readonly calls?: Stats;
  readonly mutatingCalls?: Stats;
  /** Calls of the follow loop (GetDeployment, ListDeploymentTargets, BatchGetDeploymentTargets). */
  readonly followCalls?: Stats;
  /** Spawn → first API call: process start, module load, config, client set-up. */
  readonly toFirstCall?: Stats;
  /** Spawn → CreateDeployment answered (a release only). */
  readonly toCreateDeployment?: Stats;
  /** Calls before CreateDeployment, itself excluded. */
  readonly callsBeforeCreate?: Stats;
  /** Last API call → process exit. */
  readonly afterLastCall?: Stats;
}

export interface ReleaseResults {
  readonly timeScaleMs: number;
  readonly pollBaseMs: number;
  readonly repetitions: number;
  /** Source files newer than dist/ when the benchmark started (dist/ was rebuilt then). */
  readonly rebuilt: readonly string[];
  readonly commands: CommandResult[];
}

const ENV = 'dev';
const TAG = 'v1.1.0';

function commands(renderDir: string): CommandSpec[] {
  const compiled = [process.execPath, join(ROOT, 'scripts', 'launch.js')];
  const npm = ['npm', 'run', '--silent', 'deploy', '--'];
  const tsx = [...TSX, join(ROOT, 'scripts', 'deploy.ts')];
  const release = ['deploy', '--env', ENV, '--tag', TAG];
  return [
    { key: 'help', label: 'start-up (--help), compiled', argv: [...compiled, '--help'], aws: false, expect: /Usage: npm run deploy/ },
    { key: 'help-tsx', label: 'start-up (--help), tsx', argv: [...tsx, '--help'], aws: false, expect: /Usage: npm run deploy/ },
    { key: 'help-npm', label: 'npm run deploy -- --help', argv: [...npm, '--help'], aws: false, expect: /Usage: npm run deploy/ },
    { key: 'release-npm', label: `npm run deploy -- ${release.join(' ')}`, argv: [...npm, ...release], aws: true, fresh: true, expect: /Succeeded/ },
    { key: 'status', label: 'status, compiled', argv: [...compiled, 'status', '--env', ENV], aws: true },
    { key: 'render', label: 'render, compiled', argv: [...compiled, 'render', '--env', ENV, '--tag', TAG, '--out', renderDir], aws: true, expect: /appspec\.yaml/ },
    { key: 'noop', label: `deploy ${TAG} again (no-op), compiled`, argv: [...compiled, ...release], aws: true, expect: /already running/ },
    { key: 'release', label: 'deploy, compiled', argv: [...compiled, ...release], aws: true, fresh: true, expect: /Succeeded/ },
    { key: 'release-tsx', label: 'deploy, tsx (naive)', argv: [...tsx, ...release], aws: true, fresh: true, expect: /Succeeded/ },
    {
      key: 'release-latency',
      label: `deploy, compiled, +${ADDED_LATENCY_MS} ms a call`,
      argv: [...compiled, ...release],
      aws: true,
      fresh: true,
      latencyMs: ADDED_LATENCY_MS,
      expect: /Succeeded/,
    },
  ];
}

/** The variables `npm run deploy` would see pointed at the emulator, nothing that reaches out. */
export function toolEnvironment(aws: EmulatorHandle, pollBaseMs: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...aws.env,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ECS_BG_POLL_MS: String(pollBaseMs),
  };
  for (const key of Object.keys(env)) {
    if (key.startsWith('AWS_ENDPOINT_URL_') || ['AWS_PROFILE', 'CHAT_WEBHOOK_URL', 'GITHUB_STEP_SUMMARY', 'GITHUB_ACTIONS', 'ECS_BG_DEBUG'].includes(key)) delete env[key];
  }
  return env;
}

export interface Sample {
  readonly run: ChildRun;
  readonly calls: CallRecord[];
  readonly startedAt: number;
}

export function summarise(spec: CommandSpec, samples: Sample[]): CommandResult {
  const byOperation = new Map<string, number[]>();
  samples.forEach((sample, index) => {
    for (const call of sample.calls) {
      const key = `${call.service}:${call.operation}`;
      const counts = byOperation.get(key) ?? new Array<number>(samples.length).fill(0);
      counts[index] += 1;
      byOperation.set(key, counts);
    }
  });
  const callsByOperation = Object.fromEntries([...byOperation].map(([key, counts]) => [key, stats(counts).median]));
  const base = {
    key: spec.key,
    label: spec.label,
    command: samples[0].run.command,
    latencyMs: spec.latencyMs ?? 0,
    wall: stats(samples.map((sample) => sample.run.wallMs)),
    maxRssKb: statsOf(samples.map((sample) => sample.run.maxRssKb)),
    callsByOperation,
  };
  if (!spec.aws) return base;
  const edges = samples.filter((sample) => sample.calls.length > 0);
  const createIndex = (sample: Sample) => sample.calls.findIndex((call) => call.operation === 'CreateDeployment');
  const creating = samples.filter((sample) => createIndex(sample) >= 0);
  return {
    ...base,
    calls: stats(samples.map((sample) => sample.calls.length)),
    mutatingCalls: stats(samples.map((sample) => sample.calls.filter((call) => call.mutating).length)),
    followCalls: stats(samples.map((sample) => sample.calls.filter((call) => FOLLOW_OPERATIONS.includes(call.operation)).length)),
    toFirstCall: statsOf(edges.map((sample) => Date.parse(sample.calls[0].at) - sample.startedAt)),
    toCreateDeployment: statsOf(creating.map((sample) => Date.parse(sample.calls[createIndex(sample)].at) - sample.startedAt)),
    callsBeforeCreate: creating.length ? stats(creating.map(createIndex)) : undefined,
    afterLastCall: statsOf(edges.map((sample) => sample.startedAt + sample.run.wallMs - Date.parse(sample.calls[sample.calls.length - 1].at))),
  };
}

/** dist/ must be current, or `npm run deploy` would measure the tsx fallback: rebuild it when it is not. */
export async function ensureBuild(): Promise<string[]> {
  const { staleSources } = require('../scripts/launch.js') as { staleSources: () => string[] };
  const stale = staleSources();
  if (stale.length === 0) return [];
  progress(`release: dist/ is older than ${stale.length} source file(s); npm run prepare`);
  const built = await runChild(['npm', 'run', '--silent', 'prepare']);
  if (built.exitCode !== 0 || staleSources().length > 0) throw new Error(`npm run prepare failed:\n${built.stdout}${built.stderr}`);
  return stale;
}

export async function benchRelease(repetitions: number, timeScaleMs: number): Promise<ReleaseResults> {
  const rebuilt = await ensureBuild();
  const renderDir = mkdtempSync(join(tmpdir(), 'bench-render-'));
  // The tool's base poll is 2 s; scaled like the emulator's clock, it polls as often per emulated
  // second as it would against AWS (the floor keeps it from spinning when the scale is tiny).
  const pollBaseMs = Math.max(2, Math.round(2 * timeScaleMs));
  const aws = await startEmulator({ environments: [loadEnvironment(ENV, { offline: true })], timeScale: timeScaleMs, replacementTimeoutMinutes: 2 });
  const env = toolEnvironment(aws, pollBaseMs);
  const specs = commands(renderDir);
  const samples = new Map<string, Sample[]>(specs.map((spec) => [spec.key, []]));
  try {
    for (let repetition = 0; repetition < repetitions; repetition += 1) {
      for (const spec of specs) {
        progress(`release: ${spec.label} (${repetition + 1}/${repetitions})`);
        if (spec.fresh) aws.reset();
        if (spec.latencyMs) aws.addFault({ kind: 'slow', delayMs: spec.latencyMs, times: 1_000_000 });
        const mark = aws.callLog().length;
        const startedAt = Date.now();
        const run = await runChild(spec.argv, { env });
        const calls = aws.callLog().slice(mark);
        if (spec.latencyMs) aws.clearFaults();
        if (run.exitCode !== 0 || (spec.expect && !spec.expect.test(run.stdout + run.stderr))) {
          throw new Error(`${spec.label}: exit ${run.exitCode}, output not as expected:\n${run.stdout}${run.stderr}`);
        }
        samples.get(spec.key)?.push({ run, calls, startedAt });
      }
    }
  } finally {
    await aws.close();
    rmSync(renderDir, { recursive: true, force: true });
  }
  return { timeScaleMs, pollBaseMs, repetitions, rebuilt, commands: specs.map((spec) => summarise(spec, samples.get(spec.key) ?? [])) };
}
