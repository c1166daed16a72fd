import { ConfigError, environmentNamesList, environmentStacks, loadEnvironment, serviceNames, RELEASE_TAG_KEY, TERRAFORM_REVISION_TAG_KEY } from '../../config';
import { environmentView } from '../../policy/environment-view';
import { environment, ignoreChanges, only, resources, synthEnvironment, synthEnvironmentStacks, twoServiceEnvironment, type Synthesized } from './support';

/** Resource types created once per service. */
const PER_SERVICE = {
  aws_lb: 1,
  aws_lb_target_group: 2,
  aws_lb_listener: 2,
  aws_ecr_repository: 1,
  aws_ecs_task_definition: 1,
  aws_ecs_service: 1,
  aws_cloudwatch_log_group: 1,
  aws_cloudwatch_metric_alarm: 2,
  aws_codedeploy_app: 1,
  aws_codedeploy_deployment_group: 1,
  terraform_data: 1,
};

const count = (synthesized: Synthesized, type: string) => resources(synthesized, type).length;

describe.each(environmentNamesList())('the configured %s environment', (name) => {
  const config = loadEnvironment(name, { offline: true });
  const synthesized = synthEnvironment(config);

  it('synthesizes one stack with a provider in its region and no AWS lookups', () => {
    expect(synthesized.provider?.aws[0].region).toBe(config.region);
    expect(synthesized.data).toBeUndefined();
  });

  it('creates every configured service with its configured names', () => {
    for (const service of config.services) {
      const names = serviceNames(config, service);
      expect(resources(synthesized, 'aws_ecs_service').map((ecs) => ecs.name)).toContain(names.service);
      expect(resources(synthesized, 'aws_ecr_repository').map((repository) => repository.name)).toContain(names.repository);
    }
  });
});

describe('an environment with two services', () => {
  const config = twoServiceEnvironment();
  const stacks = synthEnvironmentStacks(config);
  const synthesized = environmentView(stacks);

  it('gives each service its own load balancer, target groups, listeners, registry, task definition, service, alarms and CodeDeploy group', () => {
    for (const [type, perService] of Object.entries(PER_SERVICE)) {
      // api on HTTPS adds the 80→443 redirect; the environment's verification hook has a log group of its own.
      const expected = type === 'aws_lb_listener' ? 2 + 3 : perService * 2 + (type === 'aws_cloudwatch_log_group' ? 1 : 0);
      expect([type, count(synthesized, type)]).toEqual([type, expected]);
    }
  });

  it('shares one VPC, one cluster and one CodeDeploy role between them', () => {
    expect(count(synthesized, 'aws_vpc')).toBe(1);
    expect(count(synthesized, 'aws_ecs_cluster')).toBe(1);
    expect(resources(synthesized, 'aws_iam_role_policy_attachment')).toHaveLength(1);
    const clusters = new Set(resources(synthesized, 'aws_ecs_service').map((service) => service.cluster));
    expect(clusters.size).toBe(1);
    const roles = new Set(resources(synthesized, 'aws_codedeploy_deployment_group').map((group) => group.service_role_arn));
    expect(roles.size).toBe(1);
    // CodeDeploy checks the role's permissions when a group is created: they are in the shared
    // stack, applied before the service stacks that read it (no depends_on across states).
    expect(Object.keys(stacks[0].synthesized.resource?.aws_iam_role_policy_attachment ?? {})).toHaveLength(1);
    expect(stacks.slice(1).every(({ synthesized }) => Object.keys(synthesized.data?.terraform_remote_state ?? {}).length === 1)).toBe(true);
    const vpcs = new Set(resources(synthesized, 'aws_lb_target_group').map((group) => group.vpc_id));
    expect(vpcs.size).toBe(1);
  });

  it('names every resource after its service', () => {
    const names = config.services.map((service) => serviceNames(config, service));
    expect(resources(synthesized, 'aws_lb').map((lb) => lb.name).sort()).toEqual(names.map((n) => n.loadBalancer).sort());
    expect(resources(synthesized, 'aws_lb_target_group').map((group) => group.name).sort()).toEqual(names.flatMap((n) => n.targetGroups).sort());
    expect(resources(synthesized, 'aws_codedeploy_deployment_group').map((group) => group.deployment_group_name).sort()).toEqual(names.map((n) => n.deploymentGroup).sort());
    expect(only(synthesized, 'aws_codedeploy_deployment_config').deployment_config_name).toBe(names[1].customDeploymentConfig);
    expect(only(synthesized, 'aws_appautoscaling_target').resource_id).toBe(names[1].scalableResourceId);
  });

  it('runs tasks in the private subnets behind NAT', () => {
    for (const service of resources(synthesized, 'aws_ecs_service')) {
      expect(service.network_configuration.assign_public_ip).toBe(false);
      expect(service.network_configuration.subnets.every((subnet: string) => subnet.includes('network_private-'))).toBe(true);
    }
  });

  it('ignores the desired count only for the auto-scaled service', () => {
    const byName = Object.fromEntries(resources(synthesized, 'aws_ecs_service').map((service) => [service.name, ignoreChanges(service)]));
    expect(byName).toEqual({
      'shop-two-web': ['task_definition', 'load_balancer'],
      'shop-two-api': ['task_definition', 'load_balancer', 'desired_count'],
    });
  });

  it('outputs what the release tool and people need, per service', () => {
    const outputs = Object.keys(synthesized.output ?? {});
    for (const service of ['web', 'api']) {
      for (const key of ['cluster', 'service', 'task_family', 'container_name', 'repository_url', 'target_groups', 'production_listener_arn', 'test_listener_arn', 'url', 'test_url', 'codedeploy_application', 'deployment_group']) {
        expect(outputs).toContain(`${service}_${key}`);
      }
    }
    expect(synthesized.output?.api_container_name.value).toBe('app');
  });
});

