/**
 * What lets one run release 50 services without multiplying its requests by 50.
 *
 * Reads: every release follows its own deployment (or rollout) as a single `deploy` does, but its
 * reads are answered from batch calls shared by all of them: CodeDeploy BatchGetDeployments takes
 * up to 25 deployment ids (CodeDeploy API reference, BatchGetDeployments) and ECS DescribeServices
 * up to 10 services of one cluster (Amazon ECS API reference, DescribeServices). A read that finds
 * an answer younger than the poll interval takes it; otherwise it starts one batch read of every
 * key asked for lately, which answers the others too. So a poll round costs ceil(n/25)
 * BatchGetDeployments and ceil(n/10) DescribeServices calls, not n of each.
 *
 * Changes: RegisterTaskDefinition is the one mutating call every release makes, and the one with
 * the tightest published rate: ECS throttles task definition registrations per account and Region
 * with a token bucket of 20 (burst) refilled at 1 per second ("Request throttling for the Amazon
 * ECS API", Amazon ECS API reference). Releases take a token before registering, so 50 services
 * start within about 30 s without a ThrottlingException. CreateDeployment and UpdateService come
 * right after each registration and so inherit its pace; CodeDeploy publishes no request rates
 * ("Quotas for CodeDeploy", CodeDeploy user guide), docs/benchmarks.md measures what this sends.
 */
import { BatchGetDeploymentsCommand, type DeploymentInfo } from '@aws-sdk/client-codedeploy';
import { DescribeServicesCommand, type Service } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../aws/clients';
import { pollIntervalMs, type BatchedCalls, type Clock, type Context } from '../context';
import { isTerminal } from './deployment-state';

/** CodeDeploy BatchGetDeployments: at most 25 deployment ids per call. */
export const DEPLOYMENTS_PER_BATCH = 25;
/** ECS DescribeServices: at most 10 services per call, all of one cluster. */
export const SERVICES_PER_DESCRIBE = 10;
/** ECS task definition registrations: bucket of 20, refilled at 1 per second (per account and Region). */
export const REGISTRATION_BURST = 20;
export const REGISTRATIONS_PER_SECOND = 1;

/**
 * Services released at once, at most: 50 deployments are two BatchGetDeployments per poll and a
 * rolling service is one tenth of a DescribeServices, so reads stay a few calls per poll; what
 * grows with the count is each deployment's own target reads (every 30 s) and its start, paced by
 * the registration bucket. docs/benchmarks.md has the calls per minute at 50.
 */
export const MAX_CONCURRENCY = 50;
/**
 * Services planned at once: a plan sends about eight reads together, spread over ECS, ECR, ELB,
 * CodeDeploy and Application Auto Scaling, so 10 keep some 80 requests in flight and at most 20
 * ECS reads, the sustained rate of one ECS read bucket.
 */
export const PLANNING_CONCURRENCY = 10;

interface Entry<T> {
  value?: T;
  /** Clock time at which the batch that answered last was sent. */
  readAt: number;
  /** Clock time of the last request for this key. */
  askedAt: number;
}

export interface CoalescedReadsOptions<T> {
  readonly clock: Clock;
  /** An answer younger than this is served as it is. */
  readonly freshMs: number;
  /** Keys asked for within this long are read along in every batch (their followers are sleeping). */
  readonly keepMs: number;
  /** Reads some keys in as few calls as the API allows; keys it does not return are missing. */
  readonly fetch: (keys: readonly string[]) => Promise<Map<string, T>>;
  /** A value that will not change any more (a finished deployment): not read along unless asked for again. */
  readonly settled?: (value: T) => boolean;
}

