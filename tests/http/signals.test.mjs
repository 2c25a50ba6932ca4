// signals.test.mjs - `gazette serve` and its signals (issue 12, item 4).
//
// SIGTERM and SIGINT: the server stops accepting, finishes the requests
// under way (a comment POST whose body is still arriving, pages being
// read slowly), commits, and exits 0 with a sound database whose WAL has
// been checkpointed. SIGHUP: gazette.conf and the site's theme are read
// again without dropping a connection; a keep-alive connection opened
// before sees the new title and template, no page made with the old theme
// is served from the cache, a broken config or theme is reported with
// file:line and the old one goes on serving, and settings that need a
// restart keep their running values. A burst of reloads under load runs
// against the sanitizer build, which catches a config or theme freed
// under a request.
//
// Nothing here asserts how long anything took: every wait is bounded
// only so that a broken server fails instead of hanging.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import {
  articlePaths, commentSite, fieldsFor, listComments, openArticle, setConf,
} from '../lib/comments.mjs';
import { ROOT, request, slow, startServer, stopChecked } from '../lib/gazette.mjs';

const T = { timeout: slow(180000) };
const WAIT_MS = 30000;

const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

// Polls fn() until it returns a truthy value; throws after WAIT_MS.
async function until(what, fn) {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await sleep(50);
  }
}

// Resolves to 'refused' when a new connection to port is refused (or
// reset before any answer), 'open' when it connects.
function tryConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('connect', () => { s.destroy(); resolve('open'); });
    s.on('error', () => resolve('refused'));
  });
}

// Opens a connection and sends `head` (with "Expect: 100-continue"); once
// the server has begun the request (its "100 Continue"), sends `first`
// (of a body whose whole length is in head). Resolves to {send(rest),
// response}: response resolves to the raw text of the final answer once
// the server closes or all of it came.
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
function openSlow(port, head, first) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let text = '';
    let begun = false;
    let finish;
    const response = new Promise((done) => { finish = () => done(text); });
    sock.on('data', (c) => {
      text += c.toString('latin1');
      if (!begun && text.startsWith(CONTINUE)) {
        begun = true;
        text = text.slice(CONTINUE.length);
        sock.write(first, () => resolve({ response, send: (rest) => sock.write(rest) }));
      }
      const end = text.indexOf('\r\n\r\n');
      const cl = /\r\ncontent-length:\s*(\d+)/i.exec(text);
      if (begun && end >= 0 && cl && text.length - end - 4 >= Number(cl[1])) finish();
    });
    sock.on('close', () => {
      if (!begun) reject(new Error(`no 100 Continue; the server said:\n${text}`));
      finish();
    });
    sock.on('error', () => {});
    sock.on('connect', () => sock.write(head));
  });
}

// A GET whose answer is read slowly: the first bytes, then nothing until
// resume() is called. Resolves (after the first bytes) to {resume,
// done}; done resolves to {status, length, expected}.
function slowGet(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let length = 0;
      let first = true;
      const done = new Promise((ok) => {
        res.on('data', (c) => {
          length += c.length;
          if (first) {
            first = false;
            res.pause();
            resolve({ resume: () => res.resume(), done });
          }
        });
        res.on('end', () => ok({
          status: res.statusCode, length,
          expected: Number(res.headers['content-length']),
        }));
        res.on('error', (e) => ok({ status: res.statusCode, length, error: e }));
        res.on('aborted', () => ok({ status: res.statusCode, length, aborted: true }));
      });
    });
    req.on('error', reject);
  });
}

function sqlite(db, sql) {
  return execFileSync('sqlite3', [db, sql], { encoding: 'utf8' }).trim();
}

// A long article body (about 1.5 MB of text), so that its page cannot
// all sit in the sockets' buffers while the reader pauses.
const LONG_BODY = Array.from({ length: 12000 }, (_, i) =>
  `Paragraph ${i} of the long report on the river, with enough words to fill a line or two of print.\n`)
  .join('\n');

