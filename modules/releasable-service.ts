/**
 * Everything one service needs to be released: registry, load balancer (web services; a worker
 * has none), task definition, ECS service, alarms, CodeDeploy (blue-green) and auto scaling, wired
 * from the shared configuration.
 */
import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { ConfigError, deletionProtectionOf, serviceNames, testListenerPort, type EnvironmentConfig, type ServiceConfig, type ServiceNames } from '../config';
import { BlueGreenDeployment } from './blue-green-deployment';
import { EcsCluster } from './cluster';
import { CodeDeployServiceRole } from './codedeploy-role';
import { ContainerRegistry } from './container-registry';
import { DeploymentAlarms } from './deployment-alarms';
import { FargateService } from './fargate-service';
import { BlueGreenLoadBalancer, type BlueGreenLoadBalancerProps } from './load-balancer';
import { Network } from './network';
import { ServiceAutoScaling } from './service-auto-scaling';
import { FargateTaskDefinition } from './task-definition';
import { VerificationHook } from './verification-hook';

export interface ReleasableServiceProps {
  /** The environment the service belongs to (names, region, log retention). */
  readonly environment: EnvironmentConfig;
  /** The service's validated configuration. */
  readonly service: ServiceConfig;
  /** The environment's shared network. */
  readonly network: Network;
  /** The environment's shared cluster. */
  readonly cluster: EcsCluster;
  /** The environment's CodeDeploy role; required for the blue-green strategy. @default undefined */
  readonly codeDeployRole?: CodeDeployServiceRole;
  /** The environment's verification hook: the test listener admits it (its way out: VerificationHookEgress). @default undefined (no hook) */
  readonly verificationHook?: VerificationHook;
  /** Where the load balancer writes access logs (this service writes under `<prefix>/<service>`). @default undefined (none) */
  readonly accessLogs?: BlueGreenLoadBalancerProps['accessLogs'];
}

export class ReleasableService extends Construct {
  /** Names of the service's resources, as the release tool derives them. */
  public readonly names: ServiceNames;
  /** The configuration the service was built from. */
  public readonly config: ServiceConfig;
  /** Where release images are pushed. */
  public readonly registry: ContainerRegistry;
  /** Load balancer, listeners and target groups; a worker has none. */
  public readonly loadBalancer?: BlueGreenLoadBalancer;
  /** The Terraform-owned task definition. */
  public readonly taskDefinition: FargateTaskDefinition;
  /** The ECS service. */
  public readonly fargateService: FargateService;
  /** Alarms that stop a release (unless disabled in configuration). */
  public readonly alarms?: DeploymentAlarms;
  /** CodeDeploy application and group (blue-green only). */
  public readonly deployment?: BlueGreenDeployment;
  /** Auto scaling (when configured). */
  public readonly autoScaling?: ServiceAutoScaling;

