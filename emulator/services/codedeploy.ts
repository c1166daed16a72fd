/**
 * AWS CodeDeploy, ECS compute platform (JSON 1.1, target prefix `CodeDeploy_20141006`).
 *
 * The API side of the blue/green state machine in simulation/codedeploy.ts: creating, reading,
 * continuing and stopping deployments, and the configuration they run under.
 */
import type {
  ApplicationInfo,
  BatchGetApplicationsInput,
  BatchGetApplicationsOutput,
  BatchGetDeploymentsInput,
  BatchGetDeploymentsOutput,
  BatchGetDeploymentTargetsInput,
  BatchGetDeploymentTargetsOutput,
  ContinueDeploymentInput,
  CreateDeploymentInput,
  CreateDeploymentOutput,
  DeploymentConfigInfo,
  DeploymentGroupInfo,
  DeploymentInfo,
  DeploymentTarget,
  ECSTaskSet,
  GetApplicationInput,
  GetApplicationOutput,
  GetDeploymentConfigInput,
  GetDeploymentConfigOutput,
  GetDeploymentGroupInput,
  GetDeploymentGroupOutput,
  GetDeploymentInput,
  GetDeploymentOutput,
  GetDeploymentTargetInput,
  GetDeploymentTargetOutput,
  ListApplicationsInput,
  ListApplicationsOutput,
  ListDeploymentConfigsOutput,
  ListDeploymentGroupsInput,
  ListDeploymentGroupsOutput,
  ListDeploymentsInput,
  ListDeploymentsOutput,
  ListDeploymentTargetsInput,
  ListDeploymentTargetsOutput,
  StopDeploymentInput,
  PutLifecycleEventHookExecutionStatusInput,
  PutLifecycleEventHookExecutionStatusOutput,
  StopDeploymentOutput,
} from '@aws-sdk/client-codedeploy';
import { parseAppSpec, sha256 } from '../appspec';
import type { DeploymentGroupRecord, DeploymentRecord } from '../model';
import { AwsError, fail } from '../protocol/errors';
import { toDate } from '../protocol/json';
import {
  continueFromReady,
  reportHookStatus,
  createDeployment,
  endDeployment,
  endTerminationWait,
  groupOf,
  isActive,
  serviceOf,
  taskSetById,
} from '../simulation/codedeploy';
import type { Simulation } from '../simulation/engine';
import { taskSetCounts } from '../simulation/ecs';
import { percentOn } from '../simulation/traffic';
import { date, paginate, type HandlerContext, type ServiceHandler } from './common';

// ---------------------------------------------------------------- lookups

function requireApplication(sim: Simulation, name: string | undefined) {
  if (!name) throw new AwsError('ApplicationNameRequiredException', 'The minimum number of required application names was not specified.');
  const application = sim.world.applications.get(name);
  if (!application) throw new AwsError('ApplicationDoesNotExistException', `No application found for name: ${name}`);
  return application;
}

function requireGroup(sim: Simulation, applicationName: string | undefined, groupName: string | undefined): DeploymentGroupRecord {
  requireApplication(sim, applicationName);
  if (!groupName) throw new AwsError('DeploymentGroupNameRequiredException', 'The deployment group name was not specified.');
  const group = sim.world.deploymentGroups.find((candidate) => candidate.applicationName === applicationName && candidate.name === groupName);
  if (!group) throw new AwsError('DeploymentGroupDoesNotExistException', `No Deployment Group found for name: ${groupName}`);
  return group;
}

const DEPLOYMENT_ID = /^d-[A-Z0-9]{9}$/;

function requireDeployment(sim: Simulation, id: string | undefined): DeploymentRecord {
  if (!id) throw new AwsError('DeploymentIdRequiredException', 'At least one deployment ID must be specified.');
  if (!DEPLOYMENT_ID.test(id)) throw new AwsError('InvalidDeploymentIdException', `Specified DeploymentId is not in the valid format: ${id}`);
  const deployment = sim.world.deployments.find((candidate) => candidate.id === id);
  if (!deployment) throw new AwsError('DeploymentDoesNotExistException', `The deployment ${id} could not be found.`);
  return deployment;
}

// ---------------------------------------------------------------- presentation

function presentApplication(application: { id: string; name: string; createdAt: number }): ApplicationInfo {
  return {
    applicationId: application.id,
    applicationName: application.name,
    createTime: date(application.createdAt),
    linkedToGitHub: false,
    computePlatform: 'ECS',
  };
}

