import { CodedeployDeploymentConfig } from '@cdktf/provider-aws/lib/codedeploy-deployment-config';
import { CodedeployDeploymentGroup } from '@cdktf/provider-aws/lib/codedeploy-deployment-group';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { BlueGreenDeployment, type BlueGreenDeploymentProps } from '../../modules/blue-green-deployment';
import { CodeDeployServiceRole } from '../../modules/code-deploy-service-role';
import { only, resources, synthConstructs } from './support';
import { synthScope } from '../support/synth';

function build(props: Partial<BlueGreenDeploymentProps> = {}) {
  return synthConstructs((scope) => {
    new BlueGreenDeployment(scope, 'deployment', {
      applicationName: 'shop-test-web',
      deploymentGroupName: 'shop-test-web',
      serviceRoleArn: 'arn:aws:iam::123456789012:role/shop-test-codedeploy',
      clusterName: 'shop-test',
      serviceName: 'shop-test-web',
      productionListenerArn: 'arn:production',
      testListenerArn: 'arn:test',
      targetGroupNames: ['shop-test-web-blue', 'shop-test-web-green'],
      ...props,
    });
  });
}

describe('BlueGreenDeployment', () => {
  const synthesized = build({ alarmNames: ['five-xx', 'unhealthy'], terminationWaitMinutes: 15 });
  const group = only(synthesized, 'aws_codedeploy_deployment_group');

  it('creates an ECS application and a blue/green deployment group with traffic control for the service', () => {
    expect(only(synthesized, 'aws_codedeploy_app')).toMatchObject({ name: 'shop-test-web', compute_platform: 'ECS' });
    expect(group).toMatchObject({
      deployment_group_name: 'shop-test-web',
      service_role_arn: 'arn:aws:iam::123456789012:role/shop-test-codedeploy',
      deployment_style: { deployment_type: 'BLUE_GREEN', deployment_option: 'WITH_TRAFFIC_CONTROL' },
      ecs_service: { cluster_name: 'shop-test', service_name: 'shop-test-web' },
      deployment_config_name: 'CodeDeployDefault.ECSAllAtOnce',
    });
  });

  it('pairs both target groups with the production and test listeners', () => {
    expect(group.load_balancer_info.target_group_pair_info).toEqual({
      prod_traffic_route: { listener_arns: ['arn:production'] },
      test_traffic_route: { listener_arns: ['arn:test'] },
      target_group: [{ name: 'shop-test-web-blue' }, { name: 'shop-test-web-green' }],
    });
  });

  it('shifts traffic at once without approval and keeps the old task set for the termination wait', () => {
    expect(group.blue_green_deployment_config).toEqual({
      deployment_ready_option: { action_on_timeout: 'CONTINUE_DEPLOYMENT' },
      terminate_blue_instances_on_deployment_success: { action: 'TERMINATE', termination_wait_time_in_minutes: 15 },
    });
  });

  it('holds traffic for approval when an approval wait is configured', () => {
    const approval = only(build({ approvalWaitMinutes: 60 }), 'aws_codedeploy_deployment_group');
    expect(approval.blue_green_deployment_config.deployment_ready_option).toEqual({ action_on_timeout: 'STOP_DEPLOYMENT', wait_time_in_minutes: 60 });
  });

  it('rolls back on failure, on a stop request and on its alarms', () => {
    expect(group.auto_rollback_configuration).toEqual({ enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] });
    expect(group.alarm_configuration).toEqual({ enabled: true, alarms: ['five-xx', 'unhealthy'] });
  });

  it('leaves alarm settings out when there are no alarms', () => {
    const withoutAlarms = only(build(), 'aws_codedeploy_deployment_group');
    expect(withoutAlarms.alarm_configuration).toBeUndefined();
    expect(withoutAlarms.auto_rollback_configuration.events).not.toContain('DEPLOYMENT_STOP_ON_ALARM');
  });

  it('declares a custom canary in IaC and uses it', () => {
    const json = synthScope((scope) => {
      new BlueGreenDeployment(scope, 'deployment', {
        applicationName: 'a', deploymentGroupName: 'g', serviceRoleArn: 'r', clusterName: 'c', serviceName: 's',
        productionListenerArn: 'p', testListenerArn: 't', targetGroupNames: ['b', 'g'],
        deploymentConfig: { type: 'canary', percentage: 10, intervalMinutes: 5, name: 'shop-test-web-traffic-shift' },
      });
    });
    expect(json).toHaveResourceWithProperties(CodedeployDeploymentConfig, {
      deployment_config_name: 'shop-test-web-traffic-shift',
      compute_platform: 'ECS',
      traffic_routing_config: { type: 'TimeBasedCanary', time_based_canary: { percentage: 10, interval: 5 } },
    });
    expect(json).toHaveResourceWithProperties(CodedeployDeploymentGroup, { deployment_config_name: expect.stringContaining('aws_codedeploy_deployment_config.') });
  });

  it('declares a custom linear shift in IaC', () => {
    const linear = build({ deploymentConfig: { type: 'linear', percentage: 20, intervalMinutes: 2, name: 'shift' } });
    expect(only(linear, 'aws_codedeploy_deployment_config').traffic_routing_config).toEqual({ type: 'TimeBasedLinear', time_based_linear: { percentage: 20, interval: 2 } });
  });

  it('creates no deployment config resource for a predefined one', () => {
    expect(resources(synthesized, 'aws_codedeploy_deployment_config')).toHaveLength(0);
  });
});

describe('CodeDeployServiceRole', () => {
  it('is assumable by CodeDeploy and carries the AWS managed policy for ECS', () => {
    const json = synthScope((scope) => {
      new CodeDeployServiceRole(scope, 'role', { name: 'shop-test-codedeploy', region: 'ap-northeast-1' });
    });
    expect(json).toHaveResourceWithProperties(IamRolePolicyAttachment, { policy_arn: 'arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS' });
    const role = only(JSON.parse(json), 'aws_iam_role');
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'codedeploy.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
  });
});
