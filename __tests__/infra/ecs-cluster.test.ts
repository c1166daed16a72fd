import { EcsCluster as EcsClusterResource } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';
import { EcsCluster } from '../../modules/ecs-cluster';
import { synthScope } from '../support/synth';

const synth = (containerInsights?: boolean) =>
  synthScope((scope) => {
    new EcsCluster(scope, 'cluster', { name: 'shop-test', containerInsights });
  });

describe('EcsCluster', () => {
  it('turns Container Insights on by default and off when configured', () => {
    expect(synth()).toHaveResourceWithProperties(EcsClusterResource, { name: 'shop-test', setting: [{ name: 'containerInsights', value: 'enabled' }] });
    expect(synth(false)).toHaveResourceWithProperties(EcsClusterResource, { setting: [{ name: 'containerInsights', value: 'disabled' }] });
  });

  it('offers FARGATE and FARGATE_SPOT with on-demand FARGATE as the default strategy', () => {
    expect(synth()).toHaveResourceWithProperties(EcsClusterCapacityProviders, {
      capacity_providers: ['FARGATE', 'FARGATE_SPOT'],
      default_capacity_provider_strategy: [{ capacity_provider: 'FARGATE', weight: 1, base: 0 }],
    });
  });
});
