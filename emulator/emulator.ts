/**
 * The emulator: the simulated account seeded from the configuration, its HTTP server, and the
 * programmatic handle tests use in-process.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { environmentNames, hasVerificationHook, loadAllEnvironments, serviceNames, type EnvironmentConfig } from '../config';
import { CallLog, type CallRecord } from './calls';
import { addHookFailure, putImage, runLifecyclePolicy, scriptTasks, type AlarmInput, type HookFailureInput, type ImageInput, type ImageResult, type LifecycleInput } from './control';
import { Faults, type FaultInput, type FaultRule } from './faults';
import { createRequestListener } from './http';
import type { DeploymentRecord, HookFailureRule, TaskScript } from './model';
import { seedFromEnvironment, type SeedOptions } from './seed';
import { tripAlarm } from './services/codedeploy';
import { Simulation } from './simulation/engine';
import { dumpState, type StateDump } from './state';
import { VerificationHooks } from './verification-hook';

export interface EmulatorOptions {
  /** Environments to seed, as Terraform would have created them. @default every configured environment */
  readonly environments?: readonly EnvironmentConfig[];
  /** Real milliseconds per emulated second (see clock.ts). @default 10 */
  readonly timeScale?: number;
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Address to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Account id in every ARN and the ECR registry id. @default '123456789012' */
  readonly accountId?: string;
  /** Emulated minutes before an unhealthy replacement fails Install (AWS: 60). @default 5 */
  readonly replacementTimeoutMinutes?: number;
  /** Seeding choices (initial image tags). */
  readonly seed?: SeedOptions;
  /** Wall clock, for tests that drive time themselves. @default Date.now */
  readonly now?: () => number;
  /** Receives one line per API call (the CLI prints them). @default none */
  readonly log?: (line: string) => void;
}

export const DEFAULT_TIME_SCALE = 10;

/** The CloudWatch Logs groups an environment's stack creates: each service's, and its verification hook's. */
function logGroupsOf(env: EnvironmentConfig): string[] {
  const services = env.services.map((service) => serviceNames(env, service).logGroup);
  return hasVerificationHook(env) ? [...services, environmentNames(env).verificationHookLogGroup] : services;
}
export const DEFAULT_ACCOUNT_ID = '123456789012';

export class Emulator {
  readonly sim: Simulation;
  readonly faults = new Faults();
  readonly calls = new CallLog();
  readonly environments: readonly EnvironmentConfig[];
  readonly logLine?: (line: string) => void;
  /** The environments' verification hook functions, which deployments run at AfterAllowTestTraffic. */
  readonly verification: VerificationHooks;
  private readonly seedOptions: SeedOptions;

  constructor(options: EmulatorOptions = {}) {
    this.environments = options.environments ?? loadAllEnvironments({ offline: true });
    this.seedOptions = options.seed ?? {};
    this.logLine = options.log;
    this.sim = new Simulation({
      timeScale: options.timeScale ?? DEFAULT_TIME_SCALE,
      accountId: options.accountId ?? DEFAULT_ACCOUNT_ID,
      now: options.now,
      replacementTimeoutMinutes: options.replacementTimeoutMinutes ?? 5,
    });
    this.verification = new VerificationHooks(this.environments, this.sim);
    this.sim.hookInvoker = (invocation) => this.verification.invoke(invocation);
    this.seed();
  }

  private seed(): void {
    for (const env of this.environments) {
      seedFromEnvironment(this.sim, env, this.seedOptions);
      for (const group of logGroupsOf(env)) this.sim.world.logGroups.add(group);
    }
  }

  /** Back to the freshly seeded account; faults, hook failures and the call log are cleared. */
  reset(): void {
    this.sim.clear();
    this.faults.clear();
    this.calls.clear();
    this.verification.reset();
    this.seed();
  }

  state(): StateDump {
    this.sim.advance();
    return dumpState(this.sim, { faults: this.faults.list(), calls: this.calls.all() });
  }

