// comments-flood.test.mjs - one address cannot make gazette write to the
// database without limit by posting comments that are refused.
//
// Every refused post whose token checked out (sent too fast, a wrong
// answer, a field to fix, a bot trap) spends its token's nonce: a row in
// comment_nonces, kept until the token would have expired (token_seconds,
// 2 h by default). So every such refusal counts toward a per-address limit
// (20 per rate_limit_seconds); past it the post is answered 429 "too many
// tries" with its text kept, and nothing is written. Before, a GET and a
// POST at once (too fast, which did not count) wrote a row per pair
// without end, and a rate-limited post still wrote one.
//
// The address is the peer's, or behind trust_proxy = yes the last one in
// X-Forwarded-For. A reader who gets the answer wrong twice still posts.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  articlePaths, commentSite, fieldsFor, openArticle, postComment, setConf, solve, submit,
} from '../lib/comments.mjs';
import { slow, startServer, stopChecked } from '../lib/gazette.mjs';

const haveSqlite = !spawnSync('sqlite3', ['-version']).error;
const T = { timeout: slow(240000), skip: !haveSqlite && 'no sqlite3 shell' };

const POSTS = 100;
const AT_ONCE = 10;
// The refusals one address may have per window (COMMENTS_FAILURE_COUNT).
const LIMIT = 20;

// Spent nonces in the site's database, read with the sqlite3 shell.
function nonceRows(site) {
  const r = spawnSync('sqlite3', [path.join(site, 'gazette.db'), 'SELECT count(*) FROM comment_nonces'],
    { encoding: 'utf8' });
  assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
  return Number(r.stdout.trim());
}

// Sends POSTS posts to the article at `A`, AT_ONCE at a time, each with a
// form read just before; fields(form, i) gives what is sent and opts(i)
// submit()'s options. Resolves to [{res, sent}] in the order sent.
async function flood(base, A, fields, opts) {
  const out = [];
  for (let i = 0; i < POSTS; i += AT_ONCE) {
    const batch = [];
    for (let k = i; k < i + AT_ONCE; k++) {
      batch.push(openArticle(base, A).then(async (page) => {
        assert.equal(page.status, 200);
        const sent = fieldsFor(page.form, fields(page.form, k));
        return { res: await submit(base, page.form.action, sent, opts(k)), sent };
      }));
    }
    out.push(...await Promise.all(batch));
  }
  return out;
}

// Checks a flood's answers: at most LIMIT refusals (422 with `field`, or
// the form-level sentence when field is null), the rest 429 with the text
// kept and the wait named, never a 422 once a whole batch was 429.
function assertLimited(results, field) {
  const statuses = results.map((r) => r.res.status);
  const refused = statuses.filter((s) => s === 422).length;
  const limited = statuses.filter((s) => s === 429).length;
  assert.equal(refused + limited, POSTS, `only 422 and 429: ${statuses.join(' ')}`);
  assert.ok(refused <= LIMIT, `at most ${LIMIT} refusals, got ${refused}: ${statuses.join(' ')}`);
  assert.ok(limited >= POSTS - LIMIT, `429 after the limit: ${statuses.join(' ')}`);
  const firstFull = statuses.findIndex((s, i) => i % AT_ONCE === 0 &&
    statuses.slice(i, i + AT_ONCE).every((x) => x === 429));
  assert.ok(firstFull >= 0 && statuses.slice(firstFull).every((s) => s === 429),
    `once limited, limited: ${statuses.join(' ')}`);
  for (const { res, sent } of results) {
    assert.ok(res.form, `${res.status}: the article page with the form again`);
    assert.equal(res.form.comment, sent.comment, `${res.status}: the text is kept`);
    assert.match(res.headers.get('cache-control') || '', /no-store/);
    if (res.status === 429) {
      assert.match(res.form.formError || '', /too many tries/);
      assert.match(res.form.formError, /wait 10 minutes/);
      assert.equal(res.headers.get('retry-after'), '600');
    } else if (field) {
      assert.ok(res.form.errors[field], `422: the sentence next to ${field}`);
    } else {
      assert.match(res.form.formError || '', /too quickly/);
    }
  }
  return refused;
}

