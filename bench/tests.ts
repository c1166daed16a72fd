/**
 * The test suite's wall time: `npx jest` (every project, the configured workers) as a child
 * process, as `npm test` runs it after the typecheck. Fails when a test fails: a fast red suite
 * is not a figure.
 */
import { availableParallelism } from 'node:os';
import { progress, runChild, type ChildRun } from './measure';

export interface TestSuiteResults {
  readonly wallMs: number;
  readonly maxRssKb?: number;
  readonly suites: number;
  readonly tests: number;
  readonly workers: number;
}

/** `Tests:       621 passed, 621 total` → 621. */
function count(output: string, label: 'Tests' | 'Test Suites'): number {
  const match = new RegExp(`^${label}:.*?(\\d+) total$`, 'm').exec(output);
  return match ? Number(match[1]) : NaN;
}

export async function benchTests(): Promise<TestSuiteResults> {
  progress('tests: npx jest (the whole suite, once)');
  const run: ChildRun = await runChild(['npx', '--no-install', 'jest', '--silent']);
  const output = `${run.stdout}\n${run.stderr}`;
  if (run.exitCode !== 0) throw new Error(`npx jest exited ${run.exitCode}:\n${output.slice(-4000)}`);
  return {
    wallMs: run.wallMs,
    maxRssKb: run.maxRssKb,
    suites: count(output, 'Test Suites'),
    tests: count(output, 'Tests'),
    workers: availableParallelism(),
  };
}
