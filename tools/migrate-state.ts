/**
 * Moves an environment from one Terraform state to one state per stack, destroying nothing: each
 * service's resources go, under the same address, from the environment's state (which the shared
 * stack keeps) to the state of the service's stack (tools/terraform/state-migration.ts). Works
 * with the local and the S3 backend alike, through `terraform state pull` and `state push`.
 *
 *   npm run migrate-state -- --env prod --dry-run   # list what would move, write nothing
 *   npm run migrate-state -- --env prod             # back up the state, then move
 *
 * Run it once, after pulling the split and before any plan or apply of the new stacks, with no
 * apply running (for S3: credentials that may write the state objects). A second run says there is
 * nothing to move. Steps before and after: docs/infrastructure.md ("Moving to one state per stack").
 *
 * Exit codes: 0 moved or nothing to move, 1 Terraform failed, 2 bad arguments or configuration,
 * 3 refused (a service stack's state already has other resources): nothing was changed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, environmentNamesList, environmentStacks, loadEnvironment } from '../config';
import { helpRequested } from './terraform/arguments';
import { quietEnvironment, terraformEnvironment, WORKDIR } from './terraform/environment';
import type { JsonObject } from './terraform/plan-json';
import { TerraformFailed } from './terraform/run';
import { backendOf } from './terraform/state-backend';
import { migrateStates, type MigratingStack } from './terraform/state-migration';
import { declaredIn, MoveRefused } from './terraform/state-move';
import { stackDirectory, synthesizeStacks } from './terraform/workspace';

const USAGE = 'usage: npm run migrate-state -- --env NAME [--dry-run]';
const HELP = `${USAGE}

Moves NAME from one Terraform state to one per stack: each service's resources, unchanged and
under the same address, from the environment's state (kept by the shared stack) to its own
stack's state. Nothing in AWS is touched. The environment's state is backed up first to
.tf/state-backups/ (it may hold secrets: keep it private, delete it once the new stacks plan clean).

  --env NAME   the environment (required)
  --dry-run    list what would move; write nothing
  -h, --help   this help

Needs Terraform on the PATH; with an S3 backend, AWS credentials that may write the state.
Exit codes: 0 moved or nothing to move, 1 Terraform failed, 2 bad arguments, 3 refused (nothing changed).`;

/** Where the backend-only working directories and the backups go (ignored by git). */
const WORK_DIR = join(WORKDIR, 'migrate-state');
const BACKUP_DIR = join(WORKDIR, 'state-backups');

function parse(argv: string[]): { environment: string; dryRun: boolean } {
  let values: { env?: string; 'dry-run'?: boolean };
  try {
    values = parseArgs({ args: argv, options: { env: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } }, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError([`${(error as Error).message.split(/\.\s|\n/)[0]}; ${USAGE}`]);
  }
  if (!values.env) throw new ConfigError([`--env is required: the migration moves one environment; ${USAGE}`]);
  if (!environmentNamesList().includes(values.env)) throw new ConfigError([`unknown environment "${values.env}"; use one of: ${environmentNamesList().join(', ')}`]);
  return { environment: values.env, dryRun: values['dry-run'] ?? false };
}

/** Every stack of the environment, shared first, with what it declares and where its state lives. */
function migratingStacks(environment: string): MigratingStack[] {
  // Offline synthesis (into .tf/synth/, never cdktf.out/): only the declarations and the backend block are read.
  const config = loadEnvironment(environment, { offline: true });
  synthesizeStacks([config], true);
  return environmentStacks(config).map(({ stack }) => {
    const synthesized = JSON.parse(readFileSync(join(stackDirectory(stack, true), 'cdk.tf.json'), 'utf8')) as JsonObject;
    // A local backend's path is relative to where `cdktf deploy` runs Terraform: cdktf.out/stacks/<stack>/.
    return { stack, declared: declaredIn(synthesized), backend: backendOf(synthesized, stackDirectory(stack)) };
  });
}

async function main(argv: string[]): Promise<number> {
  if (helpRequested(argv)) {
    console.log(HELP);
    return 0;
  }
  const options = parse(argv);
  const stacks = migratingStacks(options.environment);
  // Terraform reads the real backend: the person's credentials, not the offline synthesis' fake ones.
  const terraformEnv = terraformEnvironment(quietEnvironment('plan', false));
  console.log(`${options.environment}: ${stacks.length} stack(s); ${stacks[0].stack} keeps the environment's state`);
  const result = await migrateStates(stacks, { dryRun: options.dryRun, workDir: WORK_DIR, backupDir: BACKUP_DIR, env: terraformEnv.env, say: (line) => console.log(line) });
  if (result.moved > 0 && !options.dryRun) {
    console.log(
      `moved ${result.moved} resource(s) out of ${stacks[0].stack}'s state; next: plan ${stacks[0].stack} (nothing replaced or destroyed; it adds the outputs the service stacks read) and apply it, then plan each service stack (no changes): docs/infrastructure.md, "Moving to one state per stack"`,
    );
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof ConfigError) {
        console.error(error.problems.join('\n'));
        process.exitCode = 2;
      } else if (error instanceof MoveRefused) {
        console.error(error.message);
        process.exitCode = 3;
      } else if (error instanceof TerraformFailed) {
        console.error(`${error.message}\n${error.details ?? ''}`.trim());
        process.exitCode = 1;
      } else {
        throw error;
      }
    },
  );
}