function blueGreenConfiguration(group: DeploymentGroupRecord): DeploymentGroupInfo['blueGreenDeploymentConfiguration'] {
  return {
    deploymentReadyOption: { actionOnTimeout: group.readyAction, waitTimeInMinutes: group.readyWaitMinutes },
    terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: group.terminationWaitMinutes },
  };
}

function loadBalancerInfo(group: DeploymentGroupRecord): DeploymentGroupInfo['loadBalancerInfo'] {
  return {
    targetGroupPairInfoList: [
      {
        targetGroups: group.targetGroupNames.map((name) => ({ name })),
        prodTrafficRoute: { listenerArns: group.prodListenerArns },
        testTrafficRoute: { listenerArns: group.testListenerArns },
      },
    ],
  };
}

function lastDeployment(sim: Simulation, id: string | undefined) {
  const deployment = sim.world.deployments.find((candidate) => candidate.id === id);
  if (!deployment) return undefined;
  return { deploymentId: deployment.id, status: deployment.status, endTime: date(deployment.completeTime), createTime: date(deployment.createTime) };
}

function presentGroup(sim: Simulation, group: DeploymentGroupRecord): DeploymentGroupInfo {
  return {
    applicationName: group.applicationName,
    deploymentGroupId: group.id,
    deploymentGroupName: group.name,
    deploymentConfigName: group.deploymentConfigName,
    ec2TagFilters: [],
    onPremisesInstanceTagFilters: [],
    autoScalingGroups: [],
    serviceRoleArn: group.serviceRoleArn,
    triggerConfigurations: [],
    alarmConfiguration: { enabled: group.alarms.enabled, ignorePollAlarmFailure: false, alarms: group.alarms.names.map((name) => ({ name })) },
    autoRollbackConfiguration: { enabled: group.autoRollback.enabled, events: group.autoRollback.events as never },
    deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    outdatedInstancesStrategy: 'UPDATE',
    blueGreenDeploymentConfiguration: blueGreenConfiguration(group),
    loadBalancerInfo: loadBalancerInfo(group),
    lastSuccessfulDeployment: lastDeployment(sim, group.lastSuccessfulDeploymentId),
    lastAttemptedDeployment: lastDeployment(sim, group.lastAttemptedDeploymentId),
    computePlatform: 'ECS',
    ecsServices: [{ serviceName: group.serviceName, clusterName: group.clusterName }],
    terminationHookEnabled: false,
  };
}

function presentConfig(sim: Simulation, name: string): DeploymentConfigInfo {
  const config = sim.world.deploymentConfigs.get(name);
  if (!config) throw new AwsError('DeploymentConfigDoesNotExistException', `No deployment configuration found for name: ${name}`);
  const routing = config.routing;
  return {
    deploymentConfigId: config.id,
    deploymentConfigName: config.name,
    createTime: date(config.createdAt),
    computePlatform: 'ECS',
    trafficRoutingConfig:
      routing.type === 'AllAtOnce'
        ? { type: 'AllAtOnce' }
        : routing.type === 'TimeBasedCanary'
          ? { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: routing.percentage, canaryInterval: routing.intervalMinutes } }
          : { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: routing.percentage, linearInterval: routing.intervalMinutes } },
  };
}

/** The ECS target's status, from the deployment's. */
function targetStatus(deployment: DeploymentRecord): 'Pending' | 'InProgress' | 'Ready' | 'Succeeded' | 'Failed' {
  switch (deployment.status) {
    case 'Created':
    case 'Queued':
      return 'Pending';
    case 'Ready':
      return 'Ready';
    case 'Succeeded':
      return 'Succeeded';
    case 'Failed':
    case 'Stopped':
      return 'Failed';
    default:
      return 'InProgress';
  }
}

function withSha(revision: DeploymentRecord['revision'] | undefined): DeploymentInfo['revision'] {
  if (!revision) return undefined;
  const { content, sha256: given } = revision.appSpecContent;
  return { revisionType: 'AppSpecContent', appSpecContent: { content, sha256: given ?? sha256(content) } };
}

