/** Argument parsing shared by every command: strict flags, durations, one-line errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BadInputError } from './errors';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Flags every command that targets services accepts. */
export const TARGET_OPTIONS = {
  env: { type: 'string' },
  service: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

/**
 * Parse flags strictly: unknown flags, missing values and stray words are bad input, and so are a
 * flag given twice (`--env prod --env dev` would otherwise quietly mean dev) and a value holding a
 * control character (a tag ending in a newline pasted from a file).
 */
export function parseFlags<T extends OptionSpec>(command: string, argv: readonly string[], options: T) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false, tokens: true });
  } catch (error) {
    throw new BadInputError(`${command}: ${describeParseError(error)}; see npm run deploy -- ${command} --help`);
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    const multiple = (options[token.name] as { multiple?: boolean } | undefined)?.multiple === true;
    if (seen.has(token.name) && !multiple) throw new BadInputError(`${command}: --${token.name} is given more than once; pass it once`);
    seen.add(token.name);
    if (token.value !== undefined) checkPrintable(`--${token.name}`, token.value);
  }
  return parsed.values;
}

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** A value with a newline, tab or other control character is refused; the line names the character, never echoes it raw. */
export function checkPrintable(what: string, value: string): void {
  const found = CONTROL_CHARACTER.exec(value);
  if (!found) return;
  const code = found[0].charCodeAt(0).toString(16).padStart(2, '0');
  throw new BadInputError(`${what} holds a control character (U+00${code.toUpperCase()}${found[0] === '\n' ? ', a newline' : ''}) at position ${found.index + 1}; pass the value without it`);
}

function describeParseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${option ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return option ? `flag ${option} needs a value` : message.split('\n')[0];
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']+)'/.exec(message)?.[1] ?? ''}`.trim();
    default:
      return message.split('\n')[0];
  }
}

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** `90s`, `30m`, `1h30m` → milliseconds; anything else (or zero, or over 48 hours) is bad input. */
export function parseDuration(flag: string, text: string): number {
  const match = DURATION.exec(text.trim());
  if (!text.trim() || !match) throw new BadInputError(`${flag} "${text}" is not a duration; use e.g. 90s, 30m or 1h30m`);
  const [hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
  const ms = ((hours * 60 + minutes) * 60 + seconds) * 1000;
  if (ms <= 0) throw new BadInputError(`${flag} must be longer than zero`);
  if (ms > 48 * 3600_000) throw new BadInputError(`${flag} ${text} is over 48h, longer than any CodeDeploy wait`);
  return ms;
}

/** A whole number within bounds, else bad input naming the flag. */
export function parseCount(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new BadInputError(`${flag} must be a whole number from ${min} to ${max}, not "${text}"`);
  }
  return value;
}

/** `choice` must be one of `choices`. */
export function parseChoice<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) {
    throw new BadInputError(`${flag} must be one of ${choices.join(', ')}, not "${text}"`);
  }
  return text as T;
}
