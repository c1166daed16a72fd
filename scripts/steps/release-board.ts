/**
 * The view of several services released at once: one row per service (phase, traffic on the new
 * version, its tasks, elapsed time). On a terminal the table is redrawn in place, at most every
 * REDRAW_MS, with warnings and errors printed above it; elsewhere (CI logs, a pipe) nothing is
 * redrawn and the services' prefixed progress lines are the log. Either way the run ends with the
 * summary table.
 */
import type { Clock, ProgressSink, ProgressUpdate } from '../context';
import { EXIT } from '../cli/exit-codes';
import type { Streams } from '../cli/output';

/** How often a terminal's table may be redrawn. */
export const REDRAW_MS = 250;

export interface BoardRow {
  readonly service: string;
  readonly strategy: string;
  phase: string;
  traffic?: number;
  tasks?: string;
  startedAt?: number;
  endedAt?: number;
  exitCode?: number;
}

/** What an exit code means in the summary's RESULT column. */
export function resultWord(exitCode: number | undefined, phase: string): string {
  switch (exitCode) {
    case undefined:
      return 'running';
    case EXIT.succeeded:
      return phase === 'unchanged' ? 'unchanged' : 'released';
    case EXIT.failed:
      return 'FAILED, rolled back';
    case EXIT.badInput:
      return phase === 'skipped' ? 'skipped' : 'REFUSED';
    case EXIT.stopped:
      return 'stopped';
    case EXIT.timedOut:
      return 'TIMED OUT';
    case EXIT.awsError:
      return 'AWS ERROR';
    case EXIT.detached:
      return 'left running';
    default:
      return `exit ${exitCode}`;
  }
}

/** `m:ss` */
export function elapsedText(ms: number | undefined): string {
  if (ms === undefined) return '';
  const seconds = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The rows as aligned text lines, header first; `withResult` adds the summary's RESULT column. */
export function renderTable(rows: readonly BoardRow[], now: number, withResult = false): string[] {
  const header = ['SERVICE', 'STRATEGY', 'PHASE', 'TRAFFIC', 'TASKS', 'ELAPSED', ...(withResult ? ['RESULT'] : [])];
  const cells = rows.map((row) => [
    row.service,
    row.strategy,
    row.phase,
    row.traffic !== undefined ? `${row.traffic}%` : '',
    row.tasks ?? '',
    row.startedAt !== undefined ? elapsedText((row.endedAt ?? now) - row.startedAt) : '',
    ...(withResult ? [resultWord(row.exitCode, row.phase)] : []),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column].length)));
  return [header, ...cells].map((cell) => cell.map((text, column) => text.padEnd(widths[column])).join('  ').trimEnd());
}

/** One line counting the results: `50 services: 49 released, 1 FAILED, rolled back`. */
export function countLine(rows: readonly BoardRow[]): string {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const word = resultWord(row.exitCode, row.phase);
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return `${rows.length} services: ${[...counts].map(([word, count]) => `${count} ${word}`).join(', ')}`;
}

export class ReleaseBoard {
  private readonly rows = new Map<string, BoardRow>();
  private drawnLines = 0;
  private lastDraw = -Infinity;
  private pending: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    services: readonly { readonly name: string; readonly strategy: string }[],
    private readonly clock: Clock,
    private readonly streams: Streams,
    /** Redraw in place (a terminal); otherwise only the summary is printed. */
    readonly live: boolean,
  ) {
    for (const service of services) this.rows.set(service.name, { service: service.name, strategy: service.strategy, phase: 'waiting' });
  }

  /** Where one service's release reports its progress. */
  sink(service: string): ProgressSink {
    return { update: (update) => this.update(service, update) };
  }

  update(service: string, update: ProgressUpdate): void {
    const row = this.rows.get(service);
    if (!row || row.exitCode !== undefined) return;
    if (update.phase !== undefined) row.phase = update.phase;
    if (update.traffic !== undefined) row.traffic = update.traffic;
    if (update.tasks !== undefined) row.tasks = update.tasks;
    this.scheduleDraw();
  }

  started(service: string): void {
    const row = this.rows.get(service);
    if (row) row.startedAt ??= this.clock.now();
    this.scheduleDraw();
  }

  finished(service: string, exitCode: number, phase: string): void {
    const row = this.rows.get(service);
    if (!row) return;
    row.exitCode = exitCode;
    row.phase = phase;
    row.endedAt = this.clock.now();
    this.scheduleDraw();
  }

  /** Streams that print above a live table (warnings, errors) and redraw it under them. */
  above(): Streams {
    if (!this.live) return this.streams;
    const write = (stream: (text: string) => void) => (text: string) => {
      this.erase();
      stream(text);
      this.draw();
    };
    return { ...this.streams, stdout: write(this.streams.stdout), stderr: write(this.streams.stderr) };
  }

  /** Stop redrawing; the live table is erased, the summary takes its place. */
  close(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    this.erase();
    this.closed = true;
  }

  /** The summary table and the count line. */
  summary(): string[] {
    const rows = [...this.rows.values()];
    return [...renderTable(rows, this.clock.now(), true), countLine(rows)];
  }

  private scheduleDraw(): void {
    if (!this.live || this.closed || this.pending) return;
    const wait = Math.max(0, this.lastDraw + REDRAW_MS - Date.now());
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.erase();
      this.draw();
    }, wait);
    this.pending.unref?.();
  }

  private erase(): void {
    if (!this.live || this.drawnLines === 0) return;
    // Up to the table's first line, then clear from there to the end of the screen.
    this.streams.stdout(`\u001b[${this.drawnLines}A\r\u001b[J`);
    this.drawnLines = 0;
  }

  private draw(): void {
    if (!this.live || this.closed) return;
    const lines = renderTable([...this.rows.values()], this.clock.now());
    this.streams.stdout(`${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
    this.lastDraw = Date.now();
  }
}
