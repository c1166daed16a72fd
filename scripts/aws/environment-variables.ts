/**
 * Every environment variable the release tool (or the AWS SDK on its behalf) reads, checked
 * before the first AWS call. A value the SDK would silently drop (a region that is not a region
 * falls back to the environment's own, a garbled ECS_BG_MAX_ATTEMPTS to the default) or trip on
 * halfway (a malformed endpoint URL) is bad input naming the variable and the fix. Secret values
 * (the chat webhook URL) are never echoed.
 */
import type { EnvironmentConfig } from '../../config';
import { BadInputError } from '../cli/errors';

type EnvironmentVariables = Readonly<Record<string, string | undefined>>;

/** The per-service endpoint variables of the clients the tool builds (AWS SDK "service-specific endpoints"). */
export const SERVICE_ENDPOINT_VARIABLES = [
  'AWS_ENDPOINT_URL_ECS',
  'AWS_ENDPOINT_URL_CODEDEPLOY',
  'AWS_ENDPOINT_URL_ECR',
  'AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2',
  'AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING',
  'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS',
] as const;

/** Whole-number tuning variables of the tool: name → bounds. */
export const NUMBER_VARIABLES: Readonly<Record<string, { readonly min: number; readonly max: number; readonly what: string }>> = {
  ECS_BG_POLL_MS: { min: 1, max: 600_000, what: 'milliseconds between status polls' },
  ECS_BG_MAX_ATTEMPTS: { min: 1, max: 20, what: 'SDK attempts per call' },
  ECS_BG_REQUEST_TIMEOUT_MS: { min: 100, max: 600_000, what: 'milliseconds one HTTP request may take' },
};

/** Every `ECS_BG_*` variable the tool reads; any other is a typo that would be silently ignored. */
export const TOOL_VARIABLES = [...Object.keys(NUMBER_VARIABLES), 'ECS_BG_OFFLINE', 'ECS_BG_DEBUG'] as const;

/** AWS region codes as AWS spells them: `ap-northeast-1`, `us-gov-west-1`, `eu-central-2`. */
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
/** A shared-config profile name: printable, no spaces (the SDK looks it up in ~/.aws/config). */
const PROFILE = /^[A-Za-z0-9_.+=,@-]{1,128}$/;
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** The variables holding chat webhook URLs: every environment's `chatWebhookEnv`. */
export function webhookVariables(environments: readonly Pick<EnvironmentConfig, 'chatWebhookEnv'>[]): string[] {
  return [...new Set(environments.map((env) => env.chatWebhookEnv))];
}

/** `AWS_REGION` and `AWS_DEFAULT_REGION`: an AWS region code, and the environment's own region. */
function regionProblem(name: string, value: string, env: EnvironmentConfig): string | undefined {
  if (!REGION.test(value)) return `${name} "${printable(value)}" is not an AWS region code: set ${name}=${env.region} (environment ${env.environment}'s region) or unset it`;
  if (value !== env.region) {
    return `${name} ${value} differs from environment ${env.environment}'s region ${env.region}: releasing there would find nothing or the wrong thing; unset it or set ${name}=${env.region}`;
  }
  return undefined;
}

/** An endpoint variable: an absolute http(s) URL with a host, as the SDK's endpoint resolution needs. */
function endpointProblem(name: string, value: string): string | undefined {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || !url.hostname || CONTROL_CHARACTER.test(value) || /\s/.test(value)) {
    return `${name} "${printable(value)}" is not an http(s) URL: set it like https://ecs.ap-northeast-1.amazonaws.com or http://127.0.0.1:4566, or unset it`;
  }
  return undefined;
}

function numberProblem(name: string, value: string): string | undefined {
  const { min, max, what } = NUMBER_VARIABLES[name];
  const number = Number(value);
  if (/^\d+$/.test(value) && number >= min && number <= max) return undefined;
  return `${name} "${printable(value)}" must be a whole number from ${min} to ${max} (${what}); fix it or unset it for the default`;
}

/** A chat webhook URL: https (or http) with a host. The value is a secret and never printed. */
function webhookProblem(name: string, value: string): string | undefined {
  if (endpointProblem(name, value) === undefined) return undefined;
  return `${name} is set but is not an http(s) URL (its value is secret and not shown): set the full webhook URL, or unset it to send no chat notification`;
}

/** Every problem with the variables the tool reads, first one first; none means all are usable. */
export function environmentVariableProblems(vars: EnvironmentVariables, env: EnvironmentConfig, webhooks: readonly string[] = [env.chatWebhookEnv]): string[] {
  const problems: string[] = [];
  const set = (name: string): string | undefined => (vars[name] === undefined || vars[name] === '' ? undefined : vars[name]);
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
    const value = set(name);
    const problem = value === undefined ? undefined : regionProblem(name, value, env);
    if (problem) problems.push(problem);
  }
  const profile = set('AWS_PROFILE');
  if (profile !== undefined && !PROFILE.test(profile)) {
    problems.push(`AWS_PROFILE "${printable(profile)}" is not a profile name (letters, digits and _.+=,@- only): set it to a profile in ~/.aws/config, or unset it`);
  }
  if (profile !== undefined && set('AWS_ACCESS_KEY_ID') !== undefined) {
    // The SDK would take the profile and print a seven-line warning about the ignored keys.
    problems.push('AWS_PROFILE and AWS_ACCESS_KEY_ID are both set, and the SDK would quietly prefer the profile: unset one of them');
  }
  if (set('AWS_ACCESS_KEY_ID') !== undefined && set('AWS_SECRET_ACCESS_KEY') === undefined) {
    problems.push('AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY, so the SDK would ignore it: set both, or unset AWS_ACCESS_KEY_ID');
  }
  for (const name of ['AWS_ENDPOINT_URL', ...SERVICE_ENDPOINT_VARIABLES]) {
    const value = set(name);
    const problem = value === undefined ? undefined : endpointProblem(name, value);
    if (problem) problems.push(problem);
  }
  for (const name of Object.keys(NUMBER_VARIABLES)) {
    const value = set(name);
    const problem = value === undefined ? undefined : numberProblem(name, value);
    if (problem) problems.push(problem);
  }
  const offline = set('ECS_BG_OFFLINE');
  if (offline !== undefined && !/^(1|0|true|false)$/i.test(offline)) {
    problems.push(`ECS_BG_OFFLINE "${printable(offline)}" must be 1, true, 0 or false`);
  }
  for (const name of Object.keys(vars).filter((key) => key.startsWith('ECS_BG_')).sort()) {
    if (!(TOOL_VARIABLES as readonly string[]).includes(name)) {
      problems.push(`${name} is not a variable the release tool reads (a typo?); it reads ${TOOL_VARIABLES.join(', ')}: rename or unset it`);
    }
  }
  for (const name of webhooks) {
    const value = set(name);
    const problem = value === undefined ? undefined : webhookProblem(name, value);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** Throws bad input for the first problem (one line); the others follow once it is fixed. */
export function checkEnvironmentVariables(vars: EnvironmentVariables, env: EnvironmentConfig, webhooks?: readonly string[]): void {
  const [first] = environmentVariableProblems(vars, env, webhooks);
  if (first) throw new BadInputError(first);
}

/** A value as it may be shown on one line: control characters escaped, long values cut. */
function printable(value: string): string {
  const escaped = JSON.stringify(value).slice(1, -1);
  return escaped.length > 80 ? `${escaped.slice(0, 77)}...` : escaped;
}
