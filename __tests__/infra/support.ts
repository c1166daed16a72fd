/**
 * Helpers for the infrastructure tests: build environments from partial configuration, synthesize
 * them, and read resources out of the synthesized Terraform JSON.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// Types of the matchers __tests__/setup.ts installs (toHaveResourceWithProperties, ...).
import type {} from 'cdktf/lib/testing/adapters/jest';
import type { IConstruct } from 'constructs';
import { environmentNamesList, environmentStacks, loadEnvironment, parseEnvironment, type EnvironmentConfig, type EnvironmentConfigInput, type ServiceConfigInput } from '../../config';
import { EnvironmentStacks } from '../../modules/environment-stacks';
import { environmentView, type StackJson } from '../../policy/environment-view';
import { resources, type Synthesized } from '../../policy/synthesized';
import { synthScope, withTestApp } from '../support/synth';

// Reading synthesized JSON is shared with the policy rules (npm run policy).
export { ignoreChanges, referencedAddress, resources, type Synthesized } from '../../policy/synthesized';

/** A minimal valid environment with one `web` service; every other field takes its default. */
export function environmentInput(overrides: Partial<EnvironmentConfigInput> = {}, service: Partial<ServiceConfigInput> = {}): EnvironmentConfigInput {
  return {
    app: 'shop',
    environment: 'test',
    region: 'ap-northeast-1',
    availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c'],
    services: [{ name: 'web', ...service }],
    ...overrides,
  };
}

/** Parse an environment built from `environmentInput`. */
export function environment(overrides: Partial<EnvironmentConfigInput> = {}, service: Partial<ServiceConfigInput> = {}): EnvironmentConfig {
  return parseEnvironment('test', environmentInput(overrides, service));
}

/**
 * Two services sharing one VPC and cluster: `web` on HTTP with the defaults, `api` on HTTPS with a
 * test listener open to an office CIDR, a custom canary, approval and auto scaling.
 */
export function twoServiceEnvironment(): EnvironmentConfig {
  return parseEnvironment('two', {
    ...environmentInput({ environment: 'two', network: { mode: 'create', cidr: '10.30.0.0/16', natGateways: 'single' } }),
    services: [
      { name: 'web' },
      {
        name: 'api',
        containerPort: 8080,
        certificateArn: 'arn:aws:acm:ap-northeast-1:123456789012:certificate/abc',
        testListener: { allowedCidrs: ['203.0.113.0/24'] },
        secrets: {
          DB_PASSWORD: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-AbCdEf:password::',
          API_KEY: 'arn:aws:ssm:ap-northeast-1:123456789012:parameter/api/key',
        },
        release: { deploymentConfig: { type: 'canary', percentage: 10, intervalMinutes: 5 }, approvalWaitMinutes: 30 },
        desiredCount: 2,
        autoScaling: { minCapacity: 2, maxCapacity: 6 },
      },
    ],
  });
}

/**
 * Synthesize an environment's stacks as cdktf writes them (cross-stack references resolved), shared
 * stack first, and parse each stack's JSON.
 */
export function synthEnvironmentStacks(config: EnvironmentConfig): StackJson[] {
  return withTestApp((app) => {
    new EnvironmentStacks(app, config);
    app.synth();
    return environmentStacks(config).map(({ stack }) => ({ stack, synthesized: JSON.parse(readFileSync(join(app.outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as Synthesized }));
  });
}

/** Synthesize an environment's stacks and read them as one (policy/environment-view.ts). */
export function synthEnvironment(config: EnvironmentConfig): Synthesized {
  return environmentView(synthEnvironmentStacks(config));
}

/** Synthesize constructs built in a callback and parse the JSON. */
export function synthConstructs(build: (scope: IConstruct) => void): Synthesized {
  return JSON.parse(synthScope((scope) => build(scope as IConstruct)));
}

/** The single resource of a type; fails when there is not exactly one. */
export function only(synthesized: Synthesized, type: string): Record<string, any> {
  const found = resources(synthesized, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

/** Every configured environment, offline as the plans run, plus the two-service one. */
export function allEnvironments(): EnvironmentConfig[] {
  return [...environmentNamesList().map((name) => loadEnvironment(name, { offline: true })), twoServiceEnvironment()];
}
