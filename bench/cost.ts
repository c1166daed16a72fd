/**
 * The fixed monthly cost of an environment at 1, 10 and 50 services, modelled from the stack's own
 * settings: the environment's configuration is synthesized with one and with two copies of its
 * first service, every billable resource is counted in the Terraform JSON, and the difference is
 * what each further service adds (every per-service resource is identical, so the cost is linear
 * in the service count). Prices are list prices of the configured region (PRICE_LISTS), with the
 * date and the pages they come from; what is usage-dependent is either left out or an assumption
 * stated in ASSUMPTIONS. docs/cost.md shows the result; `npm run bench -- --only cost` prints it.
 *
 * Beside it, the listener-rule design: one shared ALB with one rule per service, which
 * CodeDeploy cannot drive (it rewrites a listener's default action) but ECS-native blue/green can.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import type { EnvironmentConfig } from '../config';
import { fleetOf } from '../config/fleet';
import { EnvironmentStacks } from '../modules/environment-stacks';

/** Hours in a month as AWS's pricing pages count them. */
export const HOURS_PER_MONTH = 730;

export interface PriceList {
  readonly region: string;
  /** When these list prices were published on the pages below (year-month). */
  readonly asOf: string;
  /** USD per hour per Application Load Balancer. */
  readonly albHour: number;
  /** USD per LCU-hour (usage: shown, not part of the fixed cost). */
  readonly lcuHour: number;
  /** USD per hour per NAT gateway. */
  readonly natHour: number;
  /** USD per GB a NAT gateway processes (usage: shown, not part of the fixed cost). */
  readonly natGb: number;
  /** USD per hour per public IPv4 address (in use or idle). */
  readonly publicIpv4Hour: number;
  /** Fargate Linux, USD per vCPU-hour and per GB-hour, by CPU architecture. */
  readonly fargateVcpuHour: Readonly<Record<'X86_64' | 'ARM64', number>>;
  readonly fargateGbHour: Readonly<Record<'X86_64' | 'ARM64', number>>;
  /** USD per standard-resolution alarm metric per month (a metric-math alarm pays per metric it reads). */
  readonly alarmMetricMonth: number;
  /** USD per custom metric per month, first tier (Container Insights publishes custom metrics). */
  readonly customMetricMonth: number;
  /** CloudWatch Logs, USD per GB ingested (standard class) and per GB-month stored. */
  readonly logsIngestGb: number;
  readonly logsStorageGbMonth: number;
  /** ECR, USD per GB-month stored. */
  readonly ecrStorageGbMonth: number;
  /** Pages the figures come from. */
  readonly sources: readonly string[];
}

/**
 * List prices, USD, on-demand, no free tier. ap-northeast-1 as published on AWS's pricing pages
 * (below) in mid-2025; they could not be re-read on the day this was written, so docs/cost.md says
 * which figures a second source confirmed and which are taken as given. Check before budgeting.
 */
export const PRICE_LISTS: Readonly<Record<string, PriceList>> = {
  'ap-northeast-1': {
    region: 'ap-northeast-1',
    asOf: '2025-06',
    albHour: 0.0243,
    lcuHour: 0.008,
    natHour: 0.062,
    natGb: 0.062,
    publicIpv4Hour: 0.005,
    fargateVcpuHour: { X86_64: 0.05056, ARM64: 0.04045 },
    fargateGbHour: { X86_64: 0.00553, ARM64: 0.00442 },
    alarmMetricMonth: 0.1,
    customMetricMonth: 0.3,
    logsIngestGb: 0.76,
    logsStorageGbMonth: 0.033,
    ecrStorageGbMonth: 0.1,
    sources: [
      'https://aws.amazon.com/elasticloadbalancing/pricing/ (Application Load Balancer, Asia Pacific (Tokyo))',
      'https://aws.amazon.com/vpc/pricing/ (NAT gateway; public IPv4 address charge)',
      'https://aws.amazon.com/fargate/pricing/ (Linux/x86 and Linux/ARM, Asia Pacific (Tokyo))',
      'https://aws.amazon.com/cloudwatch/pricing/ (alarms, custom metrics, Logs, Asia Pacific (Tokyo))',
      'https://aws.amazon.com/ecr/pricing/ (storage)',
    ],
  },
};

