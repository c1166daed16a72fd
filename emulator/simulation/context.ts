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

/** A hook function invocation CodeDeploy makes (the event CodeDeploy passes the function). */
export interface HookInvocation {
  readonly functionName: string;
  readonly deploymentId: string;
  readonly lifecycleEventHookExecutionId: string;
  readonly lifecycleEvent: string;
}

/** Runs a hook function the emulator can run; false when it cannot (the event then completes on its own timer). */
export type HookInvoker = (invocation: HookInvocation) => boolean;

export interface SimContext {
  readonly world: World;
  readonly clock: Clock;
  readonly ids: IdFactory;
  readonly options: SimulationOptions;
  /** Runs hook functions named in AppSpecs (emulator/verification-hook.ts). @default none */
  readonly hookInvoker?: HookInvoker;
}
