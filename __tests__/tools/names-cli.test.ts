/**
 * tools/names.ts, as workflows run it: the stacks of an environment in dependency order (the shared
 * stack, then one per service), and each name of a service including its stack.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { environmentStacks, loadEnvironment, serviceStackName } from '../../config';

const REPO_ROOT = join(__dirname, '..', '..');
const names = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/names.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

describe('npx tsx tools/names.ts', () => {
  it('prints the stacks of an environment one a line, shared first, then each service in configuration order', () => {
    const run = names(['--env', 'preview', 'stacks']);
    expect(run.status).toBe(0);
    const preview = loadEnvironment('preview');
    expect(run.stdout.trim().split('\n')).toEqual(environmentStacks(preview).map(({ stack }) => stack));
    expect(run.stdout.trim().split('\n')).toEqual(['shop-preview', 'shop-preview-web', 'shop-preview-worker']);
  }, 60_000);

  it("prints a service's stack", () => {
    const run = names(['--env', 'preview', '--service', 'worker', 'serviceStack']);
    expect(run.stdout.trim()).toBe(serviceStackName(loadEnvironment('preview'), { name: 'worker' }));
  }, 60_000);
});
