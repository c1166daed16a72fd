/**
 * `settle`: bring a release that was cancelled or killed to a safe end with no person deciding
 * anything: the old version serving, the deployment and its rollback ended, auto scaling restored
 * from its record. What a CI job runs after a cancel (release-environment.yml), and what a person
 * runs when a release process died. Safe to run when nothing is left to do (exit 0).
 */
import { GetDeploymentGroupCommand } from '@aws-sdk/client-codedeploy';
import { EXIT, exitCodeHelp } from '../cli/exit-codes';
import type { Context } from '../context';
import { restoreLeftSuspension } from '../steps/auto-scaling';
import { DeploymentReader, findActiveDeployment, isTerminal } from '../steps/deployment-state';
import { followDeployment } from '../steps/follow-deployment';
import { rollbackText, serviceResult, type ServiceResult } from '../steps/outcome';
import { putBackRolling } from '../steps/rolling';
import { followRollback, SETTLE_LIMIT_MS, stopAndSettle, type Settled } from '../steps/settle';
import { commandLine, targetLabel, type ReleaseTarget } from '../steps/target';
import { createBatchedCalls, MAX_CONCURRENCY } from '../steps/batched-calls';
import { finishRelease, pool, serviceContext, type Command, type CommandOptions } from './common';
import { parseTargetCommand } from './simple';

export interface SettleOptions extends CommandOptions {
  /** Only a deployment created with this description is stopped (the release's `--description`). */
  readonly description?: string;
}

interface Ended {
  readonly settled: Settled;
  readonly what: string;
}

/** How the deployments of the group were brought to an end, before scaling is looked at. */
async function endDeployments(context: Context, target: ReleaseTarget, description: string | undefined): Promise<Ended | { readonly notOurs: string } | undefined> {
  const active = await findActiveDeployment(context, target);
  if (active) {
    const snapshot = await new DeploymentReader(context, active).read({ targets: false });
    if (snapshot.info.creator === 'codeDeployRollback') {
      // Already taking the old version back: stopping it would leave traffic half-way.
      context.out.line(`deployment ${active} is CodeDeploy's rollback: following it to its end`);
      const followed = await followDeployment(context, { target, deploymentId: active, deadline: context.clock.now() + SETTLE_LIMIT_MS, interruptible: false, label: 'rollback' });
      const settled = { deployment: followed.last, settled: followed.ending === 'finished' };
      const what = settled.settled ? `rollback ${active} ended ${followed.last.status}` : `rollback ${active} still ${followed.last.status}`;
      return { settled, what };
    }
    if (description !== undefined && snapshot.info.description !== description) {
      // Another release's (a person's, or one that won a race): not this job's to stop.
      return { notOurs: `deployment ${active} is not this release's (its description is not "${description}"): left running` };
    }
    context.out.line(`stopping deployment ${active} with rollback, so the old version serves`);
    const settled = await stopAndSettle(context, target, active, { rollback: true });
    return { settled, what: `deployment ${active} ${settled.deployment.status.toLowerCase()}; ${rollbackText(target, settled)}` };
  }
  // Nothing active. The last deployment may have been stopped a moment ago, its rollback not yet
  // named by CodeDeploy: look for it, and follow it if one starts.
  const { deploymentGroupInfo: group } = await context.clients.codeDeploy.send(
    new GetDeploymentGroupCommand({ applicationName: target.names.codeDeployApplication, deploymentGroupName: target.names.deploymentGroup }),
  );
  const lastId = group?.lastAttemptedDeployment?.deploymentId;
  if (!lastId) return undefined;
  const last = await new DeploymentReader(context, lastId).read({ targets: false });
  if (!isTerminal(last.status) || last.status === 'Succeeded') return undefined;
  const settled = await followRollback(context, target, last, { expectRollback: false });
  return settled.rollback ? { settled, what: `deployment ${lastId} ${last.status.toLowerCase()}; ${rollbackText(target, settled)}` } : undefined;
}

export async function settleService(context: Context, target: ReleaseTarget, options: Pick<SettleOptions, 'description'> = {}): Promise<ServiceResult> {
  if (target.strategy === 'rolling') {
    const putBack = await putBackRolling(context, target);
    return putBack ?? serviceResult(target, EXIT.succeeded, `${targetLabel(target)}: no rollout in progress; nothing to settle`);
  }
  const found = await endDeployments(context, target, options.description);
  if (found && 'notOurs' in found) {
    return serviceResult(target, EXIT.succeeded, `${targetLabel(target)}: ${found.notOurs}; its release restores auto scaling when it ends`);
  }
  const ended = found;
  const ids = ended ? { deploymentId: ended.settled.deployment.id, rollbackDeploymentId: ended.settled.rollback?.id, status: ended.settled.deployment.status } : {};
  if (ended && !ended.settled.settled) {
    return serviceResult(target, EXIT.timedOut, `${targetLabel(target)}: ${ended.what}; auto scaling stays suspended until it ends: run ${commandLine('settle', target)} again`, ids);
  }
  const { restored, heldFor } = await restoreLeftSuspension(context, target);
  const scaling = restored
    ? 'auto scaling restored'
    : heldFor
      ? `auto scaling stays suspended while deployment ${heldFor} runs: run ${commandLine('settle', target)} again once it ends`
      : 'auto scaling had nothing to restore';
  // Scaling still held for a deployment that runs is not yet the safe end: exit 4, like a rollback still running.
  return serviceResult(target, heldFor ? EXIT.timedOut : EXIT.succeeded, `${targetLabel(target)}: ${ended?.what ?? 'no deployment was running'}; ${scaling}`, ids);
}

export const settleCommand: Command<SettleOptions> = {
  name: 'settle',
  summary: 'after a cancelled or killed release: old version serving, scaling restored',
  help: `Usage: npm run deploy -- settle --env ENV [--service NAME[,NAME] | --all] [--description TEXT] [--json]

For a release whose process was cancelled or killed (a CI cancel ends with SIGKILL). Stops the
group's active deployment with rollback (a CodeDeploy rollback already under way is followed, not
stopped), waits up to ${SETTLE_LIMIT_MS / 60_000} min for the rollback to end, then restores auto scaling from the
record the release left on the scalable target. With nothing running it only restores scaling.
With --description (the release's own), a forward deployment is stopped only if it carries that
description: another release's deployment is left running. Exit 0 once the old version serves and
scaling is restored (or the running deployment is not this release's); 4 when the rollback, or
the deployment auto scaling is suspended for, is still running. With --all (after a
\`deploy --all\` that died) every service of the environment is settled, their reads batched.

${exitCodeHelp()}`,
  parse(argv) {
    const { flags, targets, help } = parseTargetCommand('settle', argv, { all: { type: 'boolean' }, description: { type: 'string' } }, { allowMany: true });
    return { help, json: flags.json, targets, description: flags.description };
  },
  async run(context, options) {
    const several = options.targets.length > 1;
    context.interrupts.onInterrupt = 'stopping only the watching: CodeDeploy completes the rollback on its own; run settle again to restore auto scaling';
    // Several services (after `deploy --all`): all at once, their reads batched as deploy's are.
    const batch = several ? createBatchedCalls(context) : undefined;
    const results = await pool(options.targets, MAX_CONCURRENCY, (target) => settleService({ ...serviceContext(context, target, several), batch }, target, options));
    return finishRelease(context, 'settle', options.targets[0].env, results, {}, { notify: false });
  },
};
