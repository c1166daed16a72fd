/**
 * npm run demo as a person watches it: each scenario's AWS lines stay inside that scenario, a
 * rollback is called a rollback, and long waits are explained (what the demo waits for) instead
 * of going silent.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

function sections(output: string): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  let current = 'start';
  for (const line of output.split('\n')) {
    const title = /^=== (?!exit code)(.*)$/.exec(line);
    if (title) current = title[1];
    (result[current] ??= []).push(line);
  }
  return result;
}

describe('npm run demo', () => {
  const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'emulator/demo.ts', '--time-scale', '80'], { cwd: ROOT, encoding: 'utf8', timeout: 170_000 });
  const parts = sections(run.stdout);
  const titled = (start: string) => parts[Object.keys(parts).find((title) => title.startsWith(start))!] ?? [];

  it('runs every scenario as expected', () => {
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout.match(/^=== exit code \d+ \(as expected\)$/gm)).toHaveLength(5);
  });

  it("keeps each scenario's AWS lines to that scenario's environment", () => {
    const aws = (lines: string[]) => lines.filter((line) => line.startsWith('  aws │'));
    expect(aws(titled('Release v1.1.0 of web to dev')).filter((line) => line.includes('preview'))).toEqual([]);
    expect(aws(titled('Release a broken build')).filter((line) => line.includes('preview'))).toEqual([]);
    expect(aws(titled('Release v1.1.0 to preview')).filter((line) => line.includes('shop-dev'))).toEqual([]);
  });

  it('calls the rollback a rollback, naming the deployment it rolls back', () => {
    expect(titled('Release a broken build')).toContainEqual(expect.stringMatching(/^ {2}aws │ CodeDeploy rollback d-\w+ of d-\w+: Succeeded$/));
  });

  it('says what it waits for during the health checks and the termination wait', () => {
    expect(titled('Release a broken build')).toContainEqual(expect.stringMatching(/^ {2}\.\.\. │ waiting for deployment d-\w+: replacement tasks to pass the load balancer's health checks \(0\/1 healthy\)$/));
    expect(titled('Release v1.1.0 of web to dev')).toContainEqual(expect.stringMatching(/^ {2}\.\.\. │ waiting for deployment d-\w+: termination wait/));
  });
});
