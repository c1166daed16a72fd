/**
 * What `terraform plan` reads, per resource type: the plan role's policy is built from the types a
 * stack synthesizes (modules/github-identity.ts), and a type without an entry here fails synthesis,
 * so a new construct cannot silently break the plans of pull requests.
 *
 * Each entry is the IAM actions of the AWS calls the hashicorp/aws 5.100.0 provider makes in that
 * resource's Read (the refresh of a plan), taken from its source: internal/service/<service>/,
 * the file named in `source`, including the tag reads the provider makes for tagged resources.
 * Only reads: the test suite fails on any action that is not Describe*, List*, Get* (or S3's
 * ListBucket, which HeadBucket is authorized as).
 */

/** What the actions are granted on; modules/github-identity.ts turns each kind into ARNs. */
export type PlanReadScope =
  /** "*": EC2, ELB, ECS, ECR, logs, CloudWatch, CodeDeploy and Application Auto Scaling reads (read-only, so the whole account's metadata of those types, never data). */
  | 'any'
  /** IAM roles named `<app>-<env>-*` (this environment's roles). */
  | 'environment-roles'
  /** The account's GitHub OIDC provider. */
  | 'oidc-provider'
  /** The access-log bucket(s) this environment creates (`<app>-<env>-alb-logs-*`). */
  | 'access-log-bucket'
  /** The environment's verification hook function (`<app>-<env>-verify-test-listener`). */
  | 'verification-hook';

export interface PlanRead {
  /** IAM actions the refresh needs. */
  readonly actions: readonly string[];
  /** What they are granted on. */
  readonly scope: PlanReadScope;
  /** The provider file whose Read function makes the calls (under internal/service/). */
  readonly source: string;
}

const ec2 = (source: string, ...actions: string[]): PlanRead => ({ actions: actions.map((action) => `ec2:${action}`), scope: 'any', source: `ec2/${source}` });
const elb = (source: string, ...actions: string[]): PlanRead => ({ actions: [...actions, 'DescribeTags'].map((action) => `elasticloadbalancing:${action}`), scope: 'any', source: `elbv2/${source}` });
const s3 = (source: string, ...actions: string[]): PlanRead => ({ actions: actions.map((action) => `s3:${action}`), scope: 'access-log-bucket', source: `s3/${source}` });

/**
 * Resource types whose plan makes no AWS call. terraform_remote_state: a service stack reads the
 * shared stack's outputs from its state object, which the plan role's state statements cover
 * (modules/github-identity.ts: every stack's key).
 */
export const PLAN_READS_NOTHING: readonly string[] = ['terraform_data', 'terraform_remote_state'];