// One stop by `signal` with a slow comment POST and slow GETs in flight.
async function stopWithRequestsInFlight(signal) {
  const name = `${signal}Reader`;
  const { site } = commentSite([
    { title: 'Flood warning lifted' },
    { title: 'The long report', body: LONG_BODY },
  ]);
  const db = path.join(site, 'gazette.db');
  const srv = await startServer(['serve', '--site', site]);
  try {
    const [short, long] = await articlePaths(srv.url, ['Flood warning lifted', 'The long report']);
    // Page views under way: each has its first bytes and waits for us.
    const gets = [];
    for (let i = 0; i < 3; i++) gets.push(await slowGet(`${srv.url}${long}`));

    // A comment whose body arrives in two halves around the signal.
    const page = await openArticle(srv.url, short);
    assert.ok(page.form, 'the article page has a comment form');
    const body = new URLSearchParams(fieldsFor(page.form, {
      name, comment: `Posted while gazette got ${signal}.`,
    })).toString();
    const half = Math.floor(body.length / 2);
    const action = page.form.action.replace(/#.*/, '');
    const head = `POST ${action} HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\n` +
      'Content-Type: application/x-www-form-urlencoded\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n` +
      'Connection: close\r\n\r\n';
    // Once it resolves, the server has begun the request.
    const post = await openSlow(srv.port, head, body.slice(0, half));

    srv.child.kill(signal);
    await until('the stop to begin', () => srv.log().includes(`${signal} received`));
    // New connections are refused while the old ones are finished.
    const state = await until('new connections to be refused', async () =>
      (await tryConnect(srv.port)) === 'refused');
    assert.ok(state);
    assert.equal(srv.exited(), null, 'the server is still finishing the requests under way');

    post.send(body.slice(half));
    const answer = await post.response;
    assert.match(answer, /^HTTP\/1\.1 303 /, `the comment POST is answered as usual:\n${answer.slice(0, 300)}`);
    assert.match(answer, /\r\nLocation: [^\r]*\?held=1#comments\r\n/i);

    for (const g of gets) g.resume();
    for (const g of gets) {
      const r = await g.done;
      assert.equal(r.status, 200);
      assert.ok(!r.aborted && !r.error, 'the page is not cut off');
      assert.equal(r.length, r.expected, 'the whole page arrives');
    }

    const end = await srv.stop();
    assert.equal(end.killed, false, `gazette stopped by itself:\n${end.log}`);
    assert.equal(end.code, 0, `exit status 0:\n${end.log}`);
    assert.doesNotMatch(end.log, /ERROR: AddressSanitizer|runtime error:/);
    assert.equal(await tryConnect(srv.port), 'refused', 'nothing listens once it has exited');
  } finally {
    await srv.stop();
  }

  // The comment was committed, the database is sound, and the WAL was
  // checkpointed into it on the way out.
  const mine = listComments(site, 'all').filter((c) => c.rest.includes(name));
  assert.equal(mine.length, 1, `the comment posted during the stop is stored once: ${JSON.stringify(mine)}`);
  assert.equal(sqlite(db, 'PRAGMA integrity_check'), 'ok');
  const wal = `${db}-wal`;
  assert.ok(!existsSync(wal) || statSync(wal).size === 0, 'no WAL left with pages in it');
}

describe('serve: SIGTERM and SIGINT finish what is under way', T, () => {
  it('SIGTERM: the in-flight POST and GETs are answered, new connections refused, exit 0', T,
    () => stopWithRequestsInFlight('SIGTERM'));
  it('SIGINT: the same', T, () => stopWithRequestsInFlight('SIGINT'));
});

// ---- SIGHUP ----------------------------------------------------------------------

const DEFAULT_FRONT = readFileSync(path.join(ROOT, 'themes/default/templates/front.mustache'), 'utf8');
const DEFAULT_CSS = readFileSync(path.join(ROOT, 'themes/default/static/style.css'), 'utf8');

function writeTheme(site, marker, css) {
  mkdirSync(path.join(site, 'theme/templates'), { recursive: true });
  mkdirSync(path.join(site, 'theme/static'), { recursive: true });
  writeFileSync(path.join(site, 'theme/templates/front.mustache'),
    `<p class="theme-marker">${marker}</p>\n${DEFAULT_FRONT}`);
  writeFileSync(path.join(site, 'theme/static/style.css'), css);
}

// GET over a keep-alive agent of one socket: resolves to the response
// with the local port, to tell whether the connection was reused.
function keepGet(agent, url) {
  return request(url, { agent });
}

const titleOf = (html) => /<p class="site-title"><a [^>]*>([^<]*)<\/a>/.exec(html)?.[1];
const markerOf = (html) => /<p class="theme-marker">([^<]*)<\/p>/.exec(html)?.[1] || null;
const stylesheetOf = (html) => /<link rel="stylesheet" href="([^"]+)"/.exec(html)?.[1];

