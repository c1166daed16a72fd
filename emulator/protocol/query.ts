/**
 * The AWS query protocol (ELBv2): a form-encoded `POST /` with `Action` and `Version`, answered in
 * XML. Lists are flattened into numbered keys (`Names.member.1`), structures into dotted keys
 * (`Targets.member.1.Id`), and an empty list is sent as the bare key (`Names=`).
 */
import { AwsError } from './errors';

export type QueryValue = string | QueryValue[] | { [key: string]: QueryValue };

/** The form body as nested objects and arrays; leaf values stay strings, as sent. */
export function parseQueryBody(body: string): { action: string; version: string; params: Record<string, QueryValue> } {
  const form = new URLSearchParams(body);
  const action = form.get('Action');
  const version = form.get('Version');
  if (!action) throw new AwsError('MissingAction', 'Missing Action parameter');
  const root: Record<string, QueryValue> = {};
  for (const [key, value] of form) {
    if (key === 'Action' || key === 'Version') continue;
    insert(root, key.split('.'), value);
  }
  return { action, version: version ?? '', params: normalise(root) as Record<string, QueryValue> };
}

/** Put a value at a dotted path; `member`/`entry` segments followed by an index mark list items. */
function insert(node: Record<string, QueryValue>, path: string[], value: string): void {
  const [head, ...rest] = path;
  if (rest.length === 0) {
    node[head] = value;
    return;
  }
  const child = (typeof node[head] === 'object' ? node[head] : {}) as Record<string, QueryValue>;
  node[head] = child;
  insert(child, rest, value);
}

/** Turn `{ member: { '1': a, '2': b } }` into `[a, b]`, recursively. */
function normalise(node: QueryValue): QueryValue {
  if (typeof node === 'string' || Array.isArray(node)) return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === 'member' && typeof node.member === 'object' && !Array.isArray(node.member)) {
    const items = node.member as Record<string, QueryValue>;
    return Object.keys(items)
      .filter((index) => /^\d+$/.test(index))
      .sort((a, b) => Number(a) - Number(b))
      .map((index) => normalise(items[index]));
  }
  const result: Record<string, QueryValue> = {};
  for (const key of keys) result[key] = normalise(node[key]);
  return result;
}

/** A list parameter: the array, or [] when absent or sent empty. */
export function queryList(value: QueryValue | undefined): QueryValue[] {
  if (value === undefined || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

/** A string parameter, or undefined. */
export function queryString(value: QueryValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
