// edge-esi.test.mjs - the article page cached whole at a Varnish edge, its
// per-reader challenge an ESI include ([edge] esi = yes; docs/cache.md,
// "Behind Varnish with ESI"): gazette's headers and fragment on their
// own, then a real varnishd with deploy/varnish/gazette.vcl in front.
//
// No assertion is about time; Varnish's hit rate is printed, not judged.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  articlePaths, commentSite, fieldsFor, listComments, moderate, readForm, readThread, setConf,
  submit,
} from '../lib/comments.mjs';
import { ROOT, holdPort, request, startServer, stopChecked, tempDir } from '../lib/gazette.mjs';
import { startVarnish, varnishMissing } from '../lib/varnish.mjs';

const T = { timeout: 300000 };
const VNU = path.join(ROOT, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
const JAVA = process.env.JAVA || 'java';
const TOKEN_RE = /<input type="hidden" name="token" value="([^"]+)">/;
const INCLUDE_RE = /<esi:include src="([^"]+)"\/>/g;

// A site with two open articles and a closed one, esi on or off.
function edgeSite(esi) {
  const s = commentSite([
    { title: 'Flood gates open at dawn' },
    { title: 'Council meets on the bridge' },
    { title: 'Old story, comments closed', comments: 'closed' },
  ]);
  if (esi) setConf(s.site, 'edge', { esi: 'yes' });
  return s;
}

