/** `stop`: stop the running deployment, rolling back by default, and report where traffic is. */
import { BadInputError } from '../cli/errors';
import { EXIT, exitCodeHelp } from '../cli/exit-codes';
import type { Context } from '../context';
import { chosenDeployment } from '../steps/deployment-state';
import { rollbackText, serviceResult, type ServiceResult } from '../steps/outcome';
import { putBackRolling } from '../steps/rolling';
import { restoreLeftSuspension } from '../steps/auto-scaling';
import { stopAndSettle } from '../steps/settle';
import { commandLine, targetLabel, type ReleaseTarget } from '../steps/target';
import { finishRelease, type Command, type CommandOptions } from './common';
import { parseTargetCommand } from './simple';

export interface StopOptions extends CommandOptions {
  readonly deploymentId?: string;
  readonly rollback: boolean;
}

export async function stopService(context: Context, target: ReleaseTarget, options: Pick<StopOptions, 'deploymentId' | 'rollback'>): Promise<ServiceResult> {
  if (target.strategy === 'rolling') {
    const putBack = await putBackRolling(context, target);
    if (!putBack) throw new BadInputError(`no rollout in progress on ${target.names.service}: nothing to stop`);
    return putBack;
  }
  const deploymentId = await chosenDeployment(context, target, options.deploymentId);
  if (!deploymentId) throw new BadInputError(`no active deployment in ${target.names.deploymentGroup}: nothing to stop`);
  if (!options.rollback) {
    context.out.warn(
      'stopping WITHOUT rollback: traffic stays where it is now. If it had moved (even partly) to the new version, that version keeps serving it; ' +
        `check with ${commandLine('status', target)} and roll back with ${commandLine('rollback', target)} if needed`,
    );
  }
  const settled = await stopAndSettle(context, target, deploymentId, { rollback: options.rollback });
  const ids = { deploymentId, rollbackDeploymentId: settled.rollback?.id, status: settled.deployment.status };
  if (!settled.settled) return serviceResult(target, EXIT.timedOut, `${targetLabel(target)}: deployment ${deploymentId} is still ${settled.deployment.status}; ${rollbackText(target, settled)}`, ids);
  await restoreLeftSuspension(context, target);
  const rolledBackOk = !options.rollback || !settled.rollback || settled.rollback.status === 'Succeeded';
  return serviceResult(
    target,
    rolledBackOk ? EXIT.succeeded : EXIT.failed,
    `${targetLabel(target)}: deployment ${deploymentId} ${settled.deployment.status.toLowerCase()}; ${options.rollback ? rollbackText(target, settled) : 'traffic left as it was'}`,
    ids,
  );
}

export const stopCommand: Command<StopOptions> = {
  name: 'stop',
  summary: 'stop the running deployment (rolls back unless --no-rollback)',
  help: `Usage: npm run deploy -- stop --env ENV [--service NAME] [--deployment-id ID] [--no-rollback] [--json]

StopDeployment with rollback (default): CodeDeploy routes traffic back to the original task set
and the command waits for the rollback to settle. --no-rollback leaves traffic where it is.
Rolling services: the previous revision is put back. Exit 0 once the old version serves again.

${exitCodeHelp()}`,
  parse(argv) {
    const { flags, targets, help } = parseTargetCommand('stop', argv, { 'deployment-id': { type: 'string' }, 'no-rollback': { type: 'boolean' } }, { allowMany: false });
    return { help, json: flags.json, targets, deploymentId: flags['deployment-id'], rollback: !flags['no-rollback'] };
  },
  async run(context, options) {
    const target = options.targets[0];
    const result = await stopService(context, target, options);
    return finishRelease(context, 'stop', target.env, [result]);
  },
};
