/**
 * The auto scaling suspension record (tag SCALING_RECORD_TAG_KEY on a service's scalable target):
 * written by the release tool (scripts/steps/auto-scaling.ts) and simulated by the drift
 * self-check (tools/terraform/releases.ts), so both use this one format.
 */

/** Application Auto Scaling's suspended state (the SDK's SuspendedState, without the SDK). */
export interface ScalingSuspension {
  readonly DynamicScalingInSuspended?: boolean;
  readonly DynamicScalingOutSuspended?: boolean;
  readonly ScheduledScalingSuspended?: boolean;
}

/** What a release wrote on the scalable target when it suspended scaling. */
export interface ScalingRecord {
  /** The state to restore. */
  readonly prior: ScalingSuspension;
  /** Epoch ms at which the holding run suspended (or took over) scaling: identifies that run. */
  readonly since: number;
  /**
   * The CodeDeploy deployment the suspension was taken for: scaling is restored only once it (and
   * any rollback of it) has ended. Absent in records written before releases named it.
   */
  readonly deployment?: string;
}

/** The record as a tag value: tag values allow letters, digits, spaces and `_ . : / = + - @`. */
export function formatScalingRecord(record: ScalingRecord): string {
  const { prior } = record;
  return `in=${prior.DynamicScalingInSuspended === true} out=${prior.DynamicScalingOutSuspended === true} scheduled=${prior.ScheduledScalingSuspended === true} since=${record.since}${record.deployment ? ` deployment=${record.deployment}` : ''}`;
}

/** The record from its tag value; undefined when the value is not one this tool wrote. */
export function parseScalingRecord(value: string | undefined): ScalingRecord | undefined {
  const match = /^in=(true|false) out=(true|false) scheduled=(true|false) since=(\d+)(?: deployment=(d-[A-Z0-9]+))?$/.exec(value ?? '');
  if (!match) return undefined;
  return {
    prior: { DynamicScalingInSuspended: match[1] === 'true', DynamicScalingOutSuspended: match[2] === 'true', ScheduledScalingSuspended: match[3] === 'true' },
    since: Number(match[4]),
    ...(match[5] ? { deployment: match[5] } : {}),
  };
}
