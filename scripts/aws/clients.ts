/**
 * The AWS SDK clients the release tool uses, built with the SDK's own settings.
 *
 * The SDK reads AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> itself;
 * this module never shadows them. Only when neither the shared nor the per-service endpoint
 * variable is set does it apply the environment's `aws.endpoints` override (an emulator).
 */
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { EnvironmentConfig } from '../../config';
import { BadInputError } from '../cli/errors';
import type { FailedOperation } from './errors';

export interface AwsClients {
  readonly ecs: ECSClient;
  readonly codeDeploy: CodeDeployClient;
  readonly ecr: ECRClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly autoScaling: ApplicationAutoScalingClient;
  /** One-off tasks' log lines (`run`, `deploy --migrate`). */
  readonly logs: CloudWatchLogsClient;
}

type EnvironmentVariables = Readonly<Record<string, string | undefined>>;

/** Each client with its `aws.endpoints` key and the suffix of its SDK endpoint variable. */
const SERVICES = {
  ecs: { endpointKey: 'ecs', variable: 'AWS_ENDPOINT_URL_ECS' },
  codeDeploy: { endpointKey: 'codedeploy', variable: 'AWS_ENDPOINT_URL_CODEDEPLOY' },
  ecr: { endpointKey: 'ecr', variable: 'AWS_ENDPOINT_URL_ECR' },
  elbv2: { endpointKey: 'elbv2', variable: 'AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2' },
  autoScaling: { endpointKey: 'applicationautoscaling', variable: 'AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING' },
  logs: { endpointKey: 'logs', variable: 'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS' },
} as const;

/** SDK attempts per call (first try included): `ECS_BG_MAX_ATTEMPTS`, else 6. */
export function maxAttempts(vars: EnvironmentVariables): number {
  const value = Number(vars.ECS_BG_MAX_ATTEMPTS);
  return Number.isInteger(value) && value >= 1 ? value : 6;
}

/** Milliseconds one HTTP request may take: `ECS_BG_REQUEST_TIMEOUT_MS`, else 30 s. */
export function requestTimeoutMs(vars: EnvironmentVariables): number {
  const value = Number(vars.ECS_BG_REQUEST_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : 30_000;
}

/** The endpoint to pass for one client: undefined whenever the SDK's own variables decide. */
export function endpointOverride(env: EnvironmentConfig, service: keyof typeof SERVICES, vars: EnvironmentVariables): string | undefined {
  const { endpointKey, variable } = SERVICES[service];
  if (vars.AWS_ENDPOINT_URL || vars[variable]) return undefined;
  return env.aws.endpoints[endpointKey];
}

/**
 * The region to use: the one the SDK resolves (AWS_REGION or the profile), else the
 * environment's. A different resolved region is bad input: releasing `prod` into another region
 * would find nothing, or the wrong thing.
 */
export function chooseRegion(env: EnvironmentConfig, resolved: string | undefined): string {
  if (resolved && resolved !== env.region) {
    throw new BadInputError(
      `AWS region ${resolved} (from AWS_REGION or the profile) differs from environment ${env.environment}'s region ${env.region}; unset it or set AWS_REGION=${env.region}`,
    );
  }
  return env.region;
}

/**
 * The region the SDK would pick on its own, or undefined when none is configured. A region the
 * SDK rejects (a profile's `region = not a region`) is bad input, not "none configured".
 */
async function sdkResolvedRegion(env: EnvironmentConfig): Promise<string | undefined> {
  const probe = new ECSClient({});
  try {
    const region = await probe.config.region();
    return region || undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/region/i.test(message) && /not (accepted|a valid)|invalid/i.test(message)) {
      throw new BadInputError(`the AWS region from AWS_REGION or the profile is unusable (${message.split('\n')[0]}): set AWS_REGION=${env.region} or fix the profile's region`);
    }
    return undefined;
  } finally {
    probe.destroy();
  }
}

export async function createClients(env: EnvironmentConfig, vars: EnvironmentVariables): Promise<AwsClients> {
  const region = chooseRegion(env, await sdkResolvedRegion(env));
  const timeout = requestTimeoutMs(vars);
  // Emulators take any key; never invent credentials when the user configured some.
  const offlineCredentials =
    env.aws.offline && !vars.AWS_ACCESS_KEY_ID && !vars.AWS_PROFILE
      ? { accessKeyId: 'offline', secretAccessKey: 'offline' }
      : undefined;
  const common = (service: keyof typeof SERVICES) => ({
    region,
    maxAttempts: maxAttempts(vars),
    // Standard mode: exponential backoff with jitter on throttling, 5xx and connection resets.
    retryMode: 'standard',
    requestHandler: { connectionTimeout: Math.min(5_000, timeout), requestTimeout: timeout, throwOnRequestTimeout: true },
    ...(offlineCredentials ? { credentials: offlineCredentials } : {}),
    ...(endpointOverride(env, service, vars) ? { endpoint: endpointOverride(env, service, vars) } : {}),
  });
  const clients: AwsClients = {
    ecs: new ECSClient(common('ecs')),
    codeDeploy: new CodeDeployClient(common('codeDeploy')),
    ecr: new ECRClient(common('ecr')),
    elbv2: new ElasticLoadBalancingV2Client(common('elbv2')),
    autoScaling: new ApplicationAutoScalingClient(common('autoScaling')),
    logs: new CloudWatchLogsClient(common('logs')),
  };
  for (const client of Object.values(clients)) recordFailedOperation(client);
  return clients;
}

/**
 * Every error leaving a client carries the call it came from (`$operation`), so an AccessDenied
 * names the denied action even when AWS's message does not (scripts/aws/errors.ts).
 */
type Handler = (args: unknown) => Promise<unknown>;
interface InitializeStack {
  add(middleware: (next: Handler, context: { clientName?: string; commandName?: string }) => Handler, options: { step: 'initialize'; name: string }): void;
}

function recordFailedOperation(client: AwsClients[keyof AwsClients]): void {
  // The five clients' stacks differ only in their input and output types, which this ignores.
  (client.middlewareStack as unknown as InitializeStack).add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (error !== null && typeof error === 'object' && !('$operation' in error)) {
          const operation: FailedOperation = { clientName: String(context.clientName ?? ''), commandName: String(context.commandName ?? '') };
          Object.defineProperty(error, '$operation', { value: operation, enumerable: false });
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'recordFailedOperation' },
  );
}

export function destroyClients(clients: AwsClients): void {
  for (const client of Object.values(clients)) client.destroy();
}
