/**
 * Invariants over the synthesized JSON of every configured environment plus a two-service one
 * (HTTPS, a test listener open to an office CIDR, secrets, auto scaling). One line each.
 */
import { RELEASE_TAG_KEY, serviceNames, testListenerPort, type EnvironmentConfig } from '../../config';
import { ACTIONS_WITHOUT_RESOURCE_SCOPE, ALLOWED_MANAGED_POLICIES } from '../../modules/iam-policy';
import { allEnvironments, ignoreChanges, referencedAddress, resources, synthEnvironment, type Synthesized } from './support';

interface Statement {
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: string | string[];
  NotResource?: unknown;
}

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const address = (type: string, resource: Record<string, any>) => `${type}.${resource.__id}`;

/** Addresses of the security groups with the given names. */
function securityGroups(synthesized: Synthesized, names: string[]): Set<string> {
  return new Set(resources(synthesized, 'aws_security_group').filter((group) => names.includes(group.name)).map((group) => address('aws_security_group', group)));
}

/** Ingress rules attached to any of the given security groups. */
function ingressInto(synthesized: Synthesized, groups: Set<string>) {
  return resources(synthesized, 'aws_vpc_security_group_ingress_rule').filter((rule) => groups.has(referencedAddress(rule.security_group_id)));
}

/** Every IAM policy document in the stack (inline, attached, trust). */
function policyStatements(synthesized: Synthesized): Statement[] {
  const documents = [
    ...resources(synthesized, 'aws_iam_role_policy').map((policy) => policy.policy),
    ...resources(synthesized, 'aws_iam_policy').map((policy) => policy.policy),
    ...resources(synthesized, 'aws_iam_role').flatMap((role) => (role.inline_policy ?? []).map((inline: { policy: string }) => inline.policy)),
  ];
  return documents.flatMap((document: string) => list(JSON.parse(document).Statement));
}

function expectedServiceIgnores(synthesized: Synthesized, service: Record<string, any>): string[] {
  const scaled = resources(synthesized, 'aws_appautoscaling_target').some((target) => target.resource_id.endsWith(`/${service.name}`));
  return ['task_definition', ...(service.deployment_controller?.type === 'CODE_DEPLOY' ? ['load_balancer'] : []), ...(scaled ? ['desired_count'] : [])];
}

const cases: Array<[string, EnvironmentConfig, Synthesized]> = allEnvironments().map((config) => [config.environment, config, synthEnvironment(config)]);

