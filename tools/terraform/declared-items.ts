/**
 * Set-valued attributes that mirror other resources of the stack: a security group's `ingress` and
 * `egress` list every rule of the group, also those the stack declares as separate
 * `aws_vpc_security_group_*_rule` resources; a route table's `route` lists its `aws_route`s; a
 * role's `managed_policy_arns` and `inline_policy` list its `aws_iam_role_policy_attachment`s and
 * `aws_iam_role_policy`s. A refresh fills them in (the provider reads the whole group, table or
 * role), so what those resources declare is not drift; anything else in them is, named by what it
 * is ("ingress 8080/tcp from 0.0.0.0/0").
 *
 * Items are split into single rules (one source, one destination, one policy) and keyed by what
 * identifies them in AWS, so a new rule never looks like a changed one.
 */
import type { Json, JsonObject, PlannedResource } from './plan-json';

/** One rule, route or policy: `key` identifies it, `text` names it for people. */
export interface SetItem {
  readonly key: string;
  readonly text: string;
}

const text = (value: Json | undefined): string => (typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value));
const strings = (value: Json | undefined): string[] => (Array.isArray(value) ? value.map(text).filter((item) => item !== '') : []);

function portRange(protocol: string, from: Json | undefined, to: Json | undefined): string {
  if (protocol === '-1' || protocol === 'all') return 'all traffic';
  const low = text(from);
  const high = text(to);
  return `${low === high || high === '' ? low : `${low}-${high}`}/${protocol}`;
}

function ruleItem(direction: 'ingress' | 'egress', protocol: string, from: Json | undefined, to: Json | undefined, peer: string): SetItem {
  const ports = portRange(protocol, from, to);
  return { key: `${direction}|${ports}|${peer}`, text: `${direction} ${ports} ${direction === 'ingress' ? 'from' : 'to'} ${peer}` };
}

/** One item of a security group's `ingress`/`egress` (as the provider reads it) → one rule per peer. */
export function securityGroupRules(direction: 'ingress' | 'egress', item: JsonObject): SetItem[] {
  const protocol = text(item.protocol);
  const peers = [...strings(item.cidr_blocks), ...strings(item.ipv6_cidr_blocks), ...strings(item.prefix_list_ids), ...strings(item.security_groups), ...(item.self === true ? ['self'] : [])];
  return peers.map((peer) => ruleItem(direction, protocol, item.from_port, item.to_port, peer));
}

/** One `aws_vpc_security_group_{ingress,egress}_rule` → the rule as the group lists it. */
function vpcSecurityGroupRule(direction: 'ingress' | 'egress', values: JsonObject): SetItem {
  const peer = [values.cidr_ipv4, values.cidr_ipv6, values.prefix_list_id, values.referenced_security_group_id].map(text).find((value) => value !== '') ?? '';
  return ruleItem(direction, text(values.ip_protocol), values.from_port, values.to_port, peer);
}

const ROUTE_DESTINATIONS = ['cidr_block', 'ipv6_cidr_block', 'destination_prefix_list_id'] as const;
const ROUTE_TARGETS = ['gateway_id', 'nat_gateway_id', 'egress_only_gateway_id', 'transit_gateway_id', 'vpc_peering_connection_id', 'network_interface_id', 'vpc_endpoint_id', 'local_gateway_id', 'carrier_gateway_id', 'core_network_arn'] as const;

function routeItem(destination: string, target: string): SetItem {
  return { key: `route|${destination}|${target}`, text: `route ${destination} via ${target || '(no target)'}` };
}

/** One item of a route table's `route`. */
export function routeTableRoute(item: JsonObject): SetItem {
  const destination = ROUTE_DESTINATIONS.map((name) => text(item[name])).find((value) => value !== '') ?? '';
  return routeItem(destination, ROUTE_TARGETS.map((name) => text(item[name])).find((value) => value !== '') ?? '');
}

