/**
 * The shared stack's state as a fresh apply leaves it, fabricated offline: what a service stack's
 * `terraform_remote_state` reads when it is planned, validated against drift or self-checked
 * offline. An offline plan starts from an empty state, where the shared stack has no outputs yet;
 * the service stacks then read the outputs this state holds (the values apply-state.ts gives what
 * AWS computes), through the override prepareWorkspace writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildState, type Schemas } from './apply-state';
import { showPlan, type JsonObject, type PlanJson } from './plan-json';
import { terraform } from './run';
import { prepareWorkspace } from './workspace';

/** Writes the state applying `plan` (of the shared stack in `dir`) would leave, as `dir/shared-applied.tfstate`; returns its path. */
export function writeSharedState(dir: string, plan: PlanJson, schemas: Schemas): string {
  const synthesized = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as JsonObject;
  const file = join(dir, 'shared-applied.tfstate');
  writeFileSync(file, JSON.stringify(buildState(plan, synthesized, schemas), null, 2));
  return file;
}

/**
 * One fabricated state per shared stack and process: planned once in `.tf/shared-state/<stack>/`
 * (or taken from a plan already made with `remember`), then shared by every service stack.
 */
export class SharedStates {
  private readonly states = new Map<string, Promise<string>>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly schemasOnce: (dir: string) => Promise<Schemas>,
  ) {}

  /** The state file for `shared`, built from a plan of it against an empty state made elsewhere (in `dir`). */
  remember(shared: string, dir: string, plan: PlanJson): Promise<string> {
    const state = this.schemasOnce(dir).then((schemas) => writeSharedState(dir, plan, schemas));
    this.states.set(shared, state);
    return state;
  }

  /** The state file for `shared`: remembered, or planned now. */
  stateOf(shared: string): Promise<string> {
    let state = this.states.get(shared);
    if (!state) {
      state = this.build(shared);
      this.states.set(shared, state);
    }
    return state;
  }

  private async build(shared: string): Promise<string> {
    const workspace = await prepareWorkspace(shared, { purpose: 'shared-state' }, this.env);
    await terraform(['plan', '-input=false', '-lock=false', '-refresh=false', '-out=shared.tfplan'], workspace.dir, this.env);
    const plan = await showPlan(workspace.dir, 'shared.tfplan', this.env);
    return writeSharedState(workspace.dir, plan, await this.schemasOnce(workspace.dir));
  }
}
