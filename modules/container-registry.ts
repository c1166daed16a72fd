/**
 * The ECR repository a service's release images are pushed to.
 *
 * Its lifecycle policy never expires a tagged image. Every revision the release tool registers
 * pins the digest of a tagged image (it resolves `--tag` with DescribeImages), tags are immutable,
 * and every revision stays registered (skip_destroy, and the tool deregisters none), so any of
 * them can be rolled back to (`rollback --to N`): the image a live or rollback-eligible revision
 * runs must outlive any count. A count of the newest images would expire the image of a
 * rollback target after enough releases; an age would do the same after enough time. What
 * expires is only what no revision can name: untagged images (a push that wrote layers and a
 * manifest but no tag), after a grace period. Storage grows by one image per release; see
 * docs/infrastructure.md for cleaning up revisions that will never be rolled back to.
 */
import { Construct } from 'constructs';
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';

export interface ContainerRegistryProps {
  /** Repository name, e.g. "shop-dev/web". */
  readonly name: string;
  /** Days an untagged image is kept after its push before it expires; tagged images never expire. @default 14 */
  readonly untaggedImageDays?: number;
}

/** The lifecycle policy: only untagged images expire, `untaggedImageDays` after their push. */
export function releaseImagesKeptPolicy(untaggedImageDays: number) {
  return {
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images ${untaggedImageDays} days after push; tagged images (every release) are kept for rollback`,
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: untaggedImageDays },
        action: { type: 'expire' },
      },
    ],
  };
}

export class ContainerRegistry extends Construct {
  /** Repository name. */
  public readonly repositoryName: string;
  /** Repository ARN, for pull permissions. */
  public readonly repositoryArn: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`, where releases push. */
  public readonly repositoryUrl: string;

  constructor(scope: Construct, id: string, props: ContainerRegistryProps) {
    super(scope, id);
    const repository = new EcrRepository(this, 'repository', {
      name: props.name,
      // A tag names one image forever: a rollback redeploys exactly what ran before.
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'AES256' }],
      // Destroying the stack must not silently delete the images running in production.
      forceDelete: false,
    });

    new EcrLifecyclePolicy(this, 'lifecycle-policy', {
      repository: repository.name,
      policy: JSON.stringify(releaseImagesKeptPolicy(props.untaggedImageDays ?? 14)),
    });

    this.repositoryName = repository.name;
    this.repositoryArn = repository.arn;
    this.repositoryUrl = repository.repositoryUrl;
  }
}
