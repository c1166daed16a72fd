import {
  ConfigError,
  customDeploymentConfigProblems,
  deploymentConfigName,
  environmentNamesList,
  findService,
  loadAllEnvironments,
  loadEnvironment,
  namePrefixProblems,
  parseEnvironment,
  productionPort,
  sharedAccountProblems,
  testListenerPort,
} from '../../config';
import { fleetOf } from '../../config/fleet';
import { environment, environmentInput } from './support';

/** The problems a configuration produces, or [] when it is valid. */
function problemsOf(input: unknown): string[] {
  try {
    parseEnvironment('test', input);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

const withService = (service: Record<string, unknown>, overrides: Record<string, unknown> = {}) => environmentInput(overrides, service);

describe('configuration validation', () => {
  it.each([
    ['a cpu that is not a Fargate size', withService({ cpu: 300 }), /services\[0\] \(web\)\.cpu: 300 is not a Fargate size; use one of 256, 512/],
    ['memory that does not fit the cpu', withService({ cpu: 256, memory: 4096 }), /\.memory: 4096 MiB does not fit cpu 256; use one of 512, 1024, 2048/],
    [
      'names too long for ELB',
      withService({ name: 'checkout-service' }, { app: 'bookshop', environment: 'production' }),
      /\.name: "bookshop-production-checkout-service-green" is \d+ characters, over ELB's 32; shorten app, environment or service name/,
    ],
    [
      "a worker's name too long for its IAM roles (workers have no load balancer name to hit ELB's limit first)",
      withService({ name: `queue-${'x'.repeat(50)}`, kind: 'worker', release: { strategy: 'rolling' } }),
      /\.name: "shop-test-queue-x+-execution" is 76 characters, over IAM's role name limit of 64; shorten app, environment or service name/,
    ],
    ['a health check timeout not shorter than the interval', withService({ healthCheck: { intervalSeconds: 10, timeoutSeconds: 10 } }), /healthCheck\.timeoutSeconds: 10 must be less than intervalSeconds \(10\)/],
    ['a test port equal to the production port', withService({ testListener: { port: 80 } }), /testListener\.port: 80 clashes with the production listener; pick another port/],
    [
      'a test port equal to the HTTPS port',
      withService({ certificateArn: 'arn:aws:acm:ap-northeast-1:123456789012:certificate/x', testListener: { port: 443 } }),
      /testListener\.port: 443 clashes with the production listener/,
    ],
    ['a test listener open to the world', withService({ testListener: { allowedCidrs: ['0.0.0.0/0'] } }), /testListener\.allowedCidrs: 0\.0\.0\.0\/0 opens the unreleased version to the world; list your office or VPN CIDRs/],
    ['approval on a rolling service', withService({ release: { strategy: 'rolling', approvalWaitMinutes: 10 } }), /release\.approvalWaitMinutes: approval needs strategy "blue-green"; remove it or switch strategy/],
    ['lifecycle hooks on a rolling service', withService({ release: { strategy: 'rolling', lifecycleHooks: { AfterInstall: 'smoke' } } }), /release\.lifecycleHooks: hooks need strategy "blue-green"/],
    ['traffic shifting on a rolling service', withService({ release: { strategy: 'rolling', deploymentConfig: 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes' } }), /release\.deploymentConfig: traffic shifting needs strategy "blue-green"/],
    ['auto scaling minimum above maximum', withService({ desiredCount: 3, autoScaling: { minCapacity: 4, maxCapacity: 2 } }), /autoScaling\.minCapacity: 4 is above maxCapacity 2/],
    ['a desired count outside the auto scaling bounds', withService({ desiredCount: 1, autoScaling: { minCapacity: 2, maxCapacity: 4 } }), /\.desiredCount: 1 is outside autoScaling bounds 2-4/],
    ['a zone outside the region', environmentInput({ availabilityZones: ['ap-northeast-1a', 'us-east-1a'] }), /test\.availabilityZones: "us-east-1a" is not in region ap-northeast-1/],
    ['a zone listed twice', environmentInput({ availabilityZones: ['ap-northeast-1a', 'ap-northeast-1a'] }), /test\.availabilityZones: list each zone once/],
    ['a malformed region', environmentInput({ region: 'tokyo' }), /^test\.region: must be an AWS region such as "ap-northeast-1"$/],
    ['a single availability zone', environmentInput({ availabilityZones: ['ap-northeast-1a'] }), /test\.availabilityZones: needs at least 2 availability zones/],
    ['an upper-case service name', withService({ name: 'Web' }), /test\.services\[0\]\.name: service name must be lower-case letters/],
    ['a secret that is not an ARN', withService({ secrets: { TOKEN: 'plain-text' } }), /test\.services\[0\]\.secrets\.TOKEN: must be an SSM parameter or Secrets Manager ARN/],
    ['an unknown field', withService({ replicas: 3 }), /test\.services\[0\]: Unrecognized key\(s\) in object: 'replicas'/],
    ['a production environment with a service on plain HTTP', environmentInput({ production: true }), /^test\.services\[0\] \(web\)\.certificateArn: a production environment serves HTTPS only \(HTTP redirects to it\); set the service's ACM certificate ARN, or production: false$/],
    ['a worker releasing blue/green', withService({ kind: 'worker' }), /^test\.services\[0\] \(web\)\.release\.strategy: a worker has no load balancer to shift traffic on; set release: \{ strategy: 'rolling' \}$/],
    [
      'a worker with a certificate',
      withService({ kind: 'worker', release: { strategy: 'rolling' }, certificateArn: 'arn:aws:acm:ap-northeast-1:123456789012:certificate/x' }),
      /^test\.services\[0\] \(web\)\.certificateArn: a worker has no load balancer; remove it, or make the service kind "web"$/,
    ],
    ['a worker with a test listener', withService({ kind: 'worker', release: { strategy: 'rolling' }, testListener: { port: 9000 } }), /\.testListener: a worker has no load balancer; remove it/],
    ['a kind that is neither web nor worker', withService({ kind: 'cron' }), /test\.services\[0\]\.kind: Invalid enum value\. Expected 'web' \| 'worker'/],
    ['a stop timeout over the 120 s Fargate allows', withService({ stopTimeoutSeconds: 121 }), /test\.services\[0\]\.stopTimeoutSeconds: Number must be less than or equal to 120/],
    ['a log retention CloudWatch does not offer', environmentInput({ logRetentionDays: 10 }), /test\.logRetentionDays: must be a CloudWatch retention value/],
  ])('rejects %s with a message naming the field and the fix', (_case, input, expected) => {
    const problems = problemsOf(input);
    expect(problems.some((problem) => expected.test(problem))).toBe(true);
  });

  it('accepts a rolling worker in a production environment without a certificate: it serves no HTTP', () => {
    expect(problemsOf(withService({ kind: 'worker', release: { strategy: 'rolling' } }, { production: true }))).toEqual([]);
  });

  it('rejects a service name used twice', () => {
    const problems = problemsOf({ ...environmentInput(), services: [{ name: 'web' }, { name: 'web' }] });
    expect(problems).toContainEqual(expect.stringMatching(/services\[1\] \(web\)\.name: "web" is used twice; give each service a unique name/));
  });

  it('reports every problem at once, one line each', () => {
    const problems = problemsOf(withService({ cpu: 256, memory: 4096, testListener: { allowedCidrs: ['0.0.0.0/0'] } }));
    expect(problems).toHaveLength(2);
    expect(problems.every((problem) => !problem.includes('\n'))).toBe(true);
  });

  it('names the unknown environment and lists the configured ones', () => {
    expect(() => loadEnvironment('staging')).toThrow(new ConfigError([`unknown environment "staging"; use one of: ${environmentNamesList().join(', ')}`]));
  });

  it('names the unknown service and lists the environment\'s services', () => {
    expect(() => findService(environment(), 'api')).toThrow(/unknown service "api" in environment test; use one of: web/);
  });
});

describe('environments sharing an AWS account', () => {
  const PROVIDER = (account: string) => `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`;
  const inAccount = (name: string, account: string, sharedAccountWith: string[] = []) =>
    parseEnvironment(name, environmentInput({ environment: name, accountId: account, sharedAccountWith }));

  it("fail unless each acknowledges the other: either deploy role can approve or stop the other's deployments", () => {
    const dev = inAccount('dev', '111111111111');
    const prod = parseEnvironment('prod', environmentInput({ environment: 'prod', github: { repository: 'example-org/shop', oidcProvider: { mode: 'existing', arn: PROVIDER('111111111111') } } }));
    expect(sharedAccountProblems(dev, [dev, prod])).toEqual([
      'dev.sharedAccountWith: shares AWS account 111111111111 with "prod", whose deploy role can approve or stop dev\'s deployments (CodeDeploy ContinueDeployment/StopDeployment take no resource); list "prod" to accept that, or give dev an account of its own',
    ]);
    expect(sharedAccountProblems(prod, [dev, prod])).toHaveLength(1);
  });

  it('pass once acknowledged on both sides, and in accounts of their own', () => {
    const dev = inAccount('dev', '111111111111', ['prod']);
    const prod = inAccount('prod', '111111111111', ['dev']);
    const preview = inAccount('preview', '222222222222');
    expect([dev, prod, preview].flatMap((env) => sharedAccountProblems(env, [dev, prod, preview]))).toEqual([]);
  });

  it('refuse an acknowledgement of an environment in another (or an unknown) account', () => {
    const dev = inAccount('dev', '111111111111', ['preview']);
    const preview = inAccount('preview', '222222222222');
    expect(sharedAccountProblems(dev, [dev, preview])).toEqual(['dev.sharedAccountWith: lists "preview", which is not in this environment\'s account (111111111111); remove it']);
  });

  it("take the account from an existing OIDC provider's ARN, and refuse an accountId that contradicts it", () => {
    expect(problemsOf(environmentInput({ accountId: '111111111111', github: { repository: 'example-org/shop', oidcProvider: { mode: 'existing', arn: PROVIDER('222222222222') } } }))).toEqual([
      'test.accountId: 111111111111 is not the account of github.oidcProvider.arn (222222222222); a role can only trust a provider of its own account',
    ]);
  });

  it("hold for this repository's environments (synthesis loads them together)", () => {
    const all = loadAllEnvironments();
    expect(all.flatMap((env) => sharedAccountProblems(env, all))).toEqual([]);
  });
});

describe('an environment of 100 services', () => {
  it.each(environmentNamesList())("%s's services, repeated to 100 (web100, ...), keep every generated name within its API's length limit", (name) => {
    const problems = problemsOf(fleetOf(loadEnvironment(name), 100));
    expect(problems.filter((problem) => /characters, over/.test(problem))).toEqual([]);
  });

  it("refuses more than CodeDeploy's 50 custom deployment configs: prod's canary repeated to 51 services", () => {
    expect(problemsOf(fleetOf(loadEnvironment('prod'), 50))).toEqual([]);
    expect(problemsOf(fleetOf(loadEnvironment('prod'), 51))).toEqual([
      "prod.services: 51 services declare their own release.deploymentConfig in account 123456789012 (ap-northeast-1), over CodeDeploy's 50 custom deployment configs per account and Region (not adjustable); give the others a predefined CodeDeployDefault.ECS* config",
    ]);
  });

  it('counts the custom deployment configs of all environments of one account and region together', () => {
    const inAccount = (name: string, count: number) =>
      fleetOf(parseEnvironment(name, environmentInput({ environment: name, accountId: '111111111111' }, { release: { deploymentConfig: { type: 'linear', percentage: 10, intervalMinutes: 1 } } })), count);
    expect(customDeploymentConfigProblems([inAccount('dev', 30), inAccount('staging', 21)])).toEqual([expect.stringMatching(/^dev, staging: 51 services declare their own release\.deploymentConfig in account 111111111111 \(ap-northeast-1\)/)]);
    expect(customDeploymentConfigProblems([inAccount('dev', 30), { ...inAccount('staging', 21), accountId: '222222222222' }])).toEqual([]);
  });
});

describe("names whose prefix covers another environment's in one account (the deploy policy's patterns)", () => {
  const inAccount = (app: string, name: string, account: string) => parseEnvironment(name, environmentInput({ app, environment: name, accountId: account }));

  it("refuse an environment dev-eu beside dev of the same app: shop-dev-* matches shop-dev-eu-web's task family and roles", () => {
    const dev = inAccount('shop', 'dev', '111111111111');
    const devEu = inAccount('shop', 'dev-eu', '111111111111');
    expect(namePrefixProblems(dev, [dev, devEu])).toEqual([
      'dev-eu.environment: "shop-dev-eu" begins with "shop-dev-" of environment dev in the same AWS account (111111111111), so dev\'s deploy role would match its task families and roles; rename one so neither name begins with the other\'s plus a dash, or give them separate accounts',
    ]);
    expect(namePrefixProblems(devEu, [dev, devEu])).toEqual([]);
  });

  it('refuse an app shop-dev beside app shop\'s dev, and the same names built from other parts (shop + dev-eu, shop-dev + eu)', () => {
    const dev = inAccount('shop', 'dev', '111111111111');
    const otherApp = inAccount('shop-dev', 'staging', '111111111111');
    expect(namePrefixProblems(dev, [dev, otherApp])).toHaveLength(1);
    const split = inAccount('shop', 'dev-eu', '111111111111');
    const joined = inAccount('shop-dev', 'eu', '111111111111');
    expect(namePrefixProblems(split, [split, joined])).toHaveLength(1);
  });

  it('allow the same names in different accounts, and names that only share letters (dev and devops)', () => {
    const dev = inAccount('shop', 'dev', '111111111111');
    expect(namePrefixProblems(dev, [dev, inAccount('shop', 'dev-eu', '222222222222')])).toEqual([]);
    expect(namePrefixProblems(dev, [dev, inAccount('shop', 'devops', '111111111111')])).toEqual([]);
  });

  it("hold for this repository's environments", () => {
    const all = loadAllEnvironments();
    expect(all.flatMap((env) => namePrefixProblems(env, all))).toEqual([]);
  });
});

describe('configuration defaults', () => {
  it('fills every omitted field with its secure, fast default', () => {
    const env = environment();
    expect(env.network).toEqual({ mode: 'create', cidr: '10.0.0.0/16', natGateways: 'none' });
    expect(env).toMatchObject({ containerInsights: true, logRetentionDays: 30, state: { backend: 'local' }, aws: { offline: false, endpoints: {} }, tags: {} });
    const [service] = env.services;
    expect(service).toMatchObject({
      bootstrapImage: 'public.ecr.aws/nginx/nginx:1.27-alpine',
      containerName: 'app',
      containerPort: 80,
      cpu: 256,
      memory: 512,
      cpuArchitecture: 'X86_64',
      desiredCount: 2,
      stopTimeoutSeconds: 30,
      deregistrationDelaySeconds: 30,
      productionAllowedCidrs: ['0.0.0.0/0'],
      testListener: { allowedCidrs: [] },
      untaggedImageDays: 14,
      healthCheck: { path: '/', intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 3, matcher: '200-399' },
      release: { strategy: 'blue-green', deploymentConfig: 'CodeDeployDefault.ECSAllAtOnce', terminationWaitMinutes: 5, lifecycleHooks: {} },
      alarms: { enabled: true, target5xxPerMinute: 5, unhealthyHosts: 1, evaluationPeriods: 2 },
    });
    expect(service.autoScaling).toBeUndefined();
    expect(service.certificateArn).toBeUndefined();
    expect(service.release.approvalWaitMinutes).toBeUndefined();
  });

  it('puts the test listener on 8080 over HTTP and 8443 over HTTPS unless configured', () => {
    const http = environment().services[0];
    const https = environment({}, { certificateArn: 'arn:aws:acm:ap-northeast-1:123456789012:certificate/x' }).services[0];
    expect([productionPort(http), testListenerPort(http)]).toEqual([80, 8080]);
    expect([productionPort(https), testListenerPort(https)]).toEqual([443, 8443]);
    expect(testListenerPort(environment({}, { testListener: { port: 9000 } }).services[0])).toBe(9000);
  });

  it('names a custom traffic shift after the service and keeps predefined names as they are', () => {
    const custom = environment({}, { release: { deploymentConfig: { type: 'linear', percentage: 20, intervalMinutes: 2 } } });
    expect(deploymentConfigName(custom, custom.services[0])).toBe('shop-test-web-traffic-shift');
    const predefined = environment();
    expect(deploymentConfigName(predefined, predefined.services[0])).toBe('CodeDeployDefault.ECSAllAtOnce');
  });

  it('switches to offline provider settings when asked or when ECS_BG_OFFLINE is set', () => {
    expect(loadEnvironment('dev', { offline: true }).aws.offline).toBe(true);
    const saved = process.env.ECS_BG_OFFLINE;
    try {
      process.env.ECS_BG_OFFLINE = '1';
      expect(loadEnvironment('dev').aws.offline).toBe(true);
      process.env.ECS_BG_OFFLINE = '0';
      expect(loadEnvironment('dev').aws.offline).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.ECS_BG_OFFLINE;
      else process.env.ECS_BG_OFFLINE = saved;
    }
  });

  it.each(environmentNamesList())('loads the configured environment %s without problems', (name) => {
    expect(loadEnvironment(name).environment).toBe(name);
  });
});