// Counts, from now on, the server's stderr lines that match re. srv.log()
// keeps only the last 256 KB, and under load the access log pushes older
// lines out of it: a count taken from it could go down.
function lineCounter(srv, re) {
  let n = 0;
  let tail = '';
  srv.child.stderr.on('data', (chunk) => {
    const lines = (tail + chunk).split('\n');
    tail = lines.pop();
    for (const l of lines) if (re.test(l)) n++;
  });
  return () => n;
}

const reloadCounts = new WeakMap();

async function hup(srv, n) {
  if (!reloadCounts.has(srv)) {
    reloadCounts.set(srv, lineCounter(srv, /gazette: reloaded |gazette: reload failed/));
  }
  const count = reloadCounts.get(srv);
  const before = count();
  srv.child.kill('SIGHUP');
  // Each reload ends with one line: reloaded, or why not.
  await until(`reload ${n} to finish`, () => count() > before);
}

describe('serve: SIGHUP reloads gazette.conf and the theme', T, () => {
  let srv;
  let site;
  let reloads = 0;
  after(async () => { if (srv) await stopChecked(srv); });

  it('a connection opened before keeps working and sees the new title and template', T, async () => {
    ({ site } = commentSite([{ title: 'Council meets' }]));
    setConf(site, 'site', { title: 'The Morning Ledger' });
    srv = await startServer(['serve', '--site', site]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const a = await keepGet(agent, `${srv.url}/`);
      assert.equal(a.status, 200);
      assert.equal(titleOf(a.body), 'The Morning Ledger');
      assert.equal(markerOf(a.body), null);
      // Twice: the second answer comes from the page cache.
      const b = await keepGet(agent, `${srv.url}/`);
      assert.equal(b.localPort, a.localPort, 'one keep-alive connection');
      const oldCss = stylesheetOf(b.body);

      setConf(site, 'site', { title: 'The Evening Ledger' });
      writeTheme(site, 'theme two', `${DEFAULT_CSS}\n/* theme two */\n`);
      await hup(srv, ++reloads);
      assert.match(srv.log(), /gazette: reloaded .*gazette\.conf and the theme/);

      const c = await keepGet(agent, `${srv.url}/`);
      assert.equal(c.localPort, a.localPort, 'the connection opened before the reload still serves');
      assert.equal(c.status, 200);
      assert.equal(titleOf(c.body), 'The Evening Ledger', 'the new title, not a cached page');
      assert.equal(markerOf(c.body), 'theme two', 'the new template');
      const newCss = stylesheetOf(c.body);
      assert.notEqual(newCss, oldCss, 'the new stylesheet has a new fingerprint');
      const css = await keepGet(agent, `${srv.url}${newCss}`);
      assert.equal(css.status, 200);
      assert.match(css.body, /theme two/);
      // An article page, made for the first time after the reload.
      const [p] = await articlePaths(srv.url, ['Council meets']);
      const art = await keepGet(agent, `${srv.url}${p}`);
      assert.equal(titleOf(art.body), 'The Evening Ledger');
    } finally {
      agent.destroy();
    }
  });

  it('a broken gazette.conf is reported with file:line and the old one serves on', T, async () => {
    const conf = path.join(site, 'gazette.conf');
    const good = readFileSync(conf, 'utf8');
    const lines = good.split('\n');
    const at = lines.findIndex((l) => /^\s*per_page\s*=/.test(l) || /^\s*title\s*=/.test(l));
    lines.splice(at + 1, 0, 'this line is not a setting');
    writeFileSync(conf, lines.join('\n'));
    await hup(srv, ++reloads);
    assert.match(srv.log(), new RegExp(`reload failed, still serving the old configuration and theme: ${conf.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${at + 2}: `));
    const r = await request(`${srv.url}/`);
    assert.equal(r.status, 200);
    assert.equal(titleOf(r.body), 'The Evening Ledger');
    assert.equal(markerOf(r.body), 'theme two');
    writeFileSync(conf, good);
  });

  it('a broken template is reported with file:line:col and the old theme serves on', T, async () => {
    setConf(site, 'site', { title: 'The Night Ledger' });
    const tpl = path.join(site, 'theme/templates/front.mustache');
    const good = readFileSync(tpl, 'utf8');
    writeFileSync(tpl, `<p>\n  {{#nav}} never closed\n${good}`);
    await hup(srv, ++reloads);
    assert.match(srv.log(), /reload failed, still serving the old configuration and theme: \S*front\.mustache:2:\d+/);
    const r = await request(`${srv.url}/`);
    assert.equal(r.status, 200);
    assert.equal(titleOf(r.body), 'The Evening Ledger', 'config and theme go together: neither changed');
    assert.equal(markerOf(r.body), 'theme two');
    writeFileSync(tpl, good);
  });

  it('settings that need a restart are named and keep their running values', T, async () => {
    setConf(site, 'server', { listen: '127.0.0.1:1', cache_mb: 7 });
    setConf(site, 'site', { title: 'The Late Ledger' });
    await hup(srv, ++reloads);
    const log = srv.log();
    assert.match(log, /\[server\] listen, \[server\] cache_mb changed in \S*gazette\.conf: needs a restart/);
    const r = await request(`${srv.url}/`);
    assert.equal(r.status, 200, 'still listening where it started');
    assert.equal(titleOf(r.body), 'The Late Ledger', 'what can change did');
  });

  it('reloads under load: every answer is whole and the sanitizers stay quiet', T, async () => {
    const [p] = await articlePaths(srv.url, ['Council meets']);
    let stop = false;
    let answers = 0;
    const bad = [];
    const loop = async (i) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        while (!stop) {
          const url = `${srv.url}${[`/?n=${i}`, p, '/', '/missing'][answers % 4]}`;
          const r = await request(url, { agent });
          const want = url.endsWith('/missing') ? 404 : 200;
          if (r.status !== want) bad.push(`${url}: ${r.status}`);
          const css = stylesheetOf(r.body);
          if (css) {
            const s = await request(`${srv.url}${css}`, { agent });
            // The page may name the stylesheet of a theme replaced since.
            if (s.status !== 200 && s.status !== 404) bad.push(`${css}: ${s.status}`);
          }
          answers++;
        }
      } finally {
        agent.destroy();
      }
    };
    const loops = [0, 1, 2, 3].map(loop);
    for (let i = 0; i < 12; i++) {
      writeTheme(site, `theme ${i}`, `${DEFAULT_CSS}\n/* ${i} */\n`);
      setConf(site, 'site', { title: `Ledger ${i}` });
      await hup(srv, ++reloads);
    }
    stop = true;
    await Promise.all(loops);
    assert.deepEqual(bad, []);
    assert.ok(answers > 0);
    const r = await request(`${srv.url}/`);
    assert.equal(titleOf(r.body), 'Ledger 11');
    assert.equal(markerOf(r.body), 'theme 11');
    assert.doesNotMatch(srv.log(), /ERROR: AddressSanitizer|runtime error:/);
  });
});
