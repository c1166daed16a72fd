/**
 * What an environment's stacks create, in the terms the release tool and its stand-ins use
 * (names, ports, settings), read from the synthesized Terraform JSON of every stack of the
 * environment. The emulator's seed, the unit tests' fake AWS, the drift self-check's release
 * simulation and the bench model each keep a picture of the same things; they are compared with
 * (or derived from) these facts, so a change in modules/ that one of them misses fails a test.
 *
 * An environment may be synthesized as one stack or as a shared stack plus one per service:
 * `stackFacts` takes every document and follows references across them, including the
 * `${data.terraform_remote_state.<x>.outputs.<output>}` a service stack uses to read the shared
 * stack's outputs.
 */
import { list, type Synthesized } from '../../policy/synthesized';
import { decodeVerificationTargets } from '../../config';

export interface ListenerFacts {
  /** The load balancer's name. */
  readonly loadBalancer: string;
  readonly port: number;
  readonly protocol: string;
  /** The target group the default action forwards to (as Terraform creates it; CodeDeploy moves it). */
  readonly forwardsTo?: string;
  /** A redirect's port, protocol and status code (the HTTP → HTTPS listener). */
  readonly redirect?: { readonly port: string; readonly protocol: string; readonly statusCode: string };
}

export interface TargetGroupFacts {
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
  readonly targetType: string;
  readonly healthCheck: {
    readonly path: string;
    readonly intervalSeconds: number;
    readonly healthyThreshold: number;
    readonly unhealthyThreshold: number;
    readonly timeoutSeconds: number;
    readonly matcher: string;
  };
  readonly deregistrationDelaySeconds: number;
}

export interface DeploymentConfigFacts {
  readonly name: string;
  /** `AllAtOnce`, `TimeBasedCanary` or `TimeBasedLinear`. */
  readonly type: string;
  readonly percentage?: number;
  readonly intervalMinutes?: number;
}

export interface DeploymentGroupFacts {
  readonly application: string;
  readonly name: string;
  readonly deploymentConfig: string;
  readonly serviceRole: string;
  readonly cluster: string;
  readonly service: string;
  /** [blue, green]: the pair CodeDeploy swaps between. */
  readonly targetGroups: readonly string[];
  /** Ports of the production and test listeners. */
  readonly productionListenerPorts: readonly number[];
  readonly testListenerPorts: readonly number[];
  readonly alarms: readonly string[];
  readonly autoRollbackEvents: readonly string[];
  /** `CONTINUE_DEPLOYMENT`, or `STOP_DEPLOYMENT` when a release waits for approval. */
  readonly readyAction: string;
  readonly readyWaitMinutes: number;
  readonly terminationWaitMinutes: number;
}

export interface ContainerFacts {
  readonly name: string;
  readonly ports: readonly number[];
  readonly stopTimeoutSeconds?: number;
  readonly essential: boolean;
  /** The CloudWatch Logs group its awslogs driver writes to (where `run` and the hook's readers look). */
  readonly logGroup?: string;
}

export interface ServiceFacts {
  readonly name: string;
  readonly cluster: string;
  /** `web` behind a load balancer; `worker` without one. */
  readonly kind: 'web' | 'worker';
  readonly desiredCount: number;
  readonly controller: string;
  readonly launchType: string;
  /** Rolling updates only: the circuit breaker and the alarms that roll back. */
  readonly circuitBreaker?: { readonly enable: boolean; readonly rollback: boolean };
  readonly rollbackAlarms?: readonly string[];
  readonly healthCheckGracePeriodSeconds?: number;
  readonly assignPublicIp: boolean;
  readonly loadBalancers: readonly { readonly targetGroup: string; readonly containerName: string; readonly containerPort: number }[];
  /** Tags as AWS holds them (the provider's default tags included); `TerraformRevision` as the family it names. */
  readonly tags: Readonly<Record<string, string>>;
  readonly taskDefinition: {
    readonly family: string;
    readonly cpu: string;
    readonly memory: string;
    readonly executionRole: string;
    readonly taskRole: string;
    readonly containers: readonly ContainerFacts[];
    readonly tags: Readonly<Record<string, string>>;
  };
}

