/**
 * The outputs of `npm run plan`: a JSON document for machines and a Markdown summary ready to post
 * as a pull-request comment. Both are pure functions of the per-stack results.
 */
import type { DestructiveChange, PlanSummary } from './plan-summary';

/** Hidden in the rendered comment: lets a workflow find and update its own comment. */
export const PLAN_COMMENT_MARKER = '<!-- ecs-bluegreen-plan -->';

export interface StackPlanResult {
  readonly environment: string;
  readonly stack: string;
  /** The state planned against: undefined for an empty state (a new stack). */
  readonly stateFile?: string;
  /** Present when Terraform planned; absent when it failed. */
  readonly summary?: PlanSummary;
  /** One line saying what failed. */
  readonly error?: string;
  /** Terraform's human-readable plan, relative to the repository. */
  readonly planText?: string;
  readonly seconds: number;
}

function stateDescription(result: StackPlanResult): string {
  return result.stateFile ? `${result.stateFile} (refresh skipped)` : 'empty (new stack, refresh skipped)';
}

function byKind(changes: readonly DestructiveChange[], kind: DestructiveChange['kind']): { address: string; reason: string }[] {
  return changes.filter((change) => change.kind === kind).map(({ address, reason }) => ({ address, reason }));
}

/** The `--json` document. */
export function planDocument(results: readonly StackPlanResult[]): object {
  return {
    ok: results.every((result) => result.summary !== undefined),
    environments: results.map((result) => ({
      environment: result.environment,
      stack: result.stack,
      ok: result.summary !== undefined,
      state: result.stateFile ?? null,
      refreshed: false,
      ...(result.summary
        ? {
            add: result.summary.add,
            change: result.summary.change,
            destroy: result.summary.destroy,
            outputChanges: result.summary.outputChanges,
            replaced: byKind(result.summary.destructive, 'replace'),
            destroyed: byKind(result.summary.destructive, 'delete'),
          }
        : { error: result.error ?? 'terraform failed' }),
      planText: result.planText ?? null,
      seconds: Number(result.seconds.toFixed(1)),
    })),
  };
}

/** Text inside a Markdown table cell: pipes escaped, newlines flattened. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function code(text: string): string {
  return `\`${cell(text).replace(/`/g, "'")}\``;
}

/** The pull-request comment: a loud warning first when anything is replaced or destroyed, then a table. */
export function planMarkdown(results: readonly StackPlanResult[]): string {
  const lines = [PLAN_COMMENT_MARKER, '### terraform plan', ''];
  const destructive = results.flatMap((result) => (result.summary?.destructive ?? []).map((change) => ({ result, change })));
  if (destructive.length > 0) {
    const replaced = destructive.filter(({ change }) => change.kind === 'replace').length;
    lines.push(
      '> [!CAUTION]',
      `> **${replaced} resource(s) would be REPLACED and ${destructive.length - replaced} DESTROYED.** Check each before applying.`,
      '>',
      '> | environment | action | resource | why |',
      '> |---|---|---|---|',
      ...destructive.map(({ result, change }) => `> | ${cell(result.environment)} | **${change.kind === 'replace' ? 'replace' : 'destroy'}** | ${code(change.address)} | ${cell(change.reason)} |`),
      '',
    );
  }
  const failed = results.filter((result) => !result.summary);
  if (failed.length > 0) {
    lines.push('> [!WARNING]', `> **terraform plan failed for ${failed.map((result) => result.stack).join(', ')}**; the job log has Terraform's output.`, '');
  }
  lines.push('| environment | stack | add | change | destroy | replaced | state |', '|---|---|---:|---:|---:|---:|---|');
  for (const result of results) {
    const summary = result.summary;
    const counts = summary
      ? [summary.add, summary.change, summary.destroy, summary.destructive.filter((change) => change.kind === 'replace').length].map(String)
      : ['–', '–', '–', '–'];
    lines.push(`| ${cell(result.environment)} | ${code(result.stack)} | ${counts.join(' | ')} | ${cell(summary ? stateDescription(result) : `FAILED: ${result.error ?? 'terraform failed'}`)} |`);
  }
  lines.push('');
  return lines.join('\n');
}
