// pg.mjs - PostgreSQL for the HTTP tests: a schema of a test's own in the
// shared test server (GAZETTE_TEST_PG, which `make check` starts with
// scripts/pg-test-server.sh), psql run on a URL, and a throwaway cluster
// of a test's own that it may stop and start again (a database restart).
//
// Invariants: every schema made here is dropped and every cluster made
// here is stopped and removed when the process exits (kept with
// GAZETTE_KEEP_TMP, to debug); nothing here waits without a limit. Runs
// on Node 18: node: built-ins only.

import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

import { ROOT, slow } from './gazette.mjs';

// The shared server's URL, or '' when the run has none.
export const PG_SERVER = process.env.GAZETTE_TEST_PG || '';
export const PSQL = '/usr/bin/psql';
const SERVER_SCRIPT = path.join(ROOT, 'scripts', 'pg-test-server.sh');
const SCRIPT_TIMEOUT_MS = slow(120000);

// Why a test needing the shared server cannot run (a skip message), or
// null when it can.
export function pgMissing() {
  if (!PG_SERVER) return 'GAZETTE_TEST_PG is not set: no PostgreSQL to test on';
  if (spawnSync(PSQL, ['--version']).status !== 0) return `no psql at ${PSQL}`;
  return null;
}

// Runs `sql` (one or more statements) on `url` with psql, stopping at the
// first error; returns what it printed, unaligned and without headers
// (one row a line, columns split by |), trimmed. Throws on an error.
export function psql(url, sql) {
  const r = spawnSync(PSQL, ['-X', '-qAt', '-v', 'ON_ERROR_STOP=1', url, '-c', sql],
    { encoding: 'utf8', timeout: SCRIPT_TIMEOUT_MS });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`psql ${sql}: exit ${r.status}\n${r.stderr}`);
  return r.stdout.trim();
}

// `url` with `key=value` added to its query string.
function withParam(url, param) {
  return `${url}${url.includes('?') ? '&' : '?'}${param}`;
}

const schemas = [];
let schemaSerial = 0;

// A new empty schema in `server` (default: the shared one), named from
// `tag` and this process, dropped when the process exits. Returns the URL
// whose sessions use it (options=-csearch_path%3D<schema>): a gazette
// store opened there makes its tables in it, apart from other tests'.
export function freshSchemaUrl(tag, server = PG_SERVER) {
  if (!server) throw new Error('freshSchemaUrl: no PostgreSQL server (GAZETTE_TEST_PG)');
  const schema = `${tag}_${process.pid}_${++schemaSerial}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  psql(server, `CREATE SCHEMA ${schema}`);
  schemas.push({ server, schema });
  return withParam(server, `options=-csearch_path%3D${schema}`);
}

const clusters = new Set();

// As serverScript, without blocking this process: the test's own
// clients go on talking to the nodes while the cluster stops or starts.
function serverScriptAsync(cmd, dir) {
  return new Promise((resolve, reject) => {
    execFile(SERVER_SCRIPT, [cmd, dir], { encoding: 'utf8', timeout: SCRIPT_TIMEOUT_MS },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`pg-test-server.sh ${cmd} ${dir}: ${err.message}\n${stderr}`));
        else resolve(stdout.trim());
      });
  });
}

// Runs scripts/pg-test-server.sh CMD DIR; returns its stdout, trimmed.
function serverScript(cmd, dir) {
  const r = spawnSync(SERVER_SCRIPT, [cmd, dir], { encoding: 'utf8', timeout: SCRIPT_TIMEOUT_MS });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    const e = new Error(`pg-test-server.sh ${cmd} ${dir}: exit ${r.status}\n${r.stderr}`);
    e.status = r.status;
    throw e;
  }
  return r.stdout.trim();
}

// A PostgreSQL cluster of the caller's own (scripts/pg-test-server.sh):
// returns {dir, url, stop(), start(), running()}. stop() shuts it down
// fast (every connection dropped, as in a restart or a failover), start()
// brings the same cluster back on the same socket, so `url` works again;
// both resolve once pg_ctl has waited for it. Throws with .status 77 when
// PostgreSQL is not installed.
export function startOwnCluster() {
  // Under /tmp, not in a private temporary directory: as root the
  // cluster belongs to the postgres user, who must be able to reach it
  // (bench/pg.sh does the same).
  const dir = mkdtempSync('/tmp/gazette-test-pg-');
  chmodSync(dir, 0o755);
  let up = false;
  const cluster = {
    dir,
    url: null,
    async stop() {
      if (!up) return;
      await serverScriptAsync('stop', dir);
      up = false;
    },
    async start() {
      if (up) return;
      await serverScriptAsync('resume', dir);
      up = true;
    },
    running: () => up,
    // SIGSTOP to the server and every process of it (SIGCONT: thaw()):
    // a server that stops answering without closing a connection, as a
    // frozen machine or a network partition does.
    // An immediate shutdown: as a crash, every connection dropped
    // without a word and recovery at the next start().
    async crash() {
      if (!up) return;
      await serverScriptAsync('crash', dir);
      up = false;
    },
    freeze() { signalAll(dir, 'STOP'); },
    thaw() { signalAll(dir, 'CONT'); },
  };
  clusters.add(cluster);
  try {
    cluster.url = serverScript('start', dir);
    up = true;
  } catch (e) {
    clusters.delete(cluster);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return cluster;
}

// Sends SIGsig to the postmaster of the cluster in dir and its children.
function signalAll(dir, sig) {
  const pid = readFileSync(path.join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0].trim();
  const kids = spawnSync('pgrep', ['-P', pid], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  const r = spawnSync('kill', [`-${sig}`, pid, ...kids], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kill -${sig} ${pid} ${kids.join(' ')}: ${r.stderr}`);
}

// Stops a cluster of startOwnCluster's for good and removes it.
export function removeOwnCluster(cluster) {
  if (!clusters.has(cluster)) return;
  clusters.delete(cluster);
  try { serverScript('stop', cluster.dir); } catch { /* already stopped */ }
  if (!process.env.GAZETTE_KEEP_TMP) rmSync(cluster.dir, { recursive: true, force: true });
}

process.on('exit', () => {
  for (const c of [...clusters]) {
    try { c.thaw(); } catch { /* not running */ }
    removeOwnCluster(c);
  }
  if (process.env.GAZETTE_KEEP_TMP) return;
  for (const { server, schema } of schemas) {
    try { psql(server, `DROP SCHEMA IF EXISTS ${schema} CASCADE`); } catch { /* best effort */ }
  }
});

// True when scripts/pg-test-server.sh can make a cluster here (the
// server's programs are installed), without making one.
export function canStartClusters() {
  return existsSync(SERVER_SCRIPT) &&
    spawnSync('sh', ['-c', 'pg_config --bindir >/dev/null 2>&1 || ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1'])
      .status === 0;
}