function articleId(p) {
  return Number(/^\/news\/(\d+)\//.exec(p)[1]);
}

describe('edge ESI: gazette alone', T, () => {
  let srv;
  let off;
  let paths;

  before(async () => {
    srv = await startServer(['serve', '--site', edgeSite(true).site]);
    off = await startServer(['serve', '--site', edgeSite(false).site]);
    paths = await articlePaths(srv.url, ['Flood gates open at dawn', 'Old story, comments closed']);
  });

  after(async () => {
    if (srv) await stopChecked(srv);
    if (off) await stopChecked(off);
  });

  it('the article page includes its challenge instead of holding one', async () => {
    const id = articleId(paths[0]);
    const res = await request(srv.url + paths[0]);
    assert.equal(res.status, 200);
    const includes = [...res.body.matchAll(INCLUDE_RE)].map((m) => m[1]);
    assert.deepEqual(includes, [`/news/${id}/comments/challenge`]);
    assert.doesNotMatch(res.body, TOKEN_RE, 'no token in the shared page');
    assert.doesNotMatch(res.body, /c-answer/, 'no question in the shared page');
    // [edge] s_maxage and stale_while_revalidate, at their defaults.
    assert.equal(res.headers['cache-control'],
      'public, max-age=0, s-maxage=60, stale-while-revalidate=30');
    assert.equal(res.headers['surrogate-control'], 'content="ESI/1.0"');
    assert.ok(res.headers.etag, 'an ETag');
    assert.equal(res.headers['surrogate-key'].split(' ')[0], 'all', 'a purge of all reaches it');
    assert.ok(res.headers['surrogate-key'].split(' ').includes(`article:${id}`),
      `Surrogate-Key names the article: ${res.headers['surrogate-key']}`);
    // The same bytes for every reader, and the same edge headers when
    // gazette answers from its own cache.
    const hits = async () => Number((/^gazette_cache_requests_total\{result="hit"\} (\d+)/m
      .exec((await request(srv.url + '/metrics')).body) || [])[1] || 0);
    const before = await hits();
    const again = await request(srv.url + paths[0]);
    assert.equal(again.body, res.body);
    assert.equal(again.headers.etag, res.headers.etag);
    for (const h of ['cache-control', 'surrogate-control', 'surrogate-key', 'cache-tag']) {
      assert.equal(again.headers[h], res.headers[h], `${h} on the second view`);
    }
    // /metrics counts a request once it is answered: ask until it shows.
    let after = await hits();
    for (let i = 0; i < 300 && after <= before; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await hits();
    }
    assert.ok(after > before, 'the second view was a hit of gazette\'s own cache');
  });

  it('the fragment is the form\'s challenge, fresh every time, never shared', async () => {
    const id = articleId(paths[0]);
    const a = await request(`${srv.url}/news/${id}/comments/challenge`);
    const b = await request(`${srv.url}/news/${id}/comments/challenge`);
    for (const r of [a, b]) {
      assert.equal(r.status, 200);
      assert.equal(r.headers['cache-control'], 'private, no-store');
      assert.match(r.body, /^<p class="field field-captcha">/);
      assert.match(r.body, /name="website"/, 'the honeypot goes with it');
    }
    assert.notEqual(TOKEN_RE.exec(a.body)[1], TOKEN_RE.exec(b.body)[1]);
  });

  it('the fragment is the markup the page has without ESI', async () => {
    const offPaths = await articlePaths(off.url, ['Flood gates open at dawn']);
    const page = (await request(off.url + offPaths[0])).body;
    const frag = (await request(`${off.url}/news/${articleId(offPaths[0])}/comments/challenge`)).body;
    const start = page.indexOf('<p class="field field-captcha">');
    const end = page.indexOf('<p><button type="submit">');
    const blank = (s) => s.replace(/<span aria-hidden="true">[^<]*<\/span><span class="visually-hidden">[^<]*<\/span>/, 'Q')
      .replace(TOKEN_RE, 'TOKEN');
    assert.ok(start > 0 && end > start);
    assert.equal(blank(frag), blank(page.slice(start, end)));
    assert.doesNotMatch(page, /esi:include/, 'esi off: no include');
  });

  it('no fragment for an unknown article, or one closed to comments', async () => {
    assert.equal((await request(`${srv.url}/news/999/comments/challenge`)).status, 404);
    assert.equal((await request(`${srv.url}/news/${articleId(paths[1])}/comments/challenge`)).status, 404);
  });
});

describe('edge ESI: behind Varnish', T, () => {
  const missing = varnishMissing();
  let srv;
  let varnish;
  let site;
  let paths;

  before(async () => {
    if (missing) return;
    // Varnish first, on the port gazette will take, so gazette's purges
    // ([edge] purge) can name Varnish: a moderator's approval then
    // reaches the edge as gazette's own PURGE.
    ({ site } = edgeSite(true));
    const held = await holdPort();
    const { port } = held;
    varnish = await startVarnish(port);
    await held.release();
    setConf(site, 'edge', { esi: 'yes', purge: `${varnish.url}/` });
    srv = await startServer(['serve', '--site', site], { listen: `127.0.0.1:${port}` });
    paths = await articlePaths(srv.url, ['Flood gates open at dawn', 'Council meets on the bridge']);
  });

  after(async () => {
    if (varnish) await varnish.stop();
    if (srv) await stopChecked(srv);
  });

  const get = (p, headers = {}) => request(varnish.url + p, { headers });

  it('two readers get one cached page with their own challenges', async (t) => {
    if (missing) return t.skip(missing);
    const first = await get(paths[0]);
    const second = await get(paths[0]);
    for (const r of [first, second]) {
      assert.equal(r.status, 200);
      assert.doesNotMatch(r.body, /esi:include/, 'Varnish replaced the include');
      assert.equal(r.headers['surrogate-control'], undefined, 'Surrogate-Control stays at the edge');
      assert.equal(r.headers['surrogate-key'], undefined, 'so do the keys');
      assert.equal(r.headers.etag, undefined, 'no validator for an assembled page');
    }
    assert.equal(second.headers['x-cache'], 'HIT', 'the second reader was served from the cache');
    assert.match(second.headers['x-varnish'], /^\d+ \d+$/, 'X-Varnish names the object hit');
    assert.ok(Number(second.headers.age) >= 0);
    const a = readForm(first.body);
    const b = readForm(second.body);
    assert.ok(a.token && b.token, 'both pages have a token');
    assert.notEqual(a.token, b.token, 'different readers, different tokens');
    assert.ok(a.question && a.spoken && a.hasHoneypot);
  });

  it('the challenge fragment is never cached', async (t) => {
    if (missing) return t.skip(missing);
    const p = `/news/${articleId(paths[0])}/comments/challenge`;
    const a = await get(p);
    const b = await get(p);
    assert.equal(b.headers['x-cache'], 'MISS');
    assert.notEqual(TOKEN_RE.exec(a.body)[1], TOKEN_RE.exec(b.body)[1]);
  });

  it('a comment posted through Varnish with its page\'s answer is taken', async (t) => {
    if (missing) return t.skip(missing);
    const page = await get(paths[1]);
    const form = readForm(page.body);
    const res = await submit(varnish.url, form.action, fieldsFor(form, { comment: 'Through the edge.' }));
    assert.equal(res.status, 303, res.body);
    assert.ok(listComments(site).some((c) => c.rest.includes('Through the edge.')),
      'the comment is stored');
  });

  it('a comment that fails gets the whole form again, text kept, no include', async (t) => {
    if (missing) return t.skip(missing);
    const page = await get(paths[1]);
    const form = readForm(page.body);
    const res = await submit(varnish.url, form.action,
      fieldsFor(form, { comment: 'Kept text.', answer: '999' }));
    assert.equal(res.status, 422);
    assert.doesNotMatch(res.body, /esi:include/);
    assert.equal(res.form.comment, 'Kept text.');
    assert.ok(res.form.token && res.form.token !== form.token, 'a new token');
    assert.ok(res.form.errors.answer, 'the sentence about the answer');
  });

  it('a PURGE by the article\'s key makes the next request a miss', async (t) => {
    if (missing) return t.skip(missing);
    const id = articleId(paths[0]);
    await get(paths[0]);
    assert.equal((await get(paths[0])).headers['x-cache'], 'HIT');
    const bare = await fetch(`${varnish.url}/`, { method: 'PURGE' });
    assert.equal(bare.status, 400, 'a PURGE names its keys');
    await bare.arrayBuffer();
    const purge = await fetch(`${varnish.url}/`, { method: 'PURGE', headers: { 'xkey-purge': `article:${id}` } });
    assert.equal(purge.status, 200);
    await purge.arrayBuffer();
    assert.equal((await get(paths[0])).headers['x-cache'], 'MISS');
    assert.equal((await get(paths[0])).headers['x-cache'], 'HIT');
  });

  it('a comment approved on the command line purges its page at Varnish', async (t) => {
    if (missing) return t.skip(missing);
    const page = await get(paths[0]);
    const form = readForm(page.body);
    const text = 'Approved at the edge.';
    const res = await submit(varnish.url, form.action, fieldsFor(form, { comment: text }));
    assert.equal(res.status, 303, res.body);
    // The pending comment's own change event purges the page too, on
    // gazette's purge thread, a moment after the 303: wait until the
    // page is cached again.
    let cached;
    const warm = Date.now();
    do {
      assert.ok(Date.now() - warm < 30000, 'the page was not cached again in 30 s');
      await new Promise((r) => setTimeout(r, 20));
      cached = await get(paths[0]);
    } while (cached.headers['x-cache'] !== 'HIT');
    assert.ok(!readThread(cached.body).items.some((c) => c.body === text), 'not shown while pending');
    const pending = listComments(site, 'pending').filter((c) => c.rest.includes(text));
    assert.equal(pending.length, 1, 'the comment waits for a moderator');
    moderate(site, 'approve', pending[0].id);
    // gazette hears the approval (its change events) and sends the
    // PURGE on its own thread: wait for it, printing how long it took.
    const start = Date.now();
    let after;
    for (;;) {
      after = await get(paths[0]);
      if (readThread(after.body).items.some((c) => c.body === text)) break;
      assert.ok(Date.now() - start < 30000, 'the approved comment did not show through Varnish in 30 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    console.log(`varnish: the approval's purge took the page out after ${Date.now() - start} ms`);
    assert.equal(after.headers['x-cache'], 'MISS', 'the page showing it was fetched anew: purged, not expired');
    const again = await get(paths[0]);
    assert.equal(again.headers['x-cache'], 'HIT', 'and is cached again');
    assert.ok(readThread(again.body).items.some((c) => c.body === text));
  });

  it('the assembled page is valid HTML (Nu checker)', async (t) => {
    if (missing) return t.skip(missing);
    if (!existsSync(VNU)) return t.skip(`no vnu.jar at ${VNU}: run npm ci`);
    const java = spawnSync(JAVA, ['-version'], { encoding: 'utf8' });
    if (java.error) return t.skip(`no ${JAVA}: ${java.error.message}`);
    const file = path.join(tempDir('gazette-vnu-'), 'article-esi.html');
    writeFileSync(file, (await get(paths[0])).raw);
    const r = spawnSync(JAVA, ['-jar', VNU, '--errors-only', '--format', 'gnu', '--stdout', file], {
      encoding: 'utf8', timeout: 240000, maxBuffer: 16 * 1024 * 1024,
    });
    const report = `${r.stdout}${r.stderr}`.trim();
    assert.equal(r.status, 0, `vnu found errors:\n${report}`);
    assert.equal(report, '', `vnu printed:\n${report}`);
  });

  it('the assembled page passes axe', async (t) => {
    if (missing) return t.skip(missing);
    // The browser helpers need playwright-core and chromium (npm ci;
    // Debian's chromium): loaded only here, so the rest runs without.
    let lib;
    try {
      lib = await import('../lib/browser.mjs');
    } catch (e) {
      return t.skip(`no browser helpers: ${e.message}`);
    }
    if (!existsSync(lib.CHROMIUM)) return t.skip(`no chromium at ${lib.CHROMIUM}`);
    const browser = await lib.launch();
    try {
      // JavaScript on: axe runs in the page (the page itself has none).
      const page = await (await browser.newContext()).newPage();
      page.setDefaultTimeout(30000);
      const res = await page.goto(varnish.url + paths[0]);
      assert.equal(res.status(), 200);
      assert.equal(await page.locator('input[name="token"]').count(), 1);
      const violations = await lib.axeViolations(page);
      assert.equal(violations.length, 0, lib.formatViolations(violations));
    } finally {
      await browser.close();
    }
  });

  it('reports Varnish\'s hit rate on article pages', async (t) => {
    if (missing) return t.skip(missing);
    const before = varnish.stats();
    // 400 views by 16 readers at once: a small load, enough to show
    // what the edge absorbs (make bench PG=1 measures it with wrk).
    const N = 400;
    const READERS = 16;
    let next = 0;
    await Promise.all(Array.from({ length: READERS }, async () => {
      while (next < N) {
        const i = next++;
        const r = await get(paths[i % paths.length]);
        assert.equal(r.status, 200);
      }
    }));
    const now = varnish.stats();
    const hit = now['MAIN.cache_hit'] - before['MAIN.cache_hit'];
    const miss = now['MAIN.cache_miss'] - before['MAIN.cache_miss'];
    const pass = now['MAIN.s_pass'] - before['MAIN.s_pass'];
    console.log(`varnish: ${N} article views by ${READERS} readers at once: cache_hit ${hit}, cache_miss ${miss}, ` +
      `pass ${pass} (the challenge fragments), hit rate ${(100 * hit / Math.max(1, hit + miss)).toFixed(1)}% ` +
      `(totals: hit ${now['MAIN.cache_hit']}, miss ${now['MAIN.cache_miss']})`);
    assert.ok(hit + miss > 0, 'varnishstat counted lookups');
  });
});
