/**
 * The ECS cluster every service of an environment runs in.
 */
import { Construct } from 'constructs';
import { EcsCluster as EcsClusterResource } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';

export interface EcsClusterProps {
  /** Cluster name. */
  readonly name: string;
  /** Container Insights metrics for the cluster's services. @default true */
  readonly containerInsights?: boolean;
}

export class EcsCluster extends Construct {
  /** Cluster name. */
  public readonly clusterName: string;
  /** Cluster ARN. */
  public readonly clusterArn: string;

  constructor(scope: Construct, id: string, props: EcsClusterProps) {
    super(scope, id);
    const cluster = new EcsClusterResource(this, 'cluster', {
      name: props.name,
      setting: [{ name: 'containerInsights', value: (props.containerInsights ?? true) ? 'enabled' : 'disabled' }],
    });
    // FARGATE_SPOT is available for services that opt in; the default stays on-demand FARGATE.
    new EcsClusterCapacityProviders(this, 'capacity-providers', {
      clusterName: cluster.name,
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1, base: 0 }],
    });
    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;
  }
}
