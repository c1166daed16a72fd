/**
 * The move from one state per environment to one per stack, on the fixture of preview's single
 * state from before the split (two services, web and worker): which resources move where (pure),
 * then the whole migration through the real Terraform binary (`state pull` / `state push` against
 * local backends in a temp folder): the backup first, serial and lineage as Terraform requires,
 * idempotent, a dry run that writes nothing, a refusal that changes nothing, and a run stopped
 * half-way finished by the next one.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quietEnvironment, terraformEnvironment } from '../../tools/terraform/environment';
import { runTerraform } from '../../tools/terraform/run';
import { migrateStates, type MigratingStack } from '../../tools/terraform/state-migration';
import { applyMove, declaredIn, MoveRefused, planMove, resourceAddress, type Declared, type StateFile } from '../../tools/terraform/state-move';

const FIXTURE = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'pre-split-states.json'), 'utf8')) as { states: Record<string, StateFile> };
const PREVIEW = FIXTURE.states['shop-preview'];
const addresses = (state: StateFile) => state.resources.map(resourceAddress);

/** What each stack declares, as the split assigns preview's resources: each service's construct (`service-<name>`) in its own stack. */
function declaredBy(prefix: (address: string) => boolean, outputs: string[] = []): Declared {
  return { addresses: new Set(addresses(PREVIEW).filter(prefix)), outputs: new Set(outputs) };
}
const ofService = (name: string) => (address: string) => address.split('.')[1].startsWith(`service-${name}_`);
const SHARED = declaredBy((address) => !ofService('web')(address) && !ofService('worker')(address));
const WEB = declaredBy(ofService('web'), ['web_service', 'web_cluster']);
const WORKER = declaredBy(ofService('worker'), ['worker_service']);

