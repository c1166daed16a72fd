/**
 * The fault × phase table of docs/reliability.md, as data: each row says what goes wrong, when,
 * and the end state the release promises (what serves, the deployments, auto scaling, exit
 * codes). The end-to-end suites run every row (`runCase`), and a test checks that the table in
 * docs/reliability.md is exactly `reliabilityTable()`, so a row without a test, or a test
 * without a row, fails.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import type { StateDump } from '../../emulator';
import { loadEnvironment, productionPort, SCALING_RECORD_TAG_KEY } from '../../config';
import { calls, expectExit, liveTargetGroups, REPO_ROOT, runCli, startCli, waitForState, type CliResult, type E2e } from './support';

export const FAULTS = ['throttle', '5xx', 'reset', 'slow', 'alarm', 'hook failure', 'SIGINT', 'SIGTERM', 'SIGKILL', 'CI cancel', 'race'] as const;
export const PHASES = ['before registration', 'after registration', 'after CreateDeployment', 'approval wait', 'traffic shift', 'termination wait'] as const;

/** What a row asserts once the release (and the follow-up it names, if any) has ended. */
export interface EndState {
  /** On the production listener: `old version` (the blue target group, as seeded) or `new version`. */
  readonly serves: string;
  /** Each deployment of the group in order, with CodeDeploy's rollback deployments marked. */
  readonly deployments: string;
  /** `on`, `suspended (recorded)`, or `none` for a service without auto scaling. */
  readonly scaling: string;
  /** The release's exit code, then the follow-up's. */
  readonly exit: string;
}

export interface ReliabilityCase {
  readonly fault: (typeof FAULTS)[number];
  readonly phase: (typeof PHASES)[number];
  readonly env: 'dev' | 'prod';
  /** The command run after the release, as the pipeline or a person would. */
  readonly followUp?: string;
  readonly expected: EndState;
  /** The jest file that runs the row: slow rows get a file of their own, so they run in parallel. */
  readonly suite: 'reliability' | 'signals' | 'races' | 'cancel';
  /** Runs the release with the fault; returns the exit codes as the table shows them (`exitText`). */
  readonly run: (e2e: E2e) => Promise<string>;
}

const SUSPENDED = { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: true, ScheduledScalingSuspended: true };

/** The end state as the emulator shows it. */
export function endState(state: StateDump, env: 'dev' | 'prod', exit: string): EndState {
  const live = liveTargetGroups(state, `shop-${env}-web`, productionPort(loadEnvironment(env, { offline: true }).services[0]));
  const target = state.scalableTargets.find((candidate) => candidate.resourceId.includes(`shop-${env}-web`));
  const suspended = target && JSON.stringify(target.suspended) === JSON.stringify(SUSPENDED);
  const recorded = target?.tags[SCALING_RECORD_TAG_KEY] !== undefined;
  return {
    serves: live.join(',') === `shop-${env}-web-blue` ? 'old version' : live.join(',') === `shop-${env}-web-green` ? 'new version' : `split ${live.join(',')}`,
    deployments: state.deployments.map((d) => `${d.creator === 'codeDeployRollback' ? 'rollback ' : ''}${d.status}`).join(', ') || 'none',
    scaling: !target ? 'none' : suspended ? (recorded ? 'suspended (recorded)' : 'suspended') : recorded ? 'on, record left' : 'on',
    exit,
  };
}

const release = (env: string, ...extra: string[]) => ['deploy', '--env', env, '--tag', 'v1.1.0', ...extra];
const ready = (state: StateDump) => state.deployments[0]?.status === 'Ready';
const inTerminationWait = (state: StateDump) => state.deployments[0]?.instanceTerminationWaitTimeStarted === true;
const exitOf = (result: CliResult) => result.code ?? -1;

/**
 * The CLI's args of a workflow step's `npm run deploy -- …` line, as bash would pass them: the
 * job's variables put in (`"$NAME"` is one word), `${NAME:+…}` dropped when NAME is empty.
 */
