/**
 * Proves with the real Terraform and provider, offline, that `npm run drift` and `npm run plan`
 * detect what they must and nothing else. Per stack, in `.tf/self-check/<stack>/`:
 *
 *   1. build the state an apply would leave (apply-state.ts), not planned on its own:
 *   2. the provider's first refresh of it (refresh.ts): empty maps and lists, 0 for unset nested
 *      numbers, rules, routes and role policies read into their group, table and role, target
 *      groups attached                                       → plan with the real provider: no
 *                                                              change; drift with that refresh: clean
 *   3. change it as releases do and as AWS then reads it (releases.ts, refresh.ts: the new target
 *      group attached, listeners forwarding 100 / 0)         → plan: no change; drift: still clean
 *   4. negative controls, one per kind of change a refresh can find: an extra security group rule,
 *      route, tag, managed and inline role policy, alarm action → each reported by name
 *   5. change a non-release attribute (target group health check path)
 *                                                              → drift: exactly that attribute
 *   6. also remove the service's task_definition ignore        → drift: that attribute and each
 *                                                                service's task_definition, nothing else
 *   7. a forcing-new change (task definition cpu) and a resource the code no longer has
 *                                                              → plan --state: both called out as
 *                                                                replaced / destroyed, also in the Markdown;
 *                                                                each service only retagged in place
 *                                                                (TerraformRevision), nothing releases own
 *
 * The states are kept there, so any step can be replayed by hand with
 * `npm run drift -- --env NAME --state .tf/self-check/<stack>/<step>.tfstate`, and the plans with
 * the modelled refresh are kept as `<step>.plan.json` (`terraform show -json` with `resource_drift`).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT, buildState, StateBuildError, TERRAFORM_REVISION, type Schemas, type State, type StateResource } from './apply-state';
import { detectDrift } from './drift-stack';
import { driftReport, ignoredAttributes, type DriftReport } from './drift-report';
import { displayPath } from './environment';
import { showPlan, type Change, type JsonObject, type PlanJson, type ResourceChange } from './plan-json';
import { planMarkdown } from './plan-report';
import { planStack } from './plan-stack';
import { refreshAfterApply, refreshDrift, refreshTargetGroups } from './refresh';
import { attributesOf, RELEASE_REVISION, simulateReleases } from './releases';
import { terraform } from './run';
import { prepareWorkspace, type Workspace } from './workspace';

/** A self-check step did not see what it had to; `details` shows what it saw instead. */
export class SelfCheckFailed extends Error {
  constructor(
    message: string,
    readonly details?: string,
  ) {
    super(message);
    this.name = 'SelfCheckFailed';
  }
}

const CHANGED_HEALTH_CHECK_PATH = '/changed-outside-terraform';
const CHANGED_CPU = '4096';
const ORPHAN_NAME = 'orphan_left_by_removed_code';

function describe(report: DriftReport): string {
  return JSON.stringify(report.entries, null, 2);
}

function clone(state: State): State {
  return JSON.parse(JSON.stringify(state)) as State;
}

function saveState(workspace: Workspace, name: string, state: State): string {
  const file = join(workspace.dir, `${name}.tfstate`);
  const numbered = { ...state, serial: state.serial + 1 };
  writeFileSync(file, JSON.stringify(numbered, null, 2));
  copyFileSync(file, workspace.stateFile);
  return file;
}

/** One attribute differs, on one resource, updated in place, with exactly these values. */
function expectOnly(report: DriftReport, expected: { address: string; path: string; before: string; after: string }[], step: string): void {
  const actual = report.entries.flatMap((entry) =>
    entry.kind === 'update' && entry.source === 'planned' ? entry.attributes.map((attribute) => ({ address: entry.address, ...attribute })) : [{ address: entry.address, path: `(${entry.kind})`, before: '', after: '' }],
  );
  const key = (item: { address: string; path: string; before: string; after: string }): string => JSON.stringify([item.address, item.path, item.before, item.after]);
  const same = actual.length === expected.length && expected.every((item) => actual.some((seen) => key(seen) === key(item)));
  if (!same) throw new SelfCheckFailed(`${step}: expected exactly ${expected.map((item) => `${item.address} ${item.path}`).join(', ')}`, describe(report));
}

/**
 * Plans `refreshed` with the real provider (nothing may be planned) and judges the `resource_drift`
 * a refresh from `prior` to `refreshed` makes; the plan with that drift is kept as `<name>.plan.json`.
 */
