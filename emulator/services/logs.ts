/**
 * Amazon CloudWatch Logs reads (JSON 1.1, target prefix `Logs_20140328`): GetLogEvents over the
 * streams of one-off tasks, which the awslogs driver names `prefix/container/taskId` in the task
 * definition's log group. Tokens follow the API reference: `nextForwardToken` comes back unchanged
 * once the reader has reached the end of the stream; a stream not written yet does not exist
 * (`ResourceNotFoundException`).
 */
import type { GetLogEventsRequest, GetLogEventsResponse } from '@aws-sdk/client-cloudwatch-logs';
import { AwsError, fail } from '../protocol/errors';
import { oneOffLogEvents } from '../simulation/one-off-tasks';
import type { HandlerContext, ServiceHandler } from './common';

const TOKEN = /^f\/(\d+)$/;

export const logsHandler: ServiceHandler = {
  name: 'logs',
  operations: {
    GetLogEvents(input: GetLogEventsRequest, { sim }: HandlerContext): GetLogEventsResponse {
      if (!input.logStreamName) fail('InvalidParameterException', '1 validation error detected: Value null at \'logStreamName\' failed to satisfy constraint: Member must not be null');
      if (!input.logGroupName && !input.logGroupIdentifier) fail('InvalidParameterException', 'Either logGroupName or logGroupIdentifier must be given.');
      const group = input.logGroupName ?? input.logGroupIdentifier?.split(':log-group:').pop();
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
  },
};
