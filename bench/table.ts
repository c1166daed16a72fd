/** Plain-text tables and number formats for the benchmark report. */
import type { Stats } from './measure';

export type Row = readonly (string | number | undefined)[];

/** Columns padded to their widest cell; numbers right-aligned. */
export function table(header: Row, rows: readonly Row[]): string {
  const cells = [header, ...rows].map((row) => row.map((cell) => (cell === undefined ? '' : String(cell))));
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const numeric = header.map((_, column) => rows.length > 0 && rows.every((row) => row[column] === undefined || typeof row[column] === 'number' || /^[\d.,~ ]+( [a-zA-Z%]+)?$/.test(String(row[column]))));
  const line = (row: string[]) =>
    row.map((cell, column) => (numeric[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ').trimEnd();
  return [line(cells[0]), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Milliseconds as `812 ms` or `3.42 s`. */
export function ms(value: number | undefined): string | undefined {
  if (value === undefined || Number.isNaN(value)) return undefined;
  return Math.round(value) < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(2)} s`;
}

/** `median (min)` of a timing. */
export function medianMin(value: Stats | undefined): string | undefined {
  if (!value || value.n === 0) return undefined;
  return value.n === 1 ? ms(value.median) : `${ms(value.median)} (${ms(value.min)})`;
}

/** Kilobytes as MiB. */
export function mib(kb: number | undefined): string | undefined {
  return kb === undefined ? undefined : `${(kb / 1024).toFixed(0)} MiB`;
}

/** Seconds as `20 s`, `5 min`, `1 h 2 min 5 s`. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${+seconds.toFixed(1)} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = +(seconds % 60).toFixed(1);
  return [h ? `${h} h` : '', m ? `${m} min` : '', s ? `${s} s` : ''].filter(Boolean).join(' ');
}

export function section(title: string): string {
  return `\n== ${title}\n`;
}
