/**
 * The environments' verification hooks, run the way CodeDeploy runs them: when a deployment's
 * AppSpec names a verification hook function at AfterAllowTestTraffic, the simulation invokes it
 * (simulation/codedeploy.ts) and the event waits for its PutLifecycleEventHookExecutionStatus;
 * Failed fails the deployment and rolls it back.
 *
 * The function is the very code the stack packages (functions/verify-test-listener/index.js),
 * loaded in-process with a real CodeDeploy SDK client pointed at this emulator. Instead of the
 * load balancer's private addresses it reaches the emulated test listener, a control route whose
 * answer tests choose (`POST /_emulator/verification`).
 *
 * What the function prints goes where Lambda puts it: the function's log group
 * (`/aws/lambda/<function>`), a stream per execution environment named
 * `YYYY/MM/DD/[$LATEST]<hex>`, in the runtime's text format (`START RequestId: …`, then
 * `<time>\t<request id>\tINFO\t<line>` per console.log, `END` and `REPORT`), where FilterLogEvents
 * finds it (services/logs.ts). The lines are also kept for `GET /_emulator/verification`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { environmentNames, hasVerificationHook, VERIFICATION_FUNCTION_SOURCE, verificationTargets, type EnvironmentConfig, type VerificationTargetSettings } from '../config';
import { appendLogEvent } from './services/logs';

import type { HookInvocation } from './simulation/context';
import type { Simulation } from './simulation/engine';

/** The control route that plays a deployment group's test listener: `<prefix>/<deployment group><path>`. */
export const TEST_LISTENER_ROUTE = '/_emulator/test-listener';

/** The access key id the function's SDK client signs with: its calls are told apart in the call log. */
export const VERIFICATION_HOOK_ACCESS_KEY = 'EMULATEDVERIFICATIONHOOK';

/** What the emulated test listener answers. */
export interface TestListenerResponse {
  /** HTTP status. @default 200 */
  status: number;
  /** JSON body. @default { status: 'ok' } */
  body: unknown;
}

export interface VerificationInput extends Partial<TestListenerResponse> {
  /** Only this deployment group's test listener. @default every one */
  deploymentGroupName?: string;
}

export interface VerificationLogLine {
  functionName: string;
  deploymentId: string;
  line: string;
}

/** The function module's surface the emulator uses (the file is plain JavaScript). */
interface VerificationFunctionModule {
  verifyDeployment(event: { DeploymentId: string; LifecycleEventHookExecutionId: string }, deps: Record<string, unknown>): Promise<string>;
}

type TargetSettings = VerificationTargetSettings;

const DEFAULT_RESPONSE: TestListenerResponse = { status: 200, body: { status: 'ok' } };

/** One invocation's log: where Lambda writes what the function prints. */
interface InvocationLog {
  readonly logGroup: string;
  readonly logStream: string;
  readonly requestId: string;
  readonly startedAt: number;
}

