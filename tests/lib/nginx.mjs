// nginx.mjs - nginx in front of gazette nodes for the HTTP tests: one
// nginx (/usr/sbin/nginx, or $NGINX) with a generated configuration in a
// temporary prefix, balancing round robin over the given backend ports,
// as deploy/nginx/gazette.conf's balancer does: X-Forwarded-For passed on
// as the client sent it (the front that sets it is not in the test, so a
// test chooses each reader's address), a POST never sent twice, no
// caching. Each answer says which node made it in X-Upstream (nginx's
// $upstream_addr), so a test can tell the nodes apart.
//
// Invariants: every nginx started here is stopped by its stop() or, as a
// last resort, when the test process exits; nothing waits without a
// limit. Runs on Node 18: node: built-ins only.

import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { freePort, slow, tempDir } from './gazette.mjs';

export const NGINX = process.env.NGINX || '/usr/sbin/nginx';
const START_TIMEOUT_MS = slow(30000);
const STOP_GRACE_MS = slow(5000);

// Why nginx cannot be used (a skip message), or null when it can.
export function nginxMissing() {
  try {
    accessSync(NGINX, constants.X_OK);
    return null;
  } catch {
    return `no nginx at ${NGINX} (apt-get install nginx, or set NGINX)`;
  }
}

// Resolves true once something accepts a connection on `port`, false
// when nothing does by `deadline` (Date.now() milliseconds).
async function accepting(port, deadline) {
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const sock = net.connect({ host: '127.0.0.1', port });
      sock.on('connect', () => { sock.destroy(); resolve(true); });
      sock.on('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

// A whole nginx.conf for `prefix` around `http` (the inside of its http
// block: upstreams and servers, as deploy/nginx/gazette.conf is).
function mainConf(prefix, http) {
  // As root nginx's workers would run as "nobody", who may not enter a
  // private temporary directory; bench/pg.sh runs them as root too.
  const user = process.getuid && process.getuid() === 0 ? 'user root;\n' : '';
  return `${user}worker_processes 1;
daemon off;
master_process on;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 1024; }
http {
    access_log ${prefix}/access.log;
    client_body_temp_path ${prefix}/body;
    proxy_temp_path ${prefix}/proxy;
    fastcgi_temp_path ${prefix}/fastcgi;
    uwsgi_temp_path ${prefix}/uwsgi;
    scgi_temp_path ${prefix}/scgi;
${http}
}
`;
}

// The balancer's http block: listening on `port`, balancing over
// `backends` (ports on 127.0.0.1).
function balancer(port, backends) {
  const servers = backends.map((p) => `        server 127.0.0.1:${p} max_fails=1 fail_timeout=10s;`);
  return `    upstream gazette_nodes {
${servers.join('\n')}
        keepalive 16;
    }
    server {
        listen 127.0.0.1:${port};
        client_max_body_size 21m;
        location / {
            proxy_pass http://gazette_nodes;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $http_x_forwarded_for;
            proxy_next_upstream error timeout http_503;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
            proxy_buffering off;
            proxy_request_buffering off;
            add_header X-Upstream $upstream_addr always;
        }
    }`;
}

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

// Runs nginx with the configuration `conf` in `prefix` until every port
// of `ports` accepts connections. Resolves to {stop(), log(), up} (up
// false when it exited or stayed closed: then it is stopped already).
async function launch(prefix, conf, ports) {
  const file = path.join(prefix, 'nginx.conf');
  writeFileSync(file, conf);
  const child = spawn(NGINX, ['-p', prefix, '-c', file, '-e', path.join(prefix, 'error.log')],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(child);
  let out = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c) => { out += c; });
  // Its stderr and its error log (where it writes once it has read the
  // configuration).
  const log = () => {
    let text = '';
    try { text = readFileSync(path.join(prefix, 'error.log'), 'utf8'); } catch { /* none yet */ }
    return out + text;
  };
  let exitInfo = null;
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    exitInfo = { code, signal };
    live.delete(child);
    resolve(exitInfo);
  }));
  child.on('error', (e) => { out += `spawn: ${e.message}\n`; });
  const stop = async () => {
    if (exitInfo) return exitInfo;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    const info = await exited;
    clearTimeout(t);
    return info;
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  let waiting = [...ports];
  while (!exitInfo && waiting.length && Date.now() < deadline) {
    if (await accepting(waiting[0], Math.min(deadline, Date.now() + 200))) waiting = waiting.slice(1);
  }
  if (!waiting.length && !exitInfo) {
    child.unref();
    child.stderr.unref?.();
    return { stop, log, up: true };
  }
  await stop();
  return { stop, log, up: false };
}

// A fresh prefix with the temporary directories nginx.conf names.
function makePrefix() {
  const prefix = tempDir('gazette-nginx-');
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(prefix, d));
  return prefix;
}

// Starts nginx balancing over `backends` (ports). Resolves to {url, port,
// stop(), log()} once it accepts connections; rejects with its error log
// when it exits or stays closed first. stop() sends SIGTERM (fast
// shutdown), SIGKILL after 5 s, and resolves when it has exited.
export async function startNginx(backends) {
  const prefix = makePrefix();
  // A port may be taken between asking and binding: try a few.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const n = await launch(prefix, mainConf(prefix, balancer(port, backends)), [port]);
    if (n.up) return { url: `http://127.0.0.1:${port}`, port, stop: n.stop, log: n.log, prefix };
    if (attempt < 3 && /Address already in use/.test(n.log())) continue;
    throw new Error(`nginx did not start on port ${port}:\n${n.log()}`);
  }
}

// Starts nginx with `http` as its http block (deploy/nginx/gazette.conf,
// its ports made the test's), once every port of `ports` accepts.
// Resolves to {stop(), log()}; rejects with its error log.
export async function startNginxConf(http, ports) {
  const prefix = makePrefix();
  const n = await launch(prefix, mainConf(prefix, http), ports);
  if (!n.up) throw new Error(`nginx did not start on ${ports.join(', ')}:\n${n.log()}`);
  return { stop: n.stop, log: n.log, prefix };
}
