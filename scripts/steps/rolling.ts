/**
 * Rolling releases (ECS deployment controller): UpdateService with the new revision and nothing
 * else, then follow the PRIMARY deployment's rolloutState. The circuit breaker rolls a failed
 * release back by itself; Ctrl-C or a timeout puts the previous revision back (unless --detach).
 */
import { DescribeServicesCommand, UpdateServiceCommand, type Deployment, type Service } from '@aws-sdk/client-ecs';
import { EXIT } from '../cli/exit-codes';
import { pollIntervalMs, type Context } from '../context';
import { serviceResult, shortRevision, type ServiceResult } from './outcome';
import { runningTaskDefinition } from './preflight';
import { readBefore } from './follow-deployment';
import { migrate } from './migrate';
import { registerRevision } from './register-revision';
import type { RevisionSource } from './release';
import { awaitRegistrationTurn, interruptedBeforeChange, withDeploymentNote } from './release';
import { SETTLE_LIMIT_MS } from './settle';
import { commandLine, targetLabel, type ReleaseTarget } from './target';

export interface RollingRelease {
  readonly target: ReleaseTarget;
  readonly service: Service;
  readonly revision: RevisionSource;
  readonly details?: Partial<ServiceResult>;
}

export interface RollingOptions {
  readonly detach: boolean;
  readonly deadline?: number;
  /** A migration to run with the new revision before the update (migrate.ts). */
  readonly migrate?: readonly string[];
}

/** DescribeServices of this service, or with several services the shared batch read (batched-calls.ts). */
async function describe(context: Context, target: ReleaseTarget, abortSignal?: AbortSignal, since?: number): Promise<Service> {
  const batched = await context.batch?.service(target.cluster, target.names.service, since);
  if (batched) return batched;
  const found = await context.clients.ecs.send(new DescribeServicesCommand({ cluster: target.cluster, services: [target.names.service] }), { abortSignal });
  const service = found.services?.[0];
  if (!service) throw new Error(`service ${target.names.service} disappeared during the release`);
  return service;
}

async function updateService(context: Context, target: ReleaseTarget, taskDefinition: string): Promise<string | undefined> {
  const updated = await context.clients.ecs.send(new UpdateServiceCommand({ cluster: target.cluster, service: target.names.service, taskDefinition }));
  return updated.service?.deployments?.find((deployment) => deployment.status === 'PRIMARY')?.id;
}

type RolloutEnding = 'completed' | 'failed' | 'replaced' | 'interrupted' | 'timeout';

/** Follow one ECS deployment until its rollout completes or fails (the circuit breaker's verdict). */
async function followRollout(
  context: Context,
  target: ReleaseTarget,
  deploymentId: string | undefined,
  taskDefinition: string,
  options: { deadline?: number; interruptible: boolean },
): Promise<{ ending: RolloutEnding; primary?: Deployment }> {
  const base = pollIntervalMs(context.env);
  const { signal } = context.interrupts;
  const said = new Set<string>();
  // Following starts after the change (UpdateService): a shared read from before it would show the old rollout.
  const since = context.clock.now();
  let interval = base;
  let primary: Deployment | undefined;
  for (;;) {
    // A read still under way when --timeout elapses (throttling and the SDK's backoff) is
    // abandoned, so the overrun stays one poll interval plus the put-back call.
    const service = await readBefore(context, options.deadline, (abortSignal) => describe(context, target, abortSignal, since));
    if (service === undefined) return { ending: 'timeout', primary };
    const deployments = service.deployments ?? [];
    const ours = deployments.find((deployment) => (deploymentId ? deployment.id === deploymentId : deployment.taskDefinition === taskDefinition));
    primary = deployments.find((deployment) => deployment.status === 'PRIMARY');
    const line = `rollout ${ours?.rolloutState ?? 'gone'}: ${ours?.runningCount ?? 0}/${ours?.desiredCount ?? 0} running${ours?.pendingCount ? `, ${ours.pendingCount} pending` : ''}${ours?.failedTasks ? `, ${ours.failedTasks} failed` : ''}${ours?.rolloutStateReason ? ` (${ours.rolloutStateReason})` : ''}`;
    context.progress?.update({ phase: `rollout ${ours?.rolloutState ?? 'gone'}`, tasks: `${ours?.runningCount ?? 0}/${ours?.desiredCount ?? 0}` });
    const changed = !said.has(line);
    if (changed) {
      said.add(line);
      context.out.line(line);
    }
    if (ours?.rolloutState === 'COMPLETED' && primary?.id === ours.id) return { ending: 'completed', primary };
    if (ours?.rolloutState === 'FAILED' || (!ours && primary?.taskDefinition !== taskDefinition)) return { ending: 'failed', primary };
    // Not failed, yet no longer PRIMARY: an UpdateService from outside (stop, rollback, another
    // release) replaced this rollout. The circuit breaker had no part in it.
    if (deploymentId && ours && ours.status !== 'PRIMARY') return { ending: 'replaced', primary };
    if (options.interruptible && signal.aborted) return { ending: 'interrupted', primary };
    const now = context.clock.now();
    if (options.deadline !== undefined && now >= options.deadline) return { ending: 'timeout', primary };
    interval = changed ? base : Math.min(interval * 1.5, base * 3);
    await context.clock.sleep(Math.min(interval, options.deadline !== undefined ? Math.max(0, options.deadline - now) : interval), options.interruptible ? signal : undefined);
  }
}

