/**
 * The adoption path, checked end to end on a scratch copy of this repository (in the system temp
 * folder, removed afterwards; node_modules linked, not copied): `npm run init` under new names,
 * then `npm run plan -- --all`, `npm run policy -- --all`, a release of every dev service
 * against the local emulator, and a part of `npm test` that shows the suite still passes under
 * the new names (SUITE_AFTER_INIT). `npm test` runs it (__tests__/tools/init.test.ts).
 *
 *   npx tsx tools/adopt-check.ts [--keep]      # --keep leaves the scratch copy and prints where
 *
 * Exit codes: 0 every step passed, 1 a step failed (its output is printed), 2 bad arguments.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..');
const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

/** The answers the check gives init: names unlike the example's, two services, prod in its own account. */
export const ADOPT_CHECK_INIT_FLAGS = [
  '--app', 'acme', '--region', 'eu-west-1', '--account', '111122223333', '--prod-account', '444455556666',
  '--repository', 'acme-corp/store', '--service', 'api:8080:/healthz', '--service', 'web',
] as const;

/**
 * Test files run in the scratch copy after init, a few seconds' worth: your configuration checked
 * under its new names, and suites that name the example's resources in process (deploy/) and in a
 * process they start (emulator/server-cli), which pass only because the tests pin the example
 * (__tests__/support/example-config.ts). Each of them failed after init before the pin.
 */
export const SUITE_AFTER_INIT = ['__tests__/infra/configured-environments.test.ts', '__tests__/deploy/commands.test.ts', '__tests__/emulator/server-cli.test.ts'] as const;

const USAGE = 'usage: npx tsx tools/adopt-check.ts [--keep]';

class StepFailed extends Error {}

/** The files of the checkout (tracked and new, not ignored ones: no node_modules, .tf, dist). */
function checkoutFiles(): string[] {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new StepFailed(`git ls-files failed in ${REPO_ROOT}: ${listed.stderr.trim()}`);
  return listed.stdout.split('\0').filter((file) => file && file !== 'node_modules');
}

function scratchCopy(): string {
  const files = checkoutFiles();
  const dir = mkdtempSync(join(tmpdir(), 'ecs-bg-adopt-'));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(REPO_ROOT, file), join(dir, file), { dereference: false, errorOnExist: false });
  }
  symlinkSync(realpathSync(join(REPO_ROOT, 'node_modules')), join(dir, 'node_modules'));
  return dir;
}

function run(dir: string, what: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): string {
  const started = Date.now();
  const result = spawnSync(command, [...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new StepFailed(`${what}: exit ${result.status ?? result.signal}\n${output}`);
  console.log(`ok  ${what} [${((Date.now() - started) / 1000).toFixed(1)} s]`);
  return output;
}

function expectIn(output: string, what: string, ...needles: string[]): void {
  const missing = needles.filter((needle) => !output.includes(needle));
  if (missing.length > 0) throw new StepFailed(`${what}: output lacks ${missing.map((needle) => `"${needle}"`).join(', ')}\n${output}`);
}

/** `npm run emulator` for dev, and the variables that point the SDK at it (read from its banner). */
async function startEmulator(dir: string): Promise<{ child: ChildProcess; env: NodeJS.ProcessEnv }> {
  const child = spawn(TSX, ['emulator/server.ts', '--env', 'dev', '--quiet', '--time-scale', '5'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let banner = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new StepFailed(`emulator: no banner after 60 s\n${banner}`)), 60_000);
    child.stderr!.on('data', (chunk: Buffer) => (banner += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      banner += chunk.toString();
      const exports = banner.match(/^\s*export (.+)$/m);
      if (!exports) return;
      clearTimeout(timer);
      const env = Object.fromEntries(exports[1].trim().split(/\s+/).map((pair) => pair.split(/=(.*)/s, 2)));
      resolvePromise({ child, env });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new StepFailed(`emulator exited (${code}) before it listened\n${banner}`));
    });
  });
}

async function check(dir: string): Promise<void> {
  const init = run(dir, 'npm run init under new names', TSX, ['tools/init.ts', ...ADOPT_CHECK_INIT_FLAGS]);
  expectIn(init, 'init', 'acme-dev and acme-prod', 'npm run plan');
  const plan = run(dir, 'npm run plan -- --all', TSX, ['tools/terraform.ts', 'plan', '--all']);
  expectIn(plan, 'plan', 'acme-dev:', 'acme-prod:');
  const policy = run(dir, 'npm run policy -- --all', TSX, ['tools/policy.ts', '--all']);
  expectIn(policy, 'policy', ' 0 failed', '2 environment(s)');
  const { child, env } = await startEmulator(dir);
  try {
    const release = run(dir, 'a release of acme-dev (api and web) against the emulator', process.execPath, ['scripts/launch.js', '--env', 'dev', '--all', '--tag', 'v1.2.0'], {
      ...env,
      AWS_ACCESS_KEY_ID: 'emulator',
      AWS_SECRET_ACCESS_KEY: 'emulator',
      ECS_BG_POLL_MS: '20',
    });
    expectIn(release, 'release', 'dev/api: released acme-dev-api:', 'dev/web: released acme-dev-web:');
  } finally {
    child.kill('SIGTERM');
  }
  // Jest's cache inside the copy, so it goes with it.
  const suite = run(dir, `npm test's ${SUITE_AFTER_INIT.length} files under the new names`, join(REPO_ROOT, 'node_modules', '.bin', 'jest'), ['--cacheDirectory', join(dir, '.jest-cache'), ...SUITE_AFTER_INIT]);
  expectIn(suite, 'tests', `Test Suites: ${SUITE_AFTER_INIT.length} passed, ${SUITE_AFTER_INIT.length} total`);
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    console.log(USAGE);
    return 0;
  }
  const unknown = argv.find((arg) => arg !== '--keep');
  if (unknown !== undefined) {
    console.error(`unknown argument ${unknown}; ${USAGE}`);
    return 2;
  }
  const dir = scratchCopy();
  try {
    await check(dir);
    console.log(`adoption path passed on a scratch copy (${dir})`);
    return 0;
  } catch (error) {
    if (!(error instanceof StepFailed)) throw error;
    console.error(`FAILED ${error.message}`);
    return 1;
  } finally {
    if (argv.includes('--keep')) console.log(`scratch copy kept: ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
