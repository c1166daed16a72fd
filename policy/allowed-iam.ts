/**
 * What the IAM policy rules allow, pinned here rather than read from the code that writes the
 * policies (config/release-permissions.ts, config/plan-permissions.ts, modules/). A rule that
 * trusted the generator's own list would pass whatever the generator grants; with the lists here,
 * granting a new action on "*" or attaching a new managed policy fails `npm run policy` (and the
 * stack tests) until this file is changed too, in the same pull request, where a reviewer sees it.
 *
 * Only which actions may be granted on "*" and which managed policies may be attached are pinned:
 * how the other actions are scoped to this environment's resources is the generator's business,
 * checked by the other rules (no wildcard actions, iam:PassRole on named roles, ...).
 */

/**
 * The Service Authorization Reference lists no resource type for the action, so IAM accepts it
 * only with `Resource: "*"` (its Actions table: "If there is no value for this column, you must
 * specify all resources").
 */
export const NO_RESOURCE_TYPE = 'the Service Authorization Reference lists no resource type for it: IAM accepts only "*"';

/**
 * Lambda creates, describes and deletes a VPC function's network interfaces with the function's
 * execution role (AWS Lambda Developer Guide, "Giving Lambda functions access to resources in an
 * Amazon VPC"); the interfaces do not exist before Lambda creates them, so there is no ARN to name.
 */
export const LAMBDA_NETWORK_INTERFACES = 'Lambda manages a VPC function\'s network interfaces with its execution role; they do not exist before Lambda creates them';

/**
 * `terraform plan` refreshes the stack's resources with the plan role: read-only metadata of the
 * stack's resource types (config/plan-permissions.ts; never object data, log events or secrets).
 */
export const PLAN_REFRESH_READ = 'read-only: terraform plan refreshes the stack\'s resources of this type with the plan role';

