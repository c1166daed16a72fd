/**
 * Release tool overhead against the local emulator: the real `scripts/deploy.ts` in a child
 * process, as `npm run deploy` runs it, with the emulator in this process counting its API calls.
 *
 * Per repetition, on a freshly reset account (dev: blue/green, all at once, 1 min termination wait):
 *   --help               start-up only: tsx, the SDK clients and every command module load
 *   npm run deploy --help  the same through npm
 *   deploy v1.1.0        a full blue/green release, followed to Succeeded
 *   status               read-only report
 *   render v1.1.0        taskdef.json + appspec.yaml, no mutating call
 *   deploy v1.1.0 again  no-op: "already running", exit 0
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment } from '../config';
import { startEmulator, type CallRecord, type EmulatorHandle } from '../emulator';
import { progress, ROOT, runChild, stats, statsOf, TSX, type ChildRun, type Stats } from './measure';

/** Operations the tool repeats while it follows a deployment. */
export const FOLLOW_OPERATIONS = ['GetDeployment', 'ListDeploymentTargets', 'BatchGetDeploymentTargets'];

export interface CommandSpec {
  readonly key: string;
  readonly label: string;
  readonly argv: readonly string[];
  /** Needs the emulator (and counts its calls). */
  readonly aws: boolean;
  /** Text the output must contain, so a wrong outcome never passes as a fast one. */
  readonly expect?: RegExp;
}

export interface CommandResult {
  readonly key: string;
  readonly label: string;
  readonly command: string;
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
  /** Last API call → process exit. */
  readonly afterLastCall?: Stats;
}

export interface ReleaseResults {
  readonly timeScaleMs: number;
  readonly pollBaseMs: number;
  readonly repetitions: number;
  readonly commands: CommandResult[];
}

const ENV = 'dev';
const TAG = 'v1.1.0';

function commands(renderDir: string): CommandSpec[] {
  const deploy = [...TSX, join(ROOT, 'scripts', 'deploy.ts')];
  return [
    { key: 'help', label: 'start-up (--help)', argv: [...deploy, '--help'], aws: false, expect: /Usage: npm run deploy/ },
    { key: 'npm-help', label: 'npm run deploy -- --help', argv: ['npm', 'run', '--silent', 'deploy', '--', '--help'], aws: false, expect: /Usage: npm run deploy/ },
    { key: 'release', label: `deploy ${ENV} ${TAG} (blue/green)`, argv: [...deploy, 'deploy', '--env', ENV, '--tag', TAG], aws: true, expect: /Succeeded/ },
    { key: 'status', label: 'status', argv: [...deploy, 'status', '--env', ENV], aws: true },
    { key: 'render', label: 'render', argv: [...deploy, 'render', '--env', ENV, '--tag', TAG, '--out', renderDir], aws: true, expect: /appspec\.yaml/ },
    { key: 'noop', label: `deploy ${TAG} again (no-op)`, argv: [...deploy, 'deploy', '--env', ENV, '--tag', TAG], aws: true, expect: /already running/ },
  ];
}

/** The variables `npm run deploy` would see pointed at the emulator, nothing that reaches out. */
function toolEnvironment(aws: EmulatorHandle, pollBaseMs: number): NodeJS.ProcessEnv {
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

interface Sample {
  readonly run: ChildRun;
  readonly calls: CallRecord[];
  readonly startedAt: number;
}

function summarise(spec: CommandSpec, samples: Sample[]): CommandResult {
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
    wall: stats(samples.map((sample) => sample.run.wallMs)),
    maxRssKb: statsOf(samples.map((sample) => sample.run.maxRssKb)),
    callsByOperation,
  };
  if (!spec.aws) return base;
  const edges = samples.filter((sample) => sample.calls.length > 0);
  return {
    ...base,
    calls: stats(samples.map((sample) => sample.calls.length)),
    mutatingCalls: stats(samples.map((sample) => sample.calls.filter((call) => call.mutating).length)),
    followCalls: stats(samples.map((sample) => sample.calls.filter((call) => FOLLOW_OPERATIONS.includes(call.operation)).length)),
    toFirstCall: statsOf(edges.map((sample) => Date.parse(sample.calls[0].at) - sample.startedAt)),
    afterLastCall: statsOf(edges.map((sample) => sample.startedAt + sample.run.wallMs - Date.parse(sample.calls[sample.calls.length - 1].at))),
  };
}

export async function benchRelease(repetitions: number, timeScaleMs: number): Promise<ReleaseResults> {
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
      aws.reset();
      for (const spec of specs) {
        progress(`release: ${spec.label} (${repetition + 1}/${repetitions})`);
        const mark = aws.callLog().length;
        const startedAt = Date.now();
        const run = await runChild(spec.argv, { env });
        const calls = aws.callLog().slice(mark);
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
  return { timeScaleMs, pollBaseMs, repetitions, commands: specs.map((spec) => summarise(spec, samples.get(spec.key) ?? [])) };
}
