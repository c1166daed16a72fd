/**
 * Elastic Load Balancing v2 (query protocol, version 2015-12-01): the read side a release uses to
 * see where traffic goes and whether the new tasks are healthy. Listener default actions are
 * written by the CodeDeploy simulation, as CodeDeploy does in AWS.
 *
 * Error codes are the query codes (`TargetGroupNotFound`), which the SDK maps to its exception
 * classes (`TargetGroupNotFoundException`).
 */
import type {
  Action,
  DescribeListenersOutput,
  DescribeLoadBalancersOutput,
  DescribeRulesOutput,
  DescribeTargetGroupsOutput,
  DescribeTargetHealthOutput,
  Listener,
  LoadBalancer,
  TargetGroup,
  TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ListenerRecord, LoadBalancerRecord, TargetGroupRecord } from '../model';
import { AwsError } from '../protocol/errors';
import { queryList, queryString, type QueryValue } from '../protocol/query';
import type { Simulation } from '../simulation/engine';
import { targetHealth } from '../simulation/tasks';
import { date, type HandlerContext, type ServiceHandler } from './common';

type Params = Record<string, QueryValue>;

const strings = (value: QueryValue | undefined): string[] => queryList(value).filter((item): item is string => typeof item === 'string');

/** Marker/PageSize pagination, ELB style. */
function page<T>(items: T[], params: Params): { items: T[]; NextMarker?: string } {
  const size = Number(queryString(params.PageSize) ?? 400);
  if (!Number.isInteger(size) || size < 1 || size > 400) throw new AwsError('ValidationError', 'PageSize must be between 1 and 400');
  const marker = queryString(params.Marker);
  const start = marker ? Number(Buffer.from(marker, 'base64').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw new AwsError('ValidationError', 'The marker is not valid');
  const slice = items.slice(start, start + size);
  return { items: slice, NextMarker: start + size < items.length ? Buffer.from(String(start + size)).toString('base64') : undefined };
}

export function presentAction(action: ListenerRecord['defaultAction']): Action {
  if (action.type === 'redirect') {
    return {
      Type: 'redirect',
      Order: 1,
      RedirectConfig: { Protocol: action.protocol, Port: action.port, Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: action.statusCode as 'HTTP_301' },
    };
  }
  const single = action.targets.length === 1 ? action.targets[0].targetGroupArn : undefined;
  return {
    Type: 'forward',
    // ELB fills TargetGroupArn only when the forward has a single target group.
    TargetGroupArn: single,
    Order: 1,
    ForwardConfig: {
      TargetGroups: action.targets.map((target) => ({ TargetGroupArn: target.targetGroupArn, Weight: target.weight })),
      TargetGroupStickinessConfig: { Enabled: false },
    },
  };
}

function presentListener(listener: ListenerRecord): Listener {
  return {
    ListenerArn: listener.arn,
    LoadBalancerArn: listener.loadBalancerArn,
    Port: listener.port,
    Protocol: listener.protocol,
    Certificates: listener.certificateArn ? [{ CertificateArn: listener.certificateArn }] : undefined,
    SslPolicy: listener.sslPolicy,
    DefaultActions: [presentAction(listener.defaultAction)],
  };
}

function presentLoadBalancer(lb: LoadBalancerRecord): LoadBalancer {
  return {
    LoadBalancerArn: lb.arn,
    DNSName: lb.dnsName,
    CanonicalHostedZoneId: lb.canonicalHostedZoneId,
    CreatedTime: date(lb.createdAt),
    LoadBalancerName: lb.name,
    Scheme: 'internet-facing',
    VpcId: lb.vpcId,
    State: { Code: 'active' },
    Type: 'application',
    AvailabilityZones: lb.subnets.map((subnet) => ({ ZoneName: subnet.zoneName, SubnetId: subnet.subnetId, LoadBalancerAddresses: [] })),
    SecurityGroups: lb.securityGroups,
    IpAddressType: 'ipv4',
  };
}

/** Load balancers whose listeners forward to a target group (at any weight, 0 included). */
function loadBalancersOf(sim: Simulation, group: TargetGroupRecord): string[] {
  const arns = sim.world.listeners
    .filter((listener) => listener.defaultAction.type === 'forward' && listener.defaultAction.targets.some((target) => target.targetGroupArn === group.arn))
    .map((listener) => listener.loadBalancerArn);
  return [...new Set(arns)];
}

function presentTargetGroup(sim: Simulation, group: TargetGroupRecord): TargetGroup {
  return {
    TargetGroupArn: group.arn,
    TargetGroupName: group.name,
    Protocol: 'HTTP',
    Port: group.port,
    VpcId: group.vpcId,
    HealthCheckProtocol: 'HTTP',
    HealthCheckPort: 'traffic-port',
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: group.healthCheck.intervalSeconds,
    HealthCheckTimeoutSeconds: group.healthCheck.timeoutSeconds,
    HealthyThresholdCount: group.healthCheck.healthyThreshold,
    UnhealthyThresholdCount: group.healthCheck.unhealthyThreshold,
    HealthCheckPath: group.healthCheck.path,
    Matcher: { HttpCode: group.healthCheck.matcher },
    LoadBalancerArns: loadBalancersOf(sim, group),
    TargetType: 'ip',
    ProtocolVersion: 'HTTP1',
    IpAddressType: 'ipv4',
  };
}

function requireTargetGroup(sim: Simulation, targetGroupArn: string | undefined): TargetGroupRecord {
  const group = sim.world.targetGroups.find((candidate) => candidate.arn === targetGroupArn);
  if (!group) throw new AwsError('TargetGroupNotFound', 'One or more target groups not found');
  return group;
}

export const elbv2Handler: ServiceHandler = {
  name: 'elbv2',
  operations: {
    DescribeLoadBalancers(params: Params, { sim }: HandlerContext): DescribeLoadBalancersOutput {
      const arns = strings(params.LoadBalancerArns);
      const names = strings(params.Names);
      let found = sim.world.loadBalancers;
      if (arns.length > 0) found = arns.map((lbArn) => sim.world.loadBalancers.find((lb) => lb.arn === lbArn)).filter((lb): lb is LoadBalancerRecord => !!lb);
      if (names.length > 0) found = names.map((name) => sim.world.loadBalancers.find((lb) => lb.name === name)).filter((lb): lb is LoadBalancerRecord => !!lb);
      if (found.length < Math.max(arns.length, names.length)) throw new AwsError('LoadBalancerNotFound', 'One or more load balancers not found');
      const { items, NextMarker } = page(found, params);
      return { LoadBalancers: items.map(presentLoadBalancer), NextMarker };
    },

    DescribeListeners(params: Params, { sim }: HandlerContext): DescribeListenersOutput {
      const lbArn = queryString(params.LoadBalancerArn);
      const arns = strings(params.ListenerArns);
      if (!lbArn && arns.length === 0) throw new AwsError('ValidationError', 'You must specify either listener ARNs or a load balancer ARN');
      let found: ListenerRecord[];
      if (arns.length > 0) {
        found = arns.map((listenerArn) => sim.world.listeners.find((listener) => listener.arn === listenerArn)).filter((l): l is ListenerRecord => !!l);
        if (found.length < arns.length) throw new AwsError('ListenerNotFound', 'One or more listeners not found');
      } else {
        if (!sim.world.loadBalancers.some((lb) => lb.arn === lbArn)) throw new AwsError('LoadBalancerNotFound', 'One or more load balancers not found');
        found = sim.world.listeners.filter((listener) => listener.loadBalancerArn === lbArn);
      }
      const { items, NextMarker } = page(found, params);
      return { Listeners: items.map(presentListener), NextMarker };
    },

    DescribeRules(params: Params, { sim }: HandlerContext): DescribeRulesOutput {
      const listenerArn = queryString(params.ListenerArn);
      const ruleArns = strings(params.RuleArns);
      if (!listenerArn && ruleArns.length === 0) throw new AwsError('ValidationError', 'You must specify either listener or rule ARNs');
      // Only default rules exist: one per listener, its ARN derived from the listener's.
      const rules = sim.world.listeners
        .map((listener) => ({ listener, ruleArn: `${listener.arn.replace(':listener/', ':listener-rule/')}/default` }))
        .filter(({ listener, ruleArn }) => (listenerArn ? listener.arn === listenerArn : ruleArns.includes(ruleArn)));
      if (listenerArn && rules.length === 0) throw new AwsError('ListenerNotFound', 'One or more listeners not found');
      if (ruleArns.length > 0 && rules.length < ruleArns.length) throw new AwsError('RuleNotFound', 'One or more rules not found');
      return {
        Rules: rules.map(({ listener, ruleArn }) => ({
          RuleArn: ruleArn,
          Priority: 'default',
          Conditions: [],
          Actions: [presentAction(listener.defaultAction)],
          IsDefault: true,
        })),
      };
    },

    DescribeTargetGroups(params: Params, { sim }: HandlerContext): DescribeTargetGroupsOutput {
      const lbArn = queryString(params.LoadBalancerArn);
      const arns = strings(params.TargetGroupArns);
      const names = strings(params.Names);
      let found = sim.world.targetGroups;
      if (arns.length > 0) found = arns.map((groupArn) => sim.world.targetGroups.find((group) => group.arn === groupArn)).filter((g): g is TargetGroupRecord => !!g);
      else if (names.length > 0) found = names.map((name) => sim.world.targetGroups.find((group) => group.name === name)).filter((g): g is TargetGroupRecord => !!g);
      if (found.length < Math.max(arns.length, names.length)) throw new AwsError('TargetGroupNotFound', 'One or more target groups not found');
      if (lbArn) {
        if (!sim.world.loadBalancers.some((lb) => lb.arn === lbArn)) throw new AwsError('LoadBalancerNotFound', 'One or more load balancers not found');
        found = found.filter((group) => loadBalancersOf(sim, group).includes(lbArn));
      }
      const { items, NextMarker } = page(found, params);
      return { TargetGroups: items.map((group) => presentTargetGroup(sim, group)), NextMarker };
    },

    DescribeTargetHealth(params: Params, { sim }: HandlerContext): DescribeTargetHealthOutput {
      const group = requireTargetGroup(sim, queryString(params.TargetGroupArn));
      const now = sim.clock.now();
      const registered: TargetHealthDescription[] = [];
      for (const task of sim.world.tasks) {
        if (!task.targetGroupArns.includes(group.arn)) continue;
        const service = sim.world.services.find((candidate) => candidate.name === task.serviceName && candidate.clusterArn === task.clusterArn);
        const health = targetHealth(sim, task, service, now);
        if (!health) continue;
        registered.push({
          Target: { Id: task.ip, Port: task.containerPort ?? group.port, AvailabilityZone: task.availabilityZone },
          HealthCheckPort: String(task.containerPort ?? group.port),
          TargetHealth: health,
        });
      }
      const wanted = queryList(params.Targets).filter((item): item is Params => typeof item === 'object' && !Array.isArray(item));
      if (wanted.length === 0) return { TargetHealthDescriptions: registered };
      return {
        TargetHealthDescriptions: wanted.map((target) => {
          const id = queryString(target.Id);
          const port = queryString(target.Port);
          const match = registered.find((description) => description.Target?.Id === id && (port === undefined || String(description.Target?.Port) === port));
          return (
            match ?? {
              Target: { Id: id, Port: port === undefined ? undefined : Number(port) },
              TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' },
            }
          );
        }),
      };
    },
  },
};
