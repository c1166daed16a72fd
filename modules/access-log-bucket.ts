/**
 * The S3 bucket an environment's load balancers write their access logs to: private, encrypted,
 * owner-enforced, TLS only, logs expiring after a retention, and a policy letting Elastic Load
 * Balancing's log delivery of the region write under the environment's prefix and nowhere else.
 *
 * Who delivers the logs depends on the region (Elastic Load Balancing User Guide for Application
 * Load Balancers, "Enable access logs", bucket permissions): in the regions available before
 * August 2022 it is an Elastic Load Balancing account of that region, in later regions the service
 * principal `logdelivery.elasticloadbalancing.amazonaws.com`. Access logs only support SSE-S3.
 */
import { Construct } from 'constructs';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { partitionOf } from './iam-policy';

/** The Elastic Load Balancing account that delivers access logs, per region available before August 2022. */
export const ELB_LOG_DELIVERY_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '127311923021',
  'us-east-2': '033677994240',
  'us-west-1': '027434742980',
  'us-west-2': '797873946194',
  'af-south-1': '098369216593',
  'ap-east-1': '754344448648',
  'ap-southeast-3': '589379963580',
  'ap-south-1': '718504428378',
  'ap-northeast-3': '383597477331',
  'ap-northeast-2': '600734575887',
  'ap-southeast-1': '114774131450',
  'ap-southeast-2': '783225319266',
  'ap-northeast-1': '582318560864',
  'ca-central-1': '985666609251',
  'eu-central-1': '054676820928',
  'eu-west-1': '156460612806',
  'eu-west-2': '652711504416',
  'eu-south-1': '635631232127',
  'eu-west-3': '009996457667',
  'eu-north-1': '897822967062',
  'me-south-1': '076674570225',
  'sa-east-1': '507241528517',
  'us-gov-west-1': '048591011584',
  'us-gov-east-1': '190560391635',
  'cn-north-1': '638102146993',
  'cn-northwest-1': '037604701340',
};

/** The service principal that delivers access logs in regions opened from August 2022 on. */
export const ELB_LOG_DELIVERY_SERVICE = 'logdelivery.elasticloadbalancing.amazonaws.com';

/** The principal allowed to write a region's ALB access logs. */
export function logDeliveryPrincipal(region: string): { AWS: string } | { Service: string } {
  const account = ELB_LOG_DELIVERY_ACCOUNTS[region];
  return account ? { AWS: `arn:${partitionOf(region)}:iam::${account}:root` } : { Service: ELB_LOG_DELIVERY_SERVICE };
}

/** The bucket policy: log delivery may put objects under `<prefix>/<service>/AWSLogs/`; nobody may use plain HTTP. */
export function accessLogBucketPolicy(bucketArn: string, prefix: string, region: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'LoadBalancerLogDelivery', Effect: 'Allow', Principal: logDeliveryPrincipal(region), Action: 's3:PutObject', Resource: `${bucketArn}/${prefix}/*/AWSLogs/*` },
      {
        Sid: 'TlsOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });
}

export interface AccessLogBucketProps {
  /** Name prefix; S3 appends a unique suffix (bucket names are global). */
  readonly bucketPrefix: string;
  /** Key prefix every load balancer of the environment writes under (`<prefix>/<service>`). */
  readonly logPrefix: string;
  /** Region of the bucket and of the load balancers (decides the log delivery principal). */
  readonly region: string;
  /** Days an access log is kept. */
  readonly retentionDays: number;
}

export class AccessLogBucket extends Construct {
  /** Bucket name, for the load balancers' `access_logs`. */
  public readonly bucketName: string;
  /** Key prefix the load balancers write under. */
  public readonly logPrefix: string;
  /** The bucket policy: load balancers must wait for it, or ELB refuses the bucket. */
  public readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id);
    // Destroying the stack must not silently delete the logs of a production incident.
    const bucket = new S3Bucket(this, 'bucket', { bucketPrefix: props.bucketPrefix, forceDestroy: false });
    new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    new S3BucketLifecycleConfiguration(this, 'retention', {
      bucket: bucket.id,
      rule: [{ id: 'expire-access-logs', status: 'Enabled', filter: [{ prefix: `${props.logPrefix}/` }], expiration: [{ days: props.retentionDays }] }],
    });
    this.policy = new S3BucketPolicy(this, 'policy', { bucket: bucket.id, policy: accessLogBucketPolicy(bucket.arn, props.logPrefix, props.region) });
    this.bucketName = bucket.bucket;
    this.logPrefix = props.logPrefix;
  }
}
