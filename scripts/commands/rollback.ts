/**
 * `rollback`: while a deployment runs, stop it with rollback. Otherwise deploy again the last
 * revision CodeDeploy deployed SUCCESSFULLY (other than the running one), through the same
 * create-and-follow path as deploy, without registering anything. Where the service's releases
 * are verified by the environment's verification hook (`release.verifyPath`), so is the rollback:
 * the revision served before, but the environment may have changed since (a migration, a rotated
 * secret), and a revision that fails the check must not take production traffic. A failed check
 * leaves the serving version in place (CodeDeploy rolls the rollback back) and shows why.
 */
import { parseDuration } from '../cli/args';
import { BadInputError } from '../cli/errors';
import { EXIT, exitCodeHelp } from '../cli/exit-codes';
import { hasName } from '../aws/errors';
import type { Context } from '../context';
import { buildAppSpec } from '../steps/appspec';
import { describeTaskDefinition, parseTaskDefinitionArn } from '../steps/base-revision';
import { findContainer } from '../steps/container-definitions';
import { findActiveDeployment } from '../steps/deployment-state';
import { lastSuccessfulRevision } from '../steps/last-successful-revision';
import { serviceResult, shortRevision, type ServiceResult } from '../steps/outcome';
import { checkController, checkDeploymentGroup, describeLiveService, runningTaskDefinition } from '../steps/preflight';
import { releaseBlueGreen } from '../steps/release';
import { releaseRolling } from '../steps/rolling';
import { targetLabel, type ReleaseTarget } from '../steps/target';
import { hookVerification, releaseHooks } from '../steps/verification-hook';
import { stringify } from 'yaml';
import { finishRelease, type Command, type CommandOptions } from './common';
import { parseTargetCommand } from './simple';
import { stopService } from './stop';

export interface RollbackOptions extends CommandOptions {
  /** ARN or revision number. */
  readonly to?: string;
  readonly dryRun: boolean;
  readonly detach: boolean;
  readonly timeoutMs?: number;
}

/** `--to 41` or `--to arn:...:task-definition/family:41` → the ARN-or-name ECS accepts. */
export function resolveRollbackTarget(target: ReleaseTarget, to: string): string {
  if (/^\d+$/.test(to)) return `${target.names.taskFamily}:${to}`;
  const parsed = parseTaskDefinitionArn(to) ?? (/^([^:/]+):(\d+)$/.test(to) ? { family: to.split(':')[0] } : undefined);
  if (!parsed) throw new BadInputError(`--to "${to}" is neither a revision number nor a task definition ARN`);
  if (parsed.family !== target.names.taskFamily) throw new BadInputError(`--to ${to} is in family ${parsed.family}, not ${target.names.taskFamily}`);
  return to;
}

async function chooseRevision(context: Context, target: ReleaseTarget, options: RollbackOptions, running: string | undefined): Promise<{ arn: string; why: string }> {
  if (!options.to) {
    const past = await lastSuccessfulRevision(context, target, running);
    return { arn: past.taskDefinitionArn, why: `last successful deployment ${past.deploymentId}` };
  }
  const wanted = resolveRollbackTarget(target, options.to);
  try {
    const found = await describeTaskDefinition(context, wanted);
    const arn = found.taskDefinition.taskDefinitionArn ?? wanted;
    findContainer(found.taskDefinition.containerDefinitions ?? [], target.service.containerName, arn);
    return { arn, why: '--to' };
  } catch (error) {
    if (hasName(error, 'ClientException', 'InvalidParameterException')) throw new BadInputError(`task definition ${wanted} not found: check --to`);
    throw error;
  }
}

