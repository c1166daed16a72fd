import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { BadInputError } from '../../scripts/cli/errors';
import { MUTABLE_TAGS, parseImageReference, resolveImage } from '../../scripts/steps/image';
import { DIGEST, OLD_DIGEST, fakeWorld, repositoryUri } from './support/fake-aws';

describe('image references', () => {
  it('parses registry, repository and tag of an ECR image', () => {
    expect(parseImageReference('123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-prod/web:v1.4.2')).toEqual({
      registry: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com',
      repository: 'shop-prod/web',
      tag: 'v1.4.2',
      digest: undefined,
    });
  });

  it('parses a digest, and a registry with a port', () => {
    expect(parseImageReference(`localhost:5000/team/app@${DIGEST}`)).toEqual({ registry: 'localhost:5000', repository: 'team/app', tag: undefined, digest: DIGEST });
  });

  it('treats a first path part without a dot as a Docker Hub repository, not a registry', () => {
    expect(parseImageReference('library/nginx:1.27').registry).toBeUndefined();
  });

  it.each([
    ['', 'empty'],
    ['Shop/Web:v1', 'upper-case repository'],
    ['shop/web:v1 ', 'trailing space'],
    ['shop/web@sha256:1234', 'short digest'],
    ['shop/web:-bad', 'tag starting with a dash'],
    ['shop//web:v1', 'empty path component'],
  ])('rejects %p (%s) as bad input', (text) => {
    expect(() => parseImageReference(text)).toThrow(BadInputError);
  });
});

describe('resolving the image to a digest', () => {
  it('looks a tag up in the environment ECR repository and pins the digest', async () => {
    const world = fakeWorld('prod');
    const image = await resolveImage(world.context, world.target, { tag: 'v1.4.2' });
    expect(image).toEqual({ uri: `${repositoryUri('shop-prod/web')}@${DIGEST}`, digest: DIGEST, tag: 'v1.4.2', verified: true });
  });

  it('resolves an ECR image URI with a tag through DescribeImages in its registry', async () => {
    const world = fakeWorld('prod');
    const image = await resolveImage(world.context, world.target, { image: `${repositoryUri('shop-prod/web')}:v1.4.1` });
    expect(image.uri).toBe(`${repositoryUri('shop-prod/web')}@${OLD_DIGEST}`);
    const described = world.ecr.commandCalls(DescribeImagesCommand)[0].args[0].input;
    expect(described).toMatchObject({ registryId: '123456789012', repositoryName: 'shop-prod/web' });
  });

  it.each([
    ['another registry, even by digest', `ghcr.io/acme/web:v2@${DIGEST}`, /is in registry ghcr\.io, but prod\/web pulls only from its own ECR repository shop-prod\/web in ap-northeast-1/],
    ['another environment\'s repository (dev into prod)', `${repositoryUri('shop-dev/web')}@${DIGEST}`, /is in repository shop-dev\/web, but prod\/web pulls only from/],
    ['this repository\'s name in another region', `123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-prod/web@${DIGEST}`, /is in region us-east-1, but prod\/web pulls only from/],
    ['Docker Hub shorthand', `nginx@${DIGEST}`, /is in registry docker\.io/],
  ])('refuses an image the service cannot pull: %s, before asking AWS', async (_title, image, message) => {
    const world = fakeWorld('prod');
    await expect(resolveImage(world.context, world.target, { image })).rejects.toThrow(message);
    expect(world.allCalls()).toBe(0);
  });

  it('refuses a same-named repository in another account: the repository\'s own URI decides', async () => {
    const world = fakeWorld('prod');
    const image = `210987654321.dkr.ecr.ap-northeast-1.amazonaws.com/shop-prod/web@${DIGEST}`;
    await expect(resolveImage(world.context, world.target, { image })).rejects.toThrow(/is not in 123456789012\.dkr\.ecr\.ap-northeast-1\.amazonaws\.com\/shop-prod\/web, the repository prod\/web pulls from/);
    expect(world.mutatingCalls()).toBe(0);
  });

  it('names the missing tag and the fix when ECR has no such image', async () => {
    const world = fakeWorld('prod');
    await expect(resolveImage(world.context, world.target, { tag: 'v9.9.9' })).rejects.toThrow('image shop-prod/web:v9.9.9 not found in ECR: push it first');
  });

  it.each(MUTABLE_TAGS.map((tag) => [tag]))('refuses the mutable tag %p before asking ECR', async (tag) => {
    const world = fakeWorld('prod');
    await expect(resolveImage(world.context, world.target, { tag })).rejects.toThrow(/mutable tag/);
    await expect(resolveImage(world.context, world.target, { image: `${repositoryUri('shop-prod/web')}:${tag}` })).rejects.toThrow(/mutable tag/);
    expect(world.allCalls()).toBe(0);
  });

  it('refuses an image of ECR that has no tag: the lifecycle policy would expire it under a rollback target', async () => {
    const world = fakeWorld('prod');
    world.ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    await expect(resolveImage(world.context, world.target, { image: `${repositoryUri('shop-prod/web')}@${DIGEST}` })).rejects.toThrow(
      `image shop-prod/web@${DIGEST} has no tag, and ECR's lifecycle policy expires untagged images, so a rollback could not pull it: push it under a tag and release that`,
    );
  });

  it('accepts a mutable tag when a digest pins it anyway', async () => {
    const world = fakeWorld('prod');
    const image = await resolveImage(world.context, world.target, { image: `${repositoryUri('shop-prod/web')}:latest@${DIGEST}` });
    expect(image.digest).toBe(DIGEST);
  });
});
