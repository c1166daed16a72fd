/**
 * Releases, applied to a built state exactly as the release tool, CodeDeploy and auto scaling leave
 * it after release 7: the state `terraform plan` must still find clean.
 *
 * Which resources a release touches is read from the stack (tools/terraform/stack-facts.ts), not
 * guessed from resource names: each service's own family, the blue target group its load balancer
 * starts on and the green one its deployment group swaps to, the production and test listeners of
 * that group, its scalable target. So the simulation follows modules/ by construction;
 * __tests__/tools/releases.test.ts checks it on every environment.
 */
import { formatScalingRecord, SCALING_RECORD_TAG_KEY } from '../../config';
import { providerIgnoresTag, type Synthesized } from '../../policy/synthesized';
import type { JsonObject } from './plan-json';
import { ACCOUNT, AWS_PROVIDER, StateBuildError, type SchemaBlock, type Schemas, type State, type StateResource } from './apply-state';
import { stackFacts, type EnvironmentFacts, type ServiceFacts } from './stack-facts';

/** The task definition revision the simulated release registers. */
export const RELEASE_REVISION = 7;

export function attributesOf(state: State, type: string, predicate: (resource: StateResource) => boolean = () => true): { resource: StateResource; attributes: JsonObject }[] {
  return state.resources
    .filter((resource) => resource.type === type && predicate(resource))
    .map((resource) => ({ resource, attributes: resource.instances[0].attributes }));
}

export function emptyBlock(schema: SchemaBlock): JsonObject {
  const out: JsonObject = {};
  for (const name of Object.keys(schema.attributes ?? {})) out[name] = null;
  for (const [name, nested] of Object.entries(schema.block_types ?? {})) out[name] = nested.nesting_mode === 'single' ? null : nested.nesting_mode === 'map' ? {} : [];
  return out;
}

/** The one resource of a type whose attribute has a value; a StateBuildError names what is missing. */
function onlyWith(state: State, type: string, attribute: string, value: unknown): { resource: StateResource; attributes: JsonObject } {
  const found = attributesOf(state, type, (resource) => resource.instances[0].attributes[attribute] === value);
  if (found.length !== 1) throw new StateBuildError(`expected one ${type} with ${attribute} = ${String(value)}, found ${found.length}`);
  return found[0];
}

/** CodeDeploy's end state: the service on green, its production and test listeners forwarding 100 to green, 0 to blue. */
function swapToGreen(state: State, schemas: Schemas, facts: EnvironmentFacts, service: ServiceFacts, { resource, attributes }: { resource: StateResource; attributes: JsonObject }, changes: string[]): void {
  const group = facts.deploymentGroups.find((candidate) => candidate.service === service.name);
  if (!group) throw new StateBuildError(`blue-green service ${service.name} without a deployment group`);
  const blueName = service.loadBalancers[0]?.targetGroup;
  const greenName = group.targetGroups.find((name) => name !== blueName);
  if (!blueName || !greenName) throw new StateBuildError(`${service.name}: no blue and green target group in its deployment group`);
  const blue = onlyWith(state, 'aws_lb_target_group', 'name', blueName);
  const green = onlyWith(state, 'aws_lb_target_group', 'name', greenName);
  const balancers = attributes.load_balancer as JsonObject[];
  balancers[0] = { ...balancers[0], target_group_arn: green.attributes.arn };
  changes.push(`${resource.name}.load_balancer → green`);

  const aws = schemas[AWS_PROVIDER];
  const actionSchema = aws.aws_lb_listener.block.block_types!.default_action.block;
  const forwardSchema = actionSchema.block_types!.forward.block;
  const targetGroupSchema = forwardSchema.block_types!.target_group.block;
  const stickinessSchema = forwardSchema.block_types!.stickiness.block;
  // The group's listeners: on the load balancer of the service's blue target group, at the group's ports.
  const loadBalancer = facts.listeners.find((listener) => listener.forwardsTo === blueName)?.loadBalancer;
  const loadBalancerArn = loadBalancer && onlyWith(state, 'aws_lb', 'name', loadBalancer).attributes.arn;
  for (const port of [...group.productionListenerPorts, ...group.testListenerPorts]) {
    const found = attributesOf(state, 'aws_lb_listener', (listener) => listener.instances[0].attributes.load_balancer_arn === loadBalancerArn && listener.instances[0].attributes.port === port);
    if (found.length !== 1) throw new StateBuildError(`${group.name}: expected one listener on port ${port} of ${String(loadBalancer)}, found ${found.length}`);
    const [{ resource: listener, attributes: listenerAttributes }] = found;
    listenerAttributes.default_action = [
      {
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
      },
    ];
    changes.push(`${listener.name}.default_action → green 100 / blue 0`);
  }
}