export interface Assumptions {
  /** Log volume each running task writes per month, GB. */
  readonly logGbPerTaskMonth: number;
  /** Size of one image in a repository, MB (layers shared between images are not subtracted). */
  readonly imageMb: number;
  /** Container Insights custom metrics per service (service and task-family dimensions). */
  readonly insightsMetricsPerService: number;
  /** Container Insights custom metrics per cluster. */
  readonly insightsMetricsPerCluster: number;
}

export const ASSUMPTIONS: Assumptions = {
  logGbPerTaskMonth: 1,
  imageMb: 150,
  // The ECS Container Insights metric list (CloudWatch User Guide): 13 with ClusterName+ServiceName
  // (CpuUtilized, CpuReserved, MemoryUtilized, MemoryReserved, NetworkRx/TxBytes, StorageRead/WriteBytes,
  // Desired/Running/PendingTaskCount, DeploymentCount, TaskSetCount) and 8 with the task family.
  insightsMetricsPerService: 21,
  insightsMetricsPerCluster: 12,
};

/** What costs money in one synthesized stack, in units that scale linearly with the services. */
export interface Billable {
  loadBalancers: number;
  /** Public IPv4 addresses of internet-facing load balancers (one per subnet). */
  loadBalancerPublicIps: number;
  natGateways: number;
  /** Elastic IPs (the NAT gateways'). */
  elasticIps: number;
  /** Tasks given a public IP (subnets without NAT). */
  taskPublicIps: number;
  /** Running tasks at rest: the desired count, or auto scaling's minimum when higher. */
  tasks: number;
  vcpuX86: number;
  vcpuArm: number;
  gbX86: number;
  gbArm: number;
  /** Metrics read by alarms: the stack's own, and the two target tracking creates per policy. */
  alarmMetrics: number;
  /** Container Insights custom metrics (0 when it is off). */
  insightsMetrics: number;
  /** Log storage at steady state, GB: a month's ingestion kept for the retention period. */
  logStoredGb: number;
  /** Logs ingested per month, GB. */
  logIngestedGb: number;
  /** Images kept in ECR, GB. */
  imageGb: number;
}

const KEYS: readonly (keyof Billable)[] = [
  'loadBalancers', 'loadBalancerPublicIps', 'natGateways', 'elasticIps', 'taskPublicIps', 'tasks', 'vcpuX86', 'vcpuArm',
  'gbX86', 'gbArm', 'alarmMetrics', 'insightsMetrics', 'logStoredGb', 'logIngestedGb', 'imageGb',
];

type Resources = Record<string, Record<string, any>>;

const all = (resources: Resources, type: string): any[] => Object.values(resources[type] ?? {});

