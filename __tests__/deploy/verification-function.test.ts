/**
 * The verification hook's Lambda code (functions/verify-test-listener/index.js) on its own: the
 * path it chooses, the load balancer addresses it looks up, what it reports and logs, against a
 * local HTTP server and aws-sdk-client-mock.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodeDeployClient, GetDeploymentCommand, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import * as sdk from '@aws-sdk/client-codedeploy';
import { mockClient } from 'aws-sdk-client-mock';
import { VERIFICATION_FUNCTION_SOURCE } from '../../config';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const fn = require(`${VERIFICATION_FUNCTION_SOURCE}/index.js`) as {
  verifyDeployment(event: object, deps: object): Promise<string>;
  privateAddresses(describeLoadBalancers: (input: object) => Promise<object>, describeNetworkInterfaces: (input: object) => Promise<object>, target: object): Promise<object[]>;
  pathFor(description: string | undefined, target: { path?: string }): string | undefined;
  bodyExcerpt(body: string): string;
  BODY_EXCERPT_LIMIT: number;
};

const TARGET = { loadBalancerName: 'shop-prod-web', protocol: 'HTTP', port: 0, path: '/health', tries: 3 };
const DNS_NAME = 'shop-prod-web-1.elb.example';

async function listener(statuses: number[], failingBody = (status: number) => `{"error":"status ${status}"}`): Promise<{ port: number; requests: { url?: string; headers: IncomingHttpHeaders }[]; close(): Promise<void> }> {
  const requests: { url?: string; headers: IncomingHttpHeaders }[] = [];
  const server: Server = createServer((request, response) => {
    requests.push({ url: request.url, headers: request.headers });
    response.statusCode = statuses[Math.min(requests.length - 1, statuses.length - 1)];
    response.end(response.statusCode < 400 ? 'ok' : failingBody(response.statusCode));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return { port: (server.address() as AddressInfo).port, requests, close: () => new Promise<void>((closed) => server.close(() => closed())) };
}

function run(port: number, description?: string) {
  const codeDeploy = mockClient(CodeDeployClient);
  codeDeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { deploymentGroupName: 'shop-prod-web', description } });
  codeDeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({});
  const lines: string[] = [];
  const deps = {
    codedeploy: new CodeDeployClient({ region: 'ap-northeast-1' }),
    sdk,
    targets: { 'shop-prod-web': { ...TARGET, port } },
    endpoints: (target: typeof TARGET) => [{ protocol: 'HTTP', host: '127.0.0.1', port: target.port, hostHeader: DNS_NAME, pathPrefix: '' }],
    sleep: async () => undefined,
    log: (line: string) => lines.push(line),
    now: () => 1000,
  };
  return { codeDeploy, lines, result: fn.verifyDeployment({ DeploymentId: 'd-ABC', LifecycleEventHookExecutionId: 'exec-1' }, deps) };
}

describe('the verification function', () => {
  it('reports Succeeded once the path answers 2xx, retrying, with the load balancer DNS name as Host', async () => {
    const server = await listener([503, 200]);
    try {
      const { codeDeploy, lines, result } = run(server.port);
      expect(await result).toBe('Succeeded');
      expect(server.requests.map((request) => [request.url, request.headers.host])).toEqual([['/health', DNS_NAME], ['/health', DNS_NAME]]);
      expect(codeDeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand).map((call) => call.args[0].input)).toEqual([
        { deploymentId: 'd-ABC', lifecycleEventHookExecutionId: 'exec-1', status: 'Succeeded' },
      ]);
      expect(lines.map((line) => JSON.parse(line))).toEqual([
        { deploymentId: 'd-ABC', check: '1/3', path: '/health', result: 'failed', status: 503, ms: 0, body: '{"error":"status 503"}' },
        { deploymentId: 'd-ABC', check: '2/3', path: '/health', result: 'passed', status: 200, ms: 0 },
        { deploymentId: 'd-ABC', reported: 'Succeeded' },
      ]);
    } finally {
      await server.close();
    }
  });

  it('reports Failed after its tries, logging each check (status, path, time, body excerpt) and the result with the deployment id', async () => {
    const server = await listener([500]);
    try {
      const { codeDeploy, lines, result } = run(server.port);
      expect(await result).toBe('Failed');
      expect(server.requests).toHaveLength(3);
      expect(codeDeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)[0].args[0].input.status).toBe('Failed');
      const logged = lines.map((line) => JSON.parse(line));
      expect(logged.slice(0, 3).map((line) => line.check)).toEqual(['1/3', '2/3', '3/3']);
      expect(logged[2]).toEqual({ deploymentId: 'd-ABC', check: '3/3', path: '/health', result: 'failed', status: 500, ms: 0, body: '{"error":"status 500"}' });
      expect(logged[3]).toEqual({ deploymentId: 'd-ABC', reported: 'Failed', reason: 'GET /health failed 3 checks; the last: HTTP 500' });
    } finally {
      await server.close();
    }
  });

  it('logs no header and only a bounded, sanitized excerpt of a failing body: secrets redacted, controls gone, one line', async () => {
    const page = (status: number) =>
      `{"error":"status ${status}","password":"hunter2","detail":"\u001b[31mred\u001b[0m\nline two"}\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.secret token=abc123 ${'x'.repeat(2000)}`;
    const server = await listener([500], page);
    try {
      const { lines, result } = run(server.port);
      await result;
      const body = JSON.parse(lines[0]).body as string;
      expect(body).toMatch(/^\{"error":"status 500","password":"\[redacted\]","detail":" \[31mred \[0m line two"\} Authorization: \[redacted\] token=\[redacted\] x+…$/);
      expect(body.length).toBe(fn.BODY_EXCERPT_LIMIT + 1);
      expect(lines.join('\n')).not.toMatch(/hunter2|eyJhbGci|abc123|\u001b/);
      expect(Object.keys(JSON.parse(lines[0]))).toEqual(['deploymentId', 'check', 'path', 'result', 'status', 'ms', 'body']);
    } finally {
      await server.close();
    }
  });

  it('times each check with its clock and logs a network error in place of a status', async () => {
    const codeDeploy = mockClient(CodeDeployClient);
    codeDeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { deploymentGroupName: 'shop-prod-web' } });
    codeDeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({});
    const lines: string[] = [];
    let clock = 0;
    const status = await fn.verifyDeployment(
      { DeploymentId: 'd-NET', LifecycleEventHookExecutionId: 'exec-3' },
      {
        codedeploy: new CodeDeployClient({ region: 'ap-northeast-1' }),
        sdk,
        targets: { 'shop-prod-web': { ...TARGET, tries: 1 } },
        // Port 1 on loopback: nothing listens, the connection is refused.
        endpoints: () => [{ protocol: 'HTTP', host: '127.0.0.1', port: 1, hostHeader: DNS_NAME, pathPrefix: '' }],
        sleep: async () => undefined,
        log: (line: string) => lines.push(line),
        now: () => (clock += 7),
      },
    );
    expect(status).toBe('Failed');
    expect(JSON.parse(lines[0])).toEqual({ deploymentId: 'd-NET', check: '1/1', path: '/health', result: 'failed', error: expect.stringMatching(/ECONNREFUSED/), ms: 7 });
  });

  it('takes the path from a "verify PATH" description first, else the configured one', async () => {
    expect(fn.pathFor('verify /ready - release abc', { path: '/health' })).toBe('/ready');
    expect(fn.pathFor('release abc', { path: '/health' })).toBe('/health');
    expect(fn.pathFor(undefined, {})).toBeUndefined();
    const server = await listener([200]);
    try {
      const { result } = run(server.port, 'verify /ready');
      expect(await result).toBe('Succeeded');
      expect(server.requests.map((request) => request.url)).toEqual(['/ready']);
    } finally {
      await server.close();
    }
  });

  it('reports Failed (never nothing) when CodeDeploy cannot be read', async () => {
    const codeDeploy = mockClient(CodeDeployClient);
    codeDeploy.on(GetDeploymentCommand).rejects(new Error('AccessDenied'));
    codeDeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({});
    const lines: string[] = [];
    const status = await fn.verifyDeployment(
      { DeploymentId: 'd-X', LifecycleEventHookExecutionId: 'exec-2' },
      { codedeploy: new CodeDeployClient({ region: 'ap-northeast-1' }), sdk, targets: {}, endpoints: () => [], sleep: async () => undefined, log: (line: string) => lines.push(line) },
    );
    expect(status).toBe('Failed');
    expect(JSON.parse(lines[0])).toEqual({ deploymentId: 'd-X', reported: 'Failed', reason: 'AccessDenied' });
  });

  it("finds the load balancer by its name, then its private addresses by its network interfaces' description", async () => {
    const inputs: object[] = [];
    const describeLoadBalancers = async (input: object) => {
      inputs.push(input);
      return { LoadBalancers: [{ LoadBalancerArn: 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/shop-prod-web/50dc6c495c0c9188', DNSName: DNS_NAME }] };
    };
    const describe = async (input: object) => {
      inputs.push(input);
      return { NetworkInterfaces: [{ PrivateIpAddress: '10.20.0.10' }, { PrivateIpAddress: '10.20.1.10' }] };
    };
    const endpoints = await fn.privateAddresses(describeLoadBalancers, describe, { ...TARGET, protocol: 'HTTPS', port: 8443 });
    expect(inputs).toEqual([{ Names: ['shop-prod-web'] }, { Filters: [{ Name: 'description', Values: ['ELB app/shop-prod-web/50dc6c495c0c9188'] }] }]);
    expect(endpoints).toEqual([
      { protocol: 'HTTPS', host: '10.20.0.10', port: 8443, hostHeader: DNS_NAME, pathPrefix: '' },
      { protocol: 'HTTPS', host: '10.20.1.10', port: 8443, hostHeader: DNS_NAME, pathPrefix: '' },
    ]);
  });
});
