/**
 * The environments' verification hooks, run the way CodeDeploy runs them: when a deployment's
 * AppSpec names a verification hook function at AfterAllowTestTraffic, the simulation invokes it
 * (simulation/codedeploy.ts) and the event waits for its PutLifecycleEventHookExecutionStatus;
 * Failed fails the deployment and rolls it back.
 *
 * The function is the very code the stack packages (functions/verify-test-listener/index.js),
 * loaded in-process with a real CodeDeploy SDK client pointed at this emulator. Instead of the
 * load balancer's private addresses it reaches the emulated test listener, a control route whose
 * answer tests choose (`POST /_emulator/verification`); its log lines are kept for the state dump
 * and `GET /_emulator/verification`.
 */
import { environmentNames, hasVerificationHook, VERIFICATION_FUNCTION_SOURCE, verificationTargets, type EnvironmentConfig, type VerificationTargetSettings } from '../config';

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

export class VerificationHooks {
  /** Function name → its VERIFY_TARGETS. */
  private readonly functions = new Map<string, Record<string, TargetSettings>>();
  private responses = new Map<string, TestListenerResponse>();
  private lines: VerificationLogLine[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private endpoint?: { url: string; region: string; port: number };

  constructor(
    environments: readonly EnvironmentConfig[],
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
    const run = this.run(invocation, targets, this.endpoint).catch((error: unknown) => this.log(invocation, `function error: ${error instanceof Error ? error.message : String(error)}`));
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
          log: (line: string) => this.log(invocation, line),
        },
      );
    } finally {
      codedeploy.destroy();
    }
  }

  private log(invocation: HookInvocation, line: string): void {
    this.lines.push({ functionName: invocation.functionName, deploymentId: invocation.deploymentId, line });
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
