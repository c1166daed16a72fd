/**
 * `deploy --all` end to end: the real CLI against the emulator seeded with a 50-service dev
 * environment (blue/green web services and rolling workers, alternating), which the tool sees
 * through TEST_FLEET (config/fleet.ts). The smaller runs (isolated failure, --fail-fast, Ctrl-C,
 * a killed run and `settle --all`) name a fleet of 8: the first 8 of the same services.
 */
import { loadEnvironment, serviceNames, type EnvironmentConfig } from '../../config';
import { DEPLOYMENTS_PER_BATCH, SERVICES_PER_DESCRIBE } from '../../scripts/steps/batched-calls';
import type { StateDump } from '../../emulator';
import { calls, describeRun, expectExit, liveTargetGroups, runCli, serviceOf, startCli, summarize, useEmulator, waitForState } from './support';

const FLEET = 50;
const fleet = loadEnvironment('dev', { offline: true, fleet: `dev=${FLEET}` });
// 50 ms per emulated second: a dev release (1-minute termination wait) lasts some 8 s, long
// enough for the paced starts (20 at once, then 1 a second) to overlap into batches of 25.
const e2e = useEmulator([fleet], { timeScale: 50 });

/** The tool sees dev as a fleet of `count` (offline only, as the variable demands). */
const fleetOf = (count: number) => ({ env: { TEST_FLEET: `dev=${count}`, ECS_BG_OFFLINE: '1' } });
const release = ['deploy', '--env', 'dev', '--all', '--tag', 'v1.1.0'];

/** The first `count` services of the fleet, with the revision each ran before any release. */
function firstServices(count: number): EnvironmentConfig['services'] {
  return fleet.services.slice(0, count);
}

/** What a service serves now: one revision everywhere (all traffic on one target group, one rollout), or a description of the mix. */
function servedRevision(state: StateDump, service: EnvironmentConfig['services'][number]): string {
  const names = serviceNames(fleet, service);
  const live = serviceOf(state, names.service);
  if (service.release.strategy === 'rolling') {
    const active = live.deployments.filter((deployment) => deployment.status !== 'INACTIVE');
    return active.length === 1 && active[0].rolloutState === 'COMPLETED' ? active[0].taskDefinition : `mixed: ${JSON.stringify(active)}`;
  }
  const groups = liveTargetGroups(state, names.loadBalancer, 80);
  const serving = live.taskSets.filter((taskSet) => taskSet.targetGroup && groups.includes(taskSet.targetGroup));
  return groups.length === 1 && serving.length === 1 ? serving[0].taskDefinition : `mixed: ${groups.join('+')}`;
}

function originalRevisions(count: number): Map<string, string> {
  const state = e2e.aws.state();
  return new Map(firstServices(count).map((service) => [service.name, servedRevision(state, service)]));
}

/**
 * Every CodeDeploy deployment ended and every one of the first `count` services on one version.
 * ECS marks a replaced rollout INACTIVE a moment after the new one completes, so the state is
 * awaited rather than read once.
 */
function settledState(count: number): Promise<StateDump> {
  return waitForState(
    e2e.aws,
    (state) => state.deployments.every((deployment) => ['Succeeded', 'Failed', 'Stopped'].includes(deployment.status)) && firstServices(count).every((service) => !servedRevision(state, service).startsWith('mixed')),
    `every deployment ended and each of the first ${count} services on one version`,
  );
}

