/**
 * The pull-request plan comment (planMarkdown): failures and destructive changes first, one
 * section per environment, a line per changed stack and the unchanged ones folded, within GitHub's
 * comment limit. Judged on real `terraform show -json` plans of the dev stack
 * (fixtures/plan-comment-plans.json) and on a synthetic result list of 51 stacks per environment.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlanJson } from '../../tools/terraform/plan-json';
import { CAUTION_ROWS, COMMENT_LIMIT, fitComment, jobLogUrl, planMarkdown, PLAN_COMMENT_MARKER, type StackPlanResult } from '../../tools/terraform/plan-report';
import { summarizePlan, type PlanSummary } from '../../tools/terraform/plan-summary';
import { plan, resourceChange } from './fixtures';

const REAL = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'plan-comment-plans.json'), 'utf8')) as Record<'newStack' | 'unchanged' | 'destructive', unknown>;
const realSummary = (stack: string, which: keyof typeof REAL): PlanSummary => summarizePlan(stack, parsePlanJson(JSON.stringify(REAL[which])));

function result(environment: string, stack: string, summary: PlanSummary | undefined, extra: Partial<StackPlanResult> = {}): StackPlanResult {
  return { environment, stack, summary, seconds: 1, ...(summary ? {} : { error: 'terraform plan failed (exit 1)' }), ...extra };
}

/** 51 stacks per environment, the shared stack first, as config/names.ts names them. */
function fleet(environment: string, services = 50): string[] {
  return [`shop-${environment}`, ...Array.from({ length: services }, (_, index) => `shop-${environment}-service-${String(index + 1).padStart(2, '0')}`)];
}

const lines = (markdown: string) => markdown.split('\n');