/** After a failure or a put-back: wait (bounded) for the PRIMARY deployment to finish rolling out. */
async function settleRollout(context: Context, target: ReleaseTarget, taskDefinition: string | undefined): Promise<boolean> {
  if (!taskDefinition) return false;
  const settled = await followRollout(context, target, undefined, taskDefinition, { deadline: context.clock.now() + SETTLE_LIMIT_MS, interruptible: false });
  return settled.ending === 'completed';
}

export async function releaseRolling(context: Context, release: RollingRelease, options: RollingOptions): Promise<ServiceResult> {
  const { target } = release;
  const started = context.clock.now();
  const previous = runningTaskDefinition(release.service);
  if (!(await awaitRegistrationTurn(context, release.revision))) return interruptedBeforeChange(target);
  const arn = 'arn' in release.revision ? release.revision.arn : await registerRevision(context, release.revision.register);
  if ('register' in release.revision) context.out.line(`registered ${shortRevision(arn)}`);
  if (options.migrate) {
    context.progress?.update({ phase: 'migrating' });
    await migrate(context, { ...release, revisionArn: arn, registration: 'register' in release.revision ? release.revision.register : undefined }, options.migrate, options.deadline);
  }
  const details = { ...release.details, taskDefinition: arn };
  let deploymentId: string | undefined;
  try {
    deploymentId = await updateService(context, target, arn);
    context.out.line(`service ${target.names.service} updating to ${shortRevision(arn)} (ECS deployment ${deploymentId ?? 'unknown'})`);
    const followed = await followRollout(context, target, deploymentId, arn, { deadline: options.deadline, interruptible: true });
    const ids = { ...details, deploymentId, durationMs: context.clock.now() - started };
    switch (followed.ending) {
      case 'completed':
        return serviceResult(target, EXIT.succeeded, `${targetLabel(target)}: released ${shortRevision(arn)} (rolling)`, { ...ids, status: 'COMPLETED' });
      case 'replaced': {
        const now = followed.primary;
        context.out.line(`rollout of ${shortRevision(arn)} was replaced by ECS deployment ${now?.id ?? 'unknown'} (${shortRevision(now?.taskDefinition)}); waiting for it to settle`);
        const settled = await settleRollout(context, target, now?.taskDefinition);
        return serviceResult(
          target,
          EXIT.stopped,
          `${targetLabel(target)}: rollout of ${shortRevision(arn)} was replaced from outside this run (stop, rollback or another release); ${shortRevision(now?.taskDefinition)} ${settled ? 'is serving' : `is still rolling out, check: ${commandLine('status', target)}`}`,
          { ...ids, status: 'REPLACED' },
        );
      }
      case 'failed': {
        const back = followed.primary?.taskDefinition;
        const settled = await settleRollout(context, target, back);
        return serviceResult(
          target,
          EXIT.failed,
          `${targetLabel(target)}: rollout of ${shortRevision(arn)} failed; the circuit breaker rolled back to ${shortRevision(back)}${settled ? ', which is serving' : `; still settling, check: ${commandLine('status', target)}`}`,
          { ...ids, status: 'FAILED' },
        );
      }
      default: {
        const why = followed.ending === 'interrupted' ? 'interrupted' : 'timed out';
        if (options.detach) {
          return serviceResult(
            target,
            followed.ending === 'interrupted' ? EXIT.detached : EXIT.timedOut,
            `${targetLabel(target)}: ${why}; --detach left the rollout of ${shortRevision(arn)} running; check: ${commandLine('status', target)}`,
            { ...ids, status: 'IN_PROGRESS' },
          );
        }
        if (!previous) throw new Error('no previous task definition to return to');
        context.interrupts.stoppingMessage = `still putting ${shortRevision(previous)} back on ${target.names.service}; waiting for it to settle`;
        context.out.line(`${why}: putting ${shortRevision(previous)} back`);
        const putBack = await updateService(context, target, previous);
        if (followed.ending === 'timeout') {
          // --timeout is a bound: ECS rolls the previous revision out on its own; `wait` follows it.
          return serviceResult(
            target,
            EXIT.timedOut,
            `${targetLabel(target)}: timed out; put ${shortRevision(previous)} back (ECS deployment ${putBack ?? 'unknown'}): ECS rolls it out on its own, this run does not wait past --timeout; follow it: ${commandLine('wait', target)}`,
            { ...ids, status: 'ROLLED_BACK' },
          );
        }
        const settled = await settleRollout(context, target, previous);
        return serviceResult(
          target,
          followed.ending === 'interrupted' ? EXIT.stopped : EXIT.timedOut,
          `${targetLabel(target)}: ${why}; put ${shortRevision(previous)} back${settled ? ', which is serving' : `; still settling, check: ${commandLine('status', target)}`}`,
          { ...ids, status: 'ROLLED_BACK' },
        );
      }
    }
  } catch (error) {
    throw withDeploymentNote(error, target, { deploymentId });
  }
}

