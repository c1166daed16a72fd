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

/** Parse flags strictly: unknown flags, missing values and stray words are bad input. */
export function parseFlags<T extends OptionSpec>(command: string, argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new BadInputError(`${command}: ${describeParseError(error)}; see npm run deploy -- ${command} --help`);
  }
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
