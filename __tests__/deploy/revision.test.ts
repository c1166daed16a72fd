import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { BASE_REVISION_TAG_KEY, RELEASE_TAG_KEY, RELEASE_TAG_VALUE, TERRAFORM_REVISION_TAG_KEY } from '../../config';
import { chooseBaseRevision } from '../../scripts/steps/base-revision';
import { describeLiveService } from '../../scripts/steps/preflight';
import { withImage } from '../../scripts/steps/container-definitions';
import { planRelease } from '../../scripts/steps/plan';
import { registrationInput, revisionContent, sameRevisionContent } from '../../scripts/steps/register-revision';
import { DIGEST, OLD_DIGEST, fakeWorld, repositoryUri, taskDefinitionArn, type World, type WorldOptions } from './support/fake-aws';

/** ECS requests by command name, e.g. { DescribeServicesCommand: 1, DescribeTaskDefinitionCommand: 2 }. */
function ecsReads(world: World): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of world.ecs.calls()) counts[call.args[0].constructor.name] = (counts[call.args[0].constructor.name] ?? 0) + 1;
  return counts;
}

/** A family after `releases` releases on top of Terraform's revision 1; the service runs the last one. */
function afterReleases(releases: number, options: WorldOptions = {}): World {
  const revisions: [number, boolean][] = [...Array.from({ length: releases }, (_, index): [number, boolean] => [releases + 1 - index, true]), [1, false]];
  return fakeWorld('prod', { revisions, running: releases + 1, ...options });
}

const describedRevisions = (world: World) =>
  world.ecs.commandCalls(DescribeTaskDefinitionCommand).map((call) => call.args[0].input.taskDefinition);

describe('choosing the base revision', () => {
  it('takes the revision the service\'s TerraformRevision tag names, with one DescribeTaskDefinition and no listing', async () => {
    const world = fakeWorld('prod', { running: 8 });
    const service = await describeLiveService(world.context, world.target);
    const base = await chooseBaseRevision(world.context, world.target, service);
    expect(base).toMatchObject({ arn: taskDefinitionArn('shop-prod-web', 6), terraformOwned: true, foundBy: 'service tag' });
    expect(describedRevisions(world).sort()).toEqual([taskDefinitionArn('shop-prod-web', 6), taskDefinitionArn('shop-prod-web', 8)]);
    expect(world.ecs.commandCalls(ListTaskDefinitionsCommand)).toHaveLength(0);
    expect(base.described.has(taskDefinitionArn('shop-prod-web', 8))).toBe(true);
    expect(world.out.stderr).toEqual([]);
  });

  it('asks DescribeServices for the tags, without which the tag is never seen', async () => {
    const world = fakeWorld('prod');
    await planRelease(world.context, world.target, { tag: 'v1.4.2' });
    expect(world.ecs.commandCalls(DescribeServicesCommand).every((call) => call.args[0].input.include?.includes('TAGS'))).toBe(true);
  });

  it.each([1, 200])('plans a release with the same ECS reads after %i prior releases', async (releases) => {
    const world = afterReleases(releases);
    const plan = await planRelease(world.context, world.target, { tag: 'v1.4.2' });
    expect(plan.base.arn).toBe(taskDefinitionArn('shop-prod-web', 1));
    expect(ecsReads(world)).toEqual({ DescribeServicesCommand: 1, DescribeTaskDefinitionCommand: 2 });
  });

  it('without the tag (stack applied before it existed) scans newest first, stops at the first Terraform-owned revision, and says so', async () => {
    const world = fakeWorld('prod', { terraformRevisionTag: null });
    const service = await describeLiveService(world.context, world.target);
    const base = await chooseBaseRevision(world.context, world.target, service);
    expect(base).toMatchObject({ arn: taskDefinitionArn('shop-prod-web', 6), terraformOwned: true, foundBy: 'scan' });
    // The listing also holds shop-prod-web2:3, another family with the same prefix: never described.
    expect(describedRevisions(world)).toEqual([8, 7, 6].map((revision) => taskDefinitionArn('shop-prod-web', revision)));
    expect(world.out.stderr.join('\n')).toMatch(/service shop-prod-web has no TerraformRevision tag \(stack applied before it existed\): scanning up to 100 revisions .*apply the stack/);
  });

  it('without the tag, the scan grows with the releases but stops at 100 revisions', async () => {
    const world = afterReleases(150, { terraformRevisionTag: null });
    const service = await describeLiveService(world.context, world.target);
    const base = await chooseBaseRevision(world.context, world.target, service);
    expect(base).toMatchObject({ arn: taskDefinitionArn('shop-prod-web', 151), terraformOwned: false, foundBy: 'scan' });
    expect(describedRevisions(world)).toHaveLength(100);
    expect(world.out.stderr.join('\n')).toMatch(/no Terraform-owned revision of shop-prod-web among the newest 100/);
  });

  it('falls back to the newest revision, with a warning, when every revision is a release', async () => {
    const world = fakeWorld('prod', { revisions: [[3, true], [2, true]], running: 3, terraformRevisionTag: null });
    const service = await describeLiveService(world.context, world.target);
    const base = await chooseBaseRevision(world.context, world.target, service);
    expect(base).toMatchObject({ arn: taskDefinitionArn('shop-prod-web', 3), terraformOwned: false });
    expect(world.out.stderr.join('\n')).toMatch(/no Terraform-owned revision/);
  });

  it.each([
    ['a release revision', { terraformRevisionTag: 8 }, /names a release revision \(ReleasedBy tag\)/],
    ['a revision ECS does not know', { terraformRevisionTag: 42 }, /names a revision that does not exist/],
  ])('does not trust a tag that names %s: scans instead and says why', async (_, options, warning) => {
    const world = fakeWorld('prod', options);
    const service = await describeLiveService(world.context, world.target);
    const base = await chooseBaseRevision(world.context, world.target, service);
    expect(base).toMatchObject({ arn: taskDefinitionArn('shop-prod-web', 6), terraformOwned: true, foundBy: 'scan' });
    expect(world.out.stderr.join('\n')).toMatch(warning);
  });

  it('does not trust a tag that names a deregistered revision or another family', async () => {
    const inactive = fakeWorld('prod', { terraformRevisionTag: 5 });
    inactive.taskDefinitions.get(taskDefinitionArn('shop-prod-web', 5))!.taskDefinition.status = 'INACTIVE';
    const fromInactive = await chooseBaseRevision(inactive.context, inactive.target, await describeLiveService(inactive.context, inactive.target));
    expect(fromInactive).toMatchObject({ arn: taskDefinitionArn('shop-prod-web', 6), foundBy: 'scan' });
    expect(inactive.out.stderr.join('\n')).toMatch(/names a revision that is INACTIVE/);

    const other = fakeWorld('prod');
    const service = { ...other.service, tags: [{ key: TERRAFORM_REVISION_TAG_KEY, value: taskDefinitionArn('shop-prod-api', 6) }] };
    const fromOther = await chooseBaseRevision(other.context, other.target, service);
    expect(fromOther).toMatchObject({ arn: taskDefinitionArn('shop-prod-web', 6), foundBy: 'scan' });
    expect(other.out.stderr.join('\n')).toMatch(/names another family than shop-prod-web/);
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
