/** Turning SDK errors into one clear line and an exit code. */
import { ConfigError } from '../../config';
import { AwsFailureError, BadInputError, ReleaseError } from '../cli/errors';

/** The SDK's error name (`ServiceNotFoundException`, `ThrottlingException`, ...), or ''. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

export function hasName(error: unknown, ...names: string[]): boolean {
  return names.includes(errorName(error));
}

const REJECTED_CREDENTIALS = [
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
];

/** Anything thrown, as the error the entry point prints. */
export function toReleaseError(error: unknown): ReleaseError {
  if (error instanceof ReleaseError) return error;
  if (error instanceof ConfigError) return new BadInputError(error.problems.join('; '));
  const name = errorName(error);
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  if (name === 'CredentialsProviderError') {
    return new BadInputError('no AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY');
  }
  if (REJECTED_CREDENTIALS.includes(name)) {
    return new BadInputError(`AWS rejected the credentials (${name}): refresh them, or check AWS_PROFILE`);
  }
  const code = (error as { code?: string } | null)?.code;
  if (name === 'TimeoutError' || (code && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE)$/.test(code))) {
    return new AwsFailureError(`AWS endpoint unreachable after retries (${code ?? name}): ${message}`, error);
  }
  const sdkError = typeof error === 'object' && error !== null && ('$metadata' in error || '$fault' in error);
  if (sdkError) return new AwsFailureError(`AWS error ${name || 'unknown'} (after retries): ${message}`, error);
  return new AwsFailureError(`unexpected error${name ? ` ${name}` : ''}: ${message}`, error);
}