describe('comments: a flood of posts sent at once (too fast) behind a proxy', T, () => {
  let srv;
  let site;
  let A;

  before(async () => {
    // The default fill time: a post sent as soon as its page is read is
    // too fast. The comment limit is EASY's, out of the way.
    ({ site } = commentSite([{ title: 'Tram line extended' }], { min_fill_seconds: 3 }));
    setConf(site, 'server', { trust_proxy: 'yes' });
    srv = await startServer(['serve', '--site', site]);
    [A] = await articlePaths(srv.url, ['Tram line extended']);
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it(`${POSTS} posts from one address leave at most ${LIMIT} spent nonces, then 429`, async () => {
    const via = { headers: { 'X-Forwarded-For': '192.0.2.1, 203.0.113.50' } };
    const results = await flood(srv.url, A, (form, i) => ({ name: `Bot ${i}`, comment: `Spam ${i}.` }),
      () => via);
    const refused = assertLimited(results, null);
    const rows = nonceRows(site);
    assert.ok(rows <= LIMIT, `comment_nonces holds ${rows} rows after ${POSTS} posts`);
    assert.equal(rows, refused, 'one spent nonce per refusal, none for a 429');
  });

  it('another address behind the same proxy still posts, after a wrong answer twice', async () => {
    const via = { headers: { 'X-Forwarded-For': '203.0.113.51' } };
    for (const wrong of ['1000', '999']) {
      const page = await openArticle(srv.url, A);
      await new Promise((r) => { setTimeout(r, 3200); }); // the fill time
      const res = await submit(srv.url, page.form.action,
        fieldsFor(page.form, { name: 'Careful Reader', answer: wrong }), via);
      assert.equal(res.status, 422, `wrong answer ${wrong}: ${res.status}`);
      assert.ok(res.form.errors.answer);
    }
    const page = await openArticle(srv.url, A);
    await new Promise((r) => { setTimeout(r, 3200); });
    const ok = await submit(srv.url, page.form.action,
      fieldsFor(page.form, { name: 'Careful Reader', comment: 'Third time lucky.' }), via);
    assert.equal(ok.status, 303, `${ok.status}\n${ok.body.slice(0, 300)}`);
  });

  it('the flooding address is still told to wait, even with a right answer after the fill time', async () => {
    const page = await openArticle(srv.url, A);
    await new Promise((r) => { setTimeout(r, 3200); });
    const sent = fieldsFor(page.form, { name: 'Bot', comment: 'Now a real one.' });
    const before429 = nonceRows(site);
    const res = await submit(srv.url, page.form.action, sent,
      { headers: { 'X-Forwarded-For': '203.0.113.50' } });
    assert.equal(res.status, 429);
    assert.equal(res.form.comment, sent.comment);
    assert.equal(nonceRows(site), before429, 'a 429 writes nothing');
  });
});

describe('comments: a flood of wrong answers (no proxy trusted)', T, () => {
  let srv;
  let site;
  let A;

  before(async () => {
    ({ site } = commentSite([{ title: 'Pier closed for repairs' }]));
    srv = await startServer(['serve', '--site', site]);
    [A] = await articlePaths(srv.url, ['Pier closed for repairs']);
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it(`${POSTS} wrong answers leave at most ${LIMIT} spent nonces, whatever X-Forwarded-For claims`, async () => {
    // Without trust_proxy the header is the client's own claim: every post
    // is counted against the peer, 127.0.0.1.
    const results = await flood(srv.url, A,
      (form, i) => ({ name: `Guesser ${i}`, comment: `Guess ${i}.`, answer: String(solve(form.question) + 1) }),
      (i) => ({ headers: { 'X-Forwarded-For': `198.51.100.${i + 1}` } }));
    const refused = assertLimited(results, 'answer');
    const rows = nonceRows(site);
    assert.ok(rows <= LIMIT, `comment_nonces holds ${rows} rows after ${POSTS} posts`);
    assert.equal(rows, refused, 'one spent nonce per refusal, none for a 429');
    // A right answer from the same address waits too: 429, nothing stored.
    const res = await postComment(srv.url, A, { name: 'Guesser', comment: 'Right at last.' });
    assert.equal(res.status, 429);
    assert.equal(nonceRows(site), rows);
  });
});
