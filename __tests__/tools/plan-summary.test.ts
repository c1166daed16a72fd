import { parsePlanJson } from '../../tools/terraform/plan-json';
import { planDocument, type StackPlanResult } from '../../tools/terraform/plan-report';
import { countsLine, destructiveLines, summarizePlan } from '../../tools/terraform/plan-summary';
import { plan, resourceChange, TARGET_GROUP, TASK_DEFINITION } from './fixtures';

const MIXED = plan({
  resource_changes: [
    resourceChange('aws_ecr_repository.web', { actions: ['create'] }),
    resourceChange(TARGET_GROUP, { actions: ['update'] }),
    resourceChange(TASK_DEFINITION, { actions: ['create', 'delete'], replace_paths: [['cpu']] }, { action_reason: 'replace_because_cannot_update' }),
    resourceChange('aws_security_group.old', { actions: ['delete', 'create'] }, { action_reason: 'replace_by_triggers' }),
    resourceChange('aws_cloudwatch_metric_alarm.orphan', { actions: ['delete'] }, { action_reason: 'delete_because_no_resource_config' }),
    resourceChange('aws_vpc.main', { actions: ['no-op'] }),
    resourceChange('aws_iam_policy_document.read', { actions: ['read'] }, { mode: 'data' }),
  ],
  output_changes: { web_service: { actions: ['update'], before: 'a', after: 'b' }, web_cluster: { actions: ['no-op'], before: 'c', after: 'c' } },
});

describe('the plan summary from terraform show -json', () => {
  it('counts like Terraform: a replacement is one add and one destroy, no-op and reads count nothing', () => {
    const summary = summarizePlan('shop-dev', MIXED);
    expect([summary.add, summary.change, summary.destroy]).toEqual([3, 1, 3]);
    expect(countsLine(summary)).toBe('3 to add, 1 to change, 3 to destroy');
    expect(summary.outputChanges).toBe(1);
  });

  it('names every replacement, in either order, and every deletion, by address with the reason', () => {
    expect(summarizePlan('shop-dev', MIXED).destructive).toEqual([
      { address: TASK_DEFINITION, kind: 'replace', reason: 'cpu forces replacement' },
      { address: 'aws_security_group.old', kind: 'replace', reason: 'replace_triggered_by fired' },
      { address: 'aws_cloudwatch_metric_alarm.orphan', kind: 'delete', reason: 'no longer in the configuration' },
    ]);
  });

  it('says "no changes" for an empty plan and prints no warning lines', () => {
    const summary = summarizePlan('shop-dev', plan({ resource_changes: [resourceChange('aws_vpc.main', { actions: ['no-op'] })] }));
    expect(countsLine(summary)).toBe('no changes');
    expect(destructiveLines(summary)).toEqual([]);
  });

  it('calls out replaced and destroyed resources loudly in the terminal', () => {
    const lines = destructiveLines(summarizePlan('shop-dev', MIXED));
    expect(lines[0]).toBe('  !! shop-dev: 2 resource(s) would be REPLACED and 1 DESTROYED:');
    expect(lines).toContain(`  !!   REPLACE ${TASK_DEFINITION} (cpu forces replacement)`);
    expect(lines).toContain('  !!   DESTROY aws_cloudwatch_metric_alarm.orphan (no longer in the configuration)');
  });

  it('refuses a show -json format it does not know', () => {
    expect(() => parsePlanJson('{"format_version":"2.0"}')).toThrow('unsupported terraform show -json format_version 2.0; expected 1.x');
  });
});

const DEV: StackPlanResult = { environment: 'dev', stack: 'shop-dev', summary: summarizePlan('shop-dev', MIXED), stateFile: 'old.tfstate', planText: '.tf/offline/shop-dev/plan.txt', seconds: 4.04 };
const FAILED: StackPlanResult = { environment: 'preview', stack: 'shop-preview', error: 'terraform plan failed (exit 1)', seconds: 1 };

describe('the --json document', () => {
  it('lists counts, replaced and destroyed resources per environment, and failures', () => {
    expect(planDocument([DEV, FAILED])).toEqual({
      ok: false,
      environments: [
        {
          environment: 'dev',
          stack: 'shop-dev',
          ok: true,
          state: 'old.tfstate',
          refreshed: false,
          add: 3,
          change: 1,
          destroy: 3,
          outputChanges: 1,
          replaced: [
            { address: TASK_DEFINITION, reason: 'cpu forces replacement' },
            { address: 'aws_security_group.old', reason: 'replace_triggered_by fired' },
          ],
          destroyed: [{ address: 'aws_cloudwatch_metric_alarm.orphan', reason: 'no longer in the configuration' }],
          planText: '.tf/offline/shop-dev/plan.txt',
          seconds: 4,
        },
        { environment: 'preview', stack: 'shop-preview', ok: false, state: null, refreshed: false, error: 'terraform plan failed (exit 1)', planText: null, seconds: 1 },
      ],
    });
  });
});
