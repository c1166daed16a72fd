/**
 * The environments of this repository. Edit here: the stack and the release tool both read it.
 *
 * Every field not written here takes the default documented in config/schema.ts.
 */
import type { EnvironmentConfigInput } from './schema';

export const ENVIRONMENTS: Record<string, EnvironmentConfigInput> = {
  dev: {
    app: 'shop',
    environment: 'dev',
    // Placeholder: dev's own AWS account (prod's is another one, so neither deploy role can
    // approve or stop the other's deployments; sharing one needs `sharedAccountWith`).
    accountId: '210987654321',
    region: 'ap-northeast-1',
    availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c'],
    // No NAT in dev: tasks get public IPs in public subnets, still reachable only from their ALB.
    network: { mode: 'create', cidr: '10.10.0.0/16', natGateways: 'none' },
    logRetentionDays: 14,
    tags: { Project: 'shop', Environment: 'dev' },
    // Plan role for pull requests and pushes to main; deploy role for jobs with `environment: dev`.
    // The account's GitHub OIDC provider is created here (one per account; docs/identity.md).
    github: { repository: 'example-org/shop', deployEnvironment: 'dev', oidcProvider: { mode: 'create' } },
    services: [
      {
        name: 'web',
        desiredCount: 1,
        // All at once, old tasks kept 1 minute: a dev release takes about two minutes end to end.
        release: { strategy: 'blue-green', deploymentConfig: 'CodeDeployDefault.ECSAllAtOnce', terminationWaitMinutes: 1 },
      },
    ],
  },
  prod: {
    app: 'shop',
    environment: 'prod',
    // Production-like: HTTPS only (HTTP redirects), ALB access logs to a bucket this stack creates,
    // deletion protection on the load balancers (config/schema.ts, `production`).
    production: true,
    region: 'ap-northeast-1',
    availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d'],
    network: { mode: 'create', cidr: '10.20.0.0/16', natGateways: 'per-az' },
    logRetentionDays: 90,
    tags: { Project: 'shop', Environment: 'prod' },
    // Deploy role only for jobs with `environment: prod` (required reviewers in GitHub). The OIDC
    // provider already exists in the production account: referenced, not created.
    github: {
      repository: 'example-org/shop',
      deployEnvironment: 'prod',
      oidcProvider: { mode: 'existing', arn: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' },
    },
    services: [
      {
        name: 'web',
        // Placeholder: the ACM certificate of your production domain, in this region.
        certificateArn: 'arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-4000-8000-000000000000',
        cpu: 512,
        memory: 1024,
        desiredCount: 2,
        release: {
          strategy: 'blue-green',
          deploymentConfig: { type: 'canary', percentage: 10, intervalMinutes: 5 },
          terminationWaitMinutes: 15,
          approvalWaitMinutes: 60,
          // Checked from inside the VPC by the environment's verification hook before any
          // production traffic moves (docs/releases.md, "Verification").
          verifyPath: '/health',
        },
        autoScaling: { minCapacity: 2, maxCapacity: 10, cpuTargetPercent: 60 },
      },
    ],
  },
  // A rolling-update environment inside an existing VPC, as many teams run previews: shows the
  // ECS controller path (circuit breaker with rollback), the existing-network path and a worker
  // service without a load balancer.
  preview: {
    app: 'shop',
    environment: 'preview',
    region: 'ap-northeast-1',
    availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c'],
    network: {
      mode: 'existing',
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      publicSubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
      privateSubnetIds: ['subnet-0a1b2c3d4e5f60003', 'subnet-0a1b2c3d4e5f60004'],
    },
    logRetentionDays: 7,
    tags: { Project: 'shop', Environment: 'preview' },
    services: [
      { name: 'web', desiredCount: 1, release: { strategy: 'rolling' } },
      // A queue consumer: no load balancer, rolled out under the circuit breaker. Its jobs get the
      // longest stop timeout Fargate allows to finish after SIGTERM, and set task scale-in
      // protection while they run, so a release never stops one half-way (docs/releases.md).
      { name: 'worker', kind: 'worker', desiredCount: 2, stopTimeoutSeconds: 120, environmentVariables: { APP_ROLE: 'worker' }, release: { strategy: 'rolling' } },
    ],
  },
};
