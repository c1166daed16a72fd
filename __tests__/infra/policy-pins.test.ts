/**
 * The IAM rules do not trust the lists they police: a change to the code that writes a policy
 * (an action added to the deploy role's or the plan role's list as account-wide, a managed policy
 * added to the generator's allow-list) reaches a synthesized stack that `npm run policy` fails,
 * until policy/allowed-iam.ts pins the same change.
 *
 * Each case loads the generator and the rules afresh with one list changed (jest.doMock), as if
 * the change had been written in the source, synthesizes a stack of its own configuration, and
 * runs the rules over it.
 */
import type { EnvironmentConfig } from '../../config';
import { PLAN_READS } from '../../config/plan-permissions';
import { RELEASE_PERMISSIONS } from '../../config/release-permissions';
import { ALLOWED_MANAGED_POLICIES, ECR_LOGIN_ACTION, HOOK_RESULT_ACTION, LAMBDA_VPC_NETWORK_INTERFACE_ACTIONS } from '../../modules/iam-policy';
import { ACTIONS_ALLOWED_ON_ANY_RESOURCE, MANAGED_POLICIES_ALLOWED } from '../../policy/allowed-iam';
import type { RuleResult } from '../../policy/check';
import type { Synthesized } from '../../policy/synthesized';

type Module = Record<string, any>;

/** A GitHub-enabled environment, so the stack has the deploy and plan roles whose lists change. */
const FIXTURE = {
  app: 'pins',
  environment: 'check',
  accountId: '111122223333',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  github: { repository: 'example-org/pins', deployEnvironment: 'check', oidcProvider: { mode: 'create' } },
  services: [{ name: 'api', release: { strategy: 'blue-green' } }],
};

/**
 * Runs the policy rules over the fixture's stack, synthesized with modules whose exports
 * `changes` rewrite (path relative to this file → new exports from the actual ones), and applies
 * `edit` to the synthesized JSON first.
 */
function rulesWith(changes: Record<string, (actual: Module) => Module>, edit: (synthesized: Synthesized) => void = () => undefined): RuleResult[] {
  let results: RuleResult[] = [];
  try {
    jest.isolateModules(() => {
      for (const [path, change] of Object.entries(changes)) jest.doMock(path, () => change(jest.requireActual(path)));
      const { parseEnvironment } = require('../../config') as typeof import('../../config');
      const { synthEnvironment } = require('./support') as typeof import('./support');
      const { checkEnvironment } = require('../../policy/check') as typeof import('../../policy/check');
      const config: EnvironmentConfig = parseEnvironment(FIXTURE.environment, FIXTURE as never);
      const synthesized = synthEnvironment(config);
      edit(synthesized);
      results = checkEnvironment(synthesized, config);
    });
  } finally {
    // A factory outlives isolateModules: drop it, so the next case starts from the sources.
    for (const path of Object.keys(changes)) jest.dontMock(path);
  }
  return results;
}

const outcome = (results: RuleResult[], id: string) => results.find((result) => result.rule.id === id)!;

describe('the IAM rules pin their allowed lists (policy/allowed-iam.ts)', () => {
  it('pass the fixture stack as the generator writes it', () => {
    const results = rulesWith({});
    expect(outcome(results, 'iam-resource-star-only-for-unscoped-actions').violations).toEqual([]);
    expect(outcome(results, 'iam-managed-policies-allow-listed').violations).toEqual([]);
  });

  it('fail an account-wide action added to the deploy role\'s list (config/release-permissions.ts)', () => {
    const results = rulesWith({
      '../../config/release-permissions': (actual) => ({
        ...actual,
        RELEASE_PERMISSIONS: [
          ...actual.RELEASE_PERMISSIONS,
          { action: 'ecs:DeleteService', resource: 'account-wide', source: 'sdk', neededBy: 'every service', why: 'a change nobody reviewed' },
        ],
      }),
    });
    const result = outcome(results, 'iam-resource-star-only-for-unscoped-actions');
    expect(result.outcome).toBe('fail');
    expect(result.violations.map((violation) => violation.message)).toEqual([expect.stringContaining('"ecs:DeleteService" on every resource')]);
  });

  it('fail a read added on "*" to the plan role\'s list (config/plan-permissions.ts)', () => {
    const results = rulesWith({
      // The edit, and the list the module derives from it.
      '../../config/plan-permissions': (actual) => ({
        ...actual,
        PLAN_READS: { ...actual.PLAN_READS, aws_ecs_service: { ...actual.PLAN_READS.aws_ecs_service, actions: [...actual.PLAN_READS.aws_ecs_service.actions, 'ecs:DescribeTasks'] } },
        PLAN_READS_ON_ANY_RESOURCE: [...actual.PLAN_READS_ON_ANY_RESOURCE, 'ecs:DescribeTasks'],
      }),
    });
    const result = outcome(results, 'iam-resource-star-only-for-unscoped-actions');
    expect(result.outcome).toBe('fail');
    expect(result.violations.map((violation) => violation.message)).toEqual([expect.stringContaining('"ecs:DescribeTasks" on every resource')]);
  });

  it('fail a managed policy the generator\'s allow-list (modules/iam-policy.ts) admits and a role attaches', () => {
    const results = rulesWith(
      { '../../modules/iam-policy': (actual) => ({ ...actual, ALLOWED_MANAGED_POLICIES: { ...actual.ALLOWED_MANAGED_POLICIES, ReadOnlyAccess: 'a change nobody reviewed' } }) },
      (synthesized) => {
        const attachments = synthesized.resource!.aws_iam_role_policy_attachment;
        const [id, attachment] = Object.entries(attachments)[0];
        attachments[`${id}-read-only`] = { ...attachment, policy_arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' };
      },
    );
    const result = outcome(results, 'iam-managed-policies-allow-listed');
    expect(result.outcome).toBe('fail');
    expect(result.violations.map((violation) => violation.message)).toEqual(['attaches arn:aws:iam::aws:policy/ReadOnlyAccess, which is not on the allow-list']);
  });
});

describe('the pinned lists hold nothing the generator no longer grants', () => {
  it('every action pinned for "*" is one the stack can grant on "*"', () => {
    const grantable = new Set([
      ECR_LOGIN_ACTION,
      ...RELEASE_PERMISSIONS.filter((permission) => permission.resource === 'account-wide').map((permission) => permission.action),
      ...LAMBDA_VPC_NETWORK_INTERFACE_ACTIONS,
      HOOK_RESULT_ACTION,
      ...Object.values(PLAN_READS).filter((read) => read.scope === 'any').flatMap((read) => read.actions),
    ]);
    expect(Object.keys(ACTIONS_ALLOWED_ON_ANY_RESOURCE).filter((action) => !grantable.has(action))).toEqual([]);
  });

  it('every pinned managed policy is one the generator may attach', () => {
    expect(Object.keys(MANAGED_POLICIES_ALLOWED).filter((name) => !(name in ALLOWED_MANAGED_POLICIES))).toEqual([]);
  });
});
