/**
 * Nothing left behind in the system temp folder: the suite runs with TMPDIR pointing at a folder
 * of its own (workers and every child process they start inherit it), and the run fails when that
 * folder is not empty at the end, naming what was left. A private folder rather than counting
 * /tmp before and after, so other processes on the machine cannot make the check pass or fail.
 *
 * Jest's globalSetup and globalTeardown (jest.config.js) call the two functions below.
 */
const { mkdtempSync, readdirSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

// Not ECS_BG_*: the release tool refuses variables of its prefix that it does not know.
const VARIABLE = 'TEST_SUITE_TMPDIR';

/**
 * tsx keeps one compile cache per user (`tsx-<uid>`) in the temp folder on purpose and reuses it
 * across runs; it is not something a run leaves behind.
 */
const KEPT_ON_PURPOSE = /^tsx-\d+$/;

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-bg-test-'));
  process.env[VARIABLE] = dir;
  process.env.TMPDIR = dir;
}

function teardown() {
  const dir = process.env[VARIABLE];
  if (!dir) return;
  const left = readdirSync(dir).filter((entry) => !KEPT_ON_PURPOSE.test(entry));
  rmSync(dir, { recursive: true, force: true });
  if (left.length > 0) {
    throw new Error(
      `the tests left ${left.length} entries in the temp folder (remove what a test creates, e.g. with __tests__/support/synth.ts for cdktf apps): ${left.sort().join(', ')}`,
    );
  }
}

module.exports = { setup, teardown };
