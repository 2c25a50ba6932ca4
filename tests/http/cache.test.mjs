// cache.test.mjs - the page cache from outside: pages come from it (and
// answer conditional requests without rendering), every response of the
// article page carries its own CAPTCHA question and token in plain, gzip
// and brotli, each decompressing to the same page but for the challenge;
// and a cached page shows a change at once: a comment approved from the
// command line, an article edited by a new import, a scheduled article
// coming due. Also comment pagination: an article with 2,500 approved
// comments answers 200 with every comment reachable through its pages,
// and a comment's number is the id moderators see.

import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';

import {
  articlePaths, commentSite, fieldsFor, flatten, listComments, moderate, openArticle,
  postComment, readForm, readThread, recentDate, setConf, submit,
} from '../lib/comments.mjs';
import { markdown, writeArticle } from '../lib/fixtures.mjs';
import { request, runOk, slow, startServer, stopChecked } from '../lib/gazette.mjs';

const T = { timeout: slow(180000) };
const idOf = (path) => Number(/^\/news\/(\d+)\//.exec(path)[1]);

// Waits until check() is truthy, trying every 50 ms for at most `ms`: a
// change made by another process (the command line) reaches the server's
// cache through the database, not through a signal. No duration is
// asserted; the deadline only keeps a broken server from hanging the run.
async function eventually(check, ms = 10000) {
  const end = Date.now() + slow(ms);
  for (;;) {
    const v = await check();
    if (v || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The page with the challenge taken out: question, spoken question and
// token, as the form shows them.
function withoutChallenge(html) {
  const f = readForm(html);
  assert.ok(f && f.token && f.question, 'the page has a comment form with a challenge');
  return html.split(f.token).join('TOKEN')
    .replace(/<span aria-hidden="true">[^<]*<\/span><span class="visually-hidden">[^<]*<\/span>/,
      '<span aria-hidden="true">Q</span><span class="visually-hidden">S</span>');
}

function decode(res) {
  const enc = res.headers['content-encoding'];
  if (!enc) return res.raw.toString('utf8');
  if (enc === 'gzip') return gunzipSync(res.raw).toString('utf8');
  if (enc === 'br') return brotliDecompressSync(res.raw).toString('utf8');
  throw new Error(`unexpected Content-Encoding ${enc}`);
}

describe('the page cache: the article page and its challenge', T, () => {
  let srv; let base; let A; let site;

  before(async () => {
    ({ site } = commentSite([
      { title: 'Cached story', body: 'RIVERTON - The first paragraph.\n\n' + 'A longer paragraph. '.repeat(200) },
      // The lead story of the front page: the first one is a card there.
      { title: 'Lead story' },
    ], { moderation: 'pre' }));
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    [A] = await articlePaths(base, ['Cached story']);
  });
  after(async () => { if (srv) await stopChecked(srv); });

  for (const [name, ae, want] of [['plain', null, undefined], ['gzip', 'gzip', 'gzip'],
    ['brotli', 'br, gzip', 'br']]) {
    it(`two ${name} responses carry different challenges and decompress to the same page`, async () => {
      const headers = ae ? { 'Accept-Encoding': ae } : {};
      const plain = await request(base + A);
      const one = await request(base + A, { headers });
      const two = await request(base + A, { headers });
      for (const r of [one, two]) {
        assert.equal(r.status, 200);
        assert.equal(r.headers['content-encoding'], want, `${name}: Content-Encoding`);
        assert.match(r.headers.vary || '', /Accept-Encoding/i);
        assert.equal(Number(r.headers['content-length']), r.raw.length);
      }
      const h1 = decode(one); const h2 = decode(two);
      const f1 = readForm(h1); const f2 = readForm(h2);
      assert.notEqual(f1.token, f2.token, `${name}: each response has its own token`);
      assert.equal(withoutChallenge(h1), withoutChallenge(plain.body), `${name}: the same page`);
      assert.equal(withoutChallenge(h2), withoutChallenge(plain.body), `${name}: the same page`);
      assert.match(h1, /<\/html>\s*$/, `${name}: the whole page`);
      // The token of a compressed response is a working one.
      const res = await submit(base, f2.action, fieldsFor(f2, { name: `Reader ${name}` }));
      assert.equal(res.status, 303, `${name}: its token and question are accepted`);
    });
  }

  it('If-None-Match and If-Modified-Since answer 304 from the cache', async () => {
    const first = await request(base + A);
    const etag = first.headers.etag;
    assert.ok(etag && first.headers['last-modified']);
    const again = await request(base + A, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.raw.length, 0);
    const gz = await request(base + A, { headers: { 'Accept-Encoding': 'gzip' } });
    assert.notEqual(gz.headers.etag, etag, 'the gzip variant has its own ETag');
    // HTTP dates have whole seconds: only a date a second after the
    // page was made proves the client has this version.
    const lm = Date.parse(first.headers['last-modified']);
    await new Promise((r) => setTimeout(r, Math.max(0, lm + 1100 - Date.now())));
    const later = new Date(lm + 1000).toUTCString();
    const since = await request(base + A, { headers: { 'If-Modified-Since': later } });
    assert.equal(since.status, 304, `If-Modified-Since: ${later}, Last-Modified ${first.headers['last-modified']}`);
    const echo = await request(base + A, { headers: { 'If-Modified-Since': first.headers['last-modified'] } });
    assert.equal(echo.status, 200, 'the same second may hold two versions: the page again');
    const future = await request(base + A, { headers: { 'If-Modified-Since': new Date(Date.now() + 864e5).toUTCString() } });
    assert.equal(future.status, 200, 'a date in the future proves nothing');
  });

  it('a "?" inside the path is not a query: no cached page answers for it', async () => {
    const odd = `${base}${A}%3Fcomments=1`;
    assert.equal((await request(odd)).status, 301, 'the slug is wrong: to the canonical URL');
    assert.equal((await request(`${base}${A}?comments=1`)).status, 200);
    assert.equal((await request(odd)).status, 301, 'the same answer once the other URL is cached');
  });

  it('a comment approved from the command line shows on the cached page and listings', async () => {
    const name = 'Approved Anna';
    const posted = await postComment(base, A, { name, comment: 'Seen at once.' });
    assert.equal(posted.status, 303);
    await request(base + A);
    await request(`${base}/`);
    const row = listComments(site, 'pending', idOf(A)).find((c) => c.rest.includes(name));
    assert.ok(row, 'the comment waits for a moderator');
    moderate(site, 'approve', row.id);
    const shown = await eventually(async () => {
      const page = await openArticle(base, A);
      return flatten(readThread(page.body).items).find((c) => c.id === row.id);
    });
    assert.ok(shown, 'the approved comment is on the page');
    assert.equal(shown.number, row.id, 'its number is the id the command line shows');
    const front = await eventually(async () => /1 comment\b/.test((await request(`${base}/`)).body));
    assert.ok(front, "the front page's card counts the comment");
  });
});

describe('the page cache: edits and scheduled articles', T, () => {
  let srv; let base; let dir; let site;

  before(async () => {
    ({ dir, site } = commentSite([{ title: 'Edited story', slug: 'edited', body: 'The first version.' }]));
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
  });
  after(async () => { if (srv) await stopChecked(srv); });

  it('an article edited by a new import shows the edit on its cached page', async () => {
    const [A] = await articlePaths(base, ['Edited story']);
    assert.match((await request(base + A)).body, /The first version/);
    assert.match((await request(base + A)).body, /The first version/);
    // commentSite wrote it as a0.md; importing it again updates it.
    const file = writeArticle(dir, 'a0.md', markdown({
      title: 'Edited story', slug: 'edited', date: recentDate(),
    }, 'The second version.\n'));
    runOk(['import', '--site', site, file]);
    const edited = await eventually(async () => /The second version/.test((await request(base + A)).body));
    assert.ok(edited, 'the cached page shows the edit');
  });

  it('a scheduled article appears on the cached front page when its time comes', async () => {
    const due = new Date(Date.now() + 3000);
    const stamp = `${due.toISOString().slice(0, 19)}Z`;
    assert.doesNotMatch((await request(`${base}/`)).body, /Embargoed story/);
    const file = writeArticle(dir, 'later.md', markdown({ title: 'Embargoed story', date: stamp, status: 'scheduled' },
      'Not before its time.\n'));
    const r = runOk(['import', '--site', site, file]);
    assert.ok(r, 'imported');
    const early = (await request(`${base}/`)).body;
    if (Date.now() < due.getTime() - 500) {
      assert.doesNotMatch(early, /Embargoed story/, 'not on the front page before its time');
    }
    const shown = await eventually(async () => /Embargoed story/.test((await request(`${base}/`)).body), 15000);
    assert.ok(shown, 'on the front page once due');
  });
});

describe('comment pages: 2,500 approved comments', T, () => {
  let srv; let base; let A; let site;
  let all = [];
  const N = 2500;

  before(async () => {
    ({ site } = commentSite([{ title: 'Much discussed' }], { moderation: 'post', max_length: 2000 }));
    setConf(site, 'server', { trust_proxy: 'yes' });
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    [A] = await articlePaths(base, ['Much discussed']);
    const page = await openArticle(base, A);
    const text = 'A considered opinion, at some length. '.repeat(27).slice(0, 1000);
    let next = 0;
    const worker = async () => {
      while (next < N) {
        const i = next++;
        const f = (await openArticle(base, A)).form;
        const res = await submit(base, page.form.action, fieldsFor(f, { name: `Reader ${i}`, comment: text }),
          { headers: { 'X-Forwarded-For': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` } });
        assert.equal(res.status, 303, `comment ${i}: ${res.status} ${res.body.slice(0, 300)}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  });
  after(async () => { if (srv) await stopChecked(srv); });

  it('the article answers 200 and every comment is reachable through its pages', async () => {
    const seen = new Set();
    let url = base + A;
    let pages = 0;
    while (url) {
      const res = await request(url);
      assert.equal(res.status, 200, url);
      pages++;
      const thread = readThread(res.body);
      assert.equal(thread.count, N, 'the heading counts every comment');
      for (const c of flatten(thread.items)) seen.add(c.id);
      const next = /<a class="page-next" rel="next" href="([^"]*comments=\d+[^"]*)"/.exec(res.body);
      url = next ? base + next[1].replace(/&amp;/g, '&') : null;
      assert.ok(pages <= N, 'the pages end');
    }
    assert.equal(seen.size, N, `every comment on some page (${pages} pages)`);
    assert.ok(pages >= N / 50, `${pages} pages of at most 50 threads`);
    // The command line lists the newest 1,000: each is on some page.
    const newest = listComments(site, 'approved', idOf(A)).map((c) => c.id);
    assert.equal(newest.length, 1000);
    for (const id of newest) assert.ok(seen.has(id), `comment ${id} is on a page`);
    all = [...seen].sort((x, y) => x - y);
  });

  it('?comment=ID opens the page holding that comment', async () => {
    assert.equal(all.length, N);
    for (const id of [all[0], all[1234], all[N - 1]]) {
      const res = await request(`${base}${A}?comment=${id}`);
      assert.equal(res.status, 200);
      assert.ok(flatten(readThread(res.body).items).some((c) => c.id === id), `comment ${id} is on its page`);
    }
  });

  it('a comment page past the last is 404', async () => {
    const res = await request(`${base}${A}?comments=999`);
    assert.equal(res.status, 404);
  });
});
