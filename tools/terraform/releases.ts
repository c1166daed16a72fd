/**
 * Releases, applied to a built state exactly as the release tool, CodeDeploy and auto scaling leave
 * it after release 7: the state `terraform plan` must still find clean.
 */
import { formatScalingRecord, SCALING_RECORD_TAG_KEY } from '../../config';
import { providerIgnoresTag, type Synthesized } from '../../policy/synthesized';
import type { JsonObject } from './plan-json';
import { ACCOUNT, AWS_PROVIDER, StateBuildError, type SchemaBlock, type Schemas, type State, type StateResource } from './apply-state';

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

/**
 * Mutates the state as after release 7; returns what was changed, one entry per change.
 * `synthesized`: the stack's Terraform JSON, for what the provider's reads leave out.
 */
export function simulateReleases(state: State, schemas: Schemas, synthesized: JsonObject): string[] {
  const changes: string[] = [];
  const aws = schemas[AWS_PROVIDER];
  const taskDefinitions = attributesOf(state, 'aws_ecs_task_definition');
  const services = attributesOf(state, 'aws_ecs_service');
  if (services.length === 0 || taskDefinitions.length === 0) throw new StateBuildError('no ECS service or task definition in the stack');

  for (const { resource, attributes: taskDefinition } of taskDefinitions) {
    // Not a release effect on Terraform's revision, but proves the ignore: the image alone drifts.
    const containers = JSON.parse(String(taskDefinition.container_definitions)) as { image?: string }[];
    for (const container of containers) container.image = `${ACCOUNT}.dkr.ecr.example/${String(taskDefinition.family)}:release-${RELEASE_REVISION}`;
    taskDefinition.container_definitions = JSON.stringify(containers);
    changes.push(`${resource.name}.container_definitions`);
  }

  for (const { resource, attributes: service } of services) {
    // Each service releases its own family (an environment may have several services, e.g. a worker).
    const own = taskDefinitions.find((candidate) => candidate.attributes.arn === service.task_definition) ?? taskDefinitions[0];
    const family = String(own.attributes.family);
    service.task_definition = String(own.attributes.arn).replace(/:\d+$/, `:${RELEASE_REVISION}`);
    if (!String(service.task_definition).endsWith(`task-definition/${family}:${RELEASE_REVISION}`)) throw new StateBuildError(`unexpected task definition ARN ${service.task_definition}`);
    changes.push(`${resource.name}.task_definition → ${family}:${RELEASE_REVISION}`);

    const controller = (service.deployment_controller as JsonObject[] | null)?.[0]?.type;
    if (controller === 'CODE_DEPLOY') {
      const groups = attributesOf(state, 'aws_lb_target_group');
      const blue = groups.find((group) => /blue/.test(group.resource.name));
      const green = groups.find((group) => /green/.test(group.resource.name));
      if (!blue || !green) throw new StateBuildError('blue-green service without a blue and a green target group');
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
      if (listeners.length === 0) throw new StateBuildError('no listener forwards to the blue target group');
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
      // The release tool's record of what to restore (scripts/steps/auto-scaling.ts) is on the
      // target too. A refresh stores it unless the provider ignores the key: then it must show.
      // The provider filters ignored tags out of every read, so a refresh never stores them.
      if (providerIgnoresTag(synthesized as Synthesized, SCALING_RECORD_TAG_KEY)) {
        changes.push(`${target.name} tag ${SCALING_RECORD_TAG_KEY} (not read: the provider's ignore_tags)`);
      } else {
        const record = formatScalingRecord({ prior: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false }, since: 0 });
        attributes.tags = { ...(attributes.tags as Record<string, string> | null), [SCALING_RECORD_TAG_KEY]: record };
        attributes.tags_all = { ...(attributes.tags_all as Record<string, string> | null), [SCALING_RECORD_TAG_KEY]: record };
        changes.push(`${target.name} tag ${SCALING_RECORD_TAG_KEY}`);
      }
    }
  }
  return changes;
}
