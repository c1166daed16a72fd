/**
 * Finding the base revision end to end: the stack's TerraformRevision tag on the service makes
 * the lookup the same few reads after any number of releases; a stack applied before the tag
 * existed still releases, through the bounded scan, and is told how to fix it.
 */
import { ECSClient, UntagResourceCommand } from '@aws-sdk/client-ecs';
import { TERRAFORM_REVISION_TAG_KEY } from '../../config';
import { calls, expectExit, revisionOf, runCli, serviceOf, taskDefinitionOf, useEmulator, type CliResult } from './support';

const e2e = useEmulator(['dev'], { timeScale: 1 });
const SERVICE = 'shop-dev-web';

/** ECS reads of one run up to its CreateDeployment, by operation. */
function ecsReadsBeforeCreateDeployment(since: number): Record<string, number> {
  const run = e2e.aws.callLog().filter((call) => call.seq > since);
  const created = run.findIndex((call) => call.operation === 'CreateDeployment');
  const counts: Record<string, number> = {};
  for (const call of run.slice(0, created)) if (call.service === 'ecs' && !call.mutating) counts[call.operation] = (counts[call.operation] ?? 0) + 1;
  return counts;
}

async function release(tag: string): Promise<{ result: CliResult; reads: Record<string, number> }> {
  const since = e2e.aws.callLog().length;
  const result = await runCli(e2e.aws, ['deploy', '--env', 'dev', '--tag', tag]);
  expectExit(result, 0);
  return { result, reads: ecsReadsBeforeCreateDeployment(since) };
}

describe('the base revision of a release', () => {
  it('takes the same ECS reads on the second and the fourth release, never lists revisions, and releases leave the tag alone', async () => {
    const terraformRevision = serviceOf(e2e.aws.state(), SERVICE).tags[TERRAFORM_REVISION_TAG_KEY];
    expect(revisionOf(terraformRevision)).toBe('shop-dev-web:1');
    const reads = [];
    for (const tag of ['v1.1.0', 'v1.2.0', 'v1.0.0', 'v1.1.0']) {
      const { result, reads: run } = await release(tag);
      expect(result.stderr).not.toMatch(/TerraformRevision/);
      reads.push(run);
    }
    // The first release runs on Terraform's revision itself: one description serves both.
    expect(reads).toEqual([{ DescribeServices: 1, DescribeTaskDefinition: 1 }, ...Array(3).fill({ DescribeServices: 1, DescribeTaskDefinition: 2 })]);
    const state = e2e.aws.state();
    expect(revisionOf(serviceOf(state, SERVICE).taskDefinition)).toBe('shop-dev-web:5');
    expect(taskDefinitionOf(state, serviceOf(state, SERVICE).taskDefinition).tags.BaseRevision).toBe(terraformRevision);
    expect(serviceOf(state, SERVICE).tags[TERRAFORM_REVISION_TAG_KEY]).toBe(terraformRevision);
    expect(calls(e2e.aws, 'TagResource').concat(calls(e2e.aws, 'UntagResource')).filter((call) => call.service === 'ecs')).toEqual([]);
  });

  it('without the tag (a stack applied before it existed) scans for Terraform\'s revision, says so, and still releases on it', async () => {
    const { aws } = e2e;
    expectExit(await runCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.1.0']), 0);
    const ecs = new ECSClient({ endpoint: aws.url, region: aws.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      await e2e.asTerraform(() => ecs.send(new UntagResourceCommand({ resourceArn: serviceOf(aws.state(), SERVICE).arn, tagKeys: [TERRAFORM_REVISION_TAG_KEY] })));
    } finally {
      ecs.destroy();
    }
    const { result, reads } = await release('v1.2.0');
    expect(result.stderr).toMatch(/warning: service shop-dev-web has no TerraformRevision tag \(stack applied before it existed\): scanning up to 100 revisions/);
    expect(reads).toMatchObject({ ListTaskDefinitions: 1 });
    const state = aws.state();
    expect(taskDefinitionOf(state, serviceOf(state, SERVICE).taskDefinition).tags.BaseRevision).toMatch(/:task-definition\/shop-dev-web:1$/);
  });
});
