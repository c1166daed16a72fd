/**
 * `status`: per service, the running revision and image, which target group is live, task
 * counts, and the current (or last) deployment with its lifecycle events and traffic split.
 */
import { DescribeListenersCommand, DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { exitCodeHelp, EXIT } from '../cli/exit-codes';
import type { Context } from '../context';
import { readScalingTarget, type ScalingTarget } from '../steps/auto-scaling';
import { describeTaskDefinition } from '../steps/base-revision';
import { DeploymentReader, findActiveDeployment, type DeploymentSnapshot } from '../steps/deployment-state';
import { clockTime, trafficLine } from '../steps/follow-deployment';
import { shortRevision } from '../steps/outcome';
import { protectedTasks, type ProtectedTask } from '../steps/task-protection';
import { describeLiveService, getDeploymentGroup, runningTaskDefinition } from '../steps/preflight';
import { commandLine, targetLabel, type ReleaseTarget } from '../steps/target';
import { pool, serviceContext, type Command, type CommandOptions } from './common';
import { parseTargetCommand } from './simple';

export interface StatusOptions extends CommandOptions {}

export interface ServiceStatus {
  readonly environment: string;
  readonly service: string;
  readonly strategy: string;
  readonly runningRevision?: string;
  readonly image?: string;
  readonly digest?: string;
  readonly liveTargetGroups?: readonly { readonly name: string; readonly weight: number }[];
  readonly tasks: { readonly desired: number; readonly running: number; readonly pending: number };
  readonly taskSets?: readonly { readonly status?: string; readonly taskDefinition?: string; readonly running?: number; readonly desired?: number }[];
  readonly rollouts?: readonly { readonly status?: string; readonly rolloutState?: string; readonly taskDefinition?: string }[];
  /** Tasks of a rolling service that a scale-in or a rollout may not stop yet, with their expiry. */
  readonly protectedTasks?: readonly ProtectedTask[];
  /** Auto scaling of a blue/green service, when it has a scalable target. */
  readonly autoScaling?: {
    readonly suspended: { readonly dynamicIn: boolean; readonly dynamicOut: boolean; readonly scheduled: boolean };
    /** When a release suspended it and has not restored it: since when, and what it restores. */
    readonly releaseRecord?: { readonly since: string; readonly restores: { readonly dynamicIn: boolean; readonly dynamicOut: boolean; readonly scheduled: boolean }; readonly deployment?: string };
  };
  readonly deployment?: {
    readonly id: string;
    readonly active: boolean;
    readonly status: string;
    readonly events: readonly { readonly name: string; readonly status: string }[];
    readonly traffic?: string;
  };
}

/** Which target groups the production listener forwards to, with their weights. */
async function liveTargetGroups(context: Context, listenerArn: string): Promise<{ name: string; weight: number }[]> {
  const listeners = await context.clients.elbv2.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }));
  const forwards = (listeners.Listeners?.[0]?.DefaultActions ?? []).filter((action) => action.Type === 'forward');
  const weighted = forwards.flatMap((action) =>
    action.ForwardConfig?.TargetGroups?.length
      ? action.ForwardConfig.TargetGroups.map((group) => ({ arn: group.TargetGroupArn ?? '', weight: group.Weight ?? 1 }))
      : action.TargetGroupArn
        ? [{ arn: action.TargetGroupArn, weight: 1 }]
        : [],
  );
  if (weighted.length === 0) return [];
  const groups = await context.clients.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: weighted.map((entry) => entry.arn) }));
  const total = weighted.reduce((sum, entry) => sum + entry.weight, 0) || 1;
  return weighted
    .filter((entry) => entry.weight > 0)
    .map((entry) => ({
      name: groups.TargetGroups?.find((group) => group.TargetGroupArn === entry.arn)?.TargetGroupName ?? entry.arn,
      weight: Math.round((entry.weight / total) * 100),
    }));
}

function flags(state: ScalingTarget['state']): { dynamicIn: boolean; dynamicOut: boolean; scheduled: boolean } {
  return { dynamicIn: state.DynamicScalingInSuspended === true, dynamicOut: state.DynamicScalingOutSuspended === true, scheduled: state.ScheduledScalingSuspended === true };
}

function autoScalingStatus(scaling: ScalingTarget | undefined): ServiceStatus['autoScaling'] {
  if (!scaling) return undefined;
  const record = scaling.record;
  return {
    suspended: flags(scaling.state),
    releaseRecord: record
      ? { since: new Date(record.since).toISOString(), restores: flags(record.prior), ...(record.deployment ? { deployment: record.deployment } : {}) }
      : undefined,
  };
}

/** One line on auto scaling: running, suspended by a release (and who restores it), or by hand. */
function autoScalingLine(target: ReleaseTarget, scaling: NonNullable<ServiceStatus['autoScaling']>): string {
  const { dynamicIn, dynamicOut, scheduled } = scaling.suspended;
  if (scaling.releaseRecord) {
    const forDeployment = scaling.releaseRecord.deployment ? ` for deployment ${scaling.releaseRecord.deployment}` : '';
    return `suspended by the release at ${clockTime(Date.parse(scaling.releaseRecord.since))}${forDeployment}; restored when its deployment ends by ${commandLine('wait', target)}, stop, finish, settle or the next release`;
  }
  if (!dynamicIn && !dynamicOut && !scheduled) return 'active';
  if (dynamicIn && dynamicOut && scheduled) return 'suspended, not by a release (releases leave it so)';
  return `partly suspended (dynamic in ${dynamicIn}, dynamic out ${dynamicOut}, scheduled ${scheduled})`;
}

