/**
 * `prune`: deregister old task definition revisions of a service's family. Releases register one
 * revision each and Terraform keeps them (`skip_destroy`), so a busy service collects hundreds.
 * Kept: the live ones, the ones a rollback would go to, the newest Terraform-owned one and the
 * newest `--keep`; the rest become INACTIVE (steps/prune-plan.ts says why each is kept).
 * `--dry-run` lists both from the same plan and changes nothing.
 */
import { DeregisterTaskDefinitionCommand, type Service } from '@aws-sdk/client-ecs';
import { parseCount } from '../cli/args';
import { EXIT, exitCodeHelp } from '../cli/exit-codes';
import type { Context } from '../context';
import { taskDefinitionOfAppSpec } from '../steps/appspec';
import { activeRevisionsNewestFirst, BASE_SCAN_LIMIT, chooseBaseRevision } from '../steps/base-revision';
import { findActiveDeployment } from '../steps/deployment-state';
import { successfulDeployments } from '../steps/last-successful-revision';
import { serviceResult, type ServiceResult } from '../steps/outcome';
import { describeLiveService } from '../steps/preflight';
import { keptLabel, planPrune, type PrunePlan } from '../steps/prune-plan';
import { commandLine, targetLabel, type ReleaseTarget } from '../steps/target';
import { finishRelease, pool, serviceContext, type Command, type CommandOptions } from './common';
import { parseTargetCommand } from './simple';

export interface PruneOptions extends CommandOptions {
  /** Newest revisions kept besides the live, rollback and Terraform-owned ones. */
  readonly keep: number;
  readonly dryRun: boolean;
}

/** A service's outcome, with the revisions kept and deregistered (by ARN) for `--json`. */
export interface PruneResult extends ServiceResult {
  readonly kept?: readonly string[];
  readonly deregistered?: readonly string[];
  readonly wouldDeregister?: readonly string[];
}

/** Newest revisions kept by default besides the protected ones. */
export const DEFAULT_KEEP = 5;

/** Revisions the service runs or moves between: its own, its task sets' and its deployments'. */
export function liveRevisions(service: Service): string[] {
  const arns = [service.taskDefinition, ...(service.taskSets ?? []).map((set) => set.taskDefinition), ...(service.deployments ?? []).map((d) => d.taskDefinition)];
  return [...new Set(arns.filter((arn): arn is string => Boolean(arn)))];
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function rollbackRevisions(context: Context, target: ReleaseTarget): Promise<string[]> {
  if (target.strategy !== 'blue-green') return [];
  const deployments = await successfulDeployments(context, target);
  return deployments.map((info) => taskDefinitionOfAppSpec(info.revision?.appSpecContent?.content)).filter((arn): arn is string => Boolean(arn));
}

function revisionList(arns: readonly string[]): string {
  return arns.map((arn) => `:${arn.split(':').pop()}`).join(' ');
}

async function pruneService(context: Context, target: ReleaseTarget, options: PruneOptions): Promise<PruneResult> {
  const label = targetLabel(target);
  const service = await describeLiveService(context, target);
  const active = target.strategy === 'blue-green' ? await findActiveDeployment(context, target) : undefined;
  const rollingInProgress = target.strategy === 'rolling' && (service.deployments ?? []).length > 1;
  if (active || rollingInProgress) {
    return serviceResult(target, EXIT.badInput, `${label}: ${active ? `deployment ${active}` : 'a rolling update'} is running; nothing deregistered, prune after it ends (${commandLine('wait', target)})`);
  }
  const base = await chooseBaseRevision(context, target, service);
  if (!base.terraformOwned) {
    return serviceResult(target, EXIT.badInput, `${label}: no Terraform-owned revision among the newest ${BASE_SCAN_LIMIT}, and Terraform's must stay ACTIVE; nothing deregistered`);
  }
  const plan: PrunePlan = planPrune({
    activeNewestFirst: await collect(activeRevisionsNewestFirst(context, target.names.taskFamily)),
    live: liveRevisions(service),
    rollback: await rollbackRevisions(context, target),
    terraformOwned: base.arn,
    keepNewest: options.keep,
  });
  context.out.line(`${label}: keeping ${plan.kept.length}: ${plan.kept.map(keptLabel).join(', ')}`);
  const result = (verdict: string, deregistered: readonly string[]): PruneResult => ({
    ...serviceResult(target, EXIT.succeeded, verdict),
    kept: plan.kept.map((entry) => entry.arn),
    deregistered,
  });
  if (plan.deregister.length === 0) return result(`${label}: nothing to prune (${plan.kept.length} ACTIVE revisions, all kept)`, []);
  if (options.dryRun) {
    context.out.line(`${label}: would deregister ${plan.deregister.length}: ${revisionList(plan.deregister)}`);
    return { ...result(`${label}: dry run: would deregister ${plan.deregister.length} revisions; nothing changed`, []), wouldDeregister: plan.deregister };
  }
  for (const arn of plan.deregister) {
    await context.clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    context.out.line(`${label}: deregistered :${arn.split(':').pop()}`);
  }
  return result(`${label}: deregistered ${plan.deregister.length} revisions, kept ${plan.kept.length}`, plan.deregister);
}

export const pruneCommand: Command<PruneOptions> = {
  name: 'prune',
  summary: 'deregister old task definition revisions, keeping live, rollback and Terraform-owned ones',
  help: `Usage: npm run deploy -- prune --env ENV [--service NAME] [--keep N] [--dry-run] [--json]

Deregisters ACTIVE task definition revisions of each service's family (all services unless
--service), oldest first, except:
  - the live ones (the service's, its task sets' and deployments' revisions),
  - the ones a rollback would go to (revisions of CodeDeploy's newest successful deployments),
  - the newest Terraform-owned one (the base of the next release; Terraform's state holds it),
  - the newest N.
A deregistered revision is INACTIVE: tasks running it keep running, but nothing new can start
from it. Refused while a deployment runs.
  --keep N     newest revisions to keep besides those (default ${DEFAULT_KEEP}; 0 to 1000)
  --dry-run    list what would be kept and deregistered; change nothing

${exitCodeHelp()}`,
  parse(argv) {
    const { flags, targets, help } = parseTargetCommand('prune', argv, { keep: { type: 'string' }, 'dry-run': { type: 'boolean' }, all: { type: 'boolean' } }, { allowMany: true, defaultAll: true });
    return {
      help,
      json: flags.json,
      targets,
      keep: flags.keep !== undefined ? parseCount('--keep', flags.keep, 0, 1000) : DEFAULT_KEEP,
      dryRun: flags['dry-run'] ?? false,
    };
  },
  async run(context, options) {
    const several = options.targets.length > 1;
    const results = await pool(options.targets, 1, (target) => pruneService(serviceContext(context, target, several), target, options));
    return finishRelease(context, options.dryRun ? 'prune --dry-run' : 'prune', options.targets[0].env, results, {}, { notify: false });
  },
};
