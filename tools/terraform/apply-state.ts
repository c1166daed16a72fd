/**
 * The state an `apply` of a plan would leave, built offline: planned values, references
 * (`${type.name.attr}`) resolved against the other resources, and deterministic fake values for
 * what AWS computes (ids, ARNs, DNS names, ...), with every attribute of the provider schema
 * present. A plan against this state is empty, which is what the self-checks start from.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Json, JsonObject, PlanJson, PlannedResource } from './plan-json';
import { evaluateTemplate, ExpressionError, type ResolveReference } from './expressions';
import { terraform } from './run';

export const AWS_PROVIDER = 'registry.terraform.io/hashicorp/aws';
export const ACCOUNT = '123456789012';
/** The revision number Terraform's own task definition revision gets in the built state. */
export const TERRAFORM_REVISION = 3;

/** The state could not be built from the plan (an expression or reference this builder does not know). */
export class StateBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateBuildError';
  }
}

// ---------------------------------------------------------------------------------------------
// Provider schemas and state, as Terraform writes them (only what is read here)

export interface SchemaAttribute {
  type?: Json;
  nested_type?: { attributes: Record<string, SchemaAttribute>; nesting_mode: string };
  computed?: boolean;
  optional?: boolean;
  required?: boolean;
}
export interface SchemaBlock {
  attributes?: Record<string, SchemaAttribute>;
  block_types?: Record<string, { nesting_mode: string; block: SchemaBlock }>;
}
export interface ResourceSchema {
  version: number;
  block: SchemaBlock;
}
export type Schemas = Record<string, Record<string, ResourceSchema>>;

export interface StateResource {
  mode: 'managed';
  type: string;
  name: string;
  provider: string;
  instances: { schema_version: number; attributes: JsonObject; sensitive_attributes: Json[] }[];
}
export interface State {
  version: 4;
  terraform_version: string;
  serial: number;
  lineage: string;
  outputs: Record<string, { value: Json; type: Json; sensitive?: boolean }>;
  resources: StateResource[];
  check_results: null;
}

/** Every resource schema of the initialized providers in `dir`, by provider then resource type. */
export async function readProviderSchemas(dir: string, env: NodeJS.ProcessEnv): Promise<Schemas> {
  const parsed = JSON.parse((await terraform(['providers', 'schema', '-json'], dir, env)).stdout) as {
    provider_schemas: Record<string, { resource_schemas: Record<string, ResourceSchema> }>;
  };
  return Object.fromEntries(Object.entries(parsed.provider_schemas).map(([name, provider]) => [name, provider.resource_schemas]));
}

/**
 * Reads the provider schemas once per set of providers a stack uses: `terraform providers schema`
 * lists only those of the configuration in `dir` (a shared stack without `terraform_data` has no
 * builtin provider's schema), so stacks that use the same providers share one read.
 */
export function schemasReader(env: NodeJS.ProcessEnv): (dir: string) => Promise<Schemas> {
  const byProviders = new Map<string, Promise<Schemas>>();
  return (dir) => {
    const synthesized = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as { resource?: object; data?: object };
    const providers = [...new Set([...Object.keys(synthesized.resource ?? {}), ...Object.keys(synthesized.data ?? {})].map((type) => type.split('_')[0]))].sort().join();
    let schemas = byProviders.get(providers);
    if (!schemas) {
      schemas = readProviderSchemas(dir, env);
      byProviders.set(providers, schemas);
    }
    return schemas;
  };
}

// ---------------------------------------------------------------------------------------------
// Fake values for what AWS computes: deterministic, shaped like the real thing where it matters

const ARN_SERVICE: Record<string, string> = {
  aws_cloudwatch_log_group: 'logs',
  aws_cloudwatch_metric_alarm: 'cloudwatch',
  aws_codedeploy_app: 'codedeploy',
  aws_codedeploy_deployment_group: 'codedeploy',
  aws_ecr_repository: 'ecr',
  aws_ecs_cluster: 'ecs',
  aws_ecs_service: 'ecs',
  aws_ecs_task_definition: 'ecs',
  aws_iam_role: 'iam',
  aws_lb: 'elasticloadbalancing',
  aws_lb_listener: 'elasticloadbalancing',
  aws_lb_target_group: 'elasticloadbalancing',
  aws_appautoscaling_policy: 'autoscaling',
  aws_appautoscaling_target: 'application-autoscaling',
};
/** Resources whose id is their ARN in the AWS provider. */
const ID_IS_ARN = new Set(['aws_ecs_cluster', 'aws_ecs_service', 'aws_lb', 'aws_lb_listener', 'aws_lb_target_group', 'aws_cloudwatch_metric_alarm']);
const ID_PREFIX: Record<string, string> = {
  aws_vpc: 'vpc',
  aws_subnet: 'subnet',
  aws_internet_gateway: 'igw',
  aws_nat_gateway: 'nat',
  aws_eip: 'eipalloc',
  aws_route_table: 'rtb',
  aws_route_table_association: 'rtbassoc',
  aws_route: 'r',
  aws_security_group: 'sg',
  aws_default_security_group: 'sg',
  aws_vpc_security_group_ingress_rule: 'sgr',
  aws_vpc_security_group_egress_rule: 'sgr',
};

