import { attributeDifferences, driftLines, driftReport, ignoredAttributes, parseAttributePath } from '../../tools/terraform/drift-report';
import { plan, resourceChange, SERVICE, SYNTHESIZED, TARGET_GROUP } from './fixtures';

const IGNORES = ignoredAttributes(SYNTHESIZED);

describe('attribute-level differences', () => {
  it('names a nested attribute by its path, with the values before and after', () => {
    const differences = attributeDifferences({
      actions: ['update'],
      before: { name: 'blue', health_check: [{ path: '/changed', interval: 10 }] },
      after: { name: 'blue', health_check: [{ path: '/health', interval: 10 }] },
    });
    expect(differences).toEqual([{ path: 'health_check[0].path', before: '"/changed"', after: '"/health"' }]);
  });

  it('never prints a sensitive value', () => {
    const differences = attributeDifferences({
      actions: ['update'],
      before: { secret: 'old-password' },
      after: { secret: 'new-password' },
      before_sensitive: { secret: true },
      after_sensitive: { secret: true },
    });
    expect(differences).toEqual([{ path: 'secret', before: '(sensitive)', after: '(sensitive)' }]);
  });

  it('marks values known only after apply', () => {
    expect(attributeDifferences({ actions: ['update'], before: { arn: 'a' }, after: {}, after_unknown: { arn: true } })).toEqual([
      { path: 'arn', before: '"a"', after: '(known after apply)' },
    ]);
  });

  it('treats an absent attribute and null as the same', () => {
    expect(attributeDifferences({ actions: ['update'], before: { a: null }, after: {} })).toEqual([]);
  });

  it('skips ignored attributes and everything under them', () => {
    const change = { actions: ['update'] as const, before: { default_action: [{ type: 'a' }], port: 80 }, after: { default_action: [{ type: 'b' }], port: 443 } };
    expect(attributeDifferences(change, [parseAttributePath('default_action')])).toEqual([{ path: 'port', before: '80', after: '443' }]);
  });

  it('parses ignore_changes entries with indexes and map keys', () => {
    expect(parseAttributePath('health_check[0].path')).toEqual(['health_check', 0, 'path']);
    expect(parseAttributePath('tags["Name"]')).toEqual(['tags', 'Name']);
  });
});

describe('the drift report', () => {
  const releaseDrift = resourceChange(SERVICE, {
    actions: ['update'],
    before: { task_definition: 'family:3', desired_count: 2, load_balancer: [{ target_group_arn: 'blue' }] },
    after: { task_definition: 'family:7', desired_count: 6, load_balancer: [{ target_group_arn: 'green' }] },
  });

  it('never reports what releases change outside Terraform (the resource ignore_changes)', () => {
    expect(driftReport('shop-dev', plan({ resource_drift: [releaseDrift] }), IGNORES, true).entries).toEqual([]);
  });

  it('reports a change outside Terraform to an attribute releases do not own, and only that attribute', () => {
    const outside = resourceChange(SERVICE, {
      actions: ['update'],
      before: { task_definition: 'family:3', enable_execute_command: false },
      after: { task_definition: 'family:7', enable_execute_command: true },
    });
    expect(driftReport('shop-dev', plan({ resource_drift: [outside] }), IGNORES, true).entries).toEqual([
      { address: SERVICE, source: 'outside', kind: 'update', attributes: [{ path: 'enable_execute_command', before: 'false', after: 'true' }] },
    ]);
  });

  it('reports what Terraform would change back, replace or destroy', () => {
    const report = driftReport(
      'shop-dev',
      plan({
        resource_changes: [
          resourceChange(TARGET_GROUP, { actions: ['update'], before: { health_check: [{ path: '/x' }] }, after: { health_check: [{ path: '/' }] } }),
          resourceChange('aws_ecs_task_definition.web', { actions: ['delete', 'create'], before: { cpu: '4096' }, after: { cpu: '256' }, replace_paths: [['cpu']] }),
          resourceChange('aws_cloudwatch_metric_alarm.orphan', { actions: ['delete'] }, { action_reason: 'delete_because_no_resource_config' }),
          resourceChange('aws_vpc.main', { actions: ['no-op'] }),
        ],
      }),
      IGNORES,
      false,
    );
    expect(report.entries).toEqual([
      { address: TARGET_GROUP, source: 'planned', kind: 'update', attributes: [{ path: 'health_check[0].path', before: '"/x"', after: '"/"' }] },
      { address: 'aws_ecs_task_definition.web', source: 'planned', kind: 'replace', reason: 'cpu forces replacement', attributes: [{ path: 'cpu', before: '"4096"', after: '"256"' }] },
      { address: 'aws_cloudwatch_metric_alarm.orphan', source: 'planned', kind: 'delete', reason: 'no longer in the configuration', attributes: [] },
    ]);
  });

  it('reports output changes as changes Terraform would make', () => {
    const report = driftReport('shop-dev', plan({ output_changes: { web_service: { actions: ['update'], before: 'a', after: 'b' } } }), IGNORES, false);
    expect(report.entries).toEqual([{ address: 'output.web_service', source: 'planned', kind: 'update', attributes: [{ path: 'value', before: '"a"', after: '"b"' }] }]);
  });

  it('says loudly when refresh was skipped, whether or not there is drift', () => {
    expect(driftLines({ stack: 'shop-dev', refreshed: false, entries: [] })).toEqual([
      'shop-dev: no drift (REFRESH SKIPPED: compared the code with the state only; changes made outside Terraform are not visible)',
    ]);
    expect(driftLines({ stack: 'shop-dev', refreshed: true, entries: [] })).toEqual(['shop-dev: no drift (refreshed from AWS)']);
  });

  it('prints each drifting resource with its attributes, before → after', () => {
    const lines = driftLines({
      stack: 'shop-dev',
      refreshed: true,
      entries: [
        { address: SERVICE, source: 'outside', kind: 'update', attributes: [{ path: 'enable_execute_command', before: 'false', after: 'true' }] },
        { address: SERVICE, source: 'planned', kind: 'update', attributes: [{ path: 'enable_execute_command', before: 'true', after: 'false' }] },
      ],
    });
    expect(lines).toEqual([
      'shop-dev: DRIFT in 2 place(s) (refreshed from AWS)',
      '  changed outside Terraform (found by refresh):',
      `    ~ ${SERVICE}`,
      '        enable_execute_command: false → true',
      '  Terraform would change to match the code:',
      `    ~ ${SERVICE}`,
      '        enable_execute_command: true → false',
    ]);
  });
});
