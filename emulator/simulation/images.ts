/**
 * What happens when a task pulls its images: the emulated ECR decides.
 *
 * An image in an emulated repository (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>` or
 * `…@sha256:…`) must exist there, or the pull fails as on Fargate. An image marked bad (fault
 * injection) starts but never passes its health checks. Images from other registries (the
 * bootstrap nginx) are assumed good unless their reference was marked bad.
 */
import type { ImageRecord, RepositoryRecord, TaskOutcome, World } from '../model';

export interface ImageReference {
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImage(image: string): ImageReference {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  return {
    registry: hasRegistry ? first : undefined,
    repository: hasRegistry ? rest.slice(slash + 1) : rest,
    tag: digest ? tag : (tag ?? 'latest'),
    digest,
  };
}

/** The emulated repository an image reference points into, if any. */
export function findRepositoryFor(world: World, reference: ImageReference): RepositoryRecord | undefined {
  if (!reference.registry) return undefined;
  return world.repositories.find((repo) => repo.uri === `${reference.registry}/${reference.repository}`);
}

/** The image a tag or digest names in a repository. */
export function findImage(repository: RepositoryRecord, id: { tag?: string; digest?: string }): ImageRecord | undefined {
  if (id.digest) return repository.images.find((image) => image.digest === id.digest);
  if (id.tag) return repository.images.find((image) => image.tags.includes(id.tag as string));
  return undefined;
}

export interface PullResult {
  outcome: TaskOutcome;
  detail?: string;
}

/** How a task running these images will turn out. The worst container decides. */
export function pullImages(world: World, images: string[]): PullResult {
  let result: PullResult = { outcome: 'healthy' };
  for (const image of images) {
    const reference = parseImage(image);
    const repository = findRepositoryFor(world, reference);
    if (repository) {
      const found = findImage(repository, reference);
      if (!found) {
        return {
          outcome: 'pull-failure',
          detail: `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ${image}: not found`,
        };
      }
      if (found.bad) result = { outcome: 'unhealthy', detail: `image ${image} (${found.digest}) is marked bad` };
    } else if (world.badImageRefs.has(image)) {
      result = { outcome: 'unhealthy', detail: `image ${image} is marked bad` };
    }
  }
  return result;
}
