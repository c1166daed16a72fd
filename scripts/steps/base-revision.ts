/**
 * Choose the task definition a release builds on: the newest ACTIVE revision Terraform
 * registered, i.e. one WITHOUT the release tag. Terraform owns everything but the image (roles,
 * sizes, variables, secrets); building on its newest revision is how its changes reach the next
 * release, and never "current revision minus one", which may be another release's.
 *
 * The stack records that revision on the ECS service itself (the TerraformRevision tag, updated in
 * place whenever Terraform registers a revision), and the release reads the service anyway: one
 * DescribeTaskDefinition of the tagged revision finds the base, however many releases came before.
 * Stacks applied before the tag existed have no tag: then the family's revisions are scanned,
 * newest first, up to BASE_SCAN_LIMIT, and the output says so.
 */
import { DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand, type Service, type Tag, type TaskDefinition } from '@aws-sdk/client-ecs';
import { RELEASE_TAG_KEY, TERRAFORM_REVISION_TAG_KEY } from '../../config';
import { hasName } from '../aws/errors';
import { BadInputError } from '../cli/errors';
import type { Context } from '../context';
import { runningTaskDefinition } from './preflight';
import type { ReleaseTarget } from './target';

export interface TaskDefinitionWithTags {
  readonly taskDefinition: TaskDefinition;
  readonly tags: readonly Tag[];
}

export interface BaseRevision extends TaskDefinitionWithTags {
  readonly arn: string;
  /** False when every scanned revision carried the release tag and the newest was taken instead. */
  readonly terraformOwned: boolean;
  /** `service tag`: the service's TerraformRevision tag named it; `scan`: the family was scanned (no usable tag). */
  readonly foundBy: 'service tag' | 'scan';
  /** Every revision described on the way, by ARN: the running one is among them when the service runs one. */
  readonly described: ReadonlyMap<string, TaskDefinitionWithTags>;
}

/** Revisions scanned before giving up on finding a Terraform-owned one (stacks without the tag). */
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

/** The service's TerraformRevision tag, or undefined when the stack was applied before it existed. */
export function recordedTerraformRevision(service: Service): string | undefined {
  return service.tags?.find((tag) => tag.key === TERRAFORM_REVISION_TAG_KEY)?.value;
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

/** The bounded scan: the first revision without the release tag, else the newest with a warning. */
async function scanForBaseRevision(context: Context, target: ReleaseTarget, described: Map<string, TaskDefinitionWithTags>): Promise<BaseRevision> {
  const family = target.names.taskFamily;
  let newest: (TaskDefinitionWithTags & { arn: string }) | undefined;
  let scanned = 0;
  for await (const arn of activeRevisionsNewestFirst(context, family)) {
    const revision = described.get(arn) ?? (await describeTaskDefinition(context, arn));
    described.set(arn, revision);
    newest ??= { ...revision, arn };
    if (!isReleaseRevision(revision.tags)) return { ...revision, arn, terraformOwned: true, foundBy: 'scan', described };
    if (++scanned >= BASE_SCAN_LIMIT) break;
  }
  if (!newest) {
    throw new BadInputError(`no ACTIVE task definition in family ${family}: run \`npm run plan\`/\`cdktf deploy\` first`);
  }
  context.out.warn(`no Terraform-owned revision of ${family} among the newest ${scanned}; building on the newest, ${newest.arn}`);
  return { ...newest, terraformOwned: false, foundBy: 'scan', described };
}

/** Why the tagged revision cannot be the base, or undefined when it can. */
function unusableTaggedRevision(target: ReleaseTarget, arn: string, revision: TaskDefinitionWithTags | undefined): string | undefined {
  if (parseTaskDefinitionArn(arn)?.family !== target.names.taskFamily) return `names another family than ${target.names.taskFamily}`;
  if (!revision) return 'names a revision that does not exist';
  if (revision.taskDefinition.status !== 'ACTIVE') return `names a revision that is ${revision.taskDefinition.status ?? 'not ACTIVE'}`;
  if (isReleaseRevision(revision.tags)) return `names a release revision (${RELEASE_TAG_KEY} tag)`;
  return undefined;
}

/** Describes the revision, or undefined when ECS does not know it. */
async function describeIfExists(context: Context, arn: string): Promise<TaskDefinitionWithTags | undefined> {
  try {
    return await describeTaskDefinition(context, arn);
  } catch (error) {
    if (hasName(error, 'ClientException') || error instanceof BadInputError) return undefined;
    throw error;
  }
}

/**
 * The base revision of a release of `service` (as DescribeServices returned it, with its tags).
 * With the tag: the tagged revision and the running one are described at once, two reads
 * whatever the number of releases. Without a usable tag: the bounded scan, said on stderr.
 */
export async function chooseBaseRevision(context: Context, target: ReleaseTarget, service: Service): Promise<BaseRevision> {
  const described = new Map<string, TaskDefinitionWithTags>();
  const tagged = recordedTerraformRevision(service);
  const fix = `apply the stack (\`cdktf deploy\`) so releases find their base in one read`;
  if (!tagged) {
    context.out.warn(`service ${target.names.service} has no ${TERRAFORM_REVISION_TAG_KEY} tag (stack applied before it existed): scanning up to ${BASE_SCAN_LIMIT} revisions for the newest Terraform-owned one; ${fix}`);
    return scanForBaseRevision(context, target, described);
  }
  const running = runningTaskDefinition(service);
  const [base, runningRevision] = await Promise.all([
    describeIfExists(context, tagged),
    running && running !== tagged ? describeIfExists(context, running) : undefined,
  ]);
  if (running && runningRevision) described.set(running, runningRevision);
  const problem = unusableTaggedRevision(target, tagged, base);
  if (problem || !base) {
    context.out.warn(`service ${target.names.service}'s ${TERRAFORM_REVISION_TAG_KEY} tag ${tagged} ${problem}: scanning up to ${BASE_SCAN_LIMIT} revisions instead; ${fix}`);
    return scanForBaseRevision(context, target, described);
  }
  described.set(tagged, base);
  return { ...base, arn: tagged, terraformOwned: true, foundBy: 'service tag', described };
}
