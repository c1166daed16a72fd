/**
 * Reading a synthesized stack (the Terraform JSON cdktf writes): resources by type, their
 * addresses, references between them, lifecycle settings and every IAM policy document, whether
 * written as JSON or as an `aws_iam_policy_document` data source.
 */

/** A synthesized stack: `resource.<type>.<logical id>` → attributes. */
export interface Synthesized {
  readonly resource?: Record<string, Record<string, Record<string, any>>>;
  readonly data?: Record<string, Record<string, Record<string, any>>>;
  readonly provider?: Record<string, Array<Record<string, any>>>;
  readonly terraform?: Record<string, any>;
  readonly output?: Record<string, { value: unknown }>;
  readonly locals?: Record<string, unknown>;
}

/** A resource's attributes with its logical id as `__id` and its Terraform address as `__address`. */
export type SynthesizedResource = Record<string, any> & { readonly __id: string; readonly __address: string };

/** Every resource of a type. */
export function resources(synthesized: Synthesized, type: string): SynthesizedResource[] {
  return Object.entries(synthesized.resource?.[type] ?? {}).map(([id, body]) => ({ ...body, __id: id, __address: `${type}.${id}` }));
}

/** The address (`<type>.<logical id>`) of every managed resource of a synthesized stack. */
export function resourceAddresses(synthesized: Pick<Synthesized, 'resource'>): string[] {
  return Object.entries(synthesized.resource ?? {}).flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`));
}

/** How many managed resources a synthesized stack declares (what its state holds after an apply). */
export function resourceCount(synthesized: Pick<Synthesized, 'resource'>): number {
  return resourceAddresses(synthesized).length;
}

/** The `ignore_changes` list of a resource, or undefined when it has none. */
export function ignoreChanges(resource: Record<string, any>): unknown {
  return resource.lifecycle?.ignore_changes;
}

/** `${aws_x.y.id}` → `aws_x.y` (or `data.aws_x.y`): the object a single reference points at; undefined for anything else. */
export function referenceTarget(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^\$\{((?:data\.)?[a-z0-9_]+\.[^.}]+)\.[a-z_]+\}$/.exec(value);
  return match?.[1];
}

/** `${aws_x.y.id}` → `aws_x.y`; throws when the value is not a single resource reference. */
export function referencedAddress(reference: string): string {
  const target = referenceTarget(reference);
  if (!target) throw new Error(`not a single resource reference: ${reference}`);
  return target;
}

/** Attributes of the resource or data source at an address (`aws_x.y` or `data.aws_x.y`). */
export function objectAt(synthesized: Synthesized, address: string): Record<string, any> | undefined {
  const [first, ...rest] = address.split('.');
  const [type, id] = first === 'data' ? rest : [first, ...rest];
  return (first === 'data' ? synthesized.data : synthesized.resource)?.[type]?.[id];
}

/** A value that may be one item or a list, as a list. */
export function list<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...value] : [value as T];
}

/**
 * Whether the stack's AWS provider leaves a tag key out of everything it reads (`ignore_tags`
 * keys and key prefixes), so the key is never in the state and never drift.
 */
export function providerIgnoresTag(synthesized: Synthesized, key: string): boolean {
  return list(synthesized.provider?.aws).some((provider) =>
    list(provider.ignore_tags as Array<{ keys?: string[]; key_prefixes?: string[] }> | undefined).some(
      (ignore) => list(ignore.keys).includes(key) || list(ignore.key_prefixes).some((prefix) => key.startsWith(prefix)),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// IAM documents

/** One statement of an IAM policy, as AWS reads it. */
export interface IamStatement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action?: string | string[];
  readonly NotAction?: unknown;
  readonly Resource?: string | string[];
  readonly NotResource?: unknown;
  readonly Principal?: '*' | Record<string, string | string[]>;
  readonly NotPrincipal?: unknown;
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** A policy document found in the stack, with where it came from. */
export interface IamDocument {
  /** The resource holding it, e.g. `aws_iam_role.deploy`. */
  readonly address: string;
  /** `permissions` grant actions; `trust` says who may assume a role. */
  readonly kind: 'permissions' | 'trust';
  /** The statements; undefined when the document cannot be read (neither JSON nor a policy-document data source). */
  readonly statements?: readonly IamStatement[];
}

/** An `aws_iam_policy_document` data source's `statement` block → the IAM JSON statement it renders. */
function dataSourceStatement(block: Record<string, any>): IamStatement {
  const principals = (blocks: unknown) =>
    Object.fromEntries(list(blocks as Array<{ type: string; identifiers: string[] }>).map((principal) => [principal.type, principal.identifiers]));
  const conditions: Record<string, Record<string, string[]>> = {};
  for (const condition of list(block.condition as Array<{ test: string; variable: string; values: string[] }>)) {
    conditions[condition.test] = { ...conditions[condition.test], [condition.variable]: condition.values };
  }
  return {
    ...(block.sid ? { Sid: block.sid } : {}),
    Effect: block.effect ?? 'Allow',
    ...(block.actions ? { Action: block.actions } : {}),
    ...(block.not_actions ? { NotAction: block.not_actions } : {}),
    ...(block.resources ? { Resource: block.resources } : {}),
    ...(block.not_resources ? { NotResource: block.not_resources } : {}),
    ...(block.principals ? { Principal: principals(block.principals) } : {}),
    ...(block.not_principals ? { NotPrincipal: principals(block.not_principals) } : {}),
    ...(block.condition ? { Condition: conditions } : {}),
  };
}

/** The statements of a policy attribute: JSON text, or a reference to an `aws_iam_policy_document` data source. */
export function readStatements(synthesized: Synthesized, policy: unknown): IamStatement[] | undefined {
  if (typeof policy !== 'string') return undefined;
  const target = referenceTarget(policy);
  if (target?.startsWith('data.aws_iam_policy_document.')) {
    const source = objectAt(synthesized, target);
    return source ? list(source.statement).map(dataSourceStatement) : undefined;
  }
  try {
    return list(JSON.parse(policy).Statement);
  } catch {
    return undefined;
  }
}

/** Every IAM policy document in the stack: inline, managed, attached and trust policies. */
export function iamDocuments(synthesized: Synthesized): IamDocument[] {
  const read = (address: string, kind: IamDocument['kind'], policy: unknown): IamDocument => ({ address, kind, statements: readStatements(synthesized, policy) });
  return [
    ...resources(synthesized, 'aws_iam_role_policy').map((policy) => read(policy.__address, 'permissions', policy.policy)),
    ...resources(synthesized, 'aws_iam_policy').map((policy) => read(policy.__address, 'permissions', policy.policy)),
    ...resources(synthesized, 'aws_iam_role').flatMap((role) => [
      read(role.__address, 'trust', role.assume_role_policy),
      ...list(role.inline_policy as Array<{ policy: string }>).map((inline) => read(role.__address, 'permissions', inline.policy)),
    ]),
  ];
}

/** An IAM pattern (`*` and `?` wildcards, as in Action, Resource and StringLike) as a regular expression. */
export function iamWildcard(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}

/** Whether an IAM action pattern (wildcards `*` and `?`, case-insensitive as IAM compares) covers an action. */
export function actionCovers(pattern: string, action: string): boolean {
  return iamWildcard(pattern, true).test(action);
}
