// slow-clients.test.mjs - hostile clients that send slowly do not take the
// site down (docs/security.md, "Slow clients"). While each attack runs, an
// ordinary reader from a loopback address of its own keeps getting the
// article page (200), again and again:
//
//   - a slow-loris made here: 20 source addresses (127.0.0.2 to .21, which
//     Linux routes to the loopback) with 60 connections each, every one
//     sending a request line and then one header line every few seconds,
//     and opening again when the server closes it; a comment POST is
//     taken during it too;
//   - the same with whole headers and a slow body, POSTed to the
//     comment route;
//   - slowhttptest (Debian's package) in slow-headers mode (-H);
//   - slowhttptest in slow-body mode (-B), POSTing to the comment route.
//
// And the server shuts those connections down once their request is past
// its deadline (the attackers see them closed), rather than waiting for
// them for ever: libmicrohttpd's own timeout resets on every byte.
//
// Each attack is bounded (ATTACK_MS, slowhttptest's -l), so the file takes
// about 70 s. Nothing here asserts how long anything took: a reader's
// request has a generous guard only so that a server that no longer
// answers fails the test instead of hanging it.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';

import { articlePaths, commentSite, fieldsFor, openArticle, submit } from '../lib/comments.mjs';
import { startServer, stopChecked } from '../lib/gazette.mjs';

const ATTACK_MS = 20000;      // each attack's length
const ATTACK_S = ATTACK_MS / 1000;
const ADDRESSES = 20;         // slow-loris source addresses
const PER_ADDRESS = 60;       // its connections from each (the per-address limit is 64)
const TRICKLE_MS = 5000;      // a header line this often, on each connection
const READER = '127.0.0.100'; // the ordinary reader's own address
const READER_GUARD_MS = 10000; // a reader's request with no answer by then failed
const READER_PAUSE_MS = 500;
// The slow bodies' declared length: due within 10 s + 1000 / 500 B/s.
const SLOW_BODY_BYTES = 1000;

const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

// One GET from the reader's address on a fresh connection. Resolves to
// the status, or to an Error's message when there was no answer.
function readerGet(port, path) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path, localAddress: READER, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
      res.on('error', (e) => resolve(e.message));
    });
    req.setTimeout(READER_GUARD_MS, () => req.destroy(new Error('no answer')));
    req.on('error', (e) => resolve(e.message));
    req.end();
  });
}

// Reads `path` over and over until `done` resolves. Resolves to the
// statuses (or errors) seen.
async function readWhile(port, path, done) {
  let over = false;
  done.then(() => { over = true; }, () => { over = true; });
  const seen = [];
  while (!over) {
    seen.push(await readerGet(port, path));
    await sleep(READER_PAUSE_MS);
  }
  return seen;
}

function assertServed(seen, what) {
  const bad = seen.filter((s) => s !== 200);
  assert.ok(seen.length >= 5, `${what}: the reader got only ${seen.length} answers: ${seen.join(', ')}`);
  assert.deepEqual(bad, [], `${what}: the reader was not served every time: ${seen.join(', ')}`);
}

