/**
 * CodeDeploy blue/green deployments of an ECS service, driven through the real SDK clients the
 * release tool uses, against the emulator over loopback HTTP.
 */
import {
  BatchGetDeploymentTargetsCommand,
  CreateDeploymentCommand,
  GetDeploymentTargetCommand,
  ListDeploymentTargetsCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
  type ECSTaskSet,
} from '@aws-sdk/client-codedeploy';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeListenersCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ECS_LIFECYCLE_EVENTS } from '../../emulator';
import { appSpec, deploymentInfo, imageOf, registerRevision, setUp, waitFor, waitForStatus, type Setup } from './support';

async function createDeployment(setup: Setup, content: string, extra: { deploymentConfigName?: string } = {}): Promise<string> {
  const { deploymentId } = await setup.clients.codeDeploy.send(
    new CreateDeploymentCommand({
      applicationName: setup.names.codeDeployApplication,
      deploymentGroupName: setup.names.deploymentGroup,
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content } },
      description: 'release from the emulator tests',
      ...extra,
    }),
  );
  return deploymentId as string;
}

async function targetGroupArns(setup: Setup): Promise<{ blue: string; green: string }> {
  const { TargetGroups } = await setup.clients.elbv2.send(new DescribeTargetGroupsCommand({ Names: [...setup.names.targetGroups] }));
  return { blue: TargetGroups?.[0]?.TargetGroupArn as string, green: TargetGroups?.[1]?.TargetGroupArn as string };
}

/** Every listener of the service's load balancer: port → [target group ARN, weight][]. */
async function forwards(setup: Setup): Promise<Record<number, { arn?: string; weights: [string, number][] }>> {
  const state = setup.aws.state();
  const lb = state.listeners.find((listener) => listener.loadBalancer === setup.names.loadBalancer);
  const lbArn = lb?.arn.replace(':listener/', ':loadbalancer/').split('/').slice(0, -1).join('/');
  const { Listeners } = await setup.clients.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }));
  const result: Record<number, { arn?: string; weights: [string, number][] }> = {};
  for (const listener of Listeners ?? []) {
    const action = listener.DefaultActions?.[0];
    result[listener.Port as number] = {
      arn: action?.TargetGroupArn,
      weights: (action?.ForwardConfig?.TargetGroups ?? []).map((tuple) => [tuple.TargetGroupArn as string, tuple.Weight as number]),
    };
  }
  return result;
}

async function ecsTarget(setup: Setup, deploymentId: string) {
  const { deploymentTargets } = await setup.clients.codeDeploy.send(
    new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds: [`${setup.names.service.replace(/-web$/, '')}:${setup.names.service}`] }),
  );
  return deploymentTargets?.[0]?.ecsTarget;
}

const label = (sets: ECSTaskSet[] | undefined, which: 'Blue' | 'Green') => sets?.find((set) => set.taskSetLabel === which);

