/**
 * Chat notification: a Slack-compatible `{ text }` POST to the URL held in the environment
 * variable the configuration names (`chatWebhookEnv`). A failure to notify is a warning; it never
 * changes the exit code.
 */
import type { EnvironmentConfig } from '../../config';
import type { Context } from '../context';
import type { ServiceResult } from './outcome';

export function notificationText(command: string, env: EnvironmentConfig, results: readonly ServiceResult[]): string {
  const ok = results.every((result) => result.exitCode === 0);
  const head = `${ok ? '✅' : '❌'} ${env.app} ${env.environment}: ${command} ${ok ? 'succeeded' : 'did not succeed'}`;
  return [head, ...results.map((result) => `• ${result.verdict}`)].join('\n');
}

export async function notifyChat(context: Context, command: string, env: EnvironmentConfig, results: readonly ServiceResult[]): Promise<void> {
  const url = context.env[env.chatWebhookEnv];
  if (!url) return;
  if (!/^https?:\/\//.test(url)) {
    context.out.warn(`${env.chatWebhookEnv} is not an http(s) URL; no chat notification sent`);
    return;
  }
  try {
    const response = await context.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: notificationText(command, env, results) }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) context.out.warn(`chat notification failed: HTTP ${response.status}`);
  } catch (error) {
    context.out.warn(`chat notification failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
