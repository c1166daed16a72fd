/**
 * prune end to end: after three releases, only revisions nothing can start any more are
 * deregistered; the live one, the one a rollback goes to and Terraform's stay ACTIVE, and a
 * rollback still works afterwards.
 */
import { calls, expectExit, revisionOf, runCli, useEmulator, verdict } from './support';

const e2e = useEmulator(['dev']);

function statusOf(revision: string): string | undefined {
  return e2e.aws.state().taskDefinitions.find((definition) => revisionOf(definition.arn) === revision)?.status;
}

describe('prune', () => {
  it('keeps live, rollback and Terraform-owned revisions; --dry-run changes nothing; a rollback still works after it', async () => {
    const { aws } = e2e;
    for (const tag of ['v1.0.0', 'v1.1.0', 'v1.2.0']) expectExit(await runCli(aws, ['deploy', '--env', 'dev', '--tag', tag]), 0);
    expect(aws.state().taskDefinitions.map((definition) => [revisionOf(definition.arn), definition.status])).toEqual([
      ['shop-dev-web:1', 'ACTIVE'],
      ['shop-dev-web:2', 'ACTIVE'],
      ['shop-dev-web:3', 'ACTIVE'],
      ['shop-dev-web:4', 'ACTIVE'],
    ]);

    const byDefault = await runCli(aws, ['prune', '--env', 'dev']);
    expectExit(byDefault, 0);
    expect(verdict(byDefault)).toBe('dev/web: nothing to prune (4 ACTIVE revisions, all kept)');

    const dryRun = await runCli(aws, ['prune', '--env', 'dev', '--keep', '0', '--dry-run']);
    expectExit(dryRun, 0);
    expect(dryRun.stdoutLines).toContain('dev/web: keeping 3: :4 (live), :3 (rollback), :1 (terraform)');
    expect(dryRun.stdoutLines).toContain('dev/web: would deregister 1: :2');
    expect(verdict(dryRun)).toBe('dev/web: dry run: would deregister 1 revisions; nothing changed');
    expect(calls(aws, 'DeregisterTaskDefinition')).toEqual([]);

    const pruned = await runCli(aws, ['prune', '--env', 'dev', '--keep', '0']);
    expectExit(pruned, 0);
    expect(verdict(pruned)).toBe('dev/web: deregistered 1 revisions, kept 3');
    expect(calls(aws, 'DeregisterTaskDefinition').map((call) => revisionOf(String((call.input as { taskDefinition?: string }).taskDefinition)))).toEqual(['shop-dev-web:2']);
    expect(['shop-dev-web:1', 'shop-dev-web:2', 'shop-dev-web:3', 'shop-dev-web:4'].map(statusOf)).toEqual(['ACTIVE', 'INACTIVE', 'ACTIVE', 'ACTIVE']);

    const rollback = await runCli(aws, ['rollback', '--env', 'dev']);
    expectExit(rollback, 0);
    expect(rollback.stdoutLines).toContain('rolling back dev/web: shop-dev-web:4 → shop-dev-web:3 (last successful deployment ' + rollback.stdoutLines.join('\n').match(/last successful deployment (d-\w+)/)![1] + ')');
  });

  it('refuses bad --keep values in one line before any AWS call', async () => {
    const { aws } = e2e;
    const bad = await runCli(aws, ['prune', '--env', 'dev', '--keep', 'many']);
    expectExit(bad, 2);
    expect(bad.stderr.trim()).toBe('error: --keep must be a whole number from 0 to 1000, not "many"');
    expect(calls(aws)).toEqual([]);
  });
});
