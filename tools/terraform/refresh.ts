/**
 * What a refresh returns, modelled on a built state: the provider's reads after a fresh apply and
 * after releases, and the `resource_drift` Terraform reports when the refreshed objects differ from
 * the state. Offline there is no AWS to read, so the self-check applies these to the state,
 * plans it with the real provider (nothing may be planned) and judges the modelled
 * `resource_drift` like a real one.
 *
 * After a fresh apply the provider's reads (hashicorp/aws 5.x) store:
 * - on resources of its legacy SDK, an empty map, list or set where the configuration left one unset
 *   (`tags` {}, `alarm_actions` []), and 0 for unset numbers inside nested blocks
 *   (`metric_query[n].period`);
 * - every rule of a security group in its `ingress`/`egress`, every route of a route table in its
 *   `route`, the attached and inline policies of a role in `managed_policy_arns`/`inline_policy`
 *   (one empty `inline_policy {}` for none), also when separate resources declare them;
 * - in a target group's `load_balancer_arns`, the load balancer whose listeners forward to it.
 * After releases CodeDeploy leaves the listeners forwarding to the new target group with weight
 * 100 and to the old one with 0 (releases.ts), so the new one is attached to the load balancer too;
 * the service reads its task definition and load balancer from its primary task set (releases.ts).
 */
import type { Json, JsonObject, ResourceChange } from './plan-json';
import type { SchemaBlock, Schemas, State, StateResource } from './apply-state';
import { attributesOf } from './releases';

function resourceSchema(schemas: Schemas, resource: StateResource): SchemaBlock | undefined {
  const provider = resource.provider.replace(/^provider\["(.*)"\]$/, '$1');
  return schemas[provider]?.[resource.type]?.block;
}

/** Empty maps and lists for unset ones; in nested blocks also 0 for unset numbers. */
function fillEmpty(block: SchemaBlock, values: JsonObject, nested: boolean): void {
  for (const [name, attribute] of Object.entries(block.attributes ?? {})) {
    if (values[name] !== null && values[name] !== undefined) continue;
    const type = attribute.type;
    if (attribute.computed && !attribute.optional) continue;
    if (Array.isArray(type) && type[0] === 'map') values[name] = {};
    else if (Array.isArray(type) && (type[0] === 'list' || type[0] === 'set')) values[name] = [];
    else if (nested && type === 'number') values[name] = 0;
  }
  for (const [name, blockType] of Object.entries(block.block_types ?? {})) {
    const value = values[name];
    const items = Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : [];
    for (const item of items) if (item && typeof item === 'object' && !Array.isArray(item)) fillEmpty(blockType.block, item, true);
  }
}

function values(state: State, type: string, predicate: (attributes: JsonObject) => boolean): JsonObject[] {
  return attributesOf(state, type).map(({ attributes }) => attributes).filter(predicate);
}

function securityGroupItem(rule: JsonObject): JsonObject {
  const all = rule.ip_protocol === '-1';
  return {
    cidr_blocks: rule.cidr_ipv4 ? [rule.cidr_ipv4] : [],
    description: rule.description ?? '',
    from_port: all ? 0 : rule.from_port,
    ipv6_cidr_blocks: rule.cidr_ipv6 ? [rule.cidr_ipv6] : [],
    prefix_list_ids: rule.prefix_list_id ? [rule.prefix_list_id] : [],
    protocol: rule.ip_protocol,
    security_groups: rule.referenced_security_group_id ? [rule.referenced_security_group_id] : [],
    self: false,
    to_port: all ? 0 : rule.to_port,
  };
}

const ROUTE_ITEM_KEYS = ['carrier_gateway_id', 'cidr_block', 'core_network_arn', 'destination_prefix_list_id', 'egress_only_gateway_id', 'gateway_id', 'ipv6_cidr_block', 'local_gateway_id', 'nat_gateway_id', 'network_interface_id', 'transit_gateway_id', 'vpc_endpoint_id', 'vpc_peering_connection_id'];

function routeItem(route: JsonObject): JsonObject {
  const item: JsonObject = Object.fromEntries(ROUTE_ITEM_KEYS.map((key) => [key, typeof route[key] === 'string' ? route[key] : '']));
  item.cidr_block = route.destination_cidr_block ?? '';
  item.ipv6_cidr_block = route.destination_ipv6_cidr_block ?? '';
  item.destination_prefix_list_id = route.destination_prefix_list_id ?? '';
  return item;
}