describe('a blue/green deployment in the dev environment (all at once, 1 minute termination wait)', () => {
  let setup: Setup;
  beforeEach(async () => {
    setup = await setUp('dev');
  });
  afterEach(() => setup.close());

  it('runs every lifecycle event to Succeeded and leaves the service and both listeners on the other target group', async () => {
    const { blue, green } = await targetGroupArns(setup);
    const before = await forwards(setup);
    expect(before[80]).toEqual({ arn: blue, weights: [[blue, 1]] });
    expect(before[8080]).toEqual({ arn: blue, weights: [[blue, 1]] });

    const taskDefinition = await registerRevision(setup, imageOf(setup, 'v1.1.0'));
    const deploymentId = await createDeployment(setup, appSpec(taskDefinition));
    expect(deploymentId).toMatch(/^d-[A-Z0-9]{9}$/);
    expect(['Created', 'InProgress']).toContain((await deploymentInfo(setup.clients, deploymentId)).status);

    const waiting = await waitFor(() => deploymentInfo(setup.clients, deploymentId), (info) => info.instanceTerminationWaitTimeStarted === true);
    expect(waiting.status).toBe('InProgress');
    const during = await ecsTarget(setup, deploymentId);
    expect(label(during?.taskSetsInfo, 'Green')).toMatchObject({ trafficWeight: 100, targetGroup: { name: setup.names.targetGroups[1] }, status: 'PRIMARY' });
    expect(label(during?.taskSetsInfo, 'Blue')).toMatchObject({ trafficWeight: 0, targetGroup: { name: setup.names.targetGroups[0] }, status: 'ACTIVE', runningCount: 1 });

    const done = await waitForStatus(setup.clients, deploymentId, ['Succeeded', 'Failed', 'Stopped']);
    expect(done.status).toBe('Succeeded');
    expect(done.completeTime).toBeInstanceOf(Date);
    expect(done.creator).toBe('user');
    expect(done.deploymentOverview).toMatchObject({ Succeeded: 1 });

    const target = await ecsTarget(setup, deploymentId);
    expect(target?.targetId).toBe(`shop-dev:${setup.names.service}`);
    expect(target?.status).toBe('Succeeded');
    expect(target?.lifecycleEvents?.map((event) => [event.lifecycleEventName, event.status])).toEqual(ECS_LIFECYCLE_EVENTS.map((name) => [name, 'Succeeded']));
    const starts = target?.lifecycleEvents?.map((event) => event.startTime?.getTime() ?? 0) ?? [];
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);

    const { services } = await setup.clients.ecs.send(new DescribeServicesCommand({ cluster: 'shop-dev', services: [setup.names.service] }));
    const service = services?.[0];
    expect(service?.taskDefinition).toBe(taskDefinition);
    expect(service?.deploymentController?.type).toBe('CODE_DEPLOY');
    expect(service?.loadBalancers?.[0]).toMatchObject({ targetGroupArn: green, containerName: 'app', containerPort: 80 });
    const primary = service?.taskSets?.find((set) => set.status === 'PRIMARY');
    expect(primary).toMatchObject({ taskDefinition, scale: { value: 100, unit: 'PERCENT' }, stabilityStatus: 'STEADY_STATE', runningCount: 1 });
    expect(primary?.loadBalancers?.[0]?.targetGroupArn).toBe(green);

    // CodeDeploy leaves weighted forwards behind: new target group 100, old 0.
    const after = await forwards(setup);
    expect(after[80]).toEqual({ arn: undefined, weights: [[green, 100], [blue, 0]] });
    expect(after[8080]).toEqual({ arn: undefined, weights: [[green, 100], [blue, 0]] });

    const { TargetHealthDescriptions } = await setup.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: green }));
    expect(TargetHealthDescriptions?.map((description) => description.TargetHealth?.State)).toEqual(['healthy']);
    expect(TargetHealthDescriptions?.[0]?.Target?.Id).toMatch(/^10\.10\.\d+\.\d+$/);
  });

  it('lists the deployment newest first and reads its single ECS target', async () => {
    const taskDefinition = await registerRevision(setup, imageOf(setup, 'v1.1.0'));
    const first = await createDeployment(setup, appSpec(taskDefinition));
    await waitForStatus(setup.clients, first, ['InProgress']);
    const { targetIds } = await setup.clients.codeDeploy.send(new ListDeploymentTargetsCommand({ deploymentId: first }));
    expect(targetIds).toEqual([`shop-dev:${setup.names.service}`]);
    const { deploymentTarget } = await setup.clients.codeDeploy.send(new GetDeploymentTargetCommand({ deploymentId: first, targetId: targetIds?.[0] }));
    expect(deploymentTarget?.deploymentTargetType).toBe('ECSTarget');
    await setup.clients.codeDeploy.send(new StopDeploymentCommand({ deploymentId: first, autoRollbackEnabled: false }));

    const second = await createDeployment(setup, appSpec(taskDefinition));
    const { deployments } = await setup.clients.codeDeploy.send(
      new ListDeploymentsCommand({ applicationName: setup.names.codeDeployApplication, deploymentGroupName: setup.names.deploymentGroup }),
    );
    expect(deployments).toEqual([second, first]);
    const { deployments: stopped } = await setup.clients.codeDeploy.send(
      new ListDeploymentsCommand({
        applicationName: setup.names.codeDeployApplication,
        deploymentGroupName: setup.names.deploymentGroup,
        includeOnlyStatuses: ['Stopped'],
        createTimeRange: { start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 60_000) },
      }),
    );
    expect(stopped).toEqual([first]);
  });

  it('refuses a second deployment while one is active, naming it', async () => {
    const taskDefinition = await registerRevision(setup, imageOf(setup, 'v1.1.0'));
    const first = await createDeployment(setup, appSpec(taskDefinition));
    await expect(createDeployment(setup, appSpec(taskDefinition))).rejects.toMatchObject({
      name: 'DeploymentLimitExceededException',
      message: `The Deployment Group '${setup.names.deploymentGroup}' already has an active Deployment '${first}'`,
    });
  });
});
