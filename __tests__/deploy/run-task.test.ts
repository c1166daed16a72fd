import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { BadInputError } from '../../scripts/cli/errors';
import { migrate, migrationFor, splitCommand } from '../../scripts/steps/migrate';
import { followTask, LogFollower, runTaskInput, runToCompletion, taskOutcome } from '../../scripts/steps/run-task';
import { targetFor } from '../../scripts/steps/target';
import { RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { CreateDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { HAPPY_STEPS, fakeWorld, runCli, taskDefinitionArn } from './support/fake-aws';

const TASK = 'arn:aws:ecs:ap-northeast-1:123456789012:task/shop-prod/0123456789abcdef0123456789abcdef';
const LOGS = { group: '/ecs/shop-prod/web', prefix: 'app', container: 'app' };

const task = (lastStatus: string, extra: Partial<Task> = {}): Task => ({ taskArn: TASK, lastStatus, ...extra });
const stoppedWith = (exitCode: number): Task => task('STOPPED', { stopCode: 'EssentialContainerExited', containers: [{ name: 'app', exitCode }] });

describe('the RunTask request', () => {
  it('takes the live task set\'s network, platform and capacity, and overrides only the container\'s command', () => {
    const world = fakeWorld('prod', { capacityProviders: true });
    const input = runTaskInput(world.target, world.service, taskDefinitionArn('shop-prod-web', 7), ['node', 'migrate.js']);
    const live = world.service.taskSets?.find((taskSet) => taskSet.status === 'PRIMARY');
    expect(input).toEqual({
      cluster: 'shop-prod',
      taskDefinition: taskDefinitionArn('shop-prod-web', 7),
      count: 1,
      capacityProviderStrategy: live?.capacityProviderStrategy,
      ...(live?.platformVersion ? { platformVersion: live.platformVersion } : {}),
      networkConfiguration: live?.networkConfiguration,
      overrides: { containerOverrides: [{ name: 'app', command: ['node', 'migrate.js'] }] },
      startedBy: 'ecs-bg-run',
    });
  });

  it('uses the Fargate launch type when the service names no capacity providers', () => {
    const world = fakeWorld('prod');
    expect(runTaskInput(world.target, world.service, 'arn', ['true']).launchType).toBe('FARGATE');
  });
});

describe('reading the task\'s log stream', () => {
  it('pages forward until the token comes back unchanged, and treats a stream not created yet as empty', async () => {
    const world = fakeWorld('prod');
    world.logs
      .on(GetLogEventsCommand)
      .rejectsOnce(Object.assign(new Error('The specified log stream does not exist.'), { name: 'ResourceNotFoundException' }))
      .resolvesOnce({ events: [{ message: 'one' }, { message: 'two\n' }], nextForwardToken: 'f/2' })
      .resolvesOnce({ events: [], nextForwardToken: 'f/2' })
      .resolvesOnce({ events: [{ message: 'three' }], nextForwardToken: 'f/3' })
      .resolves({ events: [], nextForwardToken: 'f/3' });
    const printed: string[] = [];
    const follower = new LogFollower(world.context, LOGS.group, 'app/app/x', (line) => printed.push(line));
    await follower.read();
    expect(printed).toEqual([]);
    await follower.read();
    await follower.read();
    expect(printed).toEqual(['one', 'two', 'three']);
    const tokens = world.logs.commandCalls(GetLogEventsCommand).map((call) => call.args[0].input.nextToken);
    expect(tokens).toEqual([undefined, undefined, 'f/2', 'f/2', 'f/3']);
    expect(world.logs.commandCalls(GetLogEventsCommand)[0].args[0].input).toMatchObject({ logGroupName: LOGS.group, logStreamName: 'app/app/x', startFromHead: true });
  });
});

describe('following a task', () => {
  it('returns once the task is STOPPED, with the container\'s exit code', async () => {
    const world = fakeWorld('prod');
    world.ecs.on(DescribeTasksCommand).resolvesOnce({ tasks: [task('PENDING')] }).resolvesOnce({ tasks: [task('RUNNING')] }).resolves({ tasks: [stoppedWith(4)] });
    world.logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'f/0' });
    const followed = await followTask(world.context, { cluster: 'shop-prod', taskArn: TASK, logs: LOGS, print: () => undefined, what: 'test' });
    expect(followed.ending).toBe('stopped');
    expect(taskOutcome(followed.task, 'app')).toEqual({ exitCode: 4 });
    expect(world.ecs.commandCalls(StopTaskCommand)).toHaveLength(0);
    expect(world.out.stdout.filter((line) => line.startsWith('task '))).toEqual([
      'task 0123456789abcdef0123456789abcdef: PENDING',
      'task 0123456789abcdef0123456789abcdef: RUNNING',
      'task 0123456789abcdef0123456789abcdef: STOPPED',
    ]);
  });

  it('on Ctrl-C stops the task once, with a reason, and keeps waiting until it is STOPPED', async () => {
    const world = fakeWorld('prod');
    let described = 0;
    world.ecs.on(DescribeTasksCommand).callsFake(() => {
      described += 1;
      if (described === 2) world.controller.abort();
      return { tasks: [described < 5 ? task('RUNNING') : task('STOPPED', { stopCode: 'UserInitiated', containers: [{ name: 'app', exitCode: 143 }] })] };
    });
    world.ecs.on(StopTaskCommand).resolves({});
    const followed = await followTask(world.context, { cluster: 'shop-prod', taskArn: TASK, print: () => undefined, what: 'test run' });
    expect(followed.ending).toBe('interrupted');
    expect(described).toBe(5);
    expect(world.ecs.commandCalls(StopTaskCommand).map((call) => call.args[0].input)).toEqual([
      { cluster: 'shop-prod', task: TASK, reason: 'Interrupted: stopped by npm run deploy (test run)' },
    ]);
    expect(world.interrupts.stoppingMessage).toMatch(/still stopping task/);
  });

  it('stops the task when the deadline passes', async () => {
    const world = fakeWorld('prod');
    const deadline = world.clock.now() + 10_000;
    world.ecs.on(DescribeTasksCommand).callsFake(() => ({ tasks: [world.ecs.commandCalls(StopTaskCommand).length > 0 ? task('STOPPED', { containers: [{ name: 'app', exitCode: 143 }] }) : task('RUNNING')] }));
    world.ecs.on(StopTaskCommand).resolves({});
    const followed = await followTask(world.context, { cluster: 'shop-prod', taskArn: TASK, deadline, print: () => undefined, what: 'test' });
    expect(followed.ending).toBe('timeout');
    expect(world.clock.now()).toBeGreaterThanOrEqual(deadline);
    expect(world.ecs.commandCalls(StopTaskCommand)[0].args[0].input.reason).toMatch(/^Timed out/);
  });
});

