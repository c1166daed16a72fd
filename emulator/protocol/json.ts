/**
 * AWS JSON 1.1 (ECS, CodeDeploy, ECR, Application Auto Scaling, CloudWatch Logs).
 *
 * Requests are `POST /` with `X-Amz-Target: <ServicePrefix>.<Operation>` and a JSON body whose
 * member names are the API's own. Timestamps travel as epoch seconds (fractions allowed) in both
 * directions. Errors carry the exception name in `__type` and the text in `message`.
 */
import { AwsError } from './errors';

/** Target prefixes of the JSON services the emulator serves. */
export const JSON_TARGET_PREFIXES = {
  AmazonEC2ContainerServiceV20141113: 'ecs',
  CodeDeploy_20141006: 'codedeploy',
  AmazonEC2ContainerRegistry_V20150921: 'ecr',
  AnyScaleFrontendService: 'autoscaling',
  Logs_20140328: 'logs',
} as const;

export type JsonServiceName = (typeof JSON_TARGET_PREFIXES)[keyof typeof JSON_TARGET_PREFIXES];

/** Split `Prefix.Operation` into the service name and operation, or undefined when unknown. */
export function parseTarget(target: string): { service: JsonServiceName; operation: string } | undefined {
  const dot = target.lastIndexOf('.');
  if (dot < 0) return undefined;
  const prefix = target.slice(0, dot) as keyof typeof JSON_TARGET_PREFIXES;
  const service = JSON_TARGET_PREFIXES[prefix];
  return service ? { service, operation: target.slice(dot + 1) } : undefined;
}

export function parseJsonBody(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AwsError('SerializationException', 'Request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AwsError('SerializationException', 'Request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** JSON with every Date written as epoch seconds, as the SDK expects. */
export function serializeJson(value: unknown): string {
  return JSON.stringify(value ?? {}, function replacer(this: Record<string, unknown>, key: string, current: unknown) {
    const raw = this[key];
    if (raw instanceof Date) return raw.getTime() / 1000;
    return current;
  });
}

export function jsonErrorBody(error: AwsError): string {
  // `message` is what ECS, CodeDeploy and ECR send; the SDK reads `Message` too.
  return JSON.stringify({ __type: error.code, message: error.message });
}

/** Epoch seconds (or an ISO string, which some tools send) as a Date. */
export function toDate(value: unknown): Date | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return new Date(value * 1000);
  if (typeof value === 'string') {
    const date = /^\d+(\.\d+)?$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return value instanceof Date ? value : undefined;
}
