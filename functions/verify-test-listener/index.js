'use strict';
/**
 * The verification hook: CodeDeploy invokes this function at AfterAllowTestTraffic of an ECS
 * blue/green deployment, when the test listener already forwards to the replacement task set and
 * production still goes to the original one. It GETs the release's path on the test listener from
 * inside the VPC, reports Succeeded or Failed with PutLifecycleEventHookExecutionStatus, and logs
 * one JSON line per check (status, path, time taken, and for a failing answer a short, sanitized
 * excerpt of its body; never a header) and one for the result, each with the deployment id: the
 * release tool reads a failed deployment's lines (FilterLogEvents on the deployment id) and shows
 * them. Failed makes CodeDeploy fail the deployment and roll it back; production traffic never
 * moved.
 *
 * Plain JavaScript for the Node.js runtime, which provides the AWS SDK v3 clients: the stack
 * packages this directory as it is (modules/verification-hook.ts), and the local emulator loads
 * this same file to run the hook (emulator/verification-hook.ts).
 *
 * Settings come from the environment variable VERIFY_TARGETS, written by the stack from
 * configuration alone: for each deployment group, the test listener (load balancer name, protocol,
 * port), the configured path (`release.verifyPath`) and the number of tries. The load balancer's
 * DNS name and ARN are looked up by its name when the function runs (DescribeLoadBalancers), so
 * the environment's shared stack, which holds this function, never reads a service's stack.
 * `deploy --verify PATH` overrides the path for one release by starting the deployment's
 * description with `verify PATH`.
 */
const http = require('node:http');
const https = require('node:https');

/** Milliseconds between tries, and one request's limit. */
const PAUSE_MS = 3000;
const REQUEST_TIMEOUT_MS = 5000;
/** Characters of a response body read (enough to see whole key-value pairs when redacting). */
const BODY_READ_LIMIT = 4096;
/** Characters of a failing response body kept in the log, after sanitizing. */
const BODY_EXCERPT_LIMIT = 300;
/**
 * Values that may be secrets, whatever the application put in an error page: `"password": "…"`,
 * `token=…`, `Authorization: Bearer …`, AWS access key ids. The excerpt keeps the key, not the value.
 */
const SECRET_KEY = '[\\w.-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|auth(?:orization)?|cookie|session|credential|private[_-]?key|signature)[\\w.-]*';
const SECRET_JSON_VALUE = new RegExp(`("${SECRET_KEY}"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|[^,}\\s]+)`, 'gi');
const SECRET_PAIR_VALUE = new RegExp(`\\b(${SECRET_KEY}\\s*[=:]\\s*)(?!\\[redacted\\])(?:Bearer\\s+|Basic\\s+)?[^\\s,;&"'}]+`, 'gi');
const BEARER_VALUE = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;
const AWS_ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g;
/** C0 and C1 controls, DEL, and the bidirectional overrides that could disguise text in a terminal. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g;
/** The prefix the release tool gives a deployment's description to choose the path. */
const DESCRIPTION_PATH = /^verify (\/\S*)/;

/** The path to GET: the deployment's `verify PATH` description, else the group's configured path. */
function pathFor(description, target) {
  const chosen = DESCRIPTION_PATH.exec(description || '');
  return chosen ? chosen[1] : target.path;
}

/**
 * The addresses of the test listener inside the VPC. An internet-facing load balancer's DNS name
 * resolves to public addresses, which a VPC function reaches only through NAT and then no longer
 * from its security group; the load balancer's network interfaces (described "ELB <arn suffix>",
 * the part of its ARN after `loadbalancer/`) carry its private addresses, which the security group
 * rule admits. The DNS name goes in the Host header.
 */
