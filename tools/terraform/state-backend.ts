/**
 * A stack's state read and written through Terraform, whatever the backend (local file or S3):
 * `terraform state pull` and `terraform state push` in a working directory that holds only the
 * stack's backend block. No provider is installed there (a state push needs none), so this costs
 * one quick `init` per stack, and Terraform itself checks every state written: a push with another
 * lineage, or a serial lower than the stored one, is refused and changes nothing.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { JsonObject } from './plan-json';
import { terraform } from './run';
import type { StateFile } from './state-move';

/** The backend block of a synthesized stack: `{ local: { path } }`, `{ s3: { bucket, key, ... } }`. */
export type BackendBlock = Readonly<Record<string, JsonObject>>;

/** The `terraform.backend` block of a synthesized `cdk.tf.json`, a local path made absolute against the stack's directory. */
export function backendOf(synthesized: JsonObject, stackDir: string): BackendBlock {
  const backend = ((synthesized.terraform ?? {}) as JsonObject).backend as Record<string, JsonObject> | undefined;
  if (!backend || Object.keys(backend).length !== 1) throw new Error('the synthesized stack declares no backend');
  const local = backend.local;
  if (local && typeof local.path === 'string' && !isAbsolute(local.path)) return { local: { ...local, path: resolve(stackDir, local.path) } };
  return backend;
}

export interface StackState {
  readonly stack: string;
  /** Where Terraform runs for this stack's state. */
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
}

/** A working directory under `root` with only the backend block of `stack`, initialized. */
export async function openStackState(stack: string, backend: BackendBlock, root: string, env: NodeJS.ProcessEnv): Promise<StackState> {
  const dir = join(root, stack);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'backend.tf.json'), JSON.stringify({ terraform: { backend } }, null, 2));
  await terraform(['init', '-input=false', '-reconfigure'], dir, env);
  return { stack, dir, env };
}

/** The stack's state; undefined when it has none yet. */
export async function pullState(state: StackState): Promise<StateFile | undefined> {
  const text = (await terraform(['state', 'pull'], state.dir, state.env)).stdout.trim();
  if (text === '') return undefined;
  const parsed = JSON.parse(text) as StateFile;
  if (parsed.version !== 4) throw new Error(`${state.stack}: state format version ${String(parsed.version)}; this tool moves version 4 states (Terraform 0.12 and later)`);
  return parsed;
}

/** Writes `file` (saved beside the working directory's backend block) as the stack's state. */
export async function pushState(state: StackState, file: StateFile): Promise<void> {
  const path = join(state.dir, `serial-${file.serial}.tfstate`);
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
  await terraform(['state', 'push', path], state.dir, state.env);
}
