/**
 * The text of config/environments.ts that `npm run init` writes, and how init tells a file it may
 * replace from one a person edited.
 *
 * Init's file starts with a marker line holding the SHA-256 of the rest of the file; any edit
 * breaks the match. A file without the marker is the shipped example, which init may replace only
 * while it still names the example's app and repository.
 */
import { createHash } from 'node:crypto';
import type { EnvironmentConfigInput } from '../../config';

const MARKER = '// Written by npm run init; sha256 of the rest of this file: ';

/** The example's names: a file without init's marker that still uses them is the unedited example. */
export const EXAMPLE_APP = 'shop';
export const EXAMPLE_REPOSITORY = 'example-org/shop';

/** What init may do with the current config/environments.ts. */
export type ConfigFileState =
  | { readonly kind: 'example' }
  | { readonly kind: 'written-by-init' }
  | { readonly kind: 'edited'; readonly reason: string };

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A value as TypeScript source: single-quoted strings, bare keys where they are identifiers, two-space indent. */
function literal(value: unknown, indent: string): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item) => literal(item, inner));
    const flat = `[${items.join(', ')}]`;
    return flat.length <= 80 && !flat.includes('\n') ? flat : `[\n${items.map((item) => `${inner}${item},`).join('\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return '{}';
    const fields = entries.map(([key, item]) => `${IDENTIFIER.test(key) ? key : literal(key, inner)}: ${literal(item, inner)}`);
    const flat = `{ ${fields.join(', ')} }`;
    return flat.length <= 80 && !flat.includes('\n') ? flat : `{\n${fields.map((field) => `${inner}${field},`).join('\n')}\n${indent}}`;
  }
  throw new Error(`cannot write ${String(value)} into config/environments.ts`);
}

/** config/environments.ts for these environments, with init's marker. */
export function renderEnvironmentsFile(environments: Readonly<Record<string, EnvironmentConfigInput>>): string {
  const body = [
    '/**',
    ' * The environments of this project, written by `npm run init` from the example\'s dev and prod.',
    ' * Edit here: the stack and the release tool both read it. Every field not written here takes the',
    ' * default documented in config/schema.ts. Once you edit this file, init refuses to replace it',
    ' * unless given --force.',
    ' */',
    "import type { EnvironmentConfigInput } from './schema';",
    '',
    `export const ENVIRONMENTS: Record<string, EnvironmentConfigInput> = ${literal(environments, '')};`,
    '',
  ].join('\n');
  return `${MARKER}${sha256(body)}\n${body}`;
}

/**
 * Whether init may replace this config/environments.ts: its own unedited output, or the example
 * still under the example's names (`environments` is what the file exports).
 */
export function configFileState(text: string, environments: Readonly<Record<string, EnvironmentConfigInput>>): ConfigFileState {
  if (text.startsWith(MARKER)) {
    const newline = text.indexOf('\n');
    const recorded = text.slice(MARKER.length, newline).trim();
    return recorded === sha256(text.slice(newline + 1))
      ? { kind: 'written-by-init' }
      : { kind: 'edited', reason: 'was edited after npm run init wrote it' };
  }
  const renamed = Object.entries(environments).find(
    ([, env]) => env.app !== EXAMPLE_APP || (env.github !== undefined && env.github.repository !== EXAMPLE_REPOSITORY),
  );
  return renamed
    ? { kind: 'edited', reason: `is not the example any more (${renamed[0]} is app "${renamed[1].app}"${renamed[1].github ? ` of ${renamed[1].github.repository}` : ''})` }
    : { kind: 'example' };
}