/** One `aws_route` (its destination attributes are named destination_*). */
function declaredRoute(values: JsonObject): SetItem {
  const destination = [values.destination_cidr_block, values.destination_ipv6_cidr_block, values.destination_prefix_list_id].map(text).find((value) => value !== '') ?? '';
  return routeItem(destination, ROUTE_TARGETS.map((name) => text(values[name])).find((value) => value !== '') ?? '');
}

const managedPolicy = (arn: string): SetItem => ({ key: `managed_policy|${arn}`, text: `managed policy ${arn}` });
const inlinePolicy = (name: string): SetItem => ({ key: `inline_policy|${name}`, text: `inline policy ${name}` });

interface Mirror {
  /** The items one value of the attribute holds (empty items, as the provider reads "none", hold none). */
  readonly items: (value: Json) => SetItem[];
  /** What the stack's resources declare into this attribute of `parent`. */
  readonly declared: (parent: JsonObject, resources: readonly PlannedResource[]) => SetItem[];
}

const objects = (value: Json): JsonObject[] => (Array.isArray(value) ? value.filter((item): item is JsonObject => item !== null && typeof item === 'object' && !Array.isArray(item)) : []);

function children(resources: readonly PlannedResource[], type: string, refersTo: (values: JsonObject) => boolean): JsonObject[] {
  return resources.filter((resource) => resource.type === type && refersTo(resource.values)).map((resource) => resource.values);
}

function groupRules(direction: 'ingress' | 'egress'): Mirror {
  return {
    items: (value) => objects(value).flatMap((item) => securityGroupRules(direction, item)),
    declared: (group, resources) =>
      children(resources, `aws_vpc_security_group_${direction}_rule`, (rule) => rule.security_group_id === group.id).map((rule) => vpcSecurityGroupRule(direction, rule)),
  };
}

const roleRefers = (role: JsonObject) => (values: JsonObject): boolean => values.role === role.name || values.role === role.id;

/** Attributes, by resource type, that a refresh fills in from other resources of the stack. */
const MIRRORS: Record<string, Record<string, Mirror>> = {
  aws_security_group: { ingress: groupRules('ingress'), egress: groupRules('egress') },
  aws_default_security_group: { ingress: groupRules('ingress'), egress: groupRules('egress') },
  aws_route_table: {
    route: {
      items: (value) => objects(value).map(routeTableRoute),
      declared: (table, resources) => children(resources, 'aws_route', (route) => route.route_table_id === table.id).map(declaredRoute),
    },
  },
  aws_iam_role: {
    managed_policy_arns: {
      items: (value) => strings(value).map(managedPolicy),
      declared: (role, resources) => children(resources, 'aws_iam_role_policy_attachment', roleRefers(role)).map((attachment) => managedPolicy(text(attachment.policy_arn))),
    },
    inline_policy: {
      // A role without inline policies reads back as one empty item (`inline_policy {}`).
      items: (value) => objects(value).filter((item) => text(item.name) !== '').map((item) => inlinePolicy(text(item.name))),
      declared: (role, resources) => children(resources, 'aws_iam_role_policy', roleRefers(role)).map((policy) => inlinePolicy(text(policy.name))),
    },
  },
};

/** How a refresh fills `attribute` of `type` from other resources, if it does. */
export function mirrorOf(type: string, attribute: string): Mirror | undefined {
  return MIRRORS[type]?.[attribute];
}

/** How one item of a set attribute is named for people: a rule or route by what it does, anything else as JSON. */
export function describeSetItem(type: string, attribute: string, item: Json): string[] {
  const mirror = mirrorOf(type, attribute);
  if (mirror && item !== null && typeof item === 'object' && !Array.isArray(item)) {
    const described = mirror.items([item]);
    if (described.length > 0) return described.map((one) => one.text);
  }
  if (mirror && typeof item === 'string') return mirror.items([item]).map((one) => one.text);
  return [`${attribute} ${JSON.stringify(item)}`];
}
