/**
 * The emulator's FilterLogEvents, through the real SDK: the verification hook function's output in
 * its log group as Lambda writes it, and the request parameters and paging of the CloudWatch Logs
 * API reference.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
import { CloudWatchLogsClient, FilterLogEventsCommand, InvalidParameterException, ResourceNotFoundException, type FilterLogEventsCommandInput, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { environmentNames } from '../../config';
import { appendLogEvent, compileFilterPattern, FILTER_SEARCH_SLICE } from '../../emulator/services/logs';
import { setUp, type Setup } from './support';

let setup: Setup;
let logs: CloudWatchLogsClient;
beforeAll(async () => {
  setup = await setUp('prod', { timeScale: 2 });
  logs = new CloudWatchLogsClient({ endpoint: setup.aws.url, region: setup.aws.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
});
afterAll(async () => {
  logs.destroy();
  await setup.close();
});
beforeEach(() => setup.aws.reset());

const hookGroup = () => environmentNames(setup.env).verificationHookLogGroup;

/** Every page of a FilterLogEvents search, and how many calls it took. */
async function filterAll(input: FilterLogEventsCommandInput): Promise<{ events: FilteredLogEvent[]; pages: number; emptyPagesWithToken: number }> {
  const events: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  let emptyPagesWithToken = 0;
  do {
    const page = await logs.send(new FilterLogEventsCommand({ ...input, nextToken }));
    pages += 1;
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
    if ((page.events ?? []).length === 0 && nextToken) emptyPagesWithToken += 1;
  } while (nextToken);
  return { events, pages, emptyPagesWithToken };
}

/** Events written straight into a group, at 1 ms apart from `start`. */
function write(group: string, stream: string, messages: string[], start = 1_000_000): void {
  messages.forEach((message, index) => appendLogEvent(setup.aws.emulator.sim.world, { logGroup: group, logStream: stream, timestamp: start + index, message }));
}

