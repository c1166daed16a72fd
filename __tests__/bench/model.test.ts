/**
 * The bench model (bench/model.ts) computes release timelines from each service's settings. It
 * reads them from the configuration (and the release tool's own choice of hooks), so it runs
 * without cdktf; here each environment is synthesized once and every setting the model reads must
 * be the one the stacks create: the target group's health check and deregistration delay, the
 * deployment group's waits and traffic shift, the desired count, the verification hook.
 */
import { serviceNames, type EnvironmentConfig, type ServiceConfig } from '../../config';
import { modelInputs, trafficSteps } from '../../bench/model';
import { stackFacts, type EnvironmentFacts } from '../../tools/terraform/stack-facts';
import { allEnvironments } from '../infra/support';
import { synthEnvironmentStacks } from '../support/synth';

/** What the stacks give the settings the model reads, in the model's terms. */
function stackInputs(facts: EnvironmentFacts, env: EnvironmentConfig, service: ServiceConfig) {
  const names = serviceNames(env, service);
  const ecsService = facts.services.find((candidate) => candidate.name === names.service)!;
  const targetGroup = facts.targetGroups.find((group) => group.name === ecsService.loadBalancers[0]?.targetGroup);
  const group = facts.deploymentGroups.find((candidate) => candidate.service === names.service);
  const custom = facts.deploymentConfigs.find((config) => config.name === group?.deploymentConfig);
  const shift = custom ? { type: custom.type === 'TimeBasedCanary' ? ('canary' as const) : ('linear' as const), percentage: custom.percentage!, intervalMinutes: custom.intervalMinutes! } : group?.deploymentConfig;
  const verified = facts.verificationHooks.some((hook) => hook.targets[names.deploymentGroup]?.path !== undefined);
  return {
    desiredCount: ecsService.desiredCount,
    rolling: ecsService.controller === 'ECS',
    ...(targetGroup && {
      healthCheck: { intervalSeconds: targetGroup.healthCheck.intervalSeconds, healthyThreshold: targetGroup.healthCheck.healthyThreshold },
      deregistrationDelaySeconds: targetGroup.deregistrationDelaySeconds,
    }),
    ...(group && {
      terminationWaitMinutes: group.terminationWaitMinutes,
      approvalWaitMinutes: group.readyAction === 'STOP_DEPLOYMENT' ? group.readyWaitMinutes : undefined,
      trafficSteps: trafficSteps(shift as ServiceConfig['release']['deploymentConfig']),
      verificationHook: verified,
    }),
  };
}

/** The model's inputs, restricted to what the stacks say something about for this service. */
function modelled(env: EnvironmentConfig, service: ServiceConfig, expected: ReturnType<typeof stackInputs>) {
  const inputs = modelInputs(env, service);
  return {
    desiredCount: inputs.desiredCount,
    rolling: inputs.rolling,
    ...('healthCheck' in expected && { healthCheck: inputs.healthCheck, deregistrationDelaySeconds: inputs.deregistrationDelaySeconds }),
    ...('terminationWaitMinutes' in expected && {
      terminationWaitMinutes: inputs.terminationWaitMinutes,
      approvalWaitMinutes: inputs.approvalWaitMinutes,
      trafficSteps: trafficSteps(inputs.deploymentConfig),
      // The release runs the verification hook at AfterAllowTestTraffic, unless the service's own hook sits there.
      verificationHook: inputs.hookEvents.includes('AfterAllowTestTraffic') && !service.release.lifecycleHooks.AfterAllowTestTraffic,
    }),
  };
}

describe.each(allEnvironments().map((env) => [env.environment, env] as const))('the bench model of %s', (_, env: EnvironmentConfig) => {
  const facts = stackFacts(synthEnvironmentStacks(env));

  it.each(env.services.map((service) => [service.name, service] as const))('reads the settings the stacks give service %s', (_name, service) => {
    const expected = stackInputs(facts, env, service);
    expect(modelled(env, service, expected)).toEqual(expected);
  });
});
