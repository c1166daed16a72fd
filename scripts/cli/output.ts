/**
 * Where the tool writes. People get progress lines and a one-line verdict on stdout; with `--json`
 * stdout carries exactly one JSON document at the end and progress moves to stderr. Warnings and
 * errors always go to stderr.
 */
export interface Reporter {
  /** True when `--json` was given. */
  readonly json: boolean;
  /** A progress line. */
  line(text: string): void;
  /** A warning: never changes the outcome. */
  warn(text: string): void;
  /** An error line. */
  error(text: string): void;
  /** The machine-readable result; printed only with `--json`. */
  result(document: unknown): void;
  /** The same reporter, each line prefixed (one prefix per service when releasing several). */
  withPrefix(prefix: string): Reporter;
  /** The streams it writes to (the live table of several services draws on them directly). */
  readonly streams: Streams;
}

export interface Streams {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** stdout is a terminal that can redraw in place (the live table of several services). */
  readonly terminal?: boolean;
}

export function createReporter(json: boolean, streams: Streams, prefix = ''): Reporter {
  const progress = json ? streams.stderr : streams.stdout;
  return {
    json,
    line: (text) => progress(`${prefix}${text}\n`),
    warn: (text) => streams.stderr(`${prefix}warning: ${text}\n`),
    error: (text) => streams.stderr(`${prefix}error: ${text}\n`),
    result: (document) => {
      if (json) streams.stdout(`${JSON.stringify(document, null, 2)}\n`);
    },
    withPrefix: (next) => createReporter(json, streams, `${prefix}${next}`),
    streams,
  };
}

/**
 * Pieces of a secret URL that may turn up in a message on their own: the URL as given and as
 * normalised, its credentials and its path (a Slack webhook's secret is its path).
 */
export function secretFragments(url: string): string[] {
  const fragments = [url];
  try {
    const parsed = new URL(url);
    fragments.push(parsed.href, `${parsed.host}${parsed.pathname}`);
    if (parsed.password) fragments.push(`${parsed.username}:${parsed.password}`, parsed.password);
    if (parsed.pathname.length >= 8) fragments.push(parsed.pathname);
    if (parsed.search.length >= 8) fragments.push(parsed.search);
  } catch {
    // Not a URL: only the raw value is known.
  }
  return [...new Set(fragments.filter((fragment) => fragment.length >= 4))].sort((a, b) => b.length - a.length);
}

/** Every write goes out with each secret (`name` → value) replaced by `<name>`: nothing printed ever carries one. */
export function redactingStreams(streams: Streams, secrets: Readonly<Record<string, string>>): Streams {
  const replacements = Object.entries(secrets).flatMap(([name, value]) => secretFragments(value).map((fragment) => [fragment, `<${name}>`] as const));
  if (replacements.length === 0) return streams;
  const redact = (text: string) => replacements.reduce((result, [fragment, mark]) => result.split(fragment).join(mark), text);
  return { stdout: (text) => streams.stdout(redact(text)), stderr: (text) => streams.stderr(redact(text)), terminal: streams.terminal };
}

export const processStreams: Streams = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  // A terminal that understands cursor movement; TERM=dumb (and every CI log) gets plain lines.
  terminal: process.stdout.isTTY === true && process.env.TERM !== 'dumb',
};

/** A reporter that keeps everything in memory, for tests. */
export interface MemoryReporter extends Reporter {
  readonly stdout: string[];
  readonly stderr: string[];
}

export function memoryReporter(json = false): MemoryReporter {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const reporter = createReporter(json, {
    stdout: (text) => stdout.push(...text.replace(/\n$/, '').split('\n')),
    stderr: (text) => stderr.push(...text.replace(/\n$/, '').split('\n')),
  });
  return { ...reporter, stdout, stderr };
}