// A slow-loris from many addresses: each connection sends a request line,
// then a header line every TRICKLE_MS, never the blank line that ends the
// headers; a connection the server closes is opened again. With body set,
// each sends whole headers of a comment POST whose declared body then
// comes a few bytes every TRICKLE_MS instead. Resolves after ms to
// {opened, closedByServer}.
function slowLoris(port, ms, body = false) {
  return new Promise((resolve) => {
    const socks = new Set();
    let opened = 0; let closedByServer = 0; let over = false;
    const open = (addr) => {
      if (over) return;
      opened++;
      const s = net.connect({ host: '127.0.0.1', port, localAddress: addr });
      socks.add(s);
      let timer = null;
      s.on('connect', () => {
        if (body) {
          s.write('POST /news/1/comments HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
            `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${SLOW_BODY_BYTES}\r\n\r\nname=`);
          timer = setInterval(() => s.write('aaaa'), TRICKLE_MS);
        } else {
          s.write(`GET /?n=${opened} HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
          timer = setInterval(() => s.write(`X-Slow-${Date.now()}: still coming\r\n`), TRICKLE_MS);
        }
      });
      s.on('error', () => {});
      s.on('close', () => {
        clearInterval(timer);
        socks.delete(s);
        if (over) return;
        closedByServer++;
        setTimeout(() => open(addr), 200);
      });
    };
    for (let a = 0; a < ADDRESSES; a++) {
      for (let c = 0; c < PER_ADDRESS; c++) open(`127.0.0.${2 + a}`);
    }
    setTimeout(() => {
      over = true;
      for (const s of socks) s.destroy();
      resolve({ opened, closedByServer });
    }, ms);
  });
}

function haveSlowhttptest() {
  return spawnSync('slowhttptest', ['-h'], { encoding: 'utf8' }).error === undefined;
}

// Runs slowhttptest with args for ATTACK_S seconds. Resolves to its
// output; its last status report counts the connections it saw closed.
function slowhttptest(args) {
  return new Promise((resolve, reject) => {
    const child = spawn('slowhttptest', [...args, '-l', String(ATTACK_S)],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { out += c; });
    // slowhttptest ends by itself after -l; the guard only stops a wedged one.
    const guard = setTimeout(() => child.kill('SIGKILL'), ATTACK_MS + 30000);
    child.on('error', reject);
    child.on('close', () => { clearTimeout(guard); resolve(out); });
  });
}

// True when slowhttptest saw the server close its connections: a status
// report counts some closed, or it stopped early because none was left
// open (its reports come every few seconds, so the last one may predate
// the closing). Against a server that keeps them, it ends with "Hit test
// time limit" and every report says "closed: 0".
function sawClosed(out) {
  // eslint-disable-next-line no-control-regex
  const plain = out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  const closed = [...plain.matchAll(/closed:\s+(\d+)/g)].map((m) => Number(m[1]));
  assert.ok(closed.length > 0, `no status report from slowhttptest:\n${plain}`);
  return closed.some((n) => n > 0) || /No open connections left/.test(plain);
}

describe('slow clients', { timeout: 150000 }, () => {
  let srv; let A;

  before(async () => {
    const { site } = commentSite([{ title: 'Held Up' }], { moderation: 'post' });
    srv = await startServer(['serve', '--site', site]);
    [A] = await articlePaths(srv.url, ['Held Up']);
    assert.equal(await readerGet(srv.port, A), 200, 'the reader is served before any attack');
  });
  after(async () => { if (srv) await stopChecked(srv); });

  it('a slow-loris from 20 addresses x 60 connections does not stop readers', async () => {
    const attack = slowLoris(srv.port, ATTACK_MS);
    await sleep(2000); // let the attack take its connections
    const reading = readWhile(srv.port, A, attack);
    // A comment is still taken while it runs.
    const page = await openArticle(srv.url, A);
    const posted = await submit(srv.url, page.form.action, fieldsFor(page.form, { name: 'Patient' }));
    const { opened, closedByServer } = await attack;
    assertServed(await reading, 'slow-loris');
    assert.equal(posted.status, 303, 'the comment POST was taken');
    assert.ok(opened >= ADDRESSES * PER_ADDRESS, `opened ${opened}`);
    // Past the header deadline the server shut them down; the attacker
    // had to open them again.
    assert.ok(closedByServer >= ADDRESSES * PER_ADDRESS / 2,
      `the server closed only ${closedByServer} of the ${opened} slow connections`);
  });

  it('slow bodies from 20 addresses x 60 connections do not stop readers', async () => {
    const attack = slowLoris(srv.port, ATTACK_MS, true);
    await sleep(2000);
    const seen = await readWhile(srv.port, A, attack);
    const { opened, closedByServer } = await attack;
    assertServed(seen, 'slow bodies');
    assert.ok(opened >= ADDRESSES * PER_ADDRESS, `opened ${opened}`);
    assert.ok(closedByServer >= ADDRESSES * PER_ADDRESS / 2,
      `the server closed only ${closedByServer} of the ${opened} slow connections`);
  });

  it('slowhttptest -H (slow headers) does not stop readers', async () => {
    assert.ok(haveSlowhttptest(), 'slowhttptest is missing: run scripts/install-deps.sh test');
    const attack = slowhttptest(['-H', '-c', '60', '-r', '60', '-i', '3', '-p', '5',
      '-u', `${srv.url}/`]);
    await sleep(2000);
    const seen = await readWhile(srv.port, A, attack);
    const out = await attack;
    assertServed(seen, 'slowhttptest -H');
    assert.ok(sawClosed(out), `the server closed none of slowhttptest's connections:\n${out.slice(-1500)}`);
  });

  it('slowhttptest -B (slow body) does not stop readers', async () => {
    assert.ok(haveSlowhttptest(), 'slowhttptest is missing: run scripts/install-deps.sh test');
    // A 2 KB body due in 10 s + 2048 / 500 B/s, sent a few bytes at a time.
    const attack = slowhttptest(['-B', '-c', '60', '-r', '60', '-i', '3', '-p', '5', '-s', '2048',
      '-t', 'POST', '-u', `${srv.url}/news/1/comments`]);
    await sleep(2000);
    const seen = await readWhile(srv.port, A, attack);
    const out = await attack;
    assertServed(seen, 'slowhttptest -B');
    assert.ok(sawClosed(out), `the server closed none of slowhttptest's connections:\n${out.slice(-1500)}`);
  });
});
