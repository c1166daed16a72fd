/**
 * The CodeDeploy application and deployment group that release a service blue/green: the new task
 * set comes up behind the test listener, traffic shifts, alarms roll it back.
 */
import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { CodedeployApp } from '@cdktf/provider-aws/lib/codedeploy-app';
import { CodedeployDeploymentConfig } from '@cdktf/provider-aws/lib/codedeploy-deployment-config';
import { CodedeployDeploymentGroup } from '@cdktf/provider-aws/lib/codedeploy-deployment-group';
import type { CustomDeploymentConfig, PredefinedDeploymentConfig } from '../config';

export interface BlueGreenDeploymentProps {
  /** CodeDeploy application name. */
  readonly applicationName: string;
  /** Deployment group name. */
  readonly deploymentGroupName: string;
  /** Role CodeDeploy assumes. */
  readonly serviceRoleArn: string;
  /** The role's permissions, which CodeDeploy checks when the group is created. @default none to wait for */
  readonly serviceRolePermissions?: ITerraformDependable;
  /** Cluster of the service. */
  readonly clusterName: string;
  /** ECS service (with the CODE_DEPLOY controller). */
  readonly serviceName: string;
  /** Listener carrying production traffic. */
  readonly productionListenerArn: string;
  /** Listener reaching the replacement task set before production does. */
  readonly testListenerArn: string;
  /** Names of the blue and green target groups. */
  readonly targetGroupNames: readonly [blue: string, green: string];
  /** A predefined config name, or a custom canary/linear shift with the name to create it under. @default 'CodeDeployDefault.ECSAllAtOnce' */
  readonly deploymentConfig?: PredefinedDeploymentConfig | (CustomDeploymentConfig & { readonly name: string });
  /** Minutes the old task set stays up after traffic moves, for an instant rollback. @default 5 */
  readonly terminationWaitMinutes?: number;
  /** Minutes the release waits for approval before shifting traffic; unset shifts at once. @default undefined */
  readonly approvalWaitMinutes?: number;
  /** Alarms that stop the release and roll it back. @default [] */
  readonly alarmNames?: string[];
}

export class BlueGreenDeployment extends Construct {
  /** CodeDeploy application name. */
  public readonly applicationName: string;
  /** Deployment group name. */
  public readonly deploymentGroupName: string;
  /** Deployment config the group uses. */
  public readonly deploymentConfigName: string;

  constructor(scope: Construct, id: string, props: BlueGreenDeploymentProps) {
    super(scope, id);
    const application = new CodedeployApp(this, 'application', { name: props.applicationName, computePlatform: 'ECS' });

    const config = props.deploymentConfig ?? 'CodeDeployDefault.ECSAllAtOnce';
    this.deploymentConfigName =
      typeof config === 'string'
        ? config
        : new CodedeployDeploymentConfig(this, 'traffic-shift', {
            deploymentConfigName: config.name,
            computePlatform: 'ECS',
            trafficRoutingConfig:
              config.type === 'canary'
                ? { type: 'TimeBasedCanary', timeBasedCanary: { percentage: config.percentage, interval: config.intervalMinutes } }
                : { type: 'TimeBasedLinear', timeBasedLinear: { percentage: config.percentage, interval: config.intervalMinutes } },
          }).deploymentConfigName;

    const alarmNames = props.alarmNames ?? [];
    const approval = props.approvalWaitMinutes;
    const group = new CodedeployDeploymentGroup(this, 'deployment-group', {
      appName: application.name,
      deploymentGroupName: props.deploymentGroupName,
      serviceRoleArn: props.serviceRoleArn,
      deploymentConfigName: this.deploymentConfigName,
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      ecsService: { clusterName: props.clusterName, serviceName: props.serviceName },
      loadBalancerInfo: {
        targetGroupPairInfo: {
          prodTrafficRoute: { listenerArns: [props.productionListenerArn] },
          testTrafficRoute: { listenerArns: [props.testListenerArn] },
          targetGroup: props.targetGroupNames.map((name) => ({ name })),
        },
      },
      blueGreenDeploymentConfig: {
        deploymentReadyOption:
          approval === undefined
            ? { actionOnTimeout: 'CONTINUE_DEPLOYMENT' }
            : // Traffic stays on the old task set until `approve`, or the release stops after the wait.
              { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: approval },
        terminateBlueInstancesOnDeploymentSuccess: {
          action: 'TERMINATE',
          terminationWaitTimeInMinutes: props.terminationWaitMinutes ?? 5,
        },
      },
      autoRollbackConfiguration: {
        enabled: true,
        events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', ...(alarmNames.length > 0 ? ['DEPLOYMENT_STOP_ON_ALARM'] : [])],
      },
      ...(alarmNames.length > 0 ? { alarmConfiguration: { enabled: true, alarms: alarmNames } } : {}),
      dependsOn: props.serviceRolePermissions ? [props.serviceRolePermissions] : undefined,
    });

    this.applicationName = application.name;
    this.deploymentGroupName = group.deploymentGroupName;
  }
}
