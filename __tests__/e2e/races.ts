/**
 * Twenty releases of one service started at once (within 50 ms) against the emulator, each a real
 * CLI process. CreateDeployment is held for a while so that many of them pass their plan before
 * the first deployment exists: they race for the group at CreateDeployment itself.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SCALING_RECORD_TAG_KEY } from '../../config';
import { calls, expectExit, runCli, startCli, waitForState, type CliProcess, type CliResult, type E2e } from './support';

const RACERS = 20;
const SUSPENDED = { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: true, ScheduledScalingSuspended: true };
const NOT_SUSPENDED = { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false };

/** Runs the race, asserts what every racer did, and returns the exit text of the table's row. */
export async function raceTwenty({ aws }: E2e): Promise<string> {
  // Each CreateDeployment is answered 2.5 s late: the racers' plans all see a free group.
  aws.addFault({ service: 'codedeploy', operation: 'CreateDeployment', kind: 'slow', delayMs: 2_500, times: RACERS });
  // Spawning twenty processes takes longer than 50 ms: each waits at a gate (start-gate.cjs)
  // until all are up, and the gate opens for all at once (each looks every millisecond).
  const gateDir = mkdtempSync(join(tmpdir(), 'race-gate-'));
  const gate = join(gateDir, 'open');
  const env = { NODE_OPTIONS: `--require ${resolve(__dirname, 'start-gate.cjs')}`, RELEASE_TEST_START_GATE: gate };
  try {
    const racers = Array.from({ length: RACERS }, () => startCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0'], { killAfterMs: 40_000, env }));
    const waiting = () => readdirSync(gateDir).filter((name) => name.startsWith('open.')).length;
    const readyBy = Date.now() + 20_000;
    while (waiting() < RACERS && Date.now() < readyBy) await new Promise((wake) => setTimeout(wake, 5));
    expect(waiting()).toBe(RACERS);
    writeFileSync(gate, '');
    const outcome = await raceOutcome(aws, racers);
    const through = readdirSync(gateDir)
      .filter((name) => name.startsWith('open.'))
      .map((name) => Number(readFileSync(join(gateDir, name), 'utf8')));
    expect(through.every((at) => at > 0)).toBe(true);
    // The gate opens for all at one instant; how soon each goes through is the scheduler's: 57 ms
    // measured with 16 runnable processes on the 2 cores, about 200 ms with 17.
    expect(Math.max(...through) - Math.min(...through)).toBeLessThan(1_000);
    return outcome;
  } finally {
    rmSync(gateDir, { recursive: true, force: true });
  }
}

async function raceOutcome(aws: E2e['aws'], racers: readonly CliProcess[]): Promise<string> {

  // The winner waits for approval; every loser has ended by then.
  await waitForState(aws, (state) => state.deployments[0]?.status === 'Ready', 'the winning deployment waiting for approval', 30_000);
  const exited: CliResult[] = [];
  const winner = await Promise.race(racers.map((cli) => cli.waitForOutput(/^deployment d-\w+ created/, 30_000).then(() => cli)));
  for (const cli of racers.filter((candidate) => candidate !== winner)) exited.push(await cli.done);

  const created = calls(aws, 'CreateDeployment');
  // More than one racer reached CreateDeployment: the race was real.
  expect(created.length).toBeGreaterThan(1);
  expect(created.filter((call) => call.status === 200)).toHaveLength(1);
  for (const loser of exited) {
    expectExit(loser, 2);
    expect(loser.stdout).not.toMatch(/auto scaling/);
  }
  const lostAtCreate = exited.filter((loser) => /another release started deployment d-\w+ in shop-prod-web while this one was being prepared/.test(loser.stderr));
  expect(lostAtCreate).toHaveLength(created.length - 1);
  for (const loser of lostAtCreate) {
    expect(loser.stderrLines).toEqual([
      expect.stringMatching(
        /^error: prod\/web: another release started deployment d-\w+ in shop-prod-web while this one was being prepared; this run changed nothing that serves \(service, listeners and auto scaling untouched\): follow it: npm run deploy -- wait --env prod --service web; or rerun with --if-active wait\|stop; revision shop-prod-web:\d+ was registered but serves nothing \(an unused artifact\)$/,
      ),
    ]);
  }

  const approved = await runCli(aws, ['approve', '--env', 'prod']);
  expectExit(approved, 0);
  const won = await winner.done;
  expectExit(won, 0);

  // One deployment, one suspension, one resume, and the resume after that deployment ended.
  const state = aws.state();
  expect(state.deployments).toHaveLength(1);
  const scaling = calls(aws, 'RegisterScalableTarget').filter((call) => call.status === 200);
  expect(scaling.map((call) => (call.input as { SuspendedState?: unknown }).SuspendedState)).toEqual([SUSPENDED, NOT_SUSPENDED]);
  const deployment = aws.emulator.sim.world.deployments[0];
  // The emulator's clock runs behind the wall clock by a fixed offset (no pause in this test).
  const offset = Date.now() - aws.emulator.sim.clock.wallClock();
  expect(Date.parse(scaling[1].at)).toBeGreaterThanOrEqual((deployment.completeTime as number) + offset);
  expect(calls(aws, 'UpdateService')).toEqual([]);
  expect(calls(aws).filter((call) => call.mutating && call.status === 200 && call.service === 'elbv2')).toEqual([]);
  expect(Object.keys(state.scalableTargets[0].tags)).not.toContain(SCALING_RECORD_TAG_KEY);
  return `0 (the other ${RACERS - 1}: 2), then ${approved.code}`;
}
