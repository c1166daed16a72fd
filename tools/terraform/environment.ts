/**
 * Where the tools work and how Terraform is started: quiet child environments, the CLI config
 * that installs providers from a local mirror, and the directories under the repository.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
/** cdktf's output, as `cdktf deploy` uses it. */
export const OUTDIR = join(ROOT, 'cdktf.out');
/** Ignored by git: CLI config, plugin cache, offline working copies and their local state. */
export const WORKDIR = join(ROOT, '.tf');
/**
 * Offline synthesis (fake credentials, skipped AWS checks in the provider block): never cdktf.out/,
 * where a later `cdktf deploy` or `terraform` run would pick those settings up.
 */
export const OFFLINE_OUTDIR = join(WORKDIR, 'synth');
/** Where the provider mirror usually lives on CI machines and this repository's dev containers. */
const DEFAULT_MIRROR = '/opt/tf-plugins';

/** The tools' commands; every one but `synth` runs Terraform. */
export type ToolCommand = 'synth' | 'validate' | 'plan' | 'drift';

/**
 * Variables for every child process: no update checks, no telemetry; offline (fake credentials in
 * the synthesized provider) unless told otherwise or only synthesizing.
 */
export function quietEnvironment(command: ToolCommand, offline: boolean = command !== 'synth'): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CHECKPOINT_DISABLE: '1',
    DISABLE_VERSION_CHECK: '1',
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
    CDKTF_DISABLE_TELEMETRY: 'true',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    ...(offline ? { ECS_BG_OFFLINE: '1' } : {}),
  };
}

/** A directory laid out as a Terraform filesystem mirror that holds hashicorp/aws, if any. */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env, fallback = DEFAULT_MIRROR): string | undefined {
  if (env.TF_PLUGIN_MIRROR) return env.TF_PLUGIN_MIRROR;
  return existsSync(join(fallback, 'registry.terraform.io', 'hashicorp', 'aws')) ? fallback : undefined;
}

/**
 * The Terraform CLI config: providers from the mirror when there is one (offline), else the
 * registry as usual with a shared plugin cache so `--all` downloads once.
 */
export function cliConfig(mirror: string | undefined, pluginCache: string): string {
  if (mirror) {
    return [
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = ${JSON.stringify(mirror)}`,
      '    include = ["registry.terraform.io/hashicorp/*"]',
      '  }',
      '  direct {',
      '    exclude = ["registry.terraform.io/hashicorp/*"]',
      '  }',
      '}',
      '',
    ].join('\n');
  }
  return [`plugin_cache_dir = ${JSON.stringify(pluginCache)}`, 'provider_installation {', '  direct {}', '}', ''].join('\n');
}

/** The environment Terraform runs in: quiet, plus `.tf/terraform.rc` as its CLI config. */
export interface TerraformEnvironment {
  readonly env: NodeJS.ProcessEnv;
  /** The mirror providers come from; undefined means a registry download. */
  readonly mirror?: string;
}

/** Writes `.tf/terraform.rc` (never the home directory) and points TF_CLI_CONFIG_FILE at it. */
export function terraformEnvironment(base: NodeJS.ProcessEnv): TerraformEnvironment {
  const mirror = findProviderMirror(base);
  const pluginCache = join(WORKDIR, 'plugin-cache');
  mkdirSync(pluginCache, { recursive: true });
  const file = join(WORKDIR, 'terraform.rc');
  writeFileSync(file, cliConfig(mirror, pluginCache));
  return { env: { ...base, TF_CLI_CONFIG_FILE: file }, mirror };
}

/** One line saying where providers come from. */
export function providerSource(mirror: string | undefined): string {
  return mirror ? `providers: filesystem mirror ${mirror}` : 'providers: registry download (no mirror found; set TF_PLUGIN_MIRROR to use one)';
}

/** A path for messages: relative inside the repository, absolute outside it. */
export function displayPath(path: string): string {
  const inside = relative(ROOT, path);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}
