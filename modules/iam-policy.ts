/**
 * IAM policy documents as plain JSON, so the synthesized stack shows (and tests read) every
 * statement literally.
 */

/** Managed policies this repository may attach, each for a reason written here. */
export const ALLOWED_MANAGED_POLICIES = {
  // AWS maintains the exact set CodeDeploy needs to drive ECS blue/green (task sets, listener
  // rules, alarms, passing the task roles); copying it inline would go stale.
  AWSCodeDeployRoleForECS: 'CodeDeploy service role for ECS blue/green',
} as const;
export type AllowedManagedPolicy = keyof typeof ALLOWED_MANAGED_POLICIES;

/**
 * The one action allowed on `Resource: "*"`: ECR's login token is account-wide, IAM offers no
 * resource to scope it to.
 */
export const ACTIONS_WITHOUT_RESOURCE_SCOPE: readonly string[] = ['ecr:GetAuthorizationToken'];

export interface PolicyStatement {
  /** Why the statement exists, in one identifier. */
  readonly Sid: string;
  /** Allow or Deny. */
  readonly Effect: 'Allow' | 'Deny';
  /** API actions, each `service:Action`. */
  readonly Action: readonly string[];
  /** Resource ARNs. */
  readonly Resource: readonly string[];
}

/** An IAM policy document. */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** Trust policy letting one AWS service principal (e.g. "ecs-tasks.amazonaws.com") assume a role. */
export function trustPolicy(servicePrincipal: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: servicePrincipal }, Action: 'sts:AssumeRole' }],
  });
}

/** The ARN partition of a region: aws, aws-cn or aws-us-gov. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** ARN of an AWS managed policy from the allow-list. */
export function managedPolicyArn(region: string, name: AllowedManagedPolicy): string {
  return `arn:${partitionOf(region)}:iam::aws:policy/${name}`;
}
