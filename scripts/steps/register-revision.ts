/** Register the release's task definition revision: the base's task-level settings, new containers, release tags. */
import {
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type RegisterTaskDefinitionCommandInput,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { BASE_REVISION_TAG_KEY, RELEASE_TAG_KEY, RELEASE_TAG_VALUE } from '../../config';
import type { Context } from '../context';

/**
 * Task-level fields copied from the base. Read-only fields (revision, status, registeredAt,
 * compatibilities, requiresAttributes, ...) are left out: RegisterTaskDefinition rejects or
 * recomputes them.
 */
export const COPIED_TASK_FIELDS = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection',
] as const satisfies readonly (keyof TaskDefinition & keyof RegisterTaskDefinitionCommandInput)[];

export type RevisionContent = Omit<RegisterTaskDefinitionCommandInput, 'tags'>;

/** What a revision would be registered with, tags aside: the basis of the "already running" check. */
export function revisionContent(base: TaskDefinition, containers: readonly ContainerDefinition[]): RevisionContent {
  const content: Record<string, unknown> = {};
  for (const field of COPIED_TASK_FIELDS) {
    if (base[field] !== undefined) content[field] = base[field];
  }
  return { ...(content as Partial<RevisionContent>), family: base.family, containerDefinitions: [...containers] };
}

export function registrationInput(content: RevisionContent, baseArn: string): RegisterTaskDefinitionCommandInput {
  return {
    ...content,
    tags: [
      { key: RELEASE_TAG_KEY, value: RELEASE_TAG_VALUE },
      { key: BASE_REVISION_TAG_KEY, value: baseArn },
    ],
  };
}

/** JSON with sorted keys and no undefined values, so equal content compares equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

/** True when two revisions would run the same containers with the same task-level settings. */
export function sameRevisionContent(a: RevisionContent, b: RevisionContent): boolean {
  return canonical(a) === canonical(b);
}

export async function registerRevision(context: Context, input: RegisterTaskDefinitionCommandInput): Promise<string> {
  const registered = await context.clients.ecs.send(new RegisterTaskDefinitionCommand(input));
  const arn = registered.taskDefinition?.taskDefinitionArn;
  if (!arn) throw new Error('RegisterTaskDefinition returned no task definition ARN');
  return arn;
}
