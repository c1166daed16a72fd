/**
 * Rolling releases end to end (preview: ECS deployment controller, circuit breaker with rollback).
 */
import {
  acceptedMutations,
  calls,
  expectExit,
  pinnedImage,
  revisionOf,
  runCli,
  serviceOf,
  startCli,
  taskDefinitionOf,
  useEmulator,
  verdict,
  waitForState,
} from './support';

const e2e = useEmulator(['preview']);

describe('deploy (rolling, preview)', () => {
  it('updates the service to a new pinned revision and follows the rollout to COMPLETED: exit 0', async () => {
    const { aws } = e2e;
    const result = await runCli(aws, ['deploy', '--env', 'preview', '--service', 'web', '--tag', 'v1.1.0']);
    expectExit(result, 0);
    expect(result.stdout).toMatch(/^service shop-preview-web updating to shop-preview-web:2 \(ECS deployment ecs-svc\/\d+\)$/m);
    expect(verdict(result)).toBe('preview/web: released shop-preview-web:2 (rolling)');

    const state = aws.state();
    const service = serviceOf(state, 'shop-preview-web');
    expect(revisionOf(service.taskDefinition)).toBe('shop-preview-web:2');
    expect(taskDefinitionOf(state, service.taskDefinition).images).toEqual([pinnedImage(state, 'shop-preview/web', 'v1.1.0')]);
    const [primary, ...replaced] = service.deployments;
    expect([primary.status, primary.rolloutState, revisionOf(primary.taskDefinition), primary.desired]).toEqual(['PRIMARY', 'COMPLETED', 'shop-preview-web:2', 1]);
    // The old deployment, if still listed, is only draining.
    expect(replaced.map((d) => [revisionOf(d.taskDefinition), d.desired])).toEqual(replaced.length ? [['shop-preview-web:1', 0]] : []);
    expect(acceptedMutations(aws)).toEqual(['ecs.RegisterTaskDefinition', 'ecs.UpdateService']);
    // UpdateService changes the revision and nothing else.
    expect(calls(aws, 'UpdateService').map((call) => call.input)).toEqual([
      { cluster: 'shop-preview', service: 'shop-preview-web', taskDefinition: service.taskDefinition },
    ]);
    expect(state.deployments).toEqual([]);
  });

  it('a bad image trips the circuit breaker, which rolls back: exit 1, the old revision serves', async () => {
    const { aws } = e2e;
    aws.putImage({ repository: 'shop-preview/web', tag: 'v1.2.0', bad: true });
    const result = await runCli(aws, ['deploy', '--env', 'preview', '--service', 'web', '--tag', 'v1.2.0']);
    expectExit(result, 1);
    expect(verdict(result)).toBe('error: preview/web: rollout of shop-preview-web:2 failed; the circuit breaker rolled back to shop-preview-web:1, which is serving');

    const service = serviceOf(aws.state(), 'shop-preview-web');
    expect(revisionOf(service.taskDefinition)).toBe('shop-preview-web:1');
    expect(service.events.join('\n')).toMatch(/deployment failed: tasks failed to start/);
    expect(service.events.join('\n')).toMatch(/rolling back to deployment ecs-svc\/\d+ \(task definition \S+:task-definition\/shop-preview-web:1\)/);
    const primary = service.deployments.find((d) => d.status === 'PRIMARY');
    expect([revisionOf(primary?.taskDefinition ?? ''), primary?.rolloutState]).toEqual(['shop-preview-web:1', 'COMPLETED']);
    // The tool sent one UpdateService; the rollback was ECS's own.
    expect(calls(aws, 'UpdateService')).toHaveLength(1);
  });

  it('`stop` from another terminal puts the previous revision back; the release says so (exit 3), not that the circuit breaker did', async () => {
    const { aws, clock } = e2e;
    const release = startCli(aws, ['deploy', '--env', 'preview', '--service', 'web', '--tag', 'v1.1.0']);
    await release.waitForOutput(/^service shop-preview-web updating to shop-preview-web:2/);
    // The rollout stands still until `stop` has put revision 1 back and the release has seen it.
    clock.pause();
    const stop = startCli(aws, ['stop', '--env', 'preview', '--service', 'web']);
    await waitForState(aws, (state) => calls(aws, 'UpdateService').length === 2 && state.services[0].taskDefinition.endsWith(':1'), 'the put-back');
    await release.waitForOutput(/was replaced by ECS deployment/);
    clock.resume();

    const [released, stopped] = await Promise.all([release.done, stop.done]);
    expectExit(stopped, 0);
    expect(verdict(stopped)).toBe('preview/web: put shop-preview-web:1 back, which is serving');
    expectExit(released, 3);
    expect(verdict(released)).toBe(
      'error: preview/web: rollout of shop-preview-web:2 was replaced from outside this run (stop, rollback or another release); shop-preview-web:1 is serving',
    );
    expect(`${released.stdout}${released.stderr}`).not.toMatch(/circuit breaker/);

    const service = serviceOf(aws.state(), 'shop-preview-web');
    expect(revisionOf(service.taskDefinition)).toBe('shop-preview-web:1');
    expect(calls(aws, 'UpdateService').map((call) => revisionOf((call.input as { taskDefinition: string }).taskDefinition))).toEqual(['shop-preview-web:2', 'shop-preview-web:1']);
  });

  it('--timeout bounds a rolling release while ECS answers only with throttling: the previous revision is put back and the run ends at once (exit 4); `wait` follows ECS rolling it out', async () => {
    const { aws, clock } = e2e;
    // The rollout stands still, so only the timeout can end the release.
    clock.pause();
    const release = startCli(aws, ['deploy', '--env', 'preview', '--service', 'web', '--tag', 'v1.1.0', '--timeout', '6s'], { env: { ECS_BG_MAX_ATTEMPTS: '6' } });
    await release.waitForOutput(/^service shop-preview-web updating to shop-preview-web:2/);
    aws.addFault({ service: 'ecs', operation: 'DescribeServices', kind: 'throttle', times: 10_000 });
    const result = await release.done;
    expectExit(result, 4);
    expect(verdict(result)).toMatch(
      /^error: preview\/web: timed out; put shop-preview-web:1 back \(ECS deployment ecs-svc\/\d+\): ECS rolls it out on its own, this run does not wait past --timeout; follow it: npm run deploy -- wait --env preview --service web$/,
    );
    // Nothing read after the put-back: the run did not wait out the throttled reads' retries.
    const putBack = calls(aws, 'UpdateService')[1];
    expect(revisionOf((putBack.input as { taskDefinition: string }).taskDefinition)).toBe('shop-preview-web:1');
    expect(calls(aws).filter((call) => call.seq > putBack.seq)).toEqual([]);

    aws.clearFaults();
    clock.resume();
    const followed = await runCli(aws, ['wait', '--env', 'preview', '--service', 'web']);
    expectExit(followed, 0);
    expect(verdict(followed)).toBe('preview/web: shop-preview-web:1 is rolled out');
    expect(revisionOf(serviceOf(aws.state(), 'shop-preview-web').taskDefinition)).toBe('shop-preview-web:1');
  });
});