export const PLAN_READS: Readonly<Record<string, PlanRead>> = {
  // Network
  aws_vpc: ec2('vpc_.go', 'DescribeVpcs', 'DescribeVpcAttribute', 'DescribeNetworkAcls', 'DescribeRouteTables', 'DescribeSecurityGroups'),
  aws_subnet: ec2('vpc_subnet.go', 'DescribeSubnets'),
  aws_internet_gateway: ec2('vpc_internet_gateway.go', 'DescribeInternetGateways'),
  aws_eip: ec2('ec2_eip.go', 'DescribeAddresses', 'DescribeAddressesAttribute'),
  aws_nat_gateway: ec2('vpc_nat_gateway.go', 'DescribeNatGateways'),
  aws_route_table: ec2('vpc_route_table.go', 'DescribeRouteTables'),
  aws_route: ec2('vpc_route.go', 'DescribeRouteTables'),
  aws_route_table_association: ec2('vpc_route_table_association.go', 'DescribeRouteTables'),
  aws_security_group: ec2('vpc_security_group.go', 'DescribeSecurityGroups'),
  aws_default_security_group: ec2('vpc_default_security_group.go', 'DescribeSecurityGroups'),
  aws_vpc_security_group_ingress_rule: ec2('vpc_security_group_ingress_rule.go', 'DescribeSecurityGroupRules'),
  aws_vpc_security_group_egress_rule: ec2('vpc_security_group_egress_rule.go', 'DescribeSecurityGroupRules'),
  // Load balancing
  aws_lb: elb('load_balancer.go', 'DescribeLoadBalancers', 'DescribeLoadBalancerAttributes', 'DescribeCapacityReservation'),
  aws_lb_listener: elb('listener.go', 'DescribeListeners', 'DescribeListenerAttributes'),
  aws_lb_target_group: elb('target_group.go', 'DescribeTargetGroups', 'DescribeTargetGroupAttributes'),
  // ECS and ECR
  aws_ecs_cluster: { actions: ['ecs:DescribeClusters', 'ecs:ListTagsForResource'], scope: 'any', source: 'ecs/cluster.go' },
  aws_ecs_cluster_capacity_providers: { actions: ['ecs:DescribeClusters'], scope: 'any', source: 'ecs/cluster_capacity_providers.go' },
  aws_ecs_service: { actions: ['ecs:DescribeServices', 'ecs:ListTagsForResource'], scope: 'any', source: 'ecs/service.go' },
  aws_ecs_task_definition: { actions: ['ecs:DescribeTaskDefinition', 'ecs:ListTagsForResource'], scope: 'any', source: 'ecs/task_definition.go' },
  aws_ecr_repository: { actions: ['ecr:DescribeRepositories', 'ecr:ListTagsForResource'], scope: 'any', source: 'ecr/repository.go' },
  aws_ecr_lifecycle_policy: { actions: ['ecr:GetLifecyclePolicy'], scope: 'any', source: 'ecr/lifecycle_policy.go' },
  // Logs and alarms
  aws_cloudwatch_log_group: { actions: ['logs:DescribeLogGroups', 'logs:ListTagsForResource', 'logs:ListTagsLogGroup'], scope: 'any', source: 'logs/group.go' },
  aws_cloudwatch_metric_alarm: { actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'], scope: 'any', source: 'cloudwatch/metric_alarm.go' },
  // Releases
  aws_codedeploy_app: { actions: ['codedeploy:GetApplication', 'codedeploy:ListTagsForResource'], scope: 'any', source: 'deploy/app.go' },
  aws_codedeploy_deployment_group: { actions: ['codedeploy:GetDeploymentGroup', 'codedeploy:ListTagsForResource'], scope: 'any', source: 'deploy/deployment_group.go' },
  aws_codedeploy_deployment_config: { actions: ['codedeploy:GetDeploymentConfig'], scope: 'any', source: 'deploy/deployment_config.go' },
  aws_appautoscaling_target: { actions: ['application-autoscaling:DescribeScalableTargets', 'application-autoscaling:ListTagsForResource'], scope: 'any', source: 'appautoscaling/target.go' },
  aws_appautoscaling_policy: { actions: ['application-autoscaling:DescribeScalingPolicies'], scope: 'any', source: 'appautoscaling/policy.go' },
  // The verification hook (modules/verification-hook.ts)
  aws_lambda_function: {
    // GetFunction also returns the tags and the reserved concurrency.
    actions: ['lambda:GetFunction', 'lambda:ListVersionsByFunction', 'lambda:GetFunctionCodeSigningConfig'],
    scope: 'verification-hook',
    source: 'lambda/function.go',
  },
  // IAM
  aws_iam_role: { actions: ['iam:GetRole', 'iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies'], scope: 'environment-roles', source: 'iam/role.go' },
  aws_iam_role_policy: { actions: ['iam:GetRolePolicy'], scope: 'environment-roles', source: 'iam/role_policy.go' },
  aws_iam_role_policy_attachment: { actions: ['iam:ListAttachedRolePolicies'], scope: 'environment-roles', source: 'iam/role_policy_attachment.go' },
  aws_iam_openid_connect_provider: { actions: ['iam:GetOpenIDConnectProvider'], scope: 'oidc-provider', source: 'iam/openid_connect_provider.go' },
  // Access logs
  aws_s3_bucket: s3(
    'bucket.go',
    'ListBucket',
    'GetBucketPolicy',
    'GetBucketAcl',
    'GetBucketCORS',
    'GetBucketWebsite',
    'GetBucketVersioning',
    'GetAccelerateConfiguration',
    'GetBucketRequestPayment',
    'GetBucketLogging',
    'GetLifecycleConfiguration',
    'GetReplicationConfiguration',
    'GetEncryptionConfiguration',
    'GetBucketObjectLockConfiguration',
    'GetBucketTagging',
  ),
  aws_s3_bucket_policy: s3('bucket_policy.go', 'GetBucketPolicy'),
  aws_s3_bucket_public_access_block: s3('bucket_public_access_block.go', 'GetBucketPublicAccessBlock'),
  aws_s3_bucket_ownership_controls: s3('bucket_ownership_controls.go', 'GetBucketOwnershipControls'),
  aws_s3_bucket_server_side_encryption_configuration: s3('bucket_server_side_encryption_configuration.go', 'GetEncryptionConfiguration'),
  aws_s3_bucket_lifecycle_configuration: s3('bucket_lifecycle_configuration.go', 'GetLifecycleConfiguration'),
};

/** Every action the plan role may be granted on "*" (read-only; the policy rules allow these on "*"). */
export const PLAN_READS_ON_ANY_RESOURCE: readonly string[] = [
  ...new Set(Object.values(PLAN_READS).filter((read) => read.scope === 'any').flatMap((read) => read.actions)),
].sort();
