/**
 * IAM's quotas against the documents an environment synthesizes as it grows (docs/limits.md):
 * the deploy policy names services by pattern, so its size does not depend on their number, and
 * no role's documents grow past a quota at 100 services.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironment, type EnvironmentConfig } from '../../config';
import { fleetOf } from '../../config/fleet';
import { GithubIdentity } from '../../modules/github-identity';
import { IAM_QUOTAS } from '../../modules/iam-policy';
import { lambdaEnvironmentSizes, managedPolicySizes, roleDocuments, type RoleDocuments, type Where } from '../support/iam-documents';
import { synthConstructs, synthEnvironment } from './support';

const prod = loadEnvironment('prod', { offline: true });
const WHERE: Where = { partition: 'aws', region: prod.region, account: '123456789012' };

/** The deploy role's inline policy as IAM counts it, for an environment of `count` services. */
function deployPolicySize(env: EnvironmentConfig, count: number): number {
  const environment = fleetOf(env, count);
  const synthesized = synthConstructs((scope) => void new GithubIdentity(scope, 'identity', { environment, github: environment.github! }));
  const deployRole = roleDocuments([synthesized], WHERE).find((role) => role.role.endsWith('-github-deploy'));
  if (!deployRole) throw new Error('no deploy role synthesized');
  return deployRole.inline;
}

describe('the deploy policy as the service count grows', () => {
  it.each([
    ['prod (blue/green, canary, auto scaling)', prod],
    ['dev (blue/green, all at once)', loadEnvironment('dev', { offline: true })],
  ])('%s: the size at 50 services is within 25 %% of the size at 2', (_name, env) => {
    const atTwo = deployPolicySize(env, 2);
    const atFifty = deployPolicySize(env, 50);
    expect(atFifty).toBeLessThanOrEqual(atTwo * 1.25);
    expect(atFifty).toBeLessThanOrEqual(IAM_QUOTAS.roleInlinePolicyCharacters);
  });
});

/** Lambda's quota on a function's environment variables, keys and values together (Lambda quotas, "Function configuration"). */
const LAMBDA_ENVIRONMENT_BYTES = 4 * 1024;

/** The largest count whose size, growing linearly from `atTwo` (2 services) to `atHundred` (100), still fits `limit`. */
function lastCountThatFits(atTwo: number, atHundred: number, limit: number): number {
  const perService = (atHundred - atTwo) / 98;
  return perService <= 0 ? Infinity : 2 + Math.floor((limit - atTwo) / perService);
}

describe("IAM's quotas at 100 services in one environment", () => {
  // prod's service repeated: blue/green with a custom canary, auto scaling and the verification hook, the most IAM of any kind.
  const stacksAtTwo = [synthEnvironment(fleetOf(prod, 2))];
  const stacksAtHundred = [synthEnvironment(fleetOf(prod, 100))];
  const atTwo = roleDocuments(stacksAtTwo, WHERE);
  const atHundred = roleDocuments(stacksAtHundred, WHERE);
  const named = (roles: readonly RoleDocuments[], name: string) => roles.find((role) => role.role === name);
  const HOOK = 'shop-prod-verify-test-listener';
  const constant = ['shop-prod-github-plan', 'shop-prod-github-deploy', 'shop-prod-codedeploy', HOOK];
  const overAQuota = (role: RoleDocuments) =>
    role.trust > IAM_QUOTAS.trustPolicyCharacters ||
    role.inline > IAM_QUOTAS.roleInlinePolicyCharacters ||
    role.managedPolicies.length > IAM_QUOTAS.managedPoliciesPerRole ||
    role.role.length > IAM_QUOTAS.roleNameCharacters;

  it("keeps every role within IAM's quotas: trust policy 2,048 characters, inline policies 10,240, 10 managed policies, a 64-character name", () => {
    expect(atHundred.filter(overAQuota)).toEqual([]);
  });

  it('keeps the GitHub plan and deploy roles, the CodeDeploy role and the verification hook role exactly as large at 100 services as at 2', () => {
    expect(constant.map((name) => named(atHundred, name))).toEqual(constant.map((name) => named(atTwo, name)));
    expect(constant.every((name) => named(atHundred, name) !== undefined)).toBe(true);
  });

  it("keeps each service's execution and task roles as large at 100 services as at 2: they name only their own service", () => {
    for (const role of ['shop-prod-web2-execution', 'shop-prod-web2-task']) expect(named(atHundred, role)).toEqual(named(atTwo, role));
  });

  it("creates two roles per service and four shared ones (204 at 100 services), within the account's default 1,000 roles", () => {
    expect(atHundred).toHaveLength(2 * 100 + constant.length);
    expect(atHundred.length).toBeLessThan(IAM_QUOTAS.rolesPerAccount);
  });

  it('creates no customer managed policy (whose quota, 6,144 characters, would be the tighter one)', () => {
    expect(managedPolicySizes(stacksAtHundred, WHERE)).toEqual([]);
  });

  it("grows only the verification hook's settings, by one short entry per verified service, within Lambda's 4 KB at 100 and up to the count docs/limits.md gives", () => {
    const [settingsAtTwo, settingsAtHundred] = [stacksAtTwo, stacksAtHundred].map((stacks) => lambdaEnvironmentSizes(stacks, WHERE).find((fn) => fn.name === HOOK)!.size);
    const hookSettings = lastCountThatFits(settingsAtTwo, settingsAtHundred, LAMBDA_ENVIRONMENT_BYTES);
    expect(settingsAtHundred).toBeLessThanOrEqual(LAMBDA_ENVIRONMENT_BYTES);
    expect(hookSettings).toBeGreaterThanOrEqual(100);
    expect(readFileSync(join(__dirname, '../../docs/limits.md'), 'utf8')).toContain(`settings fit ${hookSettings} verified services`);
  });
});