  constructor(scope: Construct, id: string, props: ReleasableServiceProps) {
    super(scope, id);
    const { environment, service, network, cluster } = props;
    const names = serviceNames(environment, service);
    const blueGreen = service.release.strategy === 'blue-green';
    if (blueGreen && !props.codeDeployRole) {
      throw new ConfigError([`${environment.environment}.services (${service.name}): blue-green needs codeDeployRole; pass the environment's CodeDeploy role`]);
    }
    this.names = names;
    this.config = service;

    this.registry = new ContainerRegistry(this, 'registry', { name: names.repository, untaggedImageDays: service.untaggedImageDays });

    const loadBalancer = service.kind === 'web' ? new BlueGreenLoadBalancer(this, 'load-balancer', {
      name: names.loadBalancer,
      targetGroupNames: names.targetGroups,
      securityGroupName: names.albSecurityGroup,
      vpcId: network.vpcId,
      subnetIds: network.publicSubnetIds,
      containerPort: service.containerPort,
      strategy: service.release.strategy,
      healthCheck: service.healthCheck,
      deregistrationDelaySeconds: service.deregistrationDelaySeconds,
      certificateArn: service.certificateArn,
      productionAllowedCidrs: service.productionAllowedCidrs,
      testListenerPort: testListenerPort(service),
      testListenerAllowedCidrs: service.testListener.allowedCidrs,
      accessLogs: props.accessLogs && { ...props.accessLogs, prefix: `${props.accessLogs.prefix}/${service.name}` },
      deletionProtection: deletionProtectionOf(environment),
    }) : undefined;
    this.loadBalancer = loadBalancer;

    this.taskDefinition = new FargateTaskDefinition(this, 'task-definition', {
      family: names.taskFamily,
      containerName: service.containerName,
      image: service.bootstrapImage,
      containerPort: service.containerPort,
      cpu: service.cpu,
      memory: service.memory,
      cpuArchitecture: service.cpuArchitecture,
      environmentVariables: service.environmentVariables,
      secrets: service.secrets,
      stopTimeoutSeconds: service.stopTimeoutSeconds,
      logGroupName: names.logGroup,
      logRetentionDays: environment.logRetentionDays,
      region: environment.region,
      repositoryArn: this.registry.repositoryArn,
      executionRoleName: names.executionRole,
      taskRoleName: names.taskRole,
    });

    if (service.alarms.enabled && loadBalancer) {
      this.alarms = new DeploymentAlarms(this, 'alarms', {
        names: names.alarms,
        loadBalancerArnSuffix: loadBalancer.arnSuffix,
        targetGroupArnSuffixes: loadBalancer.targetGroups.map((group) => group.arnSuffix),
        target5xxPerMinute: service.alarms.target5xxPerMinute,
        unhealthyHosts: service.alarms.unhealthyHosts,
        evaluationPeriods: service.alarms.evaluationPeriods,
      });
    }

    // The stack's own alarms and the ones the configuration names; a worker has only the latter.
    const alarmNames = service.alarms.enabled ? [...(this.alarms?.alarmNames ?? []), ...service.alarms.additionalAlarmNames] : [];
    this.fargateService = new FargateService(this, 'service', {
      name: names.service,
      clusterArn: cluster.clusterArn,
      taskDefinitionArn: this.taskDefinition.taskDefinitionArn,
      containerName: service.containerName,
      containerPort: service.containerPort,
      desiredCount: service.desiredCount,
      vpcId: network.vpcId,
      subnetIds: network.taskSubnetIds,
      assignPublicIp: network.assignPublicIp,
      securityGroupName: names.taskSecurityGroup,
      loadBalancer: loadBalancer && {
        securityGroupId: loadBalancer.securityGroupId,
        targetGroupArn: loadBalancer.targetGroups[0].arn,
        listeners: loadBalancer.listeners,
      },
      strategy: service.release.strategy,
      autoScaling: service.autoScaling !== undefined,
      rollingDeploymentAlarmNames: blueGreen ? [] : alarmNames,
    });
    loadBalancer?.allowTrafficTo(this.fargateService.securityGroupId);

    const testListener = loadBalancer?.testListener;
    if (blueGreen && loadBalancer && testListener && props.codeDeployRole) {
      const shift = service.release.deploymentConfig;
      this.deployment = new BlueGreenDeployment(this, 'deployment', {
        applicationName: names.codeDeployApplication,
        deploymentGroupName: names.deploymentGroup,
        serviceRoleArn: props.codeDeployRole.roleArn,
        // depends_on names resources of this stack only; the shared stack is applied first anyway.
        serviceRolePermissions: TerraformStack.of(props.codeDeployRole) === TerraformStack.of(this) ? props.codeDeployRole.permissions : undefined,
        clusterName: cluster.clusterName,
        serviceName: this.fargateService.serviceName,
        productionListenerArn: loadBalancer.productionListener.arn,
        testListenerArn: testListener.arn,
        // Names from the target group resources, so the group waits for them to exist.
        targetGroupNames: [loadBalancer.targetGroups[0].name, loadBalancer.targetGroups[1].name],
        deploymentConfig: typeof shift === 'string' ? shift : { ...shift, name: names.customDeploymentConfig },
        terminationWaitMinutes: service.release.terminationWaitMinutes,
        approvalWaitMinutes: service.release.approvalWaitMinutes,
        alarmNames,
      });
    }

    const hook = props.verificationHook;
    if (hook && this.deployment && loadBalancer?.testListenerPort !== undefined) {
      loadBalancer.allowTestListenerFrom(hook.securityGroupId, `verification hook ${hook.functionName}`);
    }

    if (service.autoScaling) {
      this.autoScaling = new ServiceAutoScaling(this, 'auto-scaling', {
        resourceId: names.scalableResourceId,
        service: this.fargateService.service,
        ...service.autoScaling,
      });
    }
  }
}
