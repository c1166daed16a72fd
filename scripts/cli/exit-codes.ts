/**
 * Exit codes of `npm run deploy`, in one table: the entry point, every command's `--help` and
 * docs/releases.md read them from here.
 */
export const EXIT = {
  /** Released (or nothing to do: the service already runs this image). */
  succeeded: 0,
  /** The deployment failed and was rolled back: the old version is serving. */
  failed: 1,
  /**
   * Bad input, a failed check, or a release that lost the race for the deployment group: nothing
   * serves differently (a revision registered before the race was lost stays as an unused artifact).
   */
  badInput: 2,
  /** Stopped on request (stop command, Ctrl-C) and rolled back. */
  stopped: 3,
  /** `--timeout` elapsed: the deployment was stopped with rollback, which CodeDeploy completes. */
  timedOut: 4,
  /** An AWS error persisted after retries; the state is reported. */
  awsError: 5,
  /** Interrupted, the deployment left running: `--detach`, or traffic had already moved (termination wait). */
  detached: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** One line per code, for `--help` and the docs. */
export const EXIT_CODE_HELP: readonly (readonly [ExitCode, string])[] = [
  [EXIT.succeeded, 'succeeded (also: nothing to do, the service already runs this image)'],
  [EXIT.failed, 'deployment failed and was rolled back (old version serving)'],
  [EXIT.badInput, 'bad input, failed check or lost race (nothing serves differently; at most an unused revision)'],
  [EXIT.stopped, 'stopped by request or Ctrl-C, rolled back'],
  [EXIT.timedOut, 'timed out (--timeout): stop with rollback requested, CodeDeploy completes it'],
  [EXIT.awsError, 'AWS error that persisted after retries (state reported)'],
  [EXIT.detached, 'interrupted, deployment left running (--detach, or traffic had already moved)'],
];

/**
 * Several services released at once end with the most telling code: an AWS error first, since
 * its state is the least known, then timeouts, failures (a stop is often only their consequence,
 * under --fail-fast), stops, detached runs and bad input.
 */
const SEVERITY: readonly ExitCode[] = [EXIT.awsError, EXIT.timedOut, EXIT.failed, EXIT.stopped, EXIT.detached, EXIT.badInput, EXIT.succeeded];

export function combineExitCodes(codes: readonly ExitCode[]): ExitCode {
  return SEVERITY.find((code) => codes.includes(code)) ?? EXIT.succeeded;
}

export function exitCodeHelp(): string {
  return [
    'Exit codes:',
    ...EXIT_CODE_HELP.map(([code, text]) => `  ${code}  ${text}`),
    `Several services (--all, --service a,b): the most telling of their codes, in this order: ${SEVERITY.join(', ')}.`,
  ].join('\n');
}