async function privateAddresses(describeLoadBalancers, describeNetworkInterfaces, target) {
  const balancers = await describeLoadBalancers({ Names: [target.loadBalancerName] });
  const balancer = (balancers.LoadBalancers || [])[0];
  if (!balancer) return [];
  const arnSuffix = String(balancer.LoadBalancerArn).split(':loadbalancer/')[1];
  const found = await describeNetworkInterfaces({ Filters: [{ Name: 'description', Values: [`ELB ${arnSuffix}`] }] });
  const addresses = (found.NetworkInterfaces || []).map((networkInterface) => networkInterface.PrivateIpAddress).filter(Boolean);
  return addresses.map((address) => ({ protocol: target.protocol, host: address, port: target.port, hostHeader: balancer.DNSName, pathPrefix: '' }));
}

/**
 * A response body as the log may show it: controls and bidirectional overrides replaced, runs of
 * whitespace collapsed (one log line stays one line), secret-looking values redacted, and at most
 * BODY_EXCERPT_LIMIT characters, marked when cut.
 */
function bodyExcerpt(body) {
  const readable = String(body).replace(UNPRINTABLE, ' ').replace(/\s+/g, ' ').trim();
  const redacted = readable
    .replace(SECRET_JSON_VALUE, '$1"[redacted]"')
    .replace(SECRET_PAIR_VALUE, '$1[redacted]')
    .replace(BEARER_VALUE, '$1 [redacted]')
    .replace(AWS_ACCESS_KEY_ID, '[redacted]');
  return redacted.length > BODY_EXCERPT_LIMIT ? `${redacted.slice(0, BODY_EXCERPT_LIMIT)}…` : redacted;
}

/** One GET; resolves with the status and the start of the body, rejects on a network error or the time limit. */
function get(endpoint, path) {
  const client = endpoint.protocol === 'HTTPS' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      {
        method: 'GET',
        host: endpoint.host,
        port: endpoint.port,
        path: `${endpoint.pathPrefix}${path}`,
        headers: endpoint.hostHeader ? { Host: endpoint.hostHeader } : {},
        // The certificate names the production domain, not the private address connected to; the
        // request carries no secret and only the status is judged.
        ...(endpoint.protocol === 'HTTPS' ? { servername: endpoint.hostHeader, rejectUnauthorized: false } : {}),
        timeout: REQUEST_TIMEOUT_MS,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          if (body.length < BODY_READ_LIMIT) body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode, body: body.slice(0, BODY_READ_LIMIT) }));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no response within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    request.on('error', reject);
    request.end();
  });
}

/**
 * Up to `tries` GETs, spread over the listener's addresses; 2xx and 3xx pass. Each check is one
 * log line: its number, the path, the status (or the network error), the milliseconds it took,
 * and for a failing answer the body's excerpt. Headers are never logged: they may carry cookies.
 */
async function checkTestListener(target, path, endpoints, deps, log) {
  const tries = target.tries || 10;
  const now = deps.now || Date.now;
  let last = 'no answer';
  for (let attempt = 1; attempt <= tries; attempt++) {
    const endpoint = endpoints[(attempt - 1) % endpoints.length];
    const check = { check: `${attempt}/${tries}`, path };
    const started = now();
    try {
      const response = await get(endpoint, path);
      const passed = response.status >= 200 && response.status < 400;
      log({ ...check, result: passed ? 'passed' : 'failed', status: response.status, ms: now() - started, ...(passed ? {} : { body: bodyExcerpt(response.body) }) });
      if (passed) return { ok: true, last: `HTTP ${response.status}` };
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
      log({ ...check, result: 'failed', error: last, ms: now() - started });
    }
    if (attempt < tries) await deps.sleep(PAUSE_MS);
  }
  return { ok: false, last };
}

/**
 * Verify one deployment and report the result. Never throws: any failure is reported as Failed
 * (a function that ends without reporting would hold the deployment for an hour). The last log
 * line says what was reported and, for Failed, why.
 * `deps`: { codedeploy, sdk (GetDeploymentCommand, PutLifecycleEventHookExecutionStatusCommand),
 * targets, endpoints(target) → [{ protocol, host, port, hostHeader, pathPrefix }], sleep(ms), log(line), now() }.
 */
