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

/** One alarm: an ALB metric per target group, combined into one series. */
interface AlarmSpec {
  readonly queryId: string;
  readonly name: string;
  readonly description: string;
  readonly threshold: number;
  readonly label: string;
  readonly metricName: string;
  readonly stat: string;
  /** Combines the per-target-group series (`FILL(m1, 0)`, ...) into the one the alarm watches. */
  readonly combine: (filled: string[]) => string;
}

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

    /** One alarm over an expression that combines the per-target-group metric queries. */
    const alarm = (id: string, spec: AlarmSpec) => {
      const queries = perTargetGroup(spec.metricName, spec.stat);
      return new CloudwatchMetricAlarm(this, id, {
        alarmName: spec.name,
        alarmDescription: spec.description,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: spec.threshold,
        evaluationPeriods,
        treatMissingData: 'notBreaching',
        metricQuery: [{ id: spec.queryId, expression: spec.combine(queries.filled), label: spec.label, returnData: true }, ...queries.metrics],
      });
    };

    const target5xx = alarm('target-5xx', {
      queryId: 'errors',
      name: props.names.target5xx,
      description: 'Target 5xx responses over all target groups; stops and rolls back a release',
      threshold: props.target5xxPerMinute ?? 5,
      label: 'Target 5xx per minute',
      metricName: 'HTTPCode_Target_5XX_Count',
      stat: 'Sum',
      combine: (filled) => filled.join(' + '),
    });
    const unhealthyHosts = alarm('unhealthy-hosts', {
      queryId: 'unhealthy',
      name: props.names.unhealthyHosts,
      description: 'Unhealthy targets in any target group; stops and rolls back a release',
      threshold: props.unhealthyHosts ?? 1,
      label: 'Unhealthy targets',
      metricName: 'UnHealthyHostCount',
      stat: 'Maximum',
      combine: (filled) => (filled.length === 1 ? filled[0] : `MAX([${filled.join(', ')}])`),
    });

    this.alarmNames = [target5xx.alarmName, unhealthyHosts.alarmName];
  }
}