describe('the plan comment on real plans of the dev stack', () => {
  const destructive = result('dev', 'shop-dev-web', realSummary('shop-dev-web', 'destructive'));
  const unchanged = result('dev', 'shop-dev', realSummary('shop-dev', 'unchanged'));
  const created = result('prod', 'shop-prod-web', realSummary('shop-prod-web', 'newStack'));

  it('starts with the hidden marker a workflow finds its own comment by', () => {
    expect(lines(planMarkdown([unchanged]))[0]).toBe(PLAN_COMMENT_MARKER);
    expect(PLAN_COMMENT_MARKER).toBe('<!-- ecs-bluegreen-plan -->');
  });

  it('lists the replaced task definition and the destroyed alarm in a caution block before any environment', () => {
    const markdown = planMarkdown([unchanged, destructive]);
    const caution = lines(markdown).filter((line) => line.startsWith('>'));
    expect(caution[0]).toBe('> [!CAUTION]');
    expect(caution[1]).toBe('> **1 resource(s) would be REPLACED and 1 DESTROYED.** Check each before applying.');
    expect(caution).toContain('> | dev | `shop-dev-web` | **replace** | `aws_ecs_task_definition.service-web_task-definition_5BF1B32A` | cpu forces replacement |');
    expect(caution).toContain('> | dev | `shop-dev-web` | **destroy** | `aws_cloudwatch_metric_alarm.orphan_left_by_removed_code` | no longer in the configuration |');
    expect(markdown.indexOf('[!CAUTION]')).toBeLessThan(markdown.indexOf('#### dev'));
  });

  it('gives each changed stack one row with its counts and what is loud about it, and folds an unchanged stack into one line', () => {
    const markdown = planMarkdown([unchanged, destructive, created]);
    expect(lines(markdown)).toContain('| `shop-dev-web` | 1 | 1 | 2 | 1 | **replaces 1**, **destroys 1** |');
    expect(lines(markdown)).toContain('| `shop-prod-web` | 47 | 0 | 0 | 0 | 14 output change(s) |');
    expect(lines(markdown)).toContain('No changes: `shop-dev`');
    expect(markdown).not.toContain('| `shop-dev` |');
  });

  it('has one section per environment, in the order given, each saying what it was planned against', () => {
    const markdown = planMarkdown([unchanged, destructive, created]);
    const headings = lines(markdown).filter((line) => line.startsWith('#### '));
    expect(headings).toEqual(['#### dev: 2 stacks, 1 stack with changes, 1 unchanged', '#### prod: 1 stack, 1 stack with changes, 0 unchanged']);
    expect(markdown.match(/^Planned against: empty \(new stack, refresh skipped\)\.$/gm)).toHaveLength(2);
  });

  it('shows the state per row when the stacks of an environment were planned against different states', () => {
    const markdown = planMarkdown([{ ...destructive, stateFile: 'terraform.shop-dev-web.tfstate' }, result('dev', 'shop-dev-api', realSummary('shop-dev-api', 'newStack'))]);
    expect(markdown).not.toContain('Planned against:');
    expect(lines(markdown)).toContain('| `shop-dev-web` | 1 | 1 | 2 | 1 | **replaces 1**, **destroys 1** | terraform.shop-dev-web.tfstate (refresh skipped) |');
  });

  it('puts a failed stack at the top of the comment and of its environment, with the error', () => {
    const failed = result('dev', 'shop-dev-api', undefined);
    const markdown = planMarkdown([unchanged, destructive, failed], { logUrl: 'https://github.com/o/r/actions/runs/9' });
    expect(lines(markdown)[5]).toBe('> [!WARNING]');
    expect(markdown).toContain("> **terraform plan failed for shop-dev-api**; [the job log](https://github.com/o/r/actions/runs/9) has Terraform's output.");
    const rows = lines(markdown).filter((line) => line.startsWith('| `'));
    expect(rows).toEqual(['| `shop-dev-api` | – | – | – | – | **FAILED**: terraform plan failed (exit 1) |', '| `shop-dev-web` | 1 | 1 | 2 | 1 | **replaces 1**, **destroys 1** |']);
    expect(markdown).toContain('#### dev: 3 stacks, 1 stack with changes, 1 failed, 1 unchanged');
  });

  it('shows a stack whose only change is an output, since the service stacks read the shared stack\'s outputs', () => {
    const outputOnly = summarizePlan('shop-dev', plan({ output_changes: { vpc_id: { actions: ['update'], before: 'a', after: 'b' } } }));
    expect(lines(planMarkdown([result('dev', 'shop-dev', outputOnly)]))).toContain('| `shop-dev` | 0 | 0 | 0 | 0 | 1 output change(s) |');
  });

  it('escapes pipes in addresses so a for_each key cannot break the table', () => {
    const odd = summarizePlan('shop-dev', plan({ resource_changes: [resourceChange('aws_route.r', { actions: ['delete'] }, { address: 'aws_route.r["a|b"]' })] }));
    expect(planMarkdown([result('dev', 'shop-dev', odd)])).toContain('`aws_route.r["a\\|b"]`');
  });
});

describe('the plan comment at 51 stacks per environment', () => {
  const environments = ['dev', 'prod', 'preview'];
  const web = (stack: string) => realSummary(stack, 'unchanged');
  const results = environments.flatMap((environment) =>
    fleet(environment).map((stack, index) => {
      if (environment === 'dev' && index === 7) return result(environment, stack, realSummary(stack, 'destructive'));
      if (environment === 'prod' && index === 12) return result(environment, stack, undefined);
      if (environment === 'prod' && index === 0) return result(environment, stack, realSummary(stack, 'newStack'));
      return result(environment, stack, web(stack));
    }),
  );
  const markdown = planMarkdown(results);

  it('has a row only for the stacks that change or fail, and folds the other 151 into a details block per environment', () => {
    expect(lines(markdown).filter((line) => line.startsWith('| `')).map((line) => line.split(' | ')[0])).toEqual(['| `shop-dev-service-07`', '| `shop-prod-service-12`', '| `shop-prod`']);
    const folded = lines(markdown).filter((line) => line.startsWith('<details><summary>'));
    expect(folded).toEqual(['<details><summary>50 stacks unchanged</summary>', '<details><summary>49 stacks unchanged</summary>', '<details><summary>51 stacks unchanged</summary>']);
    expect(markdown.match(/<\/details>/g)).toHaveLength(3);
    for (const stack of fleet('preview')) expect(markdown).toContain(`\`${stack}\``);
  });

  it('reads at a glance: the counts first, under 60 lines and a tenth of the comment limit', () => {
    expect(lines(markdown)[3]).toBe('3 environments, 153 stacks: 3 with changes or failed, 150 unchanged.');
    expect(lines(markdown).length).toBeLessThan(60);
    expect(markdown.length).toBeLessThan(COMMENT_LIMIT / 10);
  });

  it('with every stack of every environment new (an offline plan against empty states), stays within the limit uncut', () => {
    const everything = planMarkdown(environments.flatMap((environment) => fleet(environment).map((stack) => result(environment, stack, realSummary(stack, 'newStack')))));
    expect(lines(everything).filter((line) => line.startsWith('| `'))).toHaveLength(153);
    expect(everything.length).toBeLessThan(COMMENT_LIMIT);
    expect(everything).not.toContain('Cut here');
  });
});

