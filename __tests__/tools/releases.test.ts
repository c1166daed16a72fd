/**
 * The drift self-check's release simulation (tools/terraform/releases.ts) reads what a release
 * touches from the stack itself; here it runs on a state built from each environment's
 * synthesized stacks (the two-service one included) and must leave every service as the release
 * tool and CodeDeploy would, by the names config/names.ts gives: on its own family's release
 * revision, on its own green target group with its own listeners moved, its scaling suspended.
 * (The self-check, `npm run drift -- --self-check`, then plans that state with the real provider.)
 */
import { productionPort, serviceNames, testListenerPort, type EnvironmentConfig } from '../../config';
import type { Synthesized } from '../../policy/synthesized';
import type { Schemas, State, StateResource } from '../../tools/terraform/apply-state';
import type { JsonObject } from '../../tools/terraform/plan-json';
import { attributesOf, RELEASE_REVISION, simulateReleases } from '../../tools/terraform/releases';
import { allEnvironments } from '../infra/support';
import { synthEnvironmentStacks } from '../support/synth';

const TYPES = ['aws_ecs_service', 'aws_ecs_task_definition', 'aws_lb', 'aws_lb_target_group', 'aws_lb_listener', 'aws_appautoscaling_target'];
const PROVIDER = 'registry.terraform.io/hashicorp/aws';

/** Just the blocks the simulation builds, without attributes (it fills what the schema lists). */
const block = (blockTypes: Record<string, unknown> = {}) => ({ block_types: blockTypes });
const nested = (blockTypes?: Record<string, unknown>) => ({ nesting_mode: 'list', block: block(blockTypes) });
const SCHEMAS = {
  [PROVIDER]: {
    aws_lb_listener: { version: 0, block: block({ default_action: nested({ forward: nested({ target_group: nested(), stickiness: nested() }) }) }) },
    aws_appautoscaling_target: { version: 0, block: block({ suspended_state: nested() }) },
  },
} as unknown as Schemas;

/** The ARN apply would give a resource (task definitions at revision 1); `stack` keeps equal logical ids of two stacks apart. */
function arnOf(stack: number, type: string, id: string, body: Record<string, any>): string {
  return type === 'aws_ecs_task_definition' ? `arn:aws:ecs:ap-northeast-1:123456789012:task-definition/${body.family}:1` : `arn:${type}:${stack}:${id}`;
}

/** A state as apply leaves it, reduced to what a release touches: references resolved, blocks as lists. */
function appliedState(document: Synthesized, stack: number): State {
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const reference = /^\$\{([a-z0-9_]+)\.([^.}]+)\.([a-z_]+)\}$/.exec(value);
      if (!reference) return value;
      const [, type, id, attribute] = reference;
      const body = document.resource?.[type]?.[id] ?? {};
      return attribute === 'arn' ? arnOf(stack, type, id, body) : (body[attribute] ?? `${type}.${id}.${attribute}`);
    }
    if (Array.isArray(value)) return value.map(resolve);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, resolve(field)]));
    return value;
  };
  const asList = (value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
  const resources: StateResource[] = TYPES.flatMap((type) =>
    Object.entries(document.resource?.[type] ?? {}).map(([id, body]) => {
      const attributes = resolve(body) as JsonObject;
      for (const block of ['default_action', 'load_balancer', 'deployment_controller']) if (block in attributes) attributes[block] = asList(attributes[block]) as JsonObject[];
      return { mode: 'managed' as const, type, name: id, provider: `provider["${PROVIDER}"]`, instances: [{ schema_version: 0, attributes: { ...attributes, arn: arnOf(stack, type, id, body) }, sensitive_attributes: [] }] };
    }),
  );
  return { version: 4, terraform_version: '1.11.4', serial: 1, lineage: 'test', outputs: {}, resources, check_results: null };
}

describe.each(allEnvironments().map((env) => [env.environment, env] as const))('the simulated releases of %s', (_, env: EnvironmentConfig) => {
  // As the self-check runs: stack by stack, each with its own state (a stack without a service, such as a shared one, has no release).
  const stacks = synthEnvironmentStacks(env).filter((document) => Object.keys(document.resource?.aws_ecs_service ?? {}).length > 0);
  const states = stacks.map(appliedState);
  const changes = stacks.flatMap((document, index) => simulateReleases(states[index], SCHEMAS, document as JsonObject));
  const state: State = { ...states[0], resources: states.flatMap((one) => one.resources) };
  const attributes = (type: string, attribute: string, value: unknown) => attributesOf(state, type, (resource) => resource.instances[0].attributes[attribute] === value)[0]?.attributes;

  it.each(env.services.map((service) => [service.name, service] as const))('leave service %s as a release of it does', (_name, service) => {
    const names = serviceNames(env, service);
    const released = attributes('aws_ecs_service', 'name', names.service);
    expect(released.task_definition).toMatch(new RegExp(`:task-definition/${names.taskFamily}:${RELEASE_REVISION}$`));

    const loadBalancer = attributes('aws_lb', 'name', names.loadBalancer);
    const listener = (port: number) => attributesOf(state, 'aws_lb_listener', (resource) => resource.instances[0].attributes.load_balancer_arn === loadBalancer?.arn && resource.instances[0].attributes.port === port)[0]?.attributes;
    const forwarded = (port: number) => JSON.stringify(listener(port)?.default_action);
    if (service.release.strategy === 'blue-green') {
      const [blue, green] = names.targetGroups.map((name) => attributes('aws_lb_target_group', 'name', name).arn);
      expect((released.load_balancer as JsonObject[])[0].target_group_arn).toBe(green);
      for (const port of [productionPort(service), testListenerPort(service)]) {
        expect(forwarded(port)).toContain(JSON.stringify({ arn: green, weight: 100 }));
        expect(forwarded(port)).toContain(JSON.stringify({ arn: blue, weight: 0 }));
      }
    } else if (service.kind === 'web') {
      const blue = attributes('aws_lb_target_group', 'name', names.targetGroups[0]).arn;
      expect((released.load_balancer as JsonObject[])[0].target_group_arn).toBe(blue);
      expect(listener(productionPort(service))?.default_action).toEqual([expect.objectContaining({ type: 'forward', target_group_arn: blue })]);
    }

    if (service.autoScaling) {
      expect(released.desired_count).toBe(service.autoScaling.maxCapacity);
      expect(attributes('aws_appautoscaling_target', 'resource_id', names.scalableResourceId).suspended_state).toEqual([expect.objectContaining({ dynamic_scaling_in_suspended: true })]);
    } else {
      expect(released.desired_count).toBe(service.desiredCount);
    }
  });

  it('changes nothing else a release does not', () => {
    const listenerMoves = changes.filter((change) => change.includes('.default_action'));
    const blueGreen = env.services.filter((service) => service.release.strategy === 'blue-green');
    expect(listenerMoves).toHaveLength(blueGreen.length * 2);
  });
});
