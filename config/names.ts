/**
 * Resource names, derived in one place from the configuration. The stack creates resources with
 * these names and the release tool finds them by the same names, so the two cannot disagree.
 */
import { join } from 'node:path';
import type { EnvironmentConfig, ServiceConfig } from './schema';

/** The verification hook's code: the stack packages this directory, the emulator loads it (both run from the sources, not dist/). */
export const VERIFICATION_FUNCTION_SOURCE = join(__dirname, '..', 'functions', 'verify-test-listener');

/** Names shared by every service of an environment. */
export interface EnvironmentNames {
  /** cdktf stack and Terraform state name. */
  readonly stack: string;
  /** ECS cluster. */
  readonly cluster: string;
  /** Prefix of network resources (VPC, subnets). */
  readonly network: string;
  /** IAM role CodeDeploy assumes. */
  readonly codeDeployRole: string;
  /** IAM role GitHub Actions assumes to plan infrastructure (read-only). */
  readonly planRole: string;
  /** IAM role GitHub Actions assumes to push images and release. */
  readonly deployRole: string;
  /** Prefix of the ALB access-log bucket's name (S3 adds a unique suffix: names are global). */
  readonly accessLogBucketPrefix: string;
  /** The verification hook: Lambda function (also its role and security group), and its log group. */
  readonly verificationHook: string;
  readonly verificationHookLogGroup: string;
}

/**
 * The cdktf stacks (each with its own Terraform state) of an environment, in dependency order:
 * the shared stack (`EnvironmentNames.stack`: network, cluster, identity) first, then one stack per
 * service in configuration order. Service stacks read the shared stack's outputs; nothing reads a
 * service stack, so services plan and apply independently of each other.
 */
export interface EnvironmentStackName {
  /** cdktf stack and Terraform state name. */
  readonly stack: string;
  /** The service the stack holds; absent for the shared stack. */
  readonly service?: string;
}

/** The stack of one service: `<app>-<environment>-<service>`. */
export function serviceStackName(env: Pick<EnvironmentConfig, 'app' | 'environment'>, service: Pick<ServiceConfig, 'name'>): string {
  return `${env.app}-${env.environment}-${service.name}`;
}

/** Every stack of an environment, shared first (see EnvironmentStackName). */
export function environmentStacks(env: Pick<EnvironmentConfig, 'app' | 'environment' | 'services'>): EnvironmentStackName[] {
  return [{ stack: environmentNames(env).stack }, ...env.services.map((service) => ({ stack: serviceStackName(env, service), service: service.name }))];
}

/** Names of one service's resources. */
export interface ServiceNames {
  /** ECS service. */
  readonly service: string;
  /** Task definition family. */
  readonly taskFamily: string;
  /** ECR repository. */
  readonly repository: string;
  /** CloudWatch log group. */
  readonly logGroup: string;
  /** Application Load Balancer (one per service: CodeDeploy owns its listeners' default actions). */
  readonly loadBalancer: string;
  /** Blue and green target groups (CodeDeploy swaps between them; neither is permanently "live"). */
  readonly targetGroups: readonly [blue: string, green: string];
  /** Security groups of the ALB and of the tasks. */
  readonly albSecurityGroup: string;
  readonly taskSecurityGroup: string;
  /** Task execution role (pulls images, writes logs, reads secrets) and task role (the app's own permissions). */
  readonly executionRole: string;
  readonly taskRole: string;
  /** CodeDeploy application and deployment group. */
  readonly codeDeployApplication: string;
  readonly deploymentGroup: string;
  /** Custom deployment config, when the configuration declares one. */
  readonly customDeploymentConfig: string;
  /** CloudWatch alarms that stop a deployment. */
  readonly alarms: { readonly target5xx: string; readonly unhealthyHosts: string };
  /** Auto scaling resource id (`service/<cluster>/<service>`). */
  readonly scalableResourceId: string;
}

/** Longest name ELBv2 accepts for load balancers and target groups. */
export const ELB_NAME_LIMIT = 32;

export function environmentNames(env: Pick<EnvironmentConfig, 'app' | 'environment'>): EnvironmentNames {
  const prefix = `${env.app}-${env.environment}`;
  return {
    stack: prefix,
    cluster: prefix,
    network: prefix,
    codeDeployRole: `${prefix}-codedeploy`,
    planRole: `${prefix}-github-plan`,
    deployRole: `${prefix}-github-deploy`,
    accessLogBucketPrefix: `${prefix}-alb-logs-`,
    verificationHook: `${prefix}-verify-test-listener`,
    verificationHookLogGroup: `/aws/lambda/${prefix}-verify-test-listener`,
  };
}

/**
 * An IAM name pattern that matches the per-service names of this environment (`<app>-<env>-*`:
 * services, task families, load balancers, CodeDeploy applications and groups), for policies that
 * must not grow, or change, as services come and go.
 */
export function serviceNamePattern(env: Pick<EnvironmentConfig, 'app' | 'environment'>): string {
  return `${env.app}-${env.environment}-*`;
}

