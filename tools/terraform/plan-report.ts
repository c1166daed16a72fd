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
  /** Whether the plan refreshed that state from AWS first; @default false (offline) */
  readonly refreshed?: boolean;
  /** Present when Terraform planned; absent when it failed. */
  readonly summary?: PlanSummary;
  /** One line saying what failed. */
  readonly error?: string;
  /** Terraform's human-readable plan, relative to the repository. */
  readonly planText?: string;
  readonly seconds: number;
}

function stateDescription(result: StackPlanResult): string {
  const refresh = result.refreshed ? 'refreshed' : 'refresh skipped';
  return result.stateFile ? `${result.stateFile} (${refresh})` : `empty (new stack, ${refresh})`;
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
      refreshed: result.refreshed ?? false,
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

/** GitHub refuses an issue or pull-request comment longer than this many characters. */
export const COMMENT_LIMIT = 65_536;

/** Replaced and destroyed resources listed one by one in the comment; the rest are counted. */
export const CAUTION_ROWS = 100;

export interface PlanMarkdownOptions {
  /** Link to the job log, where the full plans are; @default the words "the job log" */
  readonly logUrl?: string;
  /** Longest comment in characters; @default COMMENT_LIMIT */
  readonly limit?: number;
  /** The heading; @default 'terraform plan' */
  readonly title?: string;
}

/** The run's log page on GitHub Actions, from the variables every job has; undefined elsewhere. */
export function jobLogUrl(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: run } = env;
  return server && repository && run ? `${server}/${repository}/actions/runs/${run}` : undefined;
}

function jobLog(options: PlanMarkdownOptions): string {
  return options.logUrl ? `[the job log](${options.logUrl})` : 'the job log';
}

/** Whether Terraform would do anything at all: resources or root outputs. */
function changes(summary: PlanSummary): boolean {
  return summary.add + summary.change + summary.destroy + summary.outputChanges > 0;
}

