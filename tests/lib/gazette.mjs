// gazette.mjs - helpers the HTTP and browser tests share: find the binary,
// run its commands, make throwaway sites, start and stop real servers on a
// free port, and speak HTTP to them without any cleverness in between.
//
// Invariants: every server started here is stopped (SIGTERM, then SIGKILL
// after 5 s, scaled by GAZETTE_TEST_SLOW) by the caller's after() hook or, as a last resort, when the
// test process exits; a server never keeps `node --test` waiting. Nothing
// here reads outside the repository and the temporary directories it makes.
// Runs on Node 18: node: built-ins only.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The repository root, from this file's place in it (tests/lib/).
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// GAZETTE_TEST_SLOW=N (a number, 1 or more; unset is 1) multiplies the
// limits below, and the waits tests take through slow(): for a server much
// slower than usual, as under valgrind (scripts/run-valgrind-tests.sh sets
// 10). It lengthens waits only; no assertion changes with it.
export const SLOW = Math.max(1, Number(process.env.GAZETTE_TEST_SLOW) || 1);

// `ms` milliseconds, scaled by GAZETTE_TEST_SLOW.
export function slow(ms) {
  return ms * SLOW;
}

// Generous limits, only so that a broken server fails a test instead of
// hanging it. Nothing asserts on how long anything took.
const START_TIMEOUT_MS = slow(30000);
const STOP_GRACE_MS = slow(5000);
const REQUEST_TIMEOUT_MS = slow(30000);
const RUN_TIMEOUT_MS = slow(120000);

// What sanitizers print when they find something (ASan, LSan, UBSan): a
// report fails the test even when the status looks fine.
const SANITIZER_RE = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/;

// The binary under test: $GAZETTE_BIN, else <repo>/build/gazette.
export function bin() {
  const b = process.env.GAZETTE_BIN;
  return b ? path.resolve(b) : path.join(ROOT, 'build', 'gazette');
}

// The gazette-ingest helper the binary under test runs (beside it): for
// a test that stands in front of it. Under scripts/run-valgrind-tests.sh
// the binary is a wrapper script and the real one $GAZETTE_VG_BIN.
export function ingestBin() {
  const real = process.env.GAZETTE_VG_BIN || bin();
  return path.join(path.dirname(path.resolve(real)), 'gazette-ingest');
}

function assertBin() {
  if (!existsSync(bin())) {
    throw new Error(`gazette binary not found at ${bin()}: build it ` +
      '(ninja -C build) or set GAZETTE_BIN to its absolute path');
  }
}

// The environment children get: ours (so ASAN_OPTIONS, UBSAN_OPTIONS,
// TZ and the like pass through) without GAZETTE_SITE, which would change
// which site a command works on; plus opts.env.
function childEnv(extra) {
  const env = { ...process.env };
  delete env.GAZETTE_SITE;
  return { ...env, ...(extra || {}) };
}

// fetch keeps connections alive for the next request; a server closes
// one left idle (GZ_LIMIT_HEADER_SECONDS). While spawnSync blocks this
// process, fetch cannot see that close, and its next request would be
// written onto the closed socket ("other side closed"): under valgrind a
// command blocks for longer than the server waits. So after each command
// fetch starts from a fresh pool of connections (the global dispatcher
// Node's fetch reads, replaced by a new one of its own kind; the old one
// finishes what it has under way, then closes).
function freshConnections() {
  const key = Symbol.for('undici.globalDispatcher.1');
  const old = globalThis[key];
  if (!old || typeof old.close !== 'function') return;
  globalThis[key] = new old.constructor();
  old.close().catch(() => {});
}

