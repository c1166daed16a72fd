/** Errors the tool expects: each becomes one line on stderr and an exit code, never a stack trace. */
import { EXIT, type ExitCode } from './exit-codes';

export class ReleaseError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'ReleaseError';
  }
}

/** Bad flags, unknown names, a resource that does not match the configuration: nothing was changed. */
export class BadInputError extends ReleaseError {
  constructor(message: string) {
    super(message, EXIT.badInput);
    this.name = 'BadInputError';
  }
}

/** An AWS call that kept failing after the SDK's retries. */
export class AwsFailureError extends ReleaseError {
  constructor(
    message: string,
    readonly cause?: unknown,
  ) {
    super(message, EXIT.awsError);
    this.name = 'AwsFailureError';
  }
}
