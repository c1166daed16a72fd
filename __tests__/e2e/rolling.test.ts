/**
 * Rolling releases end to end (preview: ECS deployment controller, circuit breaker with rollback).
 */
import { acceptedMutations, calls, expectExit, pinnedImage, revisionOf, runCli, serviceOf, taskDefinitionOf, useEmulator, verdict } from './support';

const e2e = useEmulator(['preview']);

describe('deploy (rolling, preview)', () => {
  it('updates the service to a new pinned revision and follows the rollout to COMPLETED: exit 0', async () => {
    const { aws } = e2e;
    const result = await runCli(aws, ['deploy', '--env', 'preview', '--tag', 'v1.1.0']);
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
    const result = await runCli(aws, ['deploy', '--env', 'preview', '--tag', 'v1.2.0']);
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
});
