/**
 * Rollback targets keep their images: after 40 releases and ECR's lifecycle evaluation (the
 * policy the stack synthesizes, run by the emulator the way ECR documents it), a rollback to the
 * first release still pulls its image and serves.
 */
import { DescribeTaskDefinitionCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { loadEnvironment } from '../../config';
import { resources } from '../../policy/synthesized';
import { synthEnvironment } from '../infra/support';
import { DEPLOY_TAG, expectExit, pinnedImage, revisionOf, runCli, serviceOf, taskDefinitionOf, useEmulator, verdict } from './support';

const e2e = useEmulator(['dev'], { timeScale: 1 });
const DAY_MS = 86_400_000;
const RELEASES = 40;
const tagOf = (release: number) => `v1.0.${release}`;

/** The ECR lifecycle policy of dev's web repository, as synthesized. */
function synthesizedLifecyclePolicy(): string {
  const [policy] = resources(synthEnvironment(loadEnvironment('dev', { offline: true })), 'aws_ecr_lifecycle_policy');
  return String(policy.policy);
}

describe('image retention', () => {
  it('rolls back to the first of 40 releases after the lifecycle policy ran: its image was kept, an untagged leftover was not', async () => {
    const { aws } = e2e;
    const ecs = new ECSClient({ endpoint: aws.url, region: aws.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      // Release 1 through the tool; releases 2-39 registered the way the tool registers them
      // (its base revision with only the image changed, pinned by digest, release tags); release
      // 40 through the tool again. One image pushed per release, a day apart.
      for (let release = 1; release <= RELEASES; release += 1) aws.putImage({ repository: 'shop-dev/web', tag: tagOf(release) });
      expectExit(await runCli(aws, ['deploy', '--env', 'dev', '--tag', tagOf(1)]), 0);
      const first = serviceOf(aws.state(), 'shop-dev-web').taskDefinition;
      expect(revisionOf(first)).toBe('shop-dev-web:2');
      await e2e.asTerraform(async () => {
        const { taskDefinition: base } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'shop-dev-web:1' }));
        for (let release = 2; release < RELEASES; release += 1) {
          const image = pinnedImage(aws.state(), 'shop-dev/web', tagOf(release));
          await ecs.send(
            new RegisterTaskDefinitionCommand({
              family: base!.family,
              taskRoleArn: base!.taskRoleArn,
              executionRoleArn: base!.executionRoleArn,
              networkMode: base!.networkMode,
              requiresCompatibilities: base!.requiresCompatibilities,
              cpu: base!.cpu,
              memory: base!.memory,
              runtimePlatform: base!.runtimePlatform,
              containerDefinitions: base!.containerDefinitions?.map((container) => ({ ...container, image })),
              tags: [{ key: DEPLOY_TAG.key, value: DEPLOY_TAG.value }, { key: 'BaseRevision', value: base!.taskDefinitionArn! }],
            }),
          );
        }
      });
      expectExit(await runCli(aws, ['deploy', '--env', 'dev', '--tag', tagOf(RELEASES)]), 0);
      expect(revisionOf(serviceOf(aws.state(), 'shop-dev-web').taskDefinition)).toBe(`shop-dev-web:${RELEASES + 1}`);

      // Push times a day apart, the newest today; a push that never got its tag, 30 days ago.
      const repository = aws.emulator.sim.world.repositories.find((candidate) => candidate.name === 'shop-dev/web')!;
      const now = aws.emulator.sim.clock.now();
      for (let release = 1; release <= RELEASES; release += 1) {
        repository.images.find((image) => image.tags.includes(tagOf(release)))!.pushedAt = now - (RELEASES - release) * DAY_MS;
      }
      const leftover = aws.putImage({ repository: 'shop-dev/web', tag: 'interrupted-push' });
      const untagged = repository.images.find((image) => image.digest === leftover.digest)!;
      untagged.tags = [];
      untagged.pushedAt = now - 30 * DAY_MS;

      const { expired } = aws.runLifecyclePolicy({ repository: 'shop-dev/web', policy: synthesizedLifecyclePolicy() });
      expect(expired.map((image) => image.digest)).toEqual([leftover.digest]);

      const rollback = await runCli(aws, ['rollback', '--env', 'dev', '--to', '2']);
      expectExit(rollback, 0);
      expect(verdict(rollback)).toMatch(/^dev\/web: rolled back to shop-dev-web:2 \(from shop-dev-web:41; deployment d-\w+\)$/);
      const state = aws.state();
      expect(serviceOf(state, 'shop-dev-web').taskDefinition).toBe(first);
      expect(taskDefinitionOf(state, first).images).toEqual([pinnedImage(state, 'shop-dev/web', tagOf(1))]);
    } finally {
      ecs.destroy();
    }
  });
});
