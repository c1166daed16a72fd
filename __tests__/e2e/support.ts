/**
 * End-to-end harness: the release tool runs as its own process (`node scripts/launch.js ...`,
 * exactly what `npm run deploy` runs, without npm's start-up cost: the compiled dist/ when it is
 * current, else the sources through tsx, so an edited source is always what runs) with the real
 * SDK clients, pointed at an emulator running inside the test process. A test reads what a person
 * would see (exit code, stdout, stderr) and what AWS ended up with (state dump, call log).
 *
 * The emulator's clock can be paused: deployments then stand still while the tool keeps polling,
 * which gives a test a window of any length to press Ctrl-C or start a second command, with no
 * race against the emulated time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { ECSClient, TagResourceCommand } from '@aws-sdk/client-ecs';
import { loadEnvironment, TERRAFORM_REVISION_TAG_KEY, type EnvironmentConfig } from '../../config';
import { startEmulator, type CallRecord, type EmulatorHandle, type EmulatorOptions, type StateDump } from '../../emulator';
import { VERIFICATION_HOOK_ACCESS_KEY } from '../../emulator/verification-hook';
import { callsOutsideDeployPolicy, emulatedAccount } from '../support/deploy-policy';

// Tests also use SDK clients in-process; the SDK's notice about future Node versions is noise there.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const REPO_ROOT = resolve(__dirname, '../..');

/** Base poll interval handed to the tool (ECS_BG_POLL_MS). */
export const POLL_MS = 20;

/** A hung child is killed after this long, so a broken run fails its test instead of the suite. */
const DEFAULT_KILL_AFTER_MS = 25_000;

// ---------------------------------------------------------------- the emulator's clock

/** Wall clock for the emulator that a test can stop and restart; time does not jump on resume. */
export class PausableClock {
  private offset = 0;
  private pausedAt: number | undefined;

  readonly now = (): number => (this.pausedAt ?? Date.now()) - this.offset;

  get paused(): boolean {
    return this.pausedAt !== undefined;
  }

  pause(): void {
    this.pausedAt ??= Date.now();
  }

  resume(): void {
    if (this.pausedAt === undefined) return;
    this.offset += Date.now() - this.pausedAt;
    this.pausedAt = undefined;
  }
}

// ---------------------------------------------------------------- one emulator per test file

export interface E2e {
  readonly aws: EmulatorHandle;
  readonly clock: PausableClock;
  /**
   * Runs what a test does itself in AWS as another principal (Terraform applying a change): the
   * calls it makes are left out of the deploy policy check. Only while no CLI process runs, so
   * that no call of the tool can fall into the window.
   */
  asTerraform<T>(run: () => Promise<T>): Promise<T>;
}

/**
 * Starts one emulator for the file (seeded with `environments`), resets it before each test and
 * ends every child process a test left behind.
 */
export function useEmulator(environments: readonly (string | EnvironmentConfig)[], options: Omit<EmulatorOptions, 'environments' | 'now'> = {}): E2e {
  const clock = new PausableClock();
  // A name loads the configured environment; a config (e.g. a TEST_FLEET fleet) is seeded as it is.
  const configs = environments.map((environment) => (typeof environment === 'string' ? loadEnvironment(environment, { offline: true }) : environment));
  let handle: EmulatorHandle | undefined;
  /** Sequence numbers of the calls `asTerraform` made in this test. */
  let notByTheDeployRole = new Set<number>();
  beforeAll(async () => {
    handle = await startEmulator({
      timeScale: 2,
      ...options,
      environments: configs,
      now: clock.now,
    });
  });
  beforeEach(() => {
    clock.resume();
    handle?.reset();
    notByTheDeployRole = new Set();
  });
  afterEach(async () => {
    clock.resume();
    await killLeftovers();
    // The GitHub deploy role must be enough for whatever the test made the tool do, on the
    // resources AWS would authorize and under the policy's conditions (docs/identity.md).
    if (handle) {
      // The verification hook's calls are the function's role's, not the deploy role's.
      const byTheTool = handle.callLog().filter((call) => !notByTheDeployRole.has(call.seq) && call.accessKeyId !== VERIFICATION_HOOK_ACCESS_KEY);
      expect(callsOutsideDeployPolicy(byTheTool, configs, emulatedAccount(handle))).toEqual([]);
    }
  });
  afterAll(async () => {
    await handle?.close();
  });
  const aws = (): EmulatorHandle => {
    if (!handle) throw new Error('the emulator starts in beforeAll');
    return handle;
  };
  return {
    get aws(): EmulatorHandle {
      return aws();
    },
    clock,
    async asTerraform<T>(run: () => Promise<T>): Promise<T> {
      const calls = () => aws().callLog().length;
      const noCli = () => {
        if (running.size > 0) throw new Error('asTerraform while a CLI process runs: its calls could not be told apart');
      };
      noCli();
      const before = calls();
      try {
        return await run();
      } finally {
        noCli();
        for (let seq = before + 1; seq <= calls(); seq += 1) notByTheDeployRole.add(seq);
      }
    },
  };
}

