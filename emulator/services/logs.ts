/**
 * Amazon CloudWatch Logs (JSON 1.1, target prefix `Logs_20140328`), the reads the release tool
 * makes:
 *
 * - GetLogEvents over the streams of one-off tasks, which the awslogs driver names
 *   `prefix/container/taskId` in the task definition's log group. Tokens follow the API reference:
 *   `nextForwardToken` comes back unchanged once the reader has reached the end of the stream; a
 *   stream not written yet does not exist (`ResourceNotFoundException`).
 * - FilterLogEvents over the events written to a log group (the verification hook functions'
 *   output, emulator/verification-hook.ts), as the API reference describes it: the group by
 *   `logGroupName` or `logGroupIdentifier` (one of them), streams by `logStreamNames` or
 *   `logStreamNamePrefix` (not both), `startTime`/`endTime` in epoch ms (events before the start
 *   or after the end are not returned), a filter pattern, events sorted by timestamp, then
 *   ingestion time, and `nextToken` paging where "a returned page might only be partially full,
 *   or even empty", more following as long as a `nextToken` comes back. Each call here searches
 *   a slice of the group's events, so a selective pattern gets empty pages with a token, as it
 *   can from AWS. Filter patterns: the term syntax for unstructured events (CloudWatch Logs user
 *   guide, "Filter pattern syntax"): words and "quoted phrases" that must all occur, `?term`s of
 *   which one must, `-term`s that must not, matched case-sensitively; JSON, space-delimited and
 *   regular-expression patterns are refused as not emulated.
 */
import type { FilterLogEventsRequest, FilterLogEventsResponse, GetLogEventsRequest, GetLogEventsResponse } from '@aws-sdk/client-cloudwatch-logs';
import type { LogEventRecord, World } from '../model';
import { AwsError, fail } from '../protocol/errors';
import { oneOffLogEvents } from '../simulation/one-off-tasks';
import type { HandlerContext, ServiceHandler } from './common';

const TOKEN = /^f\/(\d+)$/;

/** Events one FilterLogEvents call searches (AWS bounds a call by the data it scans and by time). */
export const FILTER_SEARCH_SLICE = 100;
/** The most events a FilterLogEvents page holds, and its default (API reference, `limit`). */
const FILTER_LIMIT = 10_000;

/** Write one event to a log group's stream, as PutLogEvents would. */
export function appendLogEvent(world: World, event: Omit<LogEventRecord, 'sequence' | 'ingestionTime'> & { ingestionTime?: number }): LogEventRecord {
  const record: LogEventRecord = { ...event, ingestionTime: event.ingestionTime ?? event.timestamp, sequence: world.logEvents.length + 1 };
  world.logEvents.push(record);
  return record;
}

/** The log group a request names, by name or by identifier (a name or an ARN); exactly one of them. */
function requestedGroup(input: { logGroupName?: string; logGroupIdentifier?: string }): string {
  if (input.logGroupName && input.logGroupIdentifier) fail('InvalidParameterException', 'LogGroup name and LogGroup identifier are mutually exclusive parameters.');
  const group = input.logGroupName ?? input.logGroupIdentifier?.split(':log-group:').pop()?.replace(/:\*$/, '');
  if (!group) fail('InvalidParameterException', 'Either logGroupName or logGroupIdentifier must be given.');
  return group;
}

interface PatternTerm {
  readonly text: string;
  readonly kind: 'all' | 'any' | 'none';
}

