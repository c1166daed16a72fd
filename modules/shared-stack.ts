/**
 * The environment's shared stack (`<app>-<env>`, today's stack name and state): provider and
 * state, network, cluster, CodeDeploy service role, access-log bucket, verification hook and the
 * GitHub identity. Each service has a stack of its own (ServiceStack) that reads what it needs from
 * here through cdktf's cross-stack references; nothing here reads a service stack, so a change to
 * one service plans, locks and applies that service's stack only.
 */
import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { accessLogsOf, environmentNames, GITHUB_ROLE_OUTPUTS, hasVerificationHook, verificationTargetsVariable, type EnvironmentConfig } from '../config';
import { AccessLogBucket } from './access-log-bucket';
import { AwsStack } from './aws-stack';
import { EcsCluster } from './ecs-cluster';
import { CodeDeployServiceRole } from './code-deploy-service-role';
import { GithubIdentity } from './github-identity';
import type { BlueGreenLoadBalancerProps } from './blue-green-load-balancer';
import { Network } from './network';
import { VerificationHook } from './verification-hook';

export interface SharedStackProps {
  /** The validated environment configuration. */
  readonly config: EnvironmentConfig;
}

export class SharedStack extends AwsStack {
  /** The shared network. */
  public readonly network: Network;
  /** The shared cluster. */
  public readonly cluster: EcsCluster;
  /** The role CodeDeploy assumes (when a service releases blue/green). */
  public readonly codeDeployRole?: CodeDeployServiceRole;
  /** GitHub OIDC provider, plan and deploy roles (when `github` is configured). */
  public readonly githubIdentity?: GithubIdentity;
  /** The verification hook CodeDeploy runs at AfterAllowTestTraffic (see `hasVerificationHook`). */
  public readonly verificationHook?: VerificationHook;
  /** The load balancers' access-log bucket (when access logs are `create`: by default in production). */
  public readonly accessLogBucket?: AccessLogBucket;
  /** Where the load balancers write access logs, when they do. */
  public readonly accessLogTarget?: BlueGreenLoadBalancerProps['accessLogs'];

  constructor(scope: Construct, id: string, props: SharedStackProps) {
    super(scope, id, { config: props.config });
    const env = props.config;
    const names = environmentNames(env);

    this.network = new Network(this, 'network', {
      name: names.network,
      network: env.network,
      availabilityZones: env.availabilityZones,
    });
    this.cluster = new EcsCluster(this, 'cluster', { name: names.cluster, containerInsights: env.containerInsights });
    if (env.services.some((service) => service.release.strategy === 'blue-green')) {
      this.codeDeployRole = new CodeDeployServiceRole(this, 'codedeploy-role', { name: names.codeDeployRole, region: env.region });
    }

    const accessLogs = accessLogsOf(env);
    const logPrefix = names.stack;
    if (accessLogs.mode === 'create') {
      this.accessLogBucket = new AccessLogBucket(this, 'access-logs', {
        bucketPrefix: names.accessLogBucketPrefix,
        logPrefix,
        region: env.region,
        retentionDays: accessLogs.retentionDays,
      });
    }
    // The bucket policy is applied with this stack, before any service stack: no depends_on needed.
    this.accessLogTarget = this.accessLogBucket
      ? { bucket: this.accessLogBucket.bucketName, prefix: this.accessLogBucket.logPrefix }
      : accessLogs.mode === 'existing'
        ? { bucket: accessLogs.bucket, prefix: accessLogs.prefix ?? logPrefix }
        : undefined;

    if (hasVerificationHook(env) && this.codeDeployRole) {
      this.verificationHook = new VerificationHook(this, 'verification-hook', {
        name: names.verificationHook,
        logGroupName: names.verificationHookLogGroup,
        logRetentionDays: env.logRetentionDays,
        region: env.region,
        vpcId: this.network.vpcId,
        subnetIds: this.network.taskSubnetIds,
        targetsVariable: verificationTargetsVariable(env),
        environment: env,
      });
      this.codeDeployRole.allowInvoke(this.verificationHook.function.arn);
      new TerraformOutput(this, 'verification_hook_function', { value: this.verificationHook.function.functionName, description: 'CodeDeploy AfterAllowTestTraffic hook that verifies the test listener' });
    }

    if (env.github) {
      this.githubIdentity = new GithubIdentity(this, 'github-identity', { environment: env, github: env.github });
      const outputs = GITHUB_ROLE_OUTPUTS;
      new TerraformOutput(this, outputs.plan.output, { value: this.githubIdentity.planRoleArn, description: `GitHub variable ${outputs.plan.variable}: role for terraform plan` });
      new TerraformOutput(this, outputs.deploy.output, { value: this.githubIdentity.deployRoleArn, description: `GitHub variable ${outputs.deploy.variable}: role for releases` });
    }
  }
}
