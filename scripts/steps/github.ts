/**
 * GitHub Actions: a markdown job summary appended to $GITHUB_STEP_SUMMARY, and ::notice:: or
 * ::error:: annotations when GITHUB_ACTIONS=true. Writing the summary may fail only as a warning.
 */
import { appendFileSync } from 'node:fs';
import { EXIT_CODE_HELP } from '../cli/exit-codes';
import type { Context } from '../context';
import type { ServiceResult } from './outcome';

function exitMeaning(code: number): string {
  return EXIT_CODE_HELP.find(([candidate]) => candidate === code)?.[1].split(' (')[0] ?? String(code);
}

function cell(text: string | undefined): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function jobSummary(command: string, results: readonly ServiceResult[]): string {
  const rows = results.map(
    (result) =>
      `| ${cell(`${result.environment}/${result.service}`)} | ${result.exitCode === 0 ? '✅' : '❌'} ${cell(exitMeaning(result.exitCode))} | ${cell(result.deploymentId)} | ${cell(result.taskDefinition?.split('/').pop())} | ${cell(result.image)} |`,
  );
  const verdicts = results.map((result) => `- ${result.verdict}`);
  return [`### ${command}`, '', '| Service | Outcome | Deployment | Revision | Image |', '| --- | --- | --- | --- | --- |', ...rows, '', ...verdicts, ''].join('\n');
}

/** The annotation line for one result, e.g. `::error title=deploy prod/web::...`. */
export function annotation(command: string, result: ServiceResult): string {
  const kind = result.exitCode === 0 ? 'notice' : 'error';
  const message = result.verdict.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  return `::${kind} title=${command} ${result.environment}/${result.service}::${message}`;
}

export function reportToGitHub(context: Context, command: string, results: readonly ServiceResult[], write = appendFileSync): void {
  const summaryFile = context.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) {
    try {
      write(summaryFile, `${jobSummary(command, results)}\n`);
    } catch (error) {
      context.out.warn(`could not write the job summary: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // Workflow commands are read from stdout and stderr alike; with --json, stdout stays pure JSON.
  if (context.env.GITHUB_ACTIONS === 'true') {
    for (const result of results) {
      if (context.out.json) process.stderr.write(`${annotation(command, result)}\n`);
      else context.out.line(annotation(command, result));
    }
  }
}