export function workflowCommand(run: string, variables: Readonly<Record<string, string>>): string[] {
  const line = run
    .trim()
    .replace(/^exec /, '')
    .replace(/\$\{(\w+):\+[^}]*\}/g, (whole, name: string) => {
      if (variables[name]) throw new Error(`${whole} with ${name} set is not handled here`);
      return '';
    });
  if (!line.startsWith('npm run deploy -- ')) throw new Error(`not a release tool command: ${line}`);
  const words = line.slice('npm run deploy -- '.length).match(/"[^"]*"|\S+/g) ?? [];
  return words.map((word) =>
    word
      .replace(/^"(.*)"$/, '$1')
      .replace(/\$(\w+)/g, (_, name: string) => {
        if (variables[name] === undefined) throw new Error(`the test gives no value for $${name}`);
        return variables[name];
      }),
  );
}

interface WorkflowStep {
  readonly name?: string;
  readonly if?: string;
  readonly run?: string;
}

/** The release job's steps in .github/workflows/release-environment.yml. */
function releaseJobSteps(): WorkflowStep[] {
  const workflow = parse(readFileSync(resolve(REPO_ROOT, '.github/workflows/release-environment.yml'), 'utf8')) as { jobs: { release: { steps: WorkflowStep[] } } };
  return workflow.jobs.release.steps;
}

/** The job's variables for a run releasing image tag `tag` to `env` (the SHA stands in for the tag). */
function jobVariables(env: string, tag: string): Record<string, string> {
  return { ENVIRONMENT: env, SERVICE: 'web', GITHUB_SHA: tag, VERIFY_PATH: '', RELEASE_DESCRIPTION: `release ${tag} run 4242` };
}

/** GitHub's cancel of a step: SIGINT, SIGTERM 7.5 s later, SIGKILL 2.5 s after that (wall clock). */
export async function cancelLikeGithub(cli: ReturnType<typeof startCli>): Promise<CliResult> {
  const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));
  cli.interrupt('SIGINT');
  await Promise.race([cli.done, sleep(7_500)]);
  if (!cli.exited) cli.interrupt('SIGTERM');
  await Promise.race([cli.done, sleep(2_500)]);
  if (!cli.exited) cli.child.kill('SIGKILL');
  return cli.done;
}

