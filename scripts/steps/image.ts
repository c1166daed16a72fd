/**
 * Image references: parse `--image`/`--tag`, refuse mutable tags, and pin every release to a
 * digest so what was tested is byte for byte what runs (and what a rollback returns to).
 */
import { DescribeImagesCommand, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { BadInputError } from '../cli/errors';
import { hasName } from '../aws/errors';
import type { Context } from '../context';
import { readsInOrder } from './reads-in-order';
import type { ReleaseTarget } from './target';

/** Tags that name a moving target rather than a build; a release never uses them. */
export const MUTABLE_TAGS = ['latest', 'stable', 'main', 'master', 'prod', 'production', 'dev', 'edge', 'nightly', 'current'] as const;

export interface ImageReference {
  /** `host[:port]`, absent for Docker Hub shorthand such as `nginx:1.27`. */
  readonly registry?: string;
  readonly repository: string;
  readonly tag?: string;
  /** `sha256:<64 hex>`. */
  readonly digest?: string;
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const REGISTRY = /^(?:localhost|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|[A-Za-z0-9.-]+:\d+)(?::\d+)?$/;
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

function malformed(text: string, why: string): BadInputError {
  return new BadInputError(`--image "${text}" is malformed: ${why}; use e.g. 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop/web:1.4.2 or repo@sha256:<digest>`);
}

export function parseImageReference(text: string): ImageReference {
  if (!text || /\s/.test(text)) throw malformed(text, 'it is empty or has spaces');
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw malformed(text, `"${digest}" is not a sha256 digest`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw malformed(text, `"${tag}" is not a valid tag`);
  }
  const parts = rest.split('/');
  let registry: string | undefined;
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) {
    registry = parts.shift();
    if (!REGISTRY.test(registry as string)) throw malformed(text, `"${registry}" is not a registry host`);
  }
  if (parts.length === 0 || parts.some((part) => !PATH_COMPONENT.test(part))) {
    throw malformed(text, 'the repository must be lower-case letters, digits and separators');
  }
  return { registry, repository: parts.join('/'), tag, digest };
}

/** Reject tags that move: `latest` and the usual branch or stage aliases. */
export function assertImmutableTag(tag: string, flag: string): void {
  if ((MUTABLE_TAGS as readonly string[]).includes(tag.toLowerCase())) {
    throw new BadInputError(`${flag} "${tag}" is a mutable tag: release a build-specific tag (e.g. the commit SHA) or a digest, never ${MUTABLE_TAGS.join('/')}`);
  }
}

/** Every check of `--image` that needs no AWS call. */
export function checkImageReference(text: string): ImageReference {
  const reference = parseImageReference(text);
  if (!reference.tag && !reference.digest) {
    throw new BadInputError(`--image "${text}" has neither tag nor digest: pin it as repo:TAG or repo@sha256:<digest>`);
  }
  if (reference.tag && !reference.digest) assertImmutableTag(reference.tag, '--image tag');
  return reference;
}

/**
 * How images reach an environment (docs/releases.md, "Promoting an image"): built once, the same
 * image is pushed to each environment's own ECR repository, and each release names it there. The
 * service's execution role may pull only from that repository (modules/fargate-task-definition.ts), so an
 * image anywhere else (another environment's repository, another region, another registry) would
 * be registered and then fail to start: it is refused before anything changes.
 */
export function checkImageForTarget(text: string, target: ReleaseTarget): ImageReference {
  const reference = checkImageReference(text);
  const ecr = reference.registry ? ECR_HOST.exec(reference.registry) : null;
  const wanted = `${target.names.repository} in ${target.env.region}`;
  const where = !ecr ? `in registry ${reference.registry ?? 'docker.io'}` : ecr[2] !== target.env.region ? `in region ${ecr[2]}` : reference.repository !== target.names.repository ? `in repository ${reference.repository}` : undefined;
  if (where) {
    throw new BadInputError(
      `--image "${text}" is ${where}, but ${target.env.environment}/${target.service.name} pulls only from its own ECR repository ${wanted}: push the same image there first (docs/releases.md, "Promoting an image") and release it by --tag`,
    );
  }
  return reference;
}

/** Every check of `--tag` that needs no AWS call. */
export function checkTag(tag: string): void {
  if (!TAG.test(tag)) throw new BadInputError(`--tag "${tag}" is not a valid image tag`);
  assertImmutableTag(tag, '--tag');
}

export interface ResolvedImage {
  /** The image pinned by digest: `registry/repository@sha256:...`. */
  readonly uri: string;
  readonly digest: string;
  /** The tag the person asked for, when they asked by tag. */
  readonly tag?: string;
  /** Whether ECR confirmed the image exists. */
  readonly verified: boolean;
}

export interface ImageRequest {
  readonly image?: string;
  readonly tag?: string;
}

/** Resolve `--tag` (in this service's ECR repository) or `--image` to a digest-pinned URI. Read-only. */
export async function resolveImage(context: Context, target: ReleaseTarget, request: ImageRequest): Promise<ResolvedImage> {
  if (request.tag !== undefined) return resolveTag(context, target, request.tag);
  if (request.image === undefined) throw new BadInputError('pass --image URI or --tag TAG');
  const reference = checkImageForTarget(request.image, target);
  const registryPath = `${reference.registry}/${reference.repository}`;
  // The repository's own URI says which account's registry it is in: another account's
  // repository of the same name is another environment's.
  const [repositoryUri, digest] = await readsInOrder([
    describeRepositoryUri(context, target),
    describeImageDigest(context, { registryId: ECR_HOST.exec(reference.registry ?? '')?.[1], repositoryName: reference.repository }, reference),
  ]);
  if (repositoryUri !== registryPath) {
    throw new BadInputError(`--image "${request.image}" is not in ${repositoryUri}, the repository ${targetName(target)} pulls from: push the same image there first (docs/releases.md, "Promoting an image") and release it by --tag`);
  }
  return { uri: `${registryPath}@${digest}`, digest, tag: reference.tag, verified: true };
}

function targetName(target: ReleaseTarget): string {
  return `${target.env.environment}/${target.service.name}`;
}

async function resolveTag(context: Context, target: ReleaseTarget, tag: string): Promise<ResolvedImage> {
  checkTag(tag);
  const repositoryName = target.names.repository;
  // The repository's URI and the tag's digest are read at once; a missing repository is reported first.
  const [repositoryUri, digest] = await readsInOrder([
    describeRepositoryUri(context, target),
    describeImageDigest(context, { repositoryName }, { repository: repositoryName, tag }),
  ]);
  return { uri: `${repositoryUri}@${digest}`, digest, tag, verified: true };
}

async function describeRepositoryUri(context: Context, target: ReleaseTarget): Promise<string> {
  const repositoryName = target.names.repository;
  let repositoryUri: string | undefined;
  try {
    const found = await context.clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }));
    repositoryUri = found.repositories?.[0]?.repositoryUri;
  } catch (error) {
    if (hasName(error, 'RepositoryNotFoundException')) {
      throw new BadInputError(`ECR repository ${repositoryName} not found in ${target.env.region}: run \`npm run plan\`/\`cdktf deploy\` first, then push the image`);
    }
    throw error;
  }
  if (!repositoryUri) throw new BadInputError(`ECR repository ${repositoryName} not found in ${target.env.region}: run \`cdktf deploy\` first`);
  return repositoryUri;
}

