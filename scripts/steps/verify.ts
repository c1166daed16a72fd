/**
 * `--verify PATH`: while CodeDeploy waits for approval, the replacement tasks answer on the test
 * listener only. GET the path there; 2xx/3xx approves, anything else stops with rollback.
 */
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { BadInputError } from '../cli/errors';
import { pollIntervalMs, type Context } from '../context';
import type { ListenerInfo } from './preflight';

export interface VerifyRequest {
  readonly path: string;
  readonly tries: number;
  readonly baseUrl?: string;
}

/** `http(s)://<ALB DNS>:<test port>`, or `--verify-base-url`. */
export async function verifyBaseUrl(context: Context, test: ListenerInfo | undefined, request: VerifyRequest): Promise<string> {
  if (request.baseUrl) return request.baseUrl.replace(/\/$/, '');
  if (!test) throw new BadInputError('--verify needs a test listener on the deployment group; the stack has none: run `cdktf deploy`');
  const found = await context.clients.elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [test.loadBalancerArn] }));
  const dns = found.LoadBalancers?.[0]?.DNSName;
  if (!dns) throw new BadInputError(`load balancer ${test.loadBalancerArn} of the test listener not found: run \`cdktf deploy\``);
  return `${test.protocol === 'HTTPS' ? 'https' : 'http'}://${dns}:${test.port}`;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly detail: string;
}

/** Up to `tries` GETs, 1.5 poll intervals apart (3 s by default); each request times out after 5 s. */
export async function verifyTestListener(context: Context, url: string, tries: number): Promise<VerifyResult> {
  let last = 'no answer';
  for (let attempt = 1; attempt <= tries; attempt++) {
    try {
      const response = await context.fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5_000) });
      last = `HTTP ${response.status}`;
      if (response.status >= 200 && response.status < 400) {
        return { ok: true, detail: `GET ${url} → ${last} (try ${attempt}/${tries})` };
      }
    } catch (error) {
      last = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    }
    context.out.line(`verify: GET ${url} → ${last} (try ${attempt}/${tries})`);
    if (attempt < tries) await context.clock.sleep(pollIntervalMs(context.env) * 1.5);
  }
  return { ok: false, detail: `GET ${url} → ${last} after ${tries} tries` };
}
