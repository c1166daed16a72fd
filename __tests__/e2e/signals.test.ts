/** Rows of docs/reliability.md's fault × phase table run here (reliability-cases.ts): signals. */
import { CASES, runCase } from './reliability-cases';
import { useEmulator } from './support';

const e2e = useEmulator(['dev', 'prod']);

describe('fault × phase (docs/reliability.md)', () => {
  it.each(CASES.filter((row) => row.suite === 'signals').map((row) => [`${row.fault} × ${row.phase}`, row] as const))('%s: ends in the state the table promises', async (_name, row) => {
    await runCase(e2e, row);
  });
});
