/**
 * What every service handler shares: the handler signature and pagination.
 */
import type { Simulation } from '../simulation/engine';
import { AwsError } from '../protocol/errors';

export type ServiceName = 'ecs' | 'codedeploy' | 'ecr' | 'elbv2' | 'autoscaling' | 'logs';

export interface HandlerContext {
  readonly sim: Simulation;
  readonly requestId: string;
}

/**
 * One API operation. Inputs arrive as the wire's JSON (or the parsed query form), typed with the
 * SDK's own input and output types so field names are checked against the real API.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Operation = (input: any, ctx: HandlerContext) => unknown;

export interface ServiceHandler {
  readonly name: ServiceName;
  readonly operations: Readonly<Record<string, Operation>>;
}

/** Opaque continuation tokens: the offset, base64-encoded with a marker so garbage is caught. */
export function paginate<T>(items: T[], nextToken: string | undefined, pageSize: number, invalidTokenCode: string): { page: T[]; nextToken?: string } {
  let offset = 0;
  if (nextToken) {
    const decoded = Buffer.from(nextToken, 'base64').toString('utf8');
    const match = /^emulator-offset:(\d+)$/.exec(decoded);
    if (!match) throw new AwsError(invalidTokenCode, 'The nextToken is not valid.');
    offset = Number(match[1]);
  }
  const page = items.slice(offset, offset + pageSize);
  const next = offset + pageSize < items.length ? Buffer.from(`emulator-offset:${offset + pageSize}`).toString('base64') : undefined;
  return { page, nextToken: next };
}

export const date = (ms: number | undefined): Date | undefined => (ms === undefined ? undefined : new Date(ms));
