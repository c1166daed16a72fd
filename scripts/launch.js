/**
 * What `npm run deploy` runs. The release tool compiled to dist/ (built by the `prepare` script,
 * which `npm ci` and `npm install` run) starts about 0.3 s sooner than the TypeScript sources
 * through tsx: no loader and no transform on every start. It is used only while it is current,
 * i.e. every source file under scripts/ and config/ has an output at least as new as itself;
 * otherwise (after an edit, a checkout, or an install with --ignore-scripts) the sources run
 * through tsx, so the tool never runs stale code. `npm run prepare` rebuilds dist/.
 *
 * package.json runs it as `exec node scripts/launch.js`: the script shell replaces itself with
 * node, so signals reach the tool directly and npm exits with the tool's own code (3 after Ctrl-C,
 * not npm's 130; docs/releases.md, Exit codes).
 *
 * Plain CommonJS on purpose: it must run before anything is compiled.
 */
'use strict';
const { readdirSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');

const ROOT = join(__dirname, '..');

/** Folders the compiled tool is built from (tsconfig.build.json compiles exactly these). */
const SOURCE_DIRS = ['scripts', 'config'];

/** Every `.ts` file under `dir`, recursively. */
function typeScriptFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...typeScriptFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/** Modification time in ms, or undefined when the file does not exist. */
function modifiedMs(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Source files (relative to `root`) whose compiled output in `dist` is missing or older than they
 * are. Empty: the build is current.
 */
function staleSources(root = ROOT, dist = join(root, 'dist')) {
  const stale = [];
  for (const dir of SOURCE_DIRS) {
    for (const source of typeScriptFiles(join(root, dir))) {
      const name = relative(root, source);
      const output = modifiedMs(join(dist, name.replace(/\.ts$/, '.js')));
      if (output === undefined || output < statSync(source).mtimeMs) stale.push(name);
    }
  }
  return stale;
}

function run() {
  const stale = staleSources();
  if (stale.length === 0) {
    require(join(ROOT, 'dist', 'scripts', 'deploy.js'));
    return;
  }
  if (process.env.ECS_BG_DEBUG) {
    process.stderr.write(`dist/ is older than ${stale.length} source file(s) (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', ...' : ''}); running the sources through tsx (npm run prepare rebuilds)\n`);
  }
  require('tsx/cjs');
  require(join(ROOT, 'scripts', 'deploy.ts'));
}

if (require.main === module) run();

module.exports = { staleSources, SOURCE_DIRS };
