import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { appSpecContent, appSpecYaml, buildAppSpec, taskDefinitionOfAppSpec } from '../../scripts/steps/appspec';
import { fakeWorld } from './support/fake-aws';

describe('the AppSpec', () => {
  it('is built from the live PRIMARY task set: container, port, platform version and network', () => {
    const world = fakeWorld('prod');
    const spec = buildAppSpec(world.service, 'arn:td:9', {});
    expect(spec).toEqual({
      version: '0.0',
      Resources: [
        {
          TargetService: {
            Type: 'AWS::ECS::Service',
            Properties: {
              TaskDefinition: 'arn:td:9',
              LoadBalancerInfo: { ContainerName: 'app', ContainerPort: 80 },
              PlatformVersion: '1.4.0',
              NetworkConfiguration: { AwsvpcConfiguration: { Subnets: ['subnet-0aaa', 'subnet-0bbb'], SecurityGroups: ['sg-0tasks'], AssignPublicIp: 'DISABLED' } },
            },
          },
        },
      ],
    });
  });

  it('carries the capacity provider strategy when the service uses one', () => {
    const world = fakeWorld('prod', { capacityProviders: true });
    const properties = buildAppSpec(world.service, 'arn:td:9', {}).Resources[0].TargetService.Properties;
    expect(properties.CapacityProviderStrategy).toEqual([
      { CapacityProvider: 'FARGATE_SPOT', Base: 1, Weight: 2 },
      { CapacityProvider: 'FARGATE', Base: 0, Weight: 1 },
    ]);
  });

  it('lists configured lifecycle hooks in the order CodeDeploy runs them', () => {
    const world = fakeWorld('prod');
    const spec = buildAppSpec(world.service, 'arn:td:9', { AfterAllowTestTraffic: 'smoke-test', BeforeInstall: 'pre-check' });
    expect(spec.Hooks).toEqual([{ BeforeInstall: 'pre-check' }, { AfterAllowTestTraffic: 'smoke-test' }]);
  });

  it('is sent as JSON with the sha256 of exactly that content', () => {
    const world = fakeWorld('prod');
    const { content, sha256 } = appSpecContent(buildAppSpec(world.service, 'arn:td:9', {}));
    expect(sha256).toBe(createHash('sha256').update(content).digest('hex'));
    expect(JSON.parse(content).Resources[0].TargetService.Properties.TaskDefinition).toBe('arn:td:9');
  });

  it('renders as YAML that reads back to the same document, and its task definition is found in either form', () => {
    const world = fakeWorld('prod');
    const spec = buildAppSpec(world.service, '<TASK_DEFINITION>', {});
    expect(parse(appSpecYaml(spec))).toEqual(spec);
    expect(taskDefinitionOfAppSpec(appSpecYaml(spec))).toBe('<TASK_DEFINITION>');
    expect(taskDefinitionOfAppSpec(appSpecContent(spec).content)).toBe('<TASK_DEFINITION>');
  });
});