async function refreshedPlan(context: CheckContext, name: string, prior: State, refreshed: State): Promise<{ plan: PlanJson; report: DriftReport }> {
  const { workspace, env } = context;
  saveState(workspace, name, refreshed);
  await terraform(['plan', '-input=false', '-lock=false', '-refresh=false', `-out=${name}.tfplan`], workspace.dir, env);
  const plan: PlanJson = { ...(await showPlan(workspace.dir, `${name}.tfplan`, env)), resource_drift: refreshDrift(prior, refreshed) };
  writeFileSync(join(workspace.dir, `${name}.plan.json`), JSON.stringify(plan, null, 2));
  return { plan, report: judge(context, plan) };
}

interface CheckContext {
  readonly stack: string;
  readonly workspace: Workspace;
  readonly env: NodeJS.ProcessEnv;
  readonly schemas: Schemas;
  readonly synthesized: JsonObject;
}

function judge(context: CheckContext, plan: PlanJson): DriftReport {
  return driftReport(context.stack, plan, ignoredAttributes(context.synthesized), true, { schemas: context.schemas, synthesized: context.synthesized });
}

/** One out-of-band change a refresh would find, and the words the report must name it with. */
interface NegativeControl {
  readonly change: (state: State) => void;
  readonly expected: string;
}

/** The attributes, in a copy of the state, of the resource `found` in the original. */
function attributesInCopy(state: State, found: { resource: StateResource }): JsonObject {
  return attributesOf(state, found.resource.type, (resource) => resource.name === found.resource.name)[0].attributes;
}

function negativeControls(released: State): NegativeControl[] {
  const controls: NegativeControl[] = [];
  const [group] = attributesOf(released, 'aws_security_group', (resource) => ((resource.instances[0].attributes.ingress as JsonObject[] | null) ?? []).length > 0);
  if (group) {
    controls.push({
      expected: 'added ingress 8080/tcp from 0.0.0.0/0',
      change: (state) => {
        const ingress = attributesInCopy(state, group).ingress as JsonObject[];
        ingress.push({ ...ingress[0], cidr_blocks: ['0.0.0.0/0'], ipv6_cidr_blocks: [], security_groups: [], from_port: 8080, to_port: 8080, protocol: 'tcp', description: '' });
      },
    });
  }
  const [table] = attributesOf(released, 'aws_route_table', (resource) => ((resource.instances[0].attributes.route as JsonObject[] | null) ?? []).length > 0);
  if (table) {
    controls.push({
      expected: 'added route 10.99.0.0/16 via pcx-0console',
      change: (state) => {
        const routes = attributesInCopy(state, table).route as JsonObject[];
        routes.push({ ...Object.fromEntries(Object.keys(routes[0]).map((key) => [key, ''])), cidr_block: '10.99.0.0/16', vpc_peering_connection_id: 'pcx-0console' });
      },
    });
  }
  const [role] = attributesOf(released, 'aws_iam_role');
  const policyArn = 'arn:aws:iam::aws:policy/AdministratorAccess';
  const onRole = (state: State): JsonObject => attributesInCopy(state, role);
  if (role) controls.push(
    { expected: `added managed policy ${policyArn}`, change: (state) => void (onRole(state).managed_policy_arns as string[]).push(policyArn) },
    {
      expected: 'added inline policy console-inline',
      change: (state) => {
        const attributes = onRole(state);
        attributes.inline_policy = [...(attributes.inline_policy as JsonObject[]).filter((item) => item.name !== ''), { name: 'console-inline', policy: '{"Version":"2012-10-17","Statement":[]}' }];
      },
    },
    {
      expected: 'added tag owner = "console"',
      change: (state) => {
        const attributes = onRole(state);
        attributes.tags = { ...(attributes.tags as JsonObject), owner: 'console' };
        attributes.tags_all = { ...(attributes.tags_all as JsonObject), owner: 'console' };
      },
    },
  );
  const [alarm] = attributesOf(released, 'aws_cloudwatch_metric_alarm');
  if (alarm) {
    const topic = `arn:aws:sns:us-east-1:${ACCOUNT}:console-topic`;
    controls.push({
      expected: `added alarm_actions ${JSON.stringify(topic)}`,
      change: (state) => void (attributesInCopy(state, alarm).alarm_actions as string[]).push(topic),
    });
  }
  return controls;
}

/** Each control's change alone, as a refresh finds it after releases: reported with its words. */
function checkNegativeControls(context: CheckContext, releasedPlan: PlanJson, released: State): number {
  const controls = negativeControls(released);
  for (const control of controls) {
    const changed = clone(released);
    control.change(changed);
    const report = judge(context, { ...releasedPlan, resource_drift: refreshDrift(released, changed) });
    const named = report.entries.flatMap((entry) => entry.attributes.map((attribute) => attribute.change ?? ''));
    if (report.entries.length !== 1 || named.length !== 1 || named[0] !== control.expected) {
      throw new SelfCheckFailed(`negative control not reported alone by name: expected "${control.expected}"`, describe(report));
    }
  }
  return controls.length;
}

