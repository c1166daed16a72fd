/**
 * cdktf's Testing helpers without the temp directory each of them leaves: `Testing.app()` and
 * `Testing.synthScope()` create an empty `cdktf.outdir.*` in the system temp folder per call and
 * never remove it. These give the app an outdir of its own and remove it once the stack is
 * synthesized (Testing.synth reads the stack, not the outdir).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Testing, TerraformStack } from 'cdktf';

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
