/**
 * Drift, read from one `terraform plan` in JSON: what changed outside Terraform (the refresh's
 * `resource_drift`) and what Terraform would change to bring the environment back to the code
 * (`resource_changes`), down to attribute paths with their values before and after.
 *
 * Attributes a resource lists in `lifecycle.ignore_changes` are the ones releases own (the
 * service's task definition and load balancer, listener default actions, ...). Terraform never
 * plans a change to them, but its refresh still reports them as changed outside Terraform, so they
 * are filtered here: they never show up as drift.
 *
 * With the provider schema and the stack's configuration (`StackKnowledge`), what the refresh found
 * is judged attribute by attribute (outside-differences.ts): computed-only attributes, the
 * provider's normalisations and rules, routes and policies the stack declares as separate
 * resources are not drift; set items and map keys are named as added, removed or changed.
 */
import type { Schemas } from './apply-state';
import { outsideDifferences } from './outside-differences';
import type { JsonObject, PlanJson, PlannedResource, ResourceChange } from './plan-json';
import { changeKind, destructiveReason, type ChangeKind } from './plan-summary';
import { attributeDifferences, parseAttributePath, type AttributeDifference, type PathStep } from './attribute-differences';

export { attributeDifferences, formatAttributePath, parseAttributePath, type AttributeDifference, type PathStep } from './attribute-differences';

/** Exit codes of `npm run drift`. */
export const DRIFT_EXIT = { clean: 0, failed: 1, badInput: 2, drift: 3 } as const;

export interface DriftEntry {
  /** Resource address, or `output.<name>`. */
  readonly address: string;
  /** `outside`: changed outside Terraform (found by refresh); `planned`: Terraform would change it to match the code. */
  readonly source: 'outside' | 'planned';
  readonly kind: ChangeKind;
  /** For replacements and deletions: why. */
  readonly reason?: string;
  /** Differing attributes; empty for whole-resource creates and deletes. */
  readonly attributes: readonly AttributeDifference[];
}

export interface DriftReport {
  readonly stack: string;
  /** False when the plan ran with -refresh=false: changes outside Terraform are then invisible. */
  readonly refreshed: boolean;
  readonly entries: readonly DriftEntry[];
}

/** `lifecycle.ignore_changes` of every resource in a synthesized cdk.tf.json, by `type.name`. */
export function ignoredAttributes(synthesized: JsonObject): Map<string, PathStep[][]> {
  const ignores = new Map<string, PathStep[][]>();
  const resources = (synthesized.resource ?? {}) as Record<string, Record<string, JsonObject>>;
  for (const [type, byName] of Object.entries(resources)) {
    for (const [name, resource] of Object.entries(byName)) {
      const entries = (resource.lifecycle as { ignore_changes?: string[] | string } | undefined)?.ignore_changes;
      if (!entries) continue;
      ignores.set(`${type}.${name}`, entries === 'all' ? [[]] : (Array.isArray(entries) ? entries : [entries]).map(parseAttributePath));
    }
  }
  return ignores;
}
function resourceKey(change: ResourceChange): string {
  return `${change.type}.${change.name}`;
}

/** The provider schemas and the synthesized configuration of a stack: what the refresh is judged by. */
export interface StackKnowledge {
  readonly schemas: Schemas;
  /** The stack's cdk.tf.json. */
  readonly synthesized: JsonObject;
}

interface EntryContext {
  readonly ignores: Map<string, PathStep[][]>;
  readonly knowledge?: StackKnowledge;
  readonly planned: readonly PlannedResource[];
}

function differencesOf(change: ResourceChange, source: DriftEntry['source'], ignored: PathStep[][], context: EntryContext): AttributeDifference[] {
  const schema = context.knowledge?.schemas[change.provider_name]?.[change.type];
  if (source === 'planned' || !schema || !context.knowledge) return attributeDifferences(change.change, ignored);
  const configs = (context.knowledge.synthesized.resource ?? {}) as Record<string, Record<string, JsonObject>>;
  return outsideDifferences(change.change, { type: change.type, schema: schema.block, config: configs[change.type]?.[change.name], planned: context.planned, ignored });
}

