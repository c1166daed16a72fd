/**
 * One Terraform stack per environment: provider and state, the shared network, cluster and
 * CodeDeploy role, then every configured service.
 *
 * No data source here needs AWS (no caller identity, zones or region lookups): zones come from
 * configuration, so `terraform plan` runs offline.
 */
import { Construct } from 'constructs';
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider, type AwsProviderConfig, type AwsProviderEndpoints } from '@cdktf/provider-aws/lib/provider';
import { accessLogsOf, environmentNames, GITHUB_ROLE_OUTPUTS, hasVerificationHook, RELEASE_TAG_PREFIX, stateKey, type ENDPOINT_SERVICES, type EnvironmentConfig } from '../config';
import { AccessLogBucket } from './access-log-bucket';
import { EcsCluster } from './ecs-cluster';
import { GithubIdentity } from './github-identity';
import { CodeDeployServiceRole } from './code-deploy-service-role';
import { Network } from './network';
import { ReleasableService } from './service';
import { VerificationHook } from './verification-hook';

export interface EnvironmentStackProps {
  /** The validated environment configuration. */
  readonly config: EnvironmentConfig;
}

/** Configuration endpoint keys → the provider's `endpoints` keys (the same words today, kept explicit). */
const PROVIDER_ENDPOINT_KEYS: Record<(typeof ENDPOINT_SERVICES)[number], keyof AwsProviderEndpoints> = {
  ecs: 'ecs',
  codedeploy: 'codedeploy',
  ecr: 'ecr',
  elbv2: 'elbv2',
  applicationautoscaling: 'applicationautoscaling',
  iam: 'iam',
  ec2: 'ec2',
  cloudwatch: 'cloudwatch',
  logs: 'logs',
  sts: 'sts',
};

/** Credentials that are obviously not real: the provider needs some, an offline plan calls nothing. */
const OFFLINE_CREDENTIALS = { accessKey: 'offline-plan-fake-key', secretKey: 'offline-plan-fake-secret' };

/** Provider settings: region, tags on everything, emulator endpoints, offline switches. */
export function providerConfig(env: EnvironmentConfig): AwsProviderConfig {
  const endpoints = Object.fromEntries(
    Object.entries(env.aws.endpoints).map(([service, url]) => [PROVIDER_ENDPOINT_KEYS[service as keyof typeof PROVIDER_ENDPOINT_KEYS], url]),
  );
  return {
    region: env.region,
    defaultTags: [{ tags: { ...env.tags, Environment: env.environment, ManagedBy: 'terraform' } }],
    // Tags the release tool writes (the auto scaling suspension record) are never drift.
    ignoreTags: [{ keyPrefixes: [RELEASE_TAG_PREFIX] }],
    ...(Object.keys(endpoints).length > 0 ? { endpoints: [endpoints] } : {}),
    ...(env.aws.offline
      ? {
          ...OFFLINE_CREDENTIALS,
          skipCredentialsValidation: true,
          skipRequestingAccountId: true,
          skipMetadataApiCheck: 'true',
          skipRegionValidation: true,
        }
      : {}),
  };
}