describe.each(cases)('policy: the %s environment', (_name, config, synthesized) => {
  const names = config.services.map((service) => serviceNames(config, service));
  const taskGroups = securityGroups(synthesized, names.map((n) => n.taskSecurityGroup));
  const albGroups = securityGroups(synthesized, names.map((n) => n.albSecurityGroup));
  const allIngress = resources(synthesized, 'aws_vpc_security_group_ingress_rule');

  it('admits traffic to tasks only from a load balancer security group, never from a CIDR', () => {
    expect(ingressInto(synthesized, taskGroups).every((rule) => albGroups.has(referencedAddress(rule.referenced_security_group_id)) && !rule.cidr_ipv4 && !rule.cidr_ipv6 && !rule.prefix_list_id)).toBe(true);
  });

  it('gives every task security group exactly its one ingress rule', () => {
    expect(ingressInto(synthesized, taskGroups)).toHaveLength(config.services.length);
  });

  it('declares no inline or legacy security group rules that would escape these checks', () => {
    expect(resources(synthesized, 'aws_security_group').filter((group) => group.ingress || group.egress).length + resources(synthesized, 'aws_security_group_rule').length).toBe(0);
  });

  it('opens each test port only to its configured CIDRs, never to the world', () => {
    for (const service of config.services) {
      const albGroup = securityGroups(synthesized, [serviceNames(config, service).albSecurityGroup]);
      const testCidrs = ingressInto(synthesized, albGroup).filter((rule) => rule.from_port === testListenerPort(service)).map((rule) => rule.cidr_ipv4).sort();
      expect(testCidrs).toEqual(service.release.strategy === 'blue-green' ? [...service.testListener.allowedCidrs].sort() : []);
    }
    expect(allIngress.filter((rule) => rule.cidr_ipv4 === '0.0.0.0/0' || rule.cidr_ipv6 === '::/0').every((rule) => [80, 443].includes(rule.from_port))).toBe(true);
  });

  it('lets load balancers send traffic only to task security groups', () => {
    expect(resources(synthesized, 'aws_vpc_security_group_egress_rule').filter((rule) => albGroups.has(referencedAddress(rule.security_group_id))).every((rule) => taskGroups.has(referencedAddress(rule.referenced_security_group_id)) && !rule.cidr_ipv4)).toBe(true);
  });

  it('makes every ECR repository immutable and scanned on push', () => {
    expect(resources(synthesized, 'aws_ecr_repository').every((repository) => repository.image_tag_mutability === 'IMMUTABLE' && repository.image_scanning_configuration?.scan_on_push === true)).toBe(true);
  });

  it('grants no IAM action "*" and no wildcard in a service prefix', () => {
    expect(policyStatements(synthesized).flatMap((statement) => list(statement.Action)).filter((action) => action === '*' || action.split(':')[0].includes('*'))).toEqual([]);
  });

  it('uses no NotAction or NotResource', () => {
    expect(policyStatements(synthesized).filter((statement) => statement.NotAction !== undefined || statement.NotResource !== undefined)).toEqual([]);
  });

  it('allows Resource "*" only for the documented account-wide actions', () => {
    expect(policyStatements(synthesized).filter((statement) => list(statement.Resource).includes('*')).flatMap((statement) => list(statement.Action)).filter((action) => !ACTIONS_WITHOUT_RESOURCE_SCOPE.includes(action))).toEqual([]);
  });

  it('attaches managed policies only from the documented allow-list', () => {
    const attached = [...resources(synthesized, 'aws_iam_role_policy_attachment').map((attachment) => attachment.policy_arn), ...resources(synthesized, 'aws_iam_role').flatMap((role) => role.managed_policy_arns ?? [])];
    expect(attached.filter((arn: string) => !Object.keys(ALLOWED_MANAGED_POLICIES).some((name) => new RegExp(`^arn:aws[a-z-]*:iam::aws:policy/${name}$`).test(arn)))).toEqual([]);
  });

  it('hands every blue-green service to CodeDeploy', () => {
    const blueGreen = names.filter((_, index) => config.services[index].release.strategy === 'blue-green').map((n) => n.service);
    expect(resources(synthesized, 'aws_ecs_service').filter((service) => blueGreen.includes(service.name)).every((service) => service.deployment_controller?.type === 'CODE_DEPLOY')).toBe(true);
  });

  it('ignores exactly the ECS service attributes releases and auto scaling change', () => {
    expect(resources(synthesized, 'aws_ecs_service').every((service) => JSON.stringify(ignoreChanges(service)) === JSON.stringify(expectedServiceIgnores(synthesized, service)))).toBe(true);
  });

  it('leaves the default action to CodeDeploy on exactly the listeners its deployment groups route', () => {
    const routed = new Set(resources(synthesized, 'aws_codedeploy_deployment_group').flatMap((group) => [...group.load_balancer_info.target_group_pair_info.prod_traffic_route.listener_arns, ...group.load_balancer_info.target_group_pair_info.test_traffic_route.listener_arns].map(referencedAddress)));
    expect(resources(synthesized, 'aws_lb_listener').every((listener) => routed.has(address('aws_lb_listener', listener)) === (JSON.stringify(ignoreChanges(listener)) === '["default_action"]'))).toBe(true);
  });

  it('keeps every task definition revision on a release-proof lifecycle', () => {
    expect(resources(synthesized, 'aws_ecs_task_definition').every((definition) => definition.skip_destroy === true && JSON.stringify(ignoreChanges(definition)) === '["container_definitions"]' && /^terraform_data\./.test(definition.lifecycle.replace_triggered_by?.[0]))).toBe(true);
  });

  it('leaves the suspended state of every scalable target to the release tool', () => {
    expect(resources(synthesized, 'aws_appautoscaling_target').every((target) => JSON.stringify(ignoreChanges(target)) === '["suspended_state"]')).toBe(true);
  });

  it('pins every image: no "latest" tag anywhere', () => {
    expect(JSON.stringify(synthesized)).not.toMatch(/:latest\b/);
  });

  it('gives every log group a retention period', () => {
    expect(resources(synthesized, 'aws_cloudwatch_log_group').every((group) => group.retention_in_days > 0)).toBe(true);
  });

  it(`never puts the ${RELEASE_TAG_KEY} tag on anything Terraform creates`, () => {
    expect(JSON.stringify(synthesized)).not.toContain(`"${RELEASE_TAG_KEY}"`);
  });

  it('drops invalid HTTP headers at every load balancer', () => {
    expect(resources(synthesized, 'aws_lb').every((lb) => lb.drop_invalid_header_fields === true)).toBe(true);
  });
});
