/**
 * Preloaded (`node --require`) into release tool processes that an end-to-end test starts at one
 * instant (the race of __tests__/e2e/races.ts): the process says it is ready (a file next to the
 * gate), then waits, before the tool is even loaded, until the test creates the gate file, and
 * writes into its file when it went through.
 * Without RELEASE_TEST_START_GATE it does nothing.
 */
'use strict';
const { existsSync, writeFileSync } = require('node:fs');

const gate = process.env.RELEASE_TEST_START_GATE;
if (gate && !existsSync(gate)) {
  writeFileSync(`${gate}.${process.pid}`, '');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const giveUpAt = Date.now() + 30_000;
  while (!existsSync(gate) && Date.now() < giveUpAt) Atomics.wait(pause, 0, 0, 1);
  // When this process went through, for the test to check how close together they started.
  writeFileSync(`${gate}.${process.pid}`, String(Date.now()));
}
