/**
 * The ECR repository a service's release images are pushed to.
 */
import { Construct } from 'constructs';
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';

export interface ContainerRegistryProps {
  /** Repository name, e.g. "shop-dev/web". */
  readonly name: string;
  /** Newest images kept; older ones expire. @default 30 */
  readonly keepImages?: number;
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

    const keep = props.keepImages ?? 30;
    new EcrLifecyclePolicy(this, 'lifecycle-policy', {
      repository: repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `Keep the newest ${keep} images`,
            selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keep },
            action: { type: 'expire' },
          },
        ],
      }),
    });

    this.repositoryName = repository.name;
    this.repositoryArn = repository.arn;
    this.repositoryUrl = repository.repositoryUrl;
  }
}
