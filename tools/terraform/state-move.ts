/**
 * Moving resources between Terraform states as JSON, for the move from one state per environment
 * to one state per stack: each resource goes, unchanged, to the state of the stack whose
 * configuration declares its address. Pure functions; tools/terraform/state-backend.ts reads and
 * writes the states through Terraform itself (`state pull` / `state push`).
 *
 * What Terraform requires of the results (state format version 4): a state that continues another
 * keeps its lineage and gets a higher serial (a push of a lower serial, or of another lineage, is
 * refused); a state that starts a new history gets a new lineage and serial 1.
 */
import { randomUUID } from 'node:crypto';
import type { Json, JsonObject } from './plan-json';

/** One resource of a state file as Terraform 1.x writes it (instances kept as they are). */
export interface StateFileResource {
  readonly module?: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly provider: string;
  readonly instances: readonly Json[];
}

/** A state file, version 4; keys this code does not read are kept as they are. */
export interface StateFile {
  readonly version: 4;
  readonly terraform_version: string;
  readonly serial: number;
  readonly lineage: string;
  readonly outputs: Readonly<Record<string, Json>>;
  readonly resources: readonly StateFileResource[];
  readonly [key: string]: unknown;
}

/**
 * What a stack's synthesized configuration declares, by Terraform address. Managed resources only:
 * a data source is read again by every plan, so one in the old state needs no move (Terraform
 * drops it), and several stacks may declare the same one (each service stack reads the shared
 * stack's outputs through a `terraform_remote_state` of the same name).
 */
export interface Declared {
  /** `type.name` of each resource. */
  readonly addresses: ReadonlySet<string>;
  /** Root output names. */
  readonly outputs: ReadonlySet<string>;
}

/** The move would lose or clobber something; nothing was changed. */
export class MoveRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoveRefused';
  }
}

/** A resource's address as `terraform state list` prints it. */
export function resourceAddress(resource: Pick<StateFileResource, 'module' | 'mode' | 'type' | 'name'>): string {
  return `${resource.module ? `${resource.module}.` : ''}${resource.mode === 'data' ? 'data.' : ''}${resource.type}.${resource.name}`;
}

/** The resource addresses and the outputs of a synthesized `cdk.tf.json`. */
export function declaredIn(synthesized: JsonObject): Declared {
  const resources = Object.entries((synthesized.resource ?? {}) as Record<string, Record<string, unknown>>);
  return {
    addresses: new Set(resources.flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`))),
    outputs: new Set(Object.keys((synthesized.output ?? {}) as object)),
  };
}

/** The stack that keeps the environment's existing state (the shared stack), and what it declares. */
export interface SourceStack {
  readonly stack: string;
  readonly declared: Declared;
  readonly state: StateFile;
}

/** A stack resources may move to, with its current state (undefined: none yet). */
export interface TargetStack {
  readonly stack: string;
  readonly declared: Declared;
  readonly state?: StateFile;
}

export interface StackMove {
  readonly stack: string;
  /** Addresses moving into this stack's state, in the source state's order. */
  readonly addresses: readonly string[];
  /** Outputs copied with them (the target declares them and the source has a value). */
  readonly outputs: readonly string[];
  /**
   * The target already holds exactly these resources, as the source has them: an earlier run
   * wrote it and stopped before writing the source. Only the source is written this time.
   */
  readonly alreadyInTarget: boolean;
}

export interface MovePlan {
  readonly source: string;
  /** One entry per target that receives anything, in the order the targets were given. */
  readonly moves: readonly StackMove[];
  /** Resources the source keeps because its own configuration declares them. */
  readonly kept: number;
  /** Resources no stack declares: the source keeps them, and its plan would destroy them. */
  readonly undeclared: readonly string[];
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Which resources move where: each to the one target that declares its address. Refuses an
 * address two stacks declare, and a target whose state already has resources, unless those are
 * exactly what would move there (a run that stopped half-way).
 */
export function planMove(source: SourceStack, targets: readonly TargetStack[]): MovePlan {
  const owners = new Map<string, string>();
  for (const target of [source, ...targets]) {
    for (const address of target.declared.addresses) {
      const owner = owners.get(address);
      if (owner) throw new MoveRefused(`${address} is declared by both ${owner} and ${target.stack}; each resource must belong to one stack`);
      owners.set(address, target.stack);
    }
  }
  const resources = source.state.resources;
  const moves = targets.flatMap((target): StackMove[] => {
    const moving = resources.filter((resource) => target.declared.addresses.has(resourceAddress(resource)));
    if (moving.length === 0) return [];
    const present = target.state?.resources ?? [];
    const alreadyInTarget = present.length > 0 && present.length === moving.length && present.every((resource, index) => same(resource, moving[index]));
    if (present.length > 0 && !alreadyInTarget) {
      const names = present.slice(0, 3).map(resourceAddress).join(', ');
      throw new MoveRefused(
        `${target.stack}'s state already has ${present.length} resource(s) (${names}${present.length > 3 ? ', ...' : ''}) while ${source.stack}'s still has ${moving.length} for it; refusing to merge states: nothing was changed`,
      );
    }
    const outputs = Object.keys(source.state.outputs).filter((name) => target.declared.outputs.has(name));
    return [{ stack: target.stack, addresses: moving.map(resourceAddress), outputs, alreadyInTarget }];
  });
  const kept = resources.filter((resource) => source.declared.addresses.has(resourceAddress(resource))).length;
  const undeclared = resources.filter((resource) => resource.mode === 'managed').map(resourceAddress).filter((address) => !owners.has(address));
  return { source: source.stack, moves, kept, undeclared };
}

/** The states after the move: the source without the moved resources, and each target's new state. */
export function applyMove(source: SourceStack, targets: readonly TargetStack[], plan: MovePlan, newLineage: () => string = randomUUID): { source: StateFile; targets: Map<string, StateFile> } {
  const moved = new Set(plan.moves.flatMap((move) => move.addresses));
  const movedOutputs = new Set(plan.moves.flatMap((move) => move.outputs).filter((name) => !source.declared.outputs.has(name)));
  const written = new Map<string, StateFile>();
  for (const move of plan.moves) {
    if (move.alreadyInTarget) continue;
    const target = targets.find((candidate) => candidate.stack === move.stack)!;
    const addresses = new Set(move.addresses);
    const outputs = Object.fromEntries(move.outputs.map((name) => [name, source.state.outputs[name]]));
    const resources = source.state.resources.filter((resource) => addresses.has(resourceAddress(resource)));
    written.set(
      move.stack,
      target.state
        ? // An empty state the stack already has (e.g. from an earlier init): continue its history.
          { ...target.state, serial: target.state.serial + 1, outputs: { ...target.state.outputs, ...outputs }, resources }
        : { version: 4, terraform_version: source.state.terraform_version, serial: 1, lineage: newLineage(), outputs, resources, check_results: null },
    );
  }
  const remaining: StateFile = {
    ...source.state,
    serial: source.state.serial + 1,
    outputs: Object.fromEntries(Object.entries(source.state.outputs).filter(([name]) => !movedOutputs.has(name))),
    resources: source.state.resources.filter((resource) => !moved.has(resourceAddress(resource))),
  };
  return { source: remaining, targets: written };
}
