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

/** Error names AWS uses for a call the principal's policies do not allow. */
const ACCESS_DENIED = ['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'AuthorizationError', 'UnauthorizedException'];

/** The IAM service prefix of each SDK client the tool builds (Service Authorization Reference). */
const IAM_PREFIX: Readonly<Record<string, string>> = {
  ECSClient: 'ecs',
  CodeDeployClient: 'codedeploy',
  ECRClient: 'ecr',
  ElasticLoadBalancingV2Client: 'elasticloadbalancing',
  ApplicationAutoScalingClient: 'application-autoscaling',
  CloudWatchLogsClient: 'logs',
};

/** Where scripts/aws/clients.ts records the failed call on an SDK error. */
export interface FailedOperation {
  readonly clientName: string;
  readonly commandName: string;
}

/** `ecs:DescribeServices` for a failed SDK call, when known. */
export function failedAction(error: unknown): string | undefined {
  const operation = (error as { $operation?: FailedOperation } | null)?.$operation;
  if (operation?.clientName && operation.commandName) {
    return `${IAM_PREFIX[operation.clientName] ?? operation.clientName.replace(/Client$/, '').toLowerCase()}:${operation.commandName.replace(/Command$/, '')}`;
  }
  // AWS's own wording: "... is not authorized to perform: ecs:DescribeServices on resource: ...".
  const message = error instanceof Error ? error.message : '';
  return /not authorized to perform:? ([a-z0-9-]+:[A-Za-z0-9]+)/.exec(message)?.[1];
}

/** How many attempts the SDK made, when it says (its retry middleware records them). */
function attempts(error: unknown): number | undefined {
  return (error as { $metadata?: { attempts?: number } } | null)?.$metadata?.attempts;
}

/** " (after retries)" only when the call really was retried. */
function retriedText(error: unknown): string {
  const count = attempts(error);
  return count !== undefined && count > 1 ? ' (after retries)' : '';
}

/** The principal named in AWS's message ("User: arn:aws:sts::...:assumed-role/NAME/session is not authorized"). */
function deniedPrincipal(message: string): string | undefined {
  const arn = /User: (arn:aws[a-z-]*:[^ ]+)/.exec(message)?.[1];
  const role = arn ? /:assumed-role\/([^/]+)\//.exec(arn)?.[1] : undefined;
  return role ? `role ${role}` : arn;
}

/** Which operation was denied to whom, and which permission to add where. */
function accessDenied(error: unknown, name: string, message: string): AwsFailureError {
  const action = failedAction(error);
  const who = deniedPrincipal(message) ?? 'the current credentials';
  const permission = action ?? 'the permission this call needs (see the message)';
  return new AwsFailureError(
    `AWS denied ${action ?? 'a call'} to ${who} (${name}): add ${permission} to that role's policy (for the deploy role: config/release-permissions.ts, docs/identity.md), or release with a role that has it`,
    error,
  );
}

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
  if (ACCESS_DENIED.includes(name)) return accessDenied(error, name, message);
  const code = (error as { code?: string } | null)?.code;
  const retried = retriedText(error);
  if (name === 'TimeoutError' || (code && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE)$/.test(code))) {
    return new AwsFailureError(`AWS endpoint unreachable${retried} (${code ?? name}): ${message}`, error);
  }
  const sdkError = typeof error === 'object' && error !== null && ('$metadata' in error || '$fault' in error);
  if (sdkError) return new AwsFailureError(`AWS error ${name || 'unknown'}${retried}: ${message}`, error);
  return new AwsFailureError(`unexpected error${name ? ` ${name}` : ''}: ${message}`, error);
}
