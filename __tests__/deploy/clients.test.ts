import { loadEnvironment, parseEnvironment } from '../../config';
import { ENVIRONMENTS } from '../../config/environments';
import { chooseRegion, endpointOverride, maxAttempts, requestTimeoutMs } from '../../scripts/aws/clients';
import { toReleaseError } from '../../scripts/aws/errors';
import { combineExitCodes, EXIT } from '../../scripts/cli/exit-codes';
import { parseDuration } from '../../scripts/cli/args';

const withEndpoints = parseEnvironment('dev', { ...ENVIRONMENTS.dev, aws: { endpoints: { ecs: 'http://127.0.0.1:4566', codedeploy: 'http://127.0.0.1:4566' } } });

describe('AWS clients', () => {
  it('uses the environment region when the SDK resolves none, and refuses a different one', () => {
    const env = loadEnvironment('prod');
    expect(chooseRegion(env, undefined)).toBe('ap-northeast-1');
    expect(chooseRegion(env, 'ap-northeast-1')).toBe('ap-northeast-1');
    expect(() => chooseRegion(env, 'us-east-1')).toThrow('AWS region us-east-1 (from AWS_REGION or the profile) differs from environment prod\'s region ap-northeast-1');
  });

  it('applies configured endpoints only when neither AWS_ENDPOINT_URL nor the service variable is set', () => {
    expect(endpointOverride(withEndpoints, 'ecs', {})).toBe('http://127.0.0.1:4566');
    expect(endpointOverride(withEndpoints, 'ecs', { AWS_ENDPOINT_URL: 'http://other' })).toBeUndefined();
    expect(endpointOverride(withEndpoints, 'ecs', { AWS_ENDPOINT_URL_ECS: 'http://other' })).toBeUndefined();
    expect(endpointOverride(withEndpoints, 'codeDeploy', { AWS_ENDPOINT_URL_ECS: 'http://other' })).toBe('http://127.0.0.1:4566');
    expect(endpointOverride(withEndpoints, 'ecr', {})).toBeUndefined();
  });

  it('reads CloudWatch Logs from the configured logs endpoint unless AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_CLOUDWATCH_LOGS is set', () => {
    const logsEndpoint = parseEnvironment('dev', { ...ENVIRONMENTS.dev, aws: { endpoints: { logs: 'http://127.0.0.1:4566' } } });
    expect(endpointOverride(logsEndpoint, 'logs', {})).toBe('http://127.0.0.1:4566');
    expect(endpointOverride(logsEndpoint, 'logs', { AWS_ENDPOINT_URL: 'http://other' })).toBeUndefined();
    expect(endpointOverride(logsEndpoint, 'logs', { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'http://other' })).toBeUndefined();
  });

  it('retries 6 attempts by default, tunable with ECS_BG_MAX_ATTEMPTS, and bounds each request', () => {
    expect(maxAttempts({})).toBe(6);
    expect(maxAttempts({ ECS_BG_MAX_ATTEMPTS: '2' })).toBe(2);
    expect(maxAttempts({ ECS_BG_MAX_ATTEMPTS: 'zero' })).toBe(6);
    expect(requestTimeoutMs({})).toBe(30_000);
    expect(requestTimeoutMs({ ECS_BG_REQUEST_TIMEOUT_MS: '500' })).toBe(500);
  });
});

describe('errors and exit codes', () => {
  it('maps missing credentials to bad input and AWS faults to exit 5', () => {
    expect(toReleaseError(Object.assign(new Error('x'), { name: 'CredentialsProviderError' })).exitCode).toBe(EXIT.badInput);
    expect(toReleaseError(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { attempts: 6 } }))).toMatchObject({ exitCode: 5, message: 'AWS error ThrottlingException (after retries): Rate exceeded' });
    expect(toReleaseError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', $metadata: { attempts: 4 } })).message).toMatch(/^AWS endpoint unreachable \(after retries\) \(ECONNREFUSED\)/);
  });

  it('says "after retries" only when the SDK retried the call', () => {
    expect(toReleaseError(Object.assign(new Error('Bad request'), { name: 'ValidationException', $metadata: { attempts: 1 } })).message).toBe('AWS error ValidationException: Bad request');
    expect(toReleaseError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', $metadata: { attempts: 1 } })).message).toBe('AWS endpoint unreachable (ECONNREFUSED): connect ECONNREFUSED');
  });

  it('names the denied operation, the role and the permission to add, without claiming retries', () => {
    const denied = Object.assign(
      new Error('User: arn:aws:sts::123456789012:assumed-role/shop-prod-deploy/release-prod-42 is not authorized to perform: ecs:RegisterTaskDefinition on resource: * because no identity-based policy allows the ecs:RegisterTaskDefinition action'),
      { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400, attempts: 1 } },
    );
    expect(toReleaseError(denied)).toMatchObject({
      exitCode: EXIT.awsError,
      message: 'AWS denied ecs:RegisterTaskDefinition to role shop-prod-deploy (AccessDeniedException): add ecs:RegisterTaskDefinition to that role\'s policy (for the deploy role: config/release-permissions.ts, docs/identity.md), or release with a role that has it',
    });
    // ELBv2 says only "AccessDenied" with a short message: the client records the call it was.
    const bare = Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { attempts: 1 }, $operation: { clientName: 'ElasticLoadBalancingV2Client', commandName: 'DescribeListenersCommand' } });
    expect(toReleaseError(bare).message).toMatch(/^AWS denied elasticloadbalancing:DescribeListeners to the current credentials \(AccessDenied\): add elasticloadbalancing:DescribeListeners/);
    expect(toReleaseError(bare).message).not.toMatch(/after retries/);
  });

  it('combines several services into the most telling exit code', () => {
    expect(combineExitCodes([0, 0])).toBe(0);
    expect(combineExitCodes([0, 1, 6])).toBe(1);
    expect(combineExitCodes([2, 5, 1])).toBe(5);
    expect(combineExitCodes([3, 1])).toBe(1);
  });

  it('parses durations', () => {
    expect(parseDuration('--timeout', '90s')).toBe(90_000);
    expect(parseDuration('--timeout', '1h30m')).toBe(5_400_000);
    expect(() => parseDuration('--timeout', '49h')).toThrow(/over 48h/);
  });
});