/** Failed first, then stacks replacing or destroying, then the other changes; each group in the given (dependency) order. */
function attentionRank(result: StackPlanResult): number {
  if (!result.summary) return 0;
  if (result.summary.destructive.length > 0) return 1;
  return changes(result.summary) ? 2 : 3;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function cautionBlock(results: readonly StackPlanResult[], options: PlanMarkdownOptions): string[] {
  const destructive = results.flatMap((result) => (result.summary?.destructive ?? []).map((change) => ({ result, change })));
  if (destructive.length === 0) return [];
  const replaced = destructive.filter(({ change }) => change.kind === 'replace').length;
  const hidden = destructive.length - CAUTION_ROWS;
  return [
    '> [!CAUTION]',
    `> **${replaced} resource(s) would be REPLACED and ${destructive.length - replaced} DESTROYED.** Check each before applying.`,
    '>',
    '> | environment | stack | action | resource | why |',
    '> |---|---|---|---|---|',
    ...destructive
      .slice(0, CAUTION_ROWS)
      .map(({ result, change }) => `> | ${cell(result.environment)} | ${code(result.stack)} | **${change.kind === 'replace' ? 'replace' : 'destroy'}** | ${code(change.address)} | ${cell(change.reason)} |`),
    ...(hidden > 0 ? ['>', `> ${hidden} more replaced or destroyed resource(s) are listed in ${jobLog(options)} (\`npm run plan\` prints each with \`!!\`).`] : []),
    '',
  ];
}

function failureBlock(results: readonly StackPlanResult[], options: PlanMarkdownOptions): string[] {
  const failed = results.filter((result) => !result.summary);
  if (failed.length === 0) return [];
  return ['> [!WARNING]', `> **terraform plan failed for ${failed.map((result) => result.stack).join(', ')}**; ${jobLog(options)} has Terraform's output.`, ''];
}

function countsCells(result: StackPlanResult): string[] {
  const summary = result.summary;
  if (!summary) return ['–', '–', '–', '–'];
  return [summary.add, summary.change, summary.destroy, summary.destructive.filter((change) => change.kind === 'replace').length].map(String);
}

function note(result: StackPlanResult): string {
  const summary = result.summary;
  if (!summary) return `**FAILED**: ${cell(result.error ?? 'terraform failed')}`;
  const destroyed = summary.destructive.filter((change) => change.kind === 'delete').length;
  const replaced = summary.destructive.length - destroyed;
  const words = [
    ...(replaced > 0 ? [`**replaces ${replaced}**`] : []),
    ...(destroyed > 0 ? [`**destroys ${destroyed}**`] : []),
    ...(summary.outputChanges > 0 ? [`${summary.outputChanges} output change(s)`] : []),
  ];
  return words.join(', ');
}

/**
 * One environment: a row per stack that fails or changes (most urgent first), the unchanged stacks
 * folded into one line, and the state planned against (once when every stack shares it).
 */
function environmentSection(environment: string, results: readonly StackPlanResult[]): string[] {
  const shown = results.filter((result) => attentionRank(result) < 3).sort((a, b) => attentionRank(a) - attentionRank(b));
  const unchanged = results.filter((result) => attentionRank(result) === 3);
  const failed = results.filter((result) => !result.summary).length;
  const states = [...new Set(results.map(stateDescription))];
  const oneState = states.length === 1;
  const headline = [`${plural(results.length - unchanged.length - failed, 'stack')} with changes`, ...(failed > 0 ? [`${failed} failed`] : []), `${unchanged.length} unchanged`];
  const lines = [`#### ${cell(environment)}: ${plural(results.length, 'stack')}, ${headline.join(', ')}`, ''];
  if (oneState) lines.push(`Planned against: ${cell(states[0])}.`, '');
  if (shown.length > 0) {
    lines.push(
      `| stack | add | change | destroy | replaced | |${oneState ? '' : ' state |'}`,
      `|---|---:|---:|---:|---:|---|${oneState ? '' : '---|'}`,
      ...shown.map((result) => `| ${code(result.stack)} | ${countsCells(result).join(' | ')} | ${note(result)} |${oneState ? '' : ` ${cell(stateDescription(result))} |`}`),
      '',
    );
  }
  if (unchanged.length > 0) {
    const names = unchanged.map((result) => code(result.stack)).join(' ');
    lines.push(unchanged.length === 1 ? `No changes: ${names}` : `<details><summary>${unchanged.length} stacks unchanged</summary>\n\n${names}\n\n</details>`, '');
  }
  return lines;
}

/**
 * Cuts a comment that is too long at a line boundary (closing a folded block it cut into) and
 * says where the rest is. Markdown is not parsed: only whole lines are kept.
 */
export function fitComment(markdown: string, options: PlanMarkdownOptions = {}): string {
  const limit = options.limit ?? COMMENT_LIMIT;
  if (markdown.length <= limit) return markdown;
  const ending = `\n\n> [!NOTE]\n> Cut here: the summary is longer than GitHub's ${limit}-character comment limit. Every stack's plan is in ${jobLog(options)} and the \`plan\` artifact.\n`;
  const kept: string[] = [];
  let length = 0;
  let open = 0;
  for (const line of markdown.split('\n')) {
    const opens = (line.match(/<details>/g) ?? []).length - (line.match(/<\/details>/g) ?? []).length;
    const closing = '\n</details>'.repeat(Math.max(0, open + opens));
    if (length + line.length + 1 + closing.length + ending.length > limit) break;
    kept.push(line);
    length += line.length + 1;
    open += opens;
  }
  return `${kept.join('\n')}${'\n</details>'.repeat(open)}${ending}`;
}

/**
 * The pull-request comment: failures and every replaced or destroyed resource first, then one
 * section per environment (in the order given) with a line per changed stack and the unchanged
 * stacks folded, so it stays readable at 51 stacks an environment; never longer than GitHub takes.
 */
export function planMarkdown(results: readonly StackPlanResult[], options: PlanMarkdownOptions = {}): string {
  const environments = [...new Set(results.map((result) => result.environment))];
  const changed = results.filter((result) => attentionRank(result) < 3).length;
  const lines = [
    PLAN_COMMENT_MARKER,
    `### ${options.title ?? 'terraform plan'}`,
    '',
    `${plural(environments.length, 'environment')}, ${plural(results.length, 'stack')}: ${changed} with changes or failed, ${results.length - changed} unchanged.`,
    '',
    ...failureBlock(results, options),
    ...cautionBlock(results, options),
    ...environments.flatMap((environment) => environmentSection(environment, results.filter((result) => result.environment === environment))),
  ];
  return fitComment(lines.join('\n'), options);
}
