/**
 * The revision to roll back to: the newest one CodeDeploy deployed SUCCESSFULLY to this group,
 * other than the one running now, read from each deployment's AppSpec. Never "revision minus one":
 * Terraform registers revisions too, and a failed release's revision never served.
 */
import { GetDeploymentCommand, ListDeploymentsCommand, type DeploymentInfo } from '@aws-sdk/client-codedeploy';
import { BadInputError } from '../cli/errors';
import type { Context } from '../context';
import { taskDefinitionOfAppSpec } from './appspec';
import type { ReleaseTarget } from './target';

/** Successful deployments read, newest first, before giving up. */
export const HISTORY_LIMIT = 50;

export interface PastRelease {
  readonly taskDefinitionArn: string;
  readonly deploymentId: string;
  readonly completedAt?: Date;
}

export async function successfulDeployments(context: Context, target: ReleaseTarget): Promise<DeploymentInfo[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await context.clients.codeDeploy.send(
      new ListDeploymentsCommand({
        applicationName: target.names.codeDeployApplication,
        deploymentGroupName: target.names.deploymentGroup,
        includeOnlyStatuses: ['Succeeded'],
        nextToken,
      }),
    );
    ids.push(...(page.deployments ?? []));
    nextToken = page.nextToken;
  } while (nextToken && ids.length < HISTORY_LIMIT);
  const infos: DeploymentInfo[] = [];
  for (const deploymentId of ids.slice(0, HISTORY_LIMIT)) {
    const found = await context.clients.codeDeploy.send(new GetDeploymentCommand({ deploymentId }));
    if (found.deploymentInfo) infos.push(found.deploymentInfo);
  }
  // ListDeployments promises no order: sort by creation, newest first.
  const time = (info: DeploymentInfo) => (info.completeTime ?? info.createTime)?.getTime() ?? 0;
  return infos.sort((a, b) => time(b) - time(a));
}

export async function lastSuccessfulRevision(context: Context, target: ReleaseTarget, currentArn: string | undefined): Promise<PastRelease> {
  for (const info of await successfulDeployments(context, target)) {
    const arn = taskDefinitionOfAppSpec(info.revision?.appSpecContent?.content);
    if (arn && arn !== currentArn) return { taskDefinitionArn: arn, deploymentId: info.deploymentId ?? '?', completedAt: info.completeTime };
  }
  throw new BadInputError(
    `no successful deployment of ${target.names.deploymentGroup} with a revision other than the running one: nothing to roll back to; pass --to REVISION`,
  );
}