/** Counts the billable resources of a synthesized stack (its Terraform JSON). */
export function billableResources(synthesized: { resource?: Resources }, assumptions: Assumptions = ASSUMPTIONS): Billable {
  const resources = synthesized.resource ?? {};
  const definitions = new Map(Object.entries(resources.aws_ecs_task_definition ?? {}).map(([id, definition]) => [`\${aws_ecs_task_definition.${id}.arn}`, definition]));
  const scalingMinimum = new Map(all(resources, 'aws_appautoscaling_target').map((target) => [String(target.resource_id).split('/').pop(), Number(target.min_capacity)]));
  const billable: Billable = Object.fromEntries(KEYS.map((key) => [key, 0])) as unknown as Billable;

  for (const balancer of all(resources, 'aws_lb')) {
    billable.loadBalancers += 1;
    if (!balancer.internal) billable.loadBalancerPublicIps += (balancer.subnets ?? []).length;
  }
  billable.natGateways = all(resources, 'aws_nat_gateway').length;
  billable.elasticIps = all(resources, 'aws_eip').length;

  const retentionDays = all(resources, 'aws_cloudwatch_log_group').map((group) => Number(group.retention_in_days ?? 0));
  for (const service of all(resources, 'aws_ecs_service')) {
    const definition = definitions.get(service.task_definition);
    if (!definition) throw new Error(`service ${service.name}: task definition ${service.task_definition} not in the stack`);
    const tasks = Math.max(Number(service.desired_count ?? 0), scalingMinimum.get(service.name) ?? 0);
    const arm = definition.runtime_platform?.cpu_architecture === 'ARM64';
    billable.tasks += tasks;
    billable[arm ? 'vcpuArm' : 'vcpuX86'] += (tasks * Number(definition.cpu)) / 1024;
    billable[arm ? 'gbArm' : 'gbX86'] += (tasks * Number(definition.memory)) / 1024;
    if (service.network_configuration?.assign_public_ip) billable.taskPublicIps += tasks;
    billable.logIngestedGb += tasks * assumptions.logGbPerTaskMonth;
  }
  // Steady state: each month's logs are kept for the retention period (the longest configured here).
  billable.logStoredGb = billable.logIngestedGb * (Math.max(0, ...retentionDays) / 30);

  for (const alarm of all(resources, 'aws_cloudwatch_metric_alarm')) {
    billable.alarmMetrics += alarm.metric_query ? alarm.metric_query.filter((query: { metric?: unknown }) => query.metric).length : 1;
  }
  // Target tracking creates and owns two alarms per policy (high and low), billed like any other.
  billable.alarmMetrics += 2 * all(resources, 'aws_appautoscaling_policy').filter((policy) => policy.policy_type === 'TargetTrackingScaling').length;

  const insights = all(resources, 'aws_ecs_cluster').filter((cluster) => (cluster.setting ?? []).some((setting: { name: string; value: string }) => setting.name === 'containerInsights' && setting.value !== 'disabled'));
  if (insights.length > 0) {
    billable.insightsMetrics = insights.length * assumptions.insightsMetricsPerCluster + all(resources, 'aws_ecs_service').length * assumptions.insightsMetricsPerService;
  }

  for (const policy of all(resources, 'aws_ecr_lifecycle_policy')) {
    const kept = (JSON.parse(policy.policy) as { rules: { selection: { countType: string; countNumber: number } }[] }).rules.find((rule) => rule.selection.countType === 'imageCountMoreThan');
    billable.imageGb += ((kept?.selection.countNumber ?? 0) * assumptions.imageMb) / 1024;
  }
  return billable;
}

/** `base + (services − 1) × perService`, for every quantity. */
export function atServiceCount(base: Billable, perService: Billable, services: number): Billable {
  return Object.fromEntries(KEYS.map((key) => [key, base[key] + (services - 1) * perService[key]])) as unknown as Billable;
}

/** The same environment with one shared ALB (one listener rule per service) instead of one ALB per service. */
export function sharedLoadBalancer(billable: Billable, onePerService: Billable): Billable {
  const ipsPerBalancer = onePerService.loadBalancers > 0 ? onePerService.loadBalancerPublicIps / onePerService.loadBalancers : 0;
  return { ...billable, loadBalancers: 1, loadBalancerPublicIps: ipsPerBalancer };
}

export interface CostLine {
  readonly item: string;
  readonly quantity: string;
  readonly monthlyUsd: number;
}

const round = (value: number) => Math.round(value * 100) / 100;

