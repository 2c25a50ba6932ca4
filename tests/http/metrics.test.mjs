// metrics.test.mjs - what an operator watches (issue 12, item 6): /metrics
// in Prometheus's text format, checked by promtool (Debian's prometheus
// package) and read back after known traffic (cache hits and misses, a
// 404, comments published and sent back, the group commit); who may read
// it ([server] metrics); the access log, one line per request with its
// fields, escaped so a client cannot forge lines, to a file or to stderr;
// /healthz, never cached, and 503 once the database file is gone.
//
// Nothing here asserts how long anything took: log lines reach their
// destination within about a second, and the tests wait up to 30 s.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  articlePaths, commentSite, postComment, setConf,
} from '../lib/comments.mjs';
import { get, rawExchange, slow, request, startServer, stopChecked } from '../lib/gazette.mjs';

const T = { timeout: slow(120000) };
const PROMTOOL = '/usr/bin/promtool';
const WAIT_MS = 30000;

// One access-log line: time, "access", peer, "METHOD TARGET", status (or
// - when gazette sent none), body bytes, seconds, cache.
const LINE_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z access (\S+) "(\S+) (\S+)" (\d{3}|-) (\d+) (\d+\.\d{6}) (hit|miss|-)$/;

function accessLines(text) {
  return text.split('\n').filter((l) => / access /.test(l) && !/^gazette:/.test(l));
}

// Polls fn() until it returns a truthy value or WAIT_MS pass.
async function eventually(fn, what) {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// The samples of a /metrics text: {"name{labels}": number}.
function samples(text) {
  const out = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    out[line.slice(0, sp)] = Number(line.slice(sp + 1));
  }
  return out;
}

// /metrics counts a request once its answer has been sent, so a client
// that has read an answer may ask again before that answer is counted
// (under valgrind, often): reads /metrics until ok(samples) holds.
async function metricsWhen(base, ok, what) {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const res = await get(`${base}/metrics`);
    const m = samples(res.body);
    if (ok(m)) return { res, m };
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function promtool(text) {
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) throw r.error;
  return r;
}

