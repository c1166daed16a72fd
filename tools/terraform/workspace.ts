/**
 * Synthesis and the working copies Terraform runs in.
 *
 * Offline commands never run in cdktf.out/, where `cdktf deploy` works against the real backend:
 * they copy the stack to `.tf/<purpose>/<stack>/` and add an override that swaps whatever backend
 * the stack declares (S3 included) for a local state file, so nothing can be left behind there.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdktf';
import { ConfigError, environmentStacks, findService, loadEnvironment, type EnvironmentConfig } from '../../config';
import { EnvironmentStacks } from '../../modules/environment-stacks';
import { OFFLINE_OUTDIR, OUTDIR, WORKDIR } from './environment';
import { requireTerraform } from './installed';
import { terraform } from './run';

/** Where a synthesis goes: cdktf.out/ (what `cdktf deploy` uses) unless offline. */
export function synthesisDirectory(offline: boolean): string {
  return offline ? OFFLINE_OUTDIR : OUTDIR;
}

/** A synthesized stack's directory: in cdktf.out/, or with `offline` in `.tf/synth/`. */
export function stackDirectory(stack: string, offline = false): string {
  return join(synthesisDirectory(offline), 'stacks', stack);
}

/** One synthesized stack: which environment, and which service (none: the environment's shared stack). */
export interface SynthesizedStack {
  readonly environment: string;
  readonly stack: string;
  /** The service the stack holds; absent for the shared stack. */
  readonly service?: string;
  /** The environment's shared stack (the stack itself for the shared stack). */
  readonly shared: string;
}

/**
 * Synthesizes every stack of the environments (shared stack, then one per service) and returns
 * them in dependency order: into cdktf.out/, or with `offline` (configurations loaded offline)
 * into `.tf/synth/`, leaving cdktf.out/ untouched.
 */
export function synthesizeStacks(configs: readonly EnvironmentConfig[], offline = false): SynthesizedStack[] {
  requireTerraform();
  // cdktf creates only the last directory of outdir: `.tf/` does not exist in a fresh checkout.
  mkdirSync(synthesisDirectory(offline), { recursive: true });
  const app = new App({ outdir: synthesisDirectory(offline) });
  for (const config of configs) new EnvironmentStacks(app, config);
  app.synth();
  return configs.flatMap((config) => {
    const [shared, ...services] = environmentStacks(config);
    return [shared, ...services].map((entry) => ({ environment: config.environment, stack: entry.stack, ...(entry.service ? { service: entry.service } : {}), shared: shared.stack }));
  });
}

/**
 * The configurations of the environments a command names, loaded (offline when asked); with
 * `--service`, that the service exists is checked here, before anything is synthesized.
 */
export function loadSelected(options: { readonly environments: readonly string[]; readonly service?: string }, offline: boolean): EnvironmentConfig[] {
  const configs = options.environments.map((name) => loadEnvironment(name, { offline }));
  if (options.service !== undefined) for (const config of configs) findService(config, options.service);
  return configs;
}

/**
 * The stacks a command runs on: every one (shared first), or with `service` that service's stack
 * only. `oneStack` (a state file names one stack's state): the shared stack unless `service`.
 */
export function selectStacks(stacks: readonly SynthesizedStack[], service: string | undefined, oneStack = false): SynthesizedStack[] {
  if (service !== undefined) return stacks.filter((entry) => entry.service === service);
  if (!oneStack) return [...stacks];
  const shared = stacks.filter((entry) => entry.service === undefined);
  if (shared.length !== 1) throw new ConfigError(['--state is one stack\'s state; pass --env NAME (the shared stack) or --env NAME --service NAME']);
  return shared;
}

export interface Workspace {
  /** Where Terraform runs: `.tf/<purpose>/<stack>/`. */
  readonly dir: string;
  /** The local state file the override points at. */
  readonly stateFile: string;
  readonly stack: string;
}

export interface WorkspaceOptions {
  /** What the copy is for; the directory under `.tf/`. */
  readonly purpose: string;
  /** A state file to start from (copied, never written); @default an empty state */
  readonly initialState?: string;
  /**
   * The shared stack's state a service stack's `terraform_remote_state` reads (a local file); required
   * for a stack that reads another, which offline cannot reach the real backend.
   */
  readonly sharedState?: string;
}

/** The names of the `terraform_remote_state` data sources a synthesized stack declares. */
export function remoteStateSources(synthesized: { data?: Record<string, Record<string, unknown>> }): string[] {
  return Object.keys(synthesized.data?.terraform_remote_state ?? {});
}

/** A fresh copy of the offline synthesis of `stack` with a local-state override, initialized. */
export async function prepareWorkspace(stack: string, options: WorkspaceOptions, env: NodeJS.ProcessEnv): Promise<Workspace> {
  const dir = join(WORKDIR, options.purpose, stack);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const source = stackDirectory(stack, true);
  for (const entry of readdirSync(source)) {
    const path = join(source, entry);
    if (statSync(path).isFile() && !entry.startsWith('.')) copyFileSync(path, join(dir, entry));
  }
  // Not terraform.tfstate: init would take a file of that name in the working directory for
  // legacy local state, "migrate" it into the backend (the same file) and truncate it.
  const stateFile = join(dir, 'local.tfstate');
  writeFileSync(join(dir, 'local_state_override.tf.json'), JSON.stringify({ terraform: { backend: { local: { path: stateFile } } } }, null, 2));
  // The same swap for what the stack reads of the shared stack: a local copy instead of its backend.
  const sources = remoteStateSources(JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')));
  if (sources.length > 0) {
    if (!options.sharedState) throw new Error(`${stack} reads the shared stack's state; pass sharedState`);
    const override = Object.fromEntries(sources.map((name) => [name, { backend: 'local', config: { path: options.sharedState } }]));
    writeFileSync(join(dir, 'remote_state_override.tf.json'), JSON.stringify({ data: { terraform_remote_state: override } }, null, 2));
  }
  await terraform(['init', '-input=false', '-reconfigure'], dir, env);
  if (options.initialState) copyFileSync(options.initialState, stateFile);
  return { dir, stateFile, stack };
}

/** Whether a path names an existing file (for `--state`). */
export function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
