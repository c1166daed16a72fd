import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { ServiceAutoScaling } from '../../modules/service-auto-scaling';
import { ignoreChanges, only, synthConstructs } from './support';

describe('ServiceAutoScaling', () => {
  const synthesized = synthConstructs((scope) => {
    const service = new EcsService(scope, 'service', { name: 'shop-test-web' });
    new ServiceAutoScaling(scope, 'scaling', { resourceId: 'service/shop-test/shop-test-web', service, minCapacity: 2, maxCapacity: 10, cpuTargetPercent: 70 });
  });
  const target = only(synthesized, 'aws_appautoscaling_target');

  it('registers the service desired count as a scalable target after the service exists', () => {
    expect(target).toMatchObject({
      service_namespace: 'ecs',
      scalable_dimension: 'ecs:service:DesiredCount',
      resource_id: 'service/shop-test/shop-test-web',
      min_capacity: 2,
      max_capacity: 10,
      depends_on: [expect.stringMatching(/^aws_ecs_service\./)],
    });
  });

  it('leaves the suspended state to the release tool, which suspends scaling during a release', () => {
    expect(ignoreChanges(target)).toEqual(['suspended_state']);
  });

  it('tracks average CPU with the configured target and default cooldowns', () => {
    expect(only(synthesized, 'aws_appautoscaling_policy')).toMatchObject({
      policy_type: 'TargetTrackingScaling',
      target_tracking_scaling_policy_configuration: {
        predefined_metric_specification: { predefined_metric_type: 'ECSServiceAverageCPUUtilization' },
        target_value: 70,
        scale_in_cooldown: 300,
        scale_out_cooldown: 60,
      },
    });
  });
});
