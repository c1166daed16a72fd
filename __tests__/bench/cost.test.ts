import { loadEnvironment } from '../../config';
import { ASSUMPTIONS, atServiceCount, billableResources, environmentCost, HOURS_PER_MONTH, monthlyCost, PRICE_LISTS, sharedLoadBalancer, total, type Billable } from '../../bench/cost';

const TOKYO = PRICE_LISTS['ap-northeast-1'];
const none: Billable = {
  loadBalancers: 0, loadBalancerPublicIps: 0, natGateways: 0, elasticIps: 0, taskPublicIps: 0, tasks: 0, vcpuX86: 0, vcpuArm: 0,
  gbX86: 0, gbArm: 0, alarmMetrics: 0, insightsMetrics: 0, logStoredGb: 0, logIngestedGb: 0, imageGb: 0,
};
const line = (lines: ReturnType<typeof monthlyCost>, prefix: string) => lines.find((entry) => entry.item.startsWith(prefix))!.monthlyUsd;

describe('the cost arithmetic', () => {
  it('prices each quantity by the hour (730 a month) or by the month, rounded to the cent', () => {
    const lines = monthlyCost({ ...none, loadBalancers: 2, loadBalancerPublicIps: 4, natGateways: 3, elasticIps: 3, tasks: 2, vcpuX86: 1, gbX86: 2, alarmMetrics: 8, insightsMetrics: 33, logIngestedGb: 2, logStoredGb: 6, imageGb: 4.5 }, TOKYO);
    expect(HOURS_PER_MONTH).toBe(730);
    expect(line(lines, 'Application Load Balancers')).toBe(35.48); // 2 × 0.0243 × 730 = 35.478
    expect(line(lines, 'NAT gateways')).toBe(135.78); // 3 × 0.062 × 730
    expect(line(lines, 'public IPv4')).toBe(25.55); // 7 × 0.005 × 730
    expect(line(lines, 'Fargate')).toBe(44.98); // (1 × 0.05056 + 2 × 0.00553) × 730 = 44.9826
    expect(line(lines, 'CloudWatch alarm')).toBe(0.8);
    expect(line(lines, 'Container Insights')).toBe(9.9);
    expect(line(lines, 'CloudWatch Logs ingestion')).toBe(1.52);
    expect(line(lines, 'CloudWatch Logs storage')).toBe(0.2); // 6 × 0.033 = 0.198
    expect(line(lines, 'ECR')).toBe(0.45);
    expect(total(lines)).toBe(254.66);
  });

  it('prices ARM tasks at the ARM rates', () => {
    expect(line(monthlyCost({ ...none, vcpuArm: 1, gbArm: 2 }, TOKYO), 'Fargate')).toBe(35.98); // (0.04045 + 2 × 0.00442) × 730 = 35.9818
  });

  it('grows each quantity linearly from the one-service stack by what the second service added', () => {
    const base = { ...none, loadBalancers: 1, natGateways: 3 };
    const perService = { ...none, loadBalancers: 1 };
    expect(atServiceCount(base, perService, 50)).toMatchObject({ loadBalancers: 50, natGateways: 3 });
    expect(sharedLoadBalancer({ ...base, loadBalancers: 50, loadBalancerPublicIps: 150 }, { ...base, loadBalancerPublicIps: 3 })).toMatchObject({ loadBalancers: 1, loadBalancerPublicIps: 3 });
  });
});

describe('counting what costs money in a synthesized stack', () => {
  const stack = {
    resource: {
      aws_lb: { a: { internal: false, subnets: ['s1', 's2'] }, b: { internal: true, subnets: ['s1', 's2'] } },
      aws_eip: { n: {} },
      aws_nat_gateway: { n: {} },
      aws_ecs_task_definition: { td: { cpu: '512', memory: '1024', runtime_platform: { cpu_architecture: 'X86_64' } } },
      aws_ecs_service: { s: { name: 'shop-prod-web', desired_count: 1, task_definition: '${aws_ecs_task_definition.td.arn}', network_configuration: { assign_public_ip: true } } },
      aws_appautoscaling_target: { t: { resource_id: 'service/shop-prod/shop-prod-web', min_capacity: 2 } },
      aws_appautoscaling_policy: { p: { policy_type: 'TargetTrackingScaling' } },
      aws_cloudwatch_metric_alarm: { math: { metric_query: [{ metric: {} }, { metric: {} }, { expression: 'a/b' }] }, plain: { metric_name: 'x' } },
      aws_cloudwatch_log_group: { g: { retention_in_days: 90 } },
      aws_ecs_cluster: { c: { setting: [{ name: 'containerInsights', value: 'enabled' }] } },
      aws_ecr_lifecycle_policy: { l: { policy: JSON.stringify({ rules: [{ selection: { countType: 'imageCountMoreThan', countNumber: 30 } }] }) } },
    },
  };

  it('counts public IPs of internet-facing ALBs and tasks, tasks at auto scaling\'s minimum, alarm metrics of metric math and target tracking', () => {
    expect(billableResources(stack)).toEqual({
      loadBalancers: 2,
      loadBalancerPublicIps: 2,
      natGateways: 1,
      elasticIps: 1,
      taskPublicIps: 2,
      tasks: 2,
      vcpuX86: 1,
      vcpuArm: 0,
      gbX86: 2,
      gbArm: 0,
      alarmMetrics: 2 + 1 + 2,
      insightsMetrics: ASSUMPTIONS.insightsMetricsPerCluster + ASSUMPTIONS.insightsMetricsPerService,
      logIngestedGb: 2 * ASSUMPTIONS.logGbPerTaskMonth,
      logStoredGb: 2 * ASSUMPTIONS.logGbPerTaskMonth * 3,
      imageGb: (30 * ASSUMPTIONS.imageMb) / 1024,
    });
  });
});

describe('the configured prod environment', () => {
  const cost = environmentCost(loadEnvironment('prod', { offline: true }));

  it('pays one ALB per service, and one in all with a shared listener-rule ALB; NAT gateways stay one per AZ', () => {
    const [one, ten, fifty] = cost.rows;
    expect([one.services, ten.services, fifty.services]).toEqual([1, 10, 50]);
    expect(line(fifty.perService, 'Application Load Balancers')).toBeCloseTo(50 * line(one.perService, 'Application Load Balancers'), 1);
    expect(line(fifty.shared, 'Application Load Balancers')).toBe(line(one.perService, 'Application Load Balancers'));
    expect(line(fifty.perService, 'NAT gateways')).toBe(line(one.perService, 'NAT gateways'));
    expect(line(one.perService, 'NAT gateways')).toBe(135.78); // 3 AZs, per-az
    expect(total(fifty.shared)).toBeLessThan(total(fifty.perService));
  });
});