describe('/metrics and the access log in a file', () => {
  let srv;
  let base;
  let site;
  let paths;

  before(async () => {
    ({ site } = commentSite([{ title: 'Bridge Opens' }], { moderation: 'post' }));
    setConf(site, 'server', { trust_proxy: 'yes' });
    setConf(site, 'log', { access: 'access.log' });
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    paths = await articlePaths(base, ['Bridge Opens']);
  });
  after(async () => { if (srv) await stopChecked(srv); });

  it('renders text that promtool accepts, and the counters follow the traffic', T, async () => {
    const m0 = samples((await get(`${base}/metrics`)).body);
    await get(`${base}/`);
    await get(`${base}/`); // the second from the cache
    assert.equal((await request(`${base}/no-such-page`)).status, 404);
    const ok = await postComment(base, paths[0], { name: 'Ann', comment: 'Well built.' });
    assert.equal(ok.status, 303, ok.body.slice(0, 300));
    const wrong = await postComment(base, paths[0], { answer: '1000' });
    assert.equal(wrong.status, 422);

    const R422 = 'gazette_http_requests_total{code="422"}';
    const { res, m: m1 } = await metricsWhen(base, (m) => (m[R422] || 0) > (m0[R422] || 0),
      'the last request, the 422, counted');
    assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'no-store');
    const r = promtool(res.body);
    assert.equal(r.status, 0, `promtool check metrics: ${r.stdout}${r.stderr}\n${res.body}`);
    assert.equal((r.stdout + r.stderr).trim(), '', 'promtool finds nothing to say');

    const moved = (k) => (m1[k] || 0) - (m0[k] || 0);
    assert.ok(moved('gazette_cache_requests_total{result="hit"}') >= 1, 'a cache hit counted');
    assert.ok(moved('gazette_cache_requests_total{result="miss"}') >= 1, 'a cache miss counted');
    assert.ok(moved('gazette_http_requests_total{code="404"}') >= 1, 'the 404 counted');
    assert.ok(moved('gazette_http_requests_total{code="303"}') >= 1, 'the 303 counted');
    assert.ok(moved('gazette_http_requests_total{code="422"}') >= 1, 'the 422 counted');
    assert.equal(moved('gazette_comments_total{outcome="published"}'), 1);
    assert.equal(moved('gazette_comments_total{outcome="wrong_answer"}'), 1);
    assert.ok(moved('gazette_db_write_duration_seconds_count') >= 1, 'the commit timed');
    assert.ok(m1['gazette_http_request_duration_seconds_count'] >= 6);
    assert.equal(m1['gazette_http_request_duration_seconds_count'],
      m1['gazette_http_request_duration_seconds_bucket{le="+Inf"}']);
    assert.ok(m1['gazette_http_response_bytes_total'] > m0['gazette_http_response_bytes_total']);
  });

  it('is never served from a cache', T, async () => {
    // A cached /metrics would answer the same text for ever: the count of
    // 200s must move past the first read's own.
    const R200 = 'gazette_http_requests_total{code="200"}';
    const a = samples((await get(`${base}/metrics`)).body);
    const { m: b } = await metricsWhen(base, (m) => m[R200] > a[R200], 'the 200s to move');
    assert.ok(b[R200] > a[R200]);
  });

  it('is refused to a request that came through a proxy (metrics = local)', T, async () => {
    const res = await request(`${base}/metrics`, { headers: { 'X-Forwarded-For': '203.0.113.5' } });
    assert.equal(res.status, 403);
    assert.doesNotMatch(res.body, /gazette_http/);
    // A proxy may add another header instead (nginx's X-Real-IP, RFC
    // 7239's Forwarded, X-Forwarded-Host or -Proto without -For): any
    // of them marks a reader's request passed through.
    for (const [name, value] of [
      ['X-Real-IP', '203.0.113.5'], ['Forwarded', 'for=203.0.113.5'],
      ['X-Forwarded-Host', 'news.example'], ['X-Forwarded-Proto', 'https'],
      ['x-forwarded-port', '443'],
    ]) {
      const r = await request(`${base}/metrics`, { headers: { [name]: value } });
      assert.equal(r.status, 403, `${name}: ${value}`);
      assert.doesNotMatch(r.body, /gazette_http/);
    }
    assert.equal((await request(`${base}/metrics`, { headers: { 'X-Other': '1' } })).status, 200,
      'a loopback peer without proxy headers may read it');
  });

  it("counts and logs libmicrohttpd's own answers with their status (431, its 400)", T, async () => {
    const m0 = samples((await get(`${base}/metrics`)).body);
    const big = await rawExchange(srv.port,
      `GET /too-big-headers HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`,
      { untilClose: true });
    assert.equal(big.status, 431, big.head);
    const list = await rawExchange(srv.port,
      'POST /bad-length HTTP/1.1\r\nHost: x\r\nContent-Length: 0, 4\r\n\r\nabcd', { untilClose: true });
    assert.equal(list.status, 400, list.head);
    const file = path.join(site, 'access.log');
    const text = await eventually(() => {
      const t = existsSync(file) ? readFileSync(file, 'latin1') : '';
      return /\/too-big-headers/.test(t) && /\/bad-length/.test(t) && t;
    }, 'the access log to hold both');
    const line = (what) => text.split('\n').find((l) => l.includes(what));
    assert.match(line('/too-big-headers'), / 431 /, line('/too-big-headers'));
    assert.match(line('/bad-length'), / 400 /, line('/bad-length'));
    const m1 = samples((await get(`${base}/metrics`)).body);
    const moved = (k) => (m1[k] || 0) - (m0[k] || 0);
    assert.equal(moved('gazette_http_requests_total{code="431"}'), 1);
    assert.ok(moved('gazette_http_requests_total{code="400"}') >= 1);
  });

  it('logs one line per request with its fields, the reader behind the proxy, and escapes the target', T, async () => {
    await get(`${base}/comments.atom`, { headers: { 'X-Forwarded-For': '198.51.100.1, 203.0.113.9' } });
    await get(`${base}/comments.atom`);
    await request(`${base}/healthz`, { method: 'HEAD' });
    // Quotes, a backslash, control bytes and non-ASCII, raw on the wire.
    const evil = Buffer.concat([
      Buffer.from('GET /evil"\\'), Buffer.from([0x01, 0x1b]), Buffer.from('?q=" 200 1 0.1 hit\\'),
      Buffer.from([0xc3, 0xa9]), Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    ]);
    const ex = await rawExchange(srv.port, evil);
    assert.ok(ex.status !== null, 'the server answered the odd request line');

    const file = path.join(site, 'access.log');
    const text = await eventually(() => {
      const t = existsSync(file) ? readFileSync(file, 'latin1') : '';
      return /"GET \/evil/.test(t) && / "HEAD \/healthz" /.test(t) && t;
    }, 'the access log file to hold the lines');
    const lines = text.split('\n').filter(Boolean);
    for (const l of lines) assert.match(l, LINE_RE, 'every line has every field');
    assert.doesNotMatch(text, /[\x00-\x09\x0b-\x1f\x7f-\xff]/, 'no raw control or non-ASCII byte');

    const hits = lines.map((l) => LINE_RE.exec(l));
    const front = hits.filter((h) => h[3] === '/comments.atom');
    assert.equal(front.length, 2);
    // Lines of different threads may come out of order: compare sorted.
    assert.deepEqual(front.map((h) => [h[1], h[2], h[4], h[7]]).sort((x, y) => (x[3] < y[3] ? 1 : -1)),
      [['203.0.113.9', 'GET', '200', 'miss'], ['127.0.0.1', 'GET', '200', 'hit']],
      'the proxied reader is named; one miss then one hit');
    assert.ok(front.every((h) => Number(h[5]) > 0), 'the page bytes are counted');
    const head = hits.find((h) => h[2] === 'HEAD');
    assert.equal(head[5], '0', 'a HEAD sends no body');
    const post = hits.find((h) => h[2] === 'POST' && h[4] === '303');
    assert.ok(post, 'the comment POST is logged');
    assert.equal(post[7], '-', 'a POST does not go through the cache');
    const odd = lines.find((l) => l.includes('/evil'));
    assert.ok(odd.includes('"GET /evil\\x22\\x5c\\x01\\x1b?q=\\x22'), odd);
    assert.ok(odd.includes('\\xc3\\xa9"'), odd);
  });
});

