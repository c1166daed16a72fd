/**
 * Proves with the real Terraform, offline, that releases never show up as drift:
 *
 *   npx tsx tools/drift-check.ts [--env NAME | --all]
 *
 * For each stack: plan it from scratch (`plan -out`, `show -json`), build the state an apply would
 * leave (planned values, references resolved, deterministic fake values for everything the provider
 * computes), and check that
 *   1. the plan against that state is empty (baseline),
 *   2. it stays empty after the state is changed exactly as releases change it (service revision,
 *      target group, desired count, listener weights, scaling suspension, a drifted
 *      container_definitions),
 *   3. it is NOT empty once one ignore_changes entry is removed (negative control), so the check
 *      can fail.
 *
 * Exit codes: 0 every stack passed, 1 a check failed or Terraform failed, 2 bad arguments.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'cdktf';
import { ConfigError, environmentNames, environmentNamesList, loadEnvironment } from '../config';
import { EnvironmentStack } from '../modules/environment-stack';
import { cliConfig, findProviderMirror, quietEnvironment } from './terraform';

const ROOT = resolve(__dirname, '..');
const OUTDIR = join(ROOT, 'cdktf.out');
const WORKDIR = join(ROOT, '.tf');
const AWS_PROVIDER = 'registry.terraform.io/hashicorp/aws';
const ACCOUNT = '123456789012';
const RELEASE_REVISION = 7;
const TERRAFORM_REVISION = 3;

// ---------------------------------------------------------------------------------------------
// Terraform's JSON shapes (only what this script reads)

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface SchemaAttribute {
  type?: Json;
  nested_type?: { attributes: Record<string, SchemaAttribute>; nesting_mode: string };
  computed?: boolean;
  optional?: boolean;
  required?: boolean;
}
interface SchemaBlock {
  attributes?: Record<string, SchemaAttribute>;
  block_types?: Record<string, { nesting_mode: string; block: SchemaBlock }>;
}
interface ResourceSchema {
  version: number;
  block: SchemaBlock;
}
type Schemas = Record<string, Record<string, ResourceSchema>>;

interface PlannedResource {
  address: string;
  mode: string;
  type: string;
  name: string;
  provider_name: string;
  values: JsonObject;
}
interface ShowJson {
  planned_values: { root_module: { resources?: PlannedResource[] } };
  resource_changes: { address: string; change: { after_unknown: JsonObject; actions: string[] } }[];
}

interface StateResource {
  mode: 'managed';
  type: string;
  name: string;
  provider: string;
  instances: { schema_version: number; attributes: JsonObject; sensitive_attributes: Json[] }[];
}
interface State {
  version: 4;
  terraform_version: string;
  serial: number;
  lineage: string;
  outputs: Record<string, { value: Json; type: Json }>;
  resources: StateResource[];
  check_results: null;
}

// ---------------------------------------------------------------------------------------------
// Processes

interface Run {
  status: number | null;
  output: string;
}

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  const binary = env.TERRAFORM_BINARY_NAME ?? 'terraform';
  return new Promise((done) => {
    const child = spawn(binary, args, { cwd, env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => done({ status: null, output: `cannot run ${binary}: ${error.message}` }));
    child.on('close', (status) => done({ status, output: Buffer.concat(out).toString('utf8') + Buffer.concat(err).toString('utf8') }));
  });
}

class CheckFailed extends Error {
  constructor(message: string, readonly details?: string) {
    super(message);
  }
}

async function terraform(args: string[], cwd: string, env: NodeJS.ProcessEnv, okStatuses = [0]): Promise<Run> {
  const result = await run(args, cwd, env);
  if (result.status === null || !okStatuses.includes(result.status)) {
    throw new CheckFailed(`terraform ${args[0]} failed (exit ${result.status})`, result.output);
  }
  return result;
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

const REFERENCE = /\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}/g;
const WHOLE_REFERENCE = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/;

type Lookup = (type: string, name: string, attribute: string) => Json;

function evaluate(config: Json | undefined, lookup: Lookup): Json {
  if (config === undefined) return null;
  if (typeof config === 'string') {
    const whole = WHOLE_REFERENCE.exec(config);
    if (whole) return lookup(whole[1], whole[2], whole[3]);
    if (config.includes('${')) {
      const replaced = config.replace(REFERENCE, (_m, t: string, n: string, a: string) => String(lookup(t, n, a)));
      if (replaced.includes('${')) throw new CheckFailed(`cannot evaluate expression ${config} (only plain references are supported)`);
      return replaced;
    }
    return config;
  }
  if (Array.isArray(config)) return config.map((item) => evaluate(item, lookup));
  if (config && typeof config === 'object') {
    return Object.fromEntries(Object.entries(config).filter(([key]) => key !== '//').map(([key, value]) => [key, evaluate(value, lookup)]));
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
function ctyType(value: Json): Json {
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
  lookup: Lookup;
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
      out[name] = evaluate(config[name], ctx.lookup);
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

function buildState(show: ShowJson, synthesized: JsonObject, schemas: Schemas): State {
  const planned = show.planned_values.root_module.resources ?? [];
  const unknownByAddress = new Map(show.resource_changes.map((change) => [change.address, change.change.after_unknown]));
  const configResources = synthesized.resource as Record<string, Record<string, JsonObject>>;
  const provider = (synthesized.provider as Record<string, JsonObject[]>).aws[0];
  const region = String(provider.region);
  const built = new Map<string, JsonObject>();
  const building = new Set<string>();

  const lookup: Lookup = (type, name, attribute) => {
    const value = complete(`${type}.${name}`)[attribute];
    if (value === undefined) throw new CheckFailed(`reference to unknown attribute ${type}.${name}.${attribute}`);
    return value;
  };
  const byAddress = new Map(planned.map((resource) => [resource.address, resource]));
  function complete(address: string): JsonObject {
    const done = built.get(address);
    if (done) return done;
    const resource = byAddress.get(address);
    if (!resource) throw new CheckFailed(`reference to ${address}, which the plan does not create`);
    if (building.has(address)) throw new CheckFailed(`reference cycle through ${address}`);
    building.add(address);
    const schema = schemas[resource.provider_name]?.[resource.type];
    if (!schema) throw new CheckFailed(`no schema for ${resource.type}`);
    const config = configResources[resource.type]?.[resource.name];
    const attributes = completeBlock(schema.block, resource.values, config, unknownByAddress.get(address), {
      region,
      resourceType: resource.type,
      address,
      lookup,
    });
    if (resource.type === 'terraform_data') attributes.output = attributes.input; // what apply stores
    building.delete(address);
    built.set(address, attributes);
    return attributes;
  }

  const resources: StateResource[] = planned.map((resource) => {
    if (resource.mode !== 'managed') throw new CheckFailed(`${resource.address}: only managed resources are supported`);
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
    const value = evaluate(output.value, lookup);
    outputs[name] = { value, type: ctyType(value) };
  }
  return { version: 4, terraform_version: '1.11.4', serial: 1, lineage: uuid(JSON.stringify(Object.keys(outputs))), outputs, resources, check_results: null };
}

// ---------------------------------------------------------------------------------------------
// Releases, applied to the state exactly as the release tool, CodeDeploy and auto scaling leave it

function attributesOf(state: State, type: string, predicate: (resource: StateResource) => boolean = () => true): { resource: StateResource; attributes: JsonObject }[] {
  return state.resources
    .filter((resource) => resource.type === type && predicate(resource))
    .map((resource) => ({ resource, attributes: resource.instances[0].attributes }));
}

function emptyBlock(schema: SchemaBlock): JsonObject {
  const out: JsonObject = {};
  for (const name of Object.keys(schema.attributes ?? {})) out[name] = null;
  for (const [name, nested] of Object.entries(schema.block_types ?? {})) out[name] = nested.nesting_mode === 'single' ? null : nested.nesting_mode === 'map' ? {} : [];
  return out;
}

/** Mutates the state as after release 7; returns what was changed, one entry per change. */
function simulateReleases(state: State, schemas: Schemas): string[] {
  const changes: string[] = [];
  const aws = schemas[AWS_PROVIDER];
  const taskDefinitions = attributesOf(state, 'aws_ecs_task_definition');
  const services = attributesOf(state, 'aws_ecs_service');
  if (services.length === 0 || taskDefinitions.length === 0) throw new CheckFailed('no ECS service or task definition in the stack');

  for (const { resource, attributes: taskDefinition } of taskDefinitions) {
    // Not a release effect on Terraform's revision, but proves the ignore: the image alone drifts.
    const containers = JSON.parse(String(taskDefinition.container_definitions)) as { image?: string }[];
    for (const container of containers) container.image = `${ACCOUNT}.dkr.ecr.example/${String(taskDefinition.family)}:release-${RELEASE_REVISION}`;
    taskDefinition.container_definitions = JSON.stringify(containers);
    changes.push(`${resource.name}.container_definitions`);
  }

  for (const { resource, attributes: service } of services) {
    const family = String(taskDefinitions[0].attributes.family);
    service.task_definition = String(taskDefinitions[0].attributes.arn).replace(/:\d+$/, `:${RELEASE_REVISION}`);
    if (!String(service.task_definition).endsWith(`task-definition/${family}:${RELEASE_REVISION}`)) throw new CheckFailed(`unexpected task definition ARN ${service.task_definition}`);
    changes.push(`${resource.name}.task_definition → ${family}:${RELEASE_REVISION}`);

    const controller = (service.deployment_controller as JsonObject[] | null)?.[0]?.type;
    if (controller === 'CODE_DEPLOY') {
      const groups = attributesOf(state, 'aws_lb_target_group');
      const blue = groups.find((group) => /blue/.test(group.resource.name));
      const green = groups.find((group) => /green/.test(group.resource.name));
      if (!blue || !green) throw new CheckFailed('blue-green service without a blue and a green target group');
      const balancers = service.load_balancer as JsonObject[];
      balancers[0] = { ...balancers[0], target_group_arn: green.attributes.arn };
      changes.push(`${resource.name}.load_balancer → green`);

      const actionSchema = aws.aws_lb_listener.block.block_types!.default_action.block;
      const forwardSchema = actionSchema.block_types!.forward.block;
      const targetGroupSchema = forwardSchema.block_types!.target_group.block;
      const stickinessSchema = forwardSchema.block_types!.stickiness.block;
      const listeners = attributesOf(state, 'aws_lb_listener', (listener) => {
        const actions = listener.instances[0].attributes.default_action as JsonObject[];
        return actions.some((action) => action.type === 'forward' && action.target_group_arn === blue.attributes.arn);
      });
      if (listeners.length === 0) throw new CheckFailed('no listener forwards to the blue target group');
      for (const { resource: listener, attributes } of listeners) {
        const weighted = {
          ...emptyBlock(actionSchema),
          type: 'forward',
          order: 1,
          forward: [
            {
              ...emptyBlock(forwardSchema),
              target_group: [
                { ...emptyBlock(targetGroupSchema), arn: green.attributes.arn, weight: 100 },
                { ...emptyBlock(targetGroupSchema), arn: blue.attributes.arn, weight: 0 },
              ],
              stickiness: [{ ...emptyBlock(stickinessSchema), enabled: false, duration: 1 }],
            },
          ],
        };
        attributes.default_action = [weighted];
        changes.push(`${listener.name}.default_action → green 100 / blue 0`);
      }
    }

    const scaling = attributesOf(state, 'aws_appautoscaling_target', (target) => String(target.instances[0].attributes.resource_id).endsWith(`/${String(service.name)}`));
    for (const { resource: target, attributes } of scaling) {
      service.desired_count = Number(attributes.max_capacity);
      changes.push(`${resource.name}.desired_count → ${service.desired_count} (auto scaling)`);
      const suspendedSchema = aws.aws_appautoscaling_target.block.block_types!.suspended_state.block;
      attributes.suspended_state = [{ ...emptyBlock(suspendedSchema), dynamic_scaling_in_suspended: true, dynamic_scaling_out_suspended: true, scheduled_scaling_suspended: true }];
      changes.push(`${target.name}.suspended_state (release in progress)`);
    }
  }
  return changes;
}

