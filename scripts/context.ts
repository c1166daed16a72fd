/**
 * What every command and step receives: AWS clients, a clock, a reporter, the environment
 * variables and the interrupt signal. Tests pass fakes; nothing reaches into globals.
 */
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
