/**
 * The deploy role's policy as synthesized, to check AWS calls against: the end-to-end harness
 * asserts after every test that each call the emulator answered is allowed by the deploy policy
 * of one of the test's environments (docs/identity.md).
 */
import { Testing } from 'cdktf';
import type { EnvironmentConfig, GithubIdentityConfig } from '../../config';
import type { CallRecord } from '../../emulator';
import { GithubIdentity } from '../../modules/github-identity';

/** IAM service prefix of each service the emulator speaks. */
const IAM_PREFIX_BY_EMULATED_SERVICE: Readonly<Record<CallRecord['service'], string>> = {
  ecs: 'ecs',
  codedeploy: 'codedeploy',
  ecr: 'ecr',
  elbv2: 'elasticloadbalancing',
  autoscaling: 'application-autoscaling',
};

/** An environment without `github` gets this repository for the synth: the deploy policy does not depend on it. */
const STAND_IN: GithubIdentityConfig = { repository: 'example-org/stand-in', planBranches: ['main'], oidcProvider: { mode: 'create' } };

/** The IAM action an emulated call stands for, e.g. `elbv2` `DescribeListeners` → `elasticloadbalancing:DescribeListeners`. */
export function iamActionOfCall(call: Pick<CallRecord, 'service' | 'operation'>): string {
  return `${IAM_PREFIX_BY_EMULATED_SERVICE[call.service]}:${call.operation}`;
}

interface Statement {
  Effect: string;
  Action: string | string[];
}

const synthesizedActions = new Map<string, string[]>();

/** The actions the synthesized deploy policy of an environment allows (each on some resource). */
export function deployPolicyActions(environment: EnvironmentConfig): string[] {
  const cached = synthesizedActions.get(environment.environment);
  if (cached) return cached;
  const github = environment.github ?? STAND_IN;
  const synthesized = JSON.parse(Testing.synthScope((scope) => void new GithubIdentity(scope, 'identity', { environment, github })));
  const policies: Array<{ name: string; policy: string }> = Object.values(synthesized.resource?.aws_iam_role_policy ?? {});
  const release = policies.find((policy) => policy.name === 'release');
  if (!release) throw new Error(`no deploy policy synthesized for ${environment.environment}`);
  const statements: Statement[] = JSON.parse(release.policy).Statement;
  const actions = statements.filter((statement) => statement.Effect === 'Allow').flatMap((statement) => [statement.Action].flat());
  synthesizedActions.set(environment.environment, actions);
  return actions;
}

/** Whether an action matches one of the policy's action patterns (IAM: case-insensitive, `*` and `?` wildcards). */
export function allows(patterns: readonly string[], action: string): boolean {
  return patterns.some((pattern) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(action));
}

/** The calls (`service:Operation`, once each) that no deploy policy of the environments allows. */
export function callsOutsideDeployPolicy(calls: readonly CallRecord[], environments: readonly EnvironmentConfig[]): string[] {
  const patterns = environments.flatMap(deployPolicyActions);
  return [...new Set(calls.map(iamActionOfCall))].filter((action) => !allows(patterns, action));
}
