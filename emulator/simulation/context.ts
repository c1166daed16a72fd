/**
 * What every part of the simulation shares: the world, the clock, the id factory and the options.
 */
import type { Clock } from '../clock';
import type { IdFactory } from '../ids';
import type { World } from '../model';

export interface SimulationOptions {
  /**
   * Emulated minutes CodeDeploy waits for a replacement task set to become healthy before failing
   * Install. AWS waits 60; the default is shorter so a failing release is seen in seconds.
   */
  replacementTimeoutMinutes: number;
}

export interface SimContext {
  readonly world: World;
  readonly clock: Clock;
  readonly ids: IdFactory;
  readonly options: SimulationOptions;
}
