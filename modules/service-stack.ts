/**
 * One service's stack (`<app>-<env>-<service>`, config/names.ts `serviceStackName`) with a state of
 * its own: the ReleasableService and its outputs, plus the verification hook's way out to its test
 * listener. It reads the network, cluster, CodeDeploy role, access-log bucket and hook of the
 * environment's shared stack through cdktf's cross-stack references (outputs there, a
 * `terraform_remote_state` here), so it is planned and applied after the shared stack.
 *
 * The service sits at the root of the stack with the id it had when the environment was one stack
 * (`service-<name>`), so every resource keeps its Terraform address and moving an existing state
 * into per-stack states is a pure move.
 */
import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import type { EnvironmentConfig, ServiceConfig } from '../config';
import { AwsStack } from './aws-stack';
import { ReleasableService } from './releasable-service';
import type { SharedStack } from './shared-stack';
import { VerificationHookEgress } from './verification-hook-egress';

export interface ServiceStackProps {
  /** The validated environment configuration. */
  readonly config: EnvironmentConfig;
  /** The service this stack holds. */
  readonly service: ServiceConfig;
  /** The environment's shared stack, whose resources the service uses. */
  readonly shared: SharedStack;
}

export class ServiceStack extends AwsStack {
  /** The service. */
  public readonly service: ReleasableService;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, { config: props.config, service: props.service.name });
    const { shared } = props;
    this.service = new ReleasableService(this, `service-${props.service.name}`, {
      environment: props.config,
      service: props.service,
      network: shared.network,
      cluster: shared.cluster,
      codeDeployRole: shared.codeDeployRole,
      accessLogs: shared.accessLogTarget,
      verificationHook: shared.verificationHook,
    });
    const loadBalancer = this.service.loadBalancer;
    if (shared.verificationHook && this.service.deployment && loadBalancer?.testListenerPort !== undefined) {
      new VerificationHookEgress(this, 'verification-hook', {
        hookSecurityGroupId: shared.verificationHook.securityGroupId,
        service: props.service.name,
        loadBalancerSecurityGroupId: loadBalancer.securityGroupId,
        testListenerPort: loadBalancer.testListenerPort,
      });
    }
    this.addOutputs(shared);
  }

  /** What the release tool and people look up: `<service>_<what>`, as when the environment was one stack. */
  private addOutputs(shared: SharedStack): void {
    const released = this.service;
    const prefix = released.config.name;
    const output = (name: string, value: unknown, description: string) => new TerraformOutput(this, `${prefix}_${name}`, { value, description });
    const loadBalancer = released.loadBalancer;
    output('cluster', shared.cluster.clusterName, 'ECS cluster');
    output('service', released.fargateService.serviceName, 'ECS service');
    output('task_family', released.taskDefinition.family, 'Task definition family');
    output('container_name', released.taskDefinition.containerName, 'Container that receives traffic');
    output('repository_url', released.registry.repositoryUrl, 'ECR repository releases push to');
    if (!loadBalancer) return;
    output('target_groups', loadBalancer.targetGroups.map((group) => group.name), 'Target groups (blue, green)');
    output('production_listener_arn', loadBalancer.productionListener.arn, 'Listener carrying production traffic');
    output('url', loadBalancer.productionUrl, 'Production URL');
    if (released.deployment && loadBalancer.testListener) {
      output('test_listener_arn', loadBalancer.testListener.arn, 'Listener reaching the replacement task set');
      output('test_url', loadBalancer.testUrl, 'Test listener URL (open only to testListener.allowedCidrs)');
      output('codedeploy_application', released.deployment.applicationName, 'CodeDeploy application');
      output('deployment_group', released.deployment.deploymentGroupName, 'CodeDeploy deployment group');
    }
  }
}
