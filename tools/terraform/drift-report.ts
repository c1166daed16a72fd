/**
 * Drift, read from one `terraform plan` in JSON: what changed outside Terraform (the refresh's
 * `resource_drift`) and what Terraform would change to bring the environment back to the code
 * (`resource_changes`), down to attribute paths with their values before and after.
 *
 * Attributes a resource lists in `lifecycle.ignore_changes` are the ones releases own (the
 * service's task definition and load balancer, listener default actions, ...). Terraform never
 * plans a change to them, but its refresh still reports them as changed outside Terraform, so they
 * are filtered here: they never show up as drift.
 */
import type { Change, Json, JsonObject, PlanJson, ResourceChange } from './plan-json';
import { changeKind, destructiveReason, type ChangeKind } from './plan-summary';

/** Exit codes of `npm run drift`. */
export const DRIFT_EXIT = { clean: 0, failed: 1, badInput: 2, drift: 3 } as const;

export type PathStep = string | number;

export interface AttributeDifference {
  /** e.g. `health_check[0].path` */
  readonly path: string;
  /** Rendered values: JSON, "(sensitive)", "(known after apply)" or "(absent)". */
  readonly before: string;
  readonly after: string;
}

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

/** `default_action`, `tags["Name"]`, `health_check[0].path` → path steps. */
export function parseAttributePath(text: string): PathStep[] {
  if (text === 'all') return [];
  const steps: PathStep[] = [];
  for (const match of text.matchAll(/([A-Za-z0-9_-]+)|\[(\d+)\]|\["([^"]*)"\]/g)) {
    steps.push(match[1] ?? (match[2] !== undefined ? Number(match[2]) : match[3]));
  }
  return steps;
}

export function formatAttributePath(steps: readonly PathStep[]): string {
  return steps.map((step, index) => (typeof step === 'number' ? `[${step}]` : index === 0 ? step : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`)).join('');
}

function isPrefix(prefix: readonly PathStep[], path: readonly PathStep[]): boolean {
  return prefix.length <= path.length && prefix.every((step, index) => step === path[index]);
}

function maskAt(mask: Json | undefined, step: PathStep): Json | undefined {
  if (mask === true) return true;
  if (Array.isArray(mask) && typeof step === 'number') return mask[step];
  if (mask && typeof mask === 'object' && !Array.isArray(mask)) return (mask as JsonObject)[String(step)];
  return undefined;
}

const ABSENT = Symbol('absent');
type Value = Json | typeof ABSENT;

function render(value: Value, sensitive: Json | undefined, unknown?: Json | undefined): string {
  if (unknown === true) return '(known after apply)';
  if (sensitive === true) return '(sensitive)';
  if (value === ABSENT) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function isContainer(value: Value): value is Json[] | JsonObject {
  return value !== null && typeof value === 'object';
}

/** Every leaf attribute that differs between a change's before and after, with values rendered safely. */
export function attributeDifferences(change: Change, ignored: readonly PathStep[][] = []): AttributeDifference[] {
  const differences: AttributeDifference[] = [];
  const walk = (before: Value, after: Value, path: PathStep[], masks: { before?: Json; after?: Json; unknown?: Json }): void => {
    if (ignored.some((prefix) => isPrefix(prefix, path))) return;
    if (masks.unknown === true) {
      differences.push({ path: formatAttributePath(path), before: render(before, masks.before), after: render(after, masks.after, true) });
      return;
    }
    const bothArrays = Array.isArray(before) && Array.isArray(after);
    const bothObjects = isContainer(before) && isContainer(after) && !Array.isArray(before) && !Array.isArray(after);
    if (bothArrays || bothObjects) {
      const keys: PathStep[] = bothArrays
        ? Array.from({ length: Math.max((before as Json[]).length, (after as Json[]).length) }, (_, index) => index)
        : [...new Set([...Object.keys(before as JsonObject), ...Object.keys(after as JsonObject)])];
      for (const key of keys) {
        const pick = (value: Value): Value => {
          const container = value as Json[] & JsonObject;
          const item = typeof key === 'number' ? container[key] : container[key];
          return item === undefined ? ABSENT : item;
        };
        walk(pick(before), pick(after), [...path, key], {
          before: maskAt(masks.before, key),
          after: maskAt(masks.after, key),
          unknown: maskAt(masks.unknown, key),
        });
      }
      return;
    }
    if (JSON.stringify(before) === JSON.stringify(after) && before !== ABSENT && after !== ABSENT) return;
    if (before === ABSENT && after === ABSENT) return;
    // An absent key and a null or empty value are the same to Terraform.
    const empty = (value: Value): boolean => value === ABSENT || value === null;
    if (empty(before) && empty(after)) return;
    differences.push({ path: formatAttributePath(path), before: render(before, masks.before), after: render(after, masks.after) });
  };
  walk(change.before ?? null, change.after ?? null, [], { before: change.before_sensitive, after: change.after_sensitive, unknown: change.after_unknown });
  return differences;
}

function resourceKey(change: ResourceChange): string {
  return `${change.type}.${change.name}`;
}

function entryOf(change: ResourceChange, source: DriftEntry['source'], ignores: Map<string, PathStep[][]>): DriftEntry | undefined {
  if (change.mode !== 'managed') return undefined;
  const kind = changeKind(change.change.actions);
  if (!kind) return undefined;
  const ignored = ignores.get(resourceKey(change)) ?? [];
  const attributes = kind === 'update' || kind === 'replace' ? attributeDifferences(change.change, ignored) : [];
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

/** The drift of one stack from its plan JSON and the stack's ignore_changes. */
export function driftReport(stack: string, plan: PlanJson, ignores: Map<string, PathStep[][]>, refreshed: boolean): DriftReport {
  const outside = (plan.resource_drift ?? []).map((change) => entryOf(change, 'outside', ignores));
  const planned = (plan.resource_changes ?? []).map((change) => entryOf(change, 'planned', ignores));
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
      for (const attribute of entry.attributes) lines.push(`        ${attribute.path}: ${attribute.before} → ${attribute.after}`);
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
