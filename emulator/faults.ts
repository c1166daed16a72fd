/**
 * Fault injection: rules that make matching API requests fail the way AWS sometimes does, so the
 * release tool's retries and error handling are exercised for real.
 *
 *   throttle  400 with the service's throttling code (`ThrottlingException`; ELBv2 `Throttling`):
 *             the SDK classifies it as throttling and retries with backoff
 *   http500   500 internal error (retried by the SDK as a transient error)
 *   http503   503 service unavailable (likewise)
 *   reset     the connection is destroyed without a response (ECONNRESET in the SDK)
 *   slow      the answer comes `delayMs` late (exercises request timeouts)
 *   denied    400 AccessDeniedException (ELBv2: AccessDenied), as for a role whose policy lacks
 *             the action: not retried. The message names the principal but not the action, so the
 *             release tool's own record of the failed call is what names it.
 */
import type { ServiceName } from './services/common';

export const FAULT_KINDS = ['throttle', 'http500', 'http503', 'reset', 'slow', 'denied'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultInput {
  /** Only requests to this service; any when absent. */
  service?: ServiceName;
  /** Only this operation (e.g. `CreateDeployment`); any when absent. */
  operation?: string;
  kind: FaultKind;
  /** How many matching requests fail. @default 1 */
  times?: number;
  /** `slow`: milliseconds of delay. @default 1000 */
  delayMs?: number;
}

export interface FaultRule {
  id: string;
  service?: ServiceName;
  operation?: string;
  kind: FaultKind;
  /** Matching requests still to fail. */
  remaining: number;
  delayMs: number;
  /** Requests this rule has failed so far. */
  hits: number;
}

const SERVICES: readonly ServiceName[] = ['ecs', 'codedeploy', 'ecr', 'elbv2', 'autoscaling', 'logs'];

export class Faults {
  private rules: FaultRule[] = [];
  private counter = 0;

  add(input: FaultInput): FaultRule {
    if (!FAULT_KINDS.includes(input.kind)) throw new Error(`fault kind must be one of ${FAULT_KINDS.join(', ')}, got ${String(input.kind)}`);
    if (input.service !== undefined && !SERVICES.includes(input.service)) {
      throw new Error(`fault service must be one of ${SERVICES.join(', ')}, got ${String(input.service)}`);
    }
    const times = input.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`fault times must be a positive integer, got ${String(input.times)}`);
    this.counter += 1;
    const rule: FaultRule = {
      id: `fault-${this.counter}`,
      service: input.service,
      operation: input.operation,
      kind: input.kind,
      remaining: times,
      delayMs: input.delayMs ?? 1000,
      hits: 0,
    };
    this.rules.push(rule);
    return rule;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  /** The first rule matching a request, consumed once; exhausted rules are dropped. */
  take(service: ServiceName, operation: string): FaultRule | undefined {
    const rule = this.rules.find(
      (candidate) => (candidate.service === undefined || candidate.service === service) && (candidate.operation === undefined || candidate.operation === operation),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    rule.hits += 1;
    if (rule.remaining <= 0) this.rules = this.rules.filter((candidate) => candidate !== rule);
    return { ...rule };
  }
}

/** The error a fault answers with, per service: code, message and HTTP status. */
export function faultError(kind: 'throttle' | 'http500' | 'http503' | 'denied', service: ServiceName, accountId = '123456789012'): { code: string; message: string; status: number } {
  if (kind === 'denied') {
    const message = `User: arn:aws:sts::${accountId}:assumed-role/emulated-deploy-role/release is not authorized to perform this operation`;
    return { code: service === 'elbv2' ? 'AccessDenied' : 'AccessDeniedException', message, status: 400 };
  }
  if (kind === 'throttle') return { code: service === 'elbv2' ? 'Throttling' : 'ThrottlingException', message: 'Rate exceeded', status: 400 };
  if (kind === 'http503') return { code: 'ServiceUnavailable', message: 'Service is unavailable. Please try again later.', status: 503 };
  const internal: Record<ServiceName, string> = {
    ecs: 'ServerException',
    ecr: 'ServerException',
    autoscaling: 'InternalServiceException',
    codedeploy: 'InternalFailure',
    elbv2: 'InternalFailure',
    logs: 'ServiceUnavailableException',
  };
  return { code: internal[service], message: 'We encountered an internal error. Please try again.', status: 500 };
}