function entryOf(change: ResourceChange, source: DriftEntry['source'], context: EntryContext): DriftEntry | undefined {
  if (change.mode !== 'managed') return undefined;
  const kind = changeKind(change.change.actions);
  if (!kind) return undefined;
  const ignored = context.ignores.get(resourceKey(change)) ?? [];
  const attributes = kind === 'update' || kind === 'replace' ? differencesOf(change, source, ignored, context) : [];
  // Drift only in attributes releases own is not drift.
  if (source === 'outside' && kind === 'update' && attributes.length === 0) return undefined;
  return {
    address: change.address,
    source,
    kind,
    ...(kind === 'replace' || kind === 'delete' ? { reason: destructiveReason(change) } : {}),
    attributes,
  };
}

/**
 * The drift of one stack from its plan JSON and the stack's ignore_changes; with `knowledge`, what
 * the refresh found is judged by the provider schema and the configuration.
 */
export function driftReport(stack: string, plan: PlanJson, ignores: Map<string, PathStep[][]>, refreshed: boolean, knowledge?: StackKnowledge): DriftReport {
  const context: EntryContext = { ignores, knowledge, planned: plan.planned_values?.root_module?.resources ?? [] };
  const outside = (plan.resource_drift ?? []).map((change) => entryOf(change, 'outside', context));
  const planned = (plan.resource_changes ?? []).map((change) => entryOf(change, 'planned', context));
  const outputs = Object.entries(plan.output_changes ?? {}).flatMap(([name, change]): DriftEntry[] => {
    const kind = changeKind(change.actions);
    if (!kind) return [];
    const attributes = attributeDifferences({
      actions: change.actions,
      before: { value: change.before ?? null },
      after: { value: change.after ?? null },
      before_sensitive: { value: change.before_sensitive ?? false },
      after_sensitive: { value: change.after_sensitive ?? false },
      after_unknown: { value: change.after_unknown ?? false },
    });
    return [{ address: `output.${name}`, source: 'planned', kind, attributes }];
  });
  const entries = [...outside, ...planned].filter((entry): entry is DriftEntry => entry !== undefined);
  return { stack, refreshed, entries: [...entries, ...outputs] };
}

const SOURCE_HEADING = {
  outside: 'changed outside Terraform (found by refresh)',
  planned: 'Terraform would change to match the code',
} as const;

const KIND_SIGN: Record<ChangeKind, string> = { create: '+', update: '~', replace: '-/+', delete: '-', forget: '.' };

/** Says whether the comparison included reality or only the state. */
export function refreshNote(report: Pick<DriftReport, 'refreshed'>): string {
  return report.refreshed
    ? 'refreshed from AWS'
    : 'REFRESH SKIPPED: compared the code with the state only; changes made outside Terraform are not visible';
}

/** Human lines for one stack: a verdict, then each drifting resource and attribute. */
export function driftLines(report: DriftReport): string[] {
  if (report.entries.length === 0) return [`${report.stack}: no drift (${refreshNote(report)})`];
  const lines = [`${report.stack}: DRIFT in ${report.entries.length} place(s) (${refreshNote(report)})`];
  for (const source of ['outside', 'planned'] as const) {
    const entries = report.entries.filter((entry) => entry.source === source);
    if (entries.length === 0) continue;
    lines.push(`  ${SOURCE_HEADING[source]}:`);
    for (const entry of entries) {
      lines.push(`    ${KIND_SIGN[entry.kind]} ${entry.address}${entry.kind === 'update' ? '' : ` (${entry.kind}${entry.reason ? `: ${entry.reason}` : ''})`}`);
      for (const attribute of entry.attributes) lines.push(`        ${attribute.change ?? `${attribute.path}: ${attribute.before} → ${attribute.after}`}`);
    }
  }
  return lines;
}

/** The `--json` document of `npm run drift`. */
export function driftDocument(environment: string, report: DriftReport, stateSource: string): object {
  return {
    environment,
    stack: report.stack,
    drift: report.entries.length > 0,
    refreshed: report.refreshed,
    state: stateSource,
    changedOutsideTerraform: report.entries.filter((entry) => entry.source === 'outside'),
    terraformWouldChange: report.entries.filter((entry) => entry.source === 'planned'),
  };
}
