// edge.test.mjs - headers and purges for a caching proxy or CDN in front
// ([edge], docs/edge.md): every page gazette's cache keeps carries its
// keys in Surrogate-Key (space-separated) and Cache-Tag (comma-separated)
// and, but for the article page (private unless [edge] esi), Cache-Control
// with s-maxage and stale-while-revalidate; a cache hit sends what the miss
// sent; admin and no-store answers carry none of it. A comment approved
// from the command line makes a PURGE carrying the article's key reach the
// [edge] purge URL, here a node server that records what it is sent; one
// held for moderation does not.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';

import {
  EASY, articlePaths, listComments, moderate, postComment, recentDate, setConf,
} from '../lib/comments.mjs';
import { markdown, writeArticle } from '../lib/fixtures.mjs';
import { request, runOk, slow, startServer, stopChecked, tempSite } from '../lib/gazette.mjs';

const T = { timeout: slow(180000) };
const EDGE_CC = 'public, max-age=0, s-maxage=120, stale-while-revalidate=15';
const idOf = (path) => Number(/^\/news\/(\d+)\//.exec(path)[1]);

// Waits until check() is truthy, trying every 50 ms for at most `ms`: the
// purge is sent by a thread of its own, after the change reached the
// server through the database. No duration is asserted.
async function eventually(check, ms = 30000) {
  const end = Date.now() + slow(ms);
  for (;;) {
    const v = await check();
    if (v || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The headers an edge reads, as one response sent them.
const edgeHeaders = (res) => ({
  'cache-control': res.headers['cache-control'],
  'surrogate-key': res.headers['surrogate-key'],
  'cache-tag': res.headers['cache-tag'],
  etag: res.headers.etag,
});

describe('[edge]: caching headers and purges by key', T, () => {
  let srv; let base; let site; let A; let edge; let edgeUrl;
  const seen = [];

  before(async () => {
    edge = createServer((req, res) => {
      seen.push({ method: req.method, url: req.url, headers: req.headers });
      req.resume();
      req.on('end', () => { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('purged\n'); });
    });
    await new Promise((r) => edge.listen(0, '127.0.0.1', r));
    edgeUrl = `http://127.0.0.1:${edge.address().port}/`;
    let dir;
    ({ dir, site } = tempSite({ title: 'The Edge Ledger', timezone: 'UTC' }));
    setConf(site, 'comments', { ...EASY, moderation: 'pre' });
    runOk(['import', '--site', site, ...[['Edge story', 'World'], ['Lead story', 'City']].map(
      ([title, section], i) => writeArticle(dir, `a${i}.md`, markdown(
        { title, date: recentDate(), section }, 'A paragraph of the story.\n')))]);
    setConf(site, 'edge', { s_maxage: 120, stale_while_revalidate: 15, purge: `${edgeUrl}, ` });
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    [A] = await articlePaths(base, ['Edge story']);
  });
  after(async () => {
    if (srv) await stopChecked(srv);
    if (edge) await new Promise((r) => edge.close(r));
  });

  it('the front and section pages carry their keys and s-maxage, the same on a hit', async () => {
    for (const [path, key] of [['/', 'front'], ['/section/world', 'section:world']]) {
      const miss = await request(base + path);
      const hit = await request(base + path);
      assert.equal(miss.status, 200, path);
      assert.equal(miss.headers['cache-control'], EDGE_CC, `${path}: Cache-Control`);
      const keys = miss.headers['surrogate-key'].split(' ');
      assert.ok(keys.includes('all') && keys.includes(key) && keys.includes('nav'),
        `${path}: Surrogate-Key ${miss.headers['surrogate-key']}`);
      assert.ok(keys.includes(`article:${idOf(A)}`), `${path}: the story's card is a key`);
      assert.equal(miss.headers['cache-tag'], keys.join(','), `${path}: Cache-Tag`);
      assert.deepEqual(edgeHeaders(hit), edgeHeaders(miss), `${path}: the hit sends what the miss sent`);
    }
  });

  it('the article page stays private (no [edge] esi) but names its keys', async () => {
    const miss = await request(base + A);
    const hit = await request(base + A);
    assert.equal(miss.status, 200);
    assert.equal(miss.headers['cache-control'], 'private, no-cache');
    const keys = miss.headers['surrogate-key'].split(' ');
    assert.ok(keys.includes(`article:${idOf(A)}`) && keys.includes('section:world'),
      `Surrogate-Key ${miss.headers['surrogate-key']}`);
    assert.deepEqual(edgeHeaders(hit), edgeHeaders(miss));
  });

  it('admin and no-store answers carry no edge headers', async () => {
    for (const path of ['/admin/login', '/healthz', '/search?q=edge']) {
      const res = await request(base + path);
      assert.equal(res.headers['surrogate-key'], undefined, `${path}: no Surrogate-Key`);
      assert.equal(res.headers['cache-tag'], undefined, `${path}: no Cache-Tag`);
      assert.doesNotMatch(res.headers['cache-control'] || '', /s-maxage|public/, `${path}: Cache-Control`);
    }
  });

  it('a comment approved from the command line purges the article at the edge', async () => {
    const name = 'Purged Pat';
    const posted = await postComment(base, A, { name, comment: 'Gone from the edge.' });
    assert.equal(posted.status, 303);
    const row = listComments(site, 'pending', idOf(A)).find((c) => c.rest.includes(name));
    assert.ok(row, 'the comment waits for a moderator');
    const want = `article:${idOf(A)}`;
    // Held for moderation, it changed no page the edge holds: its event
    // reaches the edge as the moderation queue's key alone, so a flood
    // of held comments never empties the edge of the article.
    const keysOf = (r) => (r.headers['surrogate-key'] || '').split(' ');
    const held = await eventually(() => seen.find((r) => r.method === 'PURGE' &&
      keysOf(r).includes('comments')));
    assert.ok(held, `the held comment's event reached the edge; seen: ${JSON.stringify(seen)}`);
    assert.deepEqual(seen.filter((r) => keysOf(r).some((k) => k === want || k.startsWith('article-form:'))), [],
      'no purge of the article, nor of the private page\'s key, for a comment held for moderation');
    moderate(site, 'approve', row.id);
    const purge = await eventually(() => seen.find((r) => r.method === 'PURGE' &&
      (r.headers['surrogate-key'] || '').split(' ').includes(want)));
    assert.ok(purge, `a PURGE naming ${want} arrived; seen: ${JSON.stringify(seen)}`);
    assert.equal(purge.url, '/');
    assert.equal(purge.headers['xkey-purge'], purge.headers['surrogate-key']);
    const metrics = await eventually(async () => {
      const m = (await request(`${base}/metrics`)).body;
      return /gazette_edge_purges_total\{result="ok"\} [1-9]/.test(m) && m;
    });
    assert.ok(metrics, '/metrics counts the purges');
  });
});
