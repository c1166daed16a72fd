/**
 * Every configuration check lives in config/ (parseEnvironment), so the release tool and the
 * stack reach the same verdict on the same configuration: `npm run deploy` refuses it with one
 * line and exit 2 before any AWS call, and synthesis refuses it with the same problem. Checks that
 * once ran only inside a construct (reserved tag keys, the VPC block and zones, test listener
 * CIDRs on a rolling service, the OIDC provider's partition) would let a release go ahead on a
 * configuration the stack rejects.
 *
 * Each case adds its environment `bad` to the configured ones (the example the tests pin,
 * __tests__/support/example-config.ts) and runs the release tool's dispatcher and the stack on it.
 */
import { ConfigError, loadEnvironment, type EnvironmentConfigInput } from '../../config';
import { ENVIRONMENTS } from '../../config/environments';
import { main } from '../../scripts/main';
import { synthEnvironment } from './support';

/** A valid environment; each case breaks one thing. */
const BASE: EnvironmentConfigInput = {
  app: 'verdict',
  environment: 'bad',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  services: [{ name: 'web' }],
};

const NINE_ZONES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((letter) => `eu-west-1${letter}`);

const CASES: Array<{ what: string; input: EnvironmentConfigInput; others?: Record<string, EnvironmentConfigInput>; problem: string }> = [
  {
    what: 'the ReleasedBy tag in the configured tags',
    input: { ...BASE, tags: { ReleasedBy: 'me' } },
    problem: 'bad.tags.ReleasedBy: this tag marks revisions the release tool registers; remove it from the tags',
  },
  {
    what: 'the TerraformRevision tag in the configured tags',
    input: { ...BASE, tags: { TerraformRevision: '3' } },
    problem: 'bad.tags.TerraformRevision: the stack sets this tag on each ECS service to its newest task definition revision; remove it from the tags',
  },
  {
    what: 'a VPC block too small to split into subnets',
    input: { ...BASE, network: { mode: 'create', cidr: '10.10.0.0/26', natGateways: 'none' } },
    problem: 'bad.network.cidr: 10.10.0.0/26 is too small to split into subnets; use a /24 or larger block such as 10.0.0.0/16',
  },
  {
    what: 'more zones than subnet slots',
    input: { ...BASE, availabilityZones: NINE_ZONES },
    problem: 'bad.availabilityZones: 9 zones exceed the 8 subnet slots per tier; list at most 8',
  },
  {
    what: 'test listener CIDRs on a rolling service',
    input: { ...BASE, services: [{ name: 'web', release: { strategy: 'rolling' }, testListener: { allowedCidrs: ['203.0.113.0/24'] } }] },
    problem: 'bad.services[0] (web).testListener.allowedCidrs: a rolling service has no test listener; remove the CIDRs or switch release.strategy to "blue-green"',
  },
  {
    what: "a GitHub OIDC provider of another partition than the region's",
    input: {
      ...BASE,
      region: 'cn-north-1',
      availabilityZones: ['cn-north-1a', 'cn-north-1b'],
      github: { repository: 'example-org/verdict', deployEnvironment: 'bad', oidcProvider: { mode: 'existing', arn: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' } },
    },
    problem: 'bad.github.oidcProvider.arn: partition "aws" does not match region cn-north-1 ("aws-cn"); use the provider of this environment\'s account',
  },
  {
    what: 'an AWS account shared with another environment without acknowledging it',
    input: { ...BASE, accountId: '111122223333' },
    others: { other: { ...BASE, environment: 'other', accountId: '111122223333', sharedAccountWith: ['bad'] } },
    problem:
      'bad.sharedAccountWith: shares AWS account 111122223333 with "other", whose deploy role can approve or stop bad\'s deployments (CodeDeploy ContinueDeployment/StopDeployment take no resource); list "other" to accept that, or give bad an account of its own',
  },
];

interface Verdicts {
  /** `npm run deploy -- --env bad --tag v1`: exit code and stderr. */
  readonly deploy: { readonly code: number; readonly stderr: string };
  /** The problems synthesis of the environment's stack reports (none: it synthesized). */
  readonly synthesis: readonly string[];
}

const NO_AWS = 'no AWS client may be built for a configuration the stack refuses';

/** The verdicts on the configuration with environment `bad` = `input`, and `others`, added for the call. */
async function verdictsOn(input: EnvironmentConfigInput, others: Record<string, EnvironmentConfigInput> = {}): Promise<Verdicts> {
  const added = { bad: input, ...others };
  Object.assign(ENVIRONMENTS, added);
  try {
    const stderr: string[] = [];
    const code = await main(['--env', 'bad', '--tag', 'v1'], {
      streams: { stdout: () => undefined, stderr: (text) => void stderr.push(text) },
      env: {},
      interrupts: { signal: new AbortController().signal },
      clients: async () => {
        throw new Error(NO_AWS);
      },
    });

    let synthesis: readonly string[] = [];
    try {
      synthEnvironment(loadEnvironment('bad', { offline: true }));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      synthesis = error.problems;
    }
    return { deploy: { code, stderr: stderr.join('') }, synthesis };
  } finally {
    for (const name of Object.keys(added)) delete ENVIRONMENTS[name];
  }
}

describe('npm run deploy and synthesis reach the same verdict on the same configuration', () => {
  it('accept the valid base environment alike: synthesis passes and the release tool goes on to AWS', async () => {
    const { deploy, synthesis } = await verdictsOn(BASE);
    expect(synthesis).toEqual([]);
    expect(deploy.stderr).toContain(NO_AWS);
  });

  it.each(CASES)('refuse $what with the same one line, the release tool with exit 2 before AWS', async ({ input, others, problem }) => {
    const { deploy, synthesis } = await verdictsOn(input, others);
    expect(synthesis).toEqual([problem]);
    expect(deploy).toEqual({ code: 2, stderr: `error: ${problem}\n` });
  });
});
