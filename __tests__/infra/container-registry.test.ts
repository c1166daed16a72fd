import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { ContainerRegistry } from '../../modules/container-registry';
import { only } from './support';
import { synthScope } from '../support/synth';

const synth = (untaggedImageDays?: number) =>
  synthScope((scope) => {
    new ContainerRegistry(scope, 'registry', { name: 'shop-test/web', untaggedImageDays });
  });

describe('ContainerRegistry', () => {
  it('creates an immutable, scanned, encrypted repository that a destroy cannot empty', () => {
    expect(synth()).toHaveResourceWithProperties(EcrRepository, {
      name: 'shop-test/web',
      image_tag_mutability: 'IMMUTABLE',
      image_scanning_configuration: { scan_on_push: true },
      encryption_configuration: [{ encryption_type: 'AES256' }],
      force_delete: false,
    });
  });

  it('expires only untagged images, 14 days after their push by default: no tagged image (every release, every rollback target) ever expires', () => {
    const rules = (json: string) => JSON.parse(only(JSON.parse(json), 'aws_ecr_lifecycle_policy').policy).rules;
    expect(rules(synth())).toEqual([
      expect.objectContaining({ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } }),
    ]);
    expect(rules(synth(3))[0].selection.countNumber).toBe(3);
  });
});
