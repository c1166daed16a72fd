/**
 * One Application Load Balancer per service, with the listeners and target groups a release moves
 * traffic between.
 *
 * Why one per service: CodeDeploy rewrites the default action of the production and test listeners
 * during a release, so two services cannot share a listener; the VPC and cluster are shared.
 */
import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener, type LbListenerDefaultAction } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import type { ServiceConfig } from '../config';

/** TLS 1.3 with TLS 1.2 fallback: AWS's recommended policy for HTTPS listeners. */
export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/**
 * CodeDeploy rewrites a listener's default action on every release and leaves a weighted forward
 * (new target group 100, old 0); Terraform must not put the forward back to the first target group.
 */
const CODEDEPLOY_OWNS_DEFAULT_ACTION = ['default_action'];

export interface BlueGreenLoadBalancerProps {
  /** Name of the load balancer (ELB limit: 32 characters). */
  readonly name: string;
  /** Names of the blue and green target groups; `rolling` uses only the first. */
  readonly targetGroupNames: readonly [blue: string, green: string];
  /** Name of the load balancer's security group. */
  readonly securityGroupName: string;
  /** VPC of the load balancer and its targets. */
  readonly vpcId: string;
  /** Public subnets, two or more zones. */
  readonly subnetIds: string[];
  /** Port the containers listen on (the target groups' port). */
  readonly containerPort: number;
  /** `blue-green` adds the green target group and the test listener; `rolling` has one target group. @default 'blue-green' */
  readonly strategy?: ServiceConfig['release']['strategy'];
  /** Target health check. @default path '/', 10 s interval, 5 s timeout, 2 healthy, 3 unhealthy, '200-399' */
  readonly healthCheck?: Partial<ServiceConfig['healthCheck']>;
  /** Seconds a deregistering target keeps draining. @default 30 */
  readonly deregistrationDelaySeconds?: number;
  /** ACM certificate: production becomes HTTPS on 443 with a redirect from 80. @default undefined (HTTP on 80) */
  readonly certificateArn?: string;
  /** CIDRs that may reach the production port(s). @default ['0.0.0.0/0'] */
  readonly productionAllowedCidrs?: readonly string[];
  /** Port of the test listener (blue-green only). @default 8443 with a certificate, else 8080 */
  readonly testListenerPort?: number;
  /** CIDRs that may reach the test listener; empty means no ingress rule at all. @default [] */
  readonly testListenerAllowedCidrs?: readonly string[];
  /** Where access logs go: bucket, key prefix, and what must exist first (the bucket policy). @default undefined (no access logs) */
  readonly accessLogs?: { readonly bucket: string; readonly prefix: string; readonly dependsOn?: ITerraformDependable[] };
  /** Refuse deletion of the load balancer until this is turned off. @default false */
  readonly deletionProtection?: boolean;
}

export class BlueGreenLoadBalancer extends Construct {
  /** Security group of the load balancer (the tasks admit traffic only from it). */
  public readonly securityGroupId: string;
  /** ARN of the load balancer. */
  public readonly loadBalancerArn: string;
  /** ARN suffix used as the CloudWatch `LoadBalancer` dimension. */
  public readonly arnSuffix: string;
  /** Public DNS name. */
  public readonly dnsName: string;
  /** Blue then green (`rolling`: only one); the service starts on the first. */
  public readonly targetGroups: LbTargetGroup[];
  /** Listener that forwards production traffic (443 with a certificate, else 80). */
  public readonly productionListener: LbListener;
  /** Listener that reaches the replacement task set before production does (blue-green only). */
  public readonly testListener?: LbListener;
  /** Every listener, for resources that need a target group already attached to the load balancer. */
  public readonly listeners: LbListener[];
  /** Production URL. */
  public readonly productionUrl: string;
  /** Test listener URL (blue-green only). */
  public readonly testUrl?: string;
  /** Port and protocol of the test listener (blue-green only). */
  public readonly testListenerPort?: number;
  public readonly testListenerProtocol?: 'HTTP' | 'HTTPS';

  private readonly containerPort: number;

