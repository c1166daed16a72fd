/**
 * ECR lookups, ELBv2's XML as the SDK parses it, and Application Auto Scaling's suspended state.
 */
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { BatchGetImageCommand, DescribeImagesCommand, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetDeploymentConfigCommand, GetDeploymentGroupCommand } from '@aws-sdk/client-codedeploy';
import { setUp, type Setup } from './support';

describe('the container registry (ECR)', () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await setUp('dev');
  });
  afterAll(() => setup.close());

  it('describes the service repository with its URI and immutable tags', async () => {
    const { repositories } = await setup.clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['shop-dev/web'] }));
    expect(repositories?.[0]).toMatchObject({
      repositoryName: 'shop-dev/web',
      registryId: '123456789012',
      repositoryUri: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-dev/web',
      repositoryArn: 'arn:aws:ecr:ap-northeast-1:123456789012:repository/shop-dev/web',
      imageTagMutability: 'IMMUTABLE',
    });
    expect(repositories?.[0]?.createdAt).toBeInstanceOf(Date);
    await expect(setup.clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['shop-dev/nope'] }))).rejects.toMatchObject({
      name: 'RepositoryNotFoundException',
      message: "The repository with name 'shop-dev/nope' does not exist in the registry with id '123456789012'",
    });
  });

  it('finds an image by tag and by digest, and reports a missing one', async () => {
    const { imageDetails } = await setup.clients.ecr.send(new DescribeImagesCommand({ repositoryName: 'shop-dev/web', imageIds: [{ imageTag: 'v1.1.0' }] }));
    const digest = imageDetails?.[0]?.imageDigest as string;
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(imageDetails?.[0]).toMatchObject({ imageTags: ['v1.1.0'], imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json' });
    expect(imageDetails?.[0]?.imagePushedAt).toBeInstanceOf(Date);

    const byDigest = await setup.clients.ecr.send(new DescribeImagesCommand({ repositoryName: 'shop-dev/web', imageIds: [{ imageDigest: digest }] }));
    expect(byDigest.imageDetails?.[0]?.imageTags).toEqual(['v1.1.0']);

    const all = await setup.clients.ecr.send(new DescribeImagesCommand({ repositoryName: 'shop-dev/web' }));
    expect(all.imageDetails?.flatMap((image) => image.imageTags)).toEqual(['v1.0.0', 'v1.1.0', 'v1.2.0']);

    await expect(setup.clients.ecr.send(new DescribeImagesCommand({ repositoryName: 'shop-dev/web', imageIds: [{ imageTag: 'v9.9.9' }] }))).rejects.toMatchObject({
      name: 'ImageNotFoundException',
    });
    await expect(setup.clients.ecr.send(new DescribeImagesCommand({ repositoryName: 'nope', imageIds: [{ imageTag: 'v1.0.0' }] }))).rejects.toMatchObject({
      name: 'RepositoryNotFoundException',
    });
  });

  it('returns manifests whose SHA-256 is the digest, and failures for what is missing', async () => {
    const { images, failures } = await setup.clients.ecr.send(
      new BatchGetImageCommand({ repositoryName: 'shop-dev/web', imageIds: [{ imageTag: 'v1.2.0' }, { imageTag: 'v0.0.1' }] }),
    );
    expect(images).toHaveLength(1);
    const manifest = images?.[0]?.imageManifest as string;
    const { createHash } = await import('node:crypto');
    expect(`sha256:${createHash('sha256').update(manifest).digest('hex')}`).toBe(images?.[0]?.imageId?.imageDigest);
    expect(JSON.parse(manifest).schemaVersion).toBe(2);
    expect(failures).toEqual([{ imageId: { imageTag: 'v0.0.1' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }]);
  });

  it('accepts images pushed through the control API', async () => {
    const pushed = setup.aws.putImage({ repository: 'shop-dev/web', tag: 'v2.0.0' });
    const { imageDetails } = await setup.clients.ecr.send(new DescribeImagesCommand({ repositoryName: 'shop-dev/web', imageIds: [{ imageTag: 'v2.0.0' }] }));
    expect(imageDetails?.[0]?.imageDigest).toBe(pushed.digest);
  });
});

describe('the load balancer (ELBv2, query protocol with XML answers)', () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await setUp('prod');
  });
  afterAll(() => setup.close());

  it('describes the load balancer, its listeners with forward configs, and its default rules', async () => {
    const { LoadBalancers } = await setup.clients.elbv2.send(new DescribeLoadBalancersCommand({ Names: ['shop-prod-web'] }));
    const lb = LoadBalancers?.[0];
    expect(lb).toMatchObject({ LoadBalancerName: 'shop-prod-web', Type: 'application', Scheme: 'internet-facing', State: { Code: 'active' } });
    expect(lb?.LoadBalancerArn).toMatch(/^arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer\/app\/shop-prod-web\/[a-f0-9]{16}$/);
    expect(lb?.AvailabilityZones?.map((zone) => zone.ZoneName)).toEqual(['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d']);
    expect(lb?.CreatedTime).toBeInstanceOf(Date);

    const { Listeners } = await setup.clients.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn }));
    // prod serves HTTPS: 443 forwards (CodeDeploy's), 80 only redirects to it, the test listener is on 8443.
    expect(Listeners?.map((listener) => [listener.Port, listener.Protocol])).toEqual([
      [443, 'HTTPS'],
      [80, 'HTTP'],
      [8443, 'HTTPS'],
    ]);
    expect(Listeners?.[1]?.DefaultActions).toEqual([expect.objectContaining({ Type: 'redirect', RedirectConfig: expect.objectContaining({ Protocol: 'HTTPS', Port: '443' }) })]);
    const forward = Listeners?.[0]?.DefaultActions?.[0];
    expect(forward?.Type).toBe('forward');
    expect(forward?.ForwardConfig?.TargetGroups).toEqual([{ TargetGroupArn: forward?.TargetGroupArn, Weight: 1 }]);
    expect(forward?.ForwardConfig?.TargetGroupStickinessConfig).toEqual({ Enabled: false });

    const { Rules } = await setup.clients.elbv2.send(new DescribeRulesCommand({ ListenerArn: Listeners?.[0]?.ListenerArn }));
    expect(Rules?.[0]).toMatchObject({ Priority: 'default', IsDefault: true, Conditions: [] });

    await expect(setup.clients.elbv2.send(new DescribeListenersCommand({ ListenerArns: [`${Listeners?.[0]?.ListenerArn}0`] }))).rejects.toMatchObject({
      name: 'ListenerNotFoundException',
    });
  });

  it('describes target groups by name and reports the healthy targets of the serving tasks', async () => {
    const { TargetGroups } = await setup.clients.elbv2.send(new DescribeTargetGroupsCommand({ Names: ['shop-prod-web-blue', 'shop-prod-web-green'] }));
    expect(TargetGroups?.map((group) => [group.TargetGroupName, group.Port, group.TargetType, group.HealthCheckPath, group.Matcher?.HttpCode])).toEqual([
      ['shop-prod-web-blue', 80, 'ip', '/', '200-399'],
      ['shop-prod-web-green', 80, 'ip', '/', '200-399'],
    ]);
    // Only the blue group is attached to a listener before the first release.
    expect(TargetGroups?.[0]?.LoadBalancerArns).toHaveLength(1);
    expect(TargetGroups?.[1]?.LoadBalancerArns).toEqual([]);

    const blue = await setup.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: TargetGroups?.[0]?.TargetGroupArn }));
    expect(blue.TargetHealthDescriptions?.map((description) => description.TargetHealth?.State)).toEqual(['healthy', 'healthy']);
    expect(blue.TargetHealthDescriptions?.[0]?.Target?.Port).toBe(80);
    const green = await setup.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: TargetGroups?.[1]?.TargetGroupArn }));
    expect(green.TargetHealthDescriptions).toEqual([]);

    await expect(setup.clients.elbv2.send(new DescribeTargetGroupsCommand({ Names: ['nope'] }))).rejects.toMatchObject({
      name: 'TargetGroupNotFoundException',
      message: 'One or more target groups not found',
    });
  });

  it('describes the CodeDeploy group and the custom canary config built from the configuration', async () => {
    const { deploymentGroupInfo: group } = await setup.clients.codeDeploy.send(
      new GetDeploymentGroupCommand({ applicationName: 'shop-prod-web', deploymentGroupName: 'shop-prod-web' }),
    );
    expect(group).toMatchObject({
      computePlatform: 'ECS',
      deploymentConfigName: 'shop-prod-web-traffic-shift',
      serviceRoleArn: 'arn:aws:iam::123456789012:role/shop-prod-codedeploy',
      ecsServices: [{ clusterName: 'shop-prod', serviceName: 'shop-prod-web' }],
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      blueGreenDeploymentConfiguration: {
        deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 60 },
        terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 15 },
      },
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
      alarmConfiguration: { enabled: true, alarms: [{ name: 'shop-prod-web-target-5xx' }, { name: 'shop-prod-web-unhealthy-hosts' }] },
    });
    const pair = group?.loadBalancerInfo?.targetGroupPairInfoList?.[0];
    expect(pair?.targetGroups).toEqual([{ name: 'shop-prod-web-blue' }, { name: 'shop-prod-web-green' }]);
    expect(pair?.prodTrafficRoute?.listenerArns).toHaveLength(1);
    expect(pair?.testTrafficRoute?.listenerArns).toHaveLength(1);

    const { deploymentConfigInfo } = await setup.clients.codeDeploy.send(new GetDeploymentConfigCommand({ deploymentConfigName: 'shop-prod-web-traffic-shift' }));
    expect(deploymentConfigInfo?.trafficRoutingConfig).toEqual({ type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 10, canaryInterval: 5 } });
    const { deploymentConfigInfo: linear } = await setup.clients.codeDeploy.send(
      new GetDeploymentConfigCommand({ deploymentConfigName: 'CodeDeployDefault.ECSLinear10PercentEvery3Minutes' }),
    );
    expect(linear?.trafficRoutingConfig).toEqual({ type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 10, linearInterval: 3 } });
    await expect(setup.clients.codeDeploy.send(new GetDeploymentConfigCommand({ deploymentConfigName: 'CodeDeployDefault.Nope' }))).rejects.toMatchObject({
      name: 'DeploymentConfigDoesNotExistException',
    });
  });

  it('keeps a suspended scaling state across register and describe', async () => {
    const autoScaling: ApplicationAutoScalingClient = setup.clients.autoScaling;
    const resourceId = 'service/shop-prod/shop-prod-web';
    const before = await autoScaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [resourceId] }));
    expect(before.ScalableTargets?.[0]).toMatchObject({
      MinCapacity: 2,
      MaxCapacity: 10,
      ScalableDimension: 'ecs:service:DesiredCount',
      SuspendedState: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false },
    });
    expect(before.ScalableTargets?.[0]?.CreationTime).toBeInstanceOf(Date);

    const suspend = { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: true, ScheduledScalingSuspended: true };
    const { ScalableTargetARN } = await autoScaling.send(
      new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: 'ecs:service:DesiredCount', SuspendedState: suspend }),
    );
    expect(ScalableTargetARN).toBe(before.ScalableTargets?.[0]?.ScalableTargetARN);
    const suspended = await autoScaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [resourceId] }));
    expect(suspended.ScalableTargets?.[0]).toMatchObject({ MinCapacity: 2, MaxCapacity: 10, SuspendedState: suspend });
    expect(setup.aws.state().scalableTargets[0].suspended).toEqual(suspend);

    await autoScaling.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: 'ecs',
        ResourceId: resourceId,
        ScalableDimension: 'ecs:service:DesiredCount',
        SuspendedState: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false },
      }),
    );
    const resumed = await autoScaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [resourceId] }));
    expect(resumed.ScalableTargets?.[0]?.SuspendedState?.DynamicScalingInSuspended).toBe(false);

    await expect(
      autoScaling.send(new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/shop-prod/nope', ScalableDimension: 'ecs:service:DesiredCount' })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
