/** `approve` and `finish`: ContinueDeployment, only from the wait it ends, with a clear word otherwise. */
import { ContinueDeploymentCommand, type DeploymentWaitType } from '@aws-sdk/client-codedeploy';
import { BadInputError } from '../cli/errors';
import { EXIT } from '../cli/exit-codes';
import { pollIntervalMs, type Context } from '../context';
import { readScalingTarget, restoreLeftSuspension } from './auto-scaling';
import { chosenDeployment, DeploymentReader, isTerminal, type DeploymentSnapshot } from './deployment-state';
import { serviceResult, type ServiceResult } from './outcome';
import { commandLine, targetLabel, type ReleaseTarget } from './target';

/** Why a deployment is not in the wait a command ends, and what to run instead. */
export function notWaitingMessage(target: ReleaseTarget, snapshot: DeploymentSnapshot, wanted: DeploymentWaitType): string {
  const where = `deployment ${snapshot.id} is ${snapshot.status}`;
  if (isTerminal(snapshot.status)) return `${where}: it has ended, nothing to ${wanted === 'READY_WAIT' ? 'approve' : 'finish'}`;
  if (wanted === 'READY_WAIT') {
    if (snapshot.info.instanceTerminationWaitTimeStarted) return `${where} and past approval: traffic has moved and old tasks are kept; end that wait with: ${commandLine('finish', target)}`;
    return `${where}, not waiting for approval (Ready); follow it: ${commandLine('wait', target)}`;
  }
  if (snapshot.status === 'Ready') return `${where}: it waits for approval, not termination; approve with: ${commandLine('approve', target)}`;
  return `${where}: the termination wait has not started (traffic is still moving); follow it: ${commandLine('wait', target)}`;
}

/** How long `finish` waits for the old task set's removal before it leaves restoring scaling to `wait`. */
const FINISH_SETTLE_MS = 5 * 60_000;

/**
 * After `finish`: when a release left auto scaling suspended (interrupted during the termination
 * wait), wait for the deployment to end (the old task set's removal) and restore scaling.
 */
async function restoreScalingAfterFinish(context: Context, target: ReleaseTarget, deploymentId: string): Promise<void> {
  const scalable = await readScalingTarget(context, target).catch(() => undefined);
  if (!scalable?.record) return;
  const reader = new DeploymentReader(context, deploymentId);
  const deadline = context.clock.now() + FINISH_SETTLE_MS;
  for (;;) {
    const snapshot = await reader.read({ targets: false });
    if (isTerminal(snapshot.status)) break;
    if (context.clock.now() >= deadline || context.interrupts.signal.aborted) {
      context.out.line(`auto scaling stays suspended until deployment ${deploymentId} ends; ${commandLine('wait', target)} restores it`);
      return;
    }
    await context.clock.sleep(pollIntervalMs(context.env), context.interrupts.signal);
  }
  await restoreLeftSuspension(context, target);
}

export async function continueDeployment(
  context: Context,
  target: ReleaseTarget,
  deploymentIdFlag: string | undefined,
  wanted: DeploymentWaitType,
): Promise<ServiceResult> {
  if (target.strategy !== 'blue-green') throw new BadInputError(`${targetLabel(target)} releases by rolling update: there is no approval or termination wait`);
  const deploymentId = await chosenDeployment(context, target, deploymentIdFlag);
  if (!deploymentId) throw new BadInputError(`no active deployment in ${target.names.deploymentGroup}: nothing to ${wanted === 'READY_WAIT' ? 'approve' : 'finish'}`);
  const snapshot = await new DeploymentReader(context, deploymentId).read();
  const waiting = wanted === 'READY_WAIT' ? snapshot.status === 'Ready' : snapshot.info.instanceTerminationWaitTimeStarted === true && !isTerminal(snapshot.status);
  if (!waiting) throw new BadInputError(notWaitingMessage(target, snapshot, wanted));
  await context.clients.codeDeploy.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: wanted }));
  if (wanted === 'TERMINATION_WAIT') await restoreScalingAfterFinish(context, target, deploymentId);
  const verdict =
    wanted === 'READY_WAIT'
      ? `${targetLabel(target)}: approved deployment ${deploymentId}; traffic starts moving. Follow: ${commandLine('wait', target)}`
      : `${targetLabel(target)}: finished deployment ${deploymentId} early; the old tasks are being removed`;
  return serviceResult(target, EXIT.succeeded, verdict, { deploymentId, status: snapshot.status });
}