// ---------------------------------------------------------------------------------------------
// Per stack

function servicesCount(config: JsonObject): number {
  return Object.keys((config.resource as Record<string, Record<string, JsonObject>>).aws_ecs_service).length;
}

function changedResources(planOutput: string): string {
  return planOutput
    .split('\n')
    .filter((line) => /^\s*# .* (will|must) be /.test(line) || /^\s+[~+-] /.test(line) || /^Plan: |^Changes to Outputs/.test(line))
    .slice(0, 40)
    .join('\n');
}

async function checkStack(stack: string, env: NodeJS.ProcessEnv, schemasReady: (dir: string) => Promise<Schemas>): Promise<string> {
  const dir = join(WORKDIR, 'drift', stack);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const source = join(OUTDIR, 'stacks', stack, 'cdk.tf.json');
  copyFileSync(source, join(dir, 'cdk.tf.json'));
  const stateFile = join(dir, 'terraform.tfstate');
  writeFileSync(join(dir, 'drift_state_override.tf.json'), JSON.stringify({ terraform: { backend: { local: { path: stateFile } } } }, null, 2));
  const plan = ['plan', '-input=false', '-lock=false', '-refresh=false', '-no-color'];

  await terraform(['init', '-input=false', '-reconfigure', '-no-color'], dir, env);
  const schemas = await schemasReady(dir);
  await terraform([...plan, '-out=initial.tfplan'], dir, env);
  const show = JSON.parse((await terraform(['show', '-json', 'initial.tfplan'], dir, env)).output) as ShowJson;
  const synthesized = JSON.parse(readFileSync(source, 'utf8')) as JsonObject;

  const state = buildState(show, synthesized, schemas);
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  const baseline = await terraform([...plan, '-detailed-exitcode'], dir, env, [0, 2]);
  if (baseline.status !== 0) throw new CheckFailed('baseline not clean: the state builder does not match what apply would store', changedResources(baseline.output));

  const changes = simulateReleases(state, schemas);
  state.serial += 1;
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  const released = await terraform([...plan, '-detailed-exitcode'], dir, env, [0, 2]);
  if (released.status !== 0) {
    throw new CheckFailed(`DRIFT after releases (${changes.join('; ')}): ignore_changes does not cover a release change`, changedResources(released.output));
  }

  // Negative control: without the service's task_definition ignore, the release must show up.
  const config = JSON.parse(JSON.stringify(synthesized)) as JsonObject;
  const servicesConfig = (config.resource as Record<string, Record<string, JsonObject>>).aws_ecs_service;
  for (const service of Object.values(servicesConfig)) {
    const lifecycle = service.lifecycle as { ignore_changes: string[] };
    lifecycle.ignore_changes = lifecycle.ignore_changes.filter((entry) => entry !== 'task_definition');
  }
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(config, null, 2));
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  const control = await terraform([...plan, '-detailed-exitcode'], dir, env, [0, 2]);
  copyFileSync(source, join(dir, 'cdk.tf.json'));
  // Exactly the service updated in place, back to Terraform's revision: anything else (a plan that
  // creates everything because the state was not read, say) is not the expected detection.
  const detected =
    control.status === 2 &&
    new RegExp(`^Plan: 0 to add, ${servicesCount(config)} to change, 0 to destroy`, 'm').test(control.output) &&
    new RegExp(`~ task_definition\\s+= "[^"]+:${RELEASE_REVISION}" -> "[^"]+:${TERRAFORM_REVISION}"`).test(control.output);
  if (!detected) {
    throw new CheckFailed('negative control NOT detected: removing the task_definition ignore left the plan empty, so this check proves nothing', changedResources(control.output));
  }
  return `baseline clean, after ${changes.length} release changes clean, control detected`;
}

