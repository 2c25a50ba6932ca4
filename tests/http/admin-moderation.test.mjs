// admin-moderation.test.mjs - the moderation queue at /admin/comments
// (src/site/admin_moderation.c): a moderator sees a held comment in full,
// with why it was held and its thread, and approves it, and it is on the
// article page at once; bulk reject, spam and delete; the filters; a
// writer is refused; a POST without the csrf token changes nothing.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  articlePaths, commentSite, listComments, moderate, openArticle, postComment, readThread,
} from '../lib/comments.mjs';
import { SLOW, runOk, slow, startServer, stopChecked } from '../lib/gazette.mjs';
import { addUser, adminGet, adminPost, cheapHashes, signIn } from '../lib/staff.mjs';

// A bound only against a hung server, scaled for valgrind (GAZETTE_TEST_SLOW).
const T = { timeout: slow(120000) };

describe('the moderation queue', T, () => {
  let site;
  let srv;
  let base;
  let council;
  let bridge;
  let mod;

  // Posts a comment on the article at path; resolves to its id (the
  // newest comment of the site, which the store numbers in order).
  async function comment(path, fields) {
    const r = await postComment(base, path, fields);
    assert.equal(r.status, 303, r.body.slice(0, 500));
    const all = listComments(site, 'all');
    return Math.max(...all.map((c) => c.id));
  }

  const statusOf = (id) => (listComments(site, 'all').find((c) => c.id === id) || {}).status;

  before(async () => {
    ({ site } = commentSite([{ title: 'Council Votes on the Budget' }, { title: 'Bridge Opens' }],
      { moderation: 'pre', hold_words: 'refund' }));
    cheapHashes(site);
    addUser(site, 'mona', 'moderator');
    addUser(site, 'wes', 'writer');
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    [council, bridge] = await articlePaths(base, ['Council Votes on the Budget', 'Bridge Opens']);
    mod = await signIn(base, 'mona');
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it('shows a held reply in full, why it was held and its thread, and approving it publishes it at once', T, async () => {
    const top = await comment(council, { name: 'Ada', comment: 'The first word.' });
    moderate(site, 'approve', top);
    // The approved parent, in the article page's cache now.
    let page = await openArticle(base, council);
    assert.deepEqual(readThread(page.body).items.map((c) => c.id), [top]);

    const reply = await comment(council, {
      name: 'Bea', email: 'bea@example.org', parent: String(top),
      comment: 'I want a refund.\nSecond line <b>bold</b> & more.',
    });
    assert.equal(statusOf(reply), 'pending');

    const q = await adminGet(mod, '/admin/comments');
    assert.equal(q.status, 200);
    assert.equal(q.headers['cache-control'], 'no-store');
    const li = q.body.slice(q.body.indexOf(`id="c${reply}"`));
    assert.ok(li.length > 0, 'the held reply is in the queue');
    // In full, escaped, its line break kept.
    assert.match(li, /I want a refund\.<br[^>]*>\s*Second line &lt;b&gt;bold&lt;\/b&gt; &amp; more\./);
    assert.match(li, /word: refund/);
    assert.match(li, /bea@example\.org/);
    assert.match(li, /Council Votes on the Budget/);
    // Its thread: the parent's text, and the whole thread.
    assert.match(li, /In reply to <bdi>Ada<\/bdi>/);
    assert.match(li, /The first word\./);
    assert.match(li, new RegExp(`href="/admin/comments/${reply}"`));

    const thread = await adminGet(mod, `/admin/comments/${reply}`);
    assert.equal(thread.status, 200);
    const above = thread.body.indexOf('Above it');
    assert.ok(above > 0 && thread.body.indexOf('The first word.') > above);
    assert.ok(thread.body.indexOf('I want a refund.') > thread.body.indexOf('The first word.'));
    const parentThread = await adminGet(mod, `/admin/comments/${top}`);
    assert.match(parentThread.body, /It is at the top level\./);
    assert.match(parentThread.body.slice(parentThread.body.indexOf('Replies')), /I want a refund\./);

    const r = await adminPost(mod, '/admin/comments', [['status', 'pending'], ['one', `approve:${reply}`]]);
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/admin/comments?status=pending&done=approved');
    assert.equal(statusOf(reply), 'approved');
    // On the article at once: the store's events emptied its cache.
    page = await openArticle(base, council);
    const items = readThread(page.body).items;
    assert.equal(items[0].id, top);
    assert.deepEqual(items[0].replies.map((c) => c.id), [reply]);
    const done = await adminGet(mod, r.headers.location);
    assert.match(done.body, /Approved\./);
    // An approved one's headline links to it on the public page.
    const approved = await adminGet(mod, '/admin/comments?status=approved');
    assert.ok(approved.body.includes(`href="${council}?comment=${reply}#comment-${reply}"`),
      'links to the comment on the article page');
  });

  it('rejects three at once, marks spam and deletes, each in the filters', T, async () => {
    const ids = [];
    for (const body of ['One.', 'Two.', 'Three.']) ids.push(await comment(bridge, { comment: body }));
    const spam = await comment(bridge, { comment: 'Cheap pills.' });
    const gone = await comment(council, { comment: 'Delete me.' });

    // The queue holds them all, pending first, with their reason.
    const q = await adminGet(mod, '/admin/comments');
    for (const id of [...ids, spam, gone]) assert.match(q.body, new RegExp(`id="c${id}"`));
    assert.match(q.body, /pre-moderation/);

    const r = await adminPost(mod, '/admin/comments',
      [['status', 'pending'], ['action', 'reject'], ...ids.map((id) => ['id', String(id)])]);
    assert.equal(r.status, 303);
    assert.match(r.headers.location, /done=rejected$/);
    for (const id of ids) assert.equal(statusOf(id), 'rejected');
    assert.equal(statusOf(spam), 'pending');

    assert.equal((await adminPost(mod, '/admin/comments', [['one', `spam:${spam}`]])).status, 303);
    assert.equal(statusOf(spam), 'spam');
    const d = await adminPost(mod, '/admin/comments',
      [['status', 'all'], ['article', '1'], ['action', 'delete'], ['id', String(gone)]]);
    assert.equal(d.status, 303);
    assert.equal(d.headers.location, '/admin/comments?status=all&article=1&done=deleted');
    assert.equal(statusOf(gone), undefined);

    // Filters: by status, and by article.
    const rejected = await adminGet(mod, '/admin/comments?status=rejected');
    for (const id of ids) assert.match(rejected.body, new RegExp(`id="c${id}"`));
    assert.doesNotMatch(rejected.body, new RegExp(`id="c${spam}"`));
    const spamList = await adminGet(mod, '/admin/comments?status=spam');
    assert.match(spamList.body, new RegExp(`id="c${spam}"`));
    assert.doesNotMatch(spamList.body, new RegExp(`id="c${ids[0]}"`));
    const pending = await adminGet(mod, '/admin/comments');
    for (const id of [...ids, spam]) assert.doesNotMatch(pending.body, new RegExp(`id="c${id}"`));
    const bridgeId = Number(/\/news\/(\d+)/.exec(bridge)[1]);
    const onBridge = await adminGet(mod, `/admin/comments?status=all&article=${bridgeId}`);
    for (const id of [...ids, spam]) assert.match(onBridge.body, new RegExp(`id="c${id}"`));
    assert.doesNotMatch(onBridge.body, /The first word\./);
    assert.equal((await adminGet(mod, '/admin/comments?status=sometimes')).status, 400);
  });

  it('approves every shown comment with one button', T, async () => {
    const a = await comment(bridge, { comment: 'Shown one.' });
    const b = await comment(bridge, { comment: 'Shown two.' });
    const r = await adminPost(mod, '/admin/comments',
      [['status', 'pending'], ['all', 'approve'], ['shown', String(a)], ['shown', String(b)]]);
    assert.equal(r.status, 303);
    assert.equal(statusOf(a), 'approved');
    assert.equal(statusOf(b), 'approved');
  });

  it('refuses a writer, and a POST without a valid csrf token changes nothing', T, async () => {
    const wes = await signIn(base, 'wes');
    assert.equal((await adminGet(wes, '/admin/comments')).status, 403);
    const id = await comment(council, { comment: 'Still pending.' });
    assert.equal((await adminPost(wes, '/admin/comments', [['one', `approve:${id}`]])).status, 403);
    assert.equal((await adminPost(mod, '/admin/comments', [['one', `approve:${id}`]],
      { csrf: false })).status, 403);
    assert.equal((await adminPost(mod, '/admin/comments',
      [['one', `approve:${id}`], ['csrf', 'x'.repeat(43)]])).status, 403);
    assert.equal(statusOf(id), 'pending');
    // Without a session: to the sign-in page, nothing changed.
    const anon = await adminGet(null, '/admin/comments', base);
    assert.equal(anon.status, 303);
    assert.match(anon.headers.location, /^\/admin\/login/);
    assert.equal(statusOf(id), 'pending');
  });

  it('says "first-time" for a stranger held under the first-time policy', T, async () => {
    runOk(['settings', 'set', 'comments.moderation', 'first-time', '--site', site]);
    // The server reloads a moment after the change: a comment sent
    // before that is held as pre-moderation; a few tries, bounded.
    let reason = null;
    for (let i = 0; i < 50 * SLOW && reason !== 'first-time'; i++) {
      const id = await comment(bridge, { comment: `Who am I ${i}?` });
      const q = await adminGet(mod, `/admin/comments?status=pending`);
      const li = q.body.slice(q.body.indexOf(`id="c${id}"`));
      reason = (/class="mod-reason">([^<]*)</.exec(li) || [])[1];
    }
    assert.equal(reason, 'first-time');
  });
});
