/**
 * Target-tracking auto scaling of a service's task count on average CPU.
 */
import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';

export interface ServiceAutoScalingProps {
  /** `service/<cluster>/<service>`, from config/names.ts. */
  readonly resourceId: string;
  /** The ECS service; the scalable target must wait for it to exist. */
  readonly service: ITerraformDependable;
  /** Fewest tasks. */
  readonly minCapacity: number;
  /** Most tasks. */
  readonly maxCapacity: number;
  /** Average CPU utilisation (%) to hold. @default 60 */
  readonly cpuTargetPercent?: number;
  /** Seconds after a scale-in before the next. @default 300 */
  readonly scaleInCooldownSeconds?: number;
  /** Seconds after a scale-out before the next. @default 60 */
  readonly scaleOutCooldownSeconds?: number;
}

export class ServiceAutoScaling extends Construct {
  /** Resource id of the scalable target. */
  public readonly resourceId: string;

  constructor(scope: Construct, id: string, props: ServiceAutoScalingProps) {
    super(scope, id);
    const target = new AppautoscalingTarget(this, 'target', {
      serviceNamespace: 'ecs',
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId: props.resourceId,
      minCapacity: props.minCapacity,
      maxCapacity: props.maxCapacity,
      dependsOn: [props.service],
      // A release suspends scaling while task sets change and resumes it afterwards; an apply in
      // between must not flip that back.
      lifecycle: { ignoreChanges: ['suspended_state'] },
    });

    new AppautoscalingPolicy(this, 'cpu-target-tracking', {
      name: `${props.resourceId.split('/').pop()}-cpu`,
      policyType: 'TargetTrackingScaling',
      serviceNamespace: target.serviceNamespace,
      scalableDimension: target.scalableDimension,
      resourceId: target.resourceId,
      targetTrackingScalingPolicyConfiguration: {
        predefinedMetricSpecification: { predefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        targetValue: props.cpuTargetPercent ?? 60,
        scaleInCooldown: props.scaleInCooldownSeconds ?? 300,
        scaleOutCooldown: props.scaleOutCooldownSeconds ?? 60,
      },
    });
    this.resourceId = target.resourceId;
  }
}
