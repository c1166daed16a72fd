/**
 * Release start-up after many releases: the compiled release tool against the emulator, once the
 * service's family holds 1 and 200 release revisions, with the stack's TerraformRevision tag on
 * the service (the base is one read) and without it (a stack applied before the tag: the scan,
 * which gives up at 100 revisions).
 *
 * The history is made the way releases leave it: one real release (the service runs it), then
 * the remaining release revisions registered through the SDK with the tags the tool puts on them
 * (ReleasedBy, BaseRevision). Each sample starts from a freshly reset account.
 */
import { ECSClient, RegisterTaskDefinitionCommand, DescribeTaskDefinitionCommand, UntagResourceCommand } from '@aws-sdk/client-ecs';
import { join } from 'node:path';
import { BASE_REVISION_TAG_KEY, loadEnvironment, RELEASE_TAG_KEY, RELEASE_TAG_VALUE, serviceNames, TERRAFORM_REVISION_TAG_KEY } from '../config';
import { startEmulator, type EmulatorHandle } from '../emulator';
import { progress, ROOT, runChild } from './measure';
import { ensureBuild, summarise, toolEnvironment, type CommandResult, type CommandSpec, type Sample } from './release';

/** Releases in the family's history before the measured one. */
export const HISTORY_SIZES = [1, 200] as const;

const ENV = 'dev';

export interface HistoryCase {
  readonly releases: number;
  /** The service carries the TerraformRevision tag (false: a stack applied before it existed). */
  readonly tagged: boolean;
  readonly result: CommandResult;
  /** DescribeTaskDefinition + ListTaskDefinitions calls before CreateDeployment (median). */
  readonly revisionReads: number;
}

export interface HistoryResults {
  readonly repetitions: number;
  readonly timeScaleMs: number;
  readonly cases: HistoryCase[];
}

/** Registers release revisions on top of Terraform's, tagged as the release tool tags them. */
async function registerReleaseRevisions(aws: EmulatorHandle, count: number): Promise<void> {
  if (count <= 0) return;
  const env = loadEnvironment(ENV, { offline: true });
  const family = serviceNames(env, env.services[0]).taskFamily;
  const ecs = new ECSClient({ endpoint: aws.url, region: aws.region, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  try {
    const base = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${family}:1` }));
    const definition = base.taskDefinition!;
    for (let index = 0; index < count; index += 1) {
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          containerDefinitions: definition.containerDefinitions,
          cpu: definition.cpu,
          memory: definition.memory,
          networkMode: definition.networkMode,
          requiresCompatibilities: definition.requiresCompatibilities,
          executionRoleArn: definition.executionRoleArn,
          taskRoleArn: definition.taskRoleArn,
          runtimePlatform: definition.runtimePlatform,
          tags: [
            { key: RELEASE_TAG_KEY, value: RELEASE_TAG_VALUE },
            { key: BASE_REVISION_TAG_KEY, value: definition.taskDefinitionArn },
          ],
        }),
      );
    }
  } finally {
    ecs.destroy();
  }
}

async function untagService(aws: EmulatorHandle): Promise<void> {
  const ecs = new ECSClient({ endpoint: aws.url, region: aws.region, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  try {
    const service = aws.state().services[0];
    await ecs.send(new UntagResourceCommand({ resourceArn: service.arn, tagKeys: [TERRAFORM_REVISION_TAG_KEY] }));
  } finally {
    ecs.destroy();
  }
}

export async function benchHistory(repetitions: number, timeScaleMs: number): Promise<HistoryResults> {
  await ensureBuild();
  const pollBaseMs = Math.max(2, Math.round(2 * timeScaleMs));
  const aws = await startEmulator({ environments: [loadEnvironment(ENV, { offline: true })], timeScale: timeScaleMs, replacementTimeoutMinutes: 2 });
  const env = toolEnvironment(aws, pollBaseMs);
  const launch = [process.execPath, join(ROOT, 'scripts', 'launch.js')];
  const cases: HistoryCase[] = [];
  try {
    for (const tagged of [true, false]) {
      for (const releases of HISTORY_SIZES) {
        const spec: CommandSpec = {
          key: `history-${releases}-${tagged ? 'tag' : 'scan'}`,
          label: `deploy after ${releases} release(s), ${tagged ? 'service tagged' : 'no tag (scan)'}`,
          argv: [...launch, 'deploy', '--env', ENV, '--tag', 'v1.2.0'],
          aws: true,
          expect: /Succeeded/,
        };
        const samples: Sample[] = [];
        for (let repetition = 0; repetition < repetitions; repetition += 1) {
          progress(`history: ${spec.label} (${repetition + 1}/${repetitions})`);
          aws.reset();
          const first = await runChild([...launch, 'deploy', '--env', ENV, '--tag', 'v1.1.0'], { env });
          if (first.exitCode !== 0) throw new Error(`first release failed:\n${first.stdout}${first.stderr}`);
          await registerReleaseRevisions(aws, releases - 1);
          if (!tagged) await untagService(aws);
          const mark = aws.callLog().length;
          const startedAt = Date.now();
          const run = await runChild(spec.argv, { env });
          if (run.exitCode !== 0 || !spec.expect!.test(run.stdout + run.stderr)) throw new Error(`${spec.label}: exit ${run.exitCode}:\n${run.stdout}${run.stderr}`);
          samples.push({ run, calls: aws.callLog().slice(mark), startedAt });
        }
        const revisionReads = samples
          .map((sample) => {
            const created = sample.calls.findIndex((call) => call.operation === 'CreateDeployment');
            return sample.calls.slice(0, created).filter((call) => call.operation === 'DescribeTaskDefinition' || call.operation === 'ListTaskDefinitions').length;
          })
          .sort((a, b) => a - b)[Math.floor(samples.length / 2)];
        cases.push({ releases, tagged, result: summarise(spec, samples), revisionReads });
      }
    }
  } finally {
    await aws.close();
  }
  return { repetitions, timeScaleMs, cases };
}
