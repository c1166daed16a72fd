/**
 * docs/reliability-bad-input.md's table is rendered from the very lists the bad-input suites
 * iterate (__tests__/support/bad-input-cases.ts): a case added, removed or changed without the
 * document, or the other way round, fails here. `UPDATE_BAD_INPUT_TABLE=1 npx jest
 * __tests__/deploy/bad-input-table.test.ts` rewrites the table from the lists.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { badInputTable, E2E_CASES, INPUT_CLASSES, UNIT_CASES } from '../support/bad-input-cases';

const DOC = resolve(__dirname, '../../docs/reliability-bad-input.md');
const START = '<!-- bad-input table: rendered from __tests__/support/bad-input-cases.ts -->';
const END = '<!-- end of bad-input table -->';

function tableIn(text: string): string {
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${DOC} lacks the table markers ${START} ... ${END}`);
  return text.slice(start + START.length, end).trim();
}

describe('the bad-input table in docs/reliability-bad-input.md', () => {
  it('is exactly the cases the suites run, by class', () => {
    const text = readFileSync(DOC, 'utf8');
    if (process.env.UPDATE_BAD_INPUT_TABLE) {
      tableIn(text);
      writeFileSync(DOC, `${text.slice(0, text.indexOf(START) + START.length)}\n${badInputTable()}\n${text.slice(text.indexOf(END))}`);
    }
    expect(tableIn(readFileSync(DOC, 'utf8'))).toBe(badInputTable());
  });

  it("is what README's counts say", () => {
    const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
    expect(readme).toMatch(new RegExp(`The ${UNIT_CASES.length + E2E_CASES.length} cases, by class`));
    expect(readme).toMatch(new RegExp(`including ${UNIT_CASES.length}\\s+bad-input cases \\(${E2E_CASES.length} more end to end`));
  });

  it('counts every case once under a known class, with no title twice in a suite', () => {
    for (const cases of [UNIT_CASES, E2E_CASES]) {
      expect(cases.every((entry) => INPUT_CLASSES.includes(entry.inputClass))).toBe(true);
      expect(new Set(cases.map((entry) => entry.title)).size).toBe(cases.length);
    }
    expect(badInputTable()).toContain(`| **all** | ${UNIT_CASES.length} | ${E2E_CASES.length} | ${UNIT_CASES.length + E2E_CASES.length} |`);
  });
});
