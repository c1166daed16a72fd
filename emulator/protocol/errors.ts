/**
 * Service errors as AWS sends them. A handler throws `AwsError`; the protocol layer turns it into
 * `{"__type": code, "message": ...}` (JSON) or `<ErrorResponse><Error><Code>` (query), so every
 * handler stays protocol-agnostic.
 */
export class AwsError extends Error {
  constructor(
    /** The error code the SDK maps to an exception class (`ServiceNotFoundException`, `TargetGroupNotFound`). */
    readonly code: string,
    message: string,
    /** HTTP status: 400 for the caller's mistakes, 5xx for the service's. */
    readonly status = 400,
    /** Query protocol only: `Sender` (client) or `Receiver` (server). */
    readonly type: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
    this.name = code;
  }
}

/** Shorthand for the common 400 client error. */
export function fail(code: string, message: string): never {
  throw new AwsError(code, message);
}

/** A required parameter is missing or empty: each service names this differently, so pass the code. */
export function required<T>(value: T | undefined | null | '', code: string, message: string): T {
  if (value === undefined || value === null || value === '') fail(code, message);
  return value;
}