function hex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

function uuid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function fakeString(type: string, address: string, attribute: string, known: JsonObject, region: string): string {
  const name = typeof known.name === 'string' ? known.name : typeof known.family === 'string' ? known.family : hex(address, 8);
  const arn = (): string => {
    const service = ARN_SERVICE[type] ?? 'ec2';
    switch (type) {
      case 'aws_ecs_task_definition':
        return `arn:aws:ecs:${region}:${ACCOUNT}:task-definition/${name}:${TERRAFORM_REVISION}`;
      case 'aws_ecs_cluster':
        return `arn:aws:ecs:${region}:${ACCOUNT}:cluster/${name}`;
      case 'aws_ecs_service':
        return `arn:aws:ecs:${region}:${ACCOUNT}:service/${String(known.cluster).split('/').pop()}/${name}`;
      case 'aws_iam_role':
        return `arn:aws:iam::${ACCOUNT}:role/${name}`;
      case 'aws_iam_openid_connect_provider':
        return `arn:aws:iam::${ACCOUNT}:oidc-provider/${String(known.url ?? name).replace(/^https:\/\//, '')}`;
      case 'aws_lb':
        return `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:loadbalancer/app/${name}/${hex(address, 16)}`;
      case 'aws_lb_target_group':
        return `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:targetgroup/${name}/${hex(address, 16)}`;
      case 'aws_lb_listener':
        return `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:listener/app/lb/${hex(address, 16)}/${hex(`${address}/l`, 16)}`;
      case 'aws_cloudwatch_log_group':
        return `arn:aws:logs:${region}:${ACCOUNT}:log-group:${name}`;
      case 'aws_ecr_repository':
        return `arn:aws:ecr:${region}:${ACCOUNT}:repository/${name}`;
      default:
        return `arn:aws:${service}:${region}:${ACCOUNT}:${type.replace(/^aws_/, '')}/${name}`;
    }
  };
  if (attribute === 'arn') return arn();
  if (attribute === 'id') {
    if (ID_IS_ARN.has(type)) return arn();
    if (ID_PREFIX[type]) return `${ID_PREFIX[type]}-${hex(address, 17)}`;
    if (type === 'terraform_data') return uuid(address);
    return typeof known.name === 'string' ? known.name : typeof known.family === 'string' ? known.family : `${type}-${hex(address, 12)}`;
  }
  if (attribute === 'arn_without_revision') return arn().replace(/:\d+$/, '');
  if (attribute === 'arn_suffix') return arn().split(':').slice(5).join(':').replace(/^(loadbalancer|targetgroup)\//, (m, kind: string) => (kind === 'loadbalancer' ? '' : m));
  if (attribute.endsWith('_arn')) return `arn:aws:iam::${ACCOUNT}:role/${hex(`${address}/${attribute}`, 8)}`;
  if (attribute === 'owner_id' || attribute === 'registry_id') return ACCOUNT;
  if (attribute === 'dns_name') return `${name}-${parseInt(hex(address, 8), 16)}.${region}.elb.amazonaws.com`;
  if (attribute === 'zone_id') return 'Z14GRHDCWA56QT';
  if (attribute === 'repository_url') return `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${name}`;
  if (attribute === 'create_date') return '2026-01-01T00:00:00Z';
  if (attribute === 'unique_id') return `AROA${hex(address, 16).toUpperCase()}`;
  if (attribute.endsWith('_id')) return `${attribute.replace(/_id$/, '').replace(/_/g, '-')}-${hex(`${address}/${attribute}`, 17)}`;
  return '';
}

function fakeValue(type: Json, resourceType: string, address: string, attribute: string, known: JsonObject, region: string): Json {
  if (type === 'string') return fakeString(resourceType, address, attribute, known, region);
  if (type === 'number') return attribute === 'revision' ? TERRAFORM_REVISION : 0;
  if (type === 'bool') return false;
  if (Array.isArray(type) && (type[0] === 'list' || type[0] === 'set')) return [];
  if (Array.isArray(type) && type[0] === 'map') return {};
  return null;
}

// ---------------------------------------------------------------------------------------------
// Configuration references: "${type.name.attribute}" inside the synthesized JSON

/** Evaluates configuration (templates, references, locals) to the value apply would store. */
function evaluate(config: Json | undefined, resolve: ResolveReference): Json {
  if (config === undefined) return null;
  if (typeof config === 'string') {
    try {
      return evaluateTemplate(config, resolve);
    } catch (error) {
      if (error instanceof ExpressionError) throw new StateBuildError(error.message);
      throw error;
    }
  }
  if (Array.isArray(config)) return config.map((item) => evaluate(item, resolve));
  if (config && typeof config === 'object') {
    return Object.fromEntries(Object.entries(config).filter(([key]) => key !== '//').map(([key, value]) => [key, evaluate(value, resolve)]));
  }
  return config;
}

function hasUnknown(mask: Json | undefined): boolean {
  if (mask === true) return true;
  if (Array.isArray(mask)) return mask.some(hasUnknown);
  if (mask && typeof mask === 'object') return Object.values(mask).some(hasUnknown);
  return false;
}

/** A dynamic-typed value as Terraform writes it to state: the value with its type. */
export function ctyType(value: Json): Json {
  if (value === null) return 'dynamic';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return ['tuple', value.map(ctyType)];
  return ['object', Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ctyType(v)]))];
}

