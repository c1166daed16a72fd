/** `wait`: attach to a running deployment and follow it to its end, with deploy's exit codes. */
import { GetDeploymentGroupCommand } from '@aws-sdk/client-codedeploy';
import { parseDuration } from '../cli/args';
import { EXIT, exitCodeHelp } from '../cli/exit-codes';
import type { Context } from '../context';
import { chosenDeployment } from '../steps/deployment-state';
import { followDeployment } from '../steps/follow-deployment';
import { finishedResult, serviceResult, verificationFailedResult, type ServiceResult } from '../steps/outcome';
import { groupWaits } from '../steps/preflight';
import { waitRolling } from '../steps/rolling';
import { restoreLeftSuspension } from '../steps/auto-scaling';
import { followRollback } from '../steps/settle';
import { commandLine, targetLabel, type ReleaseTarget } from '../steps/target';
import { deploymentHook, hookFailure, showHookLog } from '../steps/verification-hook';
import { finishRelease, type Command, type CommandOptions } from './common';
import { parseTargetCommand } from './simple';

export interface WaitOptions extends CommandOptions {
  readonly deploymentId?: string;
  readonly timeoutMs?: number;
}

async function waitBlueGreen(context: Context, target: ReleaseTarget, options: WaitOptions): Promise<ServiceResult> {
  const { deploymentGroupInfo: group } = await context.clients.codeDeploy.send(
    new GetDeploymentGroupCommand({ applicationName: target.names.codeDeployApplication, deploymentGroupName: target.names.deploymentGroup }),
  );
  // Nothing running: report how the last deployment ended, so `deploy --detach` then `wait` still gives a verdict.
  const deploymentId = (await chosenDeployment(context, target, options.deploymentId)) ?? group?.lastAttemptedDeployment?.deploymentId;
  if (!deploymentId) return serviceResult(target, EXIT.succeeded, `${targetLabel(target)}: no deployment has run in ${target.names.deploymentGroup}; nothing to wait for`);
  const deadline = options.timeoutMs !== undefined ? context.clock.now() + options.timeoutMs : undefined;
  const followed = await followDeployment(context, { target, deploymentId, waits: group ? groupWaits(group) : undefined, deadline, interruptible: true });
  if (followed.ending === 'interrupted') {
    return serviceResult(target, EXIT.detached, `${targetLabel(target)}: stopped watching deployment ${deploymentId} (this command did not start it, so it keeps running); stop it: ${commandLine('stop', target)}`, { deploymentId, status: followed.last.status });
  }
  if (followed.ending === 'timeout') {
    return serviceResult(target, EXIT.timedOut, `${targetLabel(target)}: timed out waiting for deployment ${deploymentId} (${followed.last.status}); it keeps running: ${commandLine('wait', target)}`, { deploymentId, status: followed.last.status });
  }
  const last = followed.last;
  // A deployment the verification hook failed (its runner may have died): show why, as deploy does.
  const hook = deploymentHook(target, last);
  const failure = hook && hookFailure(last, hook);
  if (failure) context.out.line(`verify failed: ${failure}`);
  const settled = last.status === 'Succeeded' ? { deployment: last, settled: true } : await followRollback(context, target, last, { expectRollback: failure !== undefined });
  if (settled.settled) await restoreLeftSuspension(context, target);
  if (hook && failure) return verificationFailedResult(target, failure, settled, {}, await showHookLog(context, hook, last));
  return finishedResult(target, settled);
}

export const waitCommand: Command<WaitOptions> = {
  name: 'wait',
  summary: 'follow the running deployment to its end',
  help: `Usage: npm run deploy -- wait --env ENV [--service NAME] [--deployment-id ID] [--timeout DURATION] [--json]

Follows the active deployment (or --deployment-id; with neither, the last one) like deploy does,
including its rollback, and exits with the same codes. Ctrl-C here only stops watching: this
command did not start the deployment, so it keeps running (exit 6).

${exitCodeHelp()}`,
  parse(argv) {
    const { flags, targets, help } = parseTargetCommand('wait', argv, { 'deployment-id': { type: 'string' }, timeout: { type: 'string' } }, { allowMany: false });
    return {
      help,
      json: flags.json,
      targets,
      deploymentId: flags['deployment-id'],
      timeoutMs: flags.timeout !== undefined ? parseDuration('--timeout', flags.timeout) : undefined,
    };
  },
  async run(context, options) {
    const target = options.targets[0];
    context.interrupts.onInterrupt = 'stopping only the watching: this command did not start the deployment, so it keeps running (exit 6)';
    const deadline = options.timeoutMs !== undefined ? context.clock.now() + options.timeoutMs : undefined;
    const result = target.strategy === 'rolling' ? await waitRolling(context, target, deadline) : await waitBlueGreen(context, target, options);
    return finishRelease(context, 'wait', target.env, [result], {}, { notify: false });
  },
};
