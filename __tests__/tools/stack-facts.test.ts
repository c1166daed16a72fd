/**
 * stackFacts reads an environment from all its stack documents: today one per environment, after
 * the split a shared stack plus one per service whose references to the shared stack are
 * `${data.terraform_remote_state.<x>.outputs.<output>}` expressions. Here the two-service
 * environment is read from such stacks (cut by hand while synthesis gives one document), and the
 * facts must not change and must name everything.
 */
import { environmentNames } from '../../config';
import type { Synthesized } from '../../policy/synthesized';
import { FactsError, stackFacts } from '../../tools/terraform/stack-facts';
import { twoServiceEnvironment } from '../infra/support';
import { comparable } from '../support/observed-facts';
import { synthEnvironmentStacks } from '../support/synth';

type Resources = NonNullable<Synthesized['resource']>;

/** `whole` cut into a shared stack (everything not under `service-<name>`) and one stack per service, reading the shared one's outputs. */
function cutIntoStacks(whole: Synthesized, services: readonly string[]): Synthesized[] {
  const ownerOf = (id: string) => services.find((service) => id.startsWith(`service-${service}_`)) ?? 'shared';
  const parts = new Map<string, Resources>(['shared', ...services].map((part) => [part, {}]));
  for (const [type, byId] of Object.entries(whole.resource ?? {})) {
    for (const [id, body] of Object.entries(byId)) {
      const part = parts.get(ownerOf(id))!;
      part[type] = { ...part[type], [id]: body };
    }
  }
  const sharedOutputs: Record<string, { value: unknown }> = {};
  const readShared = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value.replace(/\$\{([a-z0-9_]+)\.([^.}]+)\.([a-z_]+)\}/g, (reference, type: string, id: string, attribute: string) => {
        if (ownerOf(id) !== 'shared') return reference;
        const output = `${type}_${id}_${attribute}`.replace(/[^A-Za-z0-9_]/g, '_');
        sharedOutputs[output] = { value: reference };
        return `\${data.terraform_remote_state.shared.outputs.${output}}`;
      });
    }
    if (Array.isArray(value)) return value.map(readShared);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, readShared(field)]));
    return value;
  };
  const serviceStacks = services.map((service) => ({ provider: whole.provider, resource: readShared(parts.get(service)) as Resources }));
  return [{ provider: whole.provider, resource: parts.get('shared'), output: sharedOutputs }, ...serviceStacks];
}

describe('the facts of an environment', () => {
  const env = twoServiceEnvironment();
  const documents = synthEnvironmentStacks(env);
  const [whole] = documents;
  const stacks = documents.length === 1 ? cutIntoStacks(whole, env.services.map((service) => service.name)) : documents;

  it('are the same read from one stack or from a shared stack and one per service, every name resolved', () => {
    expect(JSON.stringify(stacks)).toContain('${data.terraform_remote_state.');
    const facts = stackFacts(stacks);
    expect(JSON.stringify(facts)).not.toContain('${');
    expect(facts.services.map((service) => service.cluster)).toEqual(env.services.map(() => environmentNames(env).cluster));
    expect(comparable(facts)).toEqual(comparable(stackFacts(documents)));
  });

  it('keep a name read from a stack that is not given as its expression, and everything else', () => {
    const [service] = stackFacts([stacks[1]]).services;
    const complete = stackFacts(stacks).services.find((candidate) => candidate.name === service.name)!;
    const remote = Object.entries(service).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(complete[key as keyof typeof complete]));
    expect(remote.length).toBeGreaterThan(0);
    for (const [, value] of remote) expect(value).toMatch(/^\$\{data\.terraform_remote_state\.[^}]+\}$/);
  });

  it('follow a remote state to the stack whose state it reads when several stacks have an output of that name', () => {
    const stackWithCluster = (stack: string, cluster: string): Synthesized => ({
      terraform: { backend: { local: { path: `../../../terraform.${stack}.tfstate` } } },
      resource: { aws_ecs_cluster: { cluster: { name: cluster } } },
      output: { cluster_name: { value: '${aws_ecs_cluster.cluster.name}' } },
    });
    const service: Synthesized = {
      data: { terraform_remote_state: { shared: { backend: 'local', config: { path: '../shop-two/terraform.shop-two.tfstate' } } } },
      resource: {
        aws_ecs_task_definition: { task: { family: 'shop-two-web', cpu: '256', memory: '512', execution_role_arn: 'arn:aws:iam::123456789012:role/shop-two-web-execution', task_role_arn: 'arn:aws:iam::123456789012:role/shop-two-web-task', container_definitions: '[]' } },
        aws_ecs_service: { service: { name: 'shop-two-web', cluster: '${data.terraform_remote_state.shared.outputs.cluster_name}', task_definition: '${aws_ecs_task_definition.task.arn}', desired_count: 1, launch_type: 'FARGATE' } },
      },
    };
    const facts = stackFacts([stackWithCluster('shop-other', 'shop-other'), stackWithCluster('shop-two', 'shop-two'), service]);
    expect(facts.services.map((candidate) => [candidate.cluster, candidate.taskDefinition.taskRole])).toEqual([['shop-two', 'shop-two-web-task']]);
  });

  it('say which reference they cannot follow', () => {
    const broken = JSON.parse(JSON.stringify(stacks.find((document) => document.resource?.aws_ecs_service))) as Synthesized;
    const [service] = Object.values(broken.resource!.aws_ecs_service);
    service.task_definition = '${aws_ecs_task_definition.missing.arn}';
    expect(() => stackFacts([broken])).toThrow(new FactsError('${aws_ecs_task_definition.missing.arn} names no resource of its stack'));
  });
});
