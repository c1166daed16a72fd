/**
 * cdktf's Testing helpers without the temp directory each of them leaves: `Testing.app()` and
 * `Testing.synthScope()` create an empty `cdktf.outdir.*` in the system temp folder per call and
 * never remove it. These give the app an outdir of its own and remove it once the stack is
 * synthesized (Testing.synth reads the stack, not the outdir).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Testing, TerraformStack } from 'cdktf';
import { environmentStacks, type EnvironmentConfig } from '../../config';
import { EnvironmentStacks } from '../../modules/environment-stacks';
import type { Synthesized } from '../../policy/synthesized';

/** Run `use` with a Testing app whose outdir is removed afterwards, also when `use` throws. */
export function withTestApp<T>(use: (app: App) => T): T {
  const outdir = mkdtempSync(join(tmpdir(), 'cdktf-test-'));
  try {
    return use(Testing.app({ outdir }));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** `Testing.synthScope`: constructs built in a callback, synthesized to Terraform JSON (a string). */
export function synthScope(build: (scope: TerraformStack) => void): string {
  return withTestApp((app) => {
    const stack = new TerraformStack(app, 'stack');
    build(stack);
    return Testing.synth(stack);
  });
}

/**
 * Every stack of an environment, as main.ts builds them, each synthesized to its Terraform JSON,
 * in dependency order (config/names.ts `environmentStacks`). Tests that need an environment's
 * stacks whole (its facts, its policy) take them from here, so a change in how an environment is
 * split into stacks is made once.
 */
export function synthEnvironmentStacks(config: EnvironmentConfig): Synthesized[] {
  return withTestApp((app) => {
    // The app's synthesis, not Testing.synth of each stack: only it resolves cross-stack references.
    new EnvironmentStacks(app, config);
    app.synth();
    return environmentStacks(config).map(({ stack }) => JSON.parse(readFileSync(join(app.outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as Synthesized);
  });
}
