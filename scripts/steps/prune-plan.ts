/**
 * Which task definition revisions `prune` keeps and which it deregisters. Pure: the command reads
 * AWS and hands the facts in.
 *
 * A deregistered revision is INACTIVE: running tasks keep it, but no new task, service update or
 * deployment can use it (AWS ECS API reference, DeregisterTaskDefinition). So prune keeps every
 * revision something may still start: the live ones, the ones a rollback would go to, the newest
 * Terraform-owned one (the base of the next release), and the newest `keep` of the rest.
 */
import { parseTaskDefinitionArn } from './base-revision';

export type KeepReason = 'live' | 'rollback' | 'terraform' | 'newest';

export interface PruneFacts {
  /** ACTIVE revisions of the family, newest first. */
  readonly activeNewestFirst: readonly string[];
  /** Revisions the service runs or is moving between (its task sets and deployments). */
  readonly live: readonly string[];
  /** Revisions of CodeDeploy's successful deployments, newest first: what `rollback` chooses from. */
  readonly rollback: readonly string[];
  /** The newest Terraform-owned revision, when one was found. */
  readonly terraformOwned?: string;
  /** How many of the newest revisions to keep besides those. */
  readonly keepNewest: number;
}

export interface PrunePlan {
  /** Kept revisions, newest first, each with why. */
  readonly kept: ReadonlyArray<{ readonly arn: string; readonly reasons: readonly KeepReason[] }>;
  /** Revisions to deregister, oldest first. */
  readonly deregister: readonly string[];
}

/**
 * Rollback candidates kept: the newest successful deployment's revision other than the running
 * one is what `rollback` takes; the successful ones after it are kept up to `keepNewest`, and at
 * least that one.
 */
function rollbackRevisions(facts: PruneFacts): string[] {
  const distinct = [...new Set(facts.rollback)].filter((arn) => !facts.live.includes(arn));
  return distinct.slice(0, Math.max(1, facts.keepNewest));
}

export function planPrune(facts: PruneFacts): PrunePlan {
  const reasons = new Map<string, KeepReason[]>();
  const keep = (arn: string | undefined, reason: KeepReason) => {
    if (arn && facts.activeNewestFirst.includes(arn)) reasons.set(arn, [...(reasons.get(arn) ?? []), reason]);
  };
  facts.live.forEach((arn) => keep(arn, 'live'));
  rollbackRevisions(facts).forEach((arn) => keep(arn, 'rollback'));
  keep(facts.terraformOwned, 'terraform');
  facts.activeNewestFirst.slice(0, facts.keepNewest).forEach((arn) => keep(arn, 'newest'));
  return {
    kept: facts.activeNewestFirst.filter((arn) => reasons.has(arn)).map((arn) => ({ arn, reasons: reasons.get(arn)! })),
    deregister: facts.activeNewestFirst.filter((arn) => !reasons.has(arn)).reverse(),
  };
}

/** `:12 (live, rollback)` for people. */
export function keptLabel(entry: PrunePlan['kept'][number]): string {
  return `:${parseTaskDefinitionArn(entry.arn)?.revision ?? entry.arn} (${entry.reasons.join(', ')})`;
}