// ---------------------------------------------------------------------------------------------

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { env: { type: 'string' }, all: { type: 'boolean', default: false } } });
  if (values.all && values.env) throw new ConfigError(['--env and --all exclude each other; pass one']);
  const names = values.all ? environmentNamesList() : [values.env ?? 'dev'];

  const env = quietEnvironment('plan');
  Object.assign(process.env, env);
  const configs = names.map((name) => loadEnvironment(name, { offline: true }));
  const app = new App({ outdir: OUTDIR });
  for (const config of configs) new EnvironmentStack(app, environmentNames(config).stack, { config });
  app.synth();

  const mirror = findProviderMirror(env);
  const pluginCache = join(WORKDIR, 'plugin-cache');
  mkdirSync(pluginCache, { recursive: true });
  const rc = join(WORKDIR, 'terraform.rc');
  writeFileSync(rc, cliConfig(mirror, pluginCache));
  const terraformEnv = { ...env, TF_CLI_CONFIG_FILE: rc };

  // One provider, one schema: read it once, from whichever stack initializes first.
  let schemas: Promise<Schemas> | undefined;
  const schemasReady = (dir: string): Promise<Schemas> => {
    schemas ??= terraform(['providers', 'schema', '-json'], dir, terraformEnv).then((result) => {
      const parsed = JSON.parse(result.output) as { provider_schemas: Record<string, { resource_schemas: Record<string, ResourceSchema> }> };
      return Object.fromEntries(Object.entries(parsed.provider_schemas).map(([name, provider]) => [name, provider.resource_schemas]));
    });
    return schemas;
  };

  const stacks = configs.map((config) => environmentNames(config).stack);
  const started = Date.now();
  const results = await Promise.all(
    stacks.map(async (stack) => {
      const stackStarted = Date.now();
      try {
        const summary = await checkStack(stack, terraformEnv, schemasReady);
        return { stack, ok: true, line: `${stack}: ${summary}`, seconds: (Date.now() - stackStarted) / 1000 };
      } catch (error) {
        if (!(error instanceof CheckFailed)) throw error;
        const details = error.details ? `\n${error.details.trim()}` : '';
        return { stack, ok: false, line: `${stack}: FAILED ${error.message}${details}`, seconds: (Date.now() - stackStarted) / 1000 };
      }
    }),
  );
  for (const result of results) (result.ok ? console.log : console.error)(`${result.line} [${result.seconds.toFixed(1)} s]`);
  const failed = results.filter((result) => !result.ok).length;
  console.log(`${stacks.length - failed} of ${stacks.length} stack(s) passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return failed > 0 ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof ConfigError) {
        console.error(error.problems.join('\n'));
        process.exitCode = 2;
        return;
      }
      console.error(error);
      process.exitCode = 1;
    },
  );
}
