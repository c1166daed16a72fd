/**
 * Listener default actions as CodeDeploy rewrites them: a forward to one target group, or a
 * weighted forward across two.
 */
import type { ForwardTarget, ListenerRecord } from '../model';

/** Percentage of a listener's traffic a target group receives (0 when not forwarded to). */
export function percentOn(listener: ListenerRecord, targetGroupArn: string): number {
  if (listener.defaultAction.type !== 'forward') return 0;
  const targets = listener.defaultAction.targets;
  const total = targets.reduce((sum, target) => sum + target.weight, 0);
  if (total === 0) return 0;
  const weight = targets.filter((target) => target.targetGroupArn === targetGroupArn).reduce((sum, target) => sum + target.weight, 0);
  return (weight / total) * 100;
}

export function setForward(listener: ListenerRecord, targets: ForwardTarget[]): void {
  listener.defaultAction = { type: 'forward', targets: targets.map((target) => ({ ...target })) };
}

/**
 * Send `percent` of a listener's traffic to `to` and the rest to `from`, as a weighted forward
 * (CodeDeploy leaves both target groups in the action, the old one at weight 0).
 */
export function shift(listener: ListenerRecord, to: string, from: string | undefined, percent: number): void {
  const targets: ForwardTarget[] = [{ targetGroupArn: to, weight: percent }];
  if (from && from !== to) targets.push({ targetGroupArn: from, weight: 100 - percent });
  setForward(listener, targets);
}

/** Route everything to `to`, leaving a listener that already does so untouched. */
export function routeAll(listener: ListenerRecord, to: string, from: string | undefined): void {
  if (listener.defaultAction.type === 'forward' && percentOn(listener, to) === 100) return;
  shift(listener, to, from, 100);
}