  constructor(scope: Construct, id: string, props: BlueGreenLoadBalancerProps) {
    super(scope, id);
    const blueGreen = (props.strategy ?? 'blue-green') === 'blue-green';
    const https = props.certificateArn !== undefined;
    const productionPort = https ? 443 : 80;
    const testPort = props.testListenerPort ?? (https ? 8443 : 8080);
    this.containerPort = props.containerPort;

    const securityGroup = new SecurityGroup(this, 'security-group', {
      name: props.securityGroupName,
      description: `Load balancer ${props.name}: production${blueGreen ? ' and test' : ''} listeners`,
      vpcId: props.vpcId,
      tags: { Name: props.securityGroupName },
    });
    this.securityGroupId = securityGroup.id;

    const productionPorts = https ? [80, 443] : [80];
    for (const cidr of props.productionAllowedCidrs ?? ['0.0.0.0/0']) {
      for (const port of productionPorts) this.allowIngress(`production-${port}-from-${cidr}`, cidr, port, 'production listener');
    }
    if (blueGreen) {
      // The test listener serves the unreleased version: open only to the listed CIDRs, if any.
      for (const cidr of props.testListenerAllowedCidrs ?? []) this.allowIngress(`test-${testPort}-from-${cidr}`, cidr, testPort, 'test listener');
    }

    const loadBalancer = new Lb(this, 'load-balancer', {
      name: props.name,
      loadBalancerType: 'application',
      internal: false,
      securityGroups: [securityGroup.id],
      subnets: props.subnetIds,
      dropInvalidHeaderFields: true,
      enableDeletionProtection: props.deletionProtection ?? false,
      ...(props.accessLogs
        ? { accessLogs: { bucket: props.accessLogs.bucket, prefix: props.accessLogs.prefix, enabled: true }, dependsOn: props.accessLogs.dependsOn }
        : {}),
      tags: { Name: props.name },
    });
    this.loadBalancerArn = loadBalancer.arn;
    this.arnSuffix = loadBalancer.arnSuffix;
    this.dnsName = loadBalancer.dnsName;

    const check = props.healthCheck ?? {};
    const colours = blueGreen ? (['blue', 'green'] as const) : (['blue'] as const);
    this.targetGroups = colours.map(
      (colour, index) =>
        new LbTargetGroup(this, `${colour}-target-group`, {
          name: props.targetGroupNames[index],
          targetType: 'ip',
          protocol: 'HTTP',
          port: props.containerPort,
          vpcId: props.vpcId,
          deregistrationDelay: String(props.deregistrationDelaySeconds ?? 30),
          healthCheck: {
            enabled: true,
            protocol: 'HTTP',
            port: 'traffic-port',
            path: check.path ?? '/',
            interval: check.intervalSeconds ?? 10,
            timeout: check.timeoutSeconds ?? 5,
            healthyThreshold: check.healthyThreshold ?? 2,
            unhealthyThreshold: check.unhealthyThreshold ?? 3,
            matcher: check.matcher ?? '200-399',
          },
          tags: { Name: props.targetGroupNames[index] },
        }),
    );

    const forwardToBlue: LbListenerDefaultAction[] = [{ type: 'forward', targetGroupArn: this.targetGroups[0].arn }];
    const tls = https ? { certificateArn: props.certificateArn, sslPolicy: TLS_POLICY } : {};
    const lifecycle = blueGreen ? { ignoreChanges: CODEDEPLOY_OWNS_DEFAULT_ACTION } : undefined;

    /** Production and test listeners differ only in port: both forward, and CodeDeploy owns both forwards. */
    const forwardingListener = (id: string, port: number) =>
      new LbListener(this, id, {
        loadBalancerArn: loadBalancer.arn,
        port,
        protocol: https ? 'HTTPS' : 'HTTP',
        ...tls,
        defaultAction: forwardToBlue,
        lifecycle,
      });

    this.productionListener = forwardingListener('production-listener', productionPort);
    this.listeners = [this.productionListener];

    if (https) {
      // CodeDeploy never touches the redirect, so Terraform keeps owning its default action.
      const redirect = new LbListener(this, 'http-redirect-listener', {
        loadBalancerArn: loadBalancer.arn,
        port: 80,
        protocol: 'HTTP',
        defaultAction: [{ type: 'redirect', redirect: { port: '443', protocol: 'HTTPS', statusCode: 'HTTP_301' } }],
      });
      this.listeners.push(redirect);
    }

    if (blueGreen) {
      this.testListener = forwardingListener('test-listener', testPort);
      this.testListenerPort = testPort;
      this.testListenerProtocol = https ? 'HTTPS' : 'HTTP';
      this.listeners.push(this.testListener);
    }

    const scheme = https ? 'https' : 'http';
    this.productionUrl = `${scheme}://${loadBalancer.dnsName}`;
    this.testUrl = blueGreen ? `${scheme}://${loadBalancer.dnsName}:${testPort}` : undefined;
  }

  /** Let the load balancer reach the tasks' security group on the container port, and nothing else. */
  public allowTrafficTo(taskSecurityGroupId: string): void {
    new VpcSecurityGroupEgressRule(this, 'egress-to-tasks', {
      securityGroupId: this.securityGroupId,
      referencedSecurityGroupId: taskSecurityGroupId,
      ipProtocol: 'tcp',
      fromPort: this.containerPort,
      toPort: this.containerPort,
      description: 'Forward requests and health checks to the tasks',
    });
  }

  /** Let one security group (the verification hook's) reach the test listener, and nothing else besides the configured CIDRs. */
  public allowTestListenerFrom(sourceSecurityGroupId: string, purpose: string): void {
    // Wiring, not configuration: config/index.ts gives a verification hook only blue-green services.
    if (this.testListenerPort === undefined) throw new Error(`${purpose}: a rolling service has no test listener to admit it to`);
    new VpcSecurityGroupIngressRule(this, 'test-from-verification-hook', {
      securityGroupId: this.securityGroupId,
      referencedSecurityGroupId: sourceSecurityGroupId,
      ipProtocol: 'tcp',
      fromPort: this.testListenerPort,
      toPort: this.testListenerPort,
      description: `test listener from ${purpose}`,
    });
  }

  private allowIngress(id: string, cidr: string, port: number, purpose: string): void {
    new VpcSecurityGroupIngressRule(this, id.replace(/[./]/g, '-'), {
      securityGroupId: this.securityGroupId,
      cidrIpv4: cidr,
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      description: `${purpose} from ${cidr}`,
    });
  }
}
