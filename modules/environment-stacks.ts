/**
 * An environment's stacks, in dependency order (config/names.ts `environmentStacks`): the shared
 * stack, then one stack per service in configuration order. Not a construct: cdktf stacks are
 * children of the app, so this only creates them there and keeps them together.
 */
import { Construct } from 'constructs';
import { environmentNames, serviceStackName, type EnvironmentConfig } from '../config';
import { ServiceStack } from './service-stack';
import { SharedStack } from './shared-stack';

export class EnvironmentStacks {
  /** The shared stack (network, cluster, identity). */
  public readonly shared: SharedStack;
  /** One stack per service, in configuration order. */
  public readonly services: ServiceStack[];

  constructor(app: Construct, config: EnvironmentConfig) {
    this.shared = new SharedStack(app, environmentNames(config).stack, { config });
    this.services = config.services.map((service) => new ServiceStack(app, serviceStackName(config, service), { config, service, shared: this.shared }));
    // The plan role in the shared stack refreshes what every stack of the environment holds.
    for (const stack of this.services) this.shared.githubIdentity?.planAlso(stack);
  }

  /** Every stack, shared first. */
  public get all(): (SharedStack | ServiceStack)[] {
    return [this.shared, ...this.services];
  }
}
