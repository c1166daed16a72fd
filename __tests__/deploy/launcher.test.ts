/** scripts/launch.js runs the compiled tool only while dist/ is at least as new as every source. */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const { staleSources } = require('../../scripts/launch.js') as { staleSources: (root: string, dist?: string) => string[] };

describe('deciding whether the compiled release tool is current', () => {
  let root: string;
  const write = (path: string, secondsAgo: number) => {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, '');
    const when = Date.now() / 1000 - secondsAgo;
    utimesSync(full, when, when);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'launcher-'));
    write('scripts/deploy.ts', 60);
    write('scripts/steps/plan.ts', 60);
    write('config/index.ts', 60);
    write('dist/scripts/deploy.js', 30);
    write('dist/scripts/steps/plan.js', 30);
    write('dist/config/index.js', 30);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds nothing stale when every output is newer than its source', () => {
    expect(staleSources(root)).toEqual([]);
  });

  it('names a source edited after the build', () => {
    write('scripts/steps/plan.ts', 1);
    expect(staleSources(root)).toEqual(['scripts/steps/plan.ts']);
  });

  it('names a source added to config/ that the build has never seen', () => {
    write('config/identity.ts', 60);
    expect(staleSources(root)).toEqual(['config/identity.ts']);
  });

  it('ignores files that are not TypeScript sources', () => {
    write('scripts/launch.js', 1);
    write('scripts/types.d.ts', 1);
    expect(staleSources(root)).toEqual([]);
  });
});
