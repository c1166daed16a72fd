/**
 * Offline commands (plan, validate, drift --state, the self-check) synthesize with fake credentials
 * and skipped AWS checks: never into cdktf.out/, where `cdktf deploy` or a `terraform` run by hand
 * would pick those settings up.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironment } from '../../config';
import { OUTDIR } from '../../tools/terraform/environment';
import { stackDirectory, synthesizeStacks } from '../../tools/terraform/workspace';

const configFile = (dir: string): string => join(dir, 'cdk.tf.json');
const fingerprint = (file: string): string => (existsSync(file) ? `${statSync(file).mtimeMs}:${readFileSync(file, 'utf8').length}` : 'absent');

describe('offline synthesis', () => {
  it('writes the fake-credential provider to .tf/synth/ and leaves cdktf.out/ as it was', () => {
    const stack = 'shop-dev';
    const deployed = configFile(join(OUTDIR, 'stacks', stack));
    const before = fingerprint(deployed);
    expect(synthesizeStacks([loadEnvironment('dev', { offline: true })], true)).toEqual([
      { environment: 'dev', stack, shared: stack },
      { environment: 'dev', stack: 'shop-dev-web', service: 'web', shared: stack },
    ]);
    expect(fingerprint(deployed)).toBe(before);
    const offline = JSON.parse(readFileSync(configFile(stackDirectory(stack, true)), 'utf8')) as { provider: { aws: { skip_credentials_validation?: boolean }[] } };
    expect(stackDirectory(stack, true).startsWith(OUTDIR)).toBe(false);
    expect(offline.provider.aws[0].skip_credentials_validation).toBe(true);
  }, 60_000);
});
