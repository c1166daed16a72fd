/**
 * AWS misbehaving, end to end: the SDK in the tool's process retries transient faults; a fault that
 * persists ends the run with exit 5 and an account of what may still be running.
 */
import { acceptedMutations, calls, expectExit, liveTargetGroups, revisionOf, runCli, serviceOf, useEmulator, verdict } from './support';

const e2e = useEmulator(['dev', 'prod']);

describe('transient faults are retried', () => {
  it('throttled CreateDeployment and 503s on GetDeployment: one deployment, released', async () => {
    const { aws } = e2e;
    aws.addFault({ service: 'codedeploy', operation: 'CreateDeployment', kind: 'throttle', times: 2 });
    aws.addFault({ service: 'codedeploy', operation: 'GetDeployment', kind: 'http503', times: 2 });

    const result = await runCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0']);
    expectExit(result, 0);
    expect(verdict(result)).toMatch(/^dev\/web: released shop-dev-web:2/);
    expect(result.stderr).toBe('');

    expect(calls(aws, 'CreateDeployment').map((call) => [call.status, call.error])).toEqual([
      [400, 'ThrottlingException'],
      [400, 'ThrottlingException'],
      [200, undefined],
    ]);
    expect(calls(aws, 'GetDeployment').slice(0, 3).map((call) => call.status)).toEqual([503, 503, 200]);
    const state = aws.state();
    expect(state.deployments.map((d) => d.status)).toEqual(['Succeeded']);
    expect(liveTargetGroups(state, 'shop-dev-web', 80)).toEqual(['shop-dev-web-green']);
    expect(state.faults).toEqual([]);
  });

  it('a connection reset on RegisterTaskDefinition: retried, one revision registered', async () => {
    const { aws } = e2e;
    aws.addFault({ service: 'ecs', operation: 'RegisterTaskDefinition', kind: 'reset' });

    const result = await runCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0']);
    expectExit(result, 0);
    expect(verdict(result)).toMatch(/^dev\/web: released shop-dev-web:2/);
    expect(calls(aws, 'RegisterTaskDefinition').map((call) => [call.status, call.error])).toEqual([
      [0, 'connection reset'],
      [200, undefined],
    ]);
    expect(aws.state().taskDefinitions.filter((definition) => definition.arn.includes('/shop-dev-web:')).map((d) => revisionOf(d.arn))).toEqual([
      'shop-dev-web:1',
      'shop-dev-web:2',
    ]);
  });
});

describe('persistent faults: exit 5', () => {
  it('RegisterTaskDefinition keeps failing: nothing half-done (no deployment, auto scaling untouched, service unchanged)', async () => {
    const { aws } = e2e;
    aws.addFault({ service: 'ecs', operation: 'RegisterTaskDefinition', kind: 'http500', times: 100 });
    const before = aws.state();

    const result = await runCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0'], { env: { ECS_BG_MAX_ATTEMPTS: '3' } });
    expectExit(result, 5);
    expect(result.stderrLines).toEqual([
      'error: prod/web: AWS error ServerException (after retries): We encountered an internal error. Please try again.; no deployment was created, prod/web still serves what it served before',
    ]);

    // Three attempts (ECS_BG_MAX_ATTEMPTS), none accepted, and nothing after them.
    expect(calls(aws, 'RegisterTaskDefinition').map((call) => call.status)).toEqual([500, 500, 500]);
    expect(acceptedMutations(aws)).toEqual([]);
    expect(calls(aws, 'CreateDeployment')).toEqual([]);
    expect(calls(aws, 'RegisterScalableTarget')).toEqual([]);
    const after = aws.state();
    expect(after.deployments).toEqual([]);
    expect(serviceOf(after, 'shop-prod-web').taskDefinition).toBe(serviceOf(before, 'shop-prod-web').taskDefinition);
    expect(after.taskDefinitions).toEqual(before.taskDefinitions);
    expect(after.scalableTargets).toEqual(before.scalableTargets);
    expect(liveTargetGroups(after, 'shop-prod-web', 443)).toEqual(['shop-prod-web-blue']);
  });

  it('GetDeployment keeps failing after the deployment exists: the message names it and how to pick it up; `wait` then does', async () => {
    const { aws } = e2e;
    // Planning never reads a deployment: the first GetDeployment comes after CreateDeployment.
    aws.addFault({ service: 'codedeploy', operation: 'GetDeployment', kind: 'http500', times: 100 });

    const result = await runCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0'], { env: { ECS_BG_MAX_ATTEMPTS: '2' } });
    expectExit(result, 5);
    const created = calls(aws, 'CreateDeployment');
    expect(created.map((call) => call.status)).toEqual([200]);
    expect(calls(aws, 'GetDeployment')[0].seq).toBeGreaterThan(created[0].seq);
    const id = aws.state().deployments[0].id;
    expect(result.stderrLines).toEqual([
      `error: dev/web: AWS error InternalFailure (after retries): We encountered an internal error. Please try again.; deployment ${id} was created and may still be running: ` +
        'status: npm run deploy -- status --env dev --service web; follow: npm run deploy -- wait --env dev --service web; stop: npm run deploy -- stop --env dev --service web',
    ]);
    // The tool did not touch the deployment it could not read.
    expect(calls(aws, 'StopDeployment')).toEqual([]);

    aws.clearFaults();
    const follow = await runCli(aws, ['wait', '--env', 'dev']);
    expectExit(follow, 0);
    expect(verdict(follow)).toBe(`dev/web: released shop-dev-web:2 (deployment ${id})`);
  });
});