/** `wait` on a rolling service: follow the PRIMARY deployment until its rollout ends. */
export async function waitRolling(context: Context, target: ReleaseTarget, deadline: number | undefined): Promise<ServiceResult> {
  const service = await describe(context, target);
  const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  const arn = primary?.taskDefinition ?? service.taskDefinition ?? '';
  const followed = await followRollout(context, target, primary?.id, arn, { deadline, interruptible: true });
  const ids = { deploymentId: primary?.id, taskDefinition: arn };
  switch (followed.ending) {
    case 'completed':
      return serviceResult(target, EXIT.succeeded, `${targetLabel(target)}: ${shortRevision(arn)} is rolled out`, { ...ids, status: 'COMPLETED' });
    case 'failed':
      return serviceResult(target, EXIT.failed, `${targetLabel(target)}: rollout of ${shortRevision(arn)} failed; the circuit breaker rolled back to ${shortRevision(followed.primary?.taskDefinition)}`, { ...ids, status: 'FAILED' });
    case 'replaced':
      return serviceResult(target, EXIT.stopped, `${targetLabel(target)}: rollout of ${shortRevision(arn)} was replaced by ECS deployment ${followed.primary?.id ?? 'unknown'} (${shortRevision(followed.primary?.taskDefinition)}); follow it: ${commandLine('wait', target)}`, { ...ids, status: 'REPLACED' });
    case 'interrupted':
      return serviceResult(target, EXIT.detached, `${targetLabel(target)}: stopped watching (this command did not start the rollout); it keeps running`, ids);
    default:
      return serviceResult(target, EXIT.timedOut, `${targetLabel(target)}: timed out waiting; the rollout keeps running`, ids);
  }
}

/** `stop`/`rollback` on a rolling service mid-rollout: put the previous (ACTIVE) deployment's revision back. */
export async function putBackRolling(context: Context, target: ReleaseTarget): Promise<ServiceResult | undefined> {
  const service = await describe(context, target);
  const previous = service.deployments?.find((deployment) => deployment.status === 'ACTIVE')?.taskDefinition;
  if (!previous) return undefined;
  context.interrupts.stoppingMessage = `still putting ${shortRevision(previous)} back on ${target.names.service}; waiting for it to settle`;
  await updateService(context, target, previous);
  context.out.line(`putting ${shortRevision(previous)} back`);
  const settled = await settleRollout(context, target, previous);
  return serviceResult(
    target,
    settled ? EXIT.succeeded : EXIT.timedOut,
    `${targetLabel(target)}: put ${shortRevision(previous)} back${settled ? ', which is serving' : `; still settling, check: ${commandLine('status', target)}`}`,
    { taskDefinition: previous },
  );
}
