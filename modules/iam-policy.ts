/**
 * IAM policy documents as plain JSON, so the synthesized stack shows (and tests read) every
 * statement literally.
 */
import { GITHUB_OIDC_HOST, partitionOf } from '../config';

/**
 * Managed policies this repository may attach, each for a reason written here. The policy rules
 * do not read this list: policy/allowed-iam.ts pins its own, so adding one here fails
 * `npm run policy` until it is pinned there too.
 */
export const ALLOWED_MANAGED_POLICIES = {
  // AWS maintains the exact set CodeDeploy needs to drive ECS blue/green (task sets, listener
  // rules, alarms, passing the task roles); copying it inline would go stale.
  AWSCodeDeployRoleForECS: 'CodeDeploy service role for ECS blue/green',
} as const;
export type AllowedManagedPolicy = keyof typeof ALLOWED_MANAGED_POLICIES;

/** ECR's login: the token is account-wide, IAM offers no resource to scope it to. */
export const ECR_LOGIN_ACTION = 'ecr:GetAuthorizationToken';

/**
 * What a Lambda function's execution role needs to run the function in a VPC: Lambda creates,
 * describes and deletes the function's network interfaces with it (AWS Lambda Developer Guide,
 * "Giving Lambda functions access to resources in an Amazon VPC", execution role permissions).
 * The network interfaces do not exist before Lambda creates them, so the actions go on "*".
 */
export const LAMBDA_VPC_NETWORK_INTERFACE_ACTIONS: readonly string[] = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

export interface PolicyStatement {
  /** Why the statement exists, in one identifier. */
  readonly Sid: string;
  /** Allow or Deny. */
  readonly Effect: 'Allow' | 'Deny';
  /** API actions, each `service:Action`. */
  readonly Action: readonly string[];
  /** Resource ARNs. */
  readonly Resource: readonly string[];
  /** Conditions, `{ operator: { key: value } }`. @default none */
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
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

/** The audience GitHub's OIDC tokens carry for AWS (aws-actions/configure-aws-credentials asks for it). */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/**
 * Trust policy letting GitHub Actions jobs assume a role through the account's GitHub OIDC
 * provider: only tokens for AWS (`aud`) whose subject is one of `subjects` (`sub`, e.g.
 * `repo:owner/name:environment:prod`), exactly or, with StringLike, as patterns.
 */
export function githubTrustPolicy(providerArn: string, subjects: readonly string[], operator: 'StringEquals' | 'StringLike' = 'StringEquals'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        // Two operators on one key must both match, so the subjects share one operator:
        // StringLike only where a subject has a wildcard (a pull request's number).
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
            ...(operator === 'StringEquals' ? { [`${GITHUB_OIDC_HOST}:sub`]: subjects.length === 1 ? subjects[0] : [...subjects] } : {}),
          },
          ...(operator === 'StringLike' ? { StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: subjects.length === 1 ? subjects[0] : [...subjects] } } : {}),
        },
      },
    ],
  });
}

// The configuration checks partitions too, so the function lives there.
export { partitionOf } from '../config';

/** ARN of an AWS managed policy from the allow-list. */
export function managedPolicyArn(region: string, name: AllowedManagedPolicy): string {
  return `arn:${partitionOf(region)}:iam::aws:policy/${name}`;
}
