/**
 * The plan role reads what `terraform plan` of each stack refreshes and nothing else: every
 * resource type of every synthesized environment has its reads in config/plan-permissions.ts, the
 * role gets exactly the reads of its stack's types, all of them reads, and a type nobody listed
 * fails synthesis.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { withTestApp } from '../support/synth';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { ConfigError, loadEnvironment } from '../../config';
import { PLAN_READS, PLAN_READS_NOTHING } from '../../config/plan-permissions';
import { EnvironmentStacks } from '../../modules/environment-stacks';
import { allEnvironments, resources, synthEnvironment, type Synthesized } from './support';

const stacks = allEnvironments().map((config) => ({ config, synthesized: synthEnvironment(config) }));
const typesOf = (synthesized: Synthesized) => [...Object.keys(synthesized.resource ?? {}), ...Object.keys((synthesized as { data?: object }).data ?? {})];
const planReads = (synthesized: Synthesized): string[] => {
  const policy = resources(synthesized, 'aws_iam_role_policy').find((candidate) => candidate.name === 'terraform-plan-reads');
  return policy ? JSON.parse(policy.policy).Statement.flatMap((statement: { Action: string[] }) => statement.Action) : [];
};

describe('the plan role reads', () => {
  it.each(stacks.map(({ config, synthesized }) => ({ name: config.environment, synthesized })))('of every resource type of $name are listed', ({ synthesized }) => {
    expect(typesOf(synthesized).filter((type) => !PLAN_READS[type] && !PLAN_READS_NOTHING.includes(type))).toEqual([]);
  });

  it.each(stacks.filter(({ config }) => config.github).map(({ config, synthesized }) => ({ name: config.environment, synthesized })))(
    'of $name: exactly the reads of its resource types',
    ({ synthesized }) => {
      const expected = new Set(typesOf(synthesized).flatMap((type) => PLAN_READS[type]?.actions ?? []));
      expect(new Set(planReads(synthesized))).toEqual(expected);
      expect(planReads(synthesized)).not.toContain('s3:GetObject');
    },
  );

  it('are reads only: Describe, List or Get, never data (no s3:GetObject, logs:GetLogEvents or secrets)', () => {
    const actions = Object.values(PLAN_READS).flatMap((read) => read.actions);
    expect(actions.filter((action) => !/^[a-z0-9-]+:(Describe|List|Get)[A-Za-z]+$/.test(action))).toEqual([]);
    expect(actions.filter((action) => /^(s3:GetObject|logs:GetLogEvents|logs:FilterLogEvents|secretsmanager:|ssm:|kms:Decrypt)/.test(action))).toEqual([]);
  });

  it("allow every read a real refresh of prod's state made (recorded from the provider against a local endpoint)", () => {
    const recorded: { actions: string[] } = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'prod-refresh-reads.json'), 'utf8'));
    const prod = stacks.find(({ config }) => config.environment === 'prod')!;
    expect(recorded.actions.filter((action) => !planReads(prod.synthesized).includes(action))).toEqual([]);
  });

  it("fail synthesis for a resource type without an entry, also in a service's stack, naming it and the file to extend", () => {
    let error: unknown;
    withTestApp((app) => {
      const stacks = new EnvironmentStacks(app, loadEnvironment('dev', { offline: true }));
      new SnsTopic(stacks.services[0], 'unlisted', { name: 'unlisted' });
      try {
        Testing.synth(stacks.shared);
      } catch (caught) {
        error = caught;
      }
    });
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'dev.github: terraform plan reads aws_sns_topic, which config/plan-permissions.ts does not list; add its Read calls there (hashicorp/aws provider source) so the plan role may make them',
    ]);
  });
});
