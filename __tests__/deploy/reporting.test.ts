import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { annotation, jobSummary } from '../../scripts/steps/github';
import { notificationText } from '../../scripts/steps/notify';
import { CreateDeploymentCommand, StopDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { loadEnvironment, parseEnvironment } from '../../config';
import { ENVIRONMENTS } from '../../config/environments';
import { runDeploy } from '../../scripts/commands/deploy';
import { targetFor } from '../../scripts/steps/target';
import { HAPPY_STEPS, fakeWorld, fakeWorldWithApi, runCli } from './support/fake-aws';
import { inScratchDir } from '../support/scratch';

const released = { environment: 'dev', service: 'web', exitCode: 0 as const, verdict: 'dev/web: released shop-dev-web:9 (deployment d-NEW)', deploymentId: 'd-NEW', taskDefinition: 'arn:aws:ecs:ap-northeast-1:1:task-definition/shop-dev-web:9', image: 'repo@sha256:abc' };

describe('chat notification', () => {
  it('posts a Slack-compatible {text} naming the app, environment, outcome and verdicts', async () => {
    const world = fakeWorld('dev');
    world.script('d-NEW', HAPPY_STEPS);
    const run = await runCli(world, ['--env', 'dev', '--tag', 'v1.4.2'], { CHAT_WEBHOOK_URL: 'https://hooks.example.test/T1' });
    expect(run.code).toBe(0);
    expect(world.fetchCalls).toHaveLength(1);
    const [{ url, init }] = world.fetchCalls;
    expect(url).toBe('https://hooks.example.test/T1');
    expect(init).toMatchObject({ method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(String(init!.body))).toEqual({ text: '✅ shop dev: deploy succeeded\n• dev/web: released shop-dev-web:9 (deployment d-NEW)' });
  });

  it('only warns when the webhook fails, keeping the exit code', async () => {
    const world = fakeWorld('dev');
    world.script('d-NEW', HAPPY_STEPS);
    world.fetchResponses = [new Error('getaddrinfo ENOTFOUND hooks.example.test')];
    const run = await runCli(world, ['--env', 'dev', '--tag', 'v1.4.2'], { CHAT_WEBHOOK_URL: 'https://hooks.example.test/T1' });
    expect(run.code).toBe(0);
    expect(run.stderr).toEqual(['warning: chat notification failed: getaddrinfo ENOTFOUND hooks.example.test']);
  });

  it('never prints the webhook URL: a warning naming it shows <CHAT_WEBHOOK_URL>, credentials and path included', async () => {
    const world = fakeWorld('dev');
    world.script('d-NEW', HAPPY_STEPS);
    const webhook = 'https://bot:s3cr3t@hooks.example.test/services/T1/B2/t0k3n';
    world.fetchResponses = [new TypeError(`Request cannot be constructed from a URL that includes credentials: ${webhook}`)];
    const run = await runCli(world, ['--env', 'dev', '--tag', 'v1.4.2'], { CHAT_WEBHOOK_URL: webhook });
    expect(run.code).toBe(0);
    expect(run.stderr).toEqual(['warning: chat notification failed: Request cannot be constructed from a URL that includes credentials: <CHAT_WEBHOOK_URL>']);
    expect([...run.stdout, ...run.stderr].join('\n')).not.toMatch(/s3cr3t|t0k3n/);
  });

  it('sends nothing when the variable is unset, and says failure plainly in the text', async () => {
    const world = fakeWorld('dev');
    world.script('d-NEW', HAPPY_STEPS);
    await runCli(world, ['--env', 'dev', '--tag', 'v1.4.2']);
    expect(world.fetchCalls).toHaveLength(0);
    expect(notificationText('deploy', loadEnvironment('dev'), [{ ...released, exitCode: 1, verdict: 'dev/web: deployment d-NEW failed' }])).toBe('❌ shop dev: deploy did not succeed\n• dev/web: deployment d-NEW failed');
  });
});

describe('GitHub Actions reporting', () => {
  it('appends a markdown job summary to $GITHUB_STEP_SUMMARY and prints a notice annotation', async () => {
    const world = fakeWorld('dev');
    world.script('d-NEW', HAPPY_STEPS);
    const { run, markdown } = await inScratchDir('summary', async (dir) => {
      const summary = join(dir, 'summary.md');
      const run = await runCli(world, ['--env', 'dev', '--tag', 'v1.4.2'], { GITHUB_STEP_SUMMARY: summary, GITHUB_ACTIONS: 'true' });
      return { run, markdown: readFileSync(summary, 'utf8') };
    });
    expect(run.code).toBe(0);
    expect(markdown).toContain('### deploy');
    expect(markdown).toMatch(/\| dev\/web \| ✅ succeeded \| d-NEW \| shop-dev-web:9 \| .*shop-dev\/web@sha256:a{64} \|/);
    expect(run.stdout).toContain('::notice title=deploy dev/web::dev/web: released shop-dev-web:9 (deployment d-NEW)');
  });

  it('turns failures into error annotations with newlines escaped, and escapes table cells', () => {
    expect(annotation('deploy', { ...released, exitCode: 1, verdict: 'line one\nline two 100%' })).toBe('::error title=deploy dev/web::line one%0Aline two 100%25');
    expect(jobSummary('deploy', [{ ...released, image: 'a|b' }])).toContain('a\\|b');
  });
});

describe('several services at once', () => {
  const twoServices = () => {
    const env = parseEnvironment('dev', { ...ENVIRONMENTS.dev, services: [ENVIRONMENTS.dev.services[0], { name: 'api', desiredCount: 1 }] });
    return env.services.map((service) => targetFor(env, service));
  };
  const options = (targets: ReturnType<typeof twoServices>) => ({
    targets,
    request: { tag: 'v1.4.2' },
    dryRun: false,
    force: false,
    ifActive: 'fail' as const,
    detach: false,
    failFast: false,
    concurrency: 2,
  });

  it('changes nothing when one service fails its checks, and reports each with its own prefix', async () => {
    const world = fakeWorld('dev');
    world.script('d-NEW', HAPPY_STEPS);
    const result = await runDeploy(world.context, options(twoServices()));
    expect(result.exitCode).toBe(2);
    expect(world.mutatingCalls()).toBe(0);
    expect(world.out.stderr).toEqual(['error: dev/api: service shop-dev-api not found in cluster shop-dev: run `npm run plan`/`cdktf deploy` first']);
    expect(result.document).toMatchObject({ nothingChanged: true });
  });

  it('releases every service, each progress line prefixed with its name, with a combined result', async () => {
    const world = fakeWorldWithApi();
    world.script('d-NEW', HAPPY_STEPS);
    const result = await runDeploy(world.context, options(twoServices()));
    expect(world.out.stderr).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(world.out.stdout.some((line) => line.startsWith('[web] deployment d-NEW created'))).toBe(true);
    expect(world.out.stdout.some((line) => line.startsWith('[api] deployment d-NEW created'))).toBe(true);
    expect((result.document.services as unknown[]).length).toBe(2);
  });

  it('with --fail-fast stops the other running service with rollback when one fails', async () => {
    const world = fakeWorldWithApi();
    world.codeDeploy.on(CreateDeploymentCommand).callsFake((input: { deploymentGroupName: string }) => ({ deploymentId: `d-${input.deploymentGroupName}` }));
    world.script('d-shop-dev-api', [{ status: 'InProgress' }, { status: 'Failed', info: { autoRollbackConfiguration: { enabled: false } } }]);
    world.script('d-shop-dev-web', [{ status: 'InProgress' }]);
    world.codeDeploy.on(StopDeploymentCommand).callsFake((input: { deploymentId: string }) => {
      world.script(input.deploymentId, [{ status: 'Stopped', info: { errorInformation: { code: 'MANUAL_STOP' } } }]);
      return { status: 'Pending' };
    });
    const result = await runDeploy(world.context, { ...options(twoServices()), failFast: true });
    expect(world.codeDeploy.commandCalls(StopDeploymentCommand).map((call) => call.args[0].input)).toEqual([{ deploymentId: 'd-shop-dev-web', autoRollbackEnabled: true }]);
    expect(result.document.services).toMatchObject([{ service: 'web', exitCode: 3 }, { service: 'api', exitCode: 1 }]);
    expect(result.exitCode).toBe(1);
  });

  it('without --fail-fast lets the other service finish', async () => {
    const world = fakeWorldWithApi();
    world.codeDeploy.on(CreateDeploymentCommand).callsFake((input: { deploymentGroupName: string }) => ({ deploymentId: `d-${input.deploymentGroupName}` }));
    world.script('d-shop-dev-api', [{ status: 'InProgress' }, { status: 'Failed', info: { autoRollbackConfiguration: { enabled: false } } }]);
    world.script('d-shop-dev-web', [{ status: 'InProgress' }, { status: 'InProgress' }, { status: 'InProgress' }, { status: 'Succeeded' }]);
    const result = await runDeploy(world.context, options(twoServices()));
    expect(world.codeDeploy.commandCalls(StopDeploymentCommand)).toHaveLength(0);
    expect(result.document.services).toMatchObject([{ service: 'web', exitCode: 0 }, { service: 'api', exitCode: 1 }]);
    expect(result.exitCode).toBe(1);
  });
});
