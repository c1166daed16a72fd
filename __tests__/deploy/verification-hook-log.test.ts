/**
 * The failing response of the verification hook, as the release shows it: when the hook fails a
 * deployment, the tool reads that deployment's checks from the function's log (FilterLogEvents on
 * the deployment id, every page) and prints the newest ones with the rollback's verdict; a log it
 * cannot read does not hide that verdict. Against aws-sdk-client-mock.
 */
import { FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { awsError, blueGreen, fakeWorld, runCli, START, taskDefinitionArn, type Step, type World } from './support/fake-aws';
import { deploymentHook, hookCheckLine, hookLogLine, SHOWN_CHECKS } from '../../scripts/steps/verification-hook';
import type { DeploymentSnapshot } from '../../scripts/steps/deployment-state';

const HOOK = 'shop-prod-verify-test-listener';
const LOG_GROUP = `/aws/lambda/${HOOK}`;
const REQUEST = '8f5e2a8c-3b1d-4c55-9d2a-0c6f1e7a9b10';
const appSpecOf = (arn: string) => ({ revision: { revisionType: 'AppSpecContent' as const, appSpecContent: { content: JSON.stringify({ Resources: [{ TargetService: { Properties: { TaskDefinition: arn } } }] }) } } });

/** Fails at AfterAllowTestTraffic by the hook, before production traffic moved; CodeDeploy rolls back. */
const HOOK_FAILS: Step[] = [
  { status: 'InProgress', events: [['Install', 'Succeeded', 0, 1], ['AfterAllowTestTraffic', 'InProgress', 1]], taskSets: blueGreen(100, 0) },
  { status: 'InProgress', events: [['Install', 'Succeeded', 0, 1], ['AfterAllowTestTraffic', 'Failed', 1, 2]], taskSets: blueGreen(100, 0) },
  {
    status: 'Failed',
    events: [['Install', 'Succeeded', 0, 1], ['AfterAllowTestTraffic', 'Failed', 1, 2]],
    taskSets: blueGreen(100, 0),
    info: { errorInformation: { code: 'HOOK_EXECUTION_FAILURE', message: 'The deployment failed because one or more of the lifecycle event hooks failed.' }, rollbackInfo: { rollbackDeploymentId: 'd-NEW-RB' } },
  },
];

const PASSES: Step[] = [
  { status: 'InProgress', events: [['AfterAllowTestTraffic', 'Succeeded', 1, 2]], taskSets: blueGreen(100, 0) },
  { status: 'Ready', events: [['AfterAllowTestTraffic', 'Succeeded', 1, 2]], taskSets: blueGreen(100, 0) },
  { status: 'InProgress', taskSets: blueGreen(0, 100) },
  { status: 'Succeeded', taskSets: blueGreen(0, 100), info: appSpecOf(taskDefinitionArn('shop-prod-web', 9)) },
];

/** A log event as the Lambda runtime writes a console.log in its text format. */
function printed(line: object, at = START + 60_000): FilteredLogEvent {
  return { logStreamName: '2026/01/01/[$LATEST]0f', timestamp: at, message: `${new Date(at).toISOString()}\t${REQUEST}\tINFO\t${JSON.stringify(line)}\n` };
}
const check = (n: number, status = 500) => ({ deploymentId: 'd-NEW', check: `${n}/10`, path: '/health', result: 'failed', status, ms: 4 + n, body: `{"error":"boom ${n}"}` });

/** The fake's CreateDeployment answers d-NEW: script it and its rollback. */
function failingRelease(world: World): void {
  world.script('d-NEW', HOOK_FAILS, { createTime: new Date(START) });
  world.script('d-NEW-RB', [{ status: 'InProgress' }, { status: 'Succeeded', info: appSpecOf(taskDefinitionArn('shop-prod-web', 7)) }]);
}

describe('a release the verification hook fails', () => {
  it('reads the deployment\'s checks from the hook\'s log over every page and prints the last five with the rollback verdict (exit 1)', async () => {
    const world = fakeWorld('prod');
    failingRelease(world);
    world.logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [{ message: `START RequestId: ${REQUEST} Version: $LATEST\n` }, ...[1, 2, 3].map((n) => printed(check(n)))], nextToken: 'page-2' })
      // An empty page with a token: more may follow (CloudWatch Logs API reference).
      .resolvesOnce({ events: [], nextToken: 'page-3' })
      .resolvesOnce({
        events: [...[4, 5, 6, 7].map((n) => printed(check(n))), printed({ deploymentId: 'd-NEW', reported: 'Failed', reason: 'GET /health failed 10 checks; the last: HTTP 500' })],
      });
    const run = await runCli(world, ['deploy', '--env', 'prod', '--tag', 'v1.4.2']);

    expect(run.code).toBe(1);
    const requests = world.logs.commandCalls(FilterLogEventsCommand).map((call) => call.args[0].input);
    expect(requests).toEqual([
      { logGroupName: LOG_GROUP, filterPattern: '"d-NEW"', startTime: START - 60_000, nextToken: undefined },
      { logGroupName: LOG_GROUP, filterPattern: '"d-NEW"', startTime: START - 60_000, nextToken: 'page-2' },
      { logGroupName: LOG_GROUP, filterPattern: '"d-NEW"', startTime: START - 60_000, nextToken: 'page-3' },
    ]);
    const shown = run.stdout.slice(run.stdout.findIndex((line) => line.startsWith('verify: the last')));
    expect(shown.slice(0, SHOWN_CHECKS + 1)).toEqual([
      `verify: the last 5 of 7 checks by ${HOOK} (log group ${LOG_GROUP}):`,
      ...[3, 4, 5, 6, 7].map((n) => `  check ${n}/10: GET /health → HTTP 500 in ${4 + n} ms: {"error":"boom ${n}"}`),
    ]);
    expect(run.stderr.at(-1)).toBe(
      `error: prod/web: verification failed (${HOOK} reported the test listener failing for GET /health (The deployment failed because one or more of the lifecycle event hooks failed.)); ` +
        'last check 7/10: GET /health → HTTP 500 in 11 ms: {"error":"boom 7"}; rolled back by d-NEW-RB: old version shop-prod-web:7 serving; ' +
        `every check: aws logs filter-log-events --log-group-name ${LOG_GROUP} --filter-pattern '"d-NEW"'`,
    );
  });

  it('still gives the rollback verdict (exit 1) when AWS denies the log read, with a line saying so and the command that reads it', async () => {
    const world = fakeWorld('prod');
    failingRelease(world);
    world.logs.on(FilterLogEventsCommand).rejects(awsError('AccessDeniedException', `User: arn:aws:sts::123456789012:assumed-role/shop-prod-github-deploy/run is not authorized to perform: logs:FilterLogEvents`));
    const run = await runCli(world, ['deploy', '--env', 'prod', '--tag', 'v1.4.2']);

    expect(run.code).toBe(1);
    expect(run.stdout).toContainEqual(expect.stringMatching(new RegExp(`^verify: the log of ${HOOK} could not be read: AWS denied logs:FilterLogEvents to role shop-prod-github-deploy`)));
    expect(run.stderr.at(-1)).toMatch(
      new RegExp(`^error: prod/web: verification failed \\(.+\\); its log ${LOG_GROUP} could not be read; rolled back by d-NEW-RB: old version shop-prod-web:7 serving; read it: aws logs filter-log-events --log-group-name ${LOG_GROUP} --filter-pattern '"d-NEW"'$`),
    );
  });

  it('says the function checked nothing, and why, when it failed before any check', async () => {
    const world = fakeWorld('prod');
    failingRelease(world);
    world.logs.on(FilterLogEventsCommand).resolves({ events: [printed({ deploymentId: 'd-NEW', reported: 'Failed', reason: 'no private address found for load balancer app/shop-prod-web/1' })] });
    const run = await runCli(world, ['deploy', '--env', 'prod', '--tag', 'v1.4.2', '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr.at(-1)).toContain('; it checked nothing: no private address found for load balancer app/shop-prod-web/1; rolled back by d-NEW-RB');
    expect(JSON.parse(run.stdout.join('\n')).services[0].verificationChecks).toEqual([]);
  });

  it('carries the checks shown in --json', async () => {
    const world = fakeWorld('prod');
    failingRelease(world);
    world.logs.on(FilterLogEventsCommand).resolves({ events: [printed(check(1)), printed(check(2, 503))] });
    const run = await runCli(world, ['deploy', '--env', 'prod', '--tag', 'v1.4.2', '--json']);
    expect(run.code).toBe(1);
    const { deploymentId: _id, ...second } = check(2, 503);
    expect(JSON.parse(run.stdout.join('\n')).services[0].verificationChecks).toEqual([expect.objectContaining({ check: '1/10' }), expect.objectContaining(second)]);
  });
});

describe('a release the verification hook passes', () => {
  it('reads no log and prints nothing about it', async () => {
    const world = fakeWorld('prod');
    world.script('d-NEW', PASSES);
    const run = await runCli(world, ['deploy', '--env', 'prod', '--tag', 'v1.4.2', '--verify', '/health']);
    expect(run.code).toBe(0);
    expect(world.logs.commandCalls(FilterLogEventsCommand)).toEqual([]);
    expect(run.stdout.filter((line) => /check|could not be read|filter-log-events/.test(line))).toEqual([]);
  });
});

describe('the hook log lines', () => {
  it("are the function's JSON for this deployment, behind the runtime's text prefix or inside its JSON format", () => {
    expect(hookLogLine(printed(check(1)).message!, 'd-NEW')).toEqual(check(1));
    expect(hookLogLine(JSON.stringify({ timestamp: '2026-01-01T12:01:00Z', level: 'INFO', requestId: REQUEST, message: JSON.stringify(check(2)) }), 'd-NEW')).toEqual(check(2));
    expect(hookLogLine(printed({ ...check(1), deploymentId: 'd-OTHER' }).message!, 'd-NEW')).toBeUndefined();
    expect(hookLogLine(`START RequestId: ${REQUEST} Version: $LATEST\n`, 'd-NEW')).toBeUndefined();
    expect(hookLogLine(`${START}\t${REQUEST}\tINFO\t{not json`, 'd-NEW')).toBeUndefined();
  });

  it('print on one bounded line without control characters, whatever the log holds', () => {
    const line = hookCheckLine({ check: '1/10', path: '/health', status: 500, ms: 3, body: `\u001b[2J\u001b[31mred\r\nnext\u202e ${'x'.repeat(1000)}` });
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(line.length).toBeLessThanOrEqual(401);
    expect(line.startsWith('check 1/10: GET /health → HTTP 500 in 3 ms: [2J [31mred next x')).toBe(true);
    expect(hookCheckLine({ check: '2/10', path: '/health', error: 'connect ECONNREFUSED 10.0.1.5:8443', ms: 1 })).toBe('check 2/10: GET /health → connect ECONNREFUSED 10.0.1.5:8443 in 1 ms');
  });
});

describe('the hook a deployment ran, for a command that did not start it (`wait`)', () => {
  const snapshot = (hooks: object[] | undefined, description?: string, yaml = false) => {
    const appSpec = { version: '0.0', Resources: [{ TargetService: { Properties: { TaskDefinition: taskDefinitionArn('shop-prod-web', 9) } } }], ...(hooks ? { Hooks: hooks } : {}) };
    const content = yaml ? `version: 0.0\nHooks:\n${(hooks ?? []).map((hook) => `  - ${Object.entries(hook)[0].join(': ')}`).join('\n')}\n` : JSON.stringify(appSpec);
    return { id: 'd-1', status: 'Failed', info: { description, revision: { revisionType: 'AppSpecContent', appSpecContent: { content } } }, events: [], taskSets: [] } as unknown as DeploymentSnapshot;
  };
  const target = fakeWorld('prod').target;

  it("is the environment's verification hook when the AppSpec names it, with the description's path first", () => {
    expect(deploymentHook(target, snapshot([{ AfterAllowTestTraffic: HOOK }], 'verify /ready - release 42'))).toEqual({ functionName: HOOK, logGroupName: LOG_GROUP, path: '/ready', fromFlag: true });
    expect(deploymentHook(target, snapshot([{ BeforeInstall: 'other' }, { AfterAllowTestTraffic: HOOK }], 'rollback to shop-prod-web:7', true))).toEqual({ functionName: HOOK, logGroupName: LOG_GROUP, path: '/health', fromFlag: false });
  });

  it('is none when the AppSpec names no hook, or another function', () => {
    expect(deploymentHook(target, snapshot(undefined))).toBeUndefined();
    expect(deploymentHook(target, snapshot([{ AfterAllowTestTraffic: 'my-own-check' }]))).toBeUndefined();
  });
});

