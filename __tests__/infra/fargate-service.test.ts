import { TERRAFORM_REVISION_TAG_KEY } from '../../config';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { FargateService, type FargateServiceProps } from '../../modules/fargate-service';
import { ignoreChanges, only, resources, synthConstructs } from './support';

function build(props: Partial<FargateServiceProps> = {}) {
  return synthConstructs((scope) => {
    const listener = new LbListener(scope, 'listener', { loadBalancerArn: 'arn:lb', port: 80, defaultAction: [{ type: 'forward', targetGroupArn: 'arn:tg' }] });
    new FargateService(scope, 'service', {
      name: 'shop-test-web',
      clusterArn: 'arn:aws:ecs:ap-northeast-1:123456789012:cluster/shop-test',
      taskDefinitionArn: 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/shop-test-web:1',
      containerName: 'app',
      containerPort: 8080,
      vpcId: 'vpc-0abc',
      subnetIds: ['subnet-03', 'subnet-04'],
      securityGroupName: 'shop-test-web-tasks',
      loadBalancer: {
        securityGroupId: 'sg-alb',
        targetGroupArn: 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/shop-test-web-blue/1',
        listeners: [listener],
      },
      ...props,
    });
  });
}

describe('FargateService (blue-green)', () => {
  const synthesized = build();
  const service = only(synthesized, 'aws_ecs_service');

  it('runs on Fargate LATEST in the task subnets, registered in the blue target group', () => {
    expect(service).toMatchObject({
      name: 'shop-test-web',
      launch_type: 'FARGATE',
      platform_version: 'LATEST',
      desired_count: 2,
      network_configuration: { subnets: ['subnet-03', 'subnet-04'], assign_public_ip: false },
      load_balancer: [{ container_name: 'app', container_port: 8080, target_group_arn: expect.stringContaining('shop-test-web-blue') }],
      health_check_grace_period_seconds: 60,
      propagate_tags: 'SERVICE',
      enable_execute_command: false,
      wait_for_steady_state: false,
    });
  });

  it('hands deployments to CodeDeploy', () => {
    expect(service.deployment_controller).toEqual({ type: 'CODE_DEPLOY' });
    expect(service.deployment_circuit_breaker).toBeUndefined();
  });

  it(`records the Terraform-owned revision in its ${TERRAFORM_REVISION_TAG_KEY} tag, which no ignore_changes entry covers`, () => {
    expect(service.tags).toEqual({ [TERRAFORM_REVISION_TAG_KEY]: 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/shop-test-web:1' });
    expect(ignoreChanges(service)).not.toContain('tags');
  });

  it('ignores exactly the task definition and load balancer a release changes', () => {
    expect(ignoreChanges(service)).toEqual(['task_definition', 'load_balancer']);
  });

  it('also ignores the desired count when auto scaling owns it', () => {
    expect(ignoreChanges(only(build({ autoScaling: true }), 'aws_ecs_service'))).toEqual(['task_definition', 'load_balancer', 'desired_count']);
  });

  it('waits for the listeners, since ECS rejects a target group not yet attached to a load balancer', () => {
    expect(service.depends_on).toEqual([expect.stringMatching(/^aws_lb_listener\./)]);
  });

  it('admits only the load balancer security group, on the container port', () => {
    expect(only(synthesized, 'aws_vpc_security_group_ingress_rule')).toEqual(
      expect.objectContaining({ referenced_security_group_id: 'sg-alb', ip_protocol: 'tcp', from_port: 8080, to_port: 8080 }),
    );
    expect(only(synthesized, 'aws_vpc_security_group_ingress_rule').cidr_ipv4).toBeUndefined();
    expect(only(synthesized, 'aws_security_group').ingress).toBeUndefined();
  });
});

describe('FargateService (rolling)', () => {
  const synthesized = build({ strategy: 'rolling', rollingDeploymentAlarmNames: ['five-xx'] });
  const service = only(synthesized, 'aws_ecs_service');

  it('rolls with the ECS controller, a rolling-back circuit breaker and full capacity throughout', () => {
    expect(service).toMatchObject({
      deployment_controller: { type: 'ECS' },
      deployment_circuit_breaker: { enable: true, rollback: true },
      deployment_minimum_healthy_percent: 100,
      deployment_maximum_percent: 200,
      alarms: { alarm_names: ['five-xx'], enable: true, rollback: true },
    });
  });

  it('ignores only the task definition, plus the desired count under auto scaling', () => {
    expect(ignoreChanges(service)).toEqual(['task_definition']);
    expect(ignoreChanges(only(build({ strategy: 'rolling', autoScaling: true }), 'aws_ecs_service'))).toEqual(['task_definition', 'desired_count']);
  });

  it('gives tasks a public IP only when asked (no NAT)', () => {
    expect(only(build({ assignPublicIp: true }), 'aws_ecs_service').network_configuration.assign_public_ip).toBe(true);
    expect(resources(synthesized, 'aws_vpc_security_group_egress_rule')).toEqual([expect.objectContaining({ cidr_ipv4: '0.0.0.0/0', ip_protocol: '-1' })]);
  });
});

describe('FargateService (worker: no load balancer)', () => {
  const synthesized = build({ strategy: 'rolling', loadBalancer: undefined, rollingDeploymentAlarmNames: ['queue-age'] });
  const service = only(synthesized, 'aws_ecs_service');

  it('registers in no target group, waits for no listener and has no load balancer grace period', () => {
    expect(service.load_balancer).toBeUndefined();
    expect(service.depends_on).toBeUndefined();
    expect(service.health_check_grace_period_seconds).toBeUndefined();
  });

  it('still rolls with the rolling-back circuit breaker and its alarms', () => {
    expect(service).toMatchObject({
      deployment_controller: { type: 'ECS' },
      deployment_circuit_breaker: { enable: true, rollback: true },
      alarms: { alarm_names: ['queue-age'], enable: true, rollback: true },
    });
  });

  it("admits nothing: its tasks' security group has egress only", () => {
    expect(resources(synthesized, 'aws_vpc_security_group_ingress_rule')).toEqual([]);
    expect(only(synthesized, 'aws_security_group').ingress).toBeUndefined();
    expect(resources(synthesized, 'aws_vpc_security_group_egress_rule')).toEqual([expect.objectContaining({ cidr_ipv4: '0.0.0.0/0', ip_protocol: '-1' })]);
  });
});