describe('FilterLogEvents', () => {
  it("finds a hook invocation's lines by its deployment id, in the function's log group as Lambda writes them", async () => {
    const hook = environmentNames(setup.env).verificationHook;
    // A deployment id CodeDeploy does not know: the function logs why it fails and reports Failed.
    setup.aws.emulator.verification.invoke({ functionName: hook, deploymentId: 'd-NOTKNOWN1', lifecycleEventHookExecutionId: 'exec-1', lifecycleEvent: 'AfterAllowTestTraffic' });
    await setup.aws.emulator.verification.settled();

    const all = await filterAll({ logGroupName: hookGroup() });
    const messages = all.events.map((event) => event.message ?? '');
    expect(messages[0]).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n$/);
    expect(messages.at(-2)).toMatch(/^END RequestId: /);
    expect(messages.at(-1)).toMatch(/^REPORT RequestId: .*\tDuration: [\d.]+ ms\t/);
    expect(new Set(all.events.map((event) => event.logStreamName)).size).toBe(1);
    expect(all.events[0].logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);

    const mine = await filterAll({ logGroupName: hookGroup(), filterPattern: '"d-NOTKNOWN1"' });
    expect(mine.events).toHaveLength(1);
    const [time, requestId, level, line] = (mine.events[0].message ?? '').replace(/\n$/, '').split('\t');
    expect(new Date(time).getTime()).toBe(mine.events[0].timestamp);
    expect(messages[0]).toContain(requestId);
    expect(level).toBe('INFO');
    expect(JSON.parse(line)).toEqual({ deploymentId: 'd-NOTKNOWN1', reported: 'Failed', reason: expect.stringContaining('d-NOTKNOWN1') });

    const day = all.events[0].logStreamName!.slice(0, 10);
    expect((await filterAll({ logGroupName: hookGroup(), logStreamNamePrefix: day })).events).toHaveLength(all.events.length);
    expect((await filterAll({ logGroupName: hookGroup(), logStreamNamePrefix: '1999/' })).events).toEqual([]);
  });

  it('matches terms as the filter pattern syntax says: all words and quoted phrases, one of the ?terms, none of the -terms, case-sensitively', () => {
    const matches = compileFilterPattern;
    expect(matches('')('anything')).toBe(true);
    expect(matches('"d-ABC"')('x {"deploymentId":"d-ABC"}')).toBe(true);
    expect(matches('"d-ABC"')('x {"deploymentId":"d-ABD"}')).toBe(false);
    expect(matches('ERROR timeout')('ERROR: timeout after 5 s')).toBe(true);
    expect(matches('ERROR timeout')('ERROR: refused')).toBe(false);
    expect(matches('error')('ERROR')).toBe(false);
    expect(matches('"INTERNAL SERVER ERROR"')('got INTERNAL SERVER ERROR today')).toBe(true);
    expect(matches('"INTERNAL SERVER ERROR"')('INTERNAL ERROR SERVER')).toBe(false);
    expect(matches('?WARN ?ERROR')('a WARN')).toBe(true);
    expect(matches('?WARN ?ERROR')('INFO')).toBe(false);
    expect(matches('ERROR -Exiting')('ERROR Exiting')).toBe(false);
    expect(matches('ERROR -Exiting')('ERROR going on')).toBe(true);
  });

  it('pages with nextToken: a search may return empty pages with a token, and every match arrives once, in timestamp order', async () => {
    const messages = Array.from({ length: FILTER_SEARCH_SLICE * 3 + 7 }, (_, index) => (index % 150 === 5 ? `match ${index}` : `other ${index}`));
    // Two streams, interleaved in time: the order is by timestamp across them.
    write(hookGroup(), 'stream-b', messages.filter((_, index) => index % 2 === 1), 1_000_001);
    write(hookGroup(), 'stream-a', messages.filter((_, index) => index % 2 === 0), 1_000_000);
    setup.aws.emulator.sim.world.logEvents.forEach((event) => {
      event.timestamp = 1_000_000 + Number(event.message.split(' ')[1]);
    });
    const wanted = messages.filter((message) => message.startsWith('match'));

    const found = await filterAll({ logGroupName: hookGroup(), filterPattern: 'match' });
    expect(found.events.map((event) => event.message)).toEqual(wanted);
    expect(found.pages).toBeGreaterThan(1);
    expect(found.emptyPagesWithToken).toBeGreaterThan(0);

    const limited = await logs.send(new FilterLogEventsCommand({ logGroupName: hookGroup(), limit: 2 }));
    expect(limited.events!.map((event) => event.message)).toEqual(['other 0', 'other 1']);
    expect(limited.nextToken).toBeDefined();
    const next = await logs.send(new FilterLogEventsCommand({ logGroupName: hookGroup(), limit: 2, nextToken: limited.nextToken }));
    expect(next.events!.map((event) => event.message)).toEqual(['other 2', 'other 3']);

    const window = await filterAll({ logGroupName: hookGroup(), startTime: 1_000_010, endTime: 1_000_012 });
    expect(window.events.map((event) => event.message)).toEqual(['other 10', 'other 11', 'other 12']);
    expect((await filterAll({ logGroupName: hookGroup(), logStreamNames: ['stream-a'], endTime: 1_000_004 })).events.map((event) => event.message)).toEqual(['other 0', 'other 2', 'other 4']);
  });

  it('refuses what CloudWatch Logs refuses: an unknown group, both group parameters, both stream parameters, a bad token', async () => {
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/nobody' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: hookGroup(), logGroupIdentifier: hookGroup() }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: hookGroup(), logStreamNames: ['a'], logStreamNamePrefix: 'a' }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: hookGroup(), nextToken: 'garbage' }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: hookGroup(), filterPattern: '{ $.status = 500 }' }))).rejects.toThrow(/term patterns only/);
    const byArn = await logs.send(new FilterLogEventsCommand({ logGroupIdentifier: `arn:aws:logs:${setup.aws.region}:${setup.aws.accountId}:log-group:${hookGroup()}` }));
    expect(byArn.events).toEqual([]);
    // The services' own log groups exist too (the stack creates them).
    expect((await logs.send(new FilterLogEventsCommand({ logGroupName: '/ecs/shop-prod/web' }))).events).toEqual([]);
  });
});
