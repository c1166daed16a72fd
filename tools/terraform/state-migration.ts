/**
 * One environment's move from one Terraform state to one state per stack. The shared stack keeps
 * the environment's existing state (same name, same local file or S3 key); each service's
 * resources move, unchanged and under the same address, to the state of the service's stack.
 * Nothing is created or destroyed in AWS: only state is written, in this order:
 *
 *   1. every state is read (`state pull`) and the move planned; a refusal changes nothing
 *   2. the shared state, as read, is written to a backup file
 *   3. each service stack's new state is pushed
 *   4. the shared state without the moved resources is pushed (serial + 1, same lineage)
 *
 * A run stopped between 3 and 4 leaves resources in two states; run it again: a service state
 * that holds exactly what would move there is recognized as written, and only step 4 runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { displayPath } from './environment';
import { openStackState, pullState, pushState, type BackendBlock, type StackState } from './state-backend';
import { applyMove, planMove, type Declared, type MovePlan, type TargetStack } from './state-move';

/** A stack as the migration sees it: its name, what it declares, where its state lives. */
export interface MigratingStack {
  readonly stack: string;
  readonly declared: Declared;
  readonly backend: BackendBlock;
}

export interface MigrationOptions {
  /** Only read and say what would move. */
  readonly dryRun: boolean;
  /** Where the backend-only working directories go. */
  readonly workDir: string;
  /** Where the backup of the shared state is written before anything else. */
  readonly backupDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly say: (line: string) => void;
  /** Clock for the backup's file name. */
  readonly now?: () => Date;
}

export interface MigrationResult {
  readonly plan?: MovePlan;
  /** Resources moved (or, with dryRun, that would move). */
  readonly moved: number;
  readonly backupFile?: string;
}

function describePlan(plan: MovePlan, dryRun: boolean, say: (line: string) => void): void {
  for (const move of plan.moves) {
    const outputs = move.outputs.length > 0 ? ` and ${move.outputs.length} output(s)` : '';
    const already = move.alreadyInTarget ? ' (already in its state from an earlier run: only removed from the source)' : '';
    say(`${plan.source} → ${move.stack}: ${move.addresses.length} resource(s)${outputs}${already}`);
    if (dryRun) for (const address of move.addresses) say(`  ${address}`);
  }
  say(`${plan.source} keeps ${plan.kept} resource(s) of its own`);
  if (plan.undeclared.length > 0) {
    say(`${plan.source}: ${plan.undeclared.length} resource(s) no stack declares stay where they are (its plan will show them destroyed; check before applying): ${plan.undeclared.join(', ')}`);
  }
}

/** Moves the resources of `stacks[1..]` out of the state of `stacks[0]` (the shared stack) into their own states. */
export async function migrateStates(stacks: readonly MigratingStack[], options: MigrationOptions): Promise<MigrationResult> {
  const { say, env } = options;
  const [shared, ...services] = stacks;
  const opened = new Map<string, StackState>();
  for (const stack of stacks) opened.set(stack.stack, await openStackState(stack.stack, stack.backend, options.workDir, env));
  const sourceState = await pullState(opened.get(shared.stack)!);
  if (!sourceState || sourceState.resources.length === 0) {
    say(`${shared.stack}: its state has no resources: nothing to move`);
    return { moved: 0 };
  }
  const source = { stack: shared.stack, declared: shared.declared, state: sourceState };
  const targets: TargetStack[] = [];
  for (const service of services) targets.push({ stack: service.stack, declared: service.declared, state: await pullState(opened.get(service.stack)!) });

  const plan = planMove(source, targets);
  const moved = plan.moves.reduce((sum, move) => sum + move.addresses.length, 0);
  if (moved === 0) {
    say(`${shared.stack}: nothing to move: each of its ${sourceState.resources.length} resource(s) is in the state of the stack that declares it`);
    if (plan.undeclared.length > 0) describePlan(plan, options.dryRun, say);
    return { plan, moved: 0 };
  }
  describePlan(plan, options.dryRun, say);
  if (options.dryRun) {
    say(`dry run: would move ${moved} resource(s) into ${plan.moves.length} stack state(s); nothing was written`);
    return { plan, moved };
  }

  mkdirSync(options.backupDir, { recursive: true });
  const stamp = (options.now?.() ?? new Date()).toISOString().replace(/[:.]/g, '-');
  const backupFile = join(options.backupDir, `${shared.stack}.serial-${sourceState.serial}.${stamp}.tfstate`);
  writeFileSync(backupFile, `${JSON.stringify(sourceState, null, 2)}\n`, { mode: 0o600 });
  say(`backup of ${shared.stack}'s state (serial ${sourceState.serial}): ${displayPath(backupFile)}`);

  const after = applyMove(source, targets, plan);
  for (const [stack, state] of after.targets) {
    await pushState(opened.get(stack)!, state);
    say(`${stack}: state written (${state.resources.length} resource(s), serial ${state.serial})`);
  }
  await pushState(opened.get(shared.stack)!, after.source);
  say(`${shared.stack}: state written (${after.source.resources.length} resource(s), serial ${after.source.serial})`);
  return { plan, moved, backupFile };
}

