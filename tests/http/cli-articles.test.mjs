// cli-articles.test.mjs - `gazette article list|show|unpublish|delete`,
// `gazette log` and `gazette comments show`: what each prints, that
// unpublish and delete really take a story off the site (checked on a
// freshly started server), that delete asks first and refuses without
// --yes when not on a terminal, and that every write is in the audit log
// as cli: and the login name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { EASY, articlePaths, commentSite, postComment, publishedId } from '../lib/comments.mjs';
import { describeRun, request, run, runOk, slow, withServer } from '../lib/gazette.mjs';

const T = { timeout: slow(120000) };
const LONG = 'This comment is much longer than the sixty characters that '
  + 'comments list shows, and show must print every word of it, to the end.';

describe('gazette article and gazette log', T, () => {
  it('lists, shows, unpublishes and deletes articles, and logs who did it', async () => {
    const { site } = commentSite([
      { title: 'Harbour tides report', body: 'The tide came in.' },
      { title: 'Second story for deletion', body: 'Gone soon.' },
    ], { ...EASY, moderation: 'post' });
    const env = { USER: 'tester' };

    let r = runOk(['article', 'list', '--site', site], { env });
    assert.match(r.stdout, /^\s*ID\s+STATUS\s+UPDATED\s+HEADLINE/);
    assert.match(r.stdout, /published .*Harbour tides report/);
    const id = Number(r.stdout.match(/^\s*(\d+)\s+published .*Harbour tides report/m)[1]);
    const del = Number(r.stdout.match(/^\s*(\d+)\s+published .*Second story for deletion/m)[1]);
    r = runOk(['article', 'list', '--site', site, '--status', 'draft']);
    assert.match(r.stdout, /no articles/);

    r = runOk(['article', 'show', '--site', site, String(id)]);
    assert.match(r.stdout, /^headline\s+Harbour tides report$/m);
    assert.match(r.stdout, /^status\s+published$/m);
    assert.match(r.stdout, /^revisions\s+1$/m);
    assert.match(r.stdout, /^corrections\s+0$/m);
    assert.match(r.stdout, /The tide came in\./);

    r = run(['article', 'show', '--site', site, '999']);
    assert.equal(r.status, 1, describeRun(['article', 'show'], r));
    assert.match(r.stderr, /no article 999/);
    r = run(['article', 'frobnicate', '--site', site]);
    assert.equal(r.status, 2);

    r = runOk(['article', 'unpublish', '--site', site, String(id)], { env });
    assert.match(r.stdout, /unpublished/);
    r = runOk(['article', 'show', '--site', site, String(id)]);
    assert.match(r.stdout, /^status\s+unpublished$/m);
    assert.match(r.stdout, /^revisions\s+2$/m, 'unpublishing is a revision');

    // Not on a terminal, delete wants --yes and changes nothing without.
    r = run(['article', 'delete', '--site', site, String(del)], { env, input: 'y\n' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--yes/);
    runOk(['article', 'show', '--site', site, String(del)]);
    r = runOk(['article', 'delete', '--site', site, '--yes', String(del)], { env });
    assert.match(r.stdout, /deleted/);
    assert.equal(run(['article', 'show', '--site', site, String(del)]).status, 1);

    await withServer(site, async (srv) => {
      for (const p of [`/news/${id}`, `/news/${del}`]) {
        const res = await request(`${srv.url}${p}`);
        assert.equal(res.status, 404, p);
      }
      const front = await request(`${srv.url}/`);
      assert.doesNotMatch(front.body, /Harbour tides report|Second story for deletion/);
    });

    r = runOk(['log', '--site', site]);
    assert.match(r.stdout, /^WHEN\s+WHO\s+WHAT\s+OBJECT\s+DETAIL/);
    assert.match(r.stdout, new RegExp(`cli:tester\\s+unpublish\\s+article:${id}\\s+Harbour tides report`));
    assert.match(r.stdout, new RegExp(`cli:tester\\s+delete\\s+article:${del}`));
    r = runOk(['log', '--site', site, '--actor', 'cli:nobody']);
    assert.match(r.stdout, /nothing in the log/);
    r = runOk(['log', '--site', site, '--limit', '1']);
    assert.equal(r.stdout.trim().split('\n').length, 2, 'a heading and one entry');
  });

  it('shows one comment whole, with its article, thread and status', async () => {
    const { site } = commentSite([{ title: 'Thread story', body: 'Talk here.' }],
      { ...EASY, moderation: 'post' });
    let parentId;
    let replyId;
    let childId;
    await withServer(site, async (srv) => {
      const [p] = await articlePaths(srv.url, ['Thread story']);
      const a = await postComment(srv.url, p, { name: 'Ann', comment: 'The first word.' });
      parentId = publishedId(a.location);
      const b = await postComment(srv.url, p, { name: 'Ben', comment: LONG, parent: String(parentId) },
        `?reply=${parentId}`);
      replyId = publishedId(b.location);
      const c = await postComment(srv.url, p, { name: 'Cy', comment: 'A reply to Ben.', parent: String(replyId) },
        `?reply=${replyId}`);
      childId = publishedId(c.location);
    });
    assert.ok(parentId && replyId && childId, 'three comments were published');
    const r = runOk(['comments', 'show', '--site', site, String(replyId)]);
    assert.match(r.stdout, new RegExp(`^comment\\s+${replyId}$`, 'm'));
    assert.match(r.stdout, /^status\s+approved$/m);
    assert.match(r.stdout, /^held for\s+-$/m);
    assert.match(r.stdout, /^article\s+\d+ Thread story$/m);
    assert.ok(r.stdout.includes(LONG), 'the whole text');
    assert.match(r.stdout, /in reply to:\n\s+#\d+ Ann, .*\n\s+The first word\./);
    assert.match(r.stdout, /reply:\n\s+#\d+ Cy, .*\n\s+A reply to Ben\./);
    const bad = run(['comments', 'show', '--site', site, '999']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /no comment 999/);
  });
});
