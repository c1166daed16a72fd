/**
 * What a refresh found changed outside Terraform on one resource, judged with the provider schema
 * (`terraform providers schema -json`) and the stack's configuration, so that only changes that
 * make a difference count:
 *
 * - computed-only attributes (ARNs, `load_balancer_arns`, ...) are AWS's to set: never drift;
 * - optional and computed attributes the configuration leaves unset are AWS's to choose: never
 *   drift, except those a refresh fills in from other resources of the stack (security group rules,
 *   routes, role policies, declared-items.ts), whose undeclared items are;
 * - null, absent, an empty list, set or map, and an empty nested block are the same; so are an
 *   unset attribute and its type's zero value ("", 0, false), which is how the provider's legacy
 *   SDK reads "not set" back (e.g. `metric_query[n].period` null → 0 after the first refresh);
 * - sets are compared by item and maps by key: "added ingress 8080/tcp from 0.0.0.0/0", "added tag
 *   owner", never an index shift.
 */
import { attributeDifferences, isPrefix, render, type AttributeDifference, type PathStep } from './attribute-differences';
import type { SchemaAttribute, SchemaBlock } from './apply-state';
import { describeSetItem, mirrorOf, type SetItem } from './declared-items';
import type { Change, Json, JsonObject, PlannedResource } from './plan-json';

/** What is known about one resource besides its change. */
export interface ResourceKnowledge {
  readonly type: string;
  readonly schema: SchemaBlock;
  /** The resource's configuration in cdk.tf.json; undefined for a resource the code no longer has. */
  readonly config?: JsonObject;
  /** The stack's planned resources, for attributes other resources fill in. */
  readonly planned: readonly PlannedResource[];
  /** `lifecycle.ignore_changes` of the resource. */
  readonly ignored: readonly PathStep[][];
}

const isObject = (value: Json | undefined): value is JsonObject => value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value);

/** Whether configuration sets a value (a literal or a reference). */
function isConfigured(value: Json | undefined): boolean {
  return value !== undefined && value !== null;
}

/** A value with every empty (null, [], {}, empty block) as null, and zero values as null where unset. */
function normalise(value: Json | undefined, zeroIsUnset: boolean): Json {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) {
    const items = value.map((item) => normalise(item, zeroIsUnset)).filter((item) => item !== null);
    return items.length === 0 ? null : items;
  }
  if (isObject(value)) {
    const entries = Object.entries(value).map(([key, item]) => [key, normalise(item, zeroIsUnset)] as const);
    return entries.every(([, item]) => item === null) ? null : Object.fromEntries(entries);
  }
  if (zeroIsUnset && (value === '' || value === 0 || value === false)) return null;
  return value;
}

/** A nested block's value normalised attribute by attribute: zero values are unset where no configured item sets them. */
function normaliseBlock(value: Json | undefined, block: SchemaBlock, configItems: JsonObject[]): Json {
  const items = Array.isArray(value) ? value : isObject(value) ? [value] : [];
  const normalised = items
    .map((item): Json => {
      if (!isObject(item)) return null;
      const out: JsonObject = {};
      for (const name of Object.keys(item)) {
        const nested = block.block_types?.[name];
        const configured = configItems.some((config) => isConfigured(config[name]));
        out[name] = nested
          ? normaliseBlock(item[name], nested.block, configItems.flatMap((config) => asObjects(config[name])))
          : normalise(item[name], !configured);
      }
      return Object.values(out).every((entry) => entry === null) ? null : out;
    })
    .filter((item) => item !== null);
  return normalised.length === 0 ? null : normalised;
}

function asObjects(value: Json | undefined): JsonObject[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

/** JSON with object keys sorted: one text per value, whatever the key order. */
function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
  return JSON.stringify(value);
}

function setDifferences(type: string, name: string, before: Json, after: Json): AttributeDifference[] {
  const items = (value: Json): Map<string, Json> => new Map((Array.isArray(value) ? value : []).map((item) => [canonical(item), item]));
  const was = items(before);
  const is = items(after);
  const differences: AttributeDifference[] = [];
  for (const [key, item] of was) {
    if (is.has(key)) continue;
    for (const text of describeSetItem(type, name, item)) differences.push({ path: name, before: render(item, undefined), after: '(absent)', change: `removed ${text}` });
  }
  for (const [key, item] of is) {
    if (was.has(key)) continue;
    for (const text of describeSetItem(type, name, item)) differences.push({ path: name, before: '(absent)', after: render(item, undefined), change: `added ${text}` });
  }
  return differences;
}

function mapDifferences(name: string, before: Json, after: Json): AttributeDifference[] {
  const was = isObject(before) ? before : {};
  const is = isObject(after) ? after : {};
  const label = name === 'tags' ? 'tag' : `${name} key`;
  const differences: AttributeDifference[] = [];
  for (const key of [...new Set([...Object.keys(was), ...Object.keys(is)])]) {
    const path = `${name}[${JSON.stringify(key)}]`;
    if (!(key in is)) differences.push({ path, before: render(was[key], undefined), after: '(absent)', change: `removed ${label} ${key} (was ${render(was[key], undefined)})` });
    else if (!(key in was)) differences.push({ path, before: '(absent)', after: render(is[key], undefined), change: `added ${label} ${key} = ${render(is[key], undefined)}` });
    else if (canonical(was[key]) !== canonical(is[key])) {
      differences.push({ path, before: render(was[key], undefined), after: render(is[key], undefined), change: `changed ${label} ${key}: ${render(was[key], undefined)} → ${render(is[key], undefined)}` });
    }
  }
  return differences;
}