describe('what happened to the task', () => {
  it('names AWS\'s reason when the container never ran, once', () => {
    const reason = 'CannotPullContainerError: not found';
    expect(taskOutcome(task('STOPPED', { stopCode: 'TaskFailedToStart', stoppedReason: reason, containers: [{ name: 'app', reason }] }), 'app')).toEqual({ failedToStart: reason });
  });

  it('turns RunTask\'s failures into a start failure with no task', async () => {
    const world = fakeWorld('prod');
    world.ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'Capacity is unavailable at this time' }] });
    const ran = await runToCompletion(world.context, { cluster: 'shop-prod', taskDefinition: 'x' }, { container: 'app', print: () => undefined, what: 'test' });
    expect(ran).toEqual({ ending: 'stopped', outcome: { failedToStart: 'Capacity is unavailable at this time' }, lines: [] });
    expect(world.ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0);
  });

  it('says which task may still run when AWS keeps failing after the start', async () => {
    const world = fakeWorld('prod');
    world.ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    world.ecs.on(DescribeTasksCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    await expect(runToCompletion(world.context, { cluster: 'shop-prod', taskDefinition: 'x' }, { container: 'app', print: () => undefined, what: 'test' })).rejects.toThrow(
      /task arn:aws:ecs:.*may still be running: aws ecs stop-task --cluster shop-prod --task 0123456789abcdef0123456789abcdef/,
    );
  });
});