describe('deploy --all', () => {
  it(`releases all ${FLEET} services, blue/green and rolling, reading up to ${DEPLOYMENTS_PER_BATCH} deployments and ${SERVICES_PER_DESCRIBE} services at a time`, async () => {
    const { aws } = e2e;
    const before = originalRevisions(FLEET);
    const result = await runCli(aws, release, { ...fleetOf(FLEET), killAfterMs: 150_000 });
    expectExit(result, 0);
    const state = await settledState(FLEET);
    for (const service of fleet.services) {
      const now = servedRevision(state, service);
      expect({ service: service.name, changed: now !== before.get(service.name) && !now.startsWith('mixed') }).toEqual({ service: service.name, changed: true });
    }
    expect(fleet.services.filter((service) => service.release.strategy === 'rolling')).toHaveLength(FLEET / 2);
    expect(result.stdoutLines[result.stdoutLines.length - 1]).toBe(`${FLEET} services: ${FLEET} released`);
    expect(result.stdout).toMatch(/^SERVICE +STRATEGY +PHASE +TRAFFIC +TASKS +ELAPSED +RESULT$/m);
    // One read for many: deployments are followed through BatchGetDeployments, never one GetDeployment each.
    const batches = calls(aws, 'BatchGetDeployments');
    expect(batches.length).toBeGreaterThan(0);
    expect(Math.max(...batches.map((call) => (call.input as { deploymentIds: string[] }).deploymentIds.length))).toBeLessThanOrEqual(DEPLOYMENTS_PER_BATCH);
    // Coalesced: a batch answers several followers at once, not one each.
    const idsRead = batches.reduce((sum, call) => sum + (call.input as { deploymentIds: string[] }).deploymentIds.length, 0);
    expect(idsRead / batches.length).toBeGreaterThan(2);
    expect(calls(aws, 'GetDeployment')).toHaveLength(0);
    const described = calls(aws, 'DescribeServices').map((call) => (call.input as { services: string[] }).services.length);
    expect(Math.max(...described)).toBeLessThanOrEqual(SERVICES_PER_DESCRIBE);
    expect(Math.max(...described)).toBeGreaterThan(1);
    // Every registration and every deployment started once.
    expect(calls(aws, 'RegisterTaskDefinition').filter((call) => call.status === 200)).toHaveLength(FLEET);
    expect(calls(aws, 'CreateDeployment').filter((call) => call.status === 200)).toHaveLength(FLEET / 2);
  }, 180_000);

  it('isolates a failing service: it is rolled back, the others are released, and the exit code is the failure', async () => {
    const { aws } = e2e;
    const before = originalRevisions(8);
    const failing = firstServices(8).find((service) => service.name === 'web3')!;
    aws.failHook({ lifecycleEvent: 'AfterAllowTraffic', deploymentGroupName: serviceNames(fleet, failing).deploymentGroup });
    const result = await runCli(aws, release, { ...fleetOf(8), killAfterMs: 60_000 });
    expectExit(result, 1);
    const state = await settledState(8);
    for (const service of firstServices(8)) {
      const now = servedRevision(state, service);
      expect({ service: service.name, now: now === before.get(service.name) ? 'old' : now.startsWith('mixed') ? now : 'new' }).toEqual({ service: service.name, now: service === failing ? 'old' : 'new' });
    }
    expect(result.stderr).toMatch(/^error: dev\/web3: deployment d-\w+ failed \(HOOK_EXECUTION_FAILURE.*rolled back by d-\w+: old version shop-dev-web3:\d+ serving$/m);
    expect(result.stdoutLines[result.stdoutLines.length - 1]).toBe('8 services: 7 released, 1 FAILED, rolled back');
  });

  it('--fail-fast stops the releases in flight with rollback and skips the rest, changing nothing half-way', async () => {
    const { aws } = e2e;
    const before = originalRevisions(8);
    // The first service to start (blue/green ones go first) fails at once.
    aws.failHook({ lifecycleEvent: 'BeforeInstall', deploymentGroupName: serviceNames(fleet, firstServices(1)[0]).deploymentGroup });
    const result = await runCli(aws, [...release, '--fail-fast', '--concurrency', '2'], { ...fleetOf(8), killAfterMs: 60_000 });
    expectExit(result, 1);
    const state = await settledState(8);
    const outcome = firstServices(8).map((service) => {
      const now = servedRevision(state, service);
      return now === before.get(service.name) ? 'old' : now.startsWith('mixed') ? now : 'new';
    });
    expect(outcome.filter((served) => served !== 'old' && served !== 'new')).toEqual([]);
    expect(outcome[0]).toBe('old');
    expect(result.stdout).toMatch(/^8 services: .*\bskipped\b/m);
    expect(result.stderr).toMatch(/skipped after an earlier failure \(--fail-fast\); nothing changed/);
    // Skipped services registered nothing.
    expect(calls(aws, 'RegisterTaskDefinition').length).toBeLessThan(8);
  });

  it('Ctrl-C mid-run leaves every service on one version, old or new, with no deployment still moving', async () => {
    const { aws } = e2e;
    const cli = startCli(aws, release, { ...fleetOf(8), killAfterMs: 60_000, interruptOnOutput: /^\[web\d*\] deployment d-\w+ created/ });
    const result = await cli.done;
    expect(result.interrupted).toBe(true);
    expect(result.stderr).toMatch(/^SIGINT: ending the 8 releases safely, each as a single deploy would/m);
    expect([3, 6]).toContain(result.code);
    await settledState(8);
    expect(result.stdout).toMatch(/^8 services: /m);
  });

  it('settle --all brings a killed --all run to a safe end: every service on one version', async () => {
    const { aws } = e2e;
    const cli = startCli(aws, release, { ...fleetOf(8), killAfterMs: 60_000 });
    await cli.waitForOutput(/^\[web\d*\] deployment d-\w+ created/);
    cli.kill();
    await cli.done;
    const settled = await runCli(aws, ['settle', '--env', 'dev', '--all'], { ...fleetOf(8), killAfterMs: 60_000 });
    if (settled.code !== 0) throw new Error(`${describeRun(settled)}\n${summarize(aws.state())}`);
    await settledState(8);
  });
});