export const CASES: readonly ReliabilityCase[] = [
  {
    fault: '5xx',
    phase: 'before registration',
    env: 'prod',
    suite: 'reliability',
    expected: { serves: 'old version', deployments: 'none', scaling: 'on', exit: '5' },
    async run({ aws }) {
      aws.addFault({ service: 'ecs', operation: 'RegisterTaskDefinition', kind: 'http500', times: 100 });
      return exitText([exitOf(await runCli(aws, release('prod'), { env: { ECS_BG_MAX_ATTEMPTS: '2' } }))]);
    },
  },
  {
    fault: 'reset',
    phase: 'before registration',
    env: 'dev',
    suite: 'reliability',
    expected: { serves: 'new version', deployments: 'Succeeded', scaling: 'none', exit: '0' },
    async run({ aws }) {
      aws.addFault({ service: 'ecs', operation: 'RegisterTaskDefinition', kind: 'reset' });
      return exitText([exitOf(await runCli(aws, release('dev')))]);
    },
  },
  {
    fault: 'race',
    phase: 'before registration',
    env: 'dev',
    suite: 'reliability',
    // A second release while the first one's deployment runs: refused at the plan, nothing registered.
    expected: { serves: 'new version', deployments: 'Succeeded', scaling: 'none', exit: '2 (the first release: 0)' },
    async run({ aws, clock }) {
      const first = startCli(aws, release('dev'));
      await first.waitForOutput(/^deployment d-\w+ created/);
      clock.pause();
      const second = await runCli(aws, ['deploy', '--env', 'dev', '--tag', 'v1.2.0']);
      expect(calls(aws, 'RegisterTaskDefinition')).toHaveLength(1);
      clock.resume();
      return `${exitOf(second)} (the first release: ${exitOf(await first.done)})`;
    },
  },
  {
    fault: 'SIGINT',
    phase: 'after registration',
    env: 'prod',
    suite: 'signals',
    // Ctrl-C while the revision registers: no deployment, the revision named as an unused artifact.
    expected: { serves: 'old version', deployments: 'none', scaling: 'on', exit: '3' },
    async run({ aws }) {
      // Registering takes a second: Ctrl-C lands while RegisterTaskDefinition is under way (the
      // emulator has taken the slow rule, so the request has arrived and waits out the delay).
      const slow = aws.addFault({ service: 'ecs', operation: 'RegisterTaskDefinition', kind: 'slow', delayMs: 1000, times: 1 });
      const result = await runCli(aws, release('prod'), {
        interruptWhen: (state) => !state.faults.some((rule) => rule.id === slow.id),
      });
      expect(result.stderr).toMatch(/revision shop-prod-web:2 was registered but serves nothing \(an unused artifact\)/);
      expect(calls(aws, 'RegisterScalableTarget')).toEqual([]);
      return exitText([exitOf(result)]);
    },
  },
  {
    fault: 'throttle',
    phase: 'after registration',
    env: 'dev',
    suite: 'reliability',
    expected: { serves: 'new version', deployments: 'Succeeded', scaling: 'none', exit: '0' },
    async run({ aws }) {
      aws.addFault({ service: 'codedeploy', operation: 'CreateDeployment', kind: 'throttle', times: 2 });
      return exitText([exitOf(await runCli(aws, release('dev')))]);
    },
  },
  {
    fault: 'throttle',
    phase: 'after CreateDeployment',
    env: 'prod',
    followUp: '`wait`',
    suite: 'reliability',
    // --timeout 6s (start-up and planning must fit in it on a loaded machine), every read of the
    // deployment throttled (planning reads none): ends after the stop call, not after the retries.
    expected: { serves: 'old version', deployments: 'Stopped, rollback Succeeded', scaling: 'on', exit: '4, then 0' },
    async run({ aws }) {
      aws.addFault({ service: 'codedeploy', operation: 'GetDeployment', kind: 'throttle', times: 10_000 });
      const result = await runCli(aws, release('prod', '--timeout', '6s'), { env: { ECS_BG_MAX_ATTEMPTS: '6' } });
      expectExit(result, 4);
      // Nothing read after the stop: the overrun is one poll interval plus the stop call. The stop
      // comes within --timeout of CreateDeployment (which came after the start the timeout counts
      // from), plus slack for a loaded machine; before, the throttled reads' retries ran on past
      // the deadline and the run ended with exit 5, the deployment never stopped.
      const stop = calls(aws, 'StopDeployment')[0];
      expect(calls(aws).filter((call) => call.seq > stop.seq && call.service === 'codedeploy')).toEqual([]);
      expect(Date.parse(stop.at) - Date.parse(calls(aws, 'CreateDeployment')[0].at)).toBeLessThan(6_000 + 2_000);
      aws.clearFaults();
      return exitText([4, exitOf(await runCli(aws, ['wait', '--env', 'prod']))]);
    },
  },
  {
    fault: '5xx',
    phase: 'after CreateDeployment',
    env: 'prod',
    followUp: '`stop`',
    suite: 'reliability',
    expected: { serves: 'old version', deployments: 'Stopped, rollback Succeeded', scaling: 'on', exit: '5, then 0' },
    async run({ aws }) {
      aws.addFault({ service: 'codedeploy', operation: 'GetDeployment', kind: 'http500', times: 100 });
      const result = await runCli(aws, release('prod'), { env: { ECS_BG_MAX_ATTEMPTS: '2' } });
      // The last line says scaling is suspended and which command restores it.
      expect(result.stderrLines[result.stderrLines.length - 1]).toMatch(
        /deployment d-\w+ was created and may still be running: .*; auto scaling stays suspended until the deployment ends: npm run deploy -- wait --env prod --service web \(or settle\) restores it then$/,
      );
      const state = aws.state();
      expect(state.scalableTargets[0].suspended).toEqual(SUSPENDED);
      aws.clearFaults();
      return exitText([exitOf(result), exitOf(await runCli(aws, ['stop', '--env', 'prod']))]);
    },
  },
  {
    fault: 'slow',
    phase: 'after CreateDeployment',
    env: 'dev',
    suite: 'reliability',
    // The first reads of the deployment's progress answer 300 ms late: progress lines come late, nothing else.
    expected: { serves: 'new version', deployments: 'Succeeded', scaling: 'none', exit: '0' },
    async run({ aws }) {
      aws.addFault({ service: 'codedeploy', operation: 'BatchGetDeploymentTargets', kind: 'slow', delayMs: 300, times: 3 });
      return exitText([exitOf(await runCli(aws, release('dev')))]);
    },
  },
  {
    fault: 'alarm',
    phase: 'traffic shift',
    env: 'prod',
    followUp: '`approve`',
    suite: 'reliability',
    // The canary holds 10 % of production traffic when the alarm fires: CodeDeploy rolls back.
    expected: { serves: 'old version', deployments: 'Stopped, rollback Succeeded', scaling: 'on', exit: '1 (approve: 0)' },
    async run({ aws, clock }) {
      const cli = startCli(aws, release('prod'));
      await waitForState(aws, ready, 'approval wait');
      const approved = await runCli(aws, ['approve', '--env', 'prod']);
      const shifting = await waitForState(aws, (state) => state.deployments[0].replacementTraffic === 10, 'the 10% canary step');
      clock.pause();
      aws.tripAlarm({ deploymentId: shifting.deployments[0].id });
      clock.resume();
      return `${exitOf(await cli.done)} (approve: ${exitOf(approved)})`;
    },
  },
  {
    fault: 'hook failure',
    phase: 'traffic shift',
    env: 'dev',
    suite: 'reliability',
    // AfterAllowTraffic fails once production traffic has moved: CodeDeploy moves it back.
    expected: { serves: 'old version', deployments: 'Failed, rollback Succeeded', scaling: 'none', exit: '1' },
    async run({ aws }) {
      aws.failHook({ lifecycleEvent: 'AfterAllowTraffic' });
      return exitText([exitOf(await runCli(aws, release('dev')))]);
    },
  },
  {
    fault: 'hook failure',
    phase: 'after CreateDeployment',
    env: 'prod',
    suite: 'reliability',
    // The verification hook's check fails at AfterAllowTestTraffic (the test listener answers 500),
    // before production traffic moves, and reading the function's log is denied: the rollback's
    // verdict stands, with the command that reads the log.
    expected: { serves: 'old version', deployments: 'Failed, rollback Succeeded', scaling: 'on', exit: '1' },
    async run({ aws }) {
      const answer = await fetch(`${aws.url}/_emulator/verification`, { method: 'POST', body: JSON.stringify({ status: 500, body: { error: 'boom' } }) });
      expect(answer.status).toBe(200);
      aws.addFault({ service: 'logs', operation: 'FilterLogEvents', kind: 'denied' });
      const result = await runCli(aws, release('prod', '--verify', '/health'));
      expect(result.stderrLines.at(-1)).toMatch(/could not be read; rolled back by d-\w+: old version shop-prod-web:1 serving; read it: aws logs filter-log-events /);
      return exitText([exitOf(result)]);
    },
  },
  {
    fault: 'SIGINT',
    phase: 'approval wait',
    env: 'prod',
    suite: 'signals',
    expected: { serves: 'old version', deployments: 'Stopped, rollback Succeeded', scaling: 'on', exit: '3' },
    async run({ aws }) {
      return exitText([exitOf(await runCli(aws, release('prod'), { interruptWhen: ready }))]);
    },
  },
  {
    fault: 'SIGTERM',
    phase: 'after CreateDeployment',
    env: 'prod',
    suite: 'signals',
    expected: { serves: 'old version', deployments: 'Stopped, rollback Succeeded', scaling: 'on', exit: '3' },
    async run({ aws }) {
      return exitText([exitOf(await runCli(aws, release('prod'), { interruptOnOutput: /^auto scaling suspended for the release$/, signal: 'SIGTERM' }))]);
    },
  },
  {
    fault: 'SIGINT',
    phase: 'termination wait',
    env: 'dev',
    suite: 'signals',
    // Traffic has moved: the deployment is left to end by itself, as said before it is done.
    expected: { serves: 'new version', deployments: 'Succeeded', scaling: 'none', exit: '6' },
    async run({ aws, clock }) {
      // Emulated time holds from the interrupt on: the termination wait (1 min) cannot end first.
      const result = await runCli(aws, release('dev'), { interruptWhen: inTerminationWait, beforeInterrupt: () => clock.pause() });
      clock.resume();
      expect(result.stderr).toMatch(/SIGINT: traffic is already on the new version, so deployment d-\w+ is left to finish its termination wait \(exit 6\)|SIGINT: stopping deployment/);
      expect(result.stdout).toMatch(/interrupted: traffic is already on the new version, so deployment d-\w+ is left to finish its termination wait \(exit 6\)/);
      await waitForState(aws, (state) => state.deployments[0].status === 'Succeeded', 'the deployment to end by itself');
      return exitText([exitOf(result)]);
    },
  },
  {
    fault: 'SIGKILL',
    phase: 'approval wait',
    env: 'prod',
    followUp: '`settle`',
    suite: 'signals',
    expected: { serves: 'old version', deployments: 'Stopped, rollback Succeeded', scaling: 'on', exit: 'killed, then 0' },
    async run({ aws }) {
      const cli = startCli(aws, release('prod'));
      // Killed once the deployment waits for approval and the tool has suspended scaling for it.
      await waitForState(aws, (state) => ready(state) && JSON.stringify(state.scalableTargets[0].suspended) === JSON.stringify(SUSPENDED), 'approval wait, scaling suspended');
      cli.child.kill('SIGKILL');
      await cli.done;
      expect(aws.state().scalableTargets[0].suspended).toEqual(SUSPENDED);
      return exitText([-1, exitOf(await runCli(aws, ['settle', '--env', 'prod']))]);
    },
  },
  {
    fault: 'CI cancel',
    phase: 'approval wait',
    env: 'prod',
    followUp: "`settle` (the workflow's cancel step)",
    suite: 'cancel',
    expected: { serves: 'old version', deployments: 'Stopped, rollback Succeeded', scaling: 'on', exit: 'killed, then 0' },
    async run({ aws, clock }) {
      // The release step and the cancel step, exactly as the workflow runs them.
      const steps = releaseJobSteps();
      const variables = jobVariables('prod', 'v1.1.0');
      const releaseStep = steps.find((step) => step.run?.startsWith('exec npm run deploy -- '));
      const cancelStep = steps.find((step) => step.if?.includes('cancelled()'));
      if (!releaseStep?.run || !cancelStep?.run) throw new Error('release-environment.yml: no release step, or no step that runs on cancel');
      const cli = startCli(aws, workflowCommand(releaseStep.run, variables), { killAfterMs: 30_000 });
      await waitForState(aws, ready, 'approval wait');
      await cli.waitForOutput(/waiting for approval until/);
      // The rollback cannot finish before the SIGKILL: emulated time stands still from the cancel on
      // (API calls are still answered: the stop is accepted, the rollback deployment created).
      clock.pause();
      const cancelled = await cancelLikeGithub(cli);
      expect(cancelled.signal).toBe('SIGKILL');
      expect(calls(aws, 'StopDeployment').map((call) => call.status)).toEqual([200]);
      expect(cancelled.stderr).toMatch(/SIGINT: stopping deployment d-\w+ with rollback so the old version keeps serving; please wait/);
      expect(cancelled.stderr).toMatch(/still stopping deployment d-\w+ and rolling back; .*if this process is killed, .*settle/);
      clock.resume();
      const step = await runCli(aws, workflowCommand(cancelStep.run, variables));
      expect(step.stdout).toMatch(/auto scaling restored/);
      return exitText([-1, exitOf(step)]);
    },
  },
  {
    fault: 'race',
    phase: 'after registration',
    env: 'prod',
    followUp: '`approve`',
    suite: 'races',
    // 20 releases at once: one wins CreateDeployment; the others end at the plan or at
    // CreateDeployment, never touching scaling, listeners or the service.
    expected: { serves: 'new version', deployments: 'Succeeded', scaling: 'on', exit: '0 (the other 19: 2), then 0' },
    async run(e2e) {
      const { raceTwenty } = await import('./races');
      return raceTwenty(e2e);
    },
  },
];

/** The table as docs/reliability.md shows it. */
export function reliabilityTable(cases: readonly ReliabilityCase[] = CASES): string {
  const header = ['| Fault | Phase | Env | Then | Serves | Deployments | Auto scaling | Exit |', '| --- | --- | --- | --- | --- | --- | --- | --- |'];
  const rows = cases.map((c) => `| ${c.fault} | ${c.phase} | ${c.env} | ${c.followUp ?? ''} | ${c.expected.serves} | ${c.expected.deployments} | ${c.expected.scaling} | ${c.expected.exit} |`);
  return [...header, ...rows].join('\n');
}

/** The exit column for runs where the harness killed the process (SIGKILL). */
export function exitText(exits: readonly number[]): string {
  return exits.map((code) => (code === -1 ? 'killed' : String(code))).join(', then ');
}

/** Run one row and assert its end state. */
export async function runCase(e2e: E2e, row: ReliabilityCase): Promise<void> {
  const exit = await row.run(e2e);
  expect(endState(e2e.aws.state(), row.env, exit)).toEqual(row.expected);
}
