/**
 * Every npm script behaves like `npm run deploy` on its command line: `--help` prints usage and
 * exits 0, an unknown flag exits 2 with one line; and without Terraform, every script that needs
 * it says so in one line. The scripts run as package.json spells them (npm's PATH, without npm).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const ROOT = join(__dirname, '../..');
const SCRIPTS: Record<string, string> = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function npmRun(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const child = spawn('sh', ['-c', `${SCRIPTS[script]} "$@"`, script, ...args], {
    cwd: ROOT,
    env: { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH}`, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const COMMANDS = ['plan', 'validate', 'synth', 'drift', 'policy', 'demo', 'bench', 'emulator', 'init', 'migrate-state', 'plan-comment'] as const;

describe('every npm script on its command line', () => {
  it.each(COMMANDS)('%s --help prints usage and exits 0', async (script) => {
    const run = await npmRun(script, ['--help']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(new RegExp(`^usage: npm run (${script}|<synth\\|validate\\|plan>) --`, 'i'));
  });

  it.each(COMMANDS)('%s with an unknown flag exits 2 with one line', async (script) => {
    const run = await npmRun(script, ['--no-such-flag']);
    expect({ code: run.code, stdout: run.stdout, lines: run.stderr.trimEnd().split('\n').length }).toEqual({ code: 2, stdout: '', lines: 1 });
    expect(run.stderr).toContain('--no-such-flag');
  });
});

describe('without Terraform', () => {
  const NO_TERRAFORM = { TERRAFORM_BINARY_NAME: join(ROOT, 'no-such-dir', 'terraform') };
  const LINE = /^\S+terraform is not on the PATH: this command needs Terraform 1\.10 or newer \(https:\/\/developer\.hashicorp\.com\/terraform\/install; or set TERRAFORM_BINARY_NAME\)$/;

  it.each([
    ['synth', []],
    ['validate', []],
    ['plan', []],
    ['drift', ['--self-check']],
    ['policy', []],
    ['migrate-state', ['--env', 'dev']],
  ] as const)('%s says so in one line and exits 2', async (script, args) => {
    const run = await npmRun(script, args, NO_TERRAFORM);
    expect({ code: run.code, stderr: run.stderr.trimEnd() }).toEqual({ code: 2, stderr: expect.stringMatching(LINE) });
  });
});