export function presentDeployment(sim: Simulation, deployment: DeploymentRecord): DeploymentInfo {
  const group = groupOf(sim, deployment);
  const status = targetStatus(deployment);
  const overview = { Pending: 0, InProgress: 0, Succeeded: 0, Failed: 0, Skipped: 0, Ready: 0 };
  overview[status] = 1;
  return {
    applicationName: deployment.applicationName,
    deploymentGroupName: deployment.deploymentGroupName,
    deploymentConfigName: deployment.deploymentConfigName,
    deploymentId: deployment.id,
    previousRevision: withSha(deployment.previousRevision),
    revision: withSha(deployment.revision),
    status: deployment.status,
    errorInformation: deployment.errorInformation as DeploymentInfo['errorInformation'],
    createTime: date(deployment.createTime),
    startTime: date(deployment.startTime),
    completeTime: date(deployment.completeTime),
    deploymentOverview: overview,
    description: deployment.description,
    creator: deployment.creator,
    ignoreApplicationStopFailures: false,
    autoRollbackConfiguration: { enabled: deployment.autoRollback.enabled, events: deployment.autoRollback.events as never },
    updateOutdatedInstancesOnly: false,
    rollbackInfo: deployment.rollbackInfo,
    deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    instanceTerminationWaitTimeStarted: deployment.instanceTerminationWaitTimeStarted,
    blueGreenDeploymentConfiguration: blueGreenConfiguration(group),
    loadBalancerInfo: loadBalancerInfo(group),
    fileExistsBehavior: 'DISALLOW',
    deploymentStatusMessages: [],
    computePlatform: 'ECS',
  };
}

function targetId(deployment: DeploymentRecord, sim: Simulation): string {
  const group = groupOf(sim, deployment);
  return `${group.clusterName}:${group.serviceName}`;
}

function presentTarget(sim: Simulation, deployment: DeploymentRecord): DeploymentTarget {
  const group = groupOf(sim, deployment);
  const service = serviceOf(sim, group);
  const now = sim.clock.now();
  const prod = sim.world.listeners.find((listener) => listener.arn === group.prodListenerArns[0]);
  const taskSetInfo = (id: string | undefined, groupArn: string | undefined, label: 'Blue' | 'Green'): ECSTaskSet | undefined => {
    if (id === undefined) return undefined;
    const taskSet = taskSetById(service, id);
    const live = service && taskSet ? taskSetCounts(sim, service, taskSet, now) : undefined;
    const snapshot = deployment.taskSetSnapshots[id];
    const counts = live ?? snapshot ?? { desired: 0, pending: 0, running: 0 };
    const targetGroupName = sim.world.targetGroups.find((candidate) => candidate.arn === groupArn)?.name;
    return {
      identifer: id,
      desiredCount: counts.desired,
      pendingCount: counts.pending,
      runningCount: counts.running,
      status: taskSet?.status ?? snapshot?.status ?? 'DRAINING',
      trafficWeight: prod && groupArn ? percentOn(prod, groupArn) : 0,
      targetGroup: targetGroupName ? { name: targetGroupName } : undefined,
      taskSetLabel: label,
    };
  };
  const taskSetsInfo = [
    taskSetInfo(deployment.originalTaskSetId, deployment.originalTargetGroupArn, 'Blue'),
    taskSetInfo(deployment.replacementTaskSetId, deployment.replacementTargetGroupArn, 'Green'),
  ].filter((info): info is ECSTaskSet => info !== undefined);
  return {
    deploymentTargetType: 'ECSTarget',
    ecsTarget: {
      deploymentId: deployment.id,
      targetId: targetId(deployment, sim),
      targetArn: service?.arn,
      lastUpdatedAt: date(deployment.lastUpdatedAt),
      lifecycleEvents: deployment.lifecycleEvents.map((event) => ({
        lifecycleEventName: event.name,
        startTime: date(event.startTime),
        endTime: date(event.endTime),
        status: event.status,
        diagnostics: event.diagnostics as never,
      })),
      status: targetStatus(deployment),
      taskSetsInfo,
    },
  };
}

function requireStarted(deployment: DeploymentRecord): void {
  if (deployment.status === 'Created' || deployment.status === 'Queued') {
    throw new AwsError('DeploymentNotStartedException', 'The specified deployment has not started.');
  }
}

// ---------------------------------------------------------------- operations