export interface ScalableTargetFacts {
  readonly resourceId: string;
  readonly scalableDimension: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly tags: Readonly<Record<string, string>>;
}

export interface VerificationHookFacts {
  readonly functionName: string;
  /** Where the function's output goes (the release tool reads failing checks there). */
  readonly logGroup: string;
  /** Deployment group → what the function checks on its test listener. */
  readonly targets: Readonly<Record<string, { readonly protocol: string; readonly port: number; readonly path?: string; readonly tries: number }>>;
}

export interface EnvironmentFacts {
  readonly clusters: readonly string[];
  readonly services: readonly ServiceFacts[];
  readonly listeners: readonly ListenerFacts[];
  readonly targetGroups: readonly TargetGroupFacts[];
  readonly deploymentGroups: readonly DeploymentGroupFacts[];
  /** The deployment configs the stacks create (custom traffic shifts); predefined ones are only named by groups. */
  readonly deploymentConfigs: readonly DeploymentConfigFacts[];
  readonly scalableTargets: readonly ScalableTargetFacts[];
  readonly verificationHooks: readonly VerificationHookFacts[];
}

/** The attribute that names a resource of each type (what the release tool finds it by). */
const NAME_ATTRIBUTE: Record<string, string> = {
  aws_lb: 'name',
  aws_lb_target_group: 'name',
  aws_cloudwatch_metric_alarm: 'alarm_name',
  aws_ecs_cluster: 'name',
  aws_ecs_service: 'name',
  aws_ecs_task_definition: 'family',
  aws_iam_role: 'name',
  aws_codedeploy_app: 'name',
  aws_codedeploy_deployment_config: 'deployment_config_name',
  aws_lambda_function: 'function_name',
  aws_cloudwatch_log_group: 'name',
};

const REFERENCE = /^\$\{((?:data\.)?[a-z0-9_]+)\.([^.}]+)\.([^}]+)\}$/;

interface Located {
  readonly document: Synthesized;
  readonly type: string;
  readonly body: Record<string, any>;
}

/** A document's resources of one type, each with the document it came from. */
function located(documents: readonly Synthesized[], type: string): Located[] {
  return documents.flatMap((document) => Object.values(document.resource?.[type] ?? {}).map((body) => ({ document, type, body })));
}

export class FactsError extends Error {}

