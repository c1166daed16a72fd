/**
 * Amazon ECR (JSON 1.1, target prefix `AmazonEC2ContainerRegistry_V20150921`): the lookups a
 * release makes to pin an image to its digest.
 */
import type {
  BatchGetImageRequest,
  BatchGetImageResponse,
  DescribeImagesRequest,
  DescribeImagesResponse,
  DescribeRepositoriesRequest,
  DescribeRepositoriesResponse,
  ImageDetail,
  ImageFailure,
  ImageIdentifier,
  Repository,
} from '@aws-sdk/client-ecr';
import type { ImageRecord, RepositoryRecord } from '../model';
import { AwsError, fail } from '../protocol/errors';
import type { Simulation } from '../simulation/engine';
import { date, paginate, type HandlerContext, type ServiceHandler } from './common';

function requireRepository(sim: Simulation, name: string | undefined, registryId: string | undefined): RepositoryRecord {
  if (!name) fail('InvalidParameterException', "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must not be null'");
  const registry = registryId ?? sim.world.accountId;
  const repository = sim.world.repositories.find((candidate) => candidate.name === name && candidate.registryId === registry);
  if (!repository) throw new AwsError('RepositoryNotFoundException', `The repository with name '${name}' does not exist in the registry with id '${registry}'`);
  return repository;
}

function presentRepository(repository: RepositoryRecord): Repository {
  return {
    repositoryArn: repository.arn,
    registryId: repository.registryId,
    repositoryName: repository.name,
    repositoryUri: repository.uri,
    createdAt: date(repository.createdAt),
    imageTagMutability: 'IMMUTABLE',
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfiguration: { encryptionType: 'AES256' },
  };
}

function presentImage(repository: RepositoryRecord, image: ImageRecord): ImageDetail {
  return {
    registryId: repository.registryId,
    repositoryName: repository.name,
    imageDigest: image.digest,
    imageTags: image.tags.length > 0 ? image.tags : undefined,
    imageSizeInBytes: image.sizeInBytes,
    imagePushedAt: date(image.pushedAt),
    imageManifestMediaType: image.manifestMediaType,
    artifactMediaType: 'application/vnd.docker.container.image.v1+json',
  };
}

/** The image an id names: by digest, by tag, or both (which must agree). */
function lookup(repository: RepositoryRecord, id: ImageIdentifier): { image?: ImageRecord; mismatch?: boolean } {
  const byDigest = id.imageDigest ? repository.images.find((image) => image.digest === id.imageDigest) : undefined;
  const byTag = id.imageTag ? repository.images.find((image) => image.tags.includes(id.imageTag as string)) : undefined;
  if (id.imageDigest && id.imageTag) {
    if (byDigest && byTag && byDigest !== byTag) return { mismatch: true };
    return { image: byDigest && byTag ? byDigest : undefined };
  }
  return { image: byDigest ?? byTag };
}

const describeId = (id: ImageIdentifier) => `{imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'}`;

export const ecrHandler: ServiceHandler = {
  name: 'ecr',
  operations: {
    DescribeRepositories(input: DescribeRepositoriesRequest, { sim }: HandlerContext): DescribeRepositoriesResponse {
      const registry = input.registryId ?? sim.world.accountId;
      let repositories: RepositoryRecord[];
      if (input.repositoryNames && input.repositoryNames.length > 0) {
        repositories = input.repositoryNames.map((name) => requireRepository(sim, name, registry));
        return { repositories: repositories.map(presentRepository) };
      }
      repositories = sim.world.repositories.filter((repository) => repository.registryId === registry);
      const { page, nextToken } = paginate(repositories, input.nextToken, input.maxResults ?? 100, 'InvalidParameterException');
      return { repositories: page.map(presentRepository), nextToken };
    },

    DescribeImages(input: DescribeImagesRequest, { sim }: HandlerContext): DescribeImagesResponse {
      const repository = requireRepository(sim, input.repositoryName, input.registryId);
      if (input.imageIds && input.imageIds.length > 0) {
        const details = input.imageIds.map((id) => {
          const { image } = lookup(repository, id);
          if (!image) {
            throw new AwsError(
              'ImageNotFoundException',
              `The image with imageId ${describeId(id)} does not exist within the repository with name '${repository.name}' in the registry with id '${repository.registryId}'`,
            );
          }
          return presentImage(repository, image);
        });
        return { imageDetails: details };
      }
      const tagStatus = input.filter?.tagStatus ?? 'ANY';
      const images = repository.images.filter(
        (image) => tagStatus === 'ANY' || (tagStatus === 'TAGGED' ? image.tags.length > 0 : image.tags.length === 0),
      );
      const { page, nextToken } = paginate(images, input.nextToken, input.maxResults ?? 100, 'InvalidParameterException');
      return { imageDetails: page.map((image) => presentImage(repository, image)), nextToken };
    },

    BatchGetImage(input: BatchGetImageRequest, { sim }: HandlerContext): BatchGetImageResponse {
      const repository = requireRepository(sim, input.repositoryName, input.registryId);
      const ids = input.imageIds ?? [];
      if (ids.length === 0) fail('InvalidParameterException', "Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length greater than or equal to 1'");
      const images: BatchGetImageResponse['images'] = [];
      const failures: ImageFailure[] = [];
      for (const id of ids) {
        const { image, mismatch } = lookup(repository, id);
        if (mismatch) {
          failures.push({ imageId: id, failureCode: 'ImageTagDoesNotMatchDigest', failureReason: 'Invalid image digest/tag combination' });
        } else if (!image) {
          failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
        } else {
          images.push({
            registryId: repository.registryId,
            repositoryName: repository.name,
            imageId: { imageDigest: image.digest, imageTag: id.imageTag },
            imageManifest: image.manifest,
            imageManifestMediaType: image.manifestMediaType,
          });
        }
      }
      return { images, failures };
    },
  },
};
