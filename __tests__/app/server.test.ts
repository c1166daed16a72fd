/**
 * The example service as its container runs it: `node app/server.js` as a child process, spoken
 * to over loopback HTTP, stopped with SIGTERM the way ECS stops a task. And the Dockerfile that
 * the release workflow builds: pinned base image, unprivileged user, the configured port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { environmentNamesList, loadEnvironment } from '../../config';

const APP = resolve(__dirname, '../../app');

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
}

/** Starts the server on a free port and waits for its "listening" line. */
async function start(env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, ['server.js'], { cwd: APP, env: { PATH: process.env.PATH, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const event = JSON.parse(line);
    if (event.event === 'listening') return { child, url: `http://127.0.0.1:${event.port}` };
  }
  throw new Error('the server exited before listening');
}

let server: Running;
beforeAll(async () => {
  server = await start({ APP_VERSION: 'abc1234' });
});
afterAll(() => {
  if (server.child.exitCode === null) server.child.kill('SIGKILL');
});

describe('the example service', () => {
  it('answers /health with 200 for the load balancer and --verify', async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('says on / which version answers', async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ service: 'web', version: 'abc1234' });
  });

  it('answers unknown paths with 404 and other methods with 405', async () => {
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    const post = await fetch(`${server.url}/health`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('exits 0 promptly on SIGTERM, as ECS stops a task', async () => {
    const stopping = await start();
    await fetch(`${stopping.url}/health`); // leaves an idle keep-alive connection behind
    const started = Date.now();
    stopping.child.kill('SIGTERM');
    const [code] = await once(stopping.child, 'exit');
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('the Dockerfile', () => {
  const dockerfile = readFileSync(resolve(APP, 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() && !line.trim().startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.trim().split(/\s+/);
      return { keyword: keyword.toUpperCase(), argument: rest.join(' ') };
    });
  const argumentsOf = (keyword: string) => instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.argument);

  it('pins its base image by a full version tag, never latest', () => {
    expect(argumentsOf('FROM')).toEqual([expect.stringMatching(/^[\w./-]+:\d+\.\d+\.\d+-[\w.]+$/)]);
  });

  it('runs as an unprivileged user', () => {
    expect(argumentsOf('USER').at(-1)).toMatch(/^(?!root$|0$)\w+$/);
  });

  it('starts node in exec form, so the SIGTERM from ECS reaches the server', () => {
    expect(JSON.parse(argumentsOf('CMD').at(-1)!)).toEqual(['node', 'server.js']);
  });

  it('listens on the container port every configured web service expects', () => {
    const ports = new Set(environmentNamesList().flatMap((name) => loadEnvironment(name).services.map((service) => service.containerPort)));
    expect(argumentsOf('EXPOSE')).toEqual([...ports].map(String));
    expect(argumentsOf('ENV').join(' ')).toContain(`PORT=${[...ports][0]}`);
  });
});
