/**
 * One environment's stacks (the shared stack and one per service) read as the single stack they
 * were before the split: every resource, data source, local and output, with each cross-stack
 * reference (`${data.terraform_remote_state.<input>.outputs.<output>}`) replaced by the expression
 * the shared stack outputs (`${aws_vpc.network_vpc_….id}`). The policy rules and the infrastructure
 * tests judge this view, so a rule that looks across resources (a listener and its target groups,
 * a load balancer and the hook's security group) sees both ends wherever they live.
 */
import type { Synthesized } from './synthesized';

/** One synthesized stack of an environment. */
export interface StackJson {
  readonly stack: string;
  readonly synthesized: Synthesized;
}

/** The prefix cdktf gives the remote-state data source a stack reads another stack through. */
const REMOTE_STATE_INPUT = 'cross-stack-reference-input-';
/** The prefix of the outputs cdktf adds to a stack another stack reads. */
const CROSS_STACK_OUTPUT = 'cross-stack-output-';
const REMOTE_OUTPUT_REFERENCE = /data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g;

type Json = unknown;

/** `value` with every remote-state output reference replaced through `resolve`. */
function rewrite(value: Json, resolve: (input: string, output: string) => string): Json {
  if (typeof value === 'string') return value.replace(REMOTE_OUTPUT_REFERENCE, (_, input: string, output: string) => resolve(input, output));
  if (Array.isArray(value)) return value.map((item) => rewrite(item, resolve));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rewrite(item, resolve)]));
  return value;
}

/** `into[group][id] = body` for every entry, refusing an id two stacks both declare. */
function mergeGroups(into: Record<string, Record<string, Json>>, groups: Record<string, Record<string, Json>> | undefined, stack: string, skip: (group: string, id: string) => boolean = () => false): void {
  for (const [group, byId] of Object.entries(groups ?? {})) {
    for (const [id, body] of Object.entries(byId)) {
      if (skip(group, id)) continue;
      into[group] ??= {};
      if (id in into[group]) throw new Error(`${group}.${id} is declared by two stacks of the environment (again in ${stack})`);
      into[group][id] = body;
    }
  }
}

/**
 * The environment view of `stacks` (shared stack first). Throws when a stack's provider settings
 * differ from the shared stack's (every stack must tag, ignore and reach AWS alike), when two
 * stacks declare the same address, or when a reference names an output no stack has.
 */
export function environmentView(stacks: readonly StackJson[]): Synthesized {
  const [shared] = stacks;
  if (!shared) throw new Error('an environment has at least its shared stack');
  const provider = JSON.stringify(shared.synthesized.provider);
  for (const { stack, synthesized } of stacks) {
    if (JSON.stringify(synthesized.provider) !== provider) throw new Error(`the provider of stack ${stack} differs from the shared stack's ${shared.stack}`);
  }
  const byName = new Map(stacks.map((entry) => [entry.stack, entry.synthesized]));
  const resolve = (input: string, output: string): string => {
    const producer = input.startsWith(REMOTE_STATE_INPUT) ? byName.get(input.slice(REMOTE_STATE_INPUT.length)) : undefined;
    const value = producer?.output?.[output]?.value;
    const expression = typeof value === 'string' ? /^\$\{(.*)\}$/s.exec(value)?.[1] : undefined;
    if (expression === undefined) throw new Error(`no stack outputs ${output} for ${input}`);
    return expression;
  };

  const resource: Record<string, Record<string, Json>> = {};
  const data: Record<string, Record<string, Json>> = {};
  const locals: Record<string, Json> = {};
  const output: Record<string, Json> = {};
  for (const { stack, synthesized } of stacks) {
    const view = rewrite(synthesized, resolve) as Synthesized & { locals?: Record<string, Json> };
    mergeGroups(resource, view.resource, stack);
    mergeGroups(data, view.data, stack, (group, id) => group === 'terraform_remote_state' && id.startsWith(REMOTE_STATE_INPUT));
    mergeGroups({ locals }, { locals: view.locals ?? {} }, stack);
    mergeGroups({ output }, { output: (view.output ?? {}) as Record<string, Json> }, stack, (_, id) => id.startsWith(CROSS_STACK_OUTPUT));
  }
  return {
    resource: resource as Synthesized['resource'],
    ...(Object.keys(data).length > 0 ? { data: data as Synthesized['data'] } : {}),
    ...(Object.keys(locals).length > 0 ? { locals } : {}),
    provider: shared.synthesized.provider,
    terraform: shared.synthesized.terraform,
    output: output as Synthesized['output'],
  } as Synthesized;
}
