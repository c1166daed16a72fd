/**
 * `npm run demo`: watch whole releases without an AWS account.
 *
 * Starts the emulator (dev and preview environments, as Terraform would have left them), then runs
 * the real release tool (`scripts/deploy.ts`) against it, exactly as a person would with
 * AWS_ENDPOINT_URL set. Alongside the tool's own output, lines marked `aws │` show what the
 * emulated AWS does: lifecycle events, listener weights, task sets.
 *
 *   npm run demo -- [--time-scale MS] [--scenario all|release|bad-image|rolling]
 */
import { spawn } from 'node:child_process';
import { loadEnvironment, serviceNames } from '../config';
import { startEmulator, type EmulatorHandle } from './emulator';

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

function parseArgs(argv: string[]): { timeScale: number; scenarios: string[] } {
  let timeScale = 100;
  let scenarios = ['release', 'bad-image', 'rolling', 'worker'];
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = inline ?? argv[++i];
    if (flag === '--time-scale' && Number(value) > 0) timeScale = Number(value);
    else if (flag === '--scenario' && (value === 'all' || SCENARIOS[value])) scenarios = value === 'all' ? scenarios : [value];
    else throw new Error(`usage: npm run demo -- [--time-scale MS] [--scenario all|${Object.keys(SCENARIOS).join('|')}]`);
  }
  return { timeScale, scenarios };
}

/** Print what changes in the emulated account, one line per change. */
function watch(aws: EmulatorHandle): () => void {
  const seen = new Map<string, string>();
  const say = (key: string, line: string) => {
    if (seen.get(key) === line) return;
    seen.set(key, line);
    process.stdout.write(`  aws │ ${line}\n`);
  };
  const timer = setInterval(() => {
    const state = aws.state();
    for (const deployment of state.deployments) {
      const current = deployment.lifecycleEvents.find((event) => event.status === 'InProgress' || event.status === 'Failed');
      const wait = deployment.instanceTerminationWaitTimeStarted && deployment.status === 'InProgress' ? ', termination wait (old tasks kept)' : '';
      const who = deployment.creator === 'codeDeployRollback' ? ' (rollback)' : '';
      say(`deployment ${deployment.id}`, `CodeDeploy ${deployment.id}${who}: ${deployment.status}${current ? `, ${current.name} ${current.status}` : ''}${wait}`);
    }
    for (const listener of state.listeners) {
      const total = (listener.forward ?? []).reduce((sum, target) => sum + target.weight, 0) || 1;
      const forward = listener.forward?.map((target) => `${target.targetGroup} ${Math.round((target.weight / total) * 100)}%`).join(' / ');
      if (forward) say(`listener ${listener.arn}`, `${listener.loadBalancer}:${listener.port} → ${forward}`);
    }
    for (const service of state.services) {
      const sets = service.taskSets.map((set) => `${set.status} ${set.taskDefinition.split('/').pop()} ${set.healthy}/${set.desired} healthy`);
      const deployments = service.deployments.map((d) => `${d.status} ${d.taskDefinition.split('/').pop()} ${d.rolloutState} ${d.running}/${d.desired}`);
      say(`service ${service.name}`, `${service.name}: ${[...sets, ...deployments].join(', ')}`);
    }
  }, 100);
  return () => clearInterval(timer);
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
  process.stdout.write(`\n$ npm run deploy -- ${args.join(' ')}\n`);
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'scripts/deploy.ts', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const relay = (stream: NodeJS.ReadableStream) => {
    let buffer = '';
    stream.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(` tool │ ${line}\n`);
    });
    stream.on('end', () => buffer && process.stdout.write(` tool │ ${buffer}\n`));
  };
  relay(child.stdout);
  relay(child.stderr);
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
}

async function main(): Promise<void> {
  const { timeScale, scenarios } = parseArgs(process.argv.slice(2));
  const environments = ['dev', 'preview'].map((name) => loadEnvironment(name, { offline: true }));
  const aws = await startEmulator({ environments, timeScale, replacementTimeoutMinutes: 2 });
  process.stdout.write(
    [
      `Emulated AWS at ${aws.url}: environments dev and preview, as \`cdktf deploy\` leaves them.`,
      `Time runs fast: one emulated minute takes ${((timeScale * 60) / 1000).toFixed(1)} s (--time-scale ${timeScale}).`,
      'Lines marked "tool │" are the release tool; lines marked "aws │" are what AWS does meanwhile.',
    ].join('\n') + '\n',
  );
  const stopWatching = watch(aws);
  let failures = 0;
  try {
    for (const name of scenarios) {
      const scenario = SCENARIOS[name];
      process.stdout.write(`\n=== ${scenario.title}\n${scenario.explain.map((line) => `    ${line}`).join('\n')}\n`);
      scenario.before?.(aws);
      const code = await runTool(aws, scenario.args);
      const ok = code === scenario.expectedExit;
      if (!ok) failures += 1;
      process.stdout.write(`=== exit code ${code}${ok ? ' (as expected)' : ` (expected ${scenario.expectedExit})`}\n`);
    }
    await runTool(aws, ['status', '--env', 'dev']);
  } finally {
    stopWatching();
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
