/**
 * Preloaded (`node --require`, through NODE_OPTIONS set by the global setup) into every process the
 * tests start: config/environments.ts, and its compiled copy in dist/, load as the shop example
 * pinned in example-environments.json. Node looks a module up in its cache by file name before
 * reading the file, so this works for the sources through tsx and for the compiled tool alike.
 * Why the tests pin the example: example-config.ts.
 */
'use strict';
const Module = require('node:module');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const EXAMPLE = require('./example-environments.json');

for (const filename of [join(ROOT, 'config', 'environments.ts'), join(ROOT, 'dist', 'config', 'environments.js')]) {
  const pinned = new Module(filename);
  pinned.filename = filename;
  pinned.loaded = true;
  pinned.exports = EXAMPLE;
  Module._cache[filename] = pinned;
}
