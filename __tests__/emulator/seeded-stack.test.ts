/**
 * The emulator stands in for what `cdktf deploy` created: where the release tool relies on
 * something the stack sets, the seed must set the same, or the end-to-end tests prove nothing.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { environmentNames, environmentNamesList, loadEnvironment, RELEASE_TAG_KEY, serviceNames, TERRAFORM_REVISION_TAG_KEY } from '../../config';
import { resources, synthEnvironment } from '../infra/support';
import { setUp, type Setup } from './support';

describe.each(environmentNamesList())('the seeded %s environment, beside its synthesized stack', (name) => {
  const config = loadEnvironment(name, { offline: true });
  const synthesized = synthEnvironment(config);
  let setup: Setup;
  beforeAll(async () => {
    setup = await setUp(name);
  });
  afterAll(() => setup.close());

  it.each(config.services.map((service) => [service.name, serviceNames(config, service)] as const))(
    `tags service %s with ${TERRAFORM_REVISION_TAG_KEY} = its family's Terraform-owned revision, as the stack does`,
    async (_, names) => {
      // The stack: the service's tag is the ARN of the task definition resource of its family.
      const service = resources(synthesized, 'aws_ecs_service').find((candidate) => candidate.name === names.service);
      const reference = /^\$\{aws_ecs_task_definition\.([^.]+)\.arn\}$/.exec(service?.tags?.[TERRAFORM_REVISION_TAG_KEY] ?? '');
      expect(reference).not.toBeNull();
      expect(resources(synthesized, 'aws_ecs_task_definition').filter((definition) => definition.family === names.taskFamily)).toHaveLength(1);
      expect(synthesized.resource?.aws_ecs_task_definition?.[reference![1]]?.family).toBe(names.taskFamily);

      // The emulator: the same tag, naming the revision it seeded as Terraform's (ACTIVE, no release tag).
      const { services } = await setup.clients.ecs.send(new DescribeServicesCommand({ cluster: environmentNames(config).cluster, services: [names.service], include: ['TAGS'] }));
      const tagged = services?.[0]?.tags?.find((tag) => tag.key === TERRAFORM_REVISION_TAG_KEY)?.value;
      expect(tagged).toMatch(new RegExp(`:task-definition/${names.taskFamily}:\\d+$`));
      const revision = await setup.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: tagged, include: ['TAGS'] }));
      expect(revision.taskDefinition?.status).toBe('ACTIVE');
      expect(revision.tags?.some((tag) => tag.key === RELEASE_TAG_KEY)).toBe(false);
    },
  );
});
