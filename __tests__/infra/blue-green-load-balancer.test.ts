import { BlueGreenLoadBalancer, TLS_POLICY, type BlueGreenLoadBalancerProps } from '../../modules/blue-green-load-balancer';
import { ignoreChanges, only, resources, synthConstructs } from './support';

const certificateArn = 'arn:aws:acm:ap-northeast-1:123456789012:certificate/abc';

function build(props: Partial<BlueGreenLoadBalancerProps> = {}) {
  return synthConstructs((scope) => {
    const loadBalancer = new BlueGreenLoadBalancer(scope, 'load-balancer', {
      name: 'shop-test-web',
      targetGroupNames: ['shop-test-web-blue', 'shop-test-web-green'],
      securityGroupName: 'shop-test-web-alb',
      vpcId: 'vpc-0abc',
      subnetIds: ['subnet-01', 'subnet-02'],
      containerPort: 8080,
      ...props,
    });
    loadBalancer.allowTrafficTo('sg-tasks');
  });
}

const listenerOn = (synthesized: ReturnType<typeof build>, port: number) => {
  const found = resources(synthesized, 'aws_lb_listener').filter((listener) => listener.port === port);
  expect(found).toHaveLength(1);
  return found[0];
};
const ingressPorts = (synthesized: ReturnType<typeof build>) =>
  resources(synthesized, 'aws_vpc_security_group_ingress_rule').map((rule) => `${rule.from_port} ${rule.cidr_ipv4}`).sort();

describe('BlueGreenLoadBalancer over HTTP (blue-green)', () => {
  const synthesized = build();

  it('creates an internet-facing ALB that drops invalid headers', () => {
    expect(only(synthesized, 'aws_lb')).toMatchObject({ name: 'shop-test-web', load_balancer_type: 'application', internal: false, drop_invalid_header_fields: true, subnets: ['subnet-01', 'subnet-02'] });
  });

  it('creates blue and green ip target groups with the configured health check and draining', () => {
    const groups = resources(synthesized, 'aws_lb_target_group');
    expect(groups.map((group) => group.name)).toEqual(['shop-test-web-blue', 'shop-test-web-green']);
    for (const group of groups) {
      expect(group).toMatchObject({
        target_type: 'ip',
        protocol: 'HTTP',
        port: 8080,
        deregistration_delay: '30',
        health_check: { path: '/', interval: 10, timeout: 5, healthy_threshold: 2, unhealthy_threshold: 3, matcher: '200-399', port: 'traffic-port' },
      });
    }
  });

  it('forwards production (80) and test (8080) listeners to blue and leaves their default action to CodeDeploy', () => {
    for (const port of [80, 8080]) {
      const listener = listenerOn(synthesized, port);
      expect(listener.protocol).toBe('HTTP');
      expect(listener.default_action).toEqual([{ type: 'forward', target_group_arn: expect.stringContaining('blue-target-group') }]);
      expect(ignoreChanges(listener)).toEqual(['default_action']);
    }
    expect(resources(synthesized, 'aws_lb_listener')).toHaveLength(2);
  });

  it('opens the production port to the world and adds no rule for the test port when no CIDR is listed', () => {
    expect(ingressPorts(synthesized)).toEqual(['80 0.0.0.0/0']);
  });

  it('lets the ALB reach only the tasks, on the container port', () => {
    expect(only(synthesized, 'aws_vpc_security_group_egress_rule')).toMatchObject({ referenced_security_group_id: 'sg-tasks', ip_protocol: 'tcp', from_port: 8080, to_port: 8080 });
    expect(only(synthesized, 'aws_security_group').egress).toBeUndefined();
  });
});

describe('BlueGreenLoadBalancer over HTTPS', () => {
  const synthesized = build({ certificateArn, testListenerAllowedCidrs: ['203.0.113.0/24'], productionAllowedCidrs: ['198.51.100.0/24'] });

  it('serves production on 443 with the TLS 1.3 policy and the certificate', () => {
    const listener = listenerOn(synthesized, 443);
    expect(listener).toMatchObject({ protocol: 'HTTPS', ssl_policy: TLS_POLICY, certificate_arn: certificateArn });
    expect(ignoreChanges(listener)).toEqual(['default_action']);
  });

  it('redirects HTTP to HTTPS and keeps that listener fully under Terraform', () => {
    const redirect = listenerOn(synthesized, 80);
    expect(redirect.default_action).toEqual([{ type: 'redirect', redirect: { port: '443', protocol: 'HTTPS', status_code: 'HTTP_301' } }]);
    expect(redirect.lifecycle).toBeUndefined();
  });

  it('serves the test listener on 8443 over HTTPS, open only to the listed CIDRs', () => {
    const test = listenerOn(synthesized, 8443);
    expect(test).toMatchObject({ protocol: 'HTTPS', ssl_policy: TLS_POLICY, certificate_arn: certificateArn });
    expect(ignoreChanges(test)).toEqual(['default_action']);
    expect(ingressPorts(synthesized)).toEqual(['443 198.51.100.0/24', '80 198.51.100.0/24', '8443 203.0.113.0/24']);
  });
});

describe('BlueGreenLoadBalancer for a rolling service', () => {
  const synthesized = build({ strategy: 'rolling' });

  it('has one target group, no test listener and no test port rule', () => {
    expect(resources(synthesized, 'aws_lb_target_group').map((group) => group.name)).toEqual(['shop-test-web-blue']);
    expect(resources(synthesized, 'aws_lb_listener').map((listener) => listener.port)).toEqual([80]);
    expect(ingressPorts(synthesized)).toEqual(['80 0.0.0.0/0']);
  });

  it('lets Terraform own the production listener, since ECS never rewrites it', () => {
    expect(listenerOn(synthesized, 80).lifecycle).toBeUndefined();
  });
});
