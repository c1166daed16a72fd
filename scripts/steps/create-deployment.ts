/**
 * CreateDeployment, and what to do when the deployment group already has one running
 * (`--if-active`): fail naming it and the commands to follow or stop it, wait for it, or stop it.
 */
import { CreateDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { hasName } from '../aws/errors';
import { BadInputError, ReleaseError } from '../cli/errors';
import { EXIT } from '../cli/exit-codes';
import type { Context } from '../context';
import { appSpecContent, type AppSpec } from './appspec';
import { findActiveDeployment } from './deployment-state';
import { followDeployment } from './follow-deployment';
import { stopAndSettle } from './settle';
import { commandLine, type ReleaseTarget } from './target';

export const IF_ACTIVE_CHOICES = ['fail', 'wait', 'stop'] as const;
export type IfActive = (typeof IF_ACTIVE_CHOICES)[number];

export function activeDeploymentError(target: ReleaseTarget, deploymentId: string): BadInputError {
  return new BadInputError(
    `deployment group ${target.names.deploymentGroup} already has an active deployment ${deploymentId}: ` +
      `follow it: ${commandLine('wait', target)}; stop it: ${commandLine('stop', target)}; or rerun with --if-active wait|stop`,
  );
}

/** Another release created its deployment between this run's check and its CreateDeployment. */
export function lostRaceError(target: ReleaseTarget, deploymentId: string): BadInputError {
  return new BadInputError(
    `another release started deployment ${deploymentId} in ${target.names.deploymentGroup} while this one was being prepared; ` +
      `this run changed nothing that serves (service, listeners and auto scaling untouched): follow it: ${commandLine('wait', target)}; ` +
      'or rerun with --if-active wait|stop',
  );
}

/** Deal with a deployment someone else started. Returns once the group is free; `fail` throws. */
export async function resolveActiveDeployment(
  context: Context,
  target: ReleaseTarget,
  deploymentId: string,
  mode: IfActive,
  deadline: number | undefined,
): Promise<void> {
  if (mode === 'fail') throw activeDeploymentError(target, deploymentId);
  if (mode === 'stop') {
    context.out.line(`--if-active stop: stopping active deployment ${deploymentId} with rollback`);
    const settled = await stopAndSettle(context, target, deploymentId, { rollback: true });
    context.interrupts.stoppingMessage = undefined;
    if (!settled.settled) {
      throw new ReleaseError(`active deployment ${deploymentId} did not settle after the stop; nothing was released; follow it: ${commandLine('wait', target)}`, EXIT.timedOut);
    }
    return;
  }
  context.out.line(`--if-active wait: waiting for active deployment ${deploymentId} to end`);
  const result = await followDeployment(context, { target, deploymentId, deadline, interruptible: true, label: 'active' });
  if (result.ending === 'interrupted') {
    throw new ReleaseError(`interrupted while waiting for ${deploymentId}; nothing was released; it keeps running: ${commandLine('wait', target)}`, EXIT.detached);
  }
  if (result.ending === 'timeout') throw new ReleaseError(`timed out waiting for active deployment ${deploymentId}; nothing was released`, EXIT.timedOut);
}

export interface CreateDeploymentRequest {
  readonly appSpec: AppSpec;
  readonly deploymentConfigName?: string;
  readonly description?: string;
  readonly ifActive: IfActive;
  readonly deadline?: number;
}

/** Create the deployment; the group's own auto-rollback and alarm settings apply. */
export async function createDeployment(context: Context, target: ReleaseTarget, request: CreateDeploymentRequest): Promise<string> {
  const create = () =>
    context.clients.codeDeploy.send(
      new CreateDeploymentCommand({
        applicationName: target.names.codeDeployApplication,
        deploymentGroupName: target.names.deploymentGroup,
        revision: { revisionType: 'AppSpecContent', appSpecContent: appSpecContent(request.appSpec) },
        ...(request.deploymentConfigName ? { deploymentConfigName: request.deploymentConfigName } : {}),
        ...(request.description ? { description: request.description.slice(0, 100) } : {}),
      }),
    );
  let created;
  try {
    created = await create();
  } catch (error) {
    // Someone started a deployment between preflight and now: this run lost the race. Nothing that
    // serves was touched (the deployment is created before scaling is suspended).
    if (!hasName(error, 'DeploymentLimitExceededException')) throw error;
    const active = await findActiveDeployment(context, target);
    if (!active) throw error;
    if (request.ifActive === 'fail') throw lostRaceError(target, active);
    await resolveActiveDeployment(context, target, active, request.ifActive, request.deadline);
    created = await create();
  }
  if (!created.deploymentId) throw new Error('CreateDeployment returned no deployment id');
  return created.deploymentId;
}
