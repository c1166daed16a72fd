/**
 * The simulation loop: advances the emulated account one emulated second at a time until it
 * catches up with the wall clock. It runs before every request (so a response always reflects the
 * present) and on a timer (so deployments progress while nobody is asking).
 */
import { Clock, type NowFn } from '../clock';
import { IdFactory } from '../ids';
import { emptyWorld, type World } from '../model';
import type { HookInvoker, SimContext, SimulationOptions } from './context';
import { stepDeployments } from './codedeploy';
import { stepServices } from './ecs';
import { failDueTasks, pruneStoppedTasks } from './tasks';

/** More steps than this behind (the process was suspended): jump instead of replaying them. */
const MAX_CATCH_UP_STEPS = 500_000;

export class Simulation implements SimContext {
  world: World;
  readonly clock: Clock;
  ids: IdFactory;
  readonly options: SimulationOptions;
  hookInvoker?: HookInvoker;

  constructor(options: { timeScale: number; accountId: string; now?: NowFn } & SimulationOptions) {
    this.clock = new Clock(options.timeScale, options.now);
    this.world = emptyWorld(options.accountId);
    this.ids = new IdFactory(options.accountId);
    this.options = { replacementTimeoutMinutes: options.replacementTimeoutMinutes };
  }

  /** Start over with an empty account (ids restart too, so a reset run repeats a fresh one). */
  clear(): void {
    this.world = emptyWorld(this.world.accountId);
    this.ids = new IdFactory(this.world.accountId);
  }

  /** Run every step that is due by the wall clock. */
  advance(): void {
    let steps = 0;
    for (let due = this.clock.nextStepDue(); due !== undefined; due = this.clock.nextStepDue()) {
      this.step(due);
      this.clock.moveTo(due);
      steps += 1;
      if (steps >= MAX_CATCH_UP_STEPS) {
        const wall = this.clock.wallClock();
        this.clock.moveTo(wall - ((wall - this.clock.now()) % this.clock.timeScale));
        break;
      }
    }
  }

  private step(now: number): void {
    const failed = new Set(failDueTasks(this, now).map((task) => task.id));
    stepServices(this, failed, now);
    stepDeployments(this, now);
    // Task sets a deployment created or deleted in this step get their tasks in the same step.
    stepServices(this, new Set(), now);
    pruneStoppedTasks(this, now);
  }
}
