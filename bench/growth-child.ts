/**
 * One many-service environment synthesized and judged in a fresh process, for the growth part:
 *
 *   tsx bench/growth-child.ts ENV COUNT OUTDIR
 *
 * `fleetOf(ENV, COUNT)` is synthesized (shared stack and one stack per service) and every policy
 * rule run over all its stacks. Prints one JSON line: synthesis and policy time, the process's
 * peak RSS, the stack count and resources per stack; or exits 1 with the reason on stderr.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

async function main(): Promise<void> {
  const [name, countText, outdir] = process.argv.slice(2);
  if (!name || !countText || !outdir) throw new Error('usage: tsx bench/growth-child.ts ENV COUNT OUTDIR');
  const { App } = await import('cdktf');
  const { environmentStacks, loadEnvironment } = await import('../config');
  const { fleetOf } = await import('../config/fleet');
  const { EnvironmentStacks } = await import('../modules/environment-stacks');
  const { checkEnvironment } = await import('../policy/check');
  const { environmentView } = await import('../policy/environment-view');
  const { resourceCount } = await import('../policy/synthesized');

  const config = fleetOf(loadEnvironment(name, { offline: true }), Number(countText));
  const synthStarted = performance.now();
  const app = new App({ outdir });
  new EnvironmentStacks(app, config);
  app.synth();
  const synthMs = performance.now() - synthStarted;

  const stacks = environmentStacks(config).map(({ stack }) => ({ stack, synthesized: JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) }));
  const resources = stacks.map(({ synthesized }) => resourceCount(synthesized));
  const policyStarted = performance.now();
  const failed = checkEnvironment(environmentView(stacks), config).filter((result) => result.outcome === 'fail').length;
  const policyMs = performance.now() - policyStarted;
  process.stdout.write(
    `${JSON.stringify({ synthMs, policyMs, policyFailures: failed, stacks: stacks.length, sharedResources: resources[0], maxServiceResources: Math.max(...resources.slice(1)), totalResources: resources.reduce((sum, count) => sum + count, 0), maxRssKb: process.resourceUsage().maxRSS })}\n`,
  );
}

main().catch((error: unknown) => {
  const problems = (error as { problems?: string[] }).problems;
  process.stderr.write(`${problems ? problems.join('; ') : error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