export class EnvironmentStack extends TerraformStack {
  /** The shared network. */
  public readonly network: Network;
  /** The shared cluster. */
  public readonly cluster: EcsCluster;
  /** The services, in configuration order. */
  public readonly services: ReleasableService[];
  /** GitHub OIDC provider, plan and deploy roles (when `github` is configured). */
  public readonly githubIdentity?: GithubIdentity;
  /** The verification hook CodeDeploy runs at AfterAllowTestTraffic (see `hasVerificationHook`). */
  public readonly verificationHook?: VerificationHook;
  /** The load balancers' access-log bucket (when access logs are `create`: by default in production). */
  public readonly accessLogBucket?: AccessLogBucket;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id);
    const env = props.config;
    const names = environmentNames(env);

    new AwsProvider(this, 'aws', providerConfig(env));
    this.useStateBackend(env, id);

    this.network = new Network(this, 'network', {
      name: names.network,
      network: env.network,
      availabilityZones: env.availabilityZones,
    });
    this.cluster = new EcsCluster(this, 'cluster', { name: names.cluster, containerInsights: env.containerInsights });
    const codeDeployRole = env.services.some((service) => service.release.strategy === 'blue-green')
      ? new CodeDeployServiceRole(this, 'codedeploy-role', { name: names.codeDeployRole, region: env.region })
      : undefined;

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
    const accessLogTarget = this.accessLogBucket
      ? { bucket: this.accessLogBucket.bucketName, prefix: this.accessLogBucket.logPrefix, dependsOn: [this.accessLogBucket.policy] }
      : accessLogs.mode === 'existing'
        ? { bucket: accessLogs.bucket, prefix: accessLogs.prefix ?? logPrefix }
        : undefined;

    if (hasVerificationHook(env)) {
      this.verificationHook = new VerificationHook(this, 'verification-hook', {
        name: names.verificationHook,
        logGroupName: names.verificationHookLogGroup,
        logRetentionDays: env.logRetentionDays,
        region: env.region,
        environment: env,
        vpcId: this.network.vpcId,
        subnetIds: this.network.taskSubnetIds,
      });
    }

    this.services = env.services.map((service) => {
      const released = new ReleasableService(this, `service-${service.name}`, {
        environment: env,
        service,
        network: this.network,
        cluster: this.cluster,
        codeDeployRole,
        accessLogs: accessLogTarget,
        verificationHook: this.verificationHook,
      });
      this.addOutputs(released);
      return released;
    });

    const verificationTargets = this.services.flatMap((service) => (service.verificationTarget ? [service.verificationTarget] : []));
    if (this.verificationHook && codeDeployRole && verificationTargets.length > 0) {
      const hookFunction = this.verificationHook.addFunction(verificationTargets);
      codeDeployRole.allowInvoke(hookFunction.arn);
      new TerraformOutput(this, 'verification_hook_function', { value: hookFunction.functionName, description: 'CodeDeploy AfterAllowTestTraffic hook that verifies the test listener' });
    }

    if (env.github) {
      this.githubIdentity = new GithubIdentity(this, 'github-identity', { environment: env, github: env.github });
      const outputs = GITHUB_ROLE_OUTPUTS;
      new TerraformOutput(this, outputs.plan.output, { value: this.githubIdentity.planRoleArn, description: `GitHub variable ${outputs.plan.variable}: role for terraform plan` });
      new TerraformOutput(this, outputs.deploy.output, { value: this.githubIdentity.deployRoleArn, description: `GitHub variable ${outputs.deploy.variable}: role for releases` });
    }
  }

  /** Local state beside the repository root, or S3 with locking. */
  private useStateBackend(env: EnvironmentConfig, stack: string): void {
    const state = env.state;
    if (state.backend === 'local') {
      // Terraform runs in cdktf.out/stacks/<stack>; a relative path keeps the synthesized JSON
      // free of this machine's checkout path and the state file at the repository root.
      new LocalBackend(this, { path: `../../../terraform.${stack}.tfstate` });
      return;
    }
    const backend = new S3Backend(this, {
      bucket: state.bucket,
      key: stateKey(env, state),
      region: state.region ?? env.region,
      encrypt: true,
      ...(state.dynamodbTable ? { dynamodbTable: state.dynamodbTable } : {}),
    });
    // S3 native locking (Terraform 1.10+); cdktf 0.21 has no typed field for it yet.
    if (!state.dynamodbTable) backend.addOverride('use_lockfile', true);
  }

  private addOutputs(released: ReleasableService): void {
    const prefix = released.config.name;
    const output = (name: string, value: unknown, description: string) =>
      new TerraformOutput(this, `${prefix}_${name}`, { value, description });
    const loadBalancer = released.loadBalancer;
    output('cluster', this.cluster.clusterName, 'ECS cluster');
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