export function serviceNames(
  env: Pick<EnvironmentConfig, 'app' | 'environment'>,
  service: Pick<ServiceConfig, 'name'>,
): ServiceNames {
  const cluster = environmentNames(env).cluster;
  const prefix = `${env.app}-${env.environment}-${service.name}`;
  return {
    service: prefix,
    taskFamily: prefix,
    repository: `${env.app}-${env.environment}/${service.name}`,
    logGroup: `/ecs/${env.app}-${env.environment}/${service.name}`,
    loadBalancer: prefix,
    targetGroups: [`${prefix}-blue`, `${prefix}-green`],
    albSecurityGroup: `${prefix}-alb`,
    taskSecurityGroup: `${prefix}-tasks`,
    executionRole: `${prefix}-execution`,
    taskRole: `${prefix}-task`,
    codeDeployApplication: prefix,
    deploymentGroup: prefix,
    customDeploymentConfig: `${prefix}-traffic-shift`,
    alarms: { target5xx: `${prefix}-target-5xx`, unhealthyHosts: `${prefix}-unhealthy-hosts` },
    scalableResourceId: `service/${cluster}/${prefix}`,
  };
}

/**
 * Tag the release tool puts on every task definition revision it registers. Revisions without it
 * were registered by Terraform: the newest of those is the base of the next release.
 */
export const RELEASE_TAG_KEY = 'ReleasedBy';
/** Value of RELEASE_TAG_KEY. */
export const RELEASE_TAG_VALUE = 'ecs-bluegreen-deploy';
/**
 * Tag the release tool puts on a service's Application Auto Scaling target while a release keeps
 * scaling suspended: its value is the state to restore and when the suspension began
 * (`in=false out=false scheduled=false since=<epoch ms>`). A run that dies, or leaves a deployment
 * running (--detach), leaves the record behind; the next `wait`, `stop`, `finish` or release reads
 * it and restores the state. The provider ignores it (`ignore_tags`), so it is never drift.
 */
export const SCALING_RECORD_TAG_KEY = `${RELEASE_TAG_VALUE}:suspended-scaling`;
/** Tag keys with this prefix belong to releases; Terraform's provider ignores them. */
export const RELEASE_TAG_PREFIX = `${RELEASE_TAG_VALUE}:`;
/** Tag recording which Terraform-owned revision a release revision was built from. */
export const BASE_REVISION_TAG_KEY = 'BaseRevision';
/**
 * Tag Terraform keeps on each ECS service: its value is the ARN of the newest task definition
 * revision Terraform registered (modules/fargate-service.ts). The release tool reads it from the
 * DescribeServices call it makes anyway, so finding the base of a release costs the same after
 * one release or a thousand. Releases never write it; it is not under RELEASE_TAG_PREFIX, which
 * the provider ignores, because Terraform must keep it current.
 */
export const TERRAFORM_REVISION_TAG_KEY = 'TerraformRevision';

/**
 * The GitHub roles' ARNs: the Terraform output that carries each and the GitHub Actions variable
 * the workflows read it from: the plan role's on the repository (its jobs declare no GitHub
 * environment), the deploy role's on each GitHub environment (docs/identity.md).
 */
export const GITHUB_ROLE_OUTPUTS = {
  plan: { output: 'github_plan_role_arn', variable: 'AWS_PLAN_ROLE_ARN' },
  deploy: { output: 'github_deploy_role_arn', variable: 'AWS_DEPLOY_ROLE_ARN' },
} as const;

/** Object key of an environment's Terraform state in its S3 bucket: configured, else `<app>/<environment>/terraform.tfstate`. */
export function stateKey(env: Pick<EnvironmentConfig, 'app' | 'environment'>, state: { readonly key?: string }): string {
  return state.key ?? `${env.app}/${env.environment}/terraform.tfstate`;
}

/** The file-name ending of state keys: a service stack's key goes in front of it. */
const STATE_SUFFIX = '.tfstate';

/**
 * Object key of one stack's state in the S3 bucket. The shared stack keeps the environment's key
 * (`stateKey`), so an existing single-stack state becomes the shared state; a service stack's key
 * puts `.<service>` in front of the key's `.tfstate` ending (or after a key without it):
 * `shop/prod/terraform.tfstate` → `shop/prod/terraform.web.tfstate`, the S3 twin of the local
 * `terraform.shop-prod-web.tfstate`.
 */
export function stackStateKey(env: Pick<EnvironmentConfig, 'app' | 'environment'>, state: { readonly key?: string }, service?: string): string {
  const key = stateKey(env, state);
  if (service === undefined) return key;
  return key.endsWith(STATE_SUFFIX) ? `${key.slice(0, -STATE_SUFFIX.length)}.${service}${STATE_SUFFIX}` : `${key}.${service}`;
}

/**
 * IAM resource patterns (after `arn:…:s3:::<bucket>/`) that cover the state object of every stack
 * of the environment, whatever its services: the shared key and the service stacks' keys
 * (`stackStateKey`). The lock objects are these plus STATE_LOCK_SUFFIX.
 */
export function stateKeyPatterns(env: Pick<EnvironmentConfig, 'app' | 'environment'>, state: { readonly key?: string }): string[] {
  return [stateKey(env, state), stackStateKey(env, state, '*')];
}

/** The local backend's state file of a stack, at the repository root: `terraform.<stack>.tfstate`. */
export function localStateFile(stack: string): string {
  return `terraform.${stack}${STATE_SUFFIX}`;
}

/** Suffix of the lock object S3 native locking (`use_lockfile`) writes beside the state object. */
export const STATE_LOCK_SUFFIX = '.tflock';
