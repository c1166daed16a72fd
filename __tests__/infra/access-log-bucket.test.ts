/**
 * Production defaults of the load balancers: access logs to a private bucket whose policy lets
 * exactly the region's ELB log delivery write under the environment's prefix, deletion
 * protection, and none of it outside production unless configured.
 */
import { accessLogBucketPolicy, logDeliveryPrincipal } from '../../modules/access-log-bucket';
import { resources } from '../../policy/synthesized';
import { environment, synthEnvironment, synthEnvironmentStacks } from './support';

const CERTIFICATE = 'arn:aws:acm:ap-northeast-1:123456789012:certificate/x';

describe('load balancer access logs and deletion protection', () => {
  const production = synthEnvironment(environment({ production: true }, { certificateArn: CERTIFICATE }));
  const productionStacks = synthEnvironmentStacks(environment({ production: true }, { certificateArn: CERTIFICATE }));
  const stackOf = (address: string) => {
    const [type, id] = address.split('.');
    return productionStacks.find(({ synthesized }) => synthesized.resource?.[type]?.[id])?.stack;
  };

  it('are on by default in production: logs under <stack>/<service> of a bucket the shared stack creates, with its policy, before any service stack', () => {
    const [lb] = resources(production, 'aws_lb');
    const [bucket] = resources(production, 'aws_s3_bucket');
    const [policy] = resources(production, 'aws_s3_bucket_policy');
    expect(lb.enable_deletion_protection).toBe(true);
    expect(lb.access_logs).toEqual({ bucket: `\${${bucket.__address}.bucket}`, prefix: 'shop-test/web', enabled: true });
    // The bucket and its policy are in the shared stack, which the service stacks read and so follow.
    expect(stackOf(policy.__address)).toBe('shop-test');
    expect(stackOf(lb.__address)).toBe('shop-test-web');
    expect(lb.depends_on).toBeUndefined();
    expect(bucket).toMatchObject({ bucket_prefix: 'shop-test-alb-logs-', force_destroy: false });
  });

  it('keep the bucket private, SSE-S3 encrypted (the only encryption access logs support), owner-enforced and expiring', () => {
    expect(resources(production, 'aws_s3_bucket_public_access_block')[0]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(resources(production, 'aws_s3_bucket_server_side_encryption_configuration')[0].rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }]);
    expect(resources(production, 'aws_s3_bucket_ownership_controls')[0].rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
    expect(resources(production, 'aws_s3_bucket_lifecycle_configuration')[0].rule).toEqual([
      expect.objectContaining({ status: 'Enabled', expiration: [{ days: 90 }], filter: [{ prefix: 'shop-test/' }] }),
    ]);
  });

  it("let the region's log delivery principal put objects only under the prefix, and refuse plain HTTP", () => {
    const statements = JSON.parse(accessLogBucketPolicy('arn:aws:s3:::logs', 'shop-prod', 'ap-northeast-1')).Statement;
    expect(statements[0]).toEqual({ Sid: 'LoadBalancerLogDelivery', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::582318560864:root' }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::logs/shop-prod/*/AWSLogs/*' });
    expect(statements[1]).toMatchObject({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    // Regions opened from August 2022 on deliver through the service principal.
    expect(logDeliveryPrincipal('ap-southeast-4')).toEqual({ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' });
    expect(logDeliveryPrincipal('us-gov-west-1')).toEqual({ AWS: 'arn:aws-us-gov:iam::048591011584:root' });
  });

  it('are off by default outside production, and follow configuration either way (an existing bucket, protection off)', () => {
    const plain = synthEnvironment(environment());
    expect(resources(plain, 'aws_s3_bucket')).toEqual([]);
    expect(resources(plain, 'aws_lb')[0]).toMatchObject({ enable_deletion_protection: false });
    expect(resources(plain, 'aws_lb')[0].access_logs).toBeUndefined();

    const configured = synthEnvironment(environment({ loadBalancers: { accessLogs: { mode: 'existing', bucket: 'central-logs', prefix: 'alb' }, deletionProtection: true } }));
    expect(resources(configured, 'aws_s3_bucket')).toEqual([]);
    expect(resources(configured, 'aws_lb')[0]).toMatchObject({ enable_deletion_protection: true, access_logs: { bucket: 'central-logs', prefix: 'alb/web', enabled: true } });
  });
});
