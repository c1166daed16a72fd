/**
 * What the infrastructure workflow runs, run: tools/ci/plan-stacks.sh and tools/ci/apply-stacks.sh
 * under bash with a fake `terraform` on the PATH that records every call and saves a plan file
 * naming its stack, against preview's stacks (shared, web, worker) as tools/names.ts lists them.
 * The order stacks are planned and applied in, that only stacks with changes are saved and
 * applied, each with its own plan file, and that service stacks wait when the shared stack changes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { environmentStacks, loadEnvironment } from '../../config';
import { readPlans } from '../../tools/plan-comment';
import { planMarkdown } from '../../tools/terraform/plan-report';

const ROOT = resolve(__dirname, '../..');
const [SHARED, WEB, WORKER] = environmentStacks(loadEnvironment('preview')).map((entry) => entry.stack);

/** Plans exit 2 for stacks in FAKE_CHANGES and 1 for FAKE_FAIL; show -json says the same; apply needs this stack's plan file. */
const FAKE_TERRAFORM = `#!/usr/bin/env bash
dir=.
args=()
for arg in "$@"; do case "$arg" in -chdir=*) dir="\${arg#-chdir=}" ;; *) args+=("$arg") ;; esac; done
stack="$(basename "$dir")"
echo "$stack \${args[*]}" >> "$FAKE_LOG"
has() { case " $1 " in *" $stack "*) return 0 ;; esac; return 1; }
case "\${args[0]}" in
  init) case " \${args[*]} " in *" -lockfile=readonly "*) ;; *) echo "lock of $stack" > "$dir/.terraform.lock.hcl" ;; esac ;;
  plan)
    if has "$FAKE_FAIL"; then echo "Error: planning $stack" >&2; exit 1; fi
    echo "plan of $stack" > "$dir/tfplan"
    if has "$FAKE_CHANGES"; then exit 2; fi ;;
  show)
    action='"no-op"'; if has "$FAKE_CHANGES"; then action='"update"'; fi
    echo "{\\"format_version\\":\\"1.2\\",\\"planned_values\\":{\\"root_module\\":{}},\\"resource_changes\\":[{\\"address\\":\\"aws_ecs_service.s\\",\\"mode\\":\\"managed\\",\\"type\\":\\"aws_ecs_service\\",\\"name\\":\\"s\\",\\"provider_name\\":\\"aws\\",\\"change\\":{\\"actions\\":[$action],\\"before\\":null,\\"after\\":null}}]}" ;;
  apply) [ "$(cat "$dir/tfplan")" = "plan of $stack" ] || { echo "wrong plan in $dir" >&2; exit 1; }; echo "applied $(cat "$dir/tfplan")" >> "$FAKE_LOG" ;;
esac
`;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  /** The fake terraform's calls: "<stack> <command> <args...>". */
  readonly calls: string[];
}

let dir: string;

function script(name: string, args: string[], env: Record<string, string> = {}): Run {
  const outputFile = join(dir, 'github-output');
  writeFileSync(outputFile, '');
  writeFileSync(join(dir, 'calls.log'), '');
  const run = spawnSync('bash', [join(ROOT, 'tools', 'ci', name), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, ENVIRONMENT: 'preview', SERVICE: '', GITHUB_OUTPUT: outputFile, FAKE_LOG: join(dir, 'calls.log'), FAKE_CHANGES: '', FAKE_FAIL: '', ...env },
  });
  const outputs = Object.fromEntries(readFileSync(outputFile, 'utf8').split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  const calls = readFileSync(join(dir, 'calls.log'), 'utf8').split('\n').filter(Boolean);
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, outputs, calls };
}

