/**
 * Bad input: one clear line on stderr, exit code 2, and not a single mutating AWS call. Cases that
 * can be judged from flags and configuration alone must not call AWS at all.
 */
import { GetDeploymentConfigCommand, GetDeploymentGroupCommand } from '@aws-sdk/client-codedeploy';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeListenersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsError, DIGEST, fakeWorld, runCli, type World } from './support/fake-aws';

type Case = readonly [title: string, argv: readonly string[], expected: RegExp, setup?: (world: World) => void];

const OFFLINE: readonly Case[] = [
  ['an unknown command', ['deploi', '--env', 'prod'], /^error: unknown command "deploi"; use one of: deploy, status/],
  ['an unknown flag', ['--env', 'prod', '--tag', 'v1', '--bogus'], /^error: deploy: unknown flag --bogus; see npm run deploy -- deploy --help$/],
  ['a flag without its value', ['--tag', 'v1', '--env'], /^error: deploy: flag --env needs a value/],
  ['a flag followed by another flag instead of a value', ['--env', '--tag', 'v1'], /^error: deploy: flag --env needs a value/],
  ['a stray word', ['deploy', 'prod', '--env', 'prod', '--tag', 'v1'], /^error: deploy: unexpected argument prod/],
  ['no --env', ['--tag', 'v1'], /^error: --env is required; use one of: dev, prod, preview$/],
  ['an unknown environment', ['--env', 'staging', '--tag', 'v1'], /^error: unknown environment "staging"; use one of: dev, prod, preview$/],
  ['an unknown service', ['--env', 'prod', '--service', 'api', '--tag', 'v1'], /^error: unknown service "api" in environment prod; use one of: web$/],
  ['an empty service name', ['--env', 'prod', '--service', 'web,', '--tag', 'v1'], /^error: --service "web," has an empty name/],
  ['--all with --service', ['--env', 'prod', '--all', '--service', 'web', '--tag', 'v1'], /^error: --all and --service conflict/],
  ['--image with --tag', ['--env', 'prod', '--image', `repo@${DIGEST}`, '--tag', 'v1'], /^error: --image and --tag conflict; pass one of them$/],
  ['--all with --image', ['--env', 'prod', '--all', '--image', `repo@${DIGEST}`], /^error: --all and --image conflict/],
  ['neither --image nor --tag', ['--env', 'prod'], /^error: pass --image URI or --tag TAG$/],
  ['the latest tag', ['--env', 'prod', '--tag', 'latest'], /^error: --tag "latest" is a mutable tag/],
  ['a branch alias in an image tag', ['--env', 'prod', '--image', '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-prod/web:main'], /^error: --image tag "main" is a mutable tag/],
  ['a malformed image', ['--env', 'prod', '--image', 'Shop/Web:v1'], /^error: --image "Shop\/Web:v1" is malformed/],
  ['an image with neither tag nor digest', ['--env', 'prod', '--image', 'ghcr.io/acme/web'], /^error: --image "ghcr.io\/acme\/web" has neither tag nor digest/],
  ['a tag that is not a tag', ['--env', 'prod', '--tag', 'v1/2'], /^error: --tag "v1\/2" is not a valid image tag$/],
  ['a timeout that is not a duration', ['--env', 'prod', '--tag', 'v1', '--timeout', 'soon'], /^error: --timeout "soon" is not a duration; use e.g. 90s, 30m or 1h30m$/],
  ['a zero timeout', ['--env', 'prod', '--tag', 'v1', '--timeout', '0s'], /^error: --timeout must be longer than zero$/],
  ['an unknown --if-active choice', ['--env', 'prod', '--tag', 'v1', '--if-active', 'maybe'], /^error: --if-active must be one of fail, wait, stop, not "maybe"$/],
  ['a concurrency of zero', ['--env', 'prod', '--tag', 'v1', '--concurrency', '0'], /^error: --concurrency must be a whole number from 1 to 10, not "0"$/],
  ['a deployment config that is not this service\'s', ['--env', 'prod', '--tag', 'v1', '--deployment-config', 'CodeDeployDefault.AllAtOnce'], /^error: --deployment-config "CodeDeployDefault.AllAtOnce" is not an ECS deployment config of this service; use one of: .*shop-prod-web-traffic-shift$/],
  ['a deployment config on a rolling service', ['--env', 'preview', '--service', 'web', '--tag', 'v1', '--deployment-config', 'CodeDeployDefault.ECSAllAtOnce'], /^error: --deployment-config needs release.strategy "blue-green"/],
  ['--verify on a service without an approval wait', ['--env', 'dev', '--tag', 'v1', '--verify', '/health'], /^error: --verify needs a blue-green service with release.approvalWaitMinutes set/],
  ['--verify with a path not starting with a slash', ['--env', 'prod', '--tag', 'v1', '--verify', 'health'], /^error: --verify "health" must be a path starting with "\/"$/],
  ['--verify-tries without --verify', ['--env', 'prod', '--tag', 'v1', '--verify-tries', '3'], /^error: --verify-tries needs --verify PATH$/],
  ['a --verify-base-url that is not a URL', ['--env', 'prod', '--tag', 'v1', '--verify', '/h', '--verify-base-url', 'localhost'], /^error: --verify-base-url "localhost" is not an http\(s\) URL$/],
  ['a description over 100 characters', ['--env', 'prod', '--tag', 'v1', '--description', 'x'.repeat(101)], /^error: --description is over 100 characters/],
  ['rollback --to another family', ['rollback', '--env', 'prod', '--to', 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/other:3'], /^error: --to .* is in family other, not shop-prod-web$/],
  ['rollback --to garbage', ['rollback', '--env', 'prod', '--to', 'yesterday'], /^error: --to "yesterday" is neither a revision number nor a task definition ARN$/],
  ['render without an image', ['render', '--env', 'prod'], /^error: pass --image URI or --tag TAG$/],
  ['an unknown flag on approve', ['approve', '--env', 'prod', '--force'], /^error: approve: unknown flag --force/],
];

const AFTER_READS: readonly Case[] = [
  ['a service missing from the cluster', ['--env', 'prod', '--tag', 'v1.4.2'], /^error: service shop-prod-web not found in cluster shop-prod: run `npm run plan`\/`cdktf deploy` first$/, (world) => world.ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] })],
  ['a missing cluster', ['--env', 'prod', '--tag', 'v1.4.2'], /^error: cluster shop-prod not found in ap-northeast-1/, (world) => world.ecs.on(DescribeServicesCommand).rejects(awsError('ClusterNotFoundException'))],
  ['a service on the wrong deployment controller', ['--env', 'prod', '--tag', 'v1.4.2'], /^error: service shop-prod-web uses the ECS deployment controller but config says release.strategy "blue-green" \(needs CODE_DEPLOY\)/, (world) => world.ecs.on(DescribeServicesCommand).resolves({ services: [{ ...world.service, deploymentController: { type: 'ECS' } }] })],
  ['a missing deployment group', ['--env', 'prod', '--tag', 'v1.4.2'], /^error: deployment group shop-prod-web not found in application shop-prod-web/, (world) => world.codeDeploy.on(GetDeploymentGroupCommand).rejects(awsError('DeploymentGroupDoesNotExistException'))],
  ['a production listener on another port than configured', ['--env', 'prod', '--tag', 'v1.4.2'], /^error: deployment group shop-prod-web's production listener is on port 81, config expects 443/, (world) => world.elbv2.on(DescribeListenersCommand).resolves({ Listeners: [{ ListenerArn: 'listener/prod', Port: 81 }, { ListenerArn: 'listener/test', Port: 8443 }] })],
  ['a deployment config CodeDeploy does not have', ['--env', 'prod', '--tag', 'v1.4.2', '--deployment-config', 'shop-prod-web-traffic-shift'], /^error: --deployment-config shop-prod-web-traffic-shift does not exist in CodeDeploy/, (world) => world.codeDeploy.on(GetDeploymentConfigCommand).rejects(awsError('DeploymentConfigDoesNotExistException'))],
  ['a tag ECR does not have', ['--env', 'prod', '--tag', 'v9.9.9'], /^error: image shop-prod\/web:v9\.9\.9 not found in ECR: push it first/],
  ['a foreign image without a digest', ['--env', 'prod', '--image', 'ghcr.io/acme/web:v2'], /^error: --image "ghcr.io\/acme\/web:v2" is outside this region's ECR/],
  ['missing credentials', ['--env', 'prod', '--tag', 'v1.4.2'], /^error: no AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY$/, (world) => world.ecs.on(DescribeServicesCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }))],
  ['an active deployment with --if-active fail', ['--env', 'prod', '--tag', 'v1.4.2', '--if-active', 'fail'], /already has an active deployment d-OLD/, (world) => world.codeDeploy.on((require('@aws-sdk/client-codedeploy') as typeof import('@aws-sdk/client-codedeploy')).ListDeploymentsCommand).resolves({ deployments: ['d-OLD'] })],
  ['approve on a rolling service', ['approve', '--env', 'preview', '--service', 'web'], /^error: preview\/web releases by rolling update: there is no approval or termination wait$/],
  ['approve with nothing running', ['approve', '--env', 'prod'], /^error: no active deployment in shop-prod-web: nothing to approve$/],
  ['stop with nothing running', ['stop', '--env', 'prod'], /^error: no active deployment in shop-prod-web: nothing to stop$/],
  ['rollback --to a revision that does not exist', ['rollback', '--env', 'prod', '--to', '99'], /^error: task definition shop-prod-web:99 not found: check --to$/],
];

