/**
 * Runs the policy rules over synthesized environments and renders the outcome: a table for
 * people (rule, environment, result, then one line per violation) and a JSON document for
 * machines. Pure functions: tools/policy.ts does the synthesizing and printing.
 */
import type { EnvironmentConfig } from '../config';
import { POLICY_RULES, type PolicyRule, type Violation } from './rules';
import type { Synthesized } from './synthesized';

export type RuleOutcome = 'pass' | 'fail' | 'not-applicable';

/** One rule over one environment. */
export interface RuleResult {
  readonly rule: PolicyRule;
  readonly environment: string;
  readonly outcome: RuleOutcome;
  readonly violations: readonly Violation[];
}

/** Every rule over one synthesized environment, in rule order. */
export function checkEnvironment(synthesized: Synthesized, config: EnvironmentConfig, rules: readonly PolicyRule[] = POLICY_RULES): RuleResult[] {
  return rules.map((rule) => {
    if (rule.appliesTo && !rule.appliesTo(synthesized, config)) return { rule, environment: config.environment, outcome: 'not-applicable', violations: [] };
    const violations = rule.check(synthesized, config);
    return { rule, environment: config.environment, outcome: violations.length > 0 ? 'fail' : 'pass', violations };
  });
}

function resultCell(result: RuleResult): string {
  if (result.outcome === 'fail') return `FAIL (${result.violations.length})`;
  return result.outcome === 'pass' ? 'pass' : 'n/a';
}

/** The report for people: the table, one line per violation, and a closing count. */
export function formatReport(results: readonly RuleResult[]): string {
  const rows = [['rule', 'environment', 'result'], ...results.map((result) => [result.rule.id, result.environment, resultCell(result)])];
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column].length)));
  const table = rows.map((row) => `${row[0].padEnd(widths[0])}  ${row[1].padEnd(widths[1])}  ${row[2]}`.trimEnd());
  const failed = results.filter((result) => result.outcome === 'fail');
  const violations = failed.flatMap((result) => result.violations.map((found) => `FAIL ${result.rule.id} [${result.environment}] ${found.address}: ${found.message}`));
  const count = (outcome: RuleOutcome) => results.filter((result) => result.outcome === outcome).length;
  const environments = new Set(results.map((result) => result.environment)).size;
  const summary = `${count('pass')} passed, ${count('fail')} failed, ${count('not-applicable')} not applicable (${results.length / Math.max(environments, 1)} rules × ${environments} environment(s))`;
  return [...table, ...(violations.length > 0 ? ['', ...violations] : []), '', summary, ''].join('\n');
}

/** The `--json` document. */
export function reportJson(results: readonly RuleResult[]): string {
  return `${JSON.stringify(
    {
      passed: results.every((result) => result.outcome !== 'fail'),
      results: results.map((result) => ({
        rule: result.rule.id,
        statement: result.rule.statement,
        environment: result.environment,
        result: result.outcome,
        violations: result.violations,
      })),
    },
    null,
    2,
  )}\n`;
}
