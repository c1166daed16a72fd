/** Flag parsing for the commands that take a target and a few flags. */
import { parseFlags, TARGET_OPTIONS, type OptionSpec } from '../cli/args';
import { checkDeploymentIdFormat } from '../steps/deployment-id';
import { resolveTargets, type ReleaseTarget } from '../steps/target';

export function parseTargetCommand<T extends OptionSpec>(
  command: string,
  argv: readonly string[],
  extra: T,
  options: { allowMany: boolean; defaultAll?: boolean },
) {
  const flags = parseFlags(command, argv, { ...TARGET_OPTIONS, ...extra });
  const values = flags as Record<string, unknown>;
  if (values.help) return { flags, targets: [] as ReleaseTarget[], help: true };
  if (typeof values['deployment-id'] === 'string') checkDeploymentIdFormat(values['deployment-id']);
  const service = values.service as string | undefined;
  const all = (values.all as boolean | undefined) ?? (options.defaultAll && service === undefined);
  const targets = resolveTargets({ env: values.env as string | undefined, service, all }, { allowMany: options.allowMany });
  return { flags, targets, help: false };
}
