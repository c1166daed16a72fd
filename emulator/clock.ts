/**
 * Emulated time.
 *
 * AWS durations (a 5-minute canary interval, a 60-minute approval wait) are far too long to wait
 * for in a test or a demo, so the emulator scales them: `timeScale` is the number of REAL
 * milliseconds one EMULATED second takes. At the test default of 10 ms, a one-minute termination
 * wait lasts 0.6 s; at 100 ms (demo) it lasts 6 s.
 *
 * Timestamps the APIs return stay real wall-clock `Date`s: only durations shrink. The simulation
 * advances in fixed steps of one emulated second on a grid anchored at the emulator's start, so
 * what happens when depends only on the clock, never on when requests happen to arrive.
 */
export type NowFn = () => number;

export class Clock {
  /** Real milliseconds per emulated second. */
  readonly timeScale: number;
  private readonly nowFn: NowFn;
  /** Real time (ms) of the last simulation step: the "present" every read sees. */
  private simulated: number;

  constructor(timeScale: number, nowFn: NowFn = Date.now) {
    if (!(timeScale > 0)) throw new Error(`timeScale must be a positive number of milliseconds, got ${timeScale}`);
    this.timeScale = timeScale;
    this.nowFn = nowFn;
    this.simulated = nowFn();
  }

  /** Real milliseconds that `seconds` emulated seconds take. */
  ms(seconds: number): number {
    return seconds * this.timeScale;
  }

  /** Emulated seconds between two real instants. */
  seconds(fromMs: number, toMs: number): number {
    return (toMs - fromMs) / this.timeScale;
  }

  /** The simulation's present (real ms); never ahead of the wall clock. */
  now(): number {
    return this.simulated;
  }

  /** The present as a Date, for API timestamps. */
  date(): Date {
    return new Date(this.simulated);
  }

  /** The wall clock (real ms). */
  wallClock(): number {
    return this.nowFn();
  }

  /** Next step instant, if it is due by the wall clock; the caller runs the step then commits it. */
  nextStepDue(): number | undefined {
    const next = this.simulated + this.timeScale;
    return next <= this.nowFn() ? next : undefined;
  }

  /** Move the present to a step instant (only forwards). */
  moveTo(ms: number): void {
    if (ms > this.simulated) this.simulated = ms;
  }
}
