/**
 * Attribute paths and the attribute-by-attribute comparison of one change's before and after, with
 * values rendered safely (sensitive values never printed).
 */
import type { Change, Json, JsonObject } from './plan-json';

export type PathStep = string | number;

export interface AttributeDifference {
  /** e.g. `health_check[0].path` */
  readonly path: string;
  /** Rendered values: JSON, "(sensitive)", "(known after apply)" or "(absent)". */
  readonly before: string;
  readonly after: string;
  /** For an item of a set or a key of a map: what happened to it, by name ("added ingress 8080/tcp from 0.0.0.0/0"). */
  readonly change?: string;
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

export function isPrefix(prefix: readonly PathStep[], path: readonly PathStep[]): boolean {
  return prefix.length <= path.length && prefix.every((step, index) => step === path[index]);
}

function maskAt(mask: Json | undefined, step: PathStep): Json | undefined {
  if (mask === true) return true;
  if (Array.isArray(mask) && typeof step === 'number') return mask[step];
  if (mask && typeof mask === 'object' && !Array.isArray(mask)) return (mask as JsonObject)[String(step)];
  return undefined;
}

export const ABSENT = Symbol('absent');
export type Value = Json | typeof ABSENT;

export function render(value: Value, sensitive: Json | undefined, unknown?: Json | undefined): string {
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

