/** The emulator's RunTask, DescribeTasks, StopTask and CloudWatch Logs reads, through the real SDK. */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
import { CloudWatchLogsClient, GetLogEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand, InvalidParameterException, RunTaskCommand, StopTaskCommand, type RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { setUp, type Setup } from './support';

let setup: Setup;
let logs: CloudWatchLogsClient;
beforeAll(async () => {
  setup = await setUp('dev', { timeScale: 2 });
  logs = new CloudWatchLogsClient({ endpoint: setup.aws.url, region: setup.aws.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 3 });
});
afterAll(async () => {
  logs.destroy();
  await setup.close();
});
beforeEach(() => setup.aws.reset());

function request(command = ['node', 'migrate.js']): RunTaskCommandInput {
  const service = setup.aws.emulator.sim.world.services[0];
  return {
    cluster: 'shop-dev',
    taskDefinition: service.taskDefinitionArn,
    launchType: 'FARGATE',
    networkConfiguration: { awsvpcConfiguration: service.networkConfiguration?.awsvpcConfiguration },
    overrides: { containerOverrides: [{ name: 'app', command }] },
  };
}

const waitMs = (seconds: number) => new Promise((resolve) => setTimeout(resolve, setup.aws.ms(seconds)));

describe('one-off tasks', () => {
  it('run to their scripted exit code, writing their lines to prefix/container/taskId, read forward with tokens', async () => {
    setup.aws.scriptTasks({ exitCode: 3, durationSeconds: 4, logLines: ['a', 'b'] });
    const started = await setup.clients.ecs.send(new RunTaskCommand(request()));
    const task = started.tasks![0];
    expect(task.lastStatus).toBe('PROVISIONING');
    const stream = { logGroupName: '/ecs/shop-dev/web', logStreamName: `app/app/${task.taskArn!.split('/').pop()}` };
    await waitMs(15 + 4 + 1);
    const described = await setup.clients.ecs.send(new DescribeTasksCommand({ cluster: 'shop-dev', tasks: [task.taskArn!] }));
    expect(described.tasks![0]).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', containers: [{ name: 'app', exitCode: 3 }] });
    const first = await logs.send(new GetLogEventsCommand({ ...stream, startFromHead: true }));
    expect(first.events!.map((event) => event.message)).toEqual(['a', 'b']);
    const again = await logs.send(new GetLogEventsCommand({ ...stream, startFromHead: true, nextToken: first.nextForwardToken }));
    expect(again.events).toEqual([]);
    expect(again.nextForwardToken).toBe(first.nextForwardToken);
  });

  it('stop on StopTask with the reason and SIGTERM\'s exit code', async () => {
    setup.aws.scriptTasks({ durationSeconds: 360_000 });
    const task = (await setup.clients.ecs.send(new RunTaskCommand(request()))).tasks![0];
    await waitMs(16);
    const stopping = await setup.clients.ecs.send(new StopTaskCommand({ cluster: 'shop-dev', task: task.taskArn, reason: 'Interrupted' }));
    expect(stopping.task).toMatchObject({ desiredStatus: 'STOPPED', stoppedReason: 'Interrupted' });
    await waitMs(3);
    const described = await setup.clients.ecs.send(new DescribeTasksCommand({ cluster: 'shop-dev', tasks: [task.taskArn!] }));
    expect(described.tasks![0]).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'Interrupted', containers: [{ exitCode: 143 }] });
  });

  it('refuse a Fargate task without a network configuration, and overrides of unknown containers', async () => {
    await expect(setup.clients.ecs.send(new RunTaskCommand({ ...request(), networkConfiguration: undefined }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(setup.clients.ecs.send(new RunTaskCommand({ ...request(), overrides: { containerOverrides: [{ name: 'nope', command: ['x'] }] } }))).rejects.toThrow(
      'Override for container named nope is not a container in the TaskDefinition.',
    );
  });

  it('answer through faults like any other call: a throttled GetLogEvents is retried by the SDK', async () => {
    setup.aws.addFault({ service: 'logs', operation: 'GetLogEvents', kind: 'throttle', times: 1 });
    await expect(logs.send(new GetLogEventsCommand({ logGroupName: '/ecs/shop-dev/web', logStreamName: 'app/app/none', startFromHead: true }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(setup.aws.callLog().map((call) => [call.operation, call.status])).toEqual([
      ['GetLogEvents', 400],
      ['GetLogEvents', 400],
    ]);
    expect(setup.aws.callLog()[0].fault).toBeDefined();
  });
});