describe('migrations', () => {
  it('split a command into words like a shell: quotes group, backslashes escape, nothing expands', () => {
    expect(splitCommand(`node migrate.js up --to '0042 add column' "say \\"hi\\"" a\\ b $HOME`)).toEqual(['node', 'migrate.js', 'up', '--to', '0042 add column', 'say "hi"', 'a b', '$HOME']);
    expect(splitCommand(`sh -c 'a && b'`)).toEqual(['sh', '-c', 'a && b']);
    expect(() => splitCommand('   ')).toThrow(BadInputError);
    expect(() => splitCommand(`node "x`)).toThrow(/unclosed " quote/);
  });

  it('come from --migrate, else from the service\'s release.migrate', () => {
    const world = fakeWorld('prod');
    const configured = targetFor(world.target.env, { ...world.target.service, release: { ...world.target.service.release, migrate: "rake 'db:migrate'" } });
    expect(migrationFor(configured, ['node', 'x'])).toEqual(['node', 'x']);
    expect(migrationFor(configured, undefined)).toEqual(['rake', 'db:migrate']);
    expect(migrationFor(world.target, undefined)).toBeUndefined();
  });

  it('a failing migration throws exit 1 with its code and what still serves, and shows the last lines on stderr', async () => {
    const world = fakeWorld('prod');
    world.ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    world.ecs.on(DescribeTasksCommand).resolves({ tasks: [stoppedWith(9)] });
    world.logs.on(GetLogEventsCommand).resolvesOnce({ events: Array.from({ length: 12 }, (_, index) => ({ message: `line ${index + 1}` })), nextForwardToken: 'f/12' }).resolves({ events: [], nextForwardToken: 'f/12' });
    const registration = { family: 'shop-prod-web', containerDefinitions: [{ name: 'app', logConfiguration: { logDriver: 'awslogs' as const, options: { 'awslogs-group': LOGS.group, 'awslogs-stream-prefix': 'app' } } }] };
    const running = migrate(world.context, { target: world.target, service: world.service, revisionArn: taskDefinitionArn('shop-prod-web', 9), registration }, ['node', 'migrate.js'], undefined);
    await expect(running).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/^migration failed: `node migrate\.js` exited with code 9 \(task 0123456789abcdef0123456789abcdef\); no deployment was created; prod\/web still serves shop-prod-web:7/),
    });
    expect(world.out.stderr).toEqual(['error: migration output, last 10 lines:', ...Array.from({ length: 10 }, (_, index) => `error:   | line ${index + 3}`)]);
    expect(world.out.stdout).toContain('migrate | line 1');
    expect(world.logs.commandCalls(GetLogEventsCommand)[0].args[0].input.logStreamName).toBe('app/app/0123456789abcdef0123456789abcdef');
  });
});

describe('a release with --migrate', () => {
  it('runs the migration with the registered revision before suspending auto scaling and creating the deployment', async () => {
    const world = fakeWorld('prod');
    const order: string[] = [];
    world.ecs.on(RunTaskCommand).callsFake((input) => {
      order.push(`RunTask ${input.taskDefinition}`);
      return { tasks: [{ taskArn: TASK }] };
    });
    world.ecs.on(DescribeTasksCommand).resolves({ tasks: [stoppedWith(0)] });
    world.logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'f/0' });
    world.autoScaling.on(RegisterScalableTargetCommand).callsFake(() => {
      order.push('RegisterScalableTarget');
      return {};
    });
    world.script('d-NEW', HAPPY_STEPS);
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--migrate', 'node migrate.js up']);
    expect(order[0]).toBe(`RunTask ${taskDefinitionArn('shop-prod-web', 9)}`);
    expect(order[1]).toBe('RegisterScalableTarget');
    expect(world.ecs.commandCalls(RunTaskCommand)[0].args[0].input.overrides).toEqual({ containerOverrides: [{ name: 'app', command: ['node', 'migrate.js', 'up'] }] });
    expect(world.codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(1);
    expect(run.stdout).toContain('migration succeeded (task 0123456789abcdef0123456789abcdef exited with code 0)');
  });

  it('ends the release when the migration fails: exit 1, no scaling call, no deployment', async () => {
    const world = fakeWorld('prod');
    world.ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    world.ecs.on(DescribeTasksCommand).resolves({ tasks: [stoppedWith(2)] });
    world.logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'f/0' });
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--migrate', 'node migrate.js up']);
    expect(run.code).toBe(1);
    expect(run.stderr.at(-1)).toMatch(/^error: prod\/web: migration failed: `node migrate\.js up` exited with code 2 .*no deployment was created/);
    expect(world.ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
    expect(world.autoScaling.commandCalls(RegisterScalableTargetCommand)).toHaveLength(0);
    expect(world.codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });

  it('--dry-run names the migration and runs nothing', async () => {
    const world = fakeWorld('prod');
    const run = await runCli(world, ['--env', 'prod', '--tag', 'v1.4.2', '--migrate', 'node migrate.js up', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  migration:      `node migrate.js up` as a one-off task of the new revision, before the deployment');
    expect(world.ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
    expect(world.mutatingCalls()).toBe(0);
  });
});
