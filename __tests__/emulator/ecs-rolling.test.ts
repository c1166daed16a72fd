/**
 * ECS-controller (rolling) services: UpdateService rolls out a new deployment, and the deployment
 * circuit breaker rolls back a release whose tasks never become healthy.
 */
import {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { imageOf, registerRevision, setUp, waitFor, type Setup } from './support';

const CLUSTER = 'shop-preview';

async function describe_(setup: Setup): Promise<Service> {
  const { services } = await setup.clients.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [setup.names.service] }));
  return services?.[0] as Service;
}

describe('a rolling service (preview: ECS controller, circuit breaker with rollback)', () => {
  let setup: Setup;
  beforeEach(async () => {
    setup = await setUp('preview', { timeScale: 3 });
  });
  afterEach(() => setup.close());

  it('starts as Terraform left it: one completed PRIMARY deployment running revision 1', async () => {
    const service = await describe_(setup);
    expect(service.deploymentController?.type).toBe('ECS');
    expect(service.taskSets).toBeUndefined();
    expect(service.deploymentConfiguration?.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
    expect(service.deployments).toHaveLength(1);
    expect(service.deployments?.[0]).toMatchObject({ status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 1, desiredCount: 1 });
    expect(service.taskDefinition).toMatch(/:task-definition\/shop-preview-web:1$/);
    expect(service.networkConfiguration?.awsvpcConfiguration?.subnets).toEqual(['subnet-0a1b2c3d4e5f60003', 'subnet-0a1b2c3d4e5f60004']);
    expect(service.runningCount).toBe(1);
  });

  it('rolls out a new task definition to COMPLETED and stops the old tasks', async () => {
    const before = await describe_(setup);
    const taskDefinition = await registerRevision(setup, imageOf(setup, 'v1.1.0'));
    const { service: updated } = await setup.clients.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: setup.names.service, taskDefinition }));
    expect(updated?.deployments?.map((d) => [d.status, d.rolloutState])).toEqual([
      ['PRIMARY', 'IN_PROGRESS'],
      ['ACTIVE', 'COMPLETED'],
    ]);
    expect(updated?.taskDefinition).toBe(taskDefinition);

    const done = await waitFor(() => describe_(setup), (service) => service.deployments?.length === 1 && service.deployments[0].rolloutState === 'COMPLETED');
    expect(done.deployments?.[0]).toMatchObject({ status: 'PRIMARY', taskDefinition, runningCount: 1, failedTasks: 0 });
    expect(done.events?.[0]?.message).toContain('has reached a steady state');

    const { taskArns } = await setup.clients.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: setup.names.service }));
    const { tasks } = await setup.clients.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: taskArns }));
    expect(tasks?.map((task) => [task.taskDefinitionArn, task.lastStatus, task.desiredStatus, task.startedBy])).toEqual([
      [taskDefinition, 'RUNNING', 'RUNNING', done.deployments?.[0]?.id],
    ]);
    const { taskArns: stopped } = await setup.clients.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: setup.names.service, desiredStatus: 'STOPPED' }));
    const { tasks: old } = await setup.clients.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: stopped }));
    expect(old?.map((task) => task.taskDefinitionArn)).toEqual([before.taskDefinition]);
    expect(old?.[0]?.stopCode).toBe('ServiceSchedulerInitiated');
  });

  it('trips the circuit breaker on a bad image and rolls back to the last completed deployment', async () => {
    const before = await describe_(setup);
    setup.aws.putImage({ repository: setup.names.repository, tag: 'v1.2.0', bad: true });
    const taskDefinition = await registerRevision(setup, imageOf(setup, 'v1.2.0'));
    const { service: updated } = await setup.clients.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: setup.names.service, taskDefinition }));
    const releaseId = updated?.deployments?.[0]?.id;

    const failed = await waitFor(() => describe_(setup), (service) => service.deployments?.some((d) => d.id === releaseId && d.rolloutState === 'FAILED') ?? false, 10_000);
    const release = failed.deployments?.find((d) => d.id === releaseId);
    expect(release?.rolloutStateReason).toBe('ECS deployment circuit breaker: tasks failed to start.');
    expect(release?.failedTasks).toBeGreaterThanOrEqual(3);
    expect(release?.status).toBe('ACTIVE');
    const primary = failed.deployments?.find((d) => d.status === 'PRIMARY');
    expect(primary?.taskDefinition).toBe(before.taskDefinition);
    expect(failed.taskDefinition).toBe(before.taskDefinition);

    const settled = await waitFor(() => describe_(setup), (service) => service.deployments?.length === 1 && service.deployments[0].rolloutState === 'COMPLETED');
    expect(settled.deployments?.[0]).toMatchObject({ taskDefinition: before.taskDefinition, runningCount: 1 });
    const events = settled.events?.map((event) => event.message).join('\n');
    expect(events).toContain(`(deployment ${releaseId}) deployment failed: tasks failed to start.`);
    expect(events).toContain('rolling back to deployment');

    const { taskArns } = await setup.clients.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: setup.names.service, desiredStatus: 'STOPPED' }));
    const { tasks } = await setup.clients.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: taskArns }));
    expect(tasks?.some((task) => task.taskDefinitionArn === taskDefinition && /failed ELB health checks/.test(task.stoppedReason ?? ''))).toBe(true);
  });

  it('fails a task whose image is missing from ECR with CannotPullContainerError', async () => {
    const repository = imageOf(setup, 'v1.0.0').split('@')[0];
    const taskDefinition = await registerRevision(setup, `${repository}:v9.9.9`);
    await setup.clients.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: setup.names.service, taskDefinition }));
    const { taskArns } = await waitFor(
      () => setup.clients.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: setup.names.service, desiredStatus: 'STOPPED' })),
      (list) => (list.taskArns ?? []).length > 0,
    );
    const { tasks } = await setup.clients.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: taskArns }));
    expect(tasks?.[0]?.stopCode).toBe('TaskFailedToStart');
    expect(tasks?.[0]?.stoppedReason).toMatch(/^CannotPullContainerError: .*v9\.9\.9: not found$/);
  });

  it('scales with desiredCount alone, without a new deployment', async () => {
    const { service } = await setup.clients.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: setup.names.service, desiredCount: 3 }));
    expect(service?.deployments).toHaveLength(1);
    const scaled = await waitFor(() => describe_(setup), (current) => current.runningCount === 3);
    expect(scaled.deployments?.[0]?.desiredCount).toBe(3);
  });

  it('names missing clusters and services the way ECS does', async () => {
    await expect(setup.clients.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'nope', desiredCount: 1 }))).rejects.toMatchObject({
      name: 'ServiceNotFoundException',
      message: 'Service not found.',
    });
    await expect(setup.clients.ecs.send(new DescribeServicesCommand({ cluster: 'nope', services: ['x'] }))).rejects.toMatchObject({
      name: 'ClusterNotFoundException',
      message: 'Cluster not found.',
    });
    const { failures } = await setup.clients.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['missing-service'] }));
    expect(failures).toEqual([{ arn: `arn:aws:ecs:ap-northeast-1:123456789012:service/${CLUSTER}/missing-service`, reason: 'MISSING' }]);
  });
});

