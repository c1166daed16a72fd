/**
 * How the infrastructure side grows with the service count (issue 12): an environment of 1, 10 and
 * 50 services (`fleetOf`), split into a shared stack and one stack per service.
 *
 *   synthesis  a fresh process synthesizes the fleet (bench/growth-child.ts): wall time of the
 *              process, synthesis alone, peak RSS; stacks and resources per stack
 *   policy     every policy rule over all the fleet's stacks, in that process
 *   self-check `npm run drift -- --self-check`'s work with the real Terraform, offline: the shared
 *              stack and the first service's stack (what one service change costs), and every
 *              stack at 10 services (what `--all` costs), at the tools' concurrency
 *
 * Fleets are renamed (`<env><count>`) for the self-check so their stacks never meet the configured
 * environments' working copies in `.tf/`; those copies are removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAS_GNU_TIME, progress, runChild, stats, statsOf, TSX, type Stats } from './measure';

/** Service counts measured. */
export const GROWTH_COUNTS = [1, 10, 50] as const;

export interface GrowthSynthesis {
  readonly environment: string;
  readonly services: number;
  /** Why it could not be measured (synthesis refused the fleet). */
  readonly error?: string;
  readonly wall?: Stats;
  readonly synth?: Stats;
  readonly policy?: Stats;
  readonly maxRssKb?: Stats;
  readonly stacks?: number;
  readonly sharedResources?: number;
  readonly maxServiceResources?: number;
  readonly totalResources?: number;
  readonly policyFailures?: number;
}

export interface GrowthSelfCheck {
  readonly environment: string;
  readonly services: number;
  /** Which stacks: the shared one and the first service's, or all. */
  readonly scope: 'shared + 1 service' | 'all stacks';
  readonly stacks: number;
  readonly seconds: number;
  readonly passed: number;
}

export interface GrowthResults {
  readonly rssSource: string;
  readonly synthesis: GrowthSynthesis[];
  readonly selfCheck: GrowthSelfCheck[];
}

interface ChildReport {
  synthMs: number;
  policyMs: number;
  policyFailures: number;
  stacks: number;
  sharedResources: number;
  maxServiceResources: number;
  totalResources: number;
  maxRssKb: number;
}

async function measureSynthesis(environment: string, services: number, repetitions: number, scratch: string): Promise<GrowthSynthesis> {
  progress(`growth: ${environment} × ${services} services, synthesis and policy ×${repetitions}`);
  const runs: { wallMs: number; rssKb: number; report: ChildReport }[] = [];
  for (let run = 0; run < repetitions; run += 1) {
    const outdir = join(scratch, `${environment}-${services}-${run}`);
    const child = await runChild([...TSX, 'bench/growth-child.ts', environment, String(services), outdir]);
    rmSync(outdir, { recursive: true, force: true });
    if (child.exitCode !== 0) return { environment, services, error: child.stderr.trim().split('\n')[0] };
    const report = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as ChildReport;
    runs.push({ wallMs: child.wallMs, rssKb: child.maxRssKb ?? report.maxRssKb, report });
  }
  const [first] = runs;
  return {
    environment,
    services,
    wall: stats(runs.map((run) => run.wallMs)),
    synth: stats(runs.map((run) => run.report.synthMs)),
    policy: stats(runs.map((run) => run.report.policyMs)),
    maxRssKb: statsOf(runs.map((run) => run.rssKb)),
    stacks: first.report.stacks,
    sharedResources: first.report.sharedResources,
    maxServiceResources: first.report.maxServiceResources,
    totalResources: first.report.totalResources,
    policyFailures: first.report.policyFailures,
  };
}

/** The drift self-check of some stacks of `fleetOf(environment, services)`, in this process, as `npm run drift -- --self-check` runs it. */
async function measureSelfCheck(environment: string, services: number, scope: GrowthSelfCheck['scope']): Promise<GrowthSelfCheck> {
  progress(`growth: self-check of ${environment} × ${services} services, ${scope}`);
  const { loadEnvironment } = await import('../config');
  const { fleetOf } = await import('../config/fleet');
  const { schemasReader } = await import('../tools/terraform/apply-state');
  const { quietEnvironment, terraformEnvironment, WORKDIR } = await import('../tools/terraform/environment');
  const { mapConcurrently, terraformConcurrency } = await import('../tools/terraform/run');
  const { selfCheckStack } = await import('../tools/terraform/self-check');
  const { SharedStates } = await import('../tools/terraform/shared-state');
  const { stackDirectory, synthesizeStacks } = await import('../tools/terraform/workspace');

  const config = { ...fleetOf(loadEnvironment(environment, { offline: true }), services), environment: `${environment}${services}` };
  const env = terraformEnvironment(quietEnvironment('drift', true)).env;
  const all = synthesizeStacks([config], true);
  const chosen = scope === 'all stacks' ? all : all.slice(0, 2);
  const schemasOnce = schemasReader(env);
  const sharedStates = new SharedStates(env, schemasOnce);
  const started = Date.now();
  try {
    const outcomes = await mapConcurrently(chosen, terraformConcurrency(), async ({ stack, service, shared }) => {
      try {
        await selfCheckStack(stack, env, schemasOnce, service ? await sharedStates.stateOf(shared) : undefined);
        return true;
      } catch (error) {
        progress(`growth: ${stack} self-check failed: ${error instanceof Error ? error.message : String(error)}`);
        return false;
      }
    });
    return { environment, services, scope, stacks: chosen.length, seconds: (Date.now() - started) / 1000, passed: outcomes.filter(Boolean).length };
  } finally {
    for (const { stack } of all) {
      rmSync(stackDirectory(stack, true), { recursive: true, force: true });
      for (const purpose of ['self-check', 'shared-state', 'offline']) rmSync(join(WORKDIR, purpose, stack), { recursive: true, force: true });
    }
  }
}

/**
 * Synthesis and policy of preview's fleet (rolling web services and workers) and prod's (blue/green
 * with HTTPS) at each count; the self-check of preview's.
 */
export async function benchGrowth(repetitions: number, environments: readonly string[] = ['preview', 'prod']): Promise<GrowthResults> {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-growth-'));
  try {
    const synthesis: GrowthSynthesis[] = [];
    for (const environment of environments) for (const services of GROWTH_COUNTS) synthesis.push(await measureSynthesis(environment, services, repetitions, scratch));
    const selfCheck: GrowthSelfCheck[] = [];
    for (const services of GROWTH_COUNTS) selfCheck.push(await measureSelfCheck(environments[0], services, 'shared + 1 service'));
    selfCheck.push(await measureSelfCheck(environments[0], 10, 'all stacks'));
    return { rssSource: HAS_GNU_TIME ? 'gnu-time (process tree)' : 'process.resourceUsage', synthesis, selfCheck };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
