/**
 * The parts of `terraform show -json <planfile>` these tools read. Terraform's JSON output format
 * 1.x: unknown keys are ignored, a different major version is refused.
 */
import { terraform } from './run';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** What Terraform will do to one object; a replacement is ["delete","create"] or ["create","delete"]. */
export type Action = 'no-op' | 'create' | 'read' | 'update' | 'delete' | 'forget';

export interface Change {
  readonly actions: readonly Action[];
  readonly before: Json;
  readonly after: Json;
  /** Mirrors `after`: true where the value is known only after apply. */
  readonly after_unknown?: Json;
  /** Mirror `before` / `after`: true where the value is sensitive. */
  readonly before_sensitive?: Json;
  readonly after_sensitive?: Json;
  /** Attribute paths that force the replacement. */
  readonly replace_paths?: readonly (readonly (string | number)[])[];
}

export interface ResourceChange {
  readonly address: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly provider_name: string;
  readonly change: Change;
  /** Why a replace or delete happens, e.g. replace_because_cannot_update. */
  readonly action_reason?: string;
}

export interface PlannedResource {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly provider_name: string;
  readonly values: JsonObject;
}

export interface PlanJson {
  readonly format_version: string;
  /** Present when the plan started from a state with resources. */
  readonly prior_state?: { readonly values?: { readonly root_module?: { readonly resources?: readonly unknown[] } } };
  readonly planned_values: { readonly root_module: { readonly resources?: readonly PlannedResource[] } };
  /** What applying the plan would do. */
  readonly resource_changes?: readonly ResourceChange[];
  /** Objects changed outside Terraform, found by the refresh before planning. */
  readonly resource_drift?: readonly ResourceChange[];
  readonly output_changes?: Readonly<Record<string, Change>>;
}

/** Parses show -json output, refusing a format this code does not know. */
export function parsePlanJson(text: string): PlanJson {
  const plan = JSON.parse(text) as PlanJson;
  if (typeof plan.format_version !== 'string' || !plan.format_version.startsWith('1.')) {
    throw new Error(`unsupported terraform show -json format_version ${String(plan.format_version)}; expected 1.x`);
  }
  return plan;
}

/** `terraform show -json <planFile>` in `dir`. */
export async function showPlan(dir: string, planFile: string, env: NodeJS.ProcessEnv): Promise<PlanJson> {
  return parsePlanJson((await terraform(['show', '-json', planFile], dir, env)).stdout);
}

/** Number of managed resources in the state the plan started from (data sources read while planning are there too, and do not count). */
export function priorResourceCount(plan: PlanJson): number {
  return ((plan.prior_state?.values?.root_module?.resources ?? []) as { mode?: string }[]).filter((resource) => resource.mode !== 'data').length;
}