/** The monthly fixed cost, line by line, of the billable resources at these prices. */
export function monthlyCost(billable: Billable, prices: PriceList): CostLine[] {
  const hours = HOURS_PER_MONTH;
  const publicIps = billable.loadBalancerPublicIps + billable.elasticIps + billable.taskPublicIps;
  const lines: CostLine[] = [
    { item: 'Application Load Balancers (hours; LCUs extra, by traffic)', quantity: `${billable.loadBalancers}`, monthlyUsd: billable.loadBalancers * prices.albHour * hours },
    { item: 'NAT gateways (hours; data processed extra)', quantity: `${billable.natGateways}`, monthlyUsd: billable.natGateways * prices.natHour * hours },
    { item: 'public IPv4 addresses (ALB nodes, NAT EIPs, tasks)', quantity: `${publicIps}`, monthlyUsd: publicIps * prices.publicIpv4Hour * hours },
    {
      item: 'Fargate tasks at rest (vCPU + memory)',
      quantity: `${billable.tasks} tasks, ${round(billable.vcpuX86 + billable.vcpuArm)} vCPU, ${round(billable.gbX86 + billable.gbArm)} GB`,
      monthlyUsd:
        hours *
        (billable.vcpuX86 * prices.fargateVcpuHour.X86_64 + billable.vcpuArm * prices.fargateVcpuHour.ARM64 + billable.gbX86 * prices.fargateGbHour.X86_64 + billable.gbArm * prices.fargateGbHour.ARM64),
    },
    { item: 'CloudWatch alarm metrics', quantity: `${billable.alarmMetrics}`, monthlyUsd: billable.alarmMetrics * prices.alarmMetricMonth },
    { item: 'Container Insights metrics', quantity: `${billable.insightsMetrics}`, monthlyUsd: billable.insightsMetrics * prices.customMetricMonth },
    { item: 'CloudWatch Logs ingestion', quantity: `${round(billable.logIngestedGb)} GB`, monthlyUsd: billable.logIngestedGb * prices.logsIngestGb },
    { item: 'CloudWatch Logs storage', quantity: `${round(billable.logStoredGb)} GB`, monthlyUsd: billable.logStoredGb * prices.logsStorageGbMonth },
    { item: 'ECR image storage', quantity: `${round(billable.imageGb)} GB`, monthlyUsd: billable.imageGb * prices.ecrStorageGbMonth },
  ];
  return lines.map((line) => ({ ...line, monthlyUsd: round(line.monthlyUsd) }));
}

export const total = (lines: readonly CostLine[]): number => round(lines.reduce((sum, line) => sum + line.monthlyUsd, 0));

function synthesize(env: EnvironmentConfig): { resource?: Resources } {
  // Testing.app() alone leaves an empty cdktf.outdir.* in the temp folder per call.
  const outdir = mkdtempSync(join(tmpdir(), 'bench-cost-'));
  try {
    const app = Testing.app({ outdir });
    // Every stack of the environment (shared and one per service): the resources, by type, of all of them.
    const resource: Resources = {};
    for (const stack of new EnvironmentStacks(app, env).all) {
      const synthesized = JSON.parse(Testing.synth(stack)) as { resource?: Resources };
      for (const [type, byId] of Object.entries(synthesized.resource ?? {})) resource[type] = { ...resource[type], ...byId };
    }
    return { resource };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export interface EnvironmentCost {
  readonly environment: string;
  readonly region: string;
  readonly prices: PriceList;
  readonly rows: readonly { readonly services: number; readonly perService: CostLine[]; readonly shared: CostLine[] }[];
}

/** The monthly cost of `env` at each service count, one ALB per service and one shared. */
export function environmentCost(env: EnvironmentConfig, serviceCounts: readonly number[] = [1, 10, 50]): EnvironmentCost {
  const prices = PRICE_LISTS[env.region];
  if (!prices) throw new Error(`no price list for region ${env.region}: add it to PRICE_LISTS in bench/cost.ts`);
  const one = billableResources(synthesize(fleetOf(env, 1, env.services.slice(0, 1))));
  const two = billableResources(synthesize(fleetOf(env, 2, env.services.slice(0, 1))));
  const perService = Object.fromEntries(KEYS.map((key) => [key, two[key] - one[key]])) as unknown as Billable;
  const rows = serviceCounts.map((services) => {
    const billable = atServiceCount(one, perService, services);
    return { services, perService: monthlyCost(billable, prices), shared: monthlyCost(sharedLoadBalancer(billable, one), prices) };
  });
  return { environment: env.environment, region: env.region, prices, rows };
}
