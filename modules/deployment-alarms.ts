/**
 * CloudWatch alarms that stop a release and roll it back: target 5xx responses and unhealthy
 * targets, over every target group of the service so whichever colour is live is watched.
 */
import { Construct } from 'constructs';
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmMetricQuery } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';

export interface DeploymentAlarmsProps {
  /** Alarm names, from config/names.ts. */
  readonly names: { readonly target5xx: string; readonly unhealthyHosts: string };
  /** ARN suffix of the load balancer (the `LoadBalancer` dimension). */
  readonly loadBalancerArnSuffix: string;
  /** ARN suffixes of the target groups (the `TargetGroup` dimension), blue then green. */
  readonly targetGroupArnSuffixes: readonly string[];
  /** Target 5xx responses per minute, summed over the target groups, that trip the alarm. @default 5 */
  readonly target5xxPerMinute?: number;
  /** Unhealthy targets in any one target group that trip the alarm. @default 1 */
  readonly unhealthyHosts?: number;
  /** Consecutive one-minute periods over the threshold before the alarm fires. @default 2 */
  readonly evaluationPeriods?: number;
}

const PERIOD_SECONDS = 60;

export class DeploymentAlarms extends Construct {
  /** Names of the alarms, for CodeDeploy's alarm configuration or the ECS deployment alarms. */
  public readonly alarmNames: string[];

  constructor(scope: Construct, id: string, props: DeploymentAlarmsProps) {
    super(scope, id);
    const evaluationPeriods = props.evaluationPeriods ?? 2;

    /** One query per target group; `FILL(m, 0)` because an idle target group reports no data points. */
    const perTargetGroup = (metricName: string, stat: string) => {
      const ids = props.targetGroupArnSuffixes.map((_, index) => `m${index + 1}`);
      const metrics: CloudwatchMetricAlarmMetricQuery[] = props.targetGroupArnSuffixes.map((targetGroup, index) => ({
        id: ids[index],
        returnData: false,
        metric: {
          namespace: 'AWS/ApplicationELB',
          metricName,
          stat,
          period: PERIOD_SECONDS,
          dimensions: { LoadBalancer: props.loadBalancerArnSuffix, TargetGroup: targetGroup },
        },
      }));
      return { filled: ids.map((metricId) => `FILL(${metricId}, 0)`), metrics };
    };

    const errors = perTargetGroup('HTTPCode_Target_5XX_Count', 'Sum');
    const target5xx = new CloudwatchMetricAlarm(this, 'target-5xx', {
      alarmName: props.names.target5xx,
      alarmDescription: 'Target 5xx responses over all target groups; stops and rolls back a release',
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: props.target5xxPerMinute ?? 5,
      evaluationPeriods,
      treatMissingData: 'notBreaching',
      metricQuery: [
        { id: 'errors', expression: errors.filled.join(' + '), label: 'Target 5xx per minute', returnData: true },
        ...errors.metrics,
      ],
    });

    const unhealthy = perTargetGroup('UnHealthyHostCount', 'Maximum');
    const unhealthyHosts = new CloudwatchMetricAlarm(this, 'unhealthy-hosts', {
      alarmName: props.names.unhealthyHosts,
      alarmDescription: 'Unhealthy targets in any target group; stops and rolls back a release',
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: props.unhealthyHosts ?? 1,
      evaluationPeriods,
      treatMissingData: 'notBreaching',
      metricQuery: [
        { id: 'unhealthy', expression: unhealthy.filled.length === 1 ? unhealthy.filled[0] : `MAX([${unhealthy.filled.join(', ')}])`, label: 'Unhealthy targets', returnData: true },
        ...unhealthy.metrics,
      ],
    });

    this.alarmNames = [target5xx.alarmName, unhealthyHosts.alarmName];
  }
}
