/**
 * The unit tests' fake AWS (support/fake-aws.ts) is a hand-written picture of one service of an
 * environment. It stays hand-written, because each test file builds many fake worlds and
 * synthesizing the stacks for each would cost seconds per file; instead this test synthesizes
 * each environment once and checks that whatever the fake answers to the release tool's SDK calls
 * agrees with the stacks' facts (tools/terraform/stack-facts.ts). What the fake leaves out is not
 * checked; what it says must be what the stacks create.
 */
import { serviceNames } from '../../config';
import { stackFacts, type EnvironmentFacts } from '../../tools/terraform/stack-facts';
import { comparable, observedFacts } from '../support/observed-facts';
import { synthEnvironmentStacks } from '../support/synth';
import { fakeWorld } from './support/fake-aws';

/** The stacks' facts about one service: its resources only. */
function factsOfService(facts: EnvironmentFacts, env: Parameters<typeof serviceNames>[0], service: Parameters<typeof serviceNames>[1]): EnvironmentFacts {
  const names = serviceNames(env, service);
  const groups = facts.deploymentGroups.filter((group) => group.service === names.service);
  return {
    clusters: facts.clusters,
    services: facts.services.filter((candidate) => candidate.name === names.service),
    listeners: facts.listeners.filter((listener) => listener.loadBalancer === names.loadBalancer),
    targetGroups: facts.targetGroups.filter((group) => names.targetGroups.includes(group.name)),
    deploymentGroups: groups,
    deploymentConfigs: facts.deploymentConfigs.filter((config) => groups.some((group) => group.deploymentConfig === config.name)),
    scalableTargets: facts.scalableTargets.filter((target) => target.resourceId === names.scalableResourceId),
    verificationHooks: [],
  };
}

/**
 * What the fake answers on purpose differently from a freshly applied stack, and why:
 * - its task definitions carry a log-router sidecar: the release tool must keep the base revision's sidecars;
 * - its listeners forward as after earlier releases (CodeDeploy owns the forwards, Terraform ignores them).
 */
function withoutScenario(facts: EnvironmentFacts): EnvironmentFacts {
  return {
    ...facts,
    services: facts.services.map((service) => ({ ...service, taskDefinition: service.taskDefinition && { ...service.taskDefinition, containers: service.taskDefinition.containers.filter((container) => container.name !== 'log-router') } })),
    listeners: facts.listeners.map(({ forwardsTo: _forwardsTo, ...listener }) => listener),
  };
}

describe.each(['prod', 'dev', 'preview'] as const)('the fake AWS world of %s', (name) => {
  const world = fakeWorld(name);
  const env = world.target.env;
  const stack = comparable(withoutScenario(factsOfService(stackFacts(synthEnvironmentStacks(env)), env, world.target.service)));
  let fake: EnvironmentFacts;
  beforeAll(async () => {
    fake = comparable(withoutScenario(await observedFacts(world.clients, env, [world.target.service])));
  });

  it.each(['services', 'listeners', 'targetGroups', 'deploymentGroups', 'deploymentConfigs', 'scalableTargets'] as const)('answers only %s the stacks create', (kind) => {
    expect(stack[kind]).toMatchObject(fake[kind]);
  });
});