/** Reads of many keys, coalesced into shared batch reads (see the file comment). */
export class CoalescedReads<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private flushing: Promise<void> | undefined;

  constructor(private readonly options: CoalescedReadsOptions<T>) {}

  /**
   * The value as of a batch read sent no earlier than `freshMs` ago, nor before `since`; undefined
   * when the API did not return it.
   */
  async read(key: string, since = -Infinity): Promise<T | undefined> {
    const asked = this.options.clock.now();
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { readAt: -Infinity, askedAt: asked };
      this.entries.set(key, entry);
    }
    entry.askedAt = asked;
    if (asked - entry.readAt < this.options.freshMs && entry.readAt >= since) return entry.value;
    // A batch already under way may have been sent before this key was asked for: wait for it,
    // then start another unless it answered this key.
    for (;;) {
      this.flushing ??= this.flush().finally(() => {
        this.flushing = undefined;
      });
      await this.flushing;
      if (entry.readAt >= asked) return entry.value;
    }
  }

  /**
   * The keys a batch reads now: those waiting for an answer, and, read along, those asked for lately
   * whose answer is half stale and may still change (their followers are asleep and will ask soon).
   */
  private due(now: number): string[] {
    const { keepMs, freshMs, settled } = this.options;
    const readAlong = (entry: Entry<T>) => now - entry.askedAt <= keepMs && now - entry.readAt >= freshMs / 2 && !(entry.value !== undefined && settled?.(entry.value));
    return [...this.entries].filter(([, entry]) => entry.askedAt > entry.readAt || readAlong(entry)).map(([key]) => key);
  }

  private async flush(): Promise<void> {
    const sentAt = this.options.clock.now();
    const keys = this.due(sentAt);
    if (keys.length === 0) return;
    const values = await this.options.fetch(keys);
    for (const key of keys) {
      const entry = this.entries.get(key) as Entry<T>;
      entry.value = values.get(key);
      entry.readAt = sentAt;
    }
  }
}

/** Consecutive slices of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** Deployments by id, 25 per BatchGetDeployments call. */
export async function batchGetDeployments(clients: Pick<AwsClients, 'codeDeploy'>, ids: readonly string[]): Promise<Map<string, DeploymentInfo>> {
  const answers = await Promise.all(chunks(ids, DEPLOYMENTS_PER_BATCH).map((deploymentIds) => clients.codeDeploy.send(new BatchGetDeploymentsCommand({ deploymentIds }))));
  const found = new Map<string, DeploymentInfo>();
  for (const info of answers.flatMap((answer) => answer?.deploymentsInfo ?? [])) if (info.deploymentId) found.set(info.deploymentId, info);
  return found;
}

/** The key of a service in a batch: cluster and name. */
export function serviceKey(cluster: string, serviceName: string): string {
  return `${cluster}/${serviceName}`;
}

/** Services by `serviceKey`, 10 of one cluster per DescribeServices call. */
export async function describeServicesInBatches(clients: Pick<AwsClients, 'ecs'>, keys: readonly string[]): Promise<Map<string, Service>> {
  const byCluster = new Map<string, string[]>();
  for (const key of keys) {
    const split = key.lastIndexOf('/');
    const cluster = key.slice(0, split);
    byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), key.slice(split + 1)]);
  }
  const calls = [...byCluster].flatMap(([cluster, names]) =>
    chunks(names, SERVICES_PER_DESCRIBE).map(async (services) => {
      // With the tags, as planning reads them (the stack's newest revision, base-revision.ts).
      const answer = await clients.ecs.send(new DescribeServicesCommand({ cluster, services, include: ['TAGS'] }));
      return (answer?.services ?? []).map((service) => [serviceKey(cluster, service.serviceName ?? ''), service] as const);
    }),
  );
  return new Map((await Promise.all(calls)).flat());
}

/**
 * A token bucket on the tool's side: `take` resolves when a token is free. Waiters are served in
 * order; an aborted wait resolves at once without a token.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly clock: Clock,
    private readonly capacity: number,
    private readonly perSecond: number,
  ) {
    this.tokens = capacity;
    this.refilledAt = clock.now();
  }

  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken(signal));
    this.queue = turn;
    return turn;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond);
    this.refilledAt = now;
  }

  private async waitForToken(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      if (signal?.aborted) return;
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.perSecond) * 1000), signal);
    }
  }
}

/** The shared reads and the registration pace of one run over several services. */
export function createBatchedCalls(context: Pick<Context, 'clients' | 'clock' | 'env'>): BatchedCalls {
  const base = pollIntervalMs(context.env);
  const { clients, clock } = context;
  const common = { clock, freshMs: base, keepMs: 8 * base };
  const deployments = new CoalescedReads<DeploymentInfo>({ ...common, fetch: (ids) => batchGetDeployments(clients, ids), settled: (info) => isTerminal(info.status ?? '') });
  const services = new CoalescedReads<Service>({ ...common, fetch: (keys) => describeServicesInBatches(clients, keys) });
  const registrations = new TokenBucket(clock, REGISTRATION_BURST, REGISTRATIONS_PER_SECOND);
  return {
    deployment: (id, since) => deployments.read(id, since),
    service: (cluster, name, since) => services.read(serviceKey(cluster, name), since),
    paceRegistration: (signal) => registrations.take(signal),
    // Lifecycle events and task sets are read per deployment (BatchGetDeploymentTargets takes one
    // deployment): with many, every 15 polls (30 s) unless the status moves, instead of every 1-3.
    targetsIntervalMs: 15 * base,
  };
}