/** Every action any role of a stack may be granted on `Resource: "*"`, with the reason. */
export const ACTIONS_ALLOWED_ON_ANY_RESOURCE: Readonly<Record<string, string>> = {
  // The release tool and the image push (the deploy role); ECR's login also for task execution roles.
  'ecr:GetAuthorizationToken': NO_RESOURCE_TYPE,
  'ecs:ListTaskDefinitions': NO_RESOURCE_TYPE,
  'ecs:DescribeTaskDefinition': NO_RESOURCE_TYPE,
  'ecs:DeregisterTaskDefinition': NO_RESOURCE_TYPE,
  'codedeploy:ListDeploymentTargets': NO_RESOURCE_TYPE,
  'codedeploy:BatchGetDeploymentTargets': NO_RESOURCE_TYPE,
  'codedeploy:ContinueDeployment': NO_RESOURCE_TYPE,
  'codedeploy:StopDeployment': NO_RESOURCE_TYPE,
  'elasticloadbalancing:DescribeTargetGroups': NO_RESOURCE_TYPE,
  'elasticloadbalancing:DescribeListeners': NO_RESOURCE_TYPE,
  'elasticloadbalancing:DescribeLoadBalancers': NO_RESOURCE_TYPE,
  'application-autoscaling:DescribeScalableTargets': NO_RESOURCE_TYPE,
  // The verification hook's execution role (modules/verification-hook.ts): its result, and Lambda's network interfaces.
  'codedeploy:PutLifecycleEventHookExecutionStatus': NO_RESOURCE_TYPE,
  'ec2:CreateNetworkInterface': LAMBDA_NETWORK_INTERFACES,
  'ec2:DescribeNetworkInterfaces': LAMBDA_NETWORK_INTERFACES,
  'ec2:DescribeSubnets': LAMBDA_NETWORK_INTERFACES,
  'ec2:DeleteNetworkInterface': LAMBDA_NETWORK_INTERFACES,
  'ec2:AssignPrivateIpAddresses': LAMBDA_NETWORK_INTERFACES,
  'ec2:UnassignPrivateIpAddresses': LAMBDA_NETWORK_INTERFACES,
  // The plan role's refresh of the stack's resource types.
  'ec2:DescribeVpcs': PLAN_REFRESH_READ,
  'ec2:DescribeVpcAttribute': PLAN_REFRESH_READ,
  'ec2:DescribeNetworkAcls': PLAN_REFRESH_READ,
  'ec2:DescribeRouteTables': PLAN_REFRESH_READ,
  'ec2:DescribeSecurityGroups': PLAN_REFRESH_READ,
  'ec2:DescribeSecurityGroupRules': PLAN_REFRESH_READ,
  'ec2:DescribeInternetGateways': PLAN_REFRESH_READ,
  'ec2:DescribeAddresses': PLAN_REFRESH_READ,
  'ec2:DescribeAddressesAttribute': PLAN_REFRESH_READ,
  'ec2:DescribeNatGateways': PLAN_REFRESH_READ,
  'elasticloadbalancing:DescribeLoadBalancerAttributes': PLAN_REFRESH_READ,
  'elasticloadbalancing:DescribeCapacityReservation': PLAN_REFRESH_READ,
  'elasticloadbalancing:DescribeListenerAttributes': PLAN_REFRESH_READ,
  'elasticloadbalancing:DescribeTargetGroupAttributes': PLAN_REFRESH_READ,
  'elasticloadbalancing:DescribeTags': PLAN_REFRESH_READ,
  'ecs:DescribeClusters': PLAN_REFRESH_READ,
  'ecs:DescribeServices': PLAN_REFRESH_READ,
  'ecs:ListTagsForResource': PLAN_REFRESH_READ,
  'ecr:DescribeRepositories': PLAN_REFRESH_READ,
  'ecr:ListTagsForResource': PLAN_REFRESH_READ,
  'ecr:GetLifecyclePolicy': PLAN_REFRESH_READ,
  'logs:DescribeLogGroups': PLAN_REFRESH_READ,
  'logs:ListTagsForResource': PLAN_REFRESH_READ,
  'logs:ListTagsLogGroup': PLAN_REFRESH_READ,
  'cloudwatch:DescribeAlarms': PLAN_REFRESH_READ,
  'cloudwatch:ListTagsForResource': PLAN_REFRESH_READ,
  'codedeploy:GetApplication': PLAN_REFRESH_READ,
  'codedeploy:GetDeploymentGroup': PLAN_REFRESH_READ,
  'codedeploy:GetDeploymentConfig': PLAN_REFRESH_READ,
  'codedeploy:ListTagsForResource': PLAN_REFRESH_READ,
  'application-autoscaling:ListTagsForResource': PLAN_REFRESH_READ,
  'application-autoscaling:DescribeScalingPolicies': PLAN_REFRESH_READ,
};

/**
 * The AWS managed policies a role of a stack may have attached, by name (the ARN is
 * `arn:<partition>:iam::aws:policy/<name>`), with the reason.
 */
export const MANAGED_POLICIES_ALLOWED: Readonly<Record<string, string>> = {
  AWSCodeDeployRoleForECS:
    'the CodeDeploy service role for ECS blue/green: AWS maintains the exact set CodeDeploy needs (task sets, listener rules, alarms, passing the task roles); an inline copy would go stale',
};

/** The partitions an ARN of an AWS managed policy may name (commercial, China, GovCloud). */
const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'];

/** Whether `arn` is the ARN of an AWS managed policy on the pinned list, in any partition. */
export function isAllowedManagedPolicyArn(arn: unknown): boolean {
  return typeof arn === 'string' && PARTITIONS.some((partition) => Object.keys(MANAGED_POLICIES_ALLOWED).some((name) => arn === `arn:${partition}:iam::aws:policy/${name}`));
}

/** Whether an action may be granted on `Resource: "*"`. */
export function isAllowedOnAnyResource(action: string): boolean {
  return Object.hasOwn(ACTIONS_ALLOWED_ON_ANY_RESOURCE, action);
}
