import { BASE_REVISION_TAG_KEY, RELEASE_TAG_KEY, RELEASE_TAG_VALUE } from '../../config';
import { chooseBaseRevision } from '../../scripts/steps/base-revision';
import { withImage } from '../../scripts/steps/container-definitions';
import { planRelease } from '../../scripts/steps/plan';
import { registrationInput, revisionContent, sameRevisionContent } from '../../scripts/steps/register-revision';
import { DIGEST, OLD_DIGEST, fakeWorld, repositoryUri, taskDefinitionArn } from './support/fake-aws';

describe('choosing the base revision', () => {
  it('takes the newest ACTIVE revision without the release tag, skipping release revisions', async () => {
    const world = fakeWorld('prod');
    const base = await chooseBaseRevision(world.context, world.target);
    expect(base.arn).toBe(taskDefinitionArn('shop-prod-web', 6));
    expect(base.terraformOwned).toBe(true);
  });

  it('stops describing at the first Terraform-owned revision and ignores other families with the same prefix', async () => {
    const world = fakeWorld('prod');
    await chooseBaseRevision(world.context, world.target);
    const described = world.ecs.calls().filter((call) => call.args[0].constructor.name === 'DescribeTaskDefinitionCommand').map((call) => call.args[0].input.taskDefinition);
    expect(described).toEqual([8, 7, 6].map((revision) => taskDefinitionArn('shop-prod-web', revision)));
  });

  it('falls back to the newest revision, with a warning, when every revision is a release', async () => {
    const world = fakeWorld('prod', { revisions: [[3, true], [2, true]], running: 3 });
    const base = await chooseBaseRevision(world.context, world.target);
    expect(base).toMatchObject({ arn: taskDefinitionArn('shop-prod-web', 3), terraformOwned: false });
    expect(world.out.stderr.join('\n')).toMatch(/no Terraform-owned revision/);
  });
});

describe('new container definitions and registration', () => {
  it('changes only the released container image and keeps every other field and container byte for byte', async () => {
    const world = fakeWorld('prod');
    const base = world.taskDefinitions.get(taskDefinitionArn('shop-prod-web', 6))!.taskDefinition;
    const containers = withImage(base.containerDefinitions!, 'app', 'repo@sha256:x');
    expect(containers[0]).toEqual({ ...base.containerDefinitions![0], image: 'repo@sha256:x' });
    expect(containers[1]).toBe(base.containerDefinitions![1]);
    expect(JSON.stringify(containers[1])).toBe(JSON.stringify(base.containerDefinitions![1]));
  });

  it('copies task-level settings but not read-only fields, and tags the revision as a release of its base', () => {
    const world = fakeWorld('prod');
    const base = world.taskDefinitions.get(taskDefinitionArn('shop-prod-web', 6))!.taskDefinition;
    const input = registrationInput(revisionContent(base, base.containerDefinitions!), taskDefinitionArn('shop-prod-web', 6));
    expect(input).toMatchObject({
      family: 'shop-prod-web',
      taskRoleArn: base.taskRoleArn,
      executionRoleArn: base.executionRoleArn,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '512',
      memory: '1024',
      runtimePlatform: base.runtimePlatform,
      volumes: [],
    });
    for (const readOnly of ['revision', 'status', 'registeredAt', 'compatibilities', 'requiresAttributes', 'taskDefinitionArn']) {
      expect(input).not.toHaveProperty(readOnly);
    }
    expect(input.tags).toEqual([
      { key: RELEASE_TAG_KEY, value: RELEASE_TAG_VALUE },
      { key: BASE_REVISION_TAG_KEY, value: taskDefinitionArn('shop-prod-web', 6) },
    ]);
  });

  it('compares revision content regardless of key order, but not regardless of values', () => {
    const a = { family: 'f', cpu: '256', containerDefinitions: [{ name: 'app', image: 'x' }] };
    const b = { containerDefinitions: [{ image: 'x', name: 'app' }], cpu: '256', family: 'f' };
    expect(sameRevisionContent(a, b)).toBe(true);
    expect(sameRevisionContent(a, { ...b, cpu: '512' })).toBe(false);
  });
});

describe('the already-running check', () => {
  it('says the service already runs the release when its revision has the same containers and settings', async () => {
    // Running revision 7 was released from base 6 with OLD_DIGEST: releasing v1.4.1 again is a no-op.
    const world = fakeWorld('prod');
    const plan = await planRelease(world.context, world.target, { tag: 'v1.4.1' });
    expect(plan.alreadyRunning).toBe(true);
    expect(plan.image.digest).toBe(OLD_DIGEST);
  });

  it('plans a release when the image differs', async () => {
    const world = fakeWorld('prod');
    const plan = await planRelease(world.context, world.target, { tag: 'v1.4.2' });
    expect(plan.alreadyRunning).toBe(false);
    expect(plan.registration.containerDefinitions?.[0].image).toBe(`${repositoryUri('shop-prod/web')}@${DIGEST}`);
    expect(world.mutatingCalls()).toBe(0);
  });

  it('plans a release when Terraform changed a task-level setting since the running release', async () => {
    const world = fakeWorld('prod');
    world.taskDefinitions.get(taskDefinitionArn('shop-prod-web', 6))!.taskDefinition.memory = '2048';
    const plan = await planRelease(world.context, world.target, { tag: 'v1.4.1' });
    expect(plan.alreadyRunning).toBe(false);
    expect(plan.registration.memory).toBe('2048');
  });
});
