/**
 * A Terraform stack of one environment: the AWS provider and the stack's own state (local file or
 * S3 key, config/names.ts `stackStateKey`). The environment's shared stack and each service stack
 * are AwsStacks with the same provider settings.
 *
 * No data source here needs AWS (no caller identity, zones or region lookups): zones come from
 * configuration, so `terraform plan` runs offline.
 */
import { Construct } from 'constructs';
import { LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import { AwsProvider, type AwsProviderConfig, type AwsProviderEndpoints } from '@cdktf/provider-aws/lib/provider';
import { ConfigError, localStateFile, RELEASE_TAG_KEY, RELEASE_TAG_PREFIX, stackStateKey, TERRAFORM_REVISION_TAG_KEY, type ENDPOINT_SERVICES, type EnvironmentConfig } from '../config';

export interface AwsStackProps {
  /** The validated environment configuration. */
  readonly config: EnvironmentConfig;
  /** The service whose stack this is (its state key); absent for the environment's shared stack. @default undefined */
  readonly service?: string;
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

export class AwsStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: AwsStackProps) {
    super(scope, id);
    const env = props.config;
    if (RELEASE_TAG_KEY in env.tags) {
      throw new ConfigError([`${env.environment}.tags.${RELEASE_TAG_KEY}: this tag marks revisions the release tool registers; remove it from the tags`]);
    }
    if (TERRAFORM_REVISION_TAG_KEY in env.tags) {
      throw new ConfigError([`${env.environment}.tags.${TERRAFORM_REVISION_TAG_KEY}: the stack sets this tag on each ECS service to its newest task definition revision; remove it from the tags`]);
    }
    new AwsProvider(this, 'aws', providerConfig(env));
    this.useStateBackend(env, id, props.service);
  }

  /** Local state beside the repository root, or S3 with locking. */
  private useStateBackend(env: EnvironmentConfig, stack: string, service: string | undefined): void {
    const state = env.state;
    if (state.backend === 'local') {
      // Terraform runs in cdktf.out/stacks/<stack>; a relative path keeps the synthesized JSON
      // free of this machine's checkout path and the state file at the repository root. A service
      // stack's remote-state data source of the shared stack gets the same relative path, which
      // resolves to the same file from its own directory.
      new LocalBackend(this, { path: `../../../${localStateFile(stack)}` });
      return;
    }
    const backend = new S3Backend(this, {
      bucket: state.bucket,
      key: stackStateKey(env, state, service),
      region: state.region ?? env.region,
      encrypt: true,
      ...(state.dynamodbTable ? { dynamodbTable: state.dynamodbTable } : {}),
    });
    // S3 native locking (Terraform 1.10+); cdktf 0.21 has no typed field for it yet.
    if (!state.dynamodbTable) backend.addOverride('use_lockfile', true);
  }
}
