/**
 * Application Auto Scaling (JSON 1.1, target prefix `AnyScaleFrontendService`): the scalable
 * targets a release suspends while it runs, so scaling does not fight the deployment.
 */
import type {
  DescribeScalableTargetsRequest,
  DescribeScalableTargetsResponse,
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  RegisterScalableTargetRequest,
  RegisterScalableTargetResponse,
  ScalableTarget,
  TagResourceRequest,
  TagResourceResponse,
  UntagResourceRequest,
  UntagResourceResponse,
} from '@aws-sdk/client-application-auto-scaling';
import { arn, hash } from '../ids';
import type { ScalableTargetRecord } from '../model';
import { AwsError } from '../protocol/errors';
import type { Simulation } from '../simulation/engine';
import { date, paginate, type HandlerContext, type ServiceHandler } from './common';

/** AWS's limits on tags (TagResource): at most 50 per resource, keys 1-128 and values 0-256 characters. */
const MAX_TAGS = 50;

function targetByArn(sim: Simulation, resourceArn: string | undefined): ScalableTargetRecord {
  if (!resourceArn) validationError("1 validation error detected: Value null at 'resourceARN' failed to satisfy constraint: Member must not be null");
  const found = sim.world.scalableTargets.find((target) => target.arn === resourceArn);
  if (!found) throw new AwsError('ResourceNotFoundException', `Scalable target with ARN ${resourceArn} not found`);
  return found;
}

const NAMESPACES = ['ecs', 'elasticmapreduce', 'ec2', 'appstream', 'dynamodb', 'rds', 'sagemaker', 'custom-resource', 'comprehend', 'lambda', 'cassandra', 'kafka', 'elasticache', 'neptune', 'workspaces'];

function validationError(message: string): never {
  throw new AwsError('ValidationException', message);
}

function present(target: ScalableTargetRecord): ScalableTarget {
  return {
    ServiceNamespace: target.serviceNamespace as ScalableTarget['ServiceNamespace'],
    ResourceId: target.resourceId,
    ScalableDimension: target.scalableDimension as ScalableTarget['ScalableDimension'],
    MinCapacity: target.minCapacity,
    MaxCapacity: target.maxCapacity,
    RoleARN: target.roleArn,
    CreationTime: date(target.createdAt),
    SuspendedState: { ...target.suspended },
    ScalableTargetARN: target.arn,
  };
}

