/**
 * The ECS service and its tasks' security group.
 *
 * Terraform creates the service; releases own what it runs. The attributes a release changes are
 * listed in `ignore_changes`, each with the release action that changes it.
 */
import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { TERRAFORM_REVISION_TAG_KEY, type ServiceConfig } from '../config';

export interface FargateServiceProps {
  /** Service name. */
  readonly name: string;
  /** ARN of the cluster to run in. */
  readonly clusterArn: string;
  /**
   * Newest Terraform-owned task definition revision: the first deployment runs it (later ones come
   * from releases), and the service's TerraformRevision tag records it for the release tool.
   */
  readonly taskDefinitionArn: string;
  /** Container that receives traffic, as named in the task definition. */
  readonly containerName: string;
  /** Port the container listens on. */
  readonly containerPort: number;
  /** Tasks to run (the initial count when auto scaling is on). @default 2 */
  readonly desiredCount?: number;
  /** VPC of the tasks. */
  readonly vpcId: string;
  /** Subnets the tasks run in. */
  readonly subnetIds: string[];
  /** Give tasks a public IP (subnets without NAT). @default false */
  readonly assignPublicIp?: boolean;
  /** Name of the tasks' security group. */
  readonly securityGroupName: string;
  /** The service's load balancer; a worker has none, and its tasks then admit no traffic at all. @default undefined */
  readonly loadBalancer?: ServiceLoadBalancer;
  /** `blue-green`: CodeDeploy controller. `rolling`: ECS controller with circuit breaker. @default 'blue-green' */
  readonly strategy?: ServiceConfig['release']['strategy'];
  /** Auto scaling owns the desired count, so Terraform ignores it. @default false */
  readonly autoScaling?: boolean;
  /** Alarms that stop and roll back a rolling deployment (blue-green wires them to CodeDeploy instead). @default [] */
  readonly rollingDeploymentAlarmNames?: string[];
  /** Seconds ECS ignores failing load balancer health checks of a new task while it starts. @default 60 */
  readonly healthCheckGracePeriodSeconds?: number;
}

/** Where a web service's tasks receive traffic from. */
export interface ServiceLoadBalancer {
  /** Security group of the load balancer: the only source admitted to the container port. */
  readonly securityGroupId: string;
  /** Target group the service registers its tasks in at creation (blue). */
  readonly targetGroupArn: string;
  /** Listeners that attach the target group to the load balancer; ECS rejects a target group without one. */
  readonly listeners: ITerraformDependable[];
}

export class FargateService extends Construct {
  /** Service name. */
  public readonly serviceName: string;
  /** Security group of the tasks. */
  public readonly securityGroupId: string;
  /** The ECS service resource, for resources that must wait for it. */
  public readonly service: EcsService;

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    const blueGreen = (props.strategy ?? 'blue-green') === 'blue-green';

    const loadBalancer = props.loadBalancer;

    const securityGroup = new SecurityGroup(this, 'security-group', {
      name: props.securityGroupName,
      description: loadBalancer ? `Tasks of ${props.name}: traffic only from their load balancer` : `Tasks of ${props.name}: no inbound traffic (worker)`,
      vpcId: props.vpcId,
      tags: { Name: props.securityGroupName },
    });
    if (loadBalancer) {
      new VpcSecurityGroupIngressRule(this, 'ingress-from-load-balancer', {
        securityGroupId: securityGroup.id,
        referencedSecurityGroupId: loadBalancer.securityGroupId,
        ipProtocol: 'tcp',
        fromPort: props.containerPort,
        toPort: props.containerPort,
        description: 'Requests and health checks from the load balancer',
      });
    }
    // Outbound is open: image pulls (ECR, public registries), CloudWatch Logs and Secrets Manager
    // are HTTPS endpoints with changing addresses, and the application calls its own dependencies.
    new VpcSecurityGroupEgressRule(this, 'egress-all', {
      securityGroupId: securityGroup.id,
      cidrIpv4: '0.0.0.0/0',
      ipProtocol: '-1',
      description: 'Image pulls, logs, secrets and the application\'s own calls',
    });

    const ignoreChanges = [
      // `npm run deploy` points the service (or CodeDeploy's new task set) at the release revision.
      'task_definition',
      // CodeDeploy moves the service's primary task set to the other target group on every release.
      ...(blueGreen ? ['load_balancer'] : []),
      // Application Auto Scaling sets the count; Terraform would otherwise reset it on every apply.
      ...(props.autoScaling ? ['desired_count'] : []),
    ];

    const alarmNames = props.rollingDeploymentAlarmNames ?? [];
    this.service = new EcsService(this, 'service', {
      name: props.name,
      cluster: props.clusterArn,
      taskDefinition: props.taskDefinitionArn,
      desiredCount: props.desiredCount ?? 2,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      networkConfiguration: {
        subnets: props.subnetIds,
        securityGroups: [securityGroup.id],
        assignPublicIp: props.assignPublicIp ?? false,
      },
      // A worker registers nowhere; the grace period only delays load balancer health checks.
      ...(loadBalancer
        ? {
            loadBalancer: [{ targetGroupArn: loadBalancer.targetGroupArn, containerName: props.containerName, containerPort: props.containerPort }],
            healthCheckGracePeriodSeconds: props.healthCheckGracePeriodSeconds ?? 60,
          }
        : {}),
      propagateTags: 'SERVICE',
      enableEcsManagedTags: true,
      enableExecuteCommand: false,
      // Creation returns at once; releases, not Terraform, wait for tasks to become healthy.
      waitForSteadyState: false,
      ...(blueGreen
        ? { deploymentController: { type: 'CODE_DEPLOY' } }
        : {
            deploymentController: { type: 'ECS' },
            deploymentCircuitBreaker: { enable: true, rollback: true },
            deploymentMinimumHealthyPercent: 100,
            deploymentMaximumPercent: 200,
            ...(alarmNames.length > 0 ? { alarms: { alarmNames, enable: true, rollback: true } } : {}),
          }),
      // Updated in place (TagResource, no UpdateService) whenever Terraform registers a new
      // revision, so releases find their base with the DescribeServices call they make anyway.
      tags: { [TERRAFORM_REVISION_TAG_KEY]: props.taskDefinitionArn },
      ...(loadBalancer ? { dependsOn: loadBalancer.listeners } : {}),
      lifecycle: { ignoreChanges },
    });

    this.serviceName = this.service.name;
    this.securityGroupId = securityGroup.id;
  }
}