async function initialState(workspace: Workspace, env: NodeJS.ProcessEnv, schemas: Schemas, synthesized: JsonObject): Promise<State> {
  await terraform(['plan', '-input=false', '-lock=false', '-refresh=false', '-out=initial.tfplan'], workspace.dir, env);
  const show = await showPlan(workspace.dir, 'initial.tfplan', env);
  return buildState(show, synthesized, schemas);
}

/** Top-level attributes a planned change alters (unknown after apply counts as altered), sorted. */
function changedAttributes(change: Change): string[] {
  const before = (change.before ?? {}) as JsonObject;
  const after = (change.after ?? {}) as JsonObject;
  const unknown = (change.after_unknown ?? {}) as JsonObject;
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => unknown[name] === true || JSON.stringify(before[name]) !== JSON.stringify(after[name])).sort();
}

/**
 * Runs every step for one stack; returns one line saying what was proved. Steps about what a stack
 * does not hold are skipped: the shared stack has nothing releases change (no service, task
 * definition or target group), a worker's stack no target group. A service stack reads the shared
 * stack's outputs from `sharedState`.
 */
export async function selfCheckStack(stack: string, env: NodeJS.ProcessEnv, schemasOnce: (dir: string) => Promise<Schemas>, sharedState?: string): Promise<string> {
  const workspace = await prepareWorkspace(stack, { purpose: 'self-check', sharedState }, env);
  const schemas = await schemasOnce(workspace.dir);
  const drift = (): Promise<DriftReport> => detectDrift(stack, workspace.dir, { refresh: false, lock: false, schemas }, env);
  const synthesized = JSON.parse(readFileSync(join(workspace.dir, 'cdk.tf.json'), 'utf8')) as JsonObject;
  const context: CheckContext = { stack, workspace, env, schemas, synthesized };
  const applied = await initialState(workspace, env, schemas, synthesized);

  // The applied state itself is not planned on its own: the refreshed one below is, and a plan
  // with the refresh's drift is what `npm run drift` reads after an apply.
  saveState(workspace, 'applied', applied);
  const refreshed = clone(applied);
  refreshAfterApply(refreshed, schemas);
  const { plan: refreshedPlanJson, report: afterRefresh } = await refreshedPlan(context, 'refreshed', applied, refreshed);
  if (afterRefresh.entries.length > 0) {
    throw new SelfCheckFailed('DRIFT after a fresh apply and its first refresh: the built state does not match what apply stores, or a provider normalisation counted as drift', describe(afterRefresh));
  }
  const proved = ['fresh apply and its refresh clean'];

  const releasable = attributesOf(refreshed, 'aws_ecs_service').length > 0;
  let released = refreshed;
  let releasedPlan = refreshedPlanJson;
  if (releasable) {
    released = clone(refreshed);
    const releaseChanges = simulateReleases(released, schemas, synthesized);
    refreshTargetGroups(released);
    const afterReleases = await refreshedPlan(context, 'released', refreshed, released);
    if (afterReleases.report.entries.length > 0) {
      throw new SelfCheckFailed(`DRIFT after releases (${releaseChanges.join('; ')}): a release change, or how AWS reads it back, counted as drift`, describe(afterReleases.report));
    }
    releasedPlan = afterReleases.plan;
    proved.push(`after ${releaseChanges.length} release changes and their refresh clean`);
  }
  const controls = checkNegativeControls(context, releasedPlan, released);
  proved.push(`${controls} out-of-band changes named`);

  // A change nobody but a person in the console makes, plus the negative control: without the
  // ignore, the release's revision shows up too. Both, and nothing else.
  const changed = clone(released);
  const [targetGroup] = attributesOf(changed, 'aws_lb_target_group');
  const healthCheckDrift: { address: string; path: string; before: string; after: string }[] = [];
  if (targetGroup) {
    const healthCheck = (targetGroup.attributes.health_check as JsonObject[])[0];
    const configuredPath = String(healthCheck.path);
    healthCheck.path = CHANGED_HEALTH_CHECK_PATH;
    healthCheckDrift.push({ address: `aws_lb_target_group.${targetGroup.resource.name}`, path: 'health_check[0].path', before: JSON.stringify(CHANGED_HEALTH_CHECK_PATH), after: JSON.stringify(configuredPath) });
  }
  const revisions = attributesOf(changed, 'aws_ecs_service').map(({ resource, attributes }) => ({
    address: `aws_ecs_service.${resource.name}`,
    path: 'task_definition',
    before: JSON.stringify(attributes.task_definition),
    after: JSON.stringify(String(attributes.task_definition).replace(new RegExp(`:${RELEASE_REVISION}$`), `:${TERRAFORM_REVISION}`)),
  }));
  const changedFile = saveState(workspace, 'health-check-changed', changed);
  if (targetGroup) {
    expectOnly(await drift(), healthCheckDrift, 'non-release change not detected alone');
    proved.push('health check path change detected alone');
  }

  if (releasable) {
    const configFile = join(workspace.dir, 'cdk.tf.json');
    const original = readFileSync(configFile, 'utf8');
    const config = JSON.parse(original) as { resource: Record<string, Record<string, { lifecycle: { ignore_changes: string[] } }>> };
    for (const service of Object.values(config.resource.aws_ecs_service)) {
      service.lifecycle.ignore_changes = service.lifecycle.ignore_changes.filter((entry) => entry !== 'task_definition');
    }
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    copyFileSync(changedFile, workspace.stateFile);
    try {
      expectOnly(await drift(), [...healthCheckDrift, ...revisions], 'negative control NOT detected (task_definition ignore removed)');
    } finally {
      writeFileSync(configFile, original);
    }
    proved.push(`ignore removed: ${revisions.length} service task_definition(s) detected too`);
  }

  proved.push(await checkDestructivePlan(stack, workspace, env, released, sharedState));
  return proved.join(', ');
}