/** Whether a terraform_remote_state data source reads the state of a stack (by its backend: the local file, or the S3 bucket and key). */
function readsStateOf(dataSource: Record<string, any> | undefined, document: Synthesized): boolean {
  const config = one(dataSource?.config) ?? {};
  const backend = document.terraform?.backend ?? {};
  const fileName = (path: unknown) => String(path).replace(/^.*\//, '');
  if (dataSource?.backend === 'local') return backend.local !== undefined && fileName(config.path) === fileName(backend.local.path);
  if (dataSource?.backend === 's3') return backend.s3 !== undefined && config.bucket === backend.s3.bucket && config.key === backend.s3.key;
  return false;
}

/** Reads values of one document, following references into it and into the other documents' outputs. */
class Reader {
  constructor(private readonly documents: readonly Synthesized[]) {}

  /** The resource a `${type.id.attribute}` value points at (through remote-state outputs); undefined for a literal. */
  target(document: Synthesized, value: unknown): Located | undefined {
    if (typeof value !== 'string') return undefined;
    const match = REFERENCE.exec(value);
    if (!match) return undefined;
    const [, type, id, attribute] = match;
    if (type === 'data.terraform_remote_state') {
      const output = /^outputs\.([^.[]+)$/.exec(attribute)?.[1];
      if (!output) throw new FactsError(`unsupported remote state reference ${value}`);
      const defined = this.output(document, id, output, value);
      return defined && this.target(...defined);
    }
    if (type.startsWith('data.')) throw new FactsError(`unsupported data source reference ${value}`);
    const body = document.resource?.[type]?.[id];
    if (!body) throw new FactsError(`${value} names no resource of its stack`);
    return { document, type, body };
  }

  /**
   * The stack that defines an output another stack reads, and the output's value; undefined when
   * that stack is not among the documents (a reader of one stack alone then sees the reference as
   * text, where a name would be).
   */
  private output(reader: Synthesized, dataSource: string, name: string, reference: string): [Synthesized, unknown] | undefined {
    let found = this.documents.filter((document) => document !== reader && document.output?.[name] !== undefined);
    // Several stacks with an output of that name: the one whose state the data source reads.
    if (found.length > 1) found = found.filter((document) => readsStateOf(reader.data?.terraform_remote_state?.[dataSource], document));
    if (found.length > 1) throw new FactsError(`${reference}: several stacks have the output ${name}`);
    return found.length === 1 ? [found[0], found[0].output![name].value] : undefined;
  }

  /** The name a value gives: a literal name (or the last part of an ARN), or the name of the resource it references. */
  name(document: Synthesized, value: unknown): string {
    const target = this.target(document, value);
    if (!target) {
      if (typeof value !== 'string') throw new FactsError(`expected a name, found ${JSON.stringify(value)}`);
      return value.startsWith('arn:') ? value.replace(/^.*[:/]/, '') : value;
    }
    const attribute = NAME_ATTRIBUTE[target.type];
    if (!attribute) throw new FactsError(`no name attribute known for ${target.type}`);
    return this.name(target.document, target.body[attribute]);
  }

  /** The resource a value references, of the type expected. */
  resource(document: Synthesized, value: unknown, type: string): Located {
    const target = this.target(document, value);
    if (!target || target.type !== type) throw new FactsError(`expected a reference to ${type}, found ${JSON.stringify(value)}`);
    return target;
  }
}

/** Tags as AWS holds them: the provider's default tags, then the resource's own. */
function tagsOf(document: Synthesized, body: Record<string, any>): Record<string, string> {
  const defaults = list(document.provider?.aws).flatMap((provider) => list(provider.default_tags as { tags?: Record<string, string> }[] | undefined));
  return Object.assign({}, ...defaults.map((block) => block.tags ?? {}), body.tags ?? {});
}

/** One block that cdktf may write as an object or a one-item list. */
function one<T = Record<string, any>>(value: unknown): T | undefined {
  return list(value as T | T[] | undefined)[0];
}

function listenerFacts(reader: Reader, { document, body }: Located): ListenerFacts {
  const action = one(body.default_action);
  const redirect = one(action?.redirect);
  return {
    loadBalancer: reader.name(document, body.load_balancer_arn),
    port: Number(body.port),
    protocol: String(body.protocol),
    ...(action?.type === 'forward' ? { forwardsTo: reader.name(document, action.target_group_arn) } : {}),
    ...(redirect ? { redirect: { port: String(redirect.port), protocol: String(redirect.protocol), statusCode: String(redirect.status_code) } } : {}),
  };
}

function targetGroupFacts({ body }: Located): TargetGroupFacts {
  const check = one(body.health_check) ?? {};
  return {
    name: String(body.name),
    port: Number(body.port),
    protocol: String(body.protocol),
    targetType: String(body.target_type),
    healthCheck: {
      path: String(check.path),
      intervalSeconds: Number(check.interval),
      healthyThreshold: Number(check.healthy_threshold),
      unhealthyThreshold: Number(check.unhealthy_threshold),
      timeoutSeconds: Number(check.timeout),
      matcher: String(check.matcher),
    },
    deregistrationDelaySeconds: Number(body.deregistration_delay),
  };
}

function deploymentGroupFacts(reader: Reader, { document, body }: Located): DeploymentGroupFacts {
  const pair = one(one(body.load_balancer_info)?.target_group_pair_info) ?? {};
  const ports = (route: unknown) =>
    list(one<{ listener_arns: string[] }>(route)?.listener_arns).map((arn) => Number(reader.resource(document, arn, 'aws_lb_listener').body.port));
  const blueGreen = one(body.blue_green_deployment_config) ?? {};
  const ready = one(blueGreen.deployment_ready_option) ?? {};
  const terminate = one(blueGreen.terminate_blue_instances_on_deployment_success) ?? {};
  const alarms = one(body.alarm_configuration);
  const ecsService = one(body.ecs_service) ?? {};
  return {
    application: reader.name(document, body.app_name),
    name: String(body.deployment_group_name),
    deploymentConfig: reader.name(document, body.deployment_config_name),
    serviceRole: reader.name(document, body.service_role_arn),
    cluster: reader.name(document, ecsService.cluster_name),
    service: reader.name(document, ecsService.service_name),
    targetGroups: list(pair.target_group as { name: string }[]).map((group) => reader.name(document, group.name)),
    productionListenerPorts: ports(pair.prod_traffic_route),
    testListenerPorts: ports(pair.test_traffic_route),
    alarms: alarms?.enabled ? list(alarms.alarms as string[]).map((alarm) => reader.name(document, alarm)) : [],
    autoRollbackEvents: one(body.auto_rollback_configuration)?.enabled ? [...list(one(body.auto_rollback_configuration)!.events as string[])] : [],
    readyAction: String(ready.action_on_timeout ?? 'CONTINUE_DEPLOYMENT'),
    readyWaitMinutes: Number(ready.wait_time_in_minutes ?? 0),
    terminationWaitMinutes: Number(terminate.termination_wait_time_in_minutes ?? 0),
  };
}

function deploymentConfigFacts({ body }: Located): DeploymentConfigFacts {
  const routing = one(body.traffic_routing_config) ?? { type: 'AllAtOnce' };
  const shape = one(routing.time_based_canary) ?? one(routing.time_based_linear);
  return {
    name: String(body.deployment_config_name),
    type: String(routing.type),
    ...(shape ? { percentage: Number(shape.percentage), intervalMinutes: Number(shape.interval) } : {}),
  };
}

function containerFacts(definition: Record<string, any>): ContainerFacts {
  return {
    name: String(definition.name),
    ports: list(definition.portMappings as { containerPort: number }[]).map((mapping) => mapping.containerPort),
    ...(definition.stopTimeout !== undefined ? { stopTimeoutSeconds: Number(definition.stopTimeout) } : {}),
    essential: definition.essential !== false,
    ...(definition.logConfiguration?.options?.['awslogs-group'] !== undefined ? { logGroup: String(definition.logConfiguration.options['awslogs-group']) } : {}),
  };
}

/** A tag naming a task definition revision, as the family it names (revisions are numbered by AWS). */
function familyTag(reader: Reader, document: Synthesized, value: string): string {
  const target = reader.target(document, value);
  if (target) return reader.name(target.document, target.body.family);
  return value.replace(/^.*:task-definition\//, '').replace(/:\d+$/, '');
}

function serviceFacts(reader: Reader, { document, body }: Located): ServiceFacts {
  const definition = reader.resource(document, body.task_definition, 'aws_ecs_task_definition');
  const task = definition.body;
  const tags = tagsOf(document, body);
  for (const key of Object.keys(tags)) if (key === 'TerraformRevision') tags[key] = familyTag(reader, document, tags[key]);
  const loadBalancers = list(body.load_balancer as Record<string, any>[]).map((balancer) => ({
    targetGroup: reader.name(document, balancer.target_group_arn),
    containerName: String(balancer.container_name),
    containerPort: Number(balancer.container_port),
  }));
  const controller = String(one(body.deployment_controller)?.type ?? 'ECS');
  const breaker = one(body.deployment_circuit_breaker);
  const alarms = one(body.alarms);
  return {
    name: String(body.name),
    cluster: reader.name(document, body.cluster),
    kind: loadBalancers.length > 0 ? 'web' : 'worker',
    desiredCount: Number(body.desired_count),
    controller,
    launchType: String(body.launch_type),
    ...(breaker ? { circuitBreaker: { enable: Boolean(breaker.enable), rollback: Boolean(breaker.rollback) } } : {}),
    ...(alarms?.enable ? { rollbackAlarms: list(alarms.alarm_names as string[]).map((alarm) => reader.name(document, alarm)) } : {}),
    ...(body.health_check_grace_period_seconds !== undefined ? { healthCheckGracePeriodSeconds: Number(body.health_check_grace_period_seconds) } : {}),
    assignPublicIp: Boolean(one(body.network_configuration)?.assign_public_ip),
    loadBalancers,
    tags,
    taskDefinition: {
      family: reader.name(definition.document, task.family),
      cpu: String(task.cpu),
      memory: String(task.memory),
      executionRole: reader.name(definition.document, task.execution_role_arn),
      taskRole: reader.name(definition.document, task.task_role_arn),
      containers: (JSON.parse(String(task.container_definitions)) as Record<string, any>[]).map(containerFacts),
      tags: tagsOf(definition.document, task),
    },
  };
}

function scalableTargetFacts({ document, body }: Located): ScalableTargetFacts {
  return {
    resourceId: String(body.resource_id),
    scalableDimension: String(body.scalable_dimension),
    minCapacity: Number(body.min_capacity),
    maxCapacity: Number(body.max_capacity),
    tags: tagsOf(document, body),
  };
}

/** The verification hook: a Lambda function whose VERIFY_TARGETS names what it checks per deployment group. */
function verificationHookFacts(reader: Reader, { document, body }: Located): VerificationHookFacts | undefined {
  const variables = one(body.environment)?.variables as Record<string, string> | undefined;
  if (!variables?.VERIFY_TARGETS) return undefined;
  const targets = decodeVerificationTargets(variables.VERIFY_TARGETS);
  return {
    functionName: String(body.function_name),
    logGroup: reader.name(document, one(body.logging_config)?.log_group),
    targets: Object.fromEntries(
      Object.entries(targets).map(([group, target]) => [group, { protocol: target.protocol, port: target.port, ...(target.path !== undefined ? { path: target.path } : {}), tries: target.tries }]),
    ),
  };
}

/**
 * The facts of one environment, from the synthesized document of each of its stacks (one
 * document today; a shared stack plus one per service after the split). A name read from a stack
 * that is not given (a service stack's cluster, without the shared stack) stays its `${...}`
 * text; any other reference it cannot follow throws FactsError.
 */
export function stackFacts(documents: readonly Synthesized[]): EnvironmentFacts {
  const reader = new Reader(documents);
  const all = (type: string) => located(documents, type);
  return {
    clusters: all('aws_ecs_cluster').map(({ body }) => String(body.name)),
    services: all('aws_ecs_service').map((service) => serviceFacts(reader, service)),
    listeners: all('aws_lb_listener').map((listener) => listenerFacts(reader, listener)),
    targetGroups: all('aws_lb_target_group').map(targetGroupFacts),
    deploymentGroups: all('aws_codedeploy_deployment_group').map((group) => deploymentGroupFacts(reader, group)),
    deploymentConfigs: all('aws_codedeploy_deployment_config').map(deploymentConfigFacts),
    scalableTargets: all('aws_appautoscaling_target').map(scalableTargetFacts),
    verificationHooks: all('aws_lambda_function').flatMap((hook) => list(verificationHookFacts(reader, hook))),
  };
}
