/**
 * Bad input through the real process: exit 2, exactly one line on stderr, and AWS untouched.
 * Checks that need no AWS call make none at all; those that read AWS change nothing.
 */
import { expectExit, runCli, useEmulator, type CliResult } from './support';

const e2e = useEmulator(['dev']);

const ECR = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com';

function expectOneLineRefusal(result: CliResult, message: RegExp): void {
  expectExit(result, 2);
  expect(result.stdout).toBe('');
  expect(result.stderrLines).toHaveLength(1);
  expect(result.stderrLines[0]).toMatch(/^error: /);
  expect(result.stderrLines[0]).toMatch(message);
}

describe('bad input (exit 2)', () => {
  it('is refused before any AWS call', async () => {
    const { aws } = e2e;
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [['deploy', '--env', 'dev', '--tag', 'latest'], /--tag "latest" is a mutable tag: release a build-specific tag/],
      [['deploy', '--env', 'staging', '--tag', 'v1.1.0'], /unknown environment "staging"; use one of: dev, prod, preview/],
      [['deploy', '--env', 'dev', '--image', `${ECR}/shop-dev/Web:v1.1.0`], /--image ".*" is malformed: the repository must be lower-case/],
      [['deploy', '--env', 'dev', '--image', `${ECR}/shop-dev/web@sha256:1234`], /--image ".*" is malformed: "sha256:1234" is not a sha256 digest/],
      [['deploy', '--env', 'dev', '--image', `${ECR}/shop-dev/web`], /has neither tag nor digest/],
      [['deploy', '--env', 'dev', '--tag', 'v1.1.0', '--verify', '/health'], /--verify needs a blue-green service with release\.approvalWaitMinutes/],
      [['deploy', '--env', 'dev', '--tag', 'v1.1.0'], /AWS region us-east-1 .* differs from environment dev's region ap-northeast-1/, { AWS_REGION: 'us-east-1' }],
    ];
    const results = await Promise.all(cases.map(([args, , env]) => runCli(aws, args, { env })));
    results.forEach((result, index) => expectOneLineRefusal(result, cases[index][1]));
    expect(aws.callLog()).toEqual([]);
  });

  it('a tag missing from ECR is found out by reading, and nothing is changed', async () => {
    const { aws } = e2e;
    const result = await runCli(aws, ['deploy', '--env', 'dev', '--tag', 'v9.9.9']);
    expectOneLineRefusal(result, /^error: image shop-dev\/web:v9\.9\.9 not found in ECR: push it first, or check the tag$/);
    expect(aws.callLog().map((call) => call.operation)).toContain('DescribeImages');
    expect(aws.callLog().filter((call) => call.mutating)).toEqual([]);
    expect(aws.state().deployments).toEqual([]);
    expect(aws.state().taskDefinitions).toHaveLength(1);
  });
});
