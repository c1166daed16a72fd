/**
 * Identifiers and ARNs in AWS's formats, generated deterministically: the same sequence of calls
 * yields the same ids, so test failures reproduce and demo output is stable.
 */
import { createHash } from 'node:crypto';

/** Hex digest of a string; the source of every "random-looking" id. */
export function hash(text: string, length = 64): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** Deterministic id factory: each call with the same kind returns the next id of that kind. */
export class IdFactory {
  private readonly counters = new Map<string, number>();

  constructor(private readonly salt: string) {}

  private next(kind: string): string {
    const count = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, count);
    return `${this.salt}/${kind}/${count}`;
  }

  /** `d-` and nine upper-case letters and digits, like CodeDeploy deployment ids. */
  deploymentId(): string {
    const digits = BigInt(`0x${hash(this.next('deployment'), 15)}`).toString(36).toUpperCase();
    return `d-${digits.padStart(9, '0').slice(-9)}`;
  }

  /** `ecs-svc/` and 19 digits, the form of ECS task set and deployment ids. */
  ecsDeploymentId(): string {
    const digits = BigInt(`0x${hash(this.next('ecs-svc'), 16)}`).toString().padStart(19, '7').slice(-19);
    return `ecs-svc/${digits}`;
  }

  /** 32 hex characters, the form of ECS task ids. */
  taskId(): string {
    return hash(this.next('task'), 32);
  }

  /** 16 hex characters, the suffix of ELB ARNs. */
  elbSuffix(kind: string): string {
    return hash(this.next(`elb-${kind}`), 16);
  }

  /** A UUID-shaped id (CodeDeploy application, group and config ids; request ids). */
  uuid(kind: string): string {
    const h = hash(this.next(kind), 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** Short hex for resource ids such as `sg-…`, `subnet-…`. */
  resourceId(prefix: string): string {
    return `${prefix}-${hash(this.next(prefix), 17)}`;
  }
}

/** ARN builders, one per resource type the emulator serves. */
export const arn = {
  cluster: (region: string, account: string, name: string) => `arn:aws:ecs:${region}:${account}:cluster/${name}`,
  service: (region: string, account: string, cluster: string, name: string) => `arn:aws:ecs:${region}:${account}:service/${cluster}/${name}`,
  taskDefinition: (region: string, account: string, family: string, revision: number) =>
    `arn:aws:ecs:${region}:${account}:task-definition/${family}:${revision}`,
  task: (region: string, account: string, cluster: string, id: string) => `arn:aws:ecs:${region}:${account}:task/${cluster}/${id}`,
  taskSet: (region: string, account: string, cluster: string, service: string, id: string) =>
    `arn:aws:ecs:${region}:${account}:task-set/${cluster}/${service}/${id}`,
  loadBalancer: (region: string, account: string, name: string, suffix: string) =>
    `arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/app/${name}/${suffix}`,
  listener: (region: string, account: string, lbName: string, lbSuffix: string, suffix: string) =>
    `arn:aws:elasticloadbalancing:${region}:${account}:listener/app/${lbName}/${lbSuffix}/${suffix}`,
  targetGroup: (region: string, account: string, name: string, suffix: string) =>
    `arn:aws:elasticloadbalancing:${region}:${account}:targetgroup/${name}/${suffix}`,
  repository: (region: string, account: string, name: string) => `arn:aws:ecr:${region}:${account}:repository/${name}`,
  role: (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`,
  scalableTarget: (region: string, account: string, id: string) =>
    `arn:aws:application-autoscaling:${region}:${account}:scalable-target/${id}`,
};