/** A Lambda log stream name: the day, the version, an execution environment's id. */
function lambdaLogStream(at: number): string {
  return `${new Date(at).toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

export class VerificationHooks {
  /** Function name → its VERIFY_TARGETS. */
  private readonly functions = new Map<string, Record<string, TargetSettings>>();
  private responses = new Map<string, TestListenerResponse>();
  private lines: VerificationLogLine[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private endpoint?: { url: string; region: string; port: number };

  constructor(
    private readonly environments: readonly EnvironmentConfig[],
    private readonly sim: Simulation,
  ) {
    for (const env of environments) if (hasVerificationHook(env)) this.functions.set(environmentNames(env).verificationHook, verificationTargets(env));
  }

  /** Where the function's SDK client and HTTP requests go: this emulator's server. Until then hooks run on their timer. */
  attach(url: string, region: string, port: number): void {
    this.endpoint = { url, region, port };
  }

  /** The simulation's hook invoker: runs the function when it is one of the environments' verification hooks. */
  invoke(invocation: HookInvocation): boolean {
    const targets = this.functions.get(invocation.functionName);
    if (!targets || !this.endpoint) return false;
    const run = this.run(invocation, targets, this.endpoint).catch((error: unknown) => this.log(invocation, undefined, `function error: ${error instanceof Error ? error.message : String(error)}`));
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return true;
  }

  private async run(invocation: HookInvocation, targets: Record<string, TargetSettings>, endpoint: { url: string; region: string; port: number }): Promise<void> {
    // The packaged file itself, loaded at first use, with the SDK the repository installs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fn = require(`${VERIFICATION_FUNCTION_SOURCE}/index.js`) as VerificationFunctionModule;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require('@aws-sdk/client-codedeploy') as typeof import('@aws-sdk/client-codedeploy');
    const codedeploy = new sdk.CodeDeployClient({ endpoint: endpoint.url, region: endpoint.region, credentials: { accessKeyId: VERIFICATION_HOOK_ACCESS_KEY, secretAccessKey: 'emulated' } });
    const startedAt = this.sim.clock.now();
    const log: InvocationLog = { logGroup: environmentNames(this.environmentOf(invocation.functionName)).verificationHookLogGroup, logStream: lambdaLogStream(startedAt), requestId: randomUUID(), startedAt };
    this.write(log, `START RequestId: ${log.requestId} Version: $LATEST`);
    try {
      await fn.verifyDeployment(
        { DeploymentId: invocation.deploymentId, LifecycleEventHookExecutionId: invocation.lifecycleEventHookExecutionId },
        {
          codedeploy,
          sdk,
          targets,
          endpoints: (target: { deploymentGroupName?: string }) => {
            const group = Object.keys(targets).find((name) => targets[name] === target) ?? '';
            return [{ protocol: 'HTTP', host: '127.0.0.1', port: endpoint.port, pathPrefix: `${TEST_LISTENER_ROUTE}/${group}` }];
          },
          // The function's pauses are real seconds in AWS: emulated seconds here.
          sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, this.sim.clock.ms(ms / 1000))),
          log: (line: string) => this.log(invocation, log, line),
          now: Date.now,
        },
      );
    } finally {
      codedeploy.destroy();
      const durationMs = this.sim.clock.seconds(log.startedAt, this.sim.clock.now()) * 1000;
      this.write(log, `END RequestId: ${log.requestId}`);
      this.write(log, `REPORT RequestId: ${log.requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\tMemory Size: 128 MB\tMax Memory Used: 80 MB\t`);
    }
  }

  /** The environment whose verification hook a function is. */
  private environmentOf(functionName: string): EnvironmentConfig {
    const env = this.environments.find((candidate) => environmentNames(candidate).verificationHook === functionName);
    if (!env) throw new Error(`${functionName} is no environment's verification hook`);
    return env;
  }

  /** One event of the function's log group, as the Lambda runtime writes it (each ends in a newline). */
  private write(log: InvocationLog, message: string): void {
    appendLogEvent(this.sim.world, { logGroup: log.logGroup, logStream: log.logStream, timestamp: this.sim.clock.now(), message: `${message}\n` });
  }

  /** A console.log of the function: the runtime's text format, `<time>\t<request id>\tINFO\t<line>`. */
  private log(invocation: HookInvocation, log: InvocationLog | undefined, line: string): void {
    this.lines.push({ functionName: invocation.functionName, deploymentId: invocation.deploymentId, line });
    if (log) this.write(log, `${new Date(this.sim.clock.now()).toISOString()}\t${log.requestId}\tINFO\t${line}`);
  }

  /** Set what a test listener answers (every one without a group). */
  setResponse(input: VerificationInput): TestListenerResponse {
    const response = { status: input.status ?? DEFAULT_RESPONSE.status, body: input.body ?? DEFAULT_RESPONSE.body };
    if (!Number.isInteger(response.status) || response.status < 100 || response.status > 599) throw new Error('status must be an HTTP status code');
    this.responses.set(input.deploymentGroupName ?? '*', response);
    return response;
  }

  /** The emulated test listener's answer for a deployment group. */
  response(deploymentGroupName: string): TestListenerResponse {
    return this.responses.get(deploymentGroupName) ?? this.responses.get('*') ?? DEFAULT_RESPONSE;
  }

  /** The functions' log lines, oldest first. */
  logLines(): VerificationLogLine[] {
    return this.lines.map((line) => ({ ...line }));
  }

  reset(): void {
    this.responses = new Map();
    this.lines = [];
  }

  /** Wait for functions still running (tests close the emulator after them). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