/** Items a refresh put into a mirrored attribute that no resource of the stack declares (and that were not there before). */
function mirrorDifferences(knowledge: ResourceKnowledge, name: string, before: Json | undefined, after: Json | undefined, parent: JsonObject): AttributeDifference[] {
  const mirror = mirrorOf(knowledge.type, name)!;
  const own = isConfigured(knowledge.config?.[name]) ? mirror.items(plannedValue(knowledge, parent, name) ?? null) : [];
  const declared = new Set([...mirror.declared(parent, knowledge.planned), ...own].map((item) => item.key));
  const keyed = (items: SetItem[]): Map<string, SetItem> => new Map(items.map((item) => [item.key, item]));
  const was = keyed(mirror.items(before ?? null));
  const is = keyed(mirror.items(after ?? null));
  const differences: AttributeDifference[] = [];
  for (const [key, item] of is) {
    if (!declared.has(key) && !was.has(key)) differences.push({ path: name, before: '(absent)', after: JSON.stringify(item.text), change: `added ${item.text}` });
  }
  for (const [key, item] of was) {
    if (!declared.has(key) && !is.has(key)) differences.push({ path: name, before: JSON.stringify(item.text), after: '(absent)', change: `removed ${item.text}` });
  }
  return differences;
}

/** This resource's planned value of `name` (what the configuration declares inline). */
function plannedValue(knowledge: ResourceKnowledge, parent: JsonObject, name: string): Json | undefined {
  return knowledge.planned.find((resource) => resource.type === knowledge.type && resource.values.id === parent.id)?.values[name];
}

function isSetType(type: Json | undefined): boolean {
  return Array.isArray(type) && type[0] === 'set';
}

function isMapType(type: Json | undefined): boolean {
  return Array.isArray(type) && type[0] === 'map';
}

function sensitive(mask: Json | undefined): boolean {
  if (mask === true) return true;
  if (Array.isArray(mask)) return mask.some(sensitive);
  return isObject(mask) && Object.values(mask).some(sensitive);
}

/** Differences, by attribute, that a refresh found on one resource and that count as drift. */
export function outsideDifferences(change: Change, knowledge: ResourceKnowledge): AttributeDifference[] {
  const before = isObject(change.before) ? change.before : {};
  const after = isObject(change.after) ? change.after : {};
  const attributes: Record<string, SchemaAttribute> = knowledge.schema.attributes ?? {};
  const blocks = knowledge.schema.block_types ?? {};
  const differences: AttributeDifference[] = [];
  for (const name of [...new Set([...Object.keys(attributes), ...Object.keys(blocks)])]) {
    if (knowledge.ignored.some((prefix) => isPrefix(prefix, [name]))) continue;
    const attribute = attributes[name];
    const block = blocks[name];
    // Computed-only: AWS's to set, never configured.
    if (attribute?.computed && !attribute.optional && !attribute.required) continue;
    const configured = isConfigured(knowledge.config?.[name]);
    if (mirrorOf(knowledge.type, name)) {
      differences.push(...mirrorDifferences(knowledge, name, before[name], after[name], after));
      continue;
    }
    // Optional and computed, left unset: AWS chooses the value.
    if (attribute?.computed && !configured) continue;
    const was = block ? normaliseBlock(before[name], block.block, asObjects(knowledge.config?.[name])) : normalise(before[name], !configured);
    const is = block ? normaliseBlock(after[name], block.block, asObjects(knowledge.config?.[name])) : normalise(after[name], !configured);
    if (canonical(was) === canonical(is)) continue;
    const masked = sensitive((change.before_sensitive as JsonObject | undefined)?.[name]) || sensitive((change.after_sensitive as JsonObject | undefined)?.[name]);
    const deeperIgnores = knowledge.ignored.filter((prefix) => prefix.length > 1 && prefix[0] === name);
    if (!masked && deeperIgnores.length === 0 && (isSetType(attribute?.type) || block?.nesting_mode === 'set')) {
      differences.push(...setDifferences(knowledge.type, name, was, is));
    } else if (!masked && deeperIgnores.length === 0 && isMapType(attribute?.type)) {
      differences.push(...mapDifferences(name, was, is));
    } else {
      differences.push(
        ...attributeDifferences(
          {
            actions: change.actions,
            before: { [name]: was },
            after: { [name]: is },
            before_sensitive: { [name]: (change.before_sensitive as JsonObject | undefined)?.[name] ?? false },
            after_sensitive: { [name]: (change.after_sensitive as JsonObject | undefined)?.[name] ?? false },
          },
          deeperIgnores,
        ),
      );
    }
  }
  return differences;
}