// ---------------------------------------------------------------------------------------------
// State builder

interface BuildContext {
  region: string;
  resourceType: string;
  address: string;
  resolve: ResolveReference;
}

/** Completes one block: planned values where known, configuration for unknown references, fakes for the rest. */
function completeBlock(schema: SchemaBlock, planned: JsonObject | undefined, config: JsonObject | undefined, unknown: JsonObject | undefined, ctx: BuildContext): JsonObject {
  const out: JsonObject = {};
  for (const [name, attribute] of Object.entries(schema.attributes ?? {})) {
    const mask = unknown?.[name];
    const plannedValue = planned?.[name];
    if (!hasUnknown(mask) && plannedValue !== undefined) {
      out[name] = plannedValue;
    } else if (config && config[name] !== undefined) {
      out[name] = evaluate(config[name], ctx.resolve);
    } else if (attribute.computed) {
      out[name] = attribute.type !== undefined ? fakeValue(attribute.type, ctx.resourceType, ctx.address, name, { ...planned, ...out }, ctx.region) : null;
    } else {
      out[name] = null;
    }
    if (attribute.type === 'dynamic' && out[name] !== null) out[name] = { value: out[name], type: ctyType(out[name]) };
  }
  for (const [name, nested] of Object.entries(schema.block_types ?? {})) {
    const plannedValue = planned?.[name];
    const configValue = config?.[name];
    const mask = unknown?.[name];
    const configItems: Json[] = configValue === undefined || configValue === null ? [] : Array.isArray(configValue) ? configValue : [configValue];
    if (nested.nesting_mode === 'single' || nested.nesting_mode === 'group') {
      out[name] = plannedValue && typeof plannedValue === 'object' && !Array.isArray(plannedValue)
        ? completeBlock(nested.block, plannedValue, configItems[0] as JsonObject, mask as JsonObject, ctx)
        : null;
      continue;
    }
    if (!Array.isArray(plannedValue)) {
      out[name] = nested.nesting_mode === 'map' ? {} : [];
      continue;
    }
    const masks = Array.isArray(mask) ? mask : [];
    const matched = nested.nesting_mode === 'set' && plannedValue.length > 1 ? matchSetItems(plannedValue as JsonObject[], configItems as JsonObject[]) : configItems;
    out[name] = plannedValue.map((item, index) =>
      completeBlock(nested.block, item as JsonObject, matched[index] as JsonObject, masks[index] as JsonObject, ctx),
    );
  }
  return out;
}

/**
 * Set blocks come back from the plan in Terraform's order, not the configuration's: pairs each
 * planned item with the configuration item that agrees on the most literal (reference-free) values.
 */
function matchSetItems(planned: JsonObject[], config: JsonObject[]): (JsonObject | undefined)[] {
  const used = new Set<number>();
  return planned.map((item) => {
    let best = -1;
    let bestScore = -1;
    config.forEach((candidate, index) => {
      if (used.has(index)) return;
      let score = 0;
      for (const [key, value] of Object.entries(candidate)) {
        if (typeof value === 'string' && value.includes('${')) continue;
        if (JSON.stringify(value) === JSON.stringify(item[key])) score += 1;
        else if (value !== null && typeof value !== 'object') score -= 100;
      }
      if (score > bestScore) [best, bestScore] = [index, score];
    });
    if (best < 0) return undefined;
    used.add(best);
    return config[best];
  });
}

function providerAddress(providerName: string): string {
  return `provider["${providerName}"]`;
}

