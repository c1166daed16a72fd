/**
 * `npm run demo`: watch whole releases without an AWS account.
 *
 * Starts the emulator (dev and preview environments, as Terraform would have left them), then runs
 * the real release tool (`scripts/deploy.ts`) against it, exactly as a person would with
 * AWS_ENDPOINT_URL set. Alongside the tool's own output, lines marked `aws │` show what the
 * emulated AWS does: lifecycle events, listener weights, task sets.
 *
 *   npm run demo -- [--time-scale MS] [--scenario all|release|migration|failed-migration|bad-image|rolling]
 */
import { spawn } from 'node:child_process';
import { environmentNames, loadEnvironment, serviceNames } from '../config';
import { startEmulator, type EmulatorHandle } from './emulator';
import { oneOffStatus, oneOffTimeline } from './simulation/one-off-tasks';

/** The dev environment's first service's ECR repository, named by the shared configuration. */
function devWebRepository(): string {
  const dev = loadEnvironment('dev');
  return serviceNames(dev, dev.services[0]).repository;
}

interface Scenario {
  title: string;
  explain: string[];
  args: string[];
  before?: (aws: EmulatorHandle) => void;
  expectedExit: number;
}

const SCENARIOS: Record<string, Scenario> = {
  release: {
    title: 'Release v1.1.0 of web to dev (blue/green, all at once)',
    explain: [
      'The tool pins the tag to its digest, registers a task definition revision and asks CodeDeploy for',
      'a blue/green deployment: a replacement task set starts on the idle target group, the test listener',
      'sees it first, then production traffic moves and the old tasks are kept for the termination wait.',
    ],
    args: ['deploy', '--env', 'dev', '--tag', 'v1.1.0'],
    expectedExit: 0,
  },
  migration: {
    title: 'Release v1.1.0 of web to dev with a database migration first',
    explain: [
      'After registering the new revision, the tool runs the migration as a one-off Fargate task of it, in',
      'the service\'s subnets with its roles and secrets, streaming its log lines; only when it exits 0 are',
      'auto scaling suspended and the blue/green deployment created. The old version serves meanwhile.',
    ],
    args: ['deploy', '--env', 'dev', '--tag', 'v1.1.0', '--migrate', 'node migrate.js up'],
    before: (aws) => void aws.scriptTasks({ exitCode: 0, durationSeconds: 20, logLines: ['migrating to 0042_add_email (expand: new nullable column)', 'applied 0042_add_email in 1.2s', 'schema is at 0042'] }),
    expectedExit: 0,
  },
  'failed-migration': {
    title: 'Release v1.2.0 whose migration fails',
    explain: [
      'The migration task exits 1. The release stops there: no deployment, no scaling change, and the',
      'version serving keeps serving; the tool shows the task\'s last lines and exit code.',
    ],
    args: ['deploy', '--env', 'dev', '--tag', 'v1.2.0', '--migrate', 'node migrate.js up'],
    before: (aws) => void aws.scriptTasks({ exitCode: 1, durationSeconds: 10, logLines: ['migrating to 0043_unique_email', 'ERROR: could not create unique index "users_email_key": duplicate key value'] }),
    expectedExit: 1,
  },
  'bad-image': {
    title: 'Release a broken build (v1.2.0, whose tasks never pass health checks)',
    explain: [
      'The replacement tasks start but fail their load balancer health checks. CodeDeploy gives up on',
      'Install and rolls back: production never leaves the version that works.',
    ],
    args: ['deploy', '--env', 'dev', '--tag', 'v1.2.0'],
    before: (aws) => aws.putImage({ repository: devWebRepository(), tag: 'v1.2.0', bad: true }),
    expectedExit: 1,
  },
  rolling: {
    title: 'Release v1.1.0 to preview (rolling update with the ECS circuit breaker)',
    explain: ['No CodeDeploy here: ECS starts new tasks, waits for them to be healthy, then stops the old ones.'],
    args: ['deploy', '--env', 'preview', '--service', 'web', '--tag', 'v1.1.0'],
    expectedExit: 0,
  },
  worker: {
    title: 'Release v1.1.0 of the worker to preview (no load balancer, rolling update)',
    explain: [
      'A queue consumer has no load balancer: ECS starts the new tasks, and the old ones get SIGTERM and up to',
      'their 120 s stop timeout to finish the job in flight; a task still protected by its job is left running.',
    ],
    args: ['deploy', '--env', 'preview', '--service', 'worker', '--tag', 'v1.1.0'],
    expectedExit: 0,
  },
};

const USAGE = `usage: npm run demo -- [--time-scale MS] [--scenario all|${Object.keys(SCENARIOS).join('|')}]`;

