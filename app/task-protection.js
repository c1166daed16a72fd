/**
 * ECS task scale-in protection from inside the task: a PUT to the ECS agent's endpoint
 * `$ECS_AGENT_URI/task-protection/v1/state` (ECS developer guide, "Amazon ECS task scale-in
 * protection endpoint"). While protected, neither a scale-in nor a rolling release stops the task;
 * protection ends when cleared or after `ExpiresInMinutes` (1-2880, 120 by default), so a job that
 * dies never holds its task forever. ECS sets ECS_AGENT_URI in every task; where it is unset (a
 * local run) there is nothing to protect and the calls do nothing.
 */
'use strict';

/** Longest protection the endpoint accepts, in minutes (48 hours). */
const MAX_PROTECTION_MINUTES = 2880;

/**
 * Sets (`enabled`) or clears the task's protection. Resolves to the agent's `protection`
 * (`{ ProtectionEnabled, ExpirationDate, TaskArn }`), or undefined outside ECS; rejects when the
 * agent reports an error or a failure, so a job never runs believing it is protected.
 */
async function setTaskProtection(enabled, expiresInMinutes, agentUri = process.env.ECS_AGENT_URI) {
  if (!agentUri) return undefined;
  const body = { ProtectionEnabled: enabled };
  if (enabled && expiresInMinutes !== undefined) body.ExpiresInMinutes = Math.min(MAX_PROTECTION_MINUTES, Math.max(1, Math.ceil(expiresInMinutes)));
  const response = await fetch(`${agentUri}/task-protection/v1/state`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const answer = await response.json().catch(() => ({}));
  const problem = answer.error ?? answer.failure;
  if (!response.ok || problem || !answer.protection) {
    throw new Error(`task protection ${enabled ? 'set' : 'clear'} failed: HTTP ${response.status} ${JSON.stringify(problem ?? answer)}`);
  }
  return answer.protection;
}

module.exports = { setTaskProtection, MAX_PROTECTION_MINUTES };