describe('bad input', () => {
  const rows = (cases: readonly Case[]) => cases.map(([title, argv, expected, setup]) => ({ title, argv, expected, setup }));

  it.each(rows(OFFLINE))('$title: exit 2, one line, no AWS call at all', async ({ argv, expected }) => {
    const world = fakeWorld('prod');
    const run = await runCli(world, argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toHaveLength(1);
    expect(run.stderr[0]).toMatch(expected);
    expect(world.allCalls()).toBe(0);
    expect(world.mutatingCalls()).toBe(0);
  });

  it.each(rows(AFTER_READS))('$title: exit 2, one line, no mutating call', async ({ argv, expected, setup }) => {
    const world = fakeWorld(argv.includes('preview') ? 'preview' : 'prod');
    setup?.(world);
    const run = await runCli(world, argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toHaveLength(1);
    expect(run.stderr[0]).toMatch(expected);
    expect(world.mutatingCalls()).toBe(0);
  });

  it('counts at least 25 cases', () => {
    expect(OFFLINE.length + AFTER_READS.length).toBeGreaterThanOrEqual(25);
  });

  it('prints the error in the JSON document too with --json, and nothing else on stdout', async () => {
    const world = fakeWorld('prod');
    const run = await runCli(world, ['--env', 'prod', '--tag', 'latest', '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout.join('\n'))).toEqual({ command: 'deploy', exitCode: 2, error: expect.stringMatching(/mutable tag/) });
  });

  it('prints each command\'s help with exit 0 and no AWS call', async () => {
    const world = fakeWorld('prod');
    for (const command of ['deploy', 'status', 'wait', 'approve', 'finish', 'rollback', 'stop', 'render']) {
      const run = await runCli(world, [command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout.join('\n')).toMatch(/Usage: npm run deploy --/);
      expect(run.stdout.join('\n')).toContain('6  interrupted with --detach');
    }
    expect(world.allCalls()).toBe(0);
  });
});