const HELP = `${USAGE}

Runs the real release tool against the local emulator, seeded as \`cdktf deploy\` leaves dev and
preview: a good blue/green release, a broken build rolled back, a rolling update. No AWS account.

  --time-scale MS   real milliseconds per emulated second (default 100: an emulated minute takes 6 s)
  --scenario NAME   one scenario, or all (default)
  -h, --help        this help

Exit codes: 0 every scenario ended as expected, 1 one did not, 2 bad arguments.`;

/** The demo's flags; undefined for --help. Bad flags throw one line. */
export function parseDemoArgs(argv: readonly string[]): { timeScale: number; scenarios: string[] } | undefined {
  let timeScale = 100;
  let scenarios = ['migration', 'failed-migration', 'bad-image', 'rolling', 'worker'];
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === '--help' || flag === '-h') return undefined;
    if (flag !== '--time-scale' && flag !== '--scenario') throw new Error(`unknown flag ${flag}; ${USAGE}`);
    const value = inline ?? argv[++i];
    if (flag === '--time-scale' && Number(value) > 0) timeScale = Number(value);
    else if (flag === '--scenario' && (value === 'all' || SCENARIOS[value])) scenarios = value === 'all' ? scenarios : [value];
    else throw new Error(`${flag} ${value ?? ''}: not a valid value; ${USAGE}`);
  }
  return { timeScale, scenarios };
}

/** Every line the demo prints goes through here, so the watcher knows how long it has been silent. */
let lastOutputAt = Date.now();
function emit(text: string): void {
  lastOutputAt = Date.now();
  process.stdout.write(text);
}

/** Longest the demo stays silent: after this, it says what it is waiting for. */
const HEARTBEAT_MS = 2_000;

type State = ReturnType<EmulatorHandle['state']>;

/** What the running scenario waits for, in words, from the emulated account's state. */
export function waitingFor(state: State, prefix: string): string {
  const deployment = state.deployments.find((d) => d.application.startsWith(prefix) && (d.status === 'InProgress' || d.status === 'Created'));
  if (deployment) {
    const kind = deployment.creator === 'codeDeployRollback' ? 'rollback' : 'deployment';
    if (deployment.instanceTerminationWaitTimeStarted) return `${kind} ${deployment.id}: termination wait, the old tasks are kept so a rollback is instant; CodeDeploy ends it on its own`;
    const event = deployment.lifecycleEvents.find((e) => e.status === 'InProgress');
    const service = state.services.find((candidate) => candidate.name.startsWith(prefix));
    const replacement = service?.taskSets.find((set) => set.status === 'ACTIVE');
    if (event?.name === 'Install' && replacement) return `${kind} ${deployment.id}: replacement tasks to pass the load balancer's health checks (${replacement.healthy}/${replacement.desired} healthy)`;
    return `${kind} ${deployment.id}: ${event?.name ?? deployment.status}`;
  }
  const task = state.oneOffTasks?.find((candidate) => candidate.taskDefinition.includes(`/${prefix}`) && candidate.status !== 'STOPPED');
  if (task) return `one-off task ${task.id.slice(0, 8)} (${task.command.join(' ')}) to finish: ${task.status}`;
  const rollout = state.services.find((service) => service.name.startsWith(prefix) && service.deployments.some((d) => d.rolloutState === 'IN_PROGRESS'));
  const primary = rollout?.deployments.find((d) => d.status === 'PRIMARY');
  if (primary) return `ECS rollout of ${rollout!.name}: new tasks to start and pass health checks (${primary.running}/${primary.desired} running)`;
  return 'the release tool';
}

/**
 * Prints what changes in the emulated account, one line per change, for the environment of the
 * running scenario only (`scope`); after HEARTBEAT_MS of silence, what it waits for.
 */