export async function serviceStatus(context: Context, target: ReleaseTarget): Promise<ServiceStatus> {
  const service = await describeLiveService(context, target);
  const running = runningTaskDefinition(service);
  let image: string | undefined;
  if (running) {
    const described = await describeTaskDefinition(context, running);
    image = described.taskDefinition.containerDefinitions?.find((container) => container.name === target.service.containerName)?.image;
  }
  const base = {
    environment: target.env.environment,
    service: target.service.name,
    strategy: target.strategy,
    runningRevision: running,
    image,
    digest: image?.includes('@') ? image.split('@')[1] : undefined,
    tasks: { desired: service.desiredCount ?? 0, running: service.runningCount ?? 0, pending: service.pendingCount ?? 0 },
  };
  if (target.strategy === 'rolling') {
    return {
      ...base,
      rollouts: (service.deployments ?? []).map((d) => ({ status: d.status, rolloutState: d.rolloutState, taskDefinition: d.taskDefinition })),
      protectedTasks: await protectedTasks(context, target),
    };
  }
  const group = await getDeploymentGroup(context, target);
  const productionListener = group.loadBalancerInfo?.targetGroupPairInfoList?.[0]?.prodTrafficRoute?.listenerArns?.[0];
  const live = productionListener ? await liveTargetGroups(context, productionListener) : undefined;
  const [active, scaling] = await Promise.all([findActiveDeployment(context, target), readScalingTarget(context, target)]);
  const deploymentId = active ?? group.lastAttemptedDeployment?.deploymentId;
  let snapshot: DeploymentSnapshot | undefined;
  if (deploymentId) snapshot = await new DeploymentReader(context, deploymentId).read();
  return {
    ...base,
    liveTargetGroups: live,
    autoScaling: autoScalingStatus(scaling),
    taskSets: (service.taskSets ?? []).map((set) => ({ status: set.status, taskDefinition: set.taskDefinition, running: set.runningCount, desired: set.computedDesiredCount })),
    deployment: snapshot
      ? {
          id: snapshot.id,
          active: Boolean(active),
          status: snapshot.status,
          events: snapshot.events.map((event) => ({ name: event.name, status: event.status })),
          traffic: trafficLine(snapshot),
        }
      : undefined,
  };
}

function printStatus(context: Context, target: ReleaseTarget, status: ServiceStatus): void {
  const out = context.out;
  out.line(`${targetLabel(target)} (${status.strategy})`);
  out.line(`  running:  ${shortRevision(status.runningRevision)}  image ${status.image ?? 'unknown'}${status.digest ? '' : ' (not pinned by digest)'}`);
  out.line(`  tasks:    ${status.tasks.running}/${status.tasks.desired} running${status.tasks.pending ? `, ${status.tasks.pending} pending` : ''}`);
  if (status.liveTargetGroups) out.line(`  live:     ${status.liveTargetGroups.map((group) => `${group.name} ${group.weight}%`).join(', ') || 'no forward action'}`);
  for (const set of status.taskSets ?? []) out.line(`  task set: ${set.status} ${shortRevision(set.taskDefinition)} ${set.running ?? 0}/${set.desired ?? 0}`);
  for (const rollout of status.rollouts ?? []) out.line(`  rollout:  ${rollout.status} ${rollout.rolloutState ?? ''} ${shortRevision(rollout.taskDefinition)}`);
  for (const task of status.protectedTasks ?? []) {
    out.line(`  protected: task ${task.taskArn.split('/').pop()} until ${task.expiresAt ?? 'cleared'} (a rollout or scale-in waits for it)`);
  }
  if (status.autoScaling) out.line(`  scaling:  ${autoScalingLine(target, status.autoScaling)}`);
  if (status.deployment) {
    const d = status.deployment;
    out.line(`  ${d.active ? 'current' : 'last'} deployment: ${d.id} ${d.status}`);
    for (const event of d.events) out.line(`    ${event.name}: ${event.status}`);
    if (d.traffic) out.line(`    ${d.traffic}`);
  }
}

export const statusCommand: Command<StatusOptions> = {
  name: 'status',
  summary: 'show what runs, what is live, and the current or last deployment',
  help: `Usage: npm run deploy -- status --env ENV [--service NAME[,NAME] | --all] [--json]

For each service (all of the environment's by default): running revision and image, the target
group the production listener forwards to, task counts, auto scaling (and whether a release left
it suspended), and the current or last deployment with its lifecycle events and traffic split.
For rolling services (workers among them): the tasks with scale-in protection and when it expires.
Read-only.

${exitCodeHelp()}`,
  parse(argv) {
    const { flags, targets, help } = parseTargetCommand('status', argv, { all: { type: 'boolean' } }, { allowMany: true, defaultAll: true });
    return { help, json: flags.json, targets };
  },
  async run(context, options) {
    const several = options.targets.length > 1;
    const statuses = await pool(options.targets, 4, (target) => serviceStatus(serviceContext(context, target, several), target));
    statuses.forEach((status, index) => printStatus(context, options.targets[index], status));
    return { exitCode: EXIT.succeeded, document: { command: 'status', environment: options.targets[0].env.environment, exitCode: EXIT.succeeded, services: statuses } };
  },
};