// Runs `gazette ARGS...` to completion. Returns {status, signal, stdout,
// stderr}; status is null when the process died of a signal. Throws when
// the command printed a sanitizer report.
export function run(args, opts = {}) {
  assertBin();
  const r = spawnSync(bin(), args, {
    cwd: opts.cwd || scratchDir(),
    env: childEnv(opts.env),
    input: opts.input,
    encoding: 'utf8',
    timeout: opts.timeout || RUN_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  freshConnections();
  if (r.error) throw r.error;
  if (SANITIZER_RE.test(r.stderr)) {
    throw new Error(`sanitizer report from gazette ${args.join(' ')}:\n${r.stderr}`);
  }
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

// One line describing a finished command, for assertion messages.
export function describeRun(args, r) {
  return `gazette ${args.join(' ')} -> status ${r.status}` +
    (r.signal ? ` (signal ${r.signal})` : '') +
    `\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

// Runs a command that must succeed; throws with its output otherwise.
export function runOk(args, opts) {
  const r = run(args, opts);
  if (r.status !== 0) throw new Error(describeRun(args, r));
  return r;
}

const tempDirs = new Set();

// A fresh empty directory under the system's temporary directory, removed
// when the process exits (kept when GAZETTE_KEEP_TMP is set, to debug).
export function tempDir(prefix = 'gazette-test-') {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}

// Commands run in a scratch directory unless told otherwise, so that one
// falling back to ./site never writes into the repository.
let scratch = null;
function scratchDir() {
  if (!scratch) scratch = tempDir('gazette-cwd-');
  return scratch;
}

// A new site: a temporary directory `dir` holding the site directory `site`
// made by `gazette init`. opts: title, timezone, baseUrl, hashCost. Test
// sites hash passwords at the minimum cost unless told otherwise: init
// hashes the first admin's password, and at the interactive cost (64 MiB)
// that alone takes seconds under valgrind, for every site a test makes.
export function tempSite(opts = {}) {
  const dir = tempDir();
  const site = path.join(dir, 'site');
  runOk(['init', '--site', site,
    '--title', opts.title || 'Test Gazette',
    '--timezone', opts.timezone || 'UTC',
    '--base-url', opts.baseUrl || 'http://127.0.0.1',
    '--hash-cost', opts.hashCost || 'minimum']);
  return { dir, site };
}

const liveServers = new Set();

process.on('exit', () => {
  for (const child of liveServers) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
  if (!process.env.GAZETTE_KEEP_TMP) {
    for (const d of tempDirs) {
      try { rmSync(d, { recursive: true, force: true }); } catch { /* best effort */ }
    }
  }
});

// A TCP port nobody listens on now (the kernel's pick, released again).
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// A port of the kernel's pick, held (listened on, never accepting) until
// release(): a server started after a proxy can be named in the proxy's
// configuration without the proxy's own free port being that one.
export function holdPort() {
  return new Promise((resolve, reject) => {
    // Not unref'd: its close, awaited, must keep the event loop alive.
    // Whoever connects meanwhile (a proxy's first fetch) is hung up on,
    // so close() has no connection to wait for.
    const srv = net.createServer((sock) => sock.destroy());
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve({
      port: srv.address().port,
      release: () => new Promise((r) => srv.close(r)),
    }));
  });
}

const LISTEN_RE = /listening on (http:\/\/127\.0\.0\.1:(\d+))/;
const LOG_KEEP = 256 * 1024;

// Starts `gazette ARGS... --listen 127.0.0.1:0` and waits for its
// "listening on http://127.0.0.1:PORT" line on stderr. Resolves to
// {url, port, child, log(), stop()}; rejects with the collected output if
// the server exits or stays silent first. stop() sends SIGTERM, SIGKILL
// after 5 s (times GAZETTE_TEST_SLOW), and resolves to {code, signal, killed, log}.
export function startServer(args, opts = {}) {
  assertBin();
  // opts.listen: a port chosen beforehand (a proxy started first needs it).
  const fullArgs = [...args, '--listen', opts.listen || '127.0.0.1:0'];
  const child = spawn(bin(), fullArgs, {
    cwd: opts.cwd || scratchDir(),
    env: childEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveServers.add(child);

  let out = '';
  const keep = (chunk) => {
    out += chunk;
    if (out.length > LOG_KEEP) out = out.slice(out.length - LOG_KEEP);
  };
  // Both pipes are drained for the server's whole life, so a chatty access
  // log can never block it on a full pipe.
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  let exitInfo = null;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      liveServers.delete(child);
      resolve(exitInfo);
    });
  });

  // Past start-up nothing of the child keeps the test process alive: if a
  // test forgets stop(), the process still exits and the exit hook kills it.
  const detach = () => {
    child.unref();
    child.stdout.unref?.();
    child.stderr.unref?.();
  };

  let killed = false;
  const stop = async () => {
    if (exitInfo) return { ...exitInfo, killed, log: out };
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, STOP_GRACE_MS);
    const info = await exited;
    clearTimeout(timer);
    return { ...info, killed, log: out };
  };

  return new Promise((resolve, reject) => {
    let errBuf = '';
    let done = false;
    const finish = (err, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.stderr.off('data', onErr);
      if (err) {
        stop().finally(() => reject(err));
      } else {
        detach();
        resolve(value);
      }
    };
    const onErr = (chunk) => {
      errBuf += chunk;
      const m = LISTEN_RE.exec(errBuf);
      if (m) {
        finish(null, {
          url: m[1], port: Number(m[2]), child, stop,
          log: () => out, exited: () => exitInfo,
        });
      }
    };
    child.stderr.on('data', onErr);
    child.on('error', (e) => finish(new Error(`could not start gazette: ${e.message}`)));
    exited.then((info) => finish(new Error(
      `gazette ${fullArgs.join(' ')} exited (code ${info.code}, signal ${info.signal}) ` +
      `before it was listening; output:\n${out}`)));
    const timer = setTimeout(() => finish(new Error(
      `gazette ${fullArgs.join(' ')} printed no "listening on" line within ` +
      `${START_TIMEOUT_MS / 1000} s; output so far:\n${out}`)), START_TIMEOUT_MS);
  });
}

// Stops a server and throws unless it stopped cleanly: on SIGTERM (not
// SIGKILL), with status 0 or by the signal, and with no sanitizer report
// in its output.
export async function stopChecked(srv) {
  const r = await srv.stop();
  const why = r.killed ? 'ignored SIGTERM and was killed'
    : !(r.code === 0 || r.signal === 'SIGTERM') ? `exited with code ${r.code} signal ${r.signal}`
      : SANITIZER_RE.test(r.log) ? 'printed a sanitizer report' : null;
  if (why) throw new Error(`the server ${why}; its output:\n${r.log}`);
  return r;
}

// Starts a server on `site`, runs fn(server), always stops it (and fails
// when it did not stop cleanly).
export async function withServer(site, fn) {
  const srv = await startServer(['serve', '--site', site]);
  let result;
  try {
    result = await fn(srv);
  } catch (e) {
    await srv.stop();
    throw e;
  }
  await stopChecked(srv);
  return result;
}

// One HTTP request with node:http, nothing followed or decoded: resolves to
// {status, headers, body (utf8 string), raw (Buffer), socket info}.
// opts: method, headers, body, agent (default: a fresh connection).
export function request(url, opts = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({
      host: u.hostname,
      port: u.port,
      path: u.pathname + u.search,
      method: opts.method || 'GET',
      headers: opts.headers || {},
      agent: opts.agent === undefined ? false : opts.agent,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({
          status: res.statusCode,
          headers: res.headers,
          raw,
          body: raw.toString('utf8'),
          localPort: res.socket ? res.socket.localPort : undefined,
          socket: res.socket,
        });
      });
      res.on('error', reject);
    });
    req.setTimeout(opts.timeout || REQUEST_TIMEOUT_MS, () => {
      req.destroy(new Error(`${opts.method || 'GET'} ${url}: no answer in time`));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

// GET that must answer 200; resolves to the response.
export async function get(url, opts = {}) {
  const res = await request(url, opts);
  if (res.status !== 200) {
    throw new Error(`GET ${url}: expected 200, got ${res.status}\n${res.body.slice(0, 2000)}`);
  }
  return res;
}

// Sends raw bytes over one TCP connection and collects what comes back.
// `data` is a Buffer/string, or an async function (socket, state) that
// writes it (state.answered turns true once any byte has come back).
// Resolves when the server closes the connection, when one complete
// response (head plus Content-Length body) has arrived, or after a
// generous guard time (opts.untilClose: only on close or the guard).
// Resolves to {status, head, text, closed, reset, error, timedOut}; status
// is null when nothing resembling a status line came; error is set when
// the connection could not be made (or failed other than by a reset).
export function rawExchange(port, data, opts = {}) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const chunks = [];
    const state = { answered: false, closed: false };
    let settled = false;
    let reset = false;
    let error = null;
    const settle = (why) => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      const buf = Buffer.concat(chunks);
      const text = buf.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const headEnd = text.indexOf('\r\n\r\n');
      sock.destroy();
      resolve({
        status: m ? Number(m[1]) : null,
        head: headEnd >= 0 ? text.slice(0, headEnd) : text,
        text,
        closed: why === 'close',
        reset,
        error,
        timedOut: why === 'timeout',
      });
    };
    const guard = setTimeout(() => settle('timeout'), opts.timeout || REQUEST_TIMEOUT_MS);
    sock.on('data', (c) => {
      chunks.push(c);
      state.answered = true;
      const text = Buffer.concat(chunks).toString('latin1');
      const headEnd = text.indexOf('\r\n\r\n');
      if (headEnd < 0 || opts.untilClose) return;
      const head = text.slice(0, headEnd);
      const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const have = text.length - (headEnd + 4);
      if (cl && have >= Number(cl[1])) settle('complete');
      if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head) &&
          text.endsWith('\r\n0\r\n\r\n')) settle('complete');
    });
    sock.on('error', (e) => {
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') reset = true;
      else error = e;
    });
    sock.on('close', () => {
      state.closed = true;
      settle('close');
    });
    sock.on('connect', async () => {
      try {
        if (typeof data === 'function') await data(sock, state);
        else sock.write(data);
      } catch {
        // The server may close on us mid-write; what it answered counts.
      }
    });
  });
}

// Resolves once `sock` can take more data, or the server answered/closed.
export function drained(sock, state) {
  return new Promise((resolve) => {
    if (state.answered || state.closed || sock.destroyed) return resolve();
    const done = () => {
      sock.off('drain', done);
      sock.off('data', done);
      sock.off('close', done);
      resolve();
    };
    sock.on('drain', done);
    sock.on('data', done);
    sock.on('close', done);
  });
}