async function verifyDeployment(event, deps) {
  const deploymentId = event.DeploymentId;
  const log = (fields) => deps.log(JSON.stringify({ deploymentId, ...fields }));
  let reason;
  try {
    const found = await deps.codedeploy.send(new deps.sdk.GetDeploymentCommand({ deploymentId }));
    const deployment = found.deploymentInfo || {};
    const target = deps.targets[deployment.deploymentGroupName];
    const path = target && pathFor(deployment.description, target);
    if (!target) {
      reason = `no test listener configured for deployment group ${deployment.deploymentGroupName}; apply the stack`;
    } else if (!path) {
      reason = `no path to verify for ${deployment.deploymentGroupName}: set release.verifyPath or deploy --verify PATH`;
    } else {
      const endpoints = await deps.endpoints(target);
      if (endpoints.length === 0) {
        reason = `no private address found for load balancer ${target.loadBalancerName}`;
      } else {
        const checked = await checkTestListener(target, path, endpoints, deps, log);
        if (!checked.ok) reason = `GET ${path} failed ${target.tries || 10} checks; the last: ${checked.last}`;
      }
    }
  } catch (error) {
    reason = error instanceof Error ? error.message : String(error);
  }
  const status = reason === undefined ? 'Succeeded' : 'Failed';
  log({ reported: status, ...(reason === undefined ? {} : { reason }) });
  await deps.codedeploy.send(
    new deps.sdk.PutLifecycleEventHookExecutionStatusCommand({ deploymentId, lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId, status }),
  );
  return status;
}

/**
 * VERIFY_TARGETS → settings by deployment group. The stack writes it compactly (Lambda allows 4 KB
 * for a function's variables): `{"prefix":"shop-prod-","tries":10,"services":{"web":"HTTPS:8443:/health"}}`,
 * where a service's deployment group and load balancer are both `prefix + name`
 * (config/index.ts verificationTargetsVariable, which a test holds to this decoder).
 */
function targetsFrom(variable) {
  if (!variable) return {};
  const { prefix, tries, services } = JSON.parse(variable);
  return Object.fromEntries(
    Object.entries(services).map(([service, spec]) => {
      const [protocol, port, ...path] = spec.split(':');
      const name = `${prefix}${service}`;
      return [name, { loadBalancerName: name, protocol, port: Number(port), ...(path.length > 0 ? { path: path.join(':') } : {}), tries }];
    }),
  );
}

/** The Lambda entry point: the runtime's SDK clients, the load balancers' private addresses. */
async function handler(event) {
  const sdk = require('@aws-sdk/client-codedeploy');
  const { EC2Client, DescribeNetworkInterfacesCommand } = require('@aws-sdk/client-ec2');
  const { ElasticLoadBalancingV2Client, DescribeLoadBalancersCommand } = require('@aws-sdk/client-elastic-load-balancing-v2');
  const ec2 = new EC2Client({});
  const elb = new ElasticLoadBalancingV2Client({});
  const describeNetworkInterfaces = (input) => ec2.send(new DescribeNetworkInterfacesCommand(input));
  const describeLoadBalancers = (input) => elb.send(new DescribeLoadBalancersCommand(input));
  return verifyDeployment(event, {
    codedeploy: new sdk.CodeDeployClient({}),
    sdk,
    targets: targetsFrom(process.env.VERIFY_TARGETS),
    endpoints: (target) => privateAddresses(describeLoadBalancers, describeNetworkInterfaces, target),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    // The runtime sends console output to the function's log group, one event per call.
    log: (line) => console.log(line),
    now: Date.now,
  });
}

module.exports = { handler, targetsFrom, verifyDeployment, privateAddresses, pathFor, bodyExcerpt, DESCRIPTION_PATH, BODY_EXCERPT_LIMIT };