class Watcher {
  private readonly seen = new Map<string, string>();
  private prefix = '';
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly aws: EmulatorHandle) {
    this.timer = setInterval(() => this.poll(true), 100);
  }

  /** Watch this environment's resources (`<app>-<environment>`); changes elsewhere until now are taken as seen. */
  scope(prefix: string): void {
    this.poll(false);
    this.prefix = prefix;
  }

  /** Print the changes so far: a scenario's last AWS lines before its exit code. */
  flush(): void {
    this.poll(true);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private poll(print: boolean): void {
    const state = this.aws.state();
    const say = (key: string, line: string) => {
      if (this.seen.get(key) === line) return;
      this.seen.set(key, line);
      if (print && key.includes(this.prefix)) emit(`  aws │ ${line}\n`);
    };
    for (const deployment of state.deployments) {
      const current = deployment.lifecycleEvents.find((event) => event.status === 'InProgress' || event.status === 'Failed');
      const wait = deployment.instanceTerminationWaitTimeStarted && deployment.status === 'InProgress' ? ', termination wait (old tasks kept)' : '';
      const rolledBack = state.deployments.find((other) => other.rollbackInfo?.rollbackDeploymentId === deployment.id);
      const name = deployment.creator === 'codeDeployRollback' ? `CodeDeploy rollback ${deployment.id}${rolledBack ? ` of ${rolledBack.id}` : ''}` : `CodeDeploy ${deployment.id}`;
      say(`deployment ${deployment.application} ${deployment.id}`, `${name}: ${deployment.status}${current ? `, ${current.name} ${current.status}` : ''}${wait}`);
    }
    for (const listener of state.listeners) {
      const total = (listener.forward ?? []).reduce((sum, target) => sum + target.weight, 0) || 1;
      const forward = listener.forward?.map((target) => `${target.targetGroup} ${Math.round((target.weight / total) * 100)}%`).join(' / ');
      if (forward) say(`listener ${listener.loadBalancer} ${listener.arn}`, `${listener.loadBalancer}:${listener.port} → ${forward}`);
    }
    const sim = this.aws.emulator.sim;
    for (const task of sim.world.oneOffTasks) {
      const status = oneOffStatus(sim, task, sim.clock.now());
      const exit = status === 'STOPPED' && oneOffTimeline(sim, task).exitCode !== undefined ? `, exit code ${oneOffTimeline(sim, task).exitCode}` : '';
      say(`task ${task.taskDefinitionArn.split('/').pop()} ${task.id}`, `one-off task ${task.id.slice(0, 8)} (${task.taskDefinitionArn.split('/').pop()}, ${task.command.join(' ')}): ${status}${exit}`);
    }
    for (const service of state.services) {
      const sets = service.taskSets.map((set) => `${set.status} ${set.taskDefinition.split('/').pop()} ${set.healthy}/${set.desired} healthy`);
      const deployments = service.deployments.map((d) => `${d.status} ${d.taskDefinition.split('/').pop()} ${d.rolloutState} ${d.running}/${d.desired}`);
      say(`service ${service.name}`, `${service.name}: ${[...sets, ...deployments].join(', ')}`);
    }
    if (print && this.prefix && Date.now() - lastOutputAt > HEARTBEAT_MS) emit(`  ... │ waiting for ${waitingFor(state, this.prefix)}\n`);
  }
}

/** Run the release tool as a separate process pointed at the emulator; resolves with its exit code. */
function runTool(aws: EmulatorHandle, args: string[]): Promise<number> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...aws.env,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // The tool polls every 2 s of real time at its quickest; run its clock as fast as the emulator's.
    ECS_BG_POLL_MS: String(Math.max(20, Math.round(aws.ms(2)))),
  };
  for (const key of Object.keys(env)) if (key.startsWith('AWS_ENDPOINT_URL_') || key === 'AWS_PROFILE') delete env[key];
  emit(`\n$ npm run deploy -- ${args.join(' ')}\n`);
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'scripts/deploy.ts', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const relay = (stream: NodeJS.ReadableStream) => {
    let buffer = '';
    stream.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) emit(` tool │ ${line}\n`);
    });
    stream.on('end', () => buffer && emit(` tool │ ${buffer}\n`));
  };
  relay(child.stdout);
  relay(child.stderr);
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
}

async function main(): Promise<void> {
  const options = parseDemoArgs(process.argv.slice(2));
  if (!options) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const { timeScale, scenarios } = options;
  const environments = ['dev', 'preview'].map((name) => loadEnvironment(name, { offline: true }));
  const aws = await startEmulator({ environments, timeScale, replacementTimeoutMinutes: 2 });
  process.stdout.write(
    [
      `Emulated AWS at ${aws.url}: environments dev and preview, as \`cdktf deploy\` leaves them.`,
      `Time runs fast: one emulated minute takes ${((timeScale * 60) / 1000).toFixed(1)} s (--time-scale ${timeScale}).`,
      'Lines marked "tool │" are the release tool; lines marked "aws │" are what AWS does meanwhile.',
    ].join('\n') + '\n',
  );
  const watcher = new Watcher(aws);
  let failures = 0;
  try {
    for (const name of scenarios) {
      const scenario = SCENARIOS[name];
      emit(`\n=== ${scenario.title}\n${scenario.explain.map((line) => `    ${line}`).join('\n')}\n`);
      scenario.before?.(aws);
      const environment = scenario.args[scenario.args.indexOf('--env') + 1];
      watcher.scope(environmentNames(environments.find((env) => env.environment === environment)!).stack);
      const code = await runTool(aws, scenario.args);
      watcher.flush();
      const ok = code === scenario.expectedExit;
      if (!ok) failures += 1;
      emit(`=== exit code ${code}${ok ? ' (as expected)' : ` (expected ${scenario.expectedExit})`}\n`);
    }
    watcher.scope(environmentNames(environments[0]).stack);
    await runTool(aws, ['status', '--env', 'dev']);
  } finally {
    watcher.stop();
    await aws.close();
  }
  process.stdout.write(`\nDone. The control API (/_emulator/state, faults, alarms) and \`npm run emulator\` are described in emulator/README.md.\n`);
  process.exitCode = failures === 0 ? 0 : 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  });
}
