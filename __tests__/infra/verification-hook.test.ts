/**
 * The verification hook (modules/verification-hook.ts): a Lambda function in the VPC that the test
 * listeners admit, with a role holding only what it does, and CodeDeploy allowed to invoke it.
 */
import { ConfigError, decodeVerificationTargets, environmentNames, hasVerificationHook, loadEnvironment, parseEnvironment, serviceNames, verificationTargets, verificationTargetsVariable } from '../../config';
import { fleetOf } from '../../config/fleet';
import { LAMBDA_VPC_NETWORK_INTERFACE_ACTIONS } from '../../modules/iam-policy';
import { VERIFICATION_FUNCTION_RUNTIME } from '../../modules/verification-hook';
import { environmentView } from '../../policy/environment-view';
import { environment, environmentInput, only, referencedAddress, resources, synthEnvironment, synthEnvironmentStacks, twoServiceEnvironment } from './support';

const config = twoServiceEnvironment();
const stacks = synthEnvironmentStacks(config);
const synthesized = environmentView(stacks);
const names = environmentNames(config);
const hookGroup = () => resources(synthesized, 'aws_security_group').find((group) => group.name === names.verificationHook);
const policyOf = (name: string) => JSON.parse(resources(synthesized, 'aws_iam_role_policy').find((policy) => policy.name === name)?.policy as string);

describe('the verification hook of an environment with NAT', () => {
  it('is a Node.js function packaged from functions/verify-test-listener, in the task subnets, in its own security group', () => {
    const fn = only(synthesized, 'aws_lambda_function');
    expect(fn.function_name).toBe(names.verificationHook);
    expect(fn.runtime).toBe(VERIFICATION_FUNCTION_RUNTIME);
    expect(fn.handler).toBe('index.handler');
    expect(fn.filename).toMatch(/^assets\/.+\.zip$/);
    expect(fn.vpc_config.security_group_ids).toEqual([`\${${hookGroup()?.__address}.id}`]);
    const taskSubnets = resources(synthesized, 'aws_ecs_service')[0].network_configuration.subnets;
    expect(fn.vpc_config.subnet_ids).toEqual(taskSubnets);
    expect(fn.logging_config.log_group).toBe(`\${${resources(synthesized, 'aws_cloudwatch_log_group').find((group) => group.name === names.verificationHookLogGroup)?.__address}.name}`);
  });

  it('knows each blue-green service by its deployment group: load balancer, test port, protocol and configured path', () => {
    const targets = decodeVerificationTargets(only(synthesized, 'aws_lambda_function').environment.variables.VERIFY_TARGETS);
    const web = serviceNames(config, config.services[0]);
    const api = serviceNames(config, config.services[1]);
    expect(Object.keys(targets).sort()).toEqual([api.deploymentGroup, web.deploymentGroup].sort());
    expect(targets[web.deploymentGroup]).toEqual({ loadBalancerName: web.loadBalancer, protocol: 'HTTP', port: 8080, tries: 10 });
    expect(targets[api.deploymentGroup]).toEqual({ loadBalancerName: api.loadBalancer, protocol: 'HTTPS', port: 8443, tries: 10 });
  });

  it("lives in the shared stack and reads nothing of a service's stack: its settings come from configuration", () => {
    const [shared, ...services] = stacks;
    expect(Object.keys(shared.synthesized.resource?.aws_lambda_function ?? {})).toHaveLength(1);
    expect(shared.synthesized.data?.terraform_remote_state).toBeUndefined();
    expect(JSON.stringify(shared.synthesized)).not.toMatch(/aws_lb\./);
    // Each service stack holds the hook's way out to its own test listener, at its old address.
    for (const { stack, synthesized: service } of services) {
      expect([stack, Object.keys(service.resource?.aws_vpc_security_group_egress_rule ?? {}).filter((id) => id.startsWith('verification-hook_'))]).toEqual([stack, [expect.stringMatching(/^verification-hook_egress-test-/)]]);
    }
  });

  it("reads only this environment's deployments (one pattern and its Environment tag), reports hook results, manages its network interfaces and writes its own log", () => {
    const statements = policyOf('verify-and-report').Statement;
    expect(statements.map((statement: { Action: string[] }) => statement.Action)).toEqual([
      ['codedeploy:GetDeployment'],
      ['codedeploy:PutLifecycleEventHookExecutionStatus'],
      ['elasticloadbalancing:DescribeLoadBalancers'],
      [...LAMBDA_VPC_NETWORK_INTERFACE_ACTIONS],
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
    ]);
    expect(statements[0].Resource).toEqual([expect.stringMatching(/^arn:aws:codedeploy:ap-northeast-1:\$\{local\..+\}:deploymentgroup:shop-two-\*\/shop-two-\*$/)]);
    expect(statements[0].Condition).toEqual({ StringEquals: { 'aws:ResourceTag/Environment': 'two' } });
    // No resource type in the Service Authorization Reference: only "*" matches it.
    expect(statements[1].Resource).toEqual(['*']);
    expect(statements[2].Resource).toEqual(['*']);
    expect(statements[4].Resource).toEqual([expect.stringMatching(/^\$\{aws_cloudwatch_log_group\..+\.arn\}:log-stream:\*$/)]);
  });

  it("is invoked by CodeDeploy's service role, for this function only", () => {
    const statements = policyOf('invoke-verification-hook').Statement;
    expect(statements).toEqual([{ Sid: 'InvokeTheVerificationHook', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [`\${${resources(synthesized, 'aws_lambda_function')[0].__address}.arn}`] }]);
  });

  it("is admitted to each test listener's port by the load balancer, which admits nothing else there but configured CIDRs", () => {
    const hook = hookGroup()?.__address;
    for (const service of config.services) {
      const loadBalancerGroup = resources(synthesized, 'aws_security_group').find((group) => group.name === serviceNames(config, service).albSecurityGroup)?.__address;
      const port = service.certificateArn ? 8443 : 8080;
      const onTestPort = resources(synthesized, 'aws_vpc_security_group_ingress_rule').filter(
        (rule) => referencedAddress(rule.security_group_id) === loadBalancerGroup && rule.from_port === port,
      );
      const sources = onTestPort.map((rule) => rule.cidr_ipv4 ?? referencedAddress(rule.referenced_security_group_id)).sort();
      expect(sources).toEqual([...service.testListener.allowedCidrs, hook].sort());
    }
  });

  it('has no ingress, and egress only to HTTPS and the test ports of its load balancers', () => {
    const hook = hookGroup()?.__address;
    expect(resources(synthesized, 'aws_vpc_security_group_ingress_rule').filter((rule) => referencedAddress(rule.security_group_id) === hook)).toEqual([]);
    const egress = resources(synthesized, 'aws_vpc_security_group_egress_rule').filter((rule) => referencedAddress(rule.security_group_id) === hook);
    expect(egress.map((rule) => `${rule.from_port} ${rule.cidr_ipv4 ?? 'load balancer'}`).sort()).toEqual(['443 0.0.0.0/0', '8080 load balancer', '8443 load balancer']);
  });
});