export const autoScalingHandler: ServiceHandler = {
  name: 'autoscaling',
  operations: {
    DescribeScalableTargets(input: DescribeScalableTargetsRequest, { sim }: HandlerContext): DescribeScalableTargetsResponse {
      if (!input.ServiceNamespace) validationError('1 validation error detected: Value null at \'serviceNamespace\' failed to satisfy constraint: Member must not be null');
      if (!NAMESPACES.includes(input.ServiceNamespace)) validationError(`Unsupported service namespace ${input.ServiceNamespace}`);
      const ids = input.ResourceIds ?? [];
      const matching = sim.world.scalableTargets.filter(
        (target) =>
          target.serviceNamespace === input.ServiceNamespace &&
          (ids.length === 0 || ids.includes(target.resourceId)) &&
          (!input.ScalableDimension || target.scalableDimension === input.ScalableDimension),
      );
      const { page, nextToken } = paginate(matching, input.NextToken, input.MaxResults ?? 50, 'InvalidNextTokenException');
      return { ScalableTargets: page.map(present), NextToken: nextToken };
    },

    RegisterScalableTarget(input: RegisterScalableTargetRequest, { sim }: HandlerContext): RegisterScalableTargetResponse {
      if (!input.ServiceNamespace || !input.ResourceId || !input.ScalableDimension) {
        validationError('ServiceNamespace, ResourceId and ScalableDimension are required');
      }
      if (input.MinCapacity !== undefined && input.MaxCapacity !== undefined && input.MinCapacity > input.MaxCapacity) {
        validationError('Minimum capacity cannot be greater than maximum capacity');
      }
      const existing = sim.world.scalableTargets.find(
        (target) =>
          target.serviceNamespace === input.ServiceNamespace && target.resourceId === input.ResourceId && target.scalableDimension === input.ScalableDimension,
      );
      const suspended = input.SuspendedState ?? {};
      if (existing) {
        // An update changes only what it names.
        if (input.MinCapacity !== undefined) existing.minCapacity = input.MinCapacity;
        if (input.MaxCapacity !== undefined) existing.maxCapacity = input.MaxCapacity;
        if (existing.minCapacity > existing.maxCapacity) validationError('Minimum capacity cannot be greater than maximum capacity');
        if (input.RoleARN) existing.roleArn = input.RoleARN;
        for (const key of ['DynamicScalingInSuspended', 'DynamicScalingOutSuspended', 'ScheduledScalingSuspended'] as const) {
          if (suspended[key] !== undefined) existing.suspended[key] = suspended[key] as boolean;
        }
        return { ScalableTargetARN: existing.arn };
      }
      if (input.MinCapacity === undefined || input.MaxCapacity === undefined) {
        validationError('MinCapacity and MaxCapacity are required when registering a new scalable target');
      }
      if (input.ServiceNamespace === 'ecs') {
        const [, cluster, service] = input.ResourceId.split('/');
        const found = sim.world.services.find((candidate) => candidate.clusterName === cluster && candidate.name === service && candidate.status === 'ACTIVE');
        if (!found) throw new AwsError('ValidationException', `ECS service doesn't exist: ${input.ResourceId}`);
      }
      const region = sim.world.services[0]?.region ?? 'us-east-1';
      const record: ScalableTargetRecord = {
        serviceNamespace: input.ServiceNamespace,
        resourceId: input.ResourceId,
        scalableDimension: input.ScalableDimension,
        minCapacity: input.MinCapacity,
        maxCapacity: input.MaxCapacity,
        roleArn: input.RoleARN ?? arn.role(sim.world.accountId, 'aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService'),
        arn: arn.scalableTarget(region, sim.world.accountId, hash(input.ResourceId, 32)),
        createdAt: sim.clock.now(),
        suspended: {
          DynamicScalingInSuspended: suspended.DynamicScalingInSuspended ?? false,
          DynamicScalingOutSuspended: suspended.DynamicScalingOutSuspended ?? false,
          ScheduledScalingSuspended: suspended.ScheduledScalingSuspended ?? false,
        },
        tags: { ...input.Tags },
      };
      sim.world.scalableTargets.push(record);
      return { ScalableTargetARN: record.arn };
    },

    ListTagsForResource(input: ListTagsForResourceRequest, { sim }: HandlerContext): ListTagsForResourceResponse {
      return { Tags: { ...targetByArn(sim, input.ResourceARN).tags } };
    },

    TagResource(input: TagResourceRequest, { sim }: HandlerContext): TagResourceResponse {
      const target = targetByArn(sim, input.ResourceARN);
      const tags = input.Tags ?? {};
      if (Object.keys(tags).length === 0) validationError("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1");
      for (const [key, value] of Object.entries(tags)) {
        if (key.length < 1 || key.length > 128 || key.startsWith('aws:')) validationError(`Invalid tag key: ${key}`);
        if (value.length > 256) validationError(`Invalid tag value for key ${key}: longer than 256 characters`);
      }
      const merged = { ...target.tags, ...tags };
      if (Object.keys(merged).length > MAX_TAGS) throw new AwsError('TooManyTagsException', `A scalable target can have at most ${MAX_TAGS} tags`);
      target.tags = merged;
      return {};
    },

    UntagResource(input: UntagResourceRequest, { sim }: HandlerContext): UntagResourceResponse {
      const target = targetByArn(sim, input.ResourceARN);
      if (!input.TagKeys || input.TagKeys.length === 0) validationError("1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length greater than or equal to 1");
      for (const key of input.TagKeys) delete target.tags[key];
      return {};
    },
  },
};