export const codeDeployHandler: ServiceHandler = {
  name: 'codedeploy',
  operations: {
    GetApplication(input: GetApplicationInput, { sim }: HandlerContext): GetApplicationOutput {
      return { application: presentApplication(requireApplication(sim, input.applicationName)) };
    },

    ListApplications(input: ListApplicationsInput, { sim }: HandlerContext): ListApplicationsOutput {
      const names = [...sim.world.applications.keys()].sort();
      const { page, nextToken } = paginate(names, input.nextToken, 100, 'InvalidNextTokenException');
      return { applications: page, nextToken };
    },

    BatchGetApplications(input: BatchGetApplicationsInput, { sim }: HandlerContext): BatchGetApplicationsOutput {
      const names = input.applicationNames ?? [];
      if (names.length > 100) throw new AwsError('BatchLimitExceededException', 'The maximum number of names or IDs allowed for this request (100) was exceeded.');
      return { applicationsInfo: names.map((name) => presentApplication(requireApplication(sim, name))) };
    },

    GetDeploymentGroup(input: GetDeploymentGroupInput, { sim }: HandlerContext): GetDeploymentGroupOutput {
      return { deploymentGroupInfo: presentGroup(sim, requireGroup(sim, input.applicationName, input.deploymentGroupName)) };
    },

    ListDeploymentGroups(input: ListDeploymentGroupsInput, { sim }: HandlerContext): ListDeploymentGroupsOutput {
      requireApplication(sim, input.applicationName);
      const names = sim.world.deploymentGroups.filter((group) => group.applicationName === input.applicationName).map((group) => group.name).sort();
      const { page, nextToken } = paginate(names, input.nextToken, 100, 'InvalidNextTokenException');
      return { applicationName: input.applicationName, deploymentGroups: page, nextToken };
    },

    GetDeploymentConfig(input: GetDeploymentConfigInput, { sim }: HandlerContext): GetDeploymentConfigOutput {
      if (!input.deploymentConfigName) throw new AwsError('DeploymentConfigNameRequiredException', 'The deployment configuration name was not specified.');
      return { deploymentConfigInfo: presentConfig(sim, input.deploymentConfigName) };
    },

    ListDeploymentConfigs(_input: unknown, { sim }: HandlerContext): ListDeploymentConfigsOutput {
      return { deploymentConfigsList: [...sim.world.deploymentConfigs.keys()].sort() };
    },

    CreateDeployment(input: CreateDeploymentInput, { sim }: HandlerContext): CreateDeploymentOutput {
      const group = requireGroup(sim, input.applicationName, input.deploymentGroupName);
      const revision = input.revision;
      if (!revision) throw new AwsError('RevisionRequiredException', 'The revision ID was not specified.');
      if (revision.revisionType !== 'AppSpecContent') {
        fail('InvalidRevisionException', `Revision type ${revision.revisionType ?? '(none)'} is not supported by this emulator for ECS deployments; use AppSpecContent.`);
      }
      const content = revision.appSpecContent?.content;
      if (!content) fail('InvalidRevisionException', 'The AppSpec content is empty.');
      const given = revision.appSpecContent?.sha256;
      if (given && given.toLowerCase() !== sha256(content)) {
        fail('InvalidRevisionException', 'The SHA-256 hash of the AppSpec content does not match the sha256 that was sent with it.');
      }
      const appSpec = parseAppSpec(content);
      const configName = input.deploymentConfigName ?? group.deploymentConfigName;
      if (!sim.world.deploymentConfigs.has(configName)) {
        throw new AwsError('DeploymentConfigDoesNotExistException', `No deployment configuration found for name: ${configName}`);
      }
      if ((input.description ?? '').length > 512) throw new AwsError('DescriptionTooLongException', 'The description is too long.');
      const active = sim.world.deployments.find(
        (deployment) => deployment.applicationName === group.applicationName && deployment.deploymentGroupName === group.name && isActive(deployment),
      );
      if (active) {
        throw new AwsError('DeploymentLimitExceededException', `The Deployment Group '${group.name}' already has an active Deployment '${active.id}'`);
      }
      const override = input.autoRollbackConfiguration;
      const deployment = createDeployment(
        sim,
        {
          group,
          appSpec,
          revision: { revisionType: 'AppSpecContent', appSpecContent: { content, sha256: given } },
          deploymentConfigName: configName,
          description: input.description,
          autoRollback: override ? { enabled: override.enabled === true, events: [...(override.events ?? [])] } : { ...group.autoRollback },
        },
        sim.clock.now(),
      );
      return { deploymentId: deployment.id };
    },

    GetDeployment(input: GetDeploymentInput, { sim }: HandlerContext): GetDeploymentOutput {
      return { deploymentInfo: presentDeployment(sim, requireDeployment(sim, input.deploymentId)) };
    },

    BatchGetDeployments(input: BatchGetDeploymentsInput, { sim }: HandlerContext): BatchGetDeploymentsOutput {
      const ids = input.deploymentIds ?? [];
      if (ids.length === 0) throw new AwsError('DeploymentIdRequiredException', 'At least one deployment ID must be specified.');
      if (ids.length > 25) throw new AwsError('BatchLimitExceededException', 'The maximum number of names or IDs allowed for this request (25) was exceeded.');
      const found = ids.map((id) => sim.world.deployments.find((deployment) => deployment.id === id)).filter((d): d is DeploymentRecord => !!d);
      return { deploymentsInfo: found.map((deployment) => presentDeployment(sim, deployment)) };
    },

    ListDeployments(input: ListDeploymentsInput, { sim }: HandlerContext): ListDeploymentsOutput {
      if (input.applicationName && !input.deploymentGroupName) {
        throw new AwsError('DeploymentGroupNameRequiredException', 'If applicationName is specified, deploymentGroupName must be specified too.');
      }
      if (!input.applicationName && input.deploymentGroupName) {
        throw new AwsError('ApplicationNameRequiredException', 'If deploymentGroupName is specified, applicationName must be specified too.');
      }
      if (input.applicationName) requireGroup(sim, input.applicationName, input.deploymentGroupName);
      const statuses = input.includeOnlyStatuses ?? [];
      const start = toDate(input.createTimeRange?.start)?.getTime();
      const end = toDate(input.createTimeRange?.end)?.getTime();
      const matching = sim.world.deployments
        .filter(
          (deployment) =>
            (!input.applicationName || (deployment.applicationName === input.applicationName && deployment.deploymentGroupName === input.deploymentGroupName)) &&
            (statuses.length === 0 || statuses.includes(deployment.status)) &&
            (start === undefined || deployment.createTime >= start) &&
            (end === undefined || deployment.createTime <= end),
        )
        .sort((a, b) => b.createTime - a.createTime || sim.world.deployments.indexOf(b) - sim.world.deployments.indexOf(a));
      const { page, nextToken } = paginate(matching.map((deployment) => deployment.id), input.nextToken, 100, 'InvalidNextTokenException');
      return { deployments: page, nextToken };
    },

    ListDeploymentTargets(input: ListDeploymentTargetsInput, { sim }: HandlerContext): ListDeploymentTargetsOutput {
      const deployment = requireDeployment(sim, input.deploymentId);
      requireStarted(deployment);
      return { targetIds: [targetId(deployment, sim)] };
    },

    BatchGetDeploymentTargets(input: BatchGetDeploymentTargetsInput, { sim }: HandlerContext): BatchGetDeploymentTargetsOutput {
      const deployment = requireDeployment(sim, input.deploymentId);
      requireStarted(deployment);
      const ids = input.targetIds ?? [];
      if (ids.length === 0) throw new AwsError('DeploymentTargetIdRequiredException', 'A deployment target ID was not provided.');
      if (ids.length > 25) throw new AwsError('DeploymentTargetListSizeExceededException', 'The maximum number of targets that can be associated with an Amazon ECS or AWS Lambda deployment was exceeded.');
      for (const id of ids) {
        if (id !== targetId(deployment, sim)) throw new AwsError('DeploymentTargetDoesNotExistException', `The provided target ID ${id} does not belong to the attempted deployment.`);
      }
      return { deploymentTargets: ids.map(() => presentTarget(sim, deployment)) };
    },

    GetDeploymentTarget(input: GetDeploymentTargetInput, { sim }: HandlerContext): GetDeploymentTargetOutput {
      const deployment = requireDeployment(sim, input.deploymentId);
      requireStarted(deployment);
      if (!input.targetId) throw new AwsError('DeploymentTargetIdRequiredException', 'A deployment target ID was not provided.');
      if (input.targetId !== targetId(deployment, sim)) {
        throw new AwsError('DeploymentTargetDoesNotExistException', `The provided target ID ${input.targetId} does not belong to the attempted deployment.`);
      }
      return { deploymentTarget: presentTarget(sim, deployment) };
    },

    ContinueDeployment(input: ContinueDeploymentInput, { sim }: HandlerContext) {
      const deployment = requireDeployment(sim, input.deploymentId);
      const waitType = input.deploymentWaitType ?? 'READY_WAIT';
      if (waitType !== 'READY_WAIT' && waitType !== 'TERMINATION_WAIT') {
        throw new AwsError('InvalidDeploymentWaitTypeException', `The wait type ${String(waitType)} is invalid; use READY_WAIT or TERMINATION_WAIT.`);
      }
      if (!isActive(deployment)) throw new AwsError('DeploymentAlreadyCompletedException', `The deployment ${deployment.id} has already completed.`);
      const now = sim.clock.now();
      if (waitType === 'READY_WAIT') {
        if (deployment.status !== 'Ready') {
          throw new AwsError('DeploymentIsNotInReadyStateException', `The deployment ${deployment.id} does not have a status of Ready and can't continue yet.`);
        }
        continueFromReady(sim, deployment, now);
      } else {
        if (deployment.phase !== 'termination-wait') {
          throw new AwsError('DeploymentIsNotInReadyStateException', `The deployment ${deployment.id} is not waiting to terminate the original task set.`);
        }
        endTerminationWait(sim, deployment, now);
      }
      return {};
    },

    PutLifecycleEventHookExecutionStatus(input: PutLifecycleEventHookExecutionStatusInput, { sim }: HandlerContext): PutLifecycleEventHookExecutionStatusOutput {
      const deployment = requireDeployment(sim, input.deploymentId);
      if (input.status !== 'Succeeded' && input.status !== 'Failed') {
        throw new AwsError('InvalidLifecycleEventHookExecutionStatusException', `The status ${String(input.status)} is invalid; a hook reports Succeeded or Failed.`);
      }
      const reported = reportHookStatus(deployment, String(input.lifecycleEventHookExecutionId), input.status);
      if (!reported.known) throw new AwsError('InvalidLifecycleEventHookExecutionIdException', `The lifecycle event hook execution ID ${String(input.lifecycleEventHookExecutionId)} is not valid for deployment ${deployment.id}.`);
      if (reported.completed) throw new AwsError('LifecycleEventAlreadyCompletedException', `The lifecycle event of hook execution ${String(input.lifecycleEventHookExecutionId)} has already completed.`);
      return { lifecycleEventHookExecutionId: input.lifecycleEventHookExecutionId };
    },

    StopDeployment(input: StopDeploymentInput, { sim }: HandlerContext): StopDeploymentOutput {
      const deployment = requireDeployment(sim, input.deploymentId);
      if (!isActive(deployment)) throw new AwsError('DeploymentAlreadyCompletedException', `The deployment ${deployment.id} has already completed.`);
      const rollback = endDeployment(
        sim,
        deployment,
        {
          status: 'Stopped',
          code: 'MANUAL_STOP',
          message: 'The deployment was stopped by a StopDeployment request.',
          rollback: input.autoRollbackEnabled ?? 'DEPLOYMENT_STOP_ON_REQUEST',
        },
        sim.clock.now(),
      );
      return rollback
        ? { status: 'Pending', statusMessage: `Stopping; rollback deployment ${rollback.id} returns traffic to the original task set.` }
        : { status: 'Succeeded', statusMessage: 'The deployment was stopped; traffic and task sets were left as they were.' };
    },
  },
};

/** Stop the group's (or the given) active deployment as a CloudWatch alarm would (control API). */
export function tripAlarm(sim: Simulation, target: { deploymentId?: string; applicationName?: string; deploymentGroupName?: string; alarmName?: string }): DeploymentRecord {
  const deployment = target.deploymentId
    ? requireDeployment(sim, target.deploymentId)
    : sim.world.deployments.find(
        (candidate) => candidate.applicationName === target.applicationName && candidate.deploymentGroupName === target.deploymentGroupName && isActive(candidate),
      );
  if (!deployment || !isActive(deployment)) throw new AwsError('DeploymentDoesNotExistException', 'No active deployment to stop.');
  const group = groupOf(sim, deployment);
  const alarm = target.alarmName ?? group.alarms.names[0] ?? 'emulated-alarm';
  endDeployment(
    sim,
    deployment,
    {
      status: 'Stopped',
      code: 'ALARM_ACTIVE',
      message: `One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: <${alarm}>`,
      rollback: 'DEPLOYMENT_STOP_ON_ALARM',
    },
    sim.clock.now(),
  );
  return deployment;
}
