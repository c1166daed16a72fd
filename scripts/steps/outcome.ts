/** The result of releasing one service: exit code, one-line verdict, and what the JSON output carries. */
import { EXIT, type ExitCode } from '../cli/exit-codes';
import { taskDefinitionOfAppSpec } from './appspec';
import type { DeploymentSnapshot } from './deployment-state';
import type { Settled } from './settle';
import type { HookCheck, ShownHookLog } from './verification-hook';
import { commandLine, targetLabel, type ReleaseTarget } from './target';

export interface ServiceResult {
  readonly environment: string;
  readonly service: string;
  readonly exitCode: ExitCode;
  readonly verdict: string;
  readonly deploymentId?: string;
  readonly rollbackDeploymentId?: string;
  readonly status?: string;
  readonly taskDefinition?: string;
  readonly image?: string;
  readonly baseRevision?: string;
  readonly durationMs?: number;
  /** The verification hook's last checks of a deployment it failed, as its log holds them. */
  readonly verificationChecks?: readonly HookCheck[];
}

export function serviceResult(target: ReleaseTarget, exitCode: ExitCode, verdict: string, extra: Partial<ServiceResult> = {}): ServiceResult {
  return { environment: target.env.environment, service: target.service.name, exitCode, verdict, ...extra };
}

/** `family:revision` from an ARN, for short verdicts. */
export function shortRevision(arn: string | undefined): string {
  return arn?.split('/').pop() ?? 'unknown revision';
}

function deployedRevision(snapshot: DeploymentSnapshot | undefined): string | undefined {
  return taskDefinitionOfAppSpec(snapshot?.info.revision?.appSpecContent?.content);
}

function errorText(snapshot: DeploymentSnapshot): string {
  const error = snapshot.info.errorInformation;
  return error ? ` (${[error.code, error.message].filter(Boolean).join(': ')})` : '';
}

/** What the rollback achieved, in words. */
export function rollbackText(target: ReleaseTarget, settled: Settled): string {
  const rollback = settled.rollback;
  if (!rollback) {
    return settled.deployment.info.instanceTerminationWaitTimeStarted
      ? `no rollback ran: the new version may still serve; check: ${commandLine('status', target)}`
      : 'no rollback deployment ran; traffic had not moved, the old version is serving';
  }
  if (!settled.settled) return `rollback ${rollback.id} still ${rollback.status}; follow it: ${commandLine('wait', target, `--deployment-id ${rollback.id}`)}`;
  if (rollback.status !== 'Succeeded') return `rollback ${rollback.id} ended ${rollback.status}${errorText(rollback)}; check: ${commandLine('status', target)}`;
  return `rolled back by ${rollback.id}: old version ${shortRevision(deployedRevision(rollback))} serving`;
}

/** A deployment that reached a final status (and its rollback, if any). */
export function finishedResult(target: ReleaseTarget, settled: Settled, extra: Partial<ServiceResult> = {}): ServiceResult {
  const deployment = settled.deployment;
  const ids = { deploymentId: deployment.id, rollbackDeploymentId: settled.rollback?.id, status: deployment.status };
  if (deployment.status === 'Succeeded') {
    return serviceResult(target, EXIT.succeeded, `${targetLabel(target)}: released ${shortRevision(deployedRevision(deployment) ?? extra.taskDefinition)} (deployment ${deployment.id})`, { ...extra, ...ids });
  }
  const manualStop = deployment.status === 'Stopped' && deployment.info.errorInformation?.code === 'MANUAL_STOP';
  const what = manualStop ? 'was stopped' : 'failed';
  return serviceResult(
    target,
    manualStop ? EXIT.stopped : EXIT.failed,
    `${targetLabel(target)}: deployment ${deployment.id} ${what}${manualStop ? '' : errorText(deployment)}; ${rollbackText(target, settled)}`,
    { ...extra, ...ids },
  );
}

/**
 * A deployment whose verification failed: what failed, the failing response when the verification
 * hook's log showed it, what the rollback achieved, and where to read every check.
 */
export function verificationFailedResult(target: ReleaseTarget, failure: string, settled: Settled, extra: Partial<ServiceResult> = {}, shown?: ShownHookLog): ServiceResult {
  const verdict = `${targetLabel(target)}: verification failed (${failure})${shown ? `; ${shown.found}` : ''}; ${rollbackText(target, settled)}${shown ? `; ${shown.next}` : ''}`;
  return serviceResult(target, EXIT.failed, verdict, {
    ...extra,
    deploymentId: settled.deployment.id,
    rollbackDeploymentId: settled.rollback?.id,
    status: settled.deployment.status,
    ...(shown ? { verificationChecks: shown.checks } : {}),
  });
}
