/**
 * Timing primitives for the benchmark: run a child process and time it (with its peak RSS when
 * GNU time is on the machine), and summarise repeated samples.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

/** The repository root. */
export const ROOT = resolve(__dirname, '..');

/** GNU time reports the peak RSS of a process tree (wait4 folds reaped children in). */
const GNU_TIME = '/usr/bin/time';
export const HAS_GNU_TIME = existsSync(GNU_TIME);

/** `node <tsx cli>`: what `npx tsx` and the npm scripts run, without npx's own start-up. */
export const TSX: readonly string[] = [process.execPath, require.resolve('tsx/cli')];

export interface ChildRun {
  readonly command: string;
  readonly exitCode: number;
  /** Wall time from spawn to exit. */
  readonly wallMs: number;
  /** Peak resident set size of the process tree, when GNU time is available. */
  readonly maxRssKb?: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ChildOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs `argv` and resolves when it exits. Asynchronous on purpose: the emulator answering the
 * child's API calls lives in this process, so the event loop must keep turning.
 */
export function runChild(argv: readonly string[], options: ChildOptions = {}): Promise<ChildRun> {
  const scratch = HAS_GNU_TIME ? mkdtempSync(join(tmpdir(), 'bench-time-')) : undefined;
  const timeFile = scratch ? join(scratch, 'time.txt') : undefined;
  const full = timeFile ? [GNU_TIME, '-v', '-o', timeFile, ...argv] : [...argv];
  const started = performance.now();
  const child = spawn(full[0], full.slice(1), { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const wallMs = performance.now() - started;
      let maxRssKb: number | undefined;
      if (timeFile && existsSync(timeFile)) {
        const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(timeFile, 'utf8'));
        maxRssKb = match ? Number(match[1]) : undefined;
      }
      if (scratch) rmSync(scratch, { recursive: true, force: true });
      resolvePromise({
        command: argv.map((part) => part.replace(`${ROOT}/`, '')).join(' '),
        exitCode: code ?? (signal ? 128 : 1),
        wallMs,
        maxRssKb,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** A child run that must succeed (exit code `expected`); otherwise its output is in the error. */
export async function runChecked(argv: readonly string[], options: ChildOptions & { expected?: number } = {}): Promise<ChildRun> {
  const run = await runChild(argv, options);
  if (run.exitCode !== (options.expected ?? 0)) {
    throw new Error(`${run.command} exited ${run.exitCode} (expected ${options.expected ?? 0}):\n${run.stdout}${run.stderr}`.trim());
  }
  return run;
}

export interface Stats {
  readonly n: number;
  /** Every sample, in the order taken. */
  readonly samples: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function stats(samples: readonly number[]): Stats {
  if (samples.length === 0) return { n: 0, samples: [], median: NaN, min: NaN, max: NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { n: sorted.length, samples: samples.map((value) => +value.toFixed(1)), median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/** Stats over the defined values only (peak RSS may be missing). */
export function statsOf(samples: readonly (number | undefined)[]): Stats | undefined {
  const defined = samples.filter((value): value is number => value !== undefined);
  return defined.length ? stats(defined) : undefined;
}

export async function timed<T>(work: () => T | Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

/** Progress goes to stderr, so `--json` output on stdout stays one clean document. */
export function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}
