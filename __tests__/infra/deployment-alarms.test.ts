import { DeploymentAlarms, type DeploymentAlarmsProps } from '../../modules/deployment-alarms';
import { resources, synthConstructs } from './support';

function build(props: Partial<DeploymentAlarmsProps> = {}) {
  return resources(
    synthConstructs((scope) => {
      new DeploymentAlarms(scope, 'alarms', {
        names: { target5xx: 'web-target-5xx', unhealthyHosts: 'web-unhealthy-hosts' },
        loadBalancerArnSuffix: 'app/shop-test-web/abc',
        targetGroupArnSuffixes: ['targetgroup/blue/1', 'targetgroup/green/2'],
        ...props,
      });
    }),
    'aws_cloudwatch_metric_alarm',
  );
}

const byName = (alarms: Array<Record<string, any>>, name: string) => alarms.find((alarm) => alarm.alarm_name === name)!;
const metricsOf = (alarm: Record<string, any>) => alarm.metric_query.filter((query: any) => query.metric).map((query: any) => query.metric);

describe('DeploymentAlarms', () => {
  const alarms = build();

  it('sums target 5xx responses over both target groups, per minute', () => {
    const alarm = byName(alarms, 'web-target-5xx');
    expect(alarm).toMatchObject({ comparison_operator: 'GreaterThanOrEqualToThreshold', threshold: 5, evaluation_periods: 2, treat_missing_data: 'notBreaching' });
    expect(alarm.metric_query[0]).toMatchObject({ expression: 'FILL(m1, 0) + FILL(m2, 0)', return_data: true });
    expect(metricsOf(alarm)).toEqual([
      expect.objectContaining({ namespace: 'AWS/ApplicationELB', metric_name: 'HTTPCode_Target_5XX_Count', stat: 'Sum', period: 60, dimensions: { LoadBalancer: 'app/shop-test-web/abc', TargetGroup: 'targetgroup/blue/1' } }),
      expect.objectContaining({ metric_name: 'HTTPCode_Target_5XX_Count', dimensions: { LoadBalancer: 'app/shop-test-web/abc', TargetGroup: 'targetgroup/green/2' } }),
    ]);
  });

  it('fires on the most unhealthy hosts in either target group', () => {
    const alarm = byName(alarms, 'web-unhealthy-hosts');
    expect(alarm).toMatchObject({ threshold: 1, treat_missing_data: 'notBreaching' });
    expect(alarm.metric_query[0].expression).toBe('MAX([FILL(m1, 0), FILL(m2, 0)])');
    expect(metricsOf(alarm).map((metric: any) => [metric.metric_name, metric.stat, metric.dimensions.TargetGroup])).toEqual([
      ['UnHealthyHostCount', 'Maximum', 'targetgroup/blue/1'],
      ['UnHealthyHostCount', 'Maximum', 'targetgroup/green/2'],
    ]);
  });

  it('uses the configured thresholds', () => {
    const tuned = build({ target5xxPerMinute: 20, unhealthyHosts: 2, evaluationPeriods: 3 });
    expect(byName(tuned, 'web-target-5xx')).toMatchObject({ threshold: 20, evaluation_periods: 3 });
    expect(byName(tuned, 'web-unhealthy-hosts')).toMatchObject({ threshold: 2, evaluation_periods: 3 });
  });

  it('watches a single target group without metric math over one series', () => {
    const single = build({ targetGroupArnSuffixes: ['targetgroup/blue/1'] });
    expect(byName(single, 'web-unhealthy-hosts').metric_query[0].expression).toBe('FILL(m1, 0)');
    expect(byName(single, 'web-target-5xx').metric_query[0].expression).toBe('FILL(m1, 0)');
  });
});
