/**
 * After a deployment ends badly, or when it must be stopped: stop it (with rollback by default)
 * and follow CodeDeploy's rollback deployment until the old version serves again, within a bound.
 */
import { StopDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { hasName } from '../aws/errors';
import { pollIntervalMs, type Context } from '../context';
import { DeploymentReader, type DeploymentSnapshot } from './deployment-state';
import { followDeployment, type DeploymentNarrator } from './follow-deployment';
import type { ReleaseTarget } from './target';

/** How long a stop or a rollback may take to settle before the tool reports it as still running. */
export const SETTLE_LIMIT_MS = 10 * 60_000;

export interface Settled {
  /** Last state of the deployment that was stopped or failed. */
  readonly deployment: DeploymentSnapshot;
  /** Last state of CodeDeploy's rollback deployment, when one ran. */
  readonly rollback?: DeploymentSnapshot;
  /** True when everything reached a final status within the bound. */
  readonly settled: boolean;
}

/** CodeDeploy names the rollback deployment a moment after the status changes: look a few times. */
async function withRollbackId(context: Context, snapshot: DeploymentSnapshot, expectRollback: boolean): Promise<DeploymentSnapshot> {
  let current = snapshot;
  const expected = snapshot.status !== 'Succeeded' && (expectRollback || snapshot.info.autoRollbackConfiguration?.enabled === true);
  const reader = new DeploymentReader(context, snapshot.id);
  for (let attempt = 0; expected && !current.info.rollbackInfo?.rollbackDeploymentId && attempt < 3; attempt++) {
    await context.clock.sleep(pollIntervalMs(context.env));
    current = await reader.read();
  }
  return current;
}

/** Follow the rollback deployment of a failed or stopped one to its end (not interruptible). */
export async function followRollback(
  context: Context,
  target: ReleaseTarget,
  ended: DeploymentSnapshot,
  options: { expectRollback: boolean; deadline?: number },
): Promise<Settled> {
  const deployment = await withRollbackId(context, ended, options.expectRollback);
  const rollbackId = deployment.info.rollbackInfo?.rollbackDeploymentId;
  if (!rollbackId) return { deployment, settled: true };
  context.out.line(`rollback deployment ${rollbackId} started`);
  const result = await followDeployment(context, {
    target,
    deploymentId: rollbackId,
    deadline: options.deadline ?? context.clock.now() + SETTLE_LIMIT_MS,
    interruptible: false,
    label: 'rollback',
  });
  return { deployment, rollback: result.last, settled: result.ending === 'finished' };
}

/**
 * StopDeployment (rolling back unless told not to); a deployment that has just ended is no error.
 * Returns false when it had already ended.
 */
export async function requestStop(context: Context, deploymentId: string, rollback: boolean): Promise<boolean> {
  try {
    await context.clients.codeDeploy.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: rollback }));
    context.out.line(`stop requested for deployment ${deploymentId}${rollback ? ' (with rollback)' : ' (no rollback)'}`);
    return true;
  } catch (error) {
    if (!hasName(error, 'DeploymentAlreadyCompletedException')) throw error;
    context.out.line(`deployment ${deploymentId} had already completed`);
    return false;
  }
}

/** StopDeployment (rolling back unless told not to), then wait for the stop and the rollback to settle. */
export async function stopAndSettle(
  context: Context,
  target: ReleaseTarget,
  deploymentId: string,
  options: { rollback: boolean; narrator?: DeploymentNarrator },
): Promise<Settled> {
  context.interrupts.stoppingMessage =
    `still stopping deployment ${deploymentId}${options.rollback ? ' and rolling back' : ''}; waiting up to ${SETTLE_LIMIT_MS / 60_000} min for it to settle (the tool will not abandon it; if this process is killed, CodeDeploy completes the rollback and \`settle\` restores auto scaling)`;
  await requestStop(context, deploymentId, options.rollback);
  const deadline = context.clock.now() + SETTLE_LIMIT_MS;
  const result = await followDeployment(context, { target, deploymentId, deadline, interruptible: false, narrator: options.narrator });
  if (result.ending !== 'finished') return { deployment: result.last, settled: false };
  if (!options.rollback) return { deployment: result.last, settled: true };
  return followRollback(context, target, result.last, { expectRollback: true, deadline });
}