/** A release suspends scaling (and records what to restore); auto scaling had scaled the service out. */
function suspendScaling(schemas: Schemas, synthesized: JsonObject, target: { resource: StateResource; attributes: JsonObject }, service: { resource: StateResource; attributes: JsonObject }, changes: string[]): void {
  const { resource, attributes } = target;
  service.attributes.desired_count = Number(attributes.max_capacity);
  changes.push(`${service.resource.name}.desired_count → ${service.attributes.desired_count} (auto scaling)`);
  const suspendedSchema = schemas[AWS_PROVIDER].aws_appautoscaling_target.block.block_types!.suspended_state.block;
  attributes.suspended_state = [{ ...emptyBlock(suspendedSchema), dynamic_scaling_in_suspended: true, dynamic_scaling_out_suspended: true, scheduled_scaling_suspended: true }];
  changes.push(`${resource.name}.suspended_state (release in progress)`);
  // The release tool's record of what to restore (scripts/steps/auto-scaling.ts) is on the
  // target too. A refresh stores it unless the provider ignores the key: then it must show.
  // The provider filters ignored tags out of every read, so a refresh never stores them.
  if (providerIgnoresTag(synthesized as Synthesized, SCALING_RECORD_TAG_KEY)) {
    changes.push(`${resource.name} tag ${SCALING_RECORD_TAG_KEY} (not read: the provider's ignore_tags)`);
  } else {
    const record = formatScalingRecord({ prior: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false }, since: 0 });
    attributes.tags = { ...(attributes.tags as Record<string, string> | null), [SCALING_RECORD_TAG_KEY]: record };
    attributes.tags_all = { ...(attributes.tags_all as Record<string, string> | null), [SCALING_RECORD_TAG_KEY]: record };
    changes.push(`${resource.name} tag ${SCALING_RECORD_TAG_KEY}`);
  }
}

/**
 * Mutates the state as after release 7; returns what was changed, one entry per change.
 * `synthesized`: the stack's Terraform JSON: what a release touches, and what the provider's reads leave out.
 */
export function simulateReleases(state: State, schemas: Schemas, synthesized: JsonObject): string[] {
  const changes: string[] = [];
  const facts = stackFacts([synthesized as Synthesized]);
  const taskDefinitions = attributesOf(state, 'aws_ecs_task_definition');
  if (facts.services.length === 0 || taskDefinitions.length === 0) throw new StateBuildError('no ECS service or task definition in the stack');

  for (const { resource, attributes: taskDefinition } of taskDefinitions) {
    // Not a release effect on Terraform's revision, but proves the ignore: the image alone drifts.
    const containers = JSON.parse(String(taskDefinition.container_definitions)) as { image?: string }[];
    for (const container of containers) container.image = `${ACCOUNT}.dkr.ecr.example/${String(taskDefinition.family)}:release-${RELEASE_REVISION}`;
    taskDefinition.container_definitions = JSON.stringify(containers);
    changes.push(`${resource.name}.container_definitions`);
  }

  for (const service of facts.services) {
    const released = onlyWith(state, 'aws_ecs_service', 'name', service.name);
    const { resource, attributes } = released;
    // Each service releases its own family (an environment may have several services, e.g. a worker).
    const family = service.taskDefinition.family;
    const own = onlyWith(state, 'aws_ecs_task_definition', 'family', family);
    attributes.task_definition = String(own.attributes.arn).replace(/:\d+$/, `:${RELEASE_REVISION}`);
    if (!String(attributes.task_definition).endsWith(`task-definition/${family}:${RELEASE_REVISION}`)) throw new StateBuildError(`unexpected task definition ARN ${attributes.task_definition}`);
    changes.push(`${resource.name}.task_definition → ${family}:${RELEASE_REVISION}`);

    if (service.controller === 'CODE_DEPLOY') swapToGreen(state, schemas, facts, service, released, changes);

    for (const scalable of facts.scalableTargets.filter((target) => target.resourceId.endsWith(`/${service.name}`))) {
      suspendScaling(schemas, synthesized, onlyWith(state, 'aws_appautoscaling_target', 'resource_id', scalable.resourceId), released, changes);
    }
  }
  return changes;
}
