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
  return new AwsFailureError(`AWS error ${name || 'unknown'}: ${message}`, error);
}
