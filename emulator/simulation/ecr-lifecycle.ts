/**
 * ECR lifecycle policies, evaluated the way ECR documents them (Amazon ECR User Guide, "How
 * lifecycle policies work" and "Lifecycle policy properties"):
 *
 * - rules apply in ascending `rulePriority`; a `tagStatus: any` rule must come last;
 * - an image that matches the tagging requirements of a rule cannot be expired by a rule of lower
 *   priority (a later one), whether or not the first rule expires it;
 * - `tagged` rules select images with a tag for every entry of `tagPrefixList` (prefix) or
 *   `tagPatternList` (`*` wildcards); `untagged` selects images without tags; `any` selects all;
 * - `imageCountMoreThan` keeps the newest `countNumber` selected images (by push time) and
 *   expires the rest; `sinceImagePushed` expires selected images pushed more than `countNumber`
 *   days ago.
 *
 * Only the parts the stack and the tests use: expiry (no archive transitions) and push time (not
 * pull time).
 */
import type { ImageRecord } from '../model';

export interface LifecycleRule {
  readonly rulePriority: number;
  readonly description?: string;
  readonly selection: {
    readonly tagStatus: 'tagged' | 'untagged' | 'any';
    readonly tagPrefixList?: readonly string[];
    readonly tagPatternList?: readonly string[];
    readonly countType: 'imageCountMoreThan' | 'sinceImagePushed';
    readonly countUnit?: 'days';
    readonly countNumber: number;
  };
  readonly action: { readonly type: 'expire' };
}

export interface LifecyclePolicy {
  readonly rules: readonly LifecycleRule[];
}

const DAY_MS = 86_400_000;

function patternMatches(pattern: string, tag: string): boolean {
  const expression = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return expression.test(tag);
}

/** Whether an image meets a rule's tagging requirements. */
export function matchesTagging(rule: LifecycleRule, image: Pick<ImageRecord, 'tags'>): boolean {
  const { tagStatus, tagPrefixList = [], tagPatternList = [] } = rule.selection;
  if (tagStatus === 'any') return true;
  if (tagStatus === 'untagged') return image.tags.length === 0;
  if (image.tags.length === 0) return false;
  return (
    tagPrefixList.every((prefix) => image.tags.some((tag) => tag.startsWith(prefix))) &&
    tagPatternList.every((pattern) => image.tags.some((tag) => patternMatches(pattern, tag)))
  );
}

/** Refuses a policy ECR would refuse on PutLifecyclePolicy (the parts checked here). */
export function validateLifecyclePolicy(policy: LifecyclePolicy): void {
  const priorities = policy.rules.map((rule) => rule.rulePriority);
  if (new Set(priorities).size !== priorities.length) throw new Error('rulePriority values must be unique');
  const highest = Math.max(...priorities);
  for (const rule of policy.rules) {
    const { tagStatus, tagPrefixList, tagPatternList, countType } = rule.selection;
    if (tagStatus === 'any' && rule.rulePriority !== highest) throw new Error('a rule with tagStatus "any" must have the highest rulePriority');
    if (tagStatus === 'tagged' && !tagPrefixList?.length && !tagPatternList?.length) throw new Error('a tagged rule needs tagPrefixList or tagPatternList');
    if (tagStatus !== 'tagged' && (tagPrefixList?.length || tagPatternList?.length)) throw new Error('tagPrefixList and tagPatternList are only for tagged rules');
    if (countType === 'sinceImagePushed' && rule.selection.countUnit !== 'days') throw new Error('sinceImagePushed needs countUnit "days"');
  }
}

/** The images a lifecycle policy expires at `now` (epoch ms), in push order. */
export function expiredImages<T extends Pick<ImageRecord, 'tags' | 'pushedAt'>>(policy: LifecyclePolicy, images: readonly T[], now: number): T[] {
  validateLifecyclePolicy(policy);
  const claimed = new Set<T>();
  const expired = new Set<T>();
  for (const rule of [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority)) {
    const selected = images.filter((image) => !claimed.has(image) && matchesTagging(rule, image));
    selected.forEach((image) => claimed.add(image));
    const { countType, countNumber } = rule.selection;
    const toExpire =
      countType === 'imageCountMoreThan'
        ? [...selected].sort((a, b) => b.pushedAt - a.pushedAt).slice(countNumber)
        : selected.filter((image) => now - image.pushedAt > countNumber * DAY_MS);
    toExpire.forEach((image) => expired.add(image));
  }
  return images.filter((image) => expired.has(image));
}
