/**
 * A plan, summarized per stack from `terraform show -json`: Terraform's own counts (a replacement
 * is one add and one destroy), plus every resource that would be replaced or destroyed, by address
 * and with Terraform's reason, so nobody misses one in a pull request.
 */
import type { Action, PlanJson, ResourceChange } from './plan-json';

/** What a plan does to one resource, with a replacement as one kind. */
export type ChangeKind = 'create' | 'update' | 'replace' | 'delete' | 'forget';

/** A replacement or deletion, called out by address. */
export interface DestructiveChange {
  readonly address: string;
  readonly kind: 'replace' | 'delete';
  /** Why, in words: "cpu forces replacement", "no longer in the configuration", ... */
  readonly reason: string;
}

export interface PlanSummary {
  readonly stack: string;
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  /** Replaced and destroyed resources, in plan order. */
  readonly destructive: readonly DestructiveChange[];
  /** Root outputs whose value changes. */
  readonly outputChanges: number;
}

/** The kind of change an actions list means; undefined for no-op and read. */
export function changeKind(actions: readonly Action[]): ChangeKind | undefined {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  for (const kind of ['create', 'update', 'delete', 'forget'] as const) if (actions.includes(kind)) return kind;
  return undefined;
}

function formatPath(path: readonly (string | number)[]): string {
  return path.map((step, index) => (typeof step === 'number' ? `[${step}]` : index === 0 ? step : `.${step}`)).join('');
}

const REASONS: Record<string, string> = {
  replace_because_tainted: 'the object is tainted',
  replace_by_request: 'replacement requested with -replace',
  replace_by_triggers: 'replace_triggered_by fired',
  delete_because_no_resource_config: 'no longer in the configuration',
  delete_because_no_module: 'its module is no longer in the configuration',
  delete_because_wrong_repetition: 'count or for_each changed',
  delete_because_count_index: 'count index no longer in range',
  delete_because_each_key: 'for_each key no longer present',
  delete_because_no_move_target: 'moved to an address that does not exist',
};

/** Terraform's reason for a replacement or deletion, in words. */
export function destructiveReason(change: ResourceChange): string {
  const paths = change.change.replace_paths ?? [];
  if (change.action_reason === 'replace_because_cannot_update' || (!change.action_reason && paths.length > 0)) {
    return paths.length > 0 ? `${paths.map(formatPath).join(', ')} ${paths.length === 1 ? 'forces' : 'force'} replacement` : 'cannot be updated in place';
  }
  return (change.action_reason && REASONS[change.action_reason]) ?? (changeKind(change.change.actions) === 'replace' ? 'replaced' : 'destroyed');
}

/** Counts and destructive changes of one stack's plan. */
export function summarizePlan(stack: string, plan: PlanJson): PlanSummary {
  let add = 0;
  let change = 0;
  let destroy = 0;
  const destructive: DestructiveChange[] = [];
  for (const resource of plan.resource_changes ?? []) {
    if (resource.mode !== 'managed') continue;
    const kind = changeKind(resource.change.actions);
    if (kind === 'create' || kind === 'replace') add += 1;
    if (kind === 'update') change += 1;
    if (kind === 'delete' || kind === 'replace') destroy += 1;
    if (kind === 'replace' || kind === 'delete') destructive.push({ address: resource.address, kind, reason: destructiveReason(resource) });
  }
  const outputChanges = Object.values(plan.output_changes ?? {}).filter((output) => changeKind(output.actions) !== undefined).length;
  return { stack, add, change, destroy, destructive, outputChanges };
}

/** "42 to add, 0 to change, 0 to destroy", or "no changes" as Terraform says it. */
export function countsLine(summary: PlanSummary): string {
  if (summary.add + summary.change + summary.destroy === 0) return summary.outputChanges > 0 ? `no resource changes, ${summary.outputChanges} output change(s)` : 'no changes';
  return `${summary.add} to add, ${summary.change} to change, ${summary.destroy} to destroy`;
}

const KIND_WORD = { replace: 'REPLACE', delete: 'DESTROY' } as const;

/** The loud lines under a stack's summary line: one per replaced or destroyed resource. */
export function destructiveLines(summary: PlanSummary): string[] {
  if (summary.destructive.length === 0) return [];
  const replaced = summary.destructive.filter((change) => change.kind === 'replace').length;
  const destroyed = summary.destructive.length - replaced;
  return [
    `  !! ${summary.stack}: ${replaced} resource(s) would be REPLACED and ${destroyed} DESTROYED:`,
    ...summary.destructive.map((change) => `  !!   ${KIND_WORD[change.kind]} ${change.address} (${change.reason})`),
  ];
}
