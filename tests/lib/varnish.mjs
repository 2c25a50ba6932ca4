// varnish.mjs - a real Varnish in front of a test's gazette: varnishd
// started in the foreground on a free port, in a temporary working
// directory of its own (-n), with the VCL operators use
// (deploy/varnish/gazette.vcl) pointed at the test's server, and stopped
// again. Plus varnishstat's counters, read from that directory.
//
// Runs as root in CI: varnishd then drops privileges to its own users
// (varnish compiles the VCL, vcache runs the cache), so the directories it
// reads are made readable and searchable by them. Where varnishd is not
// installed, tests skip (VARNISHD, haveVarnish) with that reason.
// Runs on Node 18: node: built-ins only.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { ROOT, freePort, slow, tempDir } from './gazette.mjs';

export const VARNISHD = process.env.VARNISHD || '/usr/sbin/varnishd';
export const VARNISHSTAT = process.env.VARNISHSTAT || '/usr/bin/varnishstat';
export const VCL = path.join(ROOT, 'deploy', 'varnish', 'gazette.vcl');

const START_TIMEOUT_MS = slow(60000);
const STOP_GRACE_MS = slow(10000);

// Why a Varnish test cannot run here, or null when it can.
export function varnishMissing() {
  if (!existsSync(VARNISHD)) return `no varnishd at ${VARNISHD} (Debian: apt-get install varnish varnish-modules)`;
  return null;
}

// deploy/varnish/gazette.vcl with its backend's port set to backendPort.
export function vclFor(backendPort) {
  const vcl = readFileSync(VCL, 'utf8');
  const out = vcl.replace(/^(\s*\.port\s*=\s*)"8080";$/m, `$1"${backendPort}";`);
  if (out === vcl) throw new Error(`${VCL}: no '.port = "8080";' line to point at the test's server`);
  return out;
}

// Resolves once something answers HTTP on port (any status), or rejects
// with varnishd's output when it exits or stays silent.
async function waitReady(port, child, log) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`varnishd exited (${child.exitCode ?? child.signalCode}):\n${log()}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { redirect: 'manual' });
      await res.arrayBuffer();
      return;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`varnishd did not answer on ${port}:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Starts varnishd in front of the gazette listening on backendPort.
// Resolves to {url, port, dir, stats(), stop()}: stats() reads every MAIN
// counter (varnishstat -1) as {name: number}; stop() ends varnishd
// (SIGTERM, SIGKILL after a grace) and resolves to its output.
export async function startVarnish(backendPort) {
  // The working directory (-n) and the VCL must be reachable by the
  // users varnishd drops to when it runs as root.
  const dir = tempDir('gazette-varnish-');
  chmodSync(dir, 0o755);
  const work = path.join(dir, 'work');
  mkdirSync(work, { mode: 0o755 });
  chmodSync(work, 0o755);
  const vcl = path.join(dir, 'gazette.vcl');
  writeFileSync(vcl, vclFor(backendPort), { mode: 0o644 });
  const port = await freePort();
  const child = spawn(VARNISHD, [
    '-F', '-n', work, '-a', `127.0.0.1:${port}`, '-f', vcl,
    '-s', 'malloc,64m',
    // The management interface on a port of the kernel's choosing, not
    // the default 6082 another Varnish may hold.
    '-T', '127.0.0.1:0',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (c) => { out = (out + c).slice(-65536); };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const kill = () => { try { child.kill('SIGKILL'); } catch { /* gone */ } };
  process.on('exit', kill);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(kill, STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    process.off('exit', kill);
    return out;
  };
  try {
    await waitReady(port, child, () => out);
  } catch (e) {
    await stop();
    throw e;
  }
  child.unref();
  child.stdout.unref?.();
  child.stderr.unref?.();

  const stats = () => {
    const r = spawnSync(VARNISHSTAT, ['-1', '-n', work, '-f', 'MAIN.*'], { encoding: 'utf8', timeout: slow(30000) });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`varnishstat: ${r.stderr}`);
    const counters = {};
    for (const line of r.stdout.split('\n')) {
      const m = /^(\S+)\s+(\d+)/.exec(line);
      if (m) counters[m[1]] = Number(m[2]);
    }
    return counters;
  };
  return { url: `http://127.0.0.1:${port}`, port, dir: work, stats, stop };
}