  callLog(): CallRecord[] {
    return this.calls.all();
  }

  addFault(input: FaultInput): FaultRule {
    return { ...this.faults.add(input) };
  }

  clearFaults(): void {
    this.faults.clear();
  }

  putImage(input: ImageInput): ImageResult {
    return putImage(this, input);
  }

  runLifecyclePolicy(input: LifecycleInput): ReturnType<typeof runLifecyclePolicy> {
    return runLifecyclePolicy(this, input);
  }

  tripAlarm(input: AlarmInput): DeploymentRecord {
    this.sim.advance();
    return tripAlarm(this.sim, input);
  }

  failHook(input: HookFailureInput): HookFailureRule {
    return addHookFailure(this, input);
  }

  scriptTasks(...scripts: TaskScript[]): TaskScript[] {
    return scriptTasks(this, scripts);
  }
}

/** What `startEmulator` returns: the running server and the emulator behind it. */
export interface EmulatorHandle {
  /** `http://127.0.0.1:<port>`: the AWS_ENDPOINT_URL for every SDK client. */
  readonly url: string;
  readonly port: number;
  /** Region of the first seeded environment (the SDK's region must be set to something). */
  readonly region: string;
  readonly accountId: string;
  readonly timeScale: number;
  /** Environment variables that point a child process's SDK at the emulator. */
  readonly env: Readonly<Record<string, string>>;
  /** The emulator itself: `emulator.sim.world` is the live state, `emulator.sim.clock` the time. */
  readonly emulator: Emulator;
  state(): StateDump;
  callLog(): CallRecord[];
  addFault(input: FaultInput): FaultRule;
  clearFaults(): void;
  putImage(input: ImageInput): ImageResult;
  runLifecyclePolicy(input: LifecycleInput): ReturnType<typeof runLifecyclePolicy>;
  tripAlarm(input: AlarmInput): DeploymentRecord;
  failHook(input: HookFailureInput): HookFailureRule;
  /** What the next one-off tasks (RunTask) do: exit code, duration, log lines, failure to start. */
  scriptTasks(...scripts: TaskScript[]): TaskScript[];
  reset(): void;
  /** Real milliseconds that `seconds` emulated seconds take. */
  ms(seconds: number): number;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const emulator = new Emulator(options);
  const listener = createRequestListener(emulator);
  const server: Server = createServer((request, response) => {
    void listener(request, response);
  });
  server.keepAliveTimeout = 5000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  // Deployments progress while nobody asks: tick about once per emulated second, 5-100 ms.
  const timer = setInterval(() => emulator.sim.advance(), Math.min(100, Math.max(5, emulator.sim.clock.timeScale)));
  timer.unref();

  const url = `http://${host}:${port}`;
  const region = emulator.environments[0]?.region ?? 'us-east-1';
  emulator.verification.attach(url, region, port);
  const accountId = emulator.sim.world.accountId;
  return {
    url,
    port,
    region,
    accountId,
    timeScale: emulator.sim.clock.timeScale,
    env: {
      AWS_ENDPOINT_URL: url,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    },
    emulator,
    state: () => emulator.state(),
    callLog: () => emulator.callLog(),
    addFault: (input) => emulator.addFault(input),
    clearFaults: () => emulator.clearFaults(),
    putImage: (input) => emulator.putImage(input),
    runLifecyclePolicy: (input) => emulator.runLifecyclePolicy(input),
    tripAlarm: (input) => emulator.tripAlarm(input),
    failHook: (input) => emulator.failHook(input),
    scriptTasks: (...scripts) => emulator.scriptTasks(...scripts),
    reset: () => emulator.reset(),
    ms: (seconds) => emulator.sim.clock.ms(seconds),
    close: async () => {
      await emulator.verification.settled();
      await new Promise<void>((resolve, reject) => {
        clearInterval(timer);
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
