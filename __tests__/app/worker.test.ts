/**
 * The example worker as its container runs it (`APP_ROLE=worker node server.js`), against a small
 * fake of the ECS agent's task-protection endpoint: a job runs only while its task is protected,
 * protection is cleared when the job ends, and SIGTERM lets the job in flight finish.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

const APP = resolve(__dirname, '../../app');

/** What the fake agent was sent, and how it answers (`fail`: with a failure, as the agent does for a task it cannot protect). */
interface FakeAgent {
  readonly uri: string;
  readonly requests: { method: string; path: string; body: Record<string, unknown> }[];
  fail: boolean;
  close(): Promise<void>;
}

async function startAgent(): Promise<FakeAgent> {
  const requests: FakeAgent['requests'] = [];
  const agent = { fail: false } as { fail: boolean };
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      const body = text ? JSON.parse(text) : {};
      requests.push({ method: request.method ?? '', path: request.url ?? '', body });
      const answer = agent.fail
        ? { failure: { Arn: 'arn:aws:ecs:ap-northeast-1:123456789012:task/shop-preview/0abc', Reason: 'TASK_NOT_VALID' } }
        : { protection: { ProtectionEnabled: body.ProtectionEnabled, TaskArn: 'arn:aws:ecs:ap-northeast-1:123456789012:task/shop-preview/0abc', ...(body.ProtectionEnabled ? { ExpirationDate: '2026-12-04T16:00:00Z' } : {}) } };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return Object.assign(agent, {
    uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/task-0abc`,
    requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  });
}

interface Worker {
  readonly child: ChildProcess;
  readonly events: Record<string, unknown>[];
  /** Resolves with the first event of this name (already seen or still to come). */
  next(event: string): Promise<Record<string, unknown>>;
}

function startWorker(agent: FakeAgent, env: Record<string, string>): Worker {
  const child = spawn(process.execPath, ['server.js'], {
    cwd: APP,
    env: { PATH: process.env.PATH, APP_ROLE: 'worker', ECS_AGENT_URI: agent.uri, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const events: Record<string, unknown>[] = [];
  const waiting: { event: string; resolve: (found: Record<string, unknown>) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    events.push(parsed);
    for (const waiter of waiting.filter((candidate) => candidate.event === parsed.event)) waiter.resolve(parsed);
  });
  return {
    child,
    events,
    next: (event) =>
      new Promise((found) => {
        const seen = events.find((candidate) => candidate.event === event);
        if (seen) found(seen);
        else waiting.push({ event, resolve: found });
      }),
  };
}

let agent: FakeAgent;
const workers: Worker[] = [];
beforeEach(async () => {
  agent = await startAgent();
});
afterEach(async () => {
  for (const worker of workers.splice(0)) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
  await agent.close();
});
const run = (env: Record<string, string>) => {
  const worker = startWorker(agent, env);
  workers.push(worker);
  return worker;
};

describe('the example worker', () => {
  it('protects its task for the length of a job plus a minute before starting it, and clears it when done', async () => {
    const worker = run({ JOB_SECONDS: '0.2', JOB_INTERVAL_SECONDS: '60' });
    await worker.next('job finished');
    await waitFor(() => agent.requests.length === 2);
    expect(agent.requests).toEqual([
      { method: 'PUT', path: '/api/task-0abc/task-protection/v1/state', body: { ProtectionEnabled: true, ExpiresInMinutes: 2 } },
      { method: 'PUT', path: '/api/task-0abc/task-protection/v1/state', body: { ProtectionEnabled: false } },
    ]);
    expect(await worker.next('job started')).toMatchObject({ job: 1, protectedUntil: '2026-12-04T16:00:00Z' });
  });

  it('on SIGTERM mid-job takes no new job, finishes the one in flight, clears protection and exits 0', async () => {
    const worker = run({ JOB_SECONDS: '1.5', JOB_INTERVAL_SECONDS: '0' });
    await worker.next('job started');
    worker.child.kill('SIGTERM');
    const [code] = await once(worker.child, 'exit');
    expect(code).toBe(0);
    expect(worker.events.map((event) => event.event)).toEqual(['worker started', 'job started', 'stopping', 'job finished', 'stopped']);
    expect(agent.requests.map((request) => request.body.ProtectionEnabled)).toEqual([true, false]);
  });

  it('exits 0 at once on SIGTERM between jobs', async () => {
    const worker = run({ JOB_SECONDS: '0', JOB_INTERVAL_SECONDS: '600' });
    await worker.next('job finished');
    const started = Date.now();
    worker.child.kill('SIGTERM');
    const [code] = await once(worker.child, 'exit');
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('skips a job whose task the agent cannot protect, rather than run it unprotected', async () => {
    agent.fail = true;
    const worker = run({ JOB_SECONDS: '0', JOB_INTERVAL_SECONDS: '600' });
    expect(await worker.next('job skipped')).toMatchObject({ job: 1, reason: expect.stringContaining('TASK_NOT_VALID') });
    expect(worker.events.map((event) => event.event)).not.toContain('job started');
  });
});

async function waitFor(accept: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!accept()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((done) => setTimeout(done, 20));
  }
}
