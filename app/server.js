/**
 * The example service the release workflow builds and deploys: a Node.js HTTP server with no
 * dependencies. `/` says which version answers (the commit the image was built from), `/health`
 * is what the load balancer's health check and `--verify /health` probe.
 *
 * PORT (default 80, the containerPort in config/schema.ts) and APP_VERSION come from the
 * environment. On SIGTERM, which ECS sends when it stops a task, the server stops accepting
 * connections, lets requests in flight finish and exits before the container's stop timeout.
 *
 * With APP_ROLE=worker the same image runs the example worker instead (worker.js): no HTTP.
 */
'use strict';
const http = require('node:http');

const port = Number(process.env.PORT ?? 80);
const version = process.env.APP_VERSION ?? 'unknown';
const startedAt = new Date().toISOString();

function send(response, status, body) {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  response.end(response.req.method === 'HEAD' ? undefined : text);
}

function serve() {
  const server = http.createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return send(response, 405, { error: 'method not allowed' });
    }
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/health') return send(response, 200, { status: 'ok' });
    if (path === '/') return send(response, 200, { service: 'web', version, startedAt });
    return send(response, 404, { error: 'not found' });
  });

  function shutDown(signal) {
    console.log(JSON.stringify({ event: 'stopping', signal }));
    // close() also ends idle keep-alive connections (Node 19+), so only requests in flight delay the exit.
    server.close(() => process.exit(0));
  }
  process.once('SIGTERM', shutDown);
  process.once('SIGINT', shutDown);

  server.listen(port, () => console.log(JSON.stringify({ event: 'listening', port: server.address().port, version })));
}

if (process.env.APP_ROLE === 'worker') require('./worker').runWorker();
else serve();
