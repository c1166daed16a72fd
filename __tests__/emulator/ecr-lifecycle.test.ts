/**
 * The emulator's ECR lifecycle evaluation against the rules ECR documents: rule order, a rule's
 * claim on the images it selects, tag prefixes and patterns, count and age.
 */
import { expiredImages, type LifecyclePolicy } from '../../emulator/simulation/ecr-lifecycle';

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2026, 0, 31);
const image = (tags: string[], daysAgo: number) => ({ tags, pushedAt: NOW - daysAgo * DAY_MS, name: tags.join(',') || `untagged-${daysAgo}` });
const names = (images: { name: string }[]) => images.map((found) => found.name);

describe('ECR lifecycle evaluation', () => {
  const images = [image(['v1'], 40), image(['v2'], 30), image(['prod-3'], 20), image([], 10), image([], 2), image(['v4'], 1)];

  it('keeps the newest N of what a count rule selects and expires the rest', () => {
    const policy: LifecyclePolicy = { rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 4 }, action: { type: 'expire' } }] };
    expect(names(expiredImages(policy, images, NOW))).toEqual(['v1', 'v2']);
  });

  it('expires untagged images older than the age, and never a tagged one, with an untagged-only rule', () => {
    const policy: LifecyclePolicy = {
      rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' } }],
    };
    expect(names(expiredImages(policy, images, NOW))).toEqual(['untagged-10']);
  });

  it('lets no later rule expire an image an earlier rule selected, and matches tag prefixes and patterns', () => {
    const policy: LifecyclePolicy = {
      rules: [
        { rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['prod-'], countType: 'imageCountMoreThan', countNumber: 10 }, action: { type: 'expire' } },
        { rulePriority: 2, selection: { tagStatus: 'tagged', tagPatternList: ['v*'], countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
        { rulePriority: 3, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 0 }, action: { type: 'expire' } },
      ],
    };
    expect(names(expiredImages(policy, images, NOW))).toEqual(['v1', 'v2', 'untagged-10', 'untagged-2']);
  });

  it('refuses a policy ECR refuses: an "any" rule before another', () => {
    const policy: LifecyclePolicy = {
      rules: [
        { rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
        { rulePriority: 2, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
      ],
    };
    expect(() => expiredImages(policy, images, NOW)).toThrow(/highest rulePriority/);
  });
});
