/**
 * The emulator stands in for what `cdktf deploy` created: where the release tool relies on
 * something the stack sets, the seed must set the same, or the end-to-end tests prove nothing.
 *
 * The seed (emulator/seed.ts) is written from the configuration, not read from the synthesized
 * stacks: the emulator must start in a fraction of a second without cdktf (the demo and every e2e
 * test start one). So this test synthesizes each environment once, reads its facts
 * (tools/terraform/stack-facts.ts) and compares them with what the seeded emulator answers to the
 * release tool's own SDK calls: a change in modules/ that the seed does not follow fails here.
 */
import { environmentNames, environmentNamesList, hasVerificationHook, loadEnvironment } from '../../config';
import { targetsOf as verificationTargetsOf } from '../../emulator/verification-hook';
import { stackFacts, type EnvironmentFacts } from '../../tools/terraform/stack-facts';
import { comparable, observedFacts } from '../support/observed-facts';
import { synthEnvironmentStacks } from '../support/synth';
import { setUp, type Setup } from './support';

describe.each(environmentNamesList())('the seeded %s environment, beside its synthesized stacks', (name) => {
  const config = loadEnvironment(name, { offline: true });
  const stack = comparable(stackFacts(synthEnvironmentStacks(config)));
  let setup: Setup;
  let seeded: EnvironmentFacts;
  beforeAll(async () => {
    setup = await setUp(name);
    const observed = await observedFacts(setup.clients, config);
    // The deregistration delay is a target group attribute the release tool never reads: from the seeded record.
    const delays = new Map(setup.aws.emulator.sim.world.targetGroups.map((group) => [group.name, group.deregistrationDelaySeconds]));
    seeded = comparable({
      ...observed,
      targetGroups: observed.targetGroups.map((group) => ({ ...group, deregistrationDelaySeconds: delays.get(group.name)! })),
      clusters: [...setup.aws.emulator.sim.world.clusters.keys()],
    });
  });
  afterAll(() => setup.close());

  it.each(['clusters', 'services', 'listeners', 'targetGroups', 'deploymentGroups', 'deploymentConfigs', 'scalableTargets'] as const)('has the %s the stacks create', (kind) => {
    expect(seeded[kind]).toEqual(stack[kind]);
  });

  it('runs the verification hook the stacks create, checking the same test listener ports and paths, logging where the stacks say', () => {
    const expected = stack.verificationHooks.map((hook) => ({
      functionName: hook.functionName,
      logGroup: hook.logGroup,
      // The function reaches the emulated test listener over plain HTTP: the protocol is the emulator's own.
      targets: Object.fromEntries(Object.entries(hook.targets).map(([group, { protocol: _protocol, ...target }]) => [group, target])),
    }));
    // The function the emulator runs, and the log group it writes the function's output to (emulator/verification-hook.ts).
    const names = environmentNames(config);
    const targets = Object.entries(verificationTargetsOf(config)).map(([group, target]) => [group, comparable({ port: target.port, path: target.path, tries: target.tries })]);
    const emulated = hasVerificationHook(config) ? [{ functionName: names.verificationHook, logGroup: names.verificationHookLogGroup, targets: Object.fromEntries(targets) }] : [];
    expect(emulated).toEqual(expected);
  });
});