async function rollbackService(context: Context, target: ReleaseTarget, options: RollbackOptions): Promise<ServiceResult> {
  const started = context.clock.now();
  const service = await describeLiveService(context, target);
  checkController(service, target);
  const group = target.strategy === 'blue-green' ? await checkDeploymentGroup(context, target) : undefined;
  const active = target.strategy === 'blue-green' ? await findActiveDeployment(context, target) : undefined;
  const rollingInProgress = target.strategy === 'rolling' && service.deployments?.some((deployment) => deployment.status === 'ACTIVE');
  if (active || rollingInProgress) {
    if (options.to) throw new BadInputError(`a deployment is running on ${target.names.service}: run rollback without --to to stop it with rollback, or wait for it first`);
    if (options.dryRun) return serviceResult(target, EXIT.succeeded, `${targetLabel(target)}: dry run: would stop ${active ?? 'the rollout'} with rollback; nothing changed`);
    return stopService(context, target, { rollback: true });
  }
  if (target.strategy === 'rolling' && !options.to) {
    throw new BadInputError('rolling services keep no deployment history to roll back through: pass --to REVISION (see `status` for revisions)');
  }
  const running = runningTaskDefinition(service);
  const chosen = await chooseRevision(context, target, options, running);
  if (chosen.arn === running) throw new BadInputError(`${shortRevision(chosen.arn)} is already running: nothing to roll back to`);
  context.out.line(`rolling back ${targetLabel(target)}: ${shortRevision(running)} → ${shortRevision(chosen.arn)} (${chosen.why})`);
  // Verified as the service's releases are: the configured path, no --verify to approve with.
  const hook = group ? hookVerification(target, undefined) : undefined;
  if (options.dryRun) {
    if (group) for (const line of stringify(buildAppSpec(service, chosen.arn, releaseHooks(target, hook))).trimEnd().split('\n')) context.out.line(`  ${line}`);
    return serviceResult(target, EXIT.succeeded, `${targetLabel(target)}: dry run: would deploy ${shortRevision(chosen.arn)}; nothing changed`, { taskDefinition: chosen.arn });
  }
  const waitsMs = ((group?.approvalWaitMinutes ?? 0) + (group?.terminationWaitMinutes ?? 0)) * 60_000;
  const deadline = started + (options.timeoutMs ?? 30 * 60_000 + waitsMs);
  const result = group
    ? await releaseBlueGreen(
        context,
        { target, service, group, revision: { arn: chosen.arn } },
        { ifActive: 'fail', detach: options.detach, deadline, description: `rollback to ${shortRevision(chosen.arn)}`, verificationHook: hook },
      )
    : await releaseRolling(context, { target, service, revision: { arn: chosen.arn } }, { detach: options.detach, deadline });
  return result.exitCode === EXIT.succeeded ? { ...result, verdict: rolledBackVerdict(target, running, chosen.arn, result.deploymentId) } : result;
}

/** The verdict of a rollback that deployed an earlier revision: what it rolled back, to what. */
export function rolledBackVerdict(target: ReleaseTarget, from: string | undefined, to: string, deploymentId: string | undefined): string {
  return `${targetLabel(target)}: rolled back to ${shortRevision(to)} (from ${shortRevision(from)}${deploymentId ? `; deployment ${deploymentId}` : '; rolling'})`;
}

export const rollbackCommand: Command<RollbackOptions> = {
  name: 'rollback',
  summary: 'stop the running deployment with rollback, or redeploy the last successful revision',
  help: `Usage: npm run deploy -- rollback --env ENV [--service NAME] [--to ARN|REVISION] [--dry-run] [--detach] [--timeout DURATION] [--json]

While a deployment runs: StopDeployment with rollback, and wait until the old version serves.
Otherwise: find, in the deployment group's history, the newest SUCCESSFUL deployment whose
revision differs from the running one, and deploy that revision (no new registration). Never
"revision minus one": Terraform registers revisions too, and failed releases never served.
A service verified by the environment's hook (release.verifyPath) has its rollback verified too:
if the revision fails the check, the version serving now keeps serving (exit 1, the failing
response shown).
  --to ARN|REVISION   roll back to this revision instead (required for rolling services)
  --dry-run           say what would be deployed and change nothing

${exitCodeHelp()}`,
  parse(argv) {
    const { flags, targets, help } = parseTargetCommand(
      'rollback',
      argv,
      { to: { type: 'string' }, 'dry-run': { type: 'boolean' }, detach: { type: 'boolean' }, timeout: { type: 'string' } },
      { allowMany: false },
    );
    if (!help && flags.to !== undefined) resolveRollbackTarget(targets[0], flags.to);
    return {
      help,
      json: flags.json,
      targets,
      to: flags.to,
      dryRun: flags['dry-run'] ?? false,
      detach: flags.detach ?? false,
      timeoutMs: flags.timeout !== undefined ? parseDuration('--timeout', flags.timeout) : undefined,
    };
  },
  async run(context, options) {
    const target = options.targets[0];
    const result = await rollbackService(context, target, options);
    return finishRelease(context, options.dryRun ? 'rollback --dry-run' : 'rollback', target.env, [result], {}, { notify: !options.dryRun });
  },
};
