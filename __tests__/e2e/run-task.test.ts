/**
 * `run` end to end: a one-off task of the service's revision, through the real tool and SDK
 * against the emulator (RunTask, DescribeTasks, StopTask, CloudWatch Logs), with its exit code,
 * a task that cannot start, Ctrl-C, --timeout, --dry-run and bad input.
 */
import { acceptedMutations, calls, expectExit, pinnedImage, runCli, startCli, useEmulator, verdict } from './support';

const e2e = useEmulator(['dev', 'prod', 'preview']);

const RUN = ['run', '--env', 'prod', '--service', 'web'];

describe('run', () => {
  it('runs the command as a task of the live revision in the service\'s network, streams its log lines and exits 0', async () => {
    const { aws } = e2e;
    aws.scriptTasks({ exitCode: 0, durationSeconds: 3, logLines: ['connecting', 'seeded 42 rows'] });
    const result = await runCli(aws, [...RUN, '--', 'node', 'seed.js', '--rows', '42']);
    expectExit(result, 0);
    expect(result.stdoutLines).toEqual(expect.arrayContaining(['connecting', 'seeded 42 rows']));
    expect(result.stdoutLines.indexOf('connecting')).toBeLessThan(result.stdoutLines.indexOf('seeded 42 rows'));
    expect(verdict(result)).toMatch(/^prod\/web: `node seed\.js --rows 42` exited with code 0 \(task [0-9a-f]{32}\)$/);

    const [run] = calls(aws, 'RunTask');
    const service = aws.emulator.sim.world.services.find((candidate) => candidate.name === 'shop-prod-web')!;
    expect(run.input).toMatchObject({
      cluster: 'shop-prod',
      taskDefinition: service.taskDefinitionArn,
      networkConfiguration: { awsvpcConfiguration: service.networkConfiguration?.awsvpcConfiguration },
      overrides: { containerOverrides: [{ name: 'app', command: ['node', 'seed.js', '--rows', '42'] }] },
    });
    // Nothing else changed: the only mutating call started the task.
    expect(acceptedMutations(aws)).toEqual(['ecs.RunTask']);
    expect(calls(aws, 'GetLogEvents')[0].input).toMatchObject({ logGroupName: '/ecs/shop-prod/web', logStreamName: expect.stringMatching(/^app\/app\/[0-9a-f]{32}$/) });
  });

  it('exits with the command\'s own non-zero code, named in the verdict', async () => {
    const { aws } = e2e;
    aws.scriptTasks({ exitCode: 3, logLines: ['relation "users" does not exist'] });
    const result = await runCli(aws, [...RUN, '--json', '--', 'false']);
    expectExit(result, 3);
    expect(verdict(result)).toMatch(/^error: prod\/web: `false` exited with code 3 \(task \w+\)$/);
    expect(result.stderr).toContain('relation "users" does not exist');
    expect(JSON.parse(result.stdout)).toMatchObject({ command: 'run', exitCode: 3, outcome: 'exited', containerExitCode: 3 });
  });

  it('reports a task that cannot start with AWS\'s reason and exit 125', async () => {
    const { aws } = e2e;
    aws.scriptTasks({ failToStart: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found' });
    const result = await runCli(aws, [...RUN, '--', 'true']);
    expectExit(result, 125);
    expect(verdict(result)).toMatch(/^error: prod\/web: task \w+ did not start: CannotPullContainerError: pull image manifest/);
  });

  it('reports a task RunTask could not place (capacity) with exit 125', async () => {
    const { aws } = e2e;
    aws.scriptTasks({ failToRun: 'Capacity is unavailable at this time. Please try again later or in a different availability zone' });
    const result = await runCli(aws, [...RUN, '--', 'true']);
    expectExit(result, 125);
    expect(verdict(result)).toBe('error: prod/web: RunTask started no task: Capacity is unavailable at this time. Please try again later or in a different availability zone');
  });

  it('stops the task on Ctrl-C with a reason, waits for STOPPED, and exits 130', async () => {
    const { aws } = e2e;
    aws.scriptTasks({ durationSeconds: 36_000, logLines: ['working'] });
    const running = startCli(aws, [...RUN, '--', 'sleep', '3600']);
    await running.waitForOutput(/^working$/);
    running.interrupt();
    const result = await running.done;
    expectExit(result, 130);
    expect(calls(aws, 'StopTask')).toHaveLength(1);
    expect(calls(aws, 'StopTask')[0].input).toMatchObject({ cluster: 'shop-prod', reason: expect.stringMatching(/^Interrupted: stopped by npm run deploy/) });
    expect(verdict(result)).toMatch(/^error: prod\/web: interrupted; task \w+ was stopped \(container exit 143\)$/);
    expect(result.stderr).toMatch(/SIGINT: stopping task \w+ \(StopTask\) and waiting until it has stopped; please wait/);
    const [task] = aws.state().oneOffTasks;
    expect(task).toMatchObject({ status: 'STOPPED', exitCode: 143, stopCode: 'UserInitiated', stoppedReason: expect.stringMatching(/^Interrupted/) });
    expect(result.stdout).toContain(`task ${task.id}: STOPPED`);
  });

  it('stops the task when --timeout elapses and exits 124', async () => {
    const { aws } = e2e;
    aws.scriptTasks({ durationSeconds: 36_000 });
    const result = await runCli(aws, [...RUN, '--timeout', '2s', '--', 'sleep', '3600']);
    expectExit(result, 124);
    expect(calls(aws, 'StopTask')[0].input).toMatchObject({ reason: expect.stringMatching(/^Timed out: stopped by npm run deploy/) });
    expect(verdict(result)).toMatch(/^error: prod\/web: timed out; task \w+ was stopped/);
    expect(result.stdout).toMatch(/task \w+: STOPPED/);
  });

  it('--dry-run prints the RunTask request and starts nothing', async () => {
    const { aws } = e2e;
    const result = await runCli(aws, [...RUN, '--dry-run', '--', 'node', 'migrate.js']);
    expectExit(result, 0);
    expect(result.stdout).toContain('"containerOverrides"');
    expect(result.stdout).toContain('"subnets"');
    expect(verdict(result)).toBe('prod/web: dry run, nothing started');
    expect(acceptedMutations(aws)).toEqual([]);
  });

  it('with --tag runs the revision a release would register, registered first', async () => {
    const { aws } = e2e;
    const result = await runCli(aws, [...RUN, '--tag', 'v1.1.0', '--', 'node', 'migrate.js']);
    expectExit(result, 0);
    expect(acceptedMutations(aws)).toEqual(['ecs.RegisterTaskDefinition', 'ecs.RunTask']);
    const registered = calls(aws, 'RegisterTaskDefinition')[0];
    expect(calls(aws, 'RunTask')[0].input).toMatchObject({ taskDefinition: expect.stringMatching(/shop-prod-web:2$/) });
    expect(JSON.stringify(registered.input)).toContain(pinnedImage(aws.state(), 'shop-prod/web', 'v1.1.0'));
  });

  it.each([
    [['run', '--env', 'prod', '--service', 'web'], /give the command after --/],
    [['run', '--env', 'prod', '--service', 'web', '--'], /give the command after --/],
    [['run', '--env', 'prod', '--service', 'nope', '--', 'true'], /nope/],
    [['run', '--service', 'web', '--', 'true'], /--env is required/],
    [['run', '--env', 'prod', '--service', 'web', '--revision', 'release', '--', 'true'], /--revision release needs the image/],
    [['run', '--env', 'prod', '--service', 'web', '--revision', 'live', '--tag', 'v1.1.0', '--', 'true'], /--revision live runs the serving revision/],
    [['run', '--env', 'prod', '--service', 'web', '--timeout', 'soon', '--', 'true'], /--timeout "soon" is not a duration/],
  ])('bad input %j: exit 2, one line, nothing called', async (args, message) => {
    const { aws } = e2e;
    const result = await runCli(aws, args);
    expectExit(result, 2);
    expect(result.stderrLines).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(calls(aws)).toEqual([]);
  });
});

describe('deploy --migrate', () => {
  const seqOf = (aws: typeof e2e.aws, operation: string) => calls(aws, operation).filter((call) => call.status === 200).map((call) => call.seq);

  it('a failing migration stops the release: exit 1, its exit code and last lines shown, no deployment, scaling untouched', async () => {
    const { aws } = e2e;
    aws.scriptTasks({ exitCode: 7, logLines: ['applying 0042_add_column', 'ERROR: column "email" already exists'] });
    const before = aws.state();
    const result = await runCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0', '--migrate', "node migrate.js up --to '0042 add column'"]);
    expectExit(result, 1);
    expect(verdict(result)).toMatch(
      /^error: prod\/web: migration failed: `node migrate\.js up --to 0042 add column` exited with code 7 \(task \w+\); no deployment was created; prod\/web still serves shop-prod-web:1 and auto scaling was not touched; revision shop-prod-web:2 was registered but serves nothing \(an unused artifact\)$/,
    );
    expect(result.stdout).toContain('migrate | ERROR: column "email" already exists');
    expect(result.stderr).toContain('  | ERROR: column "email" already exists');
    expect(calls(aws, 'RunTask')[0].input).toMatchObject({ overrides: { containerOverrides: [{ command: ['node', 'migrate.js', 'up', '--to', '0042 add column'] }] }, taskDefinition: expect.stringMatching(/shop-prod-web:2$/) });
    // Registering the revision is the only change besides the task: no deployment, no scaling call.
    expect(acceptedMutations(aws)).toEqual(['ecs.RegisterTaskDefinition', 'ecs.RunTask']);
    const after = aws.state();
    expect(after.deployments).toEqual([]);
    expect(after.listeners.map((listener) => listener.forward)).toEqual(before.listeners.map((listener) => listener.forward));
    expect(after.scalableTargets).toEqual(before.scalableTargets);
  });

  it('a migration that cannot start stops the release with AWS\'s reason', async () => {
    const { aws } = e2e;
    aws.scriptTasks({ failToStart: 'ResourceInitializationError: unable to pull secrets or registry auth' });
    const result = await runCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0', '--migrate', 'node migrate.js']);
    expectExit(result, 1);
    expect(verdict(result)).toMatch(/^error: dev\/web: migration failed: task \w+ did not start \(ResourceInitializationError: unable to pull secrets or registry auth\); no deployment was created/);
    expect(calls(aws, 'CreateDeployment')).toEqual([]);
  });

  it('a passing migration runs with the new revision, then the release deploys it', async () => {
    const { aws } = e2e;
    aws.scriptTasks({ exitCode: 0, logLines: ['migrated to 0042'] });
    const result = await runCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0', '--migrate', 'node migrate.js up']);
    expectExit(result, 0);
    expect(result.stdout).toContain('migrate | migrated to 0042');
    expect(result.stdout).toMatch(/migration succeeded \(task \w+ exited with code 0\)/);
    const registered = calls(aws, 'RegisterTaskDefinition');
    expect(registered).toHaveLength(1);
    const [run] = calls(aws, 'RunTask');
    expect(run.input).toMatchObject({ taskDefinition: expect.stringMatching(/shop-dev-web:2$/) });
    expect(seqOf(aws, 'RunTask')[0]).toBeLessThan(seqOf(aws, 'CreateDeployment')[0]);
    expect(verdict(result)).toMatch(/^dev\/web: released shop-dev-web:2/);
  });

  it('runs before the deployment is created and auto scaling suspended (prod)', async () => {
    const { aws } = e2e;
    const release = startCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0', '--migrate', 'node migrate.js']);
    await release.waitForOutput(/waiting for approval/);
    const [runSeq] = seqOf(aws, 'RunTask');
    const stopped = calls(aws, 'DescribeTasks').filter((call) => call.seq > runSeq);
    expect(stopped.length).toBeGreaterThan(0);
    expect(Math.max(...stopped.map((call) => call.seq))).toBeLessThan(seqOf(aws, 'CreateDeployment')[0]);
    expect(runSeq).toBeLessThan(seqOf(aws, 'CreateDeployment')[0]);
    expect(runSeq).toBeLessThan(seqOf(aws, 'RegisterScalableTarget')[0]);
    release.interrupt();
    expectExit(await release.done, 3);
  });

  it('on a rolling service a failing migration leaves the service without an update', async () => {
    const { aws } = e2e;
    aws.scriptTasks({ exitCode: 1 });
    const result = await runCli(aws, ['deploy', '--env', 'preview', '--service', 'web', '--tag', 'v1.1.0', '--migrate', 'node migrate.js']);
    expectExit(result, 1);
    expect(verdict(result)).toMatch(/^error: preview\/web: migration failed: `node migrate\.js` exited with code 1/);
    expect(calls(aws, 'UpdateService')).toEqual([]);
  });

  it('Ctrl-C during the migration stops its task and leaves the service as it was (exit 3)', async () => {
    const { aws } = e2e;
    aws.scriptTasks({ durationSeconds: 36_000, logLines: ['locking table'] });
    const release = startCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0', '--migrate', 'node migrate.js']);
    await release.waitForOutput(/migrate \| locking table/);
    release.interrupt();
    const result = await release.done;
    expectExit(result, 3);
    expect(verdict(result)).toMatch(/^error: dev\/web: interrupted during the migration: task \w+ was stopped \(container exit 143\); no deployment was created/);
    expect(calls(aws, 'StopTask')).toHaveLength(1);
    expect(calls(aws, 'CreateDeployment')).toEqual([]);
  });

  it('bad --migrate: exit 2, nothing called', async () => {
    const { aws } = e2e;
    const result = await runCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0', '--migrate', "node 'unclosed"]);
    expectExit(result, 2);
    expect(result.stderr).toMatch(/--migrate "node 'unclosed" has an unclosed ' quote/);
    expect(calls(aws)).toEqual([]);
  });
});
