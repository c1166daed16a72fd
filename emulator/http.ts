/**
 * The HTTP front: one server for all five services and the control plane.
 *
 * A request is routed by what the SDK puts on the wire: `X-Amz-Target` names a JSON 1.1 service
 * and operation; a form body with `Action=` is the ELBv2 query protocol; `/_emulator/` is the
 * control plane. Signatures are not checked (any credentials work). Before answering, the
 * simulation catches up with the clock, and fault rules get their chance to interfere.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleControl } from './control';
import type { Emulator } from './emulator';
import { faultError } from './faults';
import { VERIFICATION_HOOK_ACCESS_KEY } from './verification-hook';
import { AwsError } from './protocol/errors';
import { jsonErrorBody, parseJsonBody, parseTarget, serializeJson } from './protocol/json';
import { parseQueryBody } from './protocol/query';
import { xmlError, xmlResponse } from './protocol/xml';
import { autoScalingHandler } from './services/autoscaling';
import { codeDeployHandler } from './services/codedeploy';
import type { ServiceHandler, ServiceName } from './services/common';
import { ecrHandler } from './services/ecr';
import { ecsHandler } from './services/ecs';
import { elbv2Handler } from './services/elbv2';
import { logsHandler } from './services/logs';

const HANDLERS: Record<ServiceName, ServiceHandler> = {
  ecs: ecsHandler,
  codedeploy: codeDeployHandler,
  ecr: ecrHandler,
  elbv2: elbv2Handler,
  autoscaling: autoScalingHandler,
  logs: logsHandler,
};

const ELBV2_VERSION = '2015-12-01';

interface ParsedRequest {
  service: ServiceName;
  operation: string;
  protocol: 'json' | 'query';
  input: Record<string, unknown>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Which service and operation a request is for; throws AwsError for what no service accepts. */
function parseRequest(request: IncomingMessage, body: string): ParsedRequest {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') {
    const parsed = parseTarget(target);
    if (!parsed) throw new AwsError('UnknownOperationException', `The emulator serves no service with target ${target}`);
    return { service: parsed.service, operation: parsed.operation, protocol: 'json', input: parseJsonBody(body) };
  }
  const contentType = String(request.headers['content-type'] ?? '');
  if (contentType.includes('x-www-form-urlencoded') || /(^|&)Action=/.test(body)) {
    const { action, version, params } = parseQueryBody(body);
    if (version !== ELBV2_VERSION) throw new AwsError('InvalidAction', `The emulator serves only Elastic Load Balancing version ${ELBV2_VERSION}, not ${version || '(none)'}`);
    return { service: 'elbv2', operation: action, protocol: 'query', input: params };
  }
  throw new AwsError('UnknownOperationException', 'Requests need an X-Amz-Target header (JSON services) or an Action form parameter (ELBv2)');
}

function send(response: ServerResponse, status: number, contentType: string, body: string, requestId: string): void {
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    date: new Date().toUTCString(),
  });
  response.end(body);
}

function sendError(response: ServerResponse, protocol: 'json' | 'query', error: AwsError, requestId: string): void {
  if (protocol === 'query') send(response, error.status, 'text/xml', xmlError(error, requestId), requestId);
  else send(response, error.status, 'application/x-amz-json-1.1', jsonErrorBody(error), requestId);
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The access key id a request was signed with (SigV4 `Credential=<key>/...`), if any. */
function signedAccessKey(request: IncomingMessage): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(String(request.headers.authorization ?? ''))?.[1];
}

export function createRequestListener(emulator: Emulator) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    let body: string;
    try {
      body = await readBody(request);
    } catch {
      response.destroy();
      return;
    }
    const url = request.url ?? '/';

    if (url.startsWith('/_emulator')) {
      let parsed: unknown;
      try {
        parsed = body.trim() === '' ? undefined : JSON.parse(body);
      } catch {
        send(response, 400, 'application/json', JSON.stringify({ error: 'body must be JSON' }), requestId);
        return;
      }
      emulator.sim.advance();
      const result = handleControl(emulator, request.method ?? 'GET', url.split('?')[0], parsed);
      send(response, result.status, 'application/json', JSON.stringify(result.body, null, 2), requestId);
      return;
    }

    let parsed: ParsedRequest;
    try {
      parsed = parseRequest(request, body);
    } catch (error) {
      const awsError = error instanceof AwsError ? error : new AwsError('SerializationException', String(error));
      const protocol = request.headers['x-amz-target'] ? 'json' : 'query';
      sendError(response, protocol, awsError, requestId);
      return;
    }
    const { service, operation, protocol, input } = parsed;
    const log = (status: number, extra: { error?: string; fault?: string } = {}) => {
      const accessKeyId = signedAccessKey(request);
      emulator.calls.add({ at: new Date().toISOString(), service, operation, status, requestId, input, ...(accessKeyId ? { accessKeyId } : {}), ...extra });
      emulator.logLine?.(`${service} ${operation} → ${status}${extra.error ? ` ${extra.error}` : ''}${extra.fault ? ` (fault ${extra.fault})` : ''}`);
    };

    // Fault rules stand for AWS misbehaving toward the release tool; the verification hook
    // function's own calls (its access key) are left alone, as a separate principal's would be.
    const fault = signedAccessKey(request) === VERIFICATION_HOOK_ACCESS_KEY ? undefined : emulator.faults.take(service, operation);
    if (fault?.kind === 'reset') {
      log(0, { fault: fault.id, error: 'connection reset' });
      request.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') await delay(fault.delayMs);
    if (fault && fault.kind !== 'slow') {
      const { code, message, status } = faultError(fault.kind, service, emulator.sim.world.accountId);
      log(status, { fault: fault.id, error: code });
      sendError(response, protocol, new AwsError(code, message, status), requestId);
      return;
    }

    emulator.sim.advance();
    const operationHandler = HANDLERS[service].operations[operation];
    if (!operationHandler) {
      const error =
        protocol === 'query'
          ? new AwsError('InvalidAction', `The action ${operation} is not valid for this web service (the emulator does not implement it).`)
          : new AwsError('UnknownOperationException', `${operation} is not implemented by the emulator.`);
      log(error.status, { error: error.code, fault: fault?.id });
      sendError(response, protocol, error, requestId);
      return;
    }
    try {
      const result = operationHandler(input, { sim: emulator.sim, requestId });
      log(200, { fault: fault?.id });
      if (protocol === 'query') send(response, 200, 'text/xml', xmlResponse(operation, result as Record<string, unknown>, requestId), requestId);
      else send(response, 200, 'application/x-amz-json-1.1', serializeJson(result), requestId);
    } catch (error) {
      const awsError = error instanceof AwsError ? error : new AwsError('InternalFailure', `Emulator error: ${(error as Error).message}`, 500);
      if (!(error instanceof AwsError)) emulator.logLine?.(`internal error in ${service} ${operation}: ${(error as Error).stack}`);
      log(awsError.status, { error: awsError.code, fault: fault?.id });
      sendError(response, protocol, awsError, requestId);
    }
  };
}
