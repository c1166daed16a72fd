/** A temp folder for one test, removed when the test is done (nothing left behind: __tests__/support/temp-dir.js). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Run `use` with a fresh folder under the system temp folder, removed afterwards, also when `use` fails. */
export async function inScratchDir<T>(prefix: string, use: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  try {
    return await use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
