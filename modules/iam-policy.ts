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

/**
 * A CodeDeploy lifecycle hook reports its result with PutLifecycleEventHookExecutionStatus, which
 * supports no resource-level permissions (Service Authorization Reference, AWS CodeDeploy).
 */
export const HOOK_RESULT_ACTION = 'codedeploy:PutLifecycleEventHookExecutionStatus';

/**
 * IAM quotas that bound the documents and roles this repository creates (IAM User Guide, "IAM
 * and AWS STS quotas"). Sizes are in characters, whitespace not counted. docs/limits.md shows
 * where an environment of 100 services stands against each.
 */
export const IAM_QUOTAS = {
  /** All inline policies of one role together. Fixed. */
  roleInlinePolicyCharacters: 10_240,
  /** One customer managed policy. Fixed. */
  managedPolicyCharacters: 6_144,
  /** A role's trust policy: 2,048 by default, adjustable up to 4,096. */
  trustPolicyCharacters: 2_048,
  /** Managed policies attached to one role: 10 by default, adjustable up to 20. */
  managedPoliciesPerRole: 10,
  /** Roles in one account: 1,000 by default, adjustable. */
  rolesPerAccount: 1_000,
  /** A role's name. */
  roleNameCharacters: 64,
} as const;

/** The size IAM counts for a policy document: its characters, whitespace not counted. */
export function iamPolicySize(document: string): number {
  return document.replace(/\s/g, '').length;
}

/** Why the inline policies of `role` do not fit IAM's quota for one role (one line), or undefined. */
export function inlinePoliciesProblem(at: string, role: string, documents: readonly string[]): string | undefined {
  const size = documents.reduce((total, document) => total + iamPolicySize(document), 0);
  const limit = IAM_QUOTAS.roleInlinePolicyCharacters;
  return size > limit ? `${at}: the inline policies of role ${role} are ${size} characters, over IAM's ${limit} per role; shorten the app and environment names (docs/limits.md)` : undefined;
}

/** Why the trust policy of `role` does not fit IAM's default quota (one line), or undefined. */
export function trustPolicyProblem(at: string, role: string, document: string): string | undefined {
  const size = iamPolicySize(document);
  const limit = IAM_QUOTAS.trustPolicyCharacters;
  return size > limit ? `${at}: the trust policy of role ${role} is ${size} characters, over IAM's default ${limit}; list fewer (the account's quota can be raised to 4096 on request, this check keeps the default: docs/limits.md)` : undefined;
}

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