const commands = (run: Run, command: string) => run.calls.filter((call) => call.split(' ')[1] === command).map((call) => call.split(' ')[0]);
const saved = () => (existsSync(join(dir, 'saved-plans')) ? readdirSync(join(dir, 'saved-plans')).sort() : []);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'infrastructure-stacks-'));
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'terraform'), FAKE_TERRAFORM, { mode: 0o755 });
  for (const stack of [SHARED, WEB, WORKER]) mkdirSync(join(dir, 'cdktf.out', 'stacks', stack), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('tools/ci/plan-stacks.sh', () => {
  it('plans the shared stack first, then each service stack, and saves the plan of only the stack with changes', () => {
    const run = script('plan-stacks.sh', [], { FAKE_CHANGES: WORKER });
    expect(run.status).toBe(0);
    expect(commands(run, 'plan')).toEqual([SHARED, WEB, WORKER]);
    expect(run.calls).toContain(`${WORKER} plan -input=false -lock=false -detailed-exitcode -no-color -out=tfplan`);
    expect(run.outputs).toEqual({ shared: 'false', services: WORKER, deferred: 'false' });
    expect(saved()).toEqual([WORKER]);
    expect(readFileSync(join(dir, 'saved-plans', WORKER, 'tfplan'), 'utf8')).toBe(`plan of ${WORKER}\n`);
    expect(existsSync(join(dir, 'saved-plans', WORKER, '.terraform.lock.hcl'))).toBe(true);
  }, 60_000);

  it('when the shared stack changes, plans it alone: the service stacks wait for its apply', () => {
    const run = script('plan-stacks.sh', [], { FAKE_CHANGES: `${SHARED} ${WEB}` });
    expect(run.status).toBe(0);
    expect(commands(run, 'plan')).toEqual([SHARED]);
    expect(run.outputs).toEqual({ shared: 'true', services: '', deferred: 'true' });
    expect(saved()).toEqual([SHARED]);
  }, 60_000);

  it('for a pull request to look at (every), plans every stack even when the shared one changes', () => {
    const run = script('plan-stacks.sh', ['every'], { FAKE_CHANGES: `${SHARED} ${WEB}` });
    expect(commands(run, 'plan')).toEqual([SHARED, WEB, WORKER]);
    expect(run.outputs).toEqual({ shared: 'true', services: WEB, deferred: 'false' });
  }, 60_000);

  it('after the shared apply, plans every service stack and never the shared one', () => {
    const run = script('plan-stacks.sh', ['services'], { FAKE_CHANGES: `${SHARED} ${WEB} ${WORKER}` });
    expect(commands(run, 'plan')).toEqual([WEB, WORKER]);
    expect(run.outputs).toEqual({ shared: 'false', services: `${WEB} ${WORKER}`, deferred: 'false' });
  }, 60_000);

  it('with the service input, plans that service\'s stack only', () => {
    const run = script('plan-stacks.sh', [], { SERVICE: 'web', FAKE_CHANGES: WEB });
    expect(commands(run, 'plan')).toEqual([WEB]);
    expect(run.outputs.services).toBe(WEB);
  }, 60_000);

  it('plans the other stacks when one fails, then exits 1; the summary shows the failure first', () => {
    const run = script('plan-stacks.sh', [], { FAKE_FAIL: WEB, FAKE_CHANGES: WORKER });
    expect(run.status).toBe(1);
    expect(commands(run, 'plan')).toEqual([SHARED, WEB, WORKER]);
    expect(run.stdout).toContain(`::error::${WEB}: terraform plan failed (exit 1)`);
    expect(run.outputs.services).toBe(WORKER);
    const markdown = planMarkdown(readPlans('preview', [SHARED, WEB, WORKER], join(dir, 'plans')));
    expect(markdown.split('\n').filter((line) => line.startsWith('| `'))).toEqual([
      `| \`${WEB}\` | – | – | – | – | **FAILED**: terraform plan failed (exit 1) |`,
      `| \`${WORKER}\` | 0 | 1 | 0 | 0 |  |`,
    ]);
    expect(markdown).toContain(`No changes: \`${SHARED}\``);
    expect(markdown).toContain('Planned against: its backend (refreshed).');
  }, 60_000);
});

describe('tools/ci/apply-stacks.sh', () => {
  function savePlan(stack: string): void {
    mkdirSync(join(dir, 'saved-plans', stack), { recursive: true });
    writeFileSync(join(dir, 'saved-plans', stack, 'tfplan'), `plan of ${stack}`);
    writeFileSync(join(dir, 'saved-plans', stack, '.terraform.lock.hcl'), `lock of ${stack}`);
  }

  it('applies each stack in the order given with its own saved plan, after an init with the plan\'s lock file, read-only', () => {
    savePlan(WORKER);
    savePlan(WEB);
    const run = script('apply-stacks.sh', [WEB, WORKER]);
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([
      `${WEB} init -input=false -lockfile=readonly -no-color`,
      `${WEB} apply -input=false -no-color tfplan`,
      `applied plan of ${WEB}`,
      `${WORKER} init -input=false -lockfile=readonly -no-color`,
      `${WORKER} apply -input=false -no-color tfplan`,
      `applied plan of ${WORKER}`,
    ]);
    expect(readFileSync(join(dir, 'cdktf.out', 'stacks', WEB, '.terraform.lock.hcl'), 'utf8')).toBe(`lock of ${WEB}`);
  }, 60_000);

  it('stops at a stack without a saved plan and names what it did not apply', () => {
    savePlan(SHARED);
    const run = script('apply-stacks.sh', [SHARED, WEB, WORKER]);
    expect(run.status).toBe(1);
    expect(commands(run, 'apply')).toEqual([SHARED]);
    expect(run.stdout).toContain(`::error::${WEB}: no saved plan in saved-plans/${WEB}/`);
    expect(run.stdout).toContain(`::error::not applied: ${WEB} ${WORKER} (run the workflow again to plan them afresh)`);
  }, 60_000);
});

describe('the infrastructure workflow\'s choice of service plans', () => {
  type Step = { id?: string; run?: string; env?: Record<string, string> };
  const workflow = parse(readFileSync(join(ROOT, '.github', 'workflows', 'infrastructure.yml'), 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
  const choose = workflow.jobs['apply-services'].steps.find((step) => step.id === 'plans')!;

  function chosen(shared: string): Record<string, string> {
    const outputFile = join(dir, 'github-output');
    writeFileSync(outputFile, '');
    // The region line runs tools/names.ts; only the choice is under test here.
    const body = choose.run!.split('\n').filter((line) => !line.includes('tools/names.ts')).join('\n');
    const run = spawnSync('bash', ['-euo', 'pipefail', '-c', body], { env: { ...process.env, ENVIRONMENT: 'preview', SHARED: shared, PLANNED: WEB, REPLANNED: `${WEB} ${WORKER}`, GITHUB_OUTPUT: outputFile }, encoding: 'utf8' });
    expect(run.status).toBe(0);
    return Object.fromEntries(readFileSync(outputFile, 'utf8').split('\n').filter(Boolean).map((line) => line.split('=') as [string, string]));
  }

  it('applies the plans made after the shared apply when the shared stack changed, else the first ones', () => {
    expect(chosen('true')).toEqual({ artifact: 'tfplan-preview-after-shared', stacks: `${WEB} ${WORKER}` });
    expect(chosen('false')).toEqual({ artifact: 'tfplan-preview', stacks: WEB });
  });
});
