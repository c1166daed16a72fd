/** Local files a command writes: checked before AWS is read, directories made one level at a time, nothing overwritten. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planOutputFiles, writeNewFiles } from '../../scripts/steps/output-files';

describe('output files', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'output-files-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('makes the missing directories and writes every file, leaving no trace of the write check', () => {
    const plan = planOutputFiles('--out', join(tmp, 'build', 'prod'), ['a.json', 'b.yaml']);
    expect(plan).toEqual({ directory: join(tmp, 'build', 'prod'), existing: tmp, files: [join(tmp, 'build', 'prod', 'a.json'), join(tmp, 'build', 'prod', 'b.yaml')] });
    expect(existsSync(join(tmp, 'build'))).toBe(false);
    writeNewFiles('--out', plan, ['{}\n', 'x: 1\n']);
    expect(readFileSync(join(tmp, 'build', 'prod', 'b.yaml'), 'utf8')).toBe('x: 1\n');
    expect(readFileSync(join(tmp, 'build', 'prod', 'a.json'), 'utf8')).toBe('{}\n');
  });

  it('never overwrites a file that appeared after the check: one line, the file as it was', () => {
    const plan = planOutputFiles('--out', tmp, ['a.json']);
    writeFileSync(join(tmp, 'a.json'), 'written meanwhile\n');
    expect(() => writeNewFiles('--out', plan, ['{}\n'])).toThrow(/^--out .*: could not write \(EEXIST\); nothing is overwritten/);
    expect(readFileSync(join(tmp, 'a.json'), 'utf8')).toBe('written meanwhile\n');
  });

  it('names the one file already there', () => {
    writeFileSync(join(tmp, 'b.yaml'), '');
    expect(() => planOutputFiles('--out', tmp, ['a.json', 'b.yaml'])).toThrow(/already holds b\.yaml; nothing is overwritten: remove it or choose another --out$/);
  });
});
