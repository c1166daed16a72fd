/**
 * One environment synthesized in a fresh process, as `npx tsx main.ts` does for all of them:
 *
 *   tsx bench/synth-child.ts ENV OUTDIR
 *
 * Prints one JSON line: the time spent loading the modules and synthesizing (measured inside the
 * process, so the caller can tell start-up from work) and the process's own peak RSS.
 */
import { performance } from 'node:perf_hooks';

async function main(): Promise<void> {
  const [name, outdir] = process.argv.slice(2);
  if (!name || !outdir) throw new Error('usage: tsx bench/synth-child.ts ENV OUTDIR');
  const sinceProcessStart = performance.now();
  const loadStarted = performance.now();
  const { App } = await import('cdktf');
  const { loadEnvironment } = await import('../config');
  const { EnvironmentStacks } = await import('../modules/environment-stacks');
  const loadMs = performance.now() - loadStarted;

  const synthStarted = performance.now();
  const config = loadEnvironment(name);
  const app = new App({ outdir });
  new EnvironmentStacks(app, config);
  app.synth();
  const synthMs = performance.now() - synthStarted;
  process.stdout.write(`${JSON.stringify({ bootMs: sinceProcessStart, loadMs, synthMs, maxRssKb: process.resourceUsage().maxRSS })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