// ---------------------------------------------------------------- running the CLI

export interface CliOptions {
  /** Extra variables for the child; `undefined` removes one. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Send `signal` the first time a stdout or stderr line matches. */
  readonly interruptOnOutput?: RegExp;
  /** Send `signal` once the emulator's state satisfies this (checked every few ms). */
  readonly interruptWhen?: (state: StateDump) => boolean;
  /** @default 'SIGINT' (Ctrl-C) */
  readonly signal?: NodeJS.Signals;
  /** Runs just before an automatic interrupt, e.g. to pause the emulator's clock at that instant. */
  readonly beforeInterrupt?: () => void;
  /** SIGKILL after this long. @default 25 s */
  readonly killAfterMs?: number;
  /**
   * Run `npm run deploy -- ARGS` as people and the release workflow do, in its own process group,
   * and interrupt the whole group as a terminal's Ctrl-C does (npm, its shell, the tool).
   */
  readonly viaNpm?: boolean;
}

export interface CliResult {
  readonly args: readonly string[];
  /** Exit code; null when a signal killed the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutLines: string[];
  readonly stderrLines: string[];
  readonly durationMs: number;
  /** The harness sent the interrupt signal. */
  readonly interrupted: boolean;
  /** The harness killed a hung process. */
  readonly killed: boolean;
}