/** A term filter pattern as a predicate on an event's message; throws on syntax the emulator does not implement. */
export function compileFilterPattern(pattern: string | undefined): (message: string) => boolean {
  const source = (pattern ?? '').trim();
  if (source === '') return () => true;
  if (/^[{[%]/.test(source)) {
    fail('InvalidParameterException', `filter pattern ${source}: the emulator implements term patterns only (words, "quoted phrases", ?term, -term), not JSON, space-delimited or regular-expression ones`);
  }
  const terms: PatternTerm[] = [];
  for (const match of source.matchAll(/([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)) {
    const text = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3];
    terms.push({ text, kind: match[1] === '?' ? 'any' : match[1] === '-' ? 'none' : 'all' });
  }
  const of = (kind: PatternTerm['kind']) => terms.filter((term) => term.kind === kind).map((term) => term.text);
  const [all, any, none] = [of('all'), of('any'), of('none')];
  return (message) =>
    all.every((text) => message.includes(text)) && (any.length === 0 || any.some((text) => message.includes(text))) && !none.some((text) => message.includes(text));
}

/** CloudWatch Logs' order: timestamp, then ingestion time, then arrival. */
function inLogOrder(a: LogEventRecord, b: LogEventRecord): number {
  return a.timestamp - b.timestamp || a.ingestionTime - b.ingestionTime || a.sequence - b.sequence;
}

/** A token: the position in the group's ordered events where the next search starts. */
function filterToken(position: number): string {
  return Buffer.from(`emulator-filter:${position}`).toString('base64');
}

function filterPosition(token: string): number {
  const match = /^emulator-filter:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  if (!match) fail('InvalidParameterException', 'The specified nextToken is invalid.');
  return Number(match[1]);
}

export const logsHandler: ServiceHandler = {
  name: 'logs',
  operations: {
    GetLogEvents(input: GetLogEventsRequest, { sim }: HandlerContext): GetLogEventsResponse {
      if (!input.logStreamName) fail('InvalidParameterException', '1 validation error detected: Value null at \'logStreamName\' failed to satisfy constraint: Member must not be null');
      const group = requestedGroup(input);
      const task = sim.world.oneOffTasks.find((candidate) => candidate.logGroup === group && candidate.logStream === input.logStreamName);
      const events = task ? oneOffLogEvents(sim, task, sim.clock.now()) : [];
      if (!task || events.length === 0) throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
      let from = 0;
      if (input.nextToken) {
        const match = TOKEN.exec(input.nextToken);
        if (!match) fail('InvalidParameterException', 'The specified nextToken is invalid.');
        from = Number(match[1]);
      } else if (input.startFromHead === false || input.startFromHead === undefined) {
        // Without a token and startFromHead, AWS returns the newest events.
        from = Math.max(0, events.length - (input.limit ?? 10_000));
      }
      const page = events.slice(from, from + (input.limit ?? 10_000));
      return {
        events: page.map((event) => ({ timestamp: event.timestamp, message: event.message, ingestionTime: event.timestamp })),
        nextForwardToken: `f/${from + page.length}`,
        nextBackwardToken: `b/${from}`,
      };
    },

    FilterLogEvents(input: FilterLogEventsRequest, { sim }: HandlerContext): FilterLogEventsResponse {
      const group = requestedGroup(input);
      if (input.logStreamNames?.length && input.logStreamNamePrefix) fail('InvalidParameterException', 'logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
      const limit = input.limit ?? FILTER_LIMIT;
      if (!Number.isInteger(limit) || limit < 1 || limit > FILTER_LIMIT) fail('InvalidParameterException', `1 validation error detected: Value '${input.limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and ${FILTER_LIMIT}`);
      if (!sim.world.logGroups.has(group)) throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
      const matches = compileFilterPattern(input.filterPattern);
      const streams = input.logStreamNames?.length ? new Set(input.logStreamNames) : undefined;
      const candidates = sim.world.logEvents
        .filter((event) => event.logGroup === group)
        .filter((event) => (streams ? streams.has(event.logStream) : event.logStream.startsWith(input.logStreamNamePrefix ?? '')))
        .filter((event) => (input.startTime === undefined || event.timestamp >= input.startTime) && (input.endTime === undefined || event.timestamp <= input.endTime))
        .sort(inLogOrder);
      const from = input.nextToken ? filterPosition(input.nextToken) : 0;
      const found: LogEventRecord[] = [];
      let position = from;
      while (position < candidates.length && position - from < FILTER_SEARCH_SLICE && found.length < limit) {
        const event = candidates[position++];
        if (matches(event.message)) found.push(event);
      }
      return {
        events: found.map((event) => ({
          logStreamName: event.logStream,
          timestamp: event.timestamp,
          message: event.message,
          ingestionTime: event.ingestionTime,
          eventId: String(event.sequence).padStart(56, '0'),
        })),
        ...(position < candidates.length ? { nextToken: filterToken(position) } : {}),
      };
    },
  },
};