describe('task definitions', () => {
  let setup: Setup;
  beforeEach(async () => {
    setup = await setUp('dev');
  });
  afterEach(() => setup.close());

  it('register new revisions with tags, list them in either order page by page, and deregister', async () => {
    const first = await registerRevision(setup, imageOf(setup, 'v1.0.0'));
    const second = await registerRevision(setup, imageOf(setup, 'v1.1.0'));
    expect(first).toMatch(/shop-dev-web:2$/);
    expect(second).toMatch(/shop-dev-web:3$/);

    const { taskDefinition, tags } = await setup.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: second, include: ['TAGS'] }));
    expect(taskDefinition).toMatchObject({ status: 'ACTIVE', revision: 3, family: 'shop-dev-web', networkMode: 'awsvpc', cpu: '256', memory: '512' });
    expect(taskDefinition?.containerDefinitions?.[0]?.image).toBe(imageOf(setup, 'v1.1.0'));
    expect(tags).toEqual([{ key: 'ReleasedBy', value: 'ecs-bluegreen-deploy' }]);
    const { tags: terraformTags } = await setup.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'shop-dev-web:1', include: ['TAGS'] }));
    expect(terraformTags).toContainEqual({ key: 'ManagedBy', value: 'terraform' });
    const { tags: untagged } = await setup.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'shop-dev-web' }));
    expect(untagged).toBeUndefined();

    const page1 = await setup.clients.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'shop-dev-web', sort: 'DESC', maxResults: 2 }));
    expect(page1.taskDefinitionArns?.map((arn) => arn.split(':').pop())).toEqual(['3', '2']);
    const page2 = await setup.clients.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'shop-dev-web', sort: 'DESC', maxResults: 2, nextToken: page1.nextToken }));
    expect(page2.taskDefinitionArns?.map((arn) => arn.split(':').pop())).toEqual(['1']);
    expect(page2.nextToken).toBeUndefined();

    await setup.clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: first }));
    const active = await setup.clients.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'shop-dev-web' }));
    expect(active.taskDefinitionArns?.map((arn) => arn.split(':').pop())).toEqual(['1', '3']);
    const inactive = await setup.clients.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'shop-dev-web', status: 'INACTIVE' }));
    expect(inactive.taskDefinitionArns).toEqual([first]);

    await expect(setup.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'shop-dev-web:99' }))).rejects.toMatchObject({
      name: 'ClientException',
      message: 'Unable to describe task definition.',
    });
  });

  it('refuse a task definition change on a CODE_DEPLOY service but allow a new desired count', async () => {
    const taskDefinition = await registerRevision(setup, imageOf(setup, 'v1.1.0'));
    await expect(setup.clients.ecs.send(new UpdateServiceCommand({ cluster: 'shop-dev', service: setup.names.service, taskDefinition }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.',
    });
    const { service } = await setup.clients.ecs.send(new UpdateServiceCommand({ cluster: 'shop-dev', service: setup.names.service, desiredCount: 2 }));
    expect(service?.desiredCount).toBe(2);
    const scaled = await waitFor(
      async () => (await setup.clients.ecs.send(new DescribeServicesCommand({ cluster: 'shop-dev', services: [setup.names.service] }))).services?.[0],
      (current) => current?.taskSets?.[0]?.runningCount === 2,
    );
    expect(scaled?.taskSets?.[0]?.computedDesiredCount).toBe(2);
  });
});
