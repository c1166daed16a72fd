'use strict';
/**
 * The verification hook: CodeDeploy invokes this function at AfterAllowTestTraffic of an ECS
 * blue/green deployment, when the test listener already forwards to the replacement task set and
 * production still goes to the original one. It GETs the release's path on the test listener from
 * inside the VPC, reports Succeeded or Failed with PutLifecycleEventHookExecutionStatus, and logs
 * one JSON line per try (the failing response included) with the deployment id, so the release
 * tool and people can find it. Failed makes CodeDeploy fail the deployment and roll it back;
 * production traffic never moved.
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
/** Characters of a failing response body kept in the log. */
const BODY_LIMIT = 500;
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
          if (body.length < BODY_LIMIT) body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode, body: body.slice(0, BODY_LIMIT) }));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no response within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    request.on('error', reject);
    request.end();
  });
}

/** Up to `tries` GETs, spread over the listener's addresses; 2xx and 3xx pass. */
async function checkTestListener(target, path, endpoints, deps, log) {
  const tries = target.tries || 10;
  let last = { answer: 'no answer' };
  for (let attempt = 1; attempt <= tries; attempt++) {
    const endpoint = endpoints[(attempt - 1) % endpoints.length];
    const url = `${endpoint.protocol.toLowerCase()}://${endpoint.hostHeader || endpoint.host}:${endpoint.port}${path}`;
    try {
      const response = await get(endpoint, path);
      last = { url, answer: `HTTP ${response.status}`, body: response.body };
      if (response.status >= 200 && response.status < 400) {
        log({ result: 'passed', try: `${attempt}/${tries}`, url, response: last.answer });
        return { ok: true, ...last };
      }
    } catch (error) {
      last = { url, answer: error instanceof Error ? error.message : String(error) };
    }
    log({ result: 'retry', try: `${attempt}/${tries}`, url, response: last.answer, body: last.body });
    if (attempt < tries) await deps.sleep(PAUSE_MS);
  }
  return { ok: false, ...last };
}

/**
 * Verify one deployment and report the result. Never throws: any failure is reported as Failed
 * (a function that ends without reporting would hold the deployment for an hour).
 * `deps`: { codedeploy, sdk (GetDeploymentCommand, PutLifecycleEventHookExecutionStatusCommand),
 * targets, endpoints(target) → [{ protocol, host, port, hostHeader, pathPrefix }], sleep(ms), log(line) }.
 */
async function verifyDeployment(event, deps) {
  const deploymentId = event.DeploymentId;
  const log = (fields) => deps.log(JSON.stringify({ deploymentId, ...fields }));
  let status = 'Failed';
  try {
    const found = await deps.codedeploy.send(new deps.sdk.GetDeploymentCommand({ deploymentId }));
    const deployment = found.deploymentInfo || {};
    const target = deps.targets[deployment.deploymentGroupName];
    const path = target && pathFor(deployment.description, target);
    if (!target) {
      log({ result: 'failed', reason: `no test listener configured for deployment group ${deployment.deploymentGroupName}; apply the stack` });
    } else if (!path) {
      log({ result: 'failed', reason: `no path to verify for ${deployment.deploymentGroupName}: set release.verifyPath or deploy --verify PATH` });
    } else {
      const endpoints = await deps.endpoints(target);
      if (endpoints.length === 0) {
        log({ result: 'failed', reason: `no private address found for load balancer ${target.loadBalancerName}` });
      } else {
        const checked = await checkTestListener(target, path, endpoints, deps, log);
        status = checked.ok ? 'Succeeded' : 'Failed';
        if (!checked.ok) log({ result: 'failed', url: checked.url, response: checked.answer, body: checked.body });
      }
    }
  } catch (error) {
    log({ result: 'failed', reason: error instanceof Error ? error.message : String(error) });
  }
  await deps.codedeploy.send(
    new deps.sdk.PutLifecycleEventHookExecutionStatusCommand({ deploymentId, lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId, status }),
  );
  return status;
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
    targets: JSON.parse(process.env.VERIFY_TARGETS || '{}'),
    endpoints: (target) => privateAddresses(describeLoadBalancers, describeNetworkInterfaces, target),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    log: (line) => console.log(line),
  });
}

module.exports = { handler, verifyDeployment, privateAddresses, pathFor, DESCRIPTION_PATH };
