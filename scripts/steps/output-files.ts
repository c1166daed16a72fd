/**
 * Files a command writes locally (render's taskdef.json and appspec.yaml). Whether they can be
 * written is settled before AWS is read, and they never replace a file that is there: a local
 * failure is bad input, found first, in one line.
 *
 * No recursive mkdir: Node 20's `mkdirSync(..., { recursive: true })` spins forever on a path
 * under /proc (it keeps retrying ENOENT), so directories are made one level at a time.
 */
import { mkdirSync, mkdtempSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BadInputError } from '../cli/errors';

export interface OutputPlan {
  /** The directory, absolute. */
  readonly directory: string;
  /** Its nearest ancestor that exists (the directory itself when it exists). */
  readonly existing: string;
  /** The absolute paths of the files to write. */
  readonly files: readonly string[];
}

function code(error: unknown): string {
  return (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
}

/** The nearest existing ancestor of `directory`; a file where a directory is needed is bad input. */
function nearestExisting(flag: string, directory: string): string {
  let path = directory;
  for (;;) {
    try {
      if (!statSync(path).isDirectory()) throw new BadInputError(`${flag} ${directory}: ${path} is a file, not a directory; choose another ${flag}`);
      return path;
    } catch (error) {
      if (error instanceof BadInputError) throw error;
      const parent = dirname(path);
      if (!/^(ENOENT|ENOTDIR)$/.test(code(error)) || parent === path) throw new BadInputError(`${flag} ${directory}: cannot read ${path} (${code(error)}); choose another ${flag}`);
      path = parent;
    }
  }
}

/**
 * Checks, without AWS, that `names` can be written in `directory`: it (or the parent it would be
 * made in) is a writable directory, tried by making and removing an empty directory there (file
 * modes say nothing for root, nor for /proc or a read-only mount), and none of the files exists.
 */
export function planOutputFiles(flag: string, directory: string, names: readonly string[]): OutputPlan {
  const absolute = resolve(directory);
  const existing = nearestExisting(flag, absolute);
  try {
    rmdirSync(mkdtempSync(join(existing, '.write-check-')));
  } catch (error) {
    throw new BadInputError(`${flag} ${directory}: cannot write in ${existing} (${code(error)}); choose a writable directory`);
  }
  const files = names.map((name) => join(absolute, name));
  if (existing === absolute) {
    const present = files.filter((file) => statSync(file, { throwIfNoEntry: false }) !== undefined);
    if (present.length > 0) throw new BadInputError(`${flag} ${directory} already holds ${present.map((file) => file.slice(absolute.length + 1)).join(' and ')}; nothing is overwritten: remove ${present.length > 1 ? 'them' : 'it'} or choose another ${flag}`);
  }
  return { directory: absolute, existing, files };
}

/** Makes the missing directories one level at a time and writes each file only if it does not exist yet. */
export function writeNewFiles(flag: string, plan: OutputPlan, contents: readonly string[]): void {
  const missing: string[] = [];
  for (let path = plan.directory; path !== plan.existing; path = dirname(path)) missing.unshift(path);
  try {
    for (const path of missing) mkdirSync(path);
    plan.files.forEach((file, index) => writeFileSync(file, contents[index], { flag: 'wx' }));
  } catch (error) {
    throw new BadInputError(`${flag} ${plan.directory}: could not write (${code(error)}); nothing is overwritten: remove what is there or choose another ${flag}`);
  }
}