describe('which resources move where', () => {
  const source = { stack: 'shop-preview', declared: SHARED, state: PREVIEW };
  const targets = [
    { stack: 'shop-preview-web', declared: WEB },
    { stack: 'shop-preview-worker', declared: WORKER },
  ];

  it('moves each service\'s resources, by address and in state order, to its stack; the shared stack keeps the rest', () => {
    const plan = planMove(source, targets);
    expect(plan.moves.map((move) => [move.stack, move.addresses.length])).toEqual([
      ['shop-preview-web', WEB.addresses.size],
      ['shop-preview-worker', WORKER.addresses.size],
    ]);
    expect(plan.kept + WEB.addresses.size + WORKER.addresses.size).toBe(PREVIEW.resources.length);
    expect(plan.moves[0].addresses).toEqual(addresses(PREVIEW).filter(ofService('web')));
    expect(plan.undeclared).toEqual([]);
    expect(WEB.addresses.size).toBeGreaterThan(5);
  });

  it('copies the outputs a service stack declares, and removes them from the shared state when it no longer declares them', () => {
    const plan = planMove(source, targets);
    expect(plan.moves[0].outputs).toEqual(Object.keys(PREVIEW.outputs).filter((name) => WEB.outputs.has(name)));
    const after = applyMove(source, targets, plan, () => 'new-lineage');
    expect(Object.keys(after.targets.get('shop-preview-web')!.outputs)).toEqual(plan.moves[0].outputs);
    for (const name of plan.moves[0].outputs) expect(after.source.outputs[name]).toBeUndefined();
  });

  it('writes a new history for a stack without state (new lineage, serial 1) and continues the shared one (same lineage, serial + 1)', () => {
    const after = applyMove(source, targets, planMove(source, targets), () => 'new-lineage');
    expect(after.source).toMatchObject({ lineage: PREVIEW.lineage, serial: PREVIEW.serial + 1, version: 4 });
    expect(addresses(after.source)).toEqual(addresses(PREVIEW).filter((address) => SHARED.addresses.has(address)));
    expect(after.targets.get('shop-preview-worker')).toMatchObject({ lineage: 'new-lineage', serial: 1, version: 4, terraform_version: PREVIEW.terraform_version });
    // Instances unchanged, attribute for attribute.
    const worker = after.targets.get('shop-preview-worker')!.resources;
    expect(worker).toEqual(PREVIEW.resources.filter((resource) => ofService('worker')(resourceAddress(resource))));
  });

  it('names what no stack declares (the shared stack\'s plan would destroy it) and leaves it in place', () => {
    const orphan = { ...PREVIEW.resources[0], name: 'left_by_removed_code' };
    const plan = planMove({ ...source, state: { ...PREVIEW, resources: [...PREVIEW.resources, orphan] } }, targets);
    expect(plan.undeclared).toEqual([`${orphan.type}.left_by_removed_code`]);
  });

  it('refuses an address two stacks declare', () => {
    const both = { addresses: new Set([...WORKER.addresses, [...WEB.addresses][0]]), outputs: new Set<string>() };
    expect(() => planMove(source, [targets[0], { stack: 'shop-preview-worker', declared: both }])).toThrow(MoveRefused);
  });

  it('refuses a target state that already has other resources, and accepts one holding exactly what would move there', () => {
    const web = PREVIEW.resources.filter((resource) => ofService('web')(resourceAddress(resource)));
    const other = { ...PREVIEW, lineage: 'other', resources: web.slice(1) };
    expect(() => planMove(source, [{ ...targets[0], state: other }])).toThrow(/shop-preview-web's state already has \d+ resource\(s\) .* refusing to merge states: nothing was changed/);
    const written = { ...PREVIEW, lineage: 'other', resources: web };
    expect(planMove(source, [{ ...targets[0], state: written }]).moves[0].alreadyInTarget).toBe(true);
  });

  it('reads what a synthesized stack declares: its resources (not the data sources several stacks share) and outputs', () => {
    const declared = declaredIn({ resource: { aws_ecs_service: { a: {} } }, data: { terraform_remote_state: { shared: {} } }, output: { web_service: {} } });
    expect([...declared.addresses]).toEqual(['aws_ecs_service.a']);
    expect([...declared.outputs]).toEqual(['web_service']);
  });
});

describe('the migration through Terraform (local backends)', () => {
  const env = terraformEnvironment(quietEnvironment('plan', true)).env;
  let dir: string;
  let lines: string[];
  const file = (stack: string) => join(dir, `terraform.${stack}.tfstate`);
  const stacks = (): MigratingStack[] => [
    { stack: 'shop-preview', declared: SHARED, backend: { local: { path: file('shop-preview') } } },
    { stack: 'shop-preview-web', declared: WEB, backend: { local: { path: file('shop-preview-web') } } },
    { stack: 'shop-preview-worker', declared: WORKER, backend: { local: { path: file('shop-preview-worker') } } },
  ];
  const migrate = (dryRun = false) => migrateStates(stacks(), { dryRun, workDir: join(dir, 'work'), backupDir: join(dir, 'backups'), env, say: (line) => lines.push(line), now: () => new Date('2026-12-04T17:00:00Z') });
  const read = (stack: string) => JSON.parse(readFileSync(file(stack), 'utf8')) as StateFile;
  const stateList = async (stack: string) => (await runTerraform(['state', 'list', `-state=${file(stack)}`], dir, env)).stdout.trim().split('\n');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'state-move-'));
    lines = [];
    writeFileSync(file('shop-preview'), JSON.stringify(PREVIEW));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('dry run: lists every move and writes nothing', async () => {
    const result = await migrate(true);
    expect(result.moved).toBe(WEB.addresses.size + WORKER.addresses.size);
    expect(lines).toContain(`shop-preview → shop-preview-web: ${WEB.addresses.size} resource(s) and 2 output(s)`);
    for (const address of [...WEB.addresses, ...WORKER.addresses]) expect(lines).toContain(`  ${address}`);
    expect(lines.at(-1)).toMatch(/^dry run: would move \d+ resource\(s\) into 2 stack state\(s\); nothing was written$/);
    expect(read('shop-preview')).toEqual(PREVIEW);
    expect([existsSync(file('shop-preview-web')), existsSync(join(dir, 'backups'))]).toEqual([false, false]);
  }, 60_000);

  it('writes the backup first, then states Terraform lists; a second run has nothing to move', async () => {
    const result = await migrate();
    expect(readFileSync(result.backupFile!, 'utf8')).toBe(`${JSON.stringify(PREVIEW, null, 2)}\n`);
    expect(readdirSync(join(dir, 'backups'))).toEqual(['shop-preview.serial-2.2026-12-04T17-00-00-000Z.tfstate']);
    expect(await stateList('shop-preview-web')).toEqual([...WEB.addresses].sort());
    expect(await stateList('shop-preview-worker')).toEqual([...WORKER.addresses].sort());
    expect(await stateList('shop-preview')).toEqual([...SHARED.addresses].sort());
    expect(read('shop-preview').lineage).toBe(PREVIEW.lineage);
    expect(read('shop-preview').serial).toBeGreaterThan(PREVIEW.serial);
    expect(read('shop-preview-web').lineage).not.toBe(PREVIEW.lineage);

    lines = [];
    expect((await migrate()).moved).toBe(0);
    expect(lines).toEqual([`shop-preview: nothing to move: each of its ${SHARED.addresses.size} resource(s) is in the state of the stack that declares it`]);
    expect(readdirSync(join(dir, 'backups'))).toHaveLength(1);
  }, 60_000);

  it('refuses, changing nothing, when a service stack\'s state already has resources of its own', async () => {
    const foreign = { ...PREVIEW, lineage: '00000000-0000-4000-8000-000000000000', resources: PREVIEW.resources.slice(0, 1) };
    writeFileSync(file('shop-preview-worker'), JSON.stringify(foreign));
    await expect(migrate()).rejects.toThrow(MoveRefused);
    expect([read('shop-preview'), read('shop-preview-worker')]).toEqual([PREVIEW, foreign]);
    expect(existsSync(file('shop-preview-web'))).toBe(false);
  }, 60_000);

  it('finishes a run that stopped after writing the service states and before the shared one', async () => {
    await migrate();
    writeFileSync(file('shop-preview'), JSON.stringify(PREVIEW)); // as if the last push never happened
    const web = readFileSync(file('shop-preview-web'), 'utf8');
    lines = [];
    expect((await migrate()).moved).toBe(WEB.addresses.size + WORKER.addresses.size);
    expect(lines[0]).toMatch(/^shop-preview → shop-preview-web: \d+ resource\(s\) and 2 output\(s\) \(already in its state from an earlier run: only removed from the source\)$/);
    expect(readFileSync(file('shop-preview-web'), 'utf8')).toBe(web);
    expect(await stateList('shop-preview')).toEqual([...SHARED.addresses].sort());
  }, 60_000);
});
