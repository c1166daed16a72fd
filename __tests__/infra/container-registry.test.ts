import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { Testing } from 'cdktf';
import { ContainerRegistry } from '../../modules/container-registry';
import { only } from './support';

const synth = (keepImages?: number) =>
  Testing.synthScope((scope) => {
    new ContainerRegistry(scope, 'registry', { name: 'shop-test/web', keepImages });
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

  it('expires all but the newest images, 30 by default', () => {
    const rules = (json: string) => JSON.parse(only(JSON.parse(json), 'aws_ecr_lifecycle_policy').policy).rules;
    expect(rules(synth())).toEqual([
      expect.objectContaining({ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 30 }, action: { type: 'expire' } }),
    ]);
    expect(rules(synth(5))[0].selection.countNumber).toBe(5);
  });
});