/** The state applying `show` (a plan from an empty state) would leave; `synthesized` is its cdk.tf.json. */
export function buildState(show: PlanJson, synthesized: JsonObject, schemas: Schemas): State {
  const all = show.planned_values.root_module.resources ?? [];
  // Data sources (a service stack's remote state of the shared stack) are read, not applied.
  const planned = all.filter((resource) => resource.mode === 'managed');
  // Terraform keeps data sources read while planning in the plan's prior state.
  const read = [...all, ...((show.prior_state?.values?.root_module?.resources ?? []) as PlannedResource[])].filter((resource) => resource.mode === 'data');
  const readData = new Map(read.map((resource) => [resource.address, resource.values]));
  const unknownByAddress = new Map((show.resource_changes ?? []).map((change) => [change.address, change.change.after_unknown as JsonObject | undefined]));
  const configResources = synthesized.resource as Record<string, Record<string, JsonObject>>;
  const provider = (synthesized.provider as Record<string, JsonObject[]>).aws[0];
  const region = String(provider.region);
  const defaultTags = ((provider.default_tags as JsonObject[] | undefined)?.[0]?.tags ?? {}) as JsonObject;
  const built = new Map<string, JsonObject>();
  const building = new Set<string>();

  const locals = (synthesized.locals ?? {}) as JsonObject;
  const resolvingLocals = new Set<string>();
  const resolve: ResolveReference = (traversal) => {
    if (traversal.length === 2 && traversal[0] === 'local') {
      const name = traversal[1];
      if (!(name in locals)) throw new StateBuildError(`reference to unknown local.${name}`);
      if (resolvingLocals.has(name)) throw new StateBuildError(`reference cycle through local.${name}`);
      resolvingLocals.add(name);
      const value = evaluate(locals[name], resolve);
      resolvingLocals.delete(name);
      return value;
    }
    // What a service stack reads of the shared stack: the data source's outputs, read at plan time.
    if (traversal.length === 5 && traversal[0] === 'data' && traversal[1] === 'terraform_remote_state' && traversal[3] === 'outputs') {
      const outputs = (readData.get(`data.terraform_remote_state.${traversal[2]}`)?.outputs ?? {}) as JsonObject;
      if (!(traversal[4] in outputs)) throw new StateBuildError(`the shared state has no output ${traversal[4]}`);
      return outputs[traversal[4]];
    }
    if (traversal.length !== 3) throw new StateBuildError(`cannot resolve ${traversal.join('.')} (only type.name.attribute, local.name and remote state outputs)`);
    const [type, name, attribute] = traversal;
    const value = complete(`${type}.${name}`)[attribute];
    if (value === undefined) throw new StateBuildError(`reference to unknown attribute ${type}.${name}.${attribute}`);
    return value;
  };
  const byAddress = new Map(planned.map((resource) => [resource.address, resource]));
  function complete(address: string): JsonObject {
    const done = built.get(address);
    if (done) return done;
    const resource = byAddress.get(address);
    if (!resource) throw new StateBuildError(`reference to ${address}, which the plan does not create`);
    if (building.has(address)) throw new StateBuildError(`reference cycle through ${address}`);
    building.add(address);
    const schema = schemas[resource.provider_name]?.[resource.type];
    if (!schema) throw new StateBuildError(`no schema for ${resource.type}`);
    const config = configResources[resource.type]?.[resource.name];
    const attributes = completeBlock(schema.block, resource.values, config, unknownByAddress.get(address), {
      region,
      resourceType: resource.type,
      address,
      resolve,
    });
    if (resource.type === 'terraform_data') attributes.output = attributes.input; // what apply stores
    // A tag whose value is only known after apply leaves all of `tags_all` unknown in the plan;
    // apply stores the provider's default tags overlaid with the resource's own.
    if (hasUnknown(unknownByAddress.get(address)?.tags_all) && 'tags_all' in attributes) {
      attributes.tags_all = { ...defaultTags, ...(attributes.tags as JsonObject | null) };
    }
    building.delete(address);
    built.set(address, attributes);
    return attributes;
  }

  const resources: StateResource[] = planned.map((resource) => {
    if (resource.mode !== 'managed') throw new StateBuildError(`${resource.address}: only managed resources are supported`);
    return {
      mode: 'managed',
      type: resource.type,
      name: resource.name,
      provider: providerAddress(resource.provider_name),
      instances: [{ schema_version: schemas[resource.provider_name][resource.type].version, attributes: complete(resource.address), sensitive_attributes: [] }],
    };
  });

  const outputs: State['outputs'] = {};
  for (const [name, output] of Object.entries((synthesized.output ?? {}) as Record<string, JsonObject>)) {
    const value = evaluate(output.value, resolve);
    // As apply stores them: a sensitive output (cdktf's cross-stack outputs are) says so.
    outputs[name] = { value, type: ctyType(value), ...(output.sensitive === true ? { sensitive: true } : {}) };
  }
  return { version: 4, terraform_version: '1.11.4', serial: 1, lineage: uuid(JSON.stringify(Object.keys(outputs))), outputs, resources, check_results: null };
}
