/**
 * The other commands end to end: stop, status, rollback (from the deployment history, with a
 * Terraform revision in between) and render.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTaskDefinitionCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { parse } from 'yaml';
import {
  acceptedMutations,
  calls,
  expectExit,
  liveTargetGroups,
  pinnedImage,
  recordTerraformRevision,
  revisionOf,
  runCli,
  serviceOf,
  startCli,
  taskDefinitionOf,
  useEmulator,
  verdict,
  waitForCall,
} from './support';

const e2e = useEmulator(['dev', 'prod']);

describe('stop', () => {
  it('stops a running deployment with rollback: exit 0 once the old version serves; the release it stopped exits 3', async () => {
    const { aws, clock } = e2e;
    const release = startCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0']);
    await release.waitForOutput(/waiting for approval/);
    // The approval wait cannot run out before `stop` is up; time moves again once it has stopped.
    clock.pause();
    const id = aws.state().deployments[0].id;

    const stopping = startCli(aws, ['stop', '--env', 'prod']);
    await waitForCall(aws, 'StopDeployment');
    clock.resume();
    const stop = await stopping.done;
    expectExit(stop, 0);
    expect(stop.stdout).toContain(`stop requested for deployment ${id} (with rollback)`);
    expect(verdict(stop)).toMatch(new RegExp(`^prod/web: deployment ${id} stopped; rolled back by d-\\w+: old version shop-prod-web:1 serving$`));

    const released = await release.done;
    expectExit(released, 3);
    expect(verdict(released)).toMatch(new RegExp(`^error: prod/web: deployment ${id} was stopped; rolled back by d-\\w+: old version shop-prod-web:1 serving$`));

    const state = aws.state();
    expect(calls(aws, 'StopDeployment').map((call) => call.input)).toEqual([{ deploymentId: id, autoRollbackEnabled: true }]);
    expect(state.deployments.map((d) => [d.status, d.creator])).toEqual([
      ['Stopped', 'user'],
      ['Succeeded', 'codeDeployRollback'],
    ]);
    expect(liveTargetGroups(state, 'shop-prod-web', 443)).toEqual(['shop-prod-web-blue']);
    expect(liveTargetGroups(state, 'shop-prod-web', 8443)).toEqual(['shop-prod-web-blue']);
    expect(revisionOf(serviceOf(state, 'shop-prod-web').taskDefinition)).toBe('shop-prod-web:1');
    expect(state.scalableTargets[0].suspended).toEqual({ DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false });
  });
});

describe('status', () => {
  it('shows the running revision and image, the live target group and the last deployment; --json parses; read-only', async () => {
    const { aws } = e2e;
    expectExit(await runCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0']), 0);
    const state = aws.state();
    const image = pinnedImage(state, 'shop-dev/web', 'v1.1.0');
    const id = state.deployments[0].id;
    const logged = aws.callLog().length;

    const [text, json] = await Promise.all([runCli(aws, ['status', '--env', 'dev']), runCli(aws, ['status', '--env', 'dev', '--json'])]);
    expectExit(text, 0);
    expect(text.stdoutLines).toEqual(
      expect.arrayContaining([
        'dev/web (blue-green)',
        `  running:  shop-dev-web:2  image ${image}`,
        '  tasks:    1/1 running',
        '  live:     shop-dev-web-green 100%',
        `  last deployment: ${id} Succeeded`,
      ]),
    );
    expect(text.stderr).toBe('');

    expectExit(json, 0);
    const document = JSON.parse(json.stdout) as { command: string; exitCode: number; services: Record<string, unknown>[] };
    expect(document).toMatchObject({ command: 'status', exitCode: 0 });
    expect(document.services).toHaveLength(1);
    expect(document.services[0]).toMatchObject({
      environment: 'dev',
      service: 'web',
      runningRevision: serviceOf(state, 'shop-dev-web').taskDefinition,
      image,
      digest: image.split('@')[1],
      liveTargetGroups: [{ name: 'shop-dev-web-green', weight: 100 }],
      deployment: { id, active: false, status: 'Succeeded' },
    });
    expect(aws.callLog().slice(logged).filter((call) => call.mutating)).toEqual([]);
  });
});

describe('rollback', () => {
  it('returns to the previous SUCCESSFUL release, not to the revision before the running one', async () => {
    const { aws } = e2e;
    const ecs = new ECSClient({ endpoint: aws.url, region: aws.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      expectExit(await runCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0']), 0);
      expect(revisionOf(serviceOf(aws.state(), 'shop-dev-web').taskDefinition)).toBe('shop-dev-web:2');

      // Terraform (its own role, not the deploy role) applies a change between two releases:
      // revision 3, untagged, with a new variable.
      const { taskDefinition: terraform } = await e2e.asTerraform(() => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'shop-dev-web:1' })));
      if (!terraform) throw new Error('no revision 1');
      const { taskDefinition: registered } = await e2e.asTerraform(() =>
        ecs.send(
          new RegisterTaskDefinitionCommand({
            family: terraform.family,
            taskRoleArn: terraform.taskRoleArn,
            executionRoleArn: terraform.executionRoleArn,
            networkMode: terraform.networkMode,
            requiresCompatibilities: terraform.requiresCompatibilities,
            cpu: terraform.cpu,
            memory: terraform.memory,
            runtimePlatform: terraform.runtimePlatform,
            containerDefinitions: terraform.containerDefinitions?.map((container) => ({ ...container, environment: [{ name: 'FEATURE_X', value: 'on' }] })),
            tags: [{ key: 'ManagedBy', value: 'terraform' }],
          }),
        ),
      );
      expect(revisionOf(registered?.taskDefinitionArn ?? '')).toBe('shop-dev-web:3');
      await recordTerraformRevision(e2e, 'shop-dev-web', registered?.taskDefinitionArn ?? '');

      const second = await runCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.2.0']);
      expectExit(second, 0);
      const afterSecond = aws.state();
      const running = taskDefinitionOf(afterSecond, serviceOf(afterSecond, 'shop-dev-web').taskDefinition);
      expect(revisionOf(running.arn)).toBe('shop-dev-web:4');
      expect(running.tags.BaseRevision).toBe(registered?.taskDefinitionArn);
      // Terraform's change reached the release; the release changed only the image.
      const { taskDefinition: released } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: running.arn }));
      expect(released?.containerDefinitions?.[0].environment).toEqual([{ name: 'FEATURE_X', value: 'on' }]);
      const [firstDeployment] = afterSecond.deployments;

      const logged = aws.callLog().length;
      const rollback = await runCli(aws, ['rollback', '--env', 'dev']);
      expectExit(rollback, 0);
      expect(rollback.stdout).toContain(`rolling back dev/web: shop-dev-web:4 → shop-dev-web:2 (last successful deployment ${firstDeployment.id})`);
      expect(verdict(rollback)).toMatch(/^dev\/web: rolled back to shop-dev-web:2 \(from shop-dev-web:4; deployment d-\w+\)$/);

      const state = aws.state();
      expect(revisionOf(serviceOf(state, 'shop-dev-web').taskDefinition)).toBe('shop-dev-web:2');
      expect(taskDefinitionOf(state, serviceOf(state, 'shop-dev-web').taskDefinition).images).toEqual([pinnedImage(state, 'shop-dev/web', 'v1.1.0')]);
      expect(liveTargetGroups(state, 'shop-dev-web', 80)).toEqual(['shop-dev-web-green']);
      // No new revision: the rollback deploys the one that served before.
      const during = aws.callLog().slice(logged);
      expect(during.filter((call) => call.mutating && call.status === 200).map((call) => call.operation)).toEqual(['CreateDeployment']);
      expect(state.taskDefinitions.filter((definition) => definition.arn.includes('/shop-dev-web:'))).toHaveLength(4);
      expect(state.deployments.map((d) => [d.status, revisionOf(d.taskDefinition)])).toEqual([
        ['Succeeded', 'shop-dev-web:2'],
        ['Succeeded', 'shop-dev-web:4'],
        ['Succeeded', 'shop-dev-web:2'],
      ]);
    } finally {
      ecs.destroy();
    }
  });
});

describe('render', () => {
  it('writes taskdef.json and appspec.yaml with <TASK_DEFINITION> and changes nothing in AWS', async () => {
    const { aws } = e2e;
    const out = mkdtempSync(join(tmpdir(), 'e2e-render-'));
    try {
      const result = await runCli(aws, ['render', '--env', 'dev', '--tag', 'v1.1.0', '--out', out]);
      expectExit(result, 0);
      expect(result.stdoutLines).toEqual(
        expect.arrayContaining([`wrote ${join(out, 'taskdef.json')}`, `wrote ${join(out, 'appspec.yaml')}`]),
      );
      expect(verdict(result)).toMatch(/^dev\/web: rendered \S+@sha256:[0-9a-f]{64} on shop-dev-web:1$/);
      expect(readdirSync(out).sort()).toEqual(['appspec.yaml', 'taskdef.json']);

      const state = aws.state();
      const taskdef = JSON.parse(readFileSync(join(out, 'taskdef.json'), 'utf8')) as {
        family: string;
        containerDefinitions: { name: string; image: string }[];
        tags: { key: string; value: string }[];
      };
      expect(taskdef.family).toBe('shop-dev-web');
      expect(taskdef.containerDefinitions.map((container) => [container.name, container.image])).toEqual([['app', pinnedImage(state, 'shop-dev/web', 'v1.1.0')]]);
      expect(taskdef.tags).toEqual(
        expect.arrayContaining([
          { key: 'ReleasedBy', value: 'ecs-bluegreen-deploy' },
          { key: 'BaseRevision', value: serviceOf(state, 'shop-dev-web').taskDefinition },
        ]),
      );

      const appspecText = readFileSync(join(out, 'appspec.yaml'), 'utf8');
      expect(appspecText).toContain('<TASK_DEFINITION>');
      const appspec = parse(appspecText) as { Resources: { TargetService: { Properties: Record<string, unknown> } }[] };
      expect(appspec.Resources[0].TargetService.Properties).toMatchObject({
        TaskDefinition: '<TASK_DEFINITION>',
        LoadBalancerInfo: { ContainerName: 'app', ContainerPort: 80 },
      });

      expect(aws.callLog().length).toBeGreaterThan(0);
      expect(aws.callLog().filter((call) => call.mutating)).toEqual([]);
      expect(acceptedMutations(aws)).toEqual([]);
      expect(state.taskDefinitions.map((definition) => revisionOf(definition.arn))).toEqual(['shop-dev-web:1', 'shop-prod-web:1']);
      expect(state.deployments).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
