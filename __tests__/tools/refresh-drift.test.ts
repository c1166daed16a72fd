/**
 * What a refresh finds, judged by the provider schema: plans of the dev stack as
 * `terraform show -json` writes them with the real provider (fixtures/refresh-plans.json, from the
 * self-check), after the first refresh of a fresh apply and after releases, plus one real
 * out-of-band change of each kind on top, which must be named.
 */
import { driftLines, driftReport, ignoredAttributes, type DriftReport } from '../../tools/terraform/drift-report';
import type { Schemas } from '../../tools/terraform/apply-state';
import type { Json, JsonObject, PlanJson, ResourceChange } from '../../tools/terraform/plan-json';
import fixture from './fixtures/refresh-plans.json';

const schemas = fixture.schemas as unknown as Schemas;
const synthesized = fixture.synthesized as unknown as JsonObject;
const freshApply = fixture.plans.freshApply as unknown as PlanJson;
const afterReleases = fixture.plans.afterReleases as unknown as PlanJson;
const IGNORES = ignoredAttributes(synthesized);

function judge(plan: PlanJson): DriftReport {
  return driftReport('shop-dev', plan, IGNORES, true, { schemas, synthesized });
}

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The fresh-apply plan with `edit` applied to what the refresh read for the first resource matching `address`. */
function withOutsideChange(address: RegExp, edit: (after: JsonObject) => void): PlanJson {
  const plan = copy(freshApply) as PlanJson & { resource_drift: ResourceChange[] };
  const change = plan.resource_drift.find((candidate) => address.test(candidate.address));
  if (!change) throw new Error(`no refreshed resource matches ${address}`);
  edit(change.change.after as JsonObject);
  return plan;
}

/** The change texts (or paths) reported, by address. */
function named(report: DriftReport): string[] {
  return report.entries.flatMap((entry) => entry.attributes.map((attribute) => `${entry.address} ${attribute.change ?? attribute.path}`));
}

describe('refresh effects that are not drift', () => {
  it('the first refresh after a fresh apply (tags {}, empty lists, period 0, rules, routes, role policies, blue target group attached) is clean', () => {
    expect(judge(freshApply).entries).toEqual([]);
  });

  it('the same plan judged without the schema reports each normalisation as drift (why the schema is needed)', () => {
    const report = driftReport('shop-dev', freshApply, IGNORES, true);
    expect(report.entries.length).toBeGreaterThanOrEqual(20);
    const lines = driftLines(report).join('\n');
    for (const normalisation of ['tags: null → {}', 'alarm_actions: null → []', 'metric_query[0].period: null → 0', 'managed_policy_arns[0]: (absent) →', 'ingress[0]', 'route[0]', 'load_balancer_arns[0]']) {
      expect(lines).toContain(normalisation);
    }
  });

  it('after releases (green target group attached, listeners forwarding 100 / 0, service on the release revision) is clean', () => {
    expect(judge(afterReleases).entries).toEqual([]);
    expect(driftReport('shop-dev', afterReleases, IGNORES, true).entries.map((entry) => entry.address)).toEqual([expect.stringMatching(/green-target-group/)]);
  });
});

describe('negative controls: a real out-of-band change of each kind is named', () => {
  const cases: [string, RegExp, (after: JsonObject) => void, string][] = [
    [
      'an extra security group rule',
      /aws_security_group\.service-web_load-balancer/,
      (after) => {
        const ingress = after.ingress as JsonObject[];
        ingress.push({ ...ingress[0], from_port: 8080, to_port: 8080, cidr_blocks: ['0.0.0.0/0'] });
      },
      'added ingress 8080/tcp from 0.0.0.0/0',
    ],
    [
      'an extra route',
      /aws_route_table\.network_public/,
      (after) => {
        const routes = after.route as JsonObject[];
        routes.push({ ...routes[0], cidr_block: '10.99.0.0/16', gateway_id: '', vpc_peering_connection_id: 'pcx-1' });
      },
      'added route 10.99.0.0/16 via pcx-1',
    ],
    ['an extra tag', /aws_cloudwatch_log_group/, (after) => void (after.tags = { owner: 'console' }), 'added tag owner = "console"'],
    ['an extra managed policy', /aws_iam_role\.codedeploy-role/, (after) => void (after.managed_policy_arns as Json[]).push('arn:aws:iam::aws:policy/AdministratorAccess'), 'added managed policy arn:aws:iam::aws:policy/AdministratorAccess'],
    ['an extra inline policy', /aws_iam_role\.codedeploy-role/, (after) => void (after.inline_policy = [{ name: 'console', policy: '{}' }]), 'added inline policy console'],
    ['an extra alarm action', /aws_cloudwatch_metric_alarm\.service-web_alarms_target-5xx/, (after) => void (after.alarm_actions = ['arn:aws:sns:x:1:t']), 'added alarm_actions "arn:aws:sns:x:1:t"'],
  ];

  it.each(cases)('%s', (_, address, edit, expected) => {
    expect(named(judge(withOutsideChange(address, edit)))).toEqual([expect.stringMatching(new RegExp(`^\\S+ ${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`))]);
  });

  it('a changed number inside a set block (metric_query period) is a removed and an added item, not an index shift', () => {
    const report = judge(
      withOutsideChange(/aws_cloudwatch_metric_alarm\.service-web_alarms_target-5xx/, (after) => {
        (after.metric_query as JsonObject[])[0].period = 60;
      }),
    );
    const texts = named(report);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/removed metric_query/);
    expect(texts[1]).toMatch(/added metric_query .*"period":60/);
  });

  it('a configured attribute (target group health check path) is named by its path', () => {
    const report = judge(
      withOutsideChange(/blue-target-group/, (after) => {
        (after.health_check as JsonObject[])[0].path = '/changed';
      }),
    );
    expect(report.entries[0].attributes).toEqual([expect.objectContaining({ path: 'health_check[0].path', after: '"/changed"' })]);
  });

  it('a computed-only attribute AWS sets (an ARN) is never drift', () => {
    expect(judge(withOutsideChange(/blue-target-group/, (after) => void (after.arn_suffix = 'other'))).entries).toEqual([]);
  });
});
