/**
 * Choose the task definition a release builds on: the newest ACTIVE revision Terraform
 * registered, i.e. one WITHOUT the release tag. Terraform owns everything but the image (roles,
 * sizes, variables, secrets); building on its newest revision is how its changes reach the next
 * release, and never "current revision minus one", which may be another release's.
 */
import { DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand, type Tag, type TaskDefinition } from '@aws-sdk/client-ecs';
import { RELEASE_TAG_KEY } from '../../config';
import { BadInputError } from '../cli/errors';
import type { Context } from '../context';
import type { ReleaseTarget } from './target';

export interface TaskDefinitionWithTags {
  readonly taskDefinition: TaskDefinition;
  readonly tags: readonly Tag[];
}

export interface BaseRevision extends TaskDefinitionWithTags {
  readonly arn: string;
  /** False when every scanned revision carried the release tag and the newest was taken instead. */
  readonly terraformOwned: boolean;
  /** Every revision described on the way, by ARN: the running one is usually among them. */
  readonly described: ReadonlyMap<string, TaskDefinitionWithTags>;
}

/** Revisions scanned before giving up on finding a Terraform-owned one. */
export const BASE_SCAN_LIMIT = 100;

/** `arn:...:task-definition/family:12` → { family, revision }. */
export function parseTaskDefinitionArn(arn: string): { family: string; revision: number } | undefined {
  const match = /task-definition\/([^:/]+):(\d+)$/.exec(arn);
  return match ? { family: match[1], revision: Number(match[2]) } : undefined;
}

export function isReleaseRevision(tags: readonly Tag[]): boolean {
  return tags.some((tag) => tag.key === RELEASE_TAG_KEY);
}

export async function describeTaskDefinition(context: Context, arn: string): Promise<TaskDefinitionWithTags> {
  const found = await context.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
  if (!found.taskDefinition) throw new BadInputError(`task definition ${arn} not found`);
  return { taskDefinition: found.taskDefinition, tags: found.tags ?? [] };
}

/** ACTIVE revisions of exactly this family, newest first (`familyPrefix` also matches `web2`). */
export async function* activeRevisionsNewestFirst(context: Context, family: string): AsyncGenerator<string> {
  let nextToken: string | undefined;
  do {
    const page = await context.clients.ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', sort: 'DESC', nextToken }),
    );
    for (const arn of page.taskDefinitionArns ?? []) {
      if (parseTaskDefinitionArn(arn)?.family === family) yield arn;
    }
    nextToken = page.nextToken;
  } while (nextToken);
}

export async function chooseBaseRevision(context: Context, target: ReleaseTarget): Promise<BaseRevision> {
  const family = target.names.taskFamily;
  let newest: (TaskDefinitionWithTags & { arn: string }) | undefined;
  const described = new Map<string, TaskDefinitionWithTags>();
  let scanned = 0;
  for await (const arn of activeRevisionsNewestFirst(context, family)) {
    const revision = await describeTaskDefinition(context, arn);
    described.set(arn, revision);
    newest ??= { ...revision, arn };
    if (!isReleaseRevision(revision.tags)) return { ...revision, arn, terraformOwned: true, described };
    if (++scanned >= BASE_SCAN_LIMIT) break;
  }
  if (!newest) {
    throw new BadInputError(`no ACTIVE task definition in family ${family}: run \`npm run plan\`/\`cdktf deploy\` first`);
  }
  context.out.warn(`no Terraform-owned revision of ${family} among the newest ${scanned}; building on the newest, ${newest.arn}`);
  return { ...newest, terraformOwned: false, described };
}