describe('the access log on stderr, /metrics off, and /healthz', () => {
  let srv;
  let base;
  let site;

  before(async () => {
    ({ site } = commentSite([{ title: 'Quiet Day' }]));
    setConf(site, 'server', { metrics: 'off' });
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
  });
  after(async () => { if (srv) await stopChecked(srv); });

  it('writes access lines to stderr by default', T, async () => {
    await get(`${base}/`);
    const line = await eventually(() => accessLines(srv.log()).find((l) => / "GET \/" 200 /.test(l)),
      'an access line on stderr');
    assert.match(line, LINE_RE);
  });

  it('answers 404 for /metrics when metrics = off', T, async () => {
    assert.equal((await request(`${base}/metrics`)).status, 404);
  });

  it('answers /healthz 200, never cached, then 503 once the database file is gone', T, async () => {
    const ok = await request(`${base}/healthz`);
    assert.equal(ok.status, 200);
    assert.equal(ok.body, 'ok\n');
    assert.equal(ok.headers['cache-control'], 'no-store');
    renameSync(path.join(site, 'gazette.db'), path.join(site, 'gazette.db.moved'));
    const bad = await request(`${base}/healthz`);
    assert.equal(bad.status, 503);
    assert.equal(bad.headers['cache-control'], 'no-store');
    await eventually(() => /error .*healthz/.test(srv.log()), 'the error line');
    renameSync(path.join(site, 'gazette.db.moved'), path.join(site, 'gazette.db'));
    assert.equal((await request(`${base}/healthz`)).status, 200, 'healthy again once it is back');
  });
});