/** Target group ARN → the load balancers whose listeners forward to it (any weight). */
function attachedLoadBalancers(state: State): Map<string, Set<string>> {
  const attached = new Map<string, Set<string>>();
  for (const { attributes: listener } of attributesOf(state, 'aws_lb_listener')) {
    for (const action of (listener.default_action as JsonObject[] | null) ?? []) {
      const forwards = (action.forward as JsonObject[] | null) ?? [];
      const groups = [action.target_group_arn, ...forwards.flatMap((forward) => ((forward.target_group as JsonObject[] | null) ?? []).map((group) => group.arn))];
      for (const group of groups) if (typeof group === 'string' && group) attached.set(group, (attached.get(group) ?? new Set()).add(String(listener.load_balancer_arn)));
    }
  }
  return attached;
}

/** Target groups' `load_balancer_arns` as a read returns them for the listeners in `state`. */
export function refreshTargetGroups(state: State): void {
  const attached = attachedLoadBalancers(state);
  for (const { attributes: group } of attributesOf(state, 'aws_lb_target_group')) group.load_balancer_arns = [...(attached.get(String(group.arn)) ?? [])].sort();
}

/**
 * Whether a resource is implemented with the provider's legacy SDK, whose reads store empty for
 * unset: that SDK gives every resource an optional and computed `id`; the plugin framework's
 * resources (e.g. aws_vpc_security_group_ingress_rule) have a computed-only one and read unset as null.
 */
function legacySdk(schema: SchemaBlock): boolean {
  const id = schema.attributes?.id;
  return id?.optional === true && id.computed === true;
}

/** Mutates `state` into what the provider's first refresh after `terraform apply` stores. */
export function refreshAfterApply(state: State, schemas: Schemas): void {
  for (const resource of state.resources) {
    const schema = resourceSchema(schemas, resource);
    if (schema && legacySdk(schema)) fillEmpty(schema, resource.instances[0].attributes, false);
  }
  for (const type of ['aws_security_group', 'aws_default_security_group']) {
    for (const { attributes: group } of attributesOf(state, type)) {
      for (const direction of ['ingress', 'egress'] as const) {
        group[direction] = values(state, `aws_vpc_security_group_${direction}_rule`, (rule) => rule.security_group_id === group.id).map(securityGroupItem);
      }
    }
  }
  for (const { attributes: table } of attributesOf(state, 'aws_route_table')) {
    table.route = values(state, 'aws_route', (route) => route.route_table_id === table.id).map(routeItem);
  }
  for (const { attributes: role } of attributesOf(state, 'aws_iam_role')) {
    const ofRole = (item: JsonObject): boolean => item.role === role.name || item.role === role.id;
    role.managed_policy_arns = values(state, 'aws_iam_role_policy_attachment', ofRole).map((attachment) => attachment.policy_arn).sort() as Json[];
    const inline = values(state, 'aws_iam_role_policy', ofRole).map((policy) => ({ name: policy.name, policy: policy.policy }));
    role.inline_policy = inline.length > 0 ? inline : [{ name: '', policy: '' }];
  }
  refreshTargetGroups(state);
}

/** The `resource_drift` Terraform reports when a refresh turns `prior` into `refreshed`. */
export function refreshDrift(prior: State, refreshed: State): ResourceChange[] {
  const key = (resource: StateResource): string => `${resource.type}.${resource.name}`;
  const before = new Map(prior.resources.map((resource) => [key(resource), resource]));
  return refreshed.resources.flatMap((resource): ResourceChange[] => {
    const was = before.get(key(resource))?.instances[0].attributes ?? null;
    const is = resource.instances[0].attributes;
    if (JSON.stringify(was) === JSON.stringify(is)) return [];
    return [
      {
        address: key(resource),
        mode: 'managed',
        type: resource.type,
        name: resource.name,
        provider_name: resource.provider.replace(/^provider\["(.*)"\]$/, '$1'),
        change: { actions: was === null ? ['create'] : ['update'], before: was, after: is, before_sensitive: {}, after_sensitive: {} },
      },
    ];
  });
}
