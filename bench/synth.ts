/**
 * Synthesis time per environment: in this process (modules already loaded, as tests and
 * tools/terraform.ts see it) and in a cold process per environment; and main.ts, every
 * environment in one process (what `npx tsx main.ts`, the cdktf app command, pays), with the
 * project's provider imports and with the provider package root imported instead.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAS_GNU_TIME, progress, ROOT, runChecked, stats, statsOf, timed, TSX, type Stats } from './measure';
import { makeSandbox } from './sandbox';
import { resourceCount, type Synthesized } from '../policy/synthesized';

export interface InProcessSynth {
  readonly environment: string;
  readonly stack: string;
  /** The first synthesis of this environment in this process. */
  readonly firstMs: number;
  /** The following `repetitions` syntheses. */
  readonly warm: Stats;
  readonly resources: number;
  readonly jsonBytes: number;
}

export interface ColdSynth {
  readonly environment: string;
  readonly wall: Stats;
  /** Node start to the script's first line, inside the child (tsx loader included). */
  readonly boot: Stats;
  /** Loading cdktf, the AWS provider bindings, config/ and modules/. */
  readonly load: Stats;
  readonly synth: Stats;
  /** Peak RSS of the process tree (GNU time), else the synthesizing process's own. */
  readonly maxRssKb?: Stats;
  readonly rssSource: 'gnu-time' | 'process.resourceUsage';
}

export interface SynthResults {
  readonly moduleLoadMs: number;
  readonly inProcess: InProcessSynth[];
  readonly cold: ColdSynth[];
  /** `tsx main.ts`: every environment, one process. */
  readonly mainTs: { wall: Stats; maxRssKb?: Stats };
  /** `npx tsx main.ts`, literally cdktf.json's app command: npx's own start-up on top. */
  readonly npxMainTs: { wall: Stats; maxRssKb?: Stats };
  /** `tsx main.ts` with every provider import taken from the package root (the naive form). */
  readonly providerRootMainTs: { wall: Stats; maxRssKb?: Stats };
}

/** The resources and JSON of all the stacks of an environment (shared and one per service). */
function environmentSize(outdir: string, stacks: readonly string[]): { resources: number; jsonBytes: number } {
  const sizes = stacks.map((stack) => stackSize(outdir, stack));
  return { resources: sizes.reduce((sum, size) => sum + size.resources, 0), jsonBytes: sizes.reduce((sum, size) => sum + size.jsonBytes, 0) };
}

/** Resources in a synthesized stack, and its JSON size. */
function stackSize(outdir: string, stack: string): { resources: number; jsonBytes: number } {
  const text = readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8');
  return { resources: resourceCount(JSON.parse(text) as Synthesized), jsonBytes: Buffer.byteLength(text) };
}

export async function benchSynth(environments: readonly string[], repetitions: number): Promise<SynthResults> {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  try {
    progress('synth: loading cdktf and modules in process');
    const loaded = await timed(async () => {
      const cdktf = await import('cdktf');
      const config = await import('../config');
      const stackModule = await import('../modules/environment-stacks');
      return { App: cdktf.App, config, EnvironmentStacks: stackModule.EnvironmentStacks };
    });
    const { App, config, EnvironmentStacks } = loaded.value;

    const inProcess: InProcessSynth[] = [];
    for (const environment of environments) {
      progress(`synth: ${environment} in process ×${repetitions + 1}`);
      const env = config.loadEnvironment(environment);
      const stack = config.environmentNames(env).stack;
      const samples: number[] = [];
      let size = { resources: 0, jsonBytes: 0 };
      for (let run = 0; run <= repetitions; run += 1) {
        const outdir = join(scratch, `in-process-${environment}-${run}`);
        const { ms } = await timed(() => {
          const app = new App({ outdir });
          new EnvironmentStacks(app, env);
          app.synth();
        });
        samples.push(ms);
        if (run === 0) size = environmentSize(outdir, config.environmentStacks(env).map((entry) => entry.stack));
        rmSync(outdir, { recursive: true, force: true });
      }
      inProcess.push({ environment, stack, firstMs: samples[0], warm: stats(samples.slice(1)), ...size });
    }

    const cold: ColdSynth[] = [];
    for (const environment of environments) {
      progress(`synth: ${environment} in a cold process ×${repetitions}`);
      const runs: { wallMs: number; bootMs: number; loadMs: number; synthMs: number; rssKb?: number }[] = [];
      for (let run = 0; run < repetitions; run += 1) {
        const outdir = join(scratch, `cold-${environment}-${run}`);
        const child = await runChecked([...TSX, join(ROOT, 'bench', 'synth-child.ts'), environment, outdir]);
        const inside = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { bootMs: number; loadMs: number; synthMs: number; maxRssKb: number };
        runs.push({ wallMs: child.wallMs, bootMs: inside.bootMs, loadMs: inside.loadMs, synthMs: inside.synthMs, rssKb: child.maxRssKb ?? inside.maxRssKb });
        rmSync(outdir, { recursive: true, force: true });
      }
      cold.push({
        environment,
        wall: stats(runs.map((run) => run.wallMs)),
        boot: stats(runs.map((run) => run.bootMs)),
        load: stats(runs.map((run) => run.loadMs)),
        synth: stats(runs.map((run) => run.synthMs)),
        maxRssKb: statsOf(runs.map((run) => run.rssKb)),
        rssSource: HAS_GNU_TIME ? 'gnu-time' : 'process.resourceUsage',
      });
    }

    // A shared stack and one stack per service in each environment.
    const expectedStacks = config.environmentNamesList().reduce((sum, name) => sum + config.environmentStacks(config.loadEnvironment(name)).length, 0);
    const mainTs = async (label: string, argv: string[], cwd = ROOT) => {
      progress(`synth: ${label} (all environments) ×${repetitions}`);
      const runs = [];
      for (let run = 0; run < repetitions; run += 1) {
        const outdir = join(scratch, `main-${run}`);
        // main.ts writes to CDKTF_OUTDIR when set (cdktf's App), so cdktf.out/ in the checkout is left alone.
        runs.push(await runChecked(argv, { cwd, env: { ...process.env, CDKTF_OUTDIR: outdir } }));
        const stacks = readdirSync(join(outdir, 'stacks'));
        if (stacks.length !== expectedStacks) throw new Error(`${label} synthesized ${stacks.length} stacks, expected ${expectedStacks}`);
        rmSync(outdir, { recursive: true, force: true });
      }
      return { wall: stats(runs.map((run) => run.wallMs)), maxRssKb: statsOf(runs.map((run) => run.maxRssKb)) };
    };
    const rootImports = makeSandbox({ providerRoot: true });
    try {
      return {
        moduleLoadMs: loaded.ms,
        inProcess,
        cold,
        mainTs: await mainTs('tsx main.ts', [...TSX, join(ROOT, 'main.ts')]),
        npxMainTs: await mainTs('npx tsx main.ts', ['npx', '--no-install', 'tsx', 'main.ts']),
        providerRootMainTs: await mainTs('tsx main.ts, provider root imports', [...TSX, 'main.ts'], rootImports),
      };
    } finally {
      rmSync(rootImports, { recursive: true, force: true });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
