/**
 * What every command and step receives: AWS clients, a clock, a reporter, the environment
 * variables and the interrupt signal. Tests pass fakes; nothing reaches into globals.
 */
import type { DeploymentInfo } from '@aws-sdk/client-codedeploy';
import type { Service } from '@aws-sdk/client-ecs';
import type { AwsClients } from './aws/clients';
import type { Reporter } from './cli/output';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Wait `ms`; resolves early (never rejects) when `signal` fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface Interrupts {
  /** Fires on the first Ctrl-C (SIGINT) or SIGTERM. */
  readonly signal: AbortSignal;
  /**
   * What the first Ctrl-C or SIGTERM will make the running command do, said before it does it;
   * set by the command as it goes (before the deployment exists, while it runs, in the
   * termination wait).
   */
  onInterrupt?: string;
  /** Said when Ctrl-C is pressed again while a stop is settling; set by whoever is stopping. */
  stoppingMessage?: string;
}

export interface Context {
  readonly clients: AwsClients;
  readonly clock: Clock;
  readonly out: Reporter;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly interrupts: Interrupts;
  /** HTTP client for `--verify` and chat notifications. */
  readonly fetch: typeof fetch;
  /** Several services at once: reads shared between their releases, and paced changes (steps/batched-calls.ts). */
  readonly batch?: BatchedCalls;
  /** Several services at once: where each release reports its phase, traffic and tasks (the live table). */
  readonly progress?: ProgressSink;
}

/**
 * Reads that many releases running at once share: one BatchGetDeployments answers for up to 25
 * deployments and one DescribeServices for up to 10 services, instead of one call each.
 */
export interface BatchedCalls {
  /**
   * The deployment as of a recent batch read sent no earlier than `since` (a caller that just
   * changed it must not be answered from before); undefined when the batch did not return it.
   */
  deployment(deploymentId: string, since?: number): Promise<DeploymentInfo | undefined>;
  /** The service, likewise. */
  service(cluster: string, serviceName: string, since?: number): Promise<Service | undefined>;
  /** Waits until one more task definition registration fits the account's published rate; returns early when `signal` fires. */
  paceRegistration(signal: AbortSignal): Promise<void>;
  /** The shortest interval between reads of one deployment's targets (lifecycle events, task sets). */
  readonly targetsIntervalMs: number;
}

/** One service's state for the live table; every field is optional, later updates keep earlier ones. */
export interface ProgressUpdate {
  /** `planning`, `registering`, a CodeDeploy status, a rollout state, `done`... */
  readonly phase?: string;
  /** Percent of production traffic on the new version (blue/green). */
  readonly traffic?: number;
  /** Running/desired tasks of the new version. */
  readonly tasks?: string;
}

export interface ProgressSink {
  update(update: ProgressUpdate): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** Base interval between status polls: `ECS_BG_POLL_MS` (end-to-end tests make it small), else 2 s. */
export function pollIntervalMs(env: Context['env']): number {
  const value = Number(env.ECS_BG_POLL_MS);
  return Number.isFinite(value) && value > 0 ? value : 2000;
}