/**
 * Destructive changes: a forcing-new attribute (a task definition's cpu, where the stack has one)
 * and a resource the code no longer declares (a copy of an alarm, else of the first resource) must
 * be called out by `plan --state`, also in the Markdown; each service only retagged in place.
 */
async function checkDestructivePlan(stack: string, workspace: Workspace, env: NodeJS.ProcessEnv, released: State, sharedState: string | undefined): Promise<string> {
  const destructive = clone(released);
  const [taskDefinition] = attributesOf(destructive, 'aws_ecs_task_definition');
  if (taskDefinition) taskDefinition.attributes.cpu = CHANGED_CPU;
  const orphaned = destructive.resources.find((resource) => resource.type === 'aws_cloudwatch_metric_alarm') ?? destructive.resources[0];
  if (!orphaned) throw new StateBuildError('no resource in the stack to orphan');
  destructive.resources.push({ ...(JSON.parse(JSON.stringify(orphaned)) as StateResource), name: ORPHAN_NAME });
  const destructiveFile = saveState(workspace, 'destructive', destructive);
  const { summary, plan } = await planStack(stack, env, destructiveFile, sharedState);
  const replaced = taskDefinition ? `aws_ecs_task_definition.${taskDefinition.resource.name}` : undefined;
  const orphan = `${orphaned.type}.${ORPHAN_NAME}`;
  const found = (address: string, kind: 'replace' | 'delete') => summary.destructive.some((change) => change.address === address && change.kind === kind);
  const markdown = planMarkdown([{ environment: stack, stack, stateFile: displayPath(destructiveFile), summary, seconds: 0 }]);
  const caution = markdown.split('\n').filter((line) => line.startsWith('>')).join('\n');
  const replacedCalledOut = !replaced || (found(replaced, 'replace') && caution.includes(`\`${replaced}\``));
  if (!replacedCalledOut || !found(orphan, 'delete') || !caution.includes(`\`${orphan}\``)) {
    throw new SelfCheckFailed(`plan --state did not call out ${replaced ? `${replaced} as replaced and ` : ''}${orphan} as destroyed`, `${JSON.stringify(summary, null, 2)}\n${markdown}`);
  }
  if (!taskDefinition) return 'plan --state: destruction called out';
  // The new Terraform revision reaches each service only through its TerraformRevision tag: an
  // in-place tag update that leaves what releases own (task_definition, load_balancer) alone.
  // Only the service of the replaced family (config/names.ts names both alike) is retagged; any
  // other service of the stack stays untouched.
  const services = (plan.resource_changes ?? []).filter((change) => change.type === 'aws_ecs_service');
  const ofReplaced = (service: ResourceChange) => (service.change.before as JsonObject | null)?.name === taskDefinition.attributes.family;
  const untagged = services.filter((service) =>
    ofReplaced(service) ? service.change.actions.join() !== 'update' || changedAttributes(service.change).join() !== 'tags,tags_all' : service.change.actions.join() !== 'no-op',
  );
  if (!services.some(ofReplaced) || untagged.length > 0) {
    throw new SelfCheckFailed('a new task definition revision must change each service\'s tags in place and nothing else', JSON.stringify(services, null, 2));
  }
  return 'plan --state: replacement and destruction called out, services retagged in place';
}

export { schemasReader } from './apply-state';
