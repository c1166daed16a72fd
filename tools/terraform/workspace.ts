/**
 * Synthesis and the working copies Terraform runs in.
 *
 * Offline commands never run in cdktf.out/, where `cdktf deploy` works against the real backend:
 * they copy the stack to `.tf/<purpose>/<stack>/` and add an override that swaps whatever backend
 * the stack declares (S3 included) for a local state file, so nothing can be left behind there.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdktf';
import { environmentNames, type EnvironmentConfig } from '../../config';
import { EnvironmentStack } from '../../modules/environment-stack';
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

/**
 * Synthesizes one stack per environment and returns the stack names: into cdktf.out/, or with
 * `offline` (configurations loaded offline) into `.tf/synth/`, leaving cdktf.out/ untouched.
 */
export function synthesizeStacks(configs: readonly EnvironmentConfig[], offline = false): string[] {
  requireTerraform();
  // cdktf creates only the last directory of outdir: `.tf/` does not exist in a fresh checkout.
  mkdirSync(synthesisDirectory(offline), { recursive: true });
  const app = new App({ outdir: synthesisDirectory(offline) });
  const stacks = configs.map((config) => {
    const stack = environmentNames(config).stack;
    new EnvironmentStack(app, stack, { config });
    return stack;
  });
  app.synth();
  return stacks;
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
  await terraform(['init', '-input=false', '-reconfigure'], dir, env);
  if (options.initialState) copyFileSync(options.initialState, stateFile);
  return { dir, stateFile, stack };
}

/** Whether a path names an existing file (for `--state`). */
export function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
