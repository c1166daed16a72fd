/**
 * The example worker (a service with `kind: 'worker'`, no load balancer): the same image as the
 * web server, started with APP_ROLE=worker. It runs a job every JOB_INTERVAL_SECONDS (default 60)
 * that takes JOB_SECONDS (default 30): the place where a real worker takes a queue message or a
 * scheduled batch.
 *
 * Long jobs survive releases in two ways (docs/releases.md):
 * - while a job runs the task is scale-in protected (task-protection.js), so a rolling release or
 *   a scale-in leaves it running until the job clears protection, for at most the job's length
 *   plus a minute should the job die without clearing it;
 * - on SIGTERM (a release or scale-in stopping the task, or StopTask) it takes no new job,
 *   finishes the one in flight, clears protection and exits 0, within the container's stop
 *   timeout (`stopTimeoutSeconds`, up to 120 s on Fargate) for jobs shorter than that.
 */
'use strict';
const { setTaskProtection } = require('./task-protection');

function log(event, fields = {}) {
  console.log(JSON.stringify({ event, ...fields }));
}

function seconds(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number of seconds, got "${process.env[name]}"`);
  return value;
}

/** One job: here it only takes its time; a real worker processes its message or batch. */
function runJob(jobSeconds) {
  return new Promise((resolve) => setTimeout(resolve, jobSeconds * 1000));
}

function runWorker() {
  const intervalSeconds = seconds('JOB_INTERVAL_SECONDS', 60);
  const jobSeconds = seconds('JOB_SECONDS', 30);
  let stopping = false;
  let wake;

  const stop = (signal) => {
    log('stopping', { signal });
    stopping = true;
    wake?.();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  /** Waits until the next job is due, or until a stop signal ends the wait early. */
  const idle = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function loop() {
    let job = 0;
    while (!stopping) {
      job += 1;
      try {
        // Protected for the job's length plus a minute: cleared as soon as the job ends.
        const protection = await setTaskProtection(true, jobSeconds / 60 + 1);
        if (stopping) {
          await setTaskProtection(false);
          break;
        }
        log('job started', { job, protectedUntil: protection?.ExpirationDate });
      } catch (error) {
        // Never run a job the scheduler could stop half-way: skip this round.
        log('job skipped', { job, reason: error.message });
        await idle(intervalSeconds * 1000);
        continue;
      }
      try {
        await runJob(jobSeconds);
        log('job finished', { job });
      } finally {
        await setTaskProtection(false).catch((error) => log('protection not cleared', { job, reason: error.message }));
      }
      if (!stopping) await idle(intervalSeconds * 1000);
    }
    log('stopped');
    process.exit(0);
  }

  log('worker started', { intervalSeconds, jobSeconds });
  loop().catch((error) => {
    log('worker failed', { reason: error.message });
    process.exit(1);
  });
}

module.exports = { runWorker };
