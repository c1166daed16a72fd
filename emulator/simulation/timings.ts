/**
 * How long things take, in EMULATED seconds (the clock scales them to real time).
 *
 * Roughly what Fargate, ALB and CodeDeploy take in practice, rounded: the point is the order of
 * events and their relative length, not precision.
 */
export const TIMINGS = {
  /** A Fargate task is PROVISIONING (ENI attach) this long… */
  provisioning: 5,
  /** …then PENDING (image pull) until RUNNING at provisioning + pending. */
  pending: 10,
  /** A missing image fails the pull this long after launch (CannotPullContainerError). */
  pullFailure: 10,
  /** A stopped task spends this long in STOPPING after draining, then is STOPPED. */
  stopping: 5,
  /** A task with a bad image and no load balancer exits this long after RUNNING. */
  crashWithoutLoadBalancer: 20,
  /** CodeDeploy: Created → InProgress. */
  deploymentStart: 2,
  /** A lifecycle hook the AppSpec names no function for. */
  hookWithoutFunction: 1,
  /** A lifecycle hook whose (emulated) Lambda function runs. */
  hookWithFunction: 5,
  /** Rerouting a listener (AllowTestTraffic, the final AllowTraffic step). */
  reroute: 2,
  /** Lifecycle events of a rollback deployment, each. */
  rollbackEvent: 1,
  /** Stopped tasks stay listed this long (ECS keeps them about an hour). */
  stoppedTaskRetention: 3600,
} as const;

/** Total seconds from launch to RUNNING. */
export const RUNNING_AFTER = TIMINGS.provisioning + TIMINGS.pending;
