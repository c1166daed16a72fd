/** docs/reliability.md's fault × phase table is the table the end-to-end suites run, row for row. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CASES, FAULTS, PHASES, reliabilityTable } from './reliability-cases';
import { REPO_ROOT } from './support';

const BEGIN = '<!-- fault-phase-table: generated from __tests__/e2e/reliability-cases.ts -->';
const END = '<!-- /fault-phase-table -->';

describe('docs/reliability.md', () => {
  it('shows exactly the rows the end-to-end suites run', () => {
    const doc = readFileSync(resolve(REPO_ROOT, 'docs/reliability.md'), 'utf8');
    const begin = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    expect(begin).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(begin);
    expect(doc.slice(begin + BEGIN.length, end).trim()).toBe(reliabilityTable());
  });

  it('has a section for the bad-input suite', () => {
    expect(readFileSync(resolve(REPO_ROOT, 'docs/reliability.md'), 'utf8')).toMatch(/^## Bad input$/m);
  });

  it('names each fault and phase from the lists, each row once, each row in a suite that runs it', () => {
    const keys = CASES.map((row) => `${row.fault} × ${row.phase} × ${row.env}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const row of CASES) {
      expect(FAULTS).toContain(row.fault);
      expect(PHASES).toContain(row.phase);
      expect(existsSync(resolve(REPO_ROOT, `__tests__/e2e/${row.suite}.test.ts`))).toBe(true);
    }
    // Every fault and every phase appears in at least one row.
    expect(FAULTS.filter((fault) => !CASES.some((row) => row.fault === fault))).toEqual([]);
    expect(PHASES.filter((phase) => !CASES.some((row) => row.phase === phase))).toEqual([]);
  });
});
