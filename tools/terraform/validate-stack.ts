/** One stack's `terraform validate`, offline: no backend (and no remote state) is read. */
import { stackDirectory } from './workspace';
import { terraform } from './run';

/** Validates the offline synthesis of `stack`; returns "valid" or "valid, N warning(s)" with Terraform's words. */
export async function validateStack(stack: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = stackDirectory(stack, true);
  await terraform(['init', '-backend=false', '-input=false'], dir, env);
  const validate = await terraform(['validate'], dir, env);
  const output = `${validate.stdout}${validate.stderr}`;
  const warnings = (output.match(/^Warning: /gm) ?? []).length;
  return warnings > 0 ? `valid, ${warnings} warning(s):\n${output}` : 'valid';
}