describe('the split of an environment into a shared stack and one stack per service', () => {
  const config = twoServiceEnvironment();
  const stacks = synthEnvironmentStacks(config);
  const addressesOf = (synthesized: Synthesized) => Object.entries(synthesized.resource ?? {}).flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`));

  it('names the stacks as config/names.ts does, shared first, then the services in configuration order', () => {
    expect(stacks.map(({ stack }) => stack)).toEqual(environmentStacks(config).map(({ stack }) => stack));
    expect(stacks.map(({ stack }) => stack)).toEqual(['shop-two', 'shop-two-web', 'shop-two-api']);
  });

  it("puts each service's resources in its own stack and none in the shared stack", () => {
    const [shared, ...services] = stacks;
    expect(addressesOf(shared.synthesized).filter((address) => address.includes('.service-'))).toEqual([]);
    for (const [index, { synthesized }] of services.entries()) {
      const own = `service-${config.services[index].name}_`;
      expect(addressesOf(synthesized).filter((address) => !address.split('.')[1].startsWith(own) && !address.split('.')[1].startsWith('verification-hook_'))).toEqual([]);
    }
  });

  it('lets service stacks read the shared stack, and the shared stack read no stack', () => {
    const [shared, ...services] = stacks;
    expect(shared.synthesized.data?.terraform_remote_state).toBeUndefined();
    for (const { synthesized } of services) expect(Object.keys(synthesized.data?.terraform_remote_state ?? {})).toEqual(['cross-stack-reference-input-shop-two']);
  });

  it('keeps each output in the stack that owns its resource: services their own, the shared stack the identity and the hook', () => {
    const [shared, web, api] = stacks;
    const named = (synthesized: Synthesized) => Object.keys(synthesized.output ?? {}).filter((name) => !name.startsWith('cross-stack-output-'));
    expect(named(shared.synthesized)).toEqual(expect.arrayContaining(['verification_hook_function']));
    expect(named(shared.synthesized).filter((name) => name.startsWith('web_') || name.startsWith('api_'))).toEqual([]);
    expect(named(web.synthesized).every((name) => name.startsWith('web_'))).toBe(true);
    expect(named(api.synthesized).every((name) => name.startsWith('api_'))).toBe(true);
  });
});

describe('EnvironmentStacks provider and state', () => {
  it('tags everything with the configured tags plus Environment and ManagedBy', () => {
    const synthesized = synthEnvironment(environment({ tags: { Project: 'shop', Team: 'payments' } }));
    expect(synthesized.provider?.aws[0].default_tags).toEqual([{ tags: { Project: 'shop', Team: 'payments', Environment: 'test', ManagedBy: 'terraform' } }]);
  });

  it('uses fake credentials and skips every start-up call when offline', () => {
    const provider = synthEnvironment(environment({ aws: { offline: true } })).provider?.aws[0];
    expect(provider).toMatchObject({
      access_key: expect.any(String),
      secret_key: expect.any(String),
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: 'true',
      skip_region_validation: true,
    });
  });

  it('uses the normal credential chain when online', () => {
    const provider = synthEnvironment(environment()).provider?.aws[0];
    expect(provider?.access_key).toBeUndefined();
    expect(provider?.skip_credentials_validation).toBeUndefined();
  });

  it('points each configured service endpoint at the override', () => {
    const endpoints = { ecs: 'http://localhost:4566', applicationautoscaling: 'http://localhost:4566', logs: 'http://localhost:4566' };
    const provider = synthEnvironment(environment({ aws: { endpoints } })).provider?.aws[0];
    expect(provider?.endpoints).toEqual([endpoints]);
  });

  it('keeps local state at the repository root, one file per stack, relative to the stack directory; a service stack reads the shared file', () => {
    const [shared, web] = synthEnvironmentStacks(environment());
    expect(shared.synthesized.terraform?.backend).toEqual({ local: { path: '../../../terraform.shop-test.tfstate' } });
    expect(web.synthesized.terraform?.backend).toEqual({ local: { path: '../../../terraform.shop-test-web.tfstate' } });
    expect(Object.values(web.synthesized.data?.terraform_remote_state ?? {})).toEqual([expect.objectContaining({ backend: 'local', config: { path: '../../../terraform.shop-test.tfstate' } })]);
  });

  it("keeps S3 state encrypted with native locking, the shared stack at the environment's key and each service beside it", () => {
    const [shared, web] = synthEnvironmentStacks(environment({ state: { backend: 's3', bucket: 'state-bucket' } }));
    expect(shared.synthesized.terraform?.backend).toEqual({ s3: { bucket: 'state-bucket', key: 'shop/test/terraform.tfstate', region: 'ap-northeast-1', encrypt: true, use_lockfile: true } });
    expect(web.synthesized.terraform?.backend).toEqual({ s3: { bucket: 'state-bucket', key: 'shop/test/terraform.web.tfstate', region: 'ap-northeast-1', encrypt: true, use_lockfile: true } });
    expect(Object.values(web.synthesized.data?.terraform_remote_state ?? {})).toEqual([
      expect.objectContaining({ backend: 's3', config: expect.objectContaining({ bucket: 'state-bucket', key: 'shop/test/terraform.tfstate' }) }),
    ]);
  });

  it('uses the DynamoDB table when one is named, and derives service keys from a configured key', () => {
    const [shared, web] = synthEnvironmentStacks(environment({ state: { backend: 's3', bucket: 'state-bucket', key: 'k', region: 'us-east-1', dynamodbTable: 'locks' } }));
    expect(shared.synthesized.terraform?.backend).toEqual({ s3: { bucket: 'state-bucket', key: 'k', region: 'us-east-1', encrypt: true, dynamodb_table: 'locks' } });
    expect(web.synthesized.terraform?.backend).toEqual({ s3: { bucket: 'state-bucket', key: 'k.web', region: 'us-east-1', encrypt: true, dynamodb_table: 'locks' } });
  });

  it('gives every stack of the environment the same provider settings', () => {
    const stacks = synthEnvironmentStacks(twoServiceEnvironment());
    expect(new Set(stacks.map(({ synthesized }) => JSON.stringify(synthesized.provider))).size).toBe(1);
  });

  it(`refuses the ${TERRAFORM_REVISION_TAG_KEY} tag in configured tags, since the stack sets it on each service`, () => {
    expect(() => synthEnvironment(environment({ tags: { [TERRAFORM_REVISION_TAG_KEY]: 'x' } }))).toThrow(/test\.tags\.TerraformRevision: .*remove it from the tags/);
  });

  it(`refuses the ${RELEASE_TAG_KEY} tag in configured tags, since it marks release revisions`, () => {
    expect(() => synthEnvironment(environment({ tags: { [RELEASE_TAG_KEY]: 'me' } }))).toThrow(ConfigError);
    expect(() => synthEnvironment(environment({ tags: { [RELEASE_TAG_KEY]: 'me' } }))).toThrow(/test\.tags\.ReleasedBy: .*remove it from the tags/);
  });

  it('creates no CodeDeploy role when every service rolls', () => {
    const synthesized = synthEnvironment(environment({}, { release: { strategy: 'rolling' } }));
    expect(count(synthesized, 'aws_codedeploy_app')).toBe(0);
    expect(count(synthesized, 'aws_iam_role_policy_attachment')).toBe(0);
    expect(only(synthesized, 'aws_ecs_service').alarms).toMatchObject({ enable: true, rollback: true });
  });

  it('creates no alarms when they are disabled', () => {
    const synthesized = synthEnvironment(environment({}, { alarms: { enabled: false } }));
    expect(count(synthesized, 'aws_cloudwatch_metric_alarm')).toBe(0);
    expect(only(synthesized, 'aws_codedeploy_deployment_group').alarm_configuration).toBeUndefined();
  });

  it('builds a worker with no load balancer, listener, target group or ALB alarm, rolling on its circuit breaker and its own alarms', () => {
    const synthesized = synthEnvironment(environment({}, { kind: 'worker', release: { strategy: 'rolling' }, alarms: { additionalAlarmNames: ['shop-test-queue-age'] } }));
    for (const type of ['aws_lb', 'aws_lb_listener', 'aws_lb_target_group', 'aws_cloudwatch_metric_alarm', 'aws_codedeploy_app']) expect([type, count(synthesized, type)]).toEqual([type, 0]);
    const service = only(synthesized, 'aws_ecs_service');
    expect(service.load_balancer).toBeUndefined();
    expect(service).toMatchObject({ deployment_circuit_breaker: { enable: true, rollback: true }, alarms: { alarm_names: ['shop-test-queue-age'], enable: true, rollback: true } });
    expect(resources(synthesized, 'aws_vpc_security_group_ingress_rule')).toEqual([]);
    expect(only(synthesized, 'aws_ecs_task_definition').container_definitions).toContain('"stopTimeout":30');
    expect(Object.keys(synthesized.output ?? {}).filter((name) => /^web_(url|test_url|production_listener_arn|test_listener_arn|target_groups)$/.test(name))).toEqual([]);
  });

  it('adds configured alarms to a web service\'s own', () => {
    const synthesized = synthEnvironment(environment({}, { alarms: { additionalAlarmNames: ['shop-test-queue-age'] } }));
    expect(only(synthesized, 'aws_codedeploy_deployment_group').alarm_configuration.alarms).toEqual(expect.arrayContaining(['shop-test-queue-age']));
    expect(only(synthesized, 'aws_codedeploy_deployment_group').alarm_configuration.alarms).toHaveLength(3);
  });
});
