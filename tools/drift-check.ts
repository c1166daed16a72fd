/**
 * Kept for existing callers: `npm run drift-check -- [--env NAME | --all]` is
 * `npm run drift -- --self-check [--env NAME | --all]` (tools/drift.ts, steps in
 * tools/terraform/self-check.ts): with the real Terraform, offline, releases are never drift,
 * a non-release change is, and plan --state calls out replacements and deletions.
 *
 * Exit codes: 0 every stack passed, 1 a check or Terraform failed, 2 bad arguments.
 */
import { runDrift } from './drift';

if (require.main === module) {
  runDrift(['--self-check', ...process.argv.slice(2)]).then((code) => {
    process.exitCode = code;
  });
}