/** The child's environment: only what the tool needs, nothing from the developer's AWS setup. */
export function childEnv(aws: EmulatorHandle, extra: CliOptions['env'] = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    // The shop example the emulator plays, in place of config/environments.ts (__tests__/support/example-config.ts).
    NODE_OPTIONS: process.env.NODE_OPTIONS,
    ...aws.env,
    // No profile, no shared files, no instance metadata: the SDK sees only the emulator.
    AWS_CONFIG_FILE: resolve(REPO_ROOT, '__tests__/e2e/no-such-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: resolve(REPO_ROOT, '__tests__/e2e/no-such-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ECS_BG_POLL_MS: String(POLL_MS),
    ECS_BG_MAX_ATTEMPTS: '4',
    ECS_BG_REQUEST_TIMEOUT_MS: '5000',
  };
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env;
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

const running = new Set<CliProcess>();

/** A CLI process under way. */
export class CliProcess {
  readonly child: ChildProcess;
  readonly done: Promise<CliResult>;
  private out = '';
  private err = '';
  private interruptSent = false;
  private readonly beforeInterrupt?: () => void;
  private killedByHarness = false;
  private readonly viaNpm: boolean;
  private readonly watchers: { pattern: RegExp; resolve: (line: string) => void }[] = [];

  constructor(
    readonly aws: EmulatorHandle,
    readonly args: readonly string[],
    options: CliOptions = {},
  ) {
    const started = Date.now();
    this.viaNpm = options.viaNpm === true;
    this.child = this.viaNpm
      ? spawn('npm', ['run', '--silent', 'deploy', '--', ...args], {
          cwd: REPO_ROOT,
          // npm's defaults (its script shell included), and no log files in the home directory.
          env: { ...childEnv(aws, options.env), NPM_CONFIG_LOGS_MAX: '0', NPM_CONFIG_UPDATE_NOTIFIER: 'false' },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        })
      : spawn(process.execPath, ['scripts/launch.js', ...args], {
          cwd: REPO_ROOT,
          env: childEnv(aws, options.env),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
    running.add(this);
    const signal = options.signal ?? 'SIGINT';
    this.beforeInterrupt = options.beforeInterrupt;
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.out += chunk.toString('utf8');
      this.check(options.interruptOnOutput, signal);
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.err += chunk.toString('utf8');
      this.check(options.interruptOnOutput, signal);
    });
    const killTimer = setTimeout(() => {
      this.killedByHarness = true;
      this.signalChild('SIGKILL');
    }, options.killAfterMs ?? DEFAULT_KILL_AFTER_MS);
    let stateTimer: NodeJS.Timeout | undefined;
    if (options.interruptWhen) {
      const condition = options.interruptWhen;
      stateTimer = setInterval(() => {
        if (!this.interruptSent && condition(aws.state())) this.autoInterrupt(signal);
      }, 5);
    }
    this.done = new Promise<CliResult>((resolveDone, reject) => {
      this.child.once('error', reject);
      this.child.once('close', (code, closedBy) => {
        clearTimeout(killTimer);
        if (stateTimer) clearInterval(stateTimer);
        running.delete(this);
        resolveDone({
          args,
          code,
          signal: closedBy,
          stdout: this.out,
          stderr: this.err,
          stdoutLines: lines(this.out),
          stderrLines: lines(this.err),
          durationMs: Date.now() - started,
          interrupted: this.interruptSent,
          killed: this.killedByHarness,
        });
      });
    });
  }

  /** Everything printed so far, stdout then stderr. */
  get output(): string {
    return `${this.out}\n${this.err}`;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Press Ctrl-C (or send another signal). */
  interrupt(signal: NodeJS.Signals = 'SIGINT'): void {
    this.interruptSent = true;
    this.signalChild(signal);
  }

  /** SIGKILL the tool (with `viaNpm`, npm and everything it started). */
  kill(): void {
    this.signalChild('SIGKILL');
  }

  /** The tool, or with `viaNpm` its whole process group. */
  private signalChild(signal: NodeJS.Signals): void {
    if (this.viaNpm && this.child.pid !== undefined) {
      try {
        process.kill(-this.child.pid, signal);
      } catch {
        // The group has already exited.
      }
      return;
    }
    this.child.kill(signal);
  }

  private autoInterrupt(signal: NodeJS.Signals): void {
    this.beforeInterrupt?.();
    this.interrupt(signal);
  }

  /** Resolves with the first complete line (stdout or stderr) matching `pattern`. */
  waitForOutput(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const found = this.findLine(pattern);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<string>((resolveLine, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no output line matching ${pattern} within ${timeoutMs} ms from ${this.args.join(' ')}\n${describeOutput(this.out, this.err)}`));
      }, timeoutMs);
      const watcher = {
        pattern,
        resolve: (line: string) => {
          clearTimeout(timer);
          resolveLine(line);
        },
      };
      this.watchers.push(watcher);
      void this.done.then(() => {
        if (!this.watchers.includes(watcher)) return;
        clearTimeout(timer);
        reject(new Error(`${this.args.join(' ')} exited before printing a line matching ${pattern}\n${describeOutput(this.out, this.err)}`));
      });
    });
  }

  private findLine(pattern: RegExp): string | undefined {
    const complete = (text: string) => text.split('\n').slice(0, -1);
    return [...complete(this.out), ...complete(this.err)].find((line) => pattern.test(line));
  }

  private check(interruptOn: RegExp | undefined, signal: NodeJS.Signals): void {
    if (interruptOn && !this.interruptSent && this.findLine(interruptOn) !== undefined) this.autoInterrupt(signal);
    for (const watcher of [...this.watchers]) {
      const line = this.findLine(watcher.pattern);
      if (line === undefined) continue;
      this.watchers.splice(this.watchers.indexOf(watcher), 1);
      watcher.resolve(line);
    }
  }
}

/** Start `npm run deploy -- ARGS` as a child process; it runs while the test does other things. */
export function startCli(aws: EmulatorHandle, args: readonly string[], options: CliOptions = {}): CliProcess {
  return new CliProcess(aws, args, options);
}

/** Run `npm run deploy -- ARGS` to its end. */
export function runCli(aws: EmulatorHandle, args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(aws, args, options).done;
}

/** SIGKILL whatever a finished test left running. */
export async function killLeftovers(): Promise<void> {
  const left = [...running];
  for (const cli of left) cli.kill();
  await Promise.all(left.map((cli) => cli.done.catch(() => undefined)));
}

// ---------------------------------------------------------------- assertions with context

function describeOutput(stdout: string, stderr: string): string {
  const indent = (text: string) => (text.trim() ? text.trimEnd().replace(/^/gm, '  ') : '  (nothing)');
  return `stdout:\n${indent(stdout)}\nstderr:\n${indent(stderr)}`;
}

export function describeRun(result: CliResult): string {
  const how = result.killed ? ' (killed by the harness: it hung)' : result.signal ? ` (signal ${result.signal})` : '';
  return `$ npm run deploy -- ${result.args.join(' ')}\nexit ${result.code}${how} after ${result.durationMs} ms\n${describeOutput(result.stdout, result.stderr)}`;
}

/** Fails with the whole output of the run when the exit code is not `code`. */
export function expectExit(result: CliResult, code: number): void {
  if (result.code !== code) throw new Error(`expected exit ${code}, got ${result.code}\n${describeRun(result)}`);
}

/**
 * The verdict a person reads last: the final stdout line on success, the final `error:` line on
 * stderr otherwise (verdicts of failed releases are errors).
 */
export function verdict(result: CliResult): string {
  if (result.code === 0) return result.stdoutLines[result.stdoutLines.length - 1] ?? '';
  const errors = result.stderrLines.filter((line) => line.startsWith('error: '));
  return errors[errors.length - 1] ?? '';
}

// ---------------------------------------------------------------- waiting on the emulator

/** Poll the emulator's state until `accept` holds; fails with `what` and the last state's summary. */
export async function waitForState(aws: EmulatorHandle, accept: (state: StateDump) => boolean, what: string, timeoutMs = 15_000): Promise<StateDump> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = aws.state();
    if (accept(state)) return state;
    if (Date.now() > deadline) throw new Error(`emulator never reached: ${what} (within ${timeoutMs} ms)\n${summarize(state)}`);
    await new Promise((wake) => setTimeout(wake, 5));
  }
}

/** Wait until the call log holds a call to `operation` (answered with `status`, default 200). */
export function waitForCall(aws: EmulatorHandle, operation: string, status = 200, timeoutMs = 15_000): Promise<StateDump> {
  return waitForState(aws, (state) => state.calls.some((call) => call.operation === operation && call.status === status), `a ${operation} call answered ${status}`, timeoutMs);
}

/** A short, readable account of the deployments and the listeners, for failure messages. */
export function summarize(state: StateDump): string {
  const deployments = state.deployments.map(
    (d) => `  ${d.id} ${d.deploymentGroup} ${d.status} (${d.creator}) ${d.lifecycleEvents.map((e) => `${e.name}:${e.status}`).join(' ')}`,
  );
  const listeners = state.listeners.map((l) => `  ${l.loadBalancer}:${l.port} → ${(l.forward ?? []).map((f) => `${f.targetGroup} ${f.weight}`).join(', ')}`);
  return ['deployments:', ...deployments, 'listeners:', ...listeners].join('\n');
}

// ---------------------------------------------------------------- reading the state

export const DEPLOY_TAG = { key: 'ReleasedBy', value: 'ecs-bluegreen-deploy' } as const;

export function serviceOf(state: StateDump, name: string): StateDump['services'][number] {
  const service = state.services.find((candidate) => candidate.name === name);
  if (!service) throw new Error(`no service ${name} in the emulator`);
  return service;
}

/** The target groups a listener sends traffic to (weight above zero). */
export function liveTargetGroups(state: StateDump, loadBalancer: string, port: number): string[] {
  const listener = state.listeners.find((candidate) => candidate.loadBalancer === loadBalancer && candidate.port === port);
  if (!listener) throw new Error(`no listener ${loadBalancer}:${port}`);
  return (listener.forward ?? []).filter((target) => target.weight > 0).map((target) => target.targetGroup);
}

export function taskDefinitionOf(state: StateDump, arn: string): StateDump['taskDefinitions'][number] {
  const definition = state.taskDefinitions.find((candidate) => candidate.arn === arn);
  if (!definition) throw new Error(`no task definition ${arn}`);
  return definition;
}

/**
 * What `cdktf apply` does once it registered a task definition revision: points the service's
 * TerraformRevision tag at it (TagResource, as Terraform's principal, not the deploy role).
 */
export async function recordTerraformRevision(e2e: E2e, service: string, revisionArn: string): Promise<void> {
  const { aws } = e2e;
  const ecs = new ECSClient({ endpoint: aws.url, region: aws.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    const resourceArn = serviceOf(aws.state(), service).arn;
    await e2e.asTerraform(() => ecs.send(new TagResourceCommand({ resourceArn, tags: [{ key: TERRAFORM_REVISION_TAG_KEY, value: revisionArn }] })));
  } finally {
    ecs.destroy();
  }
}

/** `family:revision` of an ARN. */
export function revisionOf(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

export function calls(aws: EmulatorHandle, operation?: string): CallRecord[] {
  return aws.callLog().filter((call) => operation === undefined || call.operation === operation);
}

/** Mutating calls AWS accepted (faulted attempts that changed nothing are left out). */
export function acceptedMutations(aws: EmulatorHandle): string[] {
  return aws
    .callLog()
    .filter((call) => call.mutating && call.status === 200)
    .map((call) => `${call.service}.${call.operation}`);
}

/** The digest-pinned URI of an image tag in a repository, as ECR reports it. */
export function pinnedImage(state: StateDump, repository: string, tag: string): string {
  const repo = state.repositories.find((candidate) => candidate.name === repository);
  const image = repo?.images.find((candidate) => candidate.tags.includes(tag));
  if (!repo || !image) throw new Error(`no image ${repository}:${tag}`);
  return `${repo.uri}@${image.digest}`;
}