async function describeImageDigest(
  context: Context,
  where: { registryId?: string; repositoryName: string },
  reference: Pick<ImageReference, 'repository' | 'tag' | 'digest'>,
): Promise<string> {
  const wanted = reference.digest ? `@${reference.digest}` : `:${reference.tag}`;
  try {
    const found = await context.clients.ecr.send(
      new DescribeImagesCommand({
        ...where,
        imageIds: [reference.digest ? { imageDigest: reference.digest } : { imageTag: reference.tag }],
      }),
    );
    const detail = found.imageDetails?.[0];
    const digest = detail?.imageDigest;
    if (!digest) throw Object.assign(new Error('no image'), { name: 'ImageNotFoundException' });
    // The lifecycle policy expires untagged images (modules/container-registry.ts): a release of
    // one could not be rolled back to once it is gone.
    if ((detail?.imageTags ?? []).length === 0) {
      throw new BadInputError(`image ${reference.repository}${wanted} has no tag, and ECR's lifecycle policy expires untagged images, so a rollback could not pull it: push it under a tag and release that`);
    }
    return digest;
  } catch (error) {
    if (hasName(error, 'ImageNotFoundException')) {
      throw new BadInputError(`image ${reference.repository}${wanted} not found in ECR: push it first, or check the tag`);
    }
    if (hasName(error, 'RepositoryNotFoundException')) {
      throw new BadInputError(`ECR repository ${where.repositoryName} not found: check the image URI, or run \`cdktf deploy\` first`);
    }
    throw error;
  }
}