describe('the plan comment over GitHub\'s comment limit', () => {
  /** Every service stack destroying 30 resources with long addresses: far past 65,536 characters uncut. */
  const destroyAll = (stack: string) =>
    summarizePlan(
      stack,
      plan({
        resource_changes: Array.from({ length: 30 }, (_, index) =>
          resourceChange(`aws_cloudwatch_metric_alarm.service_${stack.replace(/\W/g, '_')}_alarm_with_a_long_construct_path_${index}`, { actions: ['delete'] }, { action_reason: 'delete_because_no_resource_config' }),
        ),
      }),
    );
  const results = ['dev', 'prod'].flatMap((environment) => fleet(environment).map((stack) => result(environment, stack, destroyAll(stack))));
  const logUrl = 'https://github.com/example-org/shop/actions/runs/42';

  it('lists the first replaced or destroyed resources and points to the job log for the rest', () => {
    const markdown = planMarkdown(results, { logUrl });
    expect(lines(markdown).filter((line) => line.startsWith('> | dev') || line.startsWith('> | prod'))).toHaveLength(CAUTION_ROWS);
    expect(markdown).toContain(`> ${30 * 102 - CAUTION_ROWS} more replaced or destroyed resource(s) are listed in [the job log](${logUrl})`);
    expect(markdown.length).toBeLessThanOrEqual(COMMENT_LIMIT);
  });

  it('cuts at a line boundary within the limit, closes a folded block it cut into, and says where the rest is', () => {
    const long = [PLAN_COMMENT_MARKER, '<details><summary>many</summary>', '', ...Array.from({ length: 5000 }, (_, index) => `\`shop-dev-service-${index}\``), '</details>', 'tail'].join('\n');
    const cut = fitComment(long, { logUrl, limit: 10_000 });
    expect(cut.length).toBeLessThanOrEqual(10_000);
    expect(cut.startsWith(`${PLAN_COMMENT_MARKER}\n<details>`)).toBe(true);
    expect(cut).toMatch(/`shop-dev-service-\d+`\n<\/details>\n\n> \[!NOTE\]\n> Cut here: the summary is longer than GitHub's 10000-character comment limit\. Every stack's plan is in \[the job log\]\(https:\/\/github\.com\/example-org\/shop\/actions\/runs\/42\) and the `plan` artifact\.\n$/);
    expect(cut.match(/<details>/g)).toHaveLength(1);
    expect(cut.match(/<\/details>/g)).toHaveLength(1);
    expect(fitComment('short', { limit: 10 })).toBe('short');
  });

  it('finds the job log from the variables every GitHub Actions job has, and nothing elsewhere', () => {
    expect(jobLogUrl({ GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'example-org/shop', GITHUB_RUN_ID: '42' })).toBe(logUrl);
    expect(jobLogUrl({})).toBeUndefined();
  });
});
