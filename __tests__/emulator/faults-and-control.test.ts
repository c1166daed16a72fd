/**
 * Fault injection as the SDK experiences it, the control API over HTTP, and a child process that
 * finds the emulator through AWS_ENDPOINT_URL alone, as `npm run deploy` would.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetDeploymentGroupCommand } from '@aws-sdk/client-codedeploy';
import type { StateDump } from '../../emulator';
import { clientsFor, setUp, type Setup } from './support';

const run = promisify(execFile);

describe('fault injection', () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await setUp('dev');
  });
  afterAll(() => setup.close());
  afterEach(() => setup.aws.clearFaults());

  const describeService = (client: ECSClient = setup.clients.ecs) =>
    client.send(new DescribeServicesCommand({ cluster: 'shop-dev', services: [setup.names.service] }));

  it('throttles twice and the SDK retries until it succeeds', async () => {
    const before = setup.aws.callLog().length;
    setup.aws.addFault({ service: 'ecs', operation: 'DescribeServices', kind: 'throttle', times: 2 });
    const result = await describeService();
    expect(result.services?.[0]?.serviceName).toBe(setup.names.service);
    expect(result.$metadata.attempts).toBe(3);
    const calls = setup.aws.callLog().slice(before);
    expect(calls.map((call) => [call.operation, call.status, call.error])).toEqual([
      ['DescribeServices', 400, 'ThrottlingException'],
      ['DescribeServices', 400, 'ThrottlingException'],
      ['DescribeServices', 200, undefined],
    ]);
  });

  it('throttles ELBv2 with its query-protocol code, which the SDK also retries', async () => {
    setup.aws.addFault({ service: 'elbv2', kind: 'throttle' });
    const result = await setup.clients.elbv2.send(new DescribeTargetGroupsCommand({ Names: [setup.names.targetGroups[0]] }));
    expect(result.$metadata.attempts).toBe(2);
    expect(setup.aws.callLog().slice(-2).map((call) => call.error)).toEqual(['Throttling', undefined]);
  });

  it('shows a 500 to a client that may not retry', async () => {
    const noRetry = clientsFor(setup.aws, 1);
    try {
      setup.aws.addFault({ service: 'ecs', kind: 'http500' });
      await expect(describeService(noRetry.ecs)).rejects.toMatchObject({ name: 'ServerException', $fault: 'server', $metadata: { httpStatusCode: 500 } });
      setup.aws.addFault({ service: 'codedeploy', kind: 'http503' });
      await expect(
        noRetry.codeDeploy.send(new GetDeploymentGroupCommand({ applicationName: setup.names.codeDeployApplication, deploymentGroupName: setup.names.deploymentGroup })),
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: 503 } });
    } finally {
      noRetry.destroy();
    }
  });

  it('resets the connection, which the SDK sees as a hang-up and retries when it may', async () => {
    setup.aws.addFault({ service: 'ecs', operation: 'DescribeServices', kind: 'reset' });
    expect((await describeService()).$metadata.attempts).toBe(2);

    const noRetry = clientsFor(setup.aws, 1);
    try {
      setup.aws.addFault({ service: 'ecs', operation: 'DescribeServices', kind: 'reset' });
      await expect(describeService(noRetry.ecs)).rejects.toThrow(/socket hang up/);
      expect(setup.aws.callLog().at(-1)).toMatchObject({ operation: 'DescribeServices', status: 0, error: 'connection reset' });
      // The next request is answered normally.
      expect((await describeService(noRetry.ecs)).services).toHaveLength(1);
    } finally {
      noRetry.destroy();
    }
  });

  it('answers slowly enough to trip a request timeout', async () => {
    const impatient = new ECSClient({
      endpoint: setup.aws.url,
      region: setup.aws.region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      requestHandler: { requestTimeout: 100, throwOnRequestTimeout: true },
    });
    try {
      setup.aws.addFault({ service: 'ecs', kind: 'slow', delayMs: 400 });
      await expect(describeService(impatient)).rejects.toMatchObject({ name: 'TimeoutError' });
    } finally {
      impatient.destroy();
    }
  });
});

describe('the control API', () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await setUp('dev');
  });
  afterAll(() => setup.close());

  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${setup.aws.url}/_emulator${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('adds and clears fault rules over HTTP, and logs every call with whether it mutates', async () => {
    const added = await control('POST', '/faults', { rules: [{ service: 'ecs', operation: 'UpdateService', kind: 'throttle', times: 3 }] });
    expect(added.status).toBe(200);
    expect((await control('GET', '/faults')).body.faults).toEqual([
      expect.objectContaining({ service: 'ecs', operation: 'UpdateService', kind: 'throttle', remaining: 3 }),
    ]);
    expect((await control('POST', '/faults', { kind: 'explode' })).status).toBe(400);
    await control('DELETE', '/faults');
    expect((await control('GET', '/faults')).body.faults).toEqual([]);

    await setup.clients.ecs.send(new DescribeServicesCommand({ cluster: 'shop-dev', services: [setup.names.service] }));
    const state = (await control('GET', '/state')).body as unknown as StateDump;
    expect(state.calls.at(-1)).toMatchObject({ service: 'ecs', operation: 'DescribeServices', mutating: false, status: 200 });
    expect(state.services[0]).toMatchObject({ name: setup.names.service, controller: 'CODE_DEPLOY', targetGroups: [setup.names.targetGroups[0]] });
    expect(state.listeners.map((listener) => [listener.port, listener.forward?.map((forward) => forward.targetGroup)])).toEqual([
      [80, [setup.names.targetGroups[0]]],
      [8080, [setup.names.targetGroups[0]]],
    ]);
    expect(state.taskDefinitions[0].tags.ManagedBy).toBe('terraform');
  });

  it('marks images bad by reference, adds new ones, and resets to the seeded account', async () => {
    const image = await control('POST', '/images', { image: `${setup.aws.accountId}.dkr.ecr.ap-northeast-1.amazonaws.com/shop-dev/web:v1.0.0`, bad: true });
    expect(image.body.image).toMatchObject({ tags: ['v1.0.0'], bad: true });
    const added = await control('POST', '/images', { repository: 'shop-dev/web', tag: 'v3.0.0' });
    expect(added.body.image).toMatchObject({ tags: ['v3.0.0'], bad: false });
    const external = await control('POST', '/images', { image: 'public.ecr.aws/nginx/nginx:1.27-alpine', bad: true });
    expect(external.body.image).toEqual({ image: 'public.ecr.aws/nginx/nginx:1.27-alpine', bad: true });
    expect((await control('POST', '/images', { repository: 'nope', tag: 'x' })).status).toBe(400);
    expect((await control('POST', '/hooks', { lifecycleEvent: 'Install' })).status).toBe(400);

    expect((await control('POST', '/reset')).status).toBe(200);
    const state = (await control('GET', '/state')).body as unknown as StateDump;
    expect(state.repositories[0].images.map((candidate) => [candidate.tags[0], candidate.bad])).toEqual([
      ['v1.0.0', false],
      ['v1.1.0', false],
      ['v1.2.0', false],
    ]);
    expect(state.badImageReferences).toEqual([]);
    expect(state.calls).toEqual([]);
  });

  it('answers unknown routes and operations with errors that say what exists', async () => {
    expect((await control('GET', '/nope')).status).toBe(404);
    const response = await fetch(setup.aws.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.CreateCapacityProvider', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('a child process with real SDK clients', () => {
  it('reaches the emulator through AWS_ENDPOINT_URL and the usual credential variables alone', async () => {
    const setup = await setUp('dev');
    try {
      const script = `
        const { ECSClient, DescribeServicesCommand } = require('@aws-sdk/client-ecs');
        new ECSClient({}).send(new DescribeServicesCommand({ cluster: 'shop-dev', services: ['shop-dev-web'] }))
          .then((r) => console.log(JSON.stringify({ name: r.services[0].serviceName, controller: r.services[0].deploymentController.type })))
          .catch((e) => { console.error(e); process.exit(1); });`;
      const { stdout } = await run(process.execPath, ['-e', script], {
        cwd: process.cwd(),
        env: { PATH: process.env.PATH, HOME: '/nonexistent', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', ...setup.aws.env },
        timeout: 20_000,
      });
      expect(JSON.parse(stdout.trim().split('\n').pop() as string)).toEqual({ name: 'shop-dev-web', controller: 'CODE_DEPLOY' });
      expect(setup.aws.env).toEqual({ AWS_ENDPOINT_URL: setup.aws.url, AWS_REGION: 'ap-northeast-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
    } finally {
      await setup.close();
    }
  });
});
