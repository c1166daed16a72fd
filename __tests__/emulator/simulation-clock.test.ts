/**
 * The simulation under a manual clock: what happens when is a function of the clock alone, and the
 * timings are those of simulation/timings.ts scaled by timeScale.
 */
import { loadEnvironment, serviceNames } from '../../config';
import { Emulator } from '../../emulator';
import { codeDeployHandler } from '../../emulator/services/codedeploy';
import { ecsHandler } from '../../emulator/services/ecs';
import { appSpec } from './support';

const START = Date.UTC(2030, 0, 1, 12, 0, 0);
const TIME_SCALE = 10;

/** Run one dev release on a clock moved by hand; returns the observable history. */
function release() {
  let now = START;
  const env = loadEnvironment('dev', { offline: true });
  const names = serviceNames(env, env.services[0]);
  const emulator = new Emulator({ environments: [env], timeScale: TIME_SCALE, now: () => now });
  const call = (handler: typeof ecsHandler, operation: string, input: unknown) => {
    emulator.sim.advance();
    return handler.operations[operation](input, { sim: emulator.sim, requestId: 'test' }) as Record<string, any>;
  };
  const current = call(ecsHandler, 'DescribeTaskDefinition', { taskDefinition: names.taskFamily }).taskDefinition;
  const registered = call(ecsHandler, 'RegisterTaskDefinition', {
    family: current.family,
    containerDefinitions: current.containerDefinitions,
    cpu: current.cpu,
    memory: current.memory,
    networkMode: current.networkMode,
    requiresCompatibilities: current.requiresCompatibilities,
  }).taskDefinition;
  const { deploymentId } = call(codeDeployHandler, 'CreateDeployment', {
    applicationName: names.codeDeployApplication,
    deploymentGroupName: names.deploymentGroup,
    revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec(registered.taskDefinitionArn) } },
  });
  const history: string[] = [];
  let last = '';
  for (let second = 1; second <= 150; second += 1) {
    now = START + second * TIME_SCALE;
    const info = call(codeDeployHandler, 'GetDeployment', { deploymentId }).deploymentInfo;
    // Targets are not listed until the deployment has started (DeploymentNotStartedException).
    const target =
      info.status === 'Created' ? undefined : call(codeDeployHandler, 'GetDeploymentTarget', { deploymentId, targetId: `shop-dev:${names.service}` }).deploymentTarget?.ecsTarget;
    const event = target?.lifecycleEvents.find((e: { status: string }) => e.status === 'InProgress')?.lifecycleEventName ?? '-';
    const line = `${info.status} ${event}${info.instanceTerminationWaitTimeStarted ? ' termination-wait' : ''}`;
    if (line !== last) history.push(`${second}s ${line}`);
    last = line;
  }
  const info = call(codeDeployHandler, 'GetDeployment', { deploymentId }).deploymentInfo;
  return { history, info, state: emulator.state() };
}

describe('the simulation clock', () => {
  it('moves a dev release through its lifecycle at the documented emulated times', () => {
    const { history, info } = release();
    expect(history).toEqual([
      '1s Created -',
      '2s InProgress BeforeInstall',
      '3s InProgress Install',
      // Replacement tasks launch at 3 s, run at 18 s, pass 2 health checks 10 s apart by 38 s.
      '38s InProgress AfterInstall',
      '39s InProgress AllowTestTraffic',
      '41s InProgress AfterAllowTestTraffic',
      '42s InProgress BeforeAllowTraffic',
      '43s InProgress AllowTraffic',
      '45s InProgress AfterAllowTraffic',
      '46s InProgress - termination-wait',
      // One minute of termination wait.
      '106s Succeeded - termination-wait',
    ]);
    expect(info.createTime).toEqual(new Date(START));
    expect(info.completeTime).toEqual(new Date(START + 106 * TIME_SCALE));
  });

  it('gives the same ids, timestamps and state for the same clock', () => {
    const first = release();
    const second = release();
    const comparable = (run: ReturnType<typeof release>) => ({ ...run.state, calls: [] });
    expect(comparable(second)).toEqual(comparable(first));
    expect(second.info).toEqual(first.info);
  });
});