describe('which environments get a verification hook', () => {
  it('prod (NAT per zone) has one and verifies /health; dev (no NAT) and preview (rolling) have none', () => {
    expect(hasVerificationHook(loadEnvironment('prod', { offline: true }))).toBe(true);
    expect(loadEnvironment('prod', { offline: true }).services[0].release.verifyPath).toBe('/health');
    expect(hasVerificationHook(loadEnvironment('dev', { offline: true }))).toBe(false);
    expect(hasVerificationHook(loadEnvironment('preview', { offline: true }))).toBe(false);
    expect(resources(synthEnvironment(loadEnvironment('dev', { offline: true })), 'aws_lambda_function')).toEqual([]);
  });

  it('refuses a hook without NAT, a verifyPath without a hook, and a verifyPath beside an AfterAllowTestTraffic function', () => {
    expect(() => environment({ verificationHook: true })).toThrow(/verificationHook: the hook function calls CodeDeploy and EC2 from the task subnets, which have no NAT/);
    expect(() => environment({}, { release: { verifyPath: '/health' } })).toThrow(/release.verifyPath: the environment has no verification hook/);
    expect(() =>
      parseEnvironment('test', environmentInput({ network: { mode: 'create', natGateways: 'single' } }, { release: { verifyPath: '/health', lifecycleHooks: { AfterAllowTestTraffic: 'mine' } } })),
    ).toThrow(ConfigError);
  });

  it('can be turned off in an environment that would have one', () => {
    const off = environment({ network: { mode: 'create', natGateways: 'single' }, verificationHook: false });
    expect(resources(synthEnvironment(off), 'aws_lambda_function')).toEqual([]);
  });
});

describe('VERIFY_TARGETS, written by the stack and read by the function', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { targetsFrom } = require('../../functions/verify-test-listener/index.js') as { targetsFrom: (variable: string | undefined) => unknown };
  const prod = loadEnvironment('prod');
  const withPaths = parseEnvironment('test', environmentInput({
    network: { mode: 'create', cidr: '10.30.0.0/16', natGateways: 'single' },
    services: [
      { name: 'web', release: { strategy: 'blue-green', verifyPath: '/health?deep=1:2' } },
      { name: 'api', certificateArn: 'arn:aws:acm:ap-northeast-1:123456789012:certificate/x', release: { strategy: 'blue-green' } },
    ],
  }));

  it.each([
    ['prod', prod],
    ['a path with a colon, and a service without a path', withPaths],
    ['prod at 100 services', fleetOf(prod, 100)],
  ])('reads back, in the function and in config, exactly what verificationTargets gives: %s', (_, env) => {
    const variable = verificationTargetsVariable(env);
    expect(targetsFrom(variable)).toEqual(verificationTargets(env));
    expect(decodeVerificationTargets(variable)).toEqual(verificationTargets(env));
  });

  it("costs about 30 bytes a service, so 100 services stay well inside Lambda's 4 KB", () => {
    const size = (count: number) => Buffer.byteLength(`VERIFY_TARGETS${verificationTargetsVariable(fleetOf(prod, count))}`);
    expect((size(100) - size(2)) / 98).toBeLessThan(32);
    expect(size(100)).toBeLessThan(4096);
  });

  it('is empty for an environment the function verifies nothing in', () => {
    expect(targetsFrom(undefined)).toEqual({});
  });
});
