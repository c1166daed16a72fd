/**
 * Terraform on the PATH, checked once before anything needs it: synthesis (cdktf validates the
 * `terraform_data` resources by running `terraform version`), validate, plan and drift. Without
 * it, commands say so in one line instead of failing deep inside cdktf with a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { ConfigError } from '../../config';

/** The oldest Terraform the stacks and tools work with (S3 native state locking arrived in 1.10). */
export const TERRAFORM_MINIMUM = [1, 10] as const;
export const TERRAFORM_INSTALL_URL = 'https://developer.hashicorp.com/terraform/install';

/** The one line a command prints when Terraform is missing or too old; undefined when it is fine. */
export function terraformProblem(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const binary = env.TERRAFORM_BINARY_NAME ?? 'terraform';
  const needed = `Terraform ${TERRAFORM_MINIMUM.join('.')} or newer`;
  // No CLI configuration for `version`: a missing ~/.terraformrc warning is not our business here.
  const result = spawnSync(binary, ['version', '-json'], { encoding: 'utf8', env: { ...env, TF_CLI_CONFIG_FILE: '/dev/null' } });
  if (result.error || result.status !== 0) {
    return `${binary} is not on the PATH: this command needs ${needed} (${TERRAFORM_INSTALL_URL}; or set TERRAFORM_BINARY_NAME)`;
  }
  const version = /"terraform_version":\s*"(\d+)\.(\d+)\.(\d+)/.exec(result.stdout);
  if (!version) return undefined;
  const [major, minor] = [Number(version[1]), Number(version[2])];
  const tooOld = major < TERRAFORM_MINIMUM[0] || (major === TERRAFORM_MINIMUM[0] && minor < TERRAFORM_MINIMUM[1]);
  return tooOld ? `${binary} is ${version.slice(1).join('.')}: this command needs ${needed} (${TERRAFORM_INSTALL_URL})` : undefined;
}

let checked = false;

/** Throws a one-line ConfigError when Terraform is missing or too old; checks once per process. */
export function requireTerraform(env: NodeJS.ProcessEnv = process.env): void {
  if (checked) return;
  const problem = terraformProblem(env);
  if (problem) throw new ConfigError([problem]);
  checked = true;
}
