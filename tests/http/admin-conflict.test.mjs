// admin-conflict.test.mjs - two people editing one article: each opens
// the editor, the first saves, and the second's save is refused with 409,
// the form back with what they typed and one sentence, and nothing of it
// stored; a form opened after the first save saves as usual.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { slow, startServer, stopChecked } from '../lib/gazette.mjs';
import { addUser, articleIdOf, newsroomSite, signIn } from '../lib/newsroom.mjs';

const T = { timeout: slow(120000) };

const STORY = {
  headline: 'Bridge vote set for Tuesday',
  dateline: 'RIVERTON',
  byline: 'By Ann Lee',
  authors: '',
  section: 'City Hall',
  tags: 'bridge',
  lang: 'en',
  summary: 'The council votes on Tuesday.',
  body: 'The council votes on Tuesday.\r\n',
  slug: '',
};

function loadedRevision(html) {
  const m = html.match(/name="loaded_revision" value="(\d+)"/);
  assert.ok(m, 'the editor remembers the revision it opened');
  return m[1];
}

describe('the newsroom: two saves of one article', T, () => {
  let srv;
  let base;
  let ann;
  let bob;

  before(async () => {
    const { site } = newsroomSite();
    addUser(site, 'ann', 'editor');
    addUser(site, 'bob', 'editor');
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    ann = await signIn(base, 'ann');
    bob = await signIn(base, 'bob');
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it('refuses the later of two saves of the same version, keeping its text', async () => {
    const id = articleIdOf(await ann.post('/admin/articles', { ...STORY, action: 'save' },
      { multipart: true }));
    const seenByAnn = loadedRevision((await ann.get(`/admin/articles/${id}`)).body);
    const seenByBob = loadedRevision((await bob.get(`/admin/articles/${id}`)).body);
    assert.equal(seenByAnn, seenByBob);

    const first = await ann.post(`/admin/articles/${id}`,
      { ...STORY, body: 'Ann\'s version of the story.\r\n', loaded_revision: seenByAnn, action: 'save' },
      { multipart: true });
    assert.equal(first.status, 303);

    const second = await bob.post(`/admin/articles/${id}`,
      { ...STORY, body: 'Bob\'s version of the story.\r\n', loaded_revision: seenByBob, action: 'save' },
      { multipart: true });
    assert.equal(second.status, 409);
    assert.match(second.body, /someone else saved this article after you opened it/i);
    assert.match(second.body, /Bob&#39;s version of the story\.|Bob's version of the story\./,
      'the form keeps what was typed');
    assert.equal(second.headers['cache-control'], 'no-store');

    const now = await ann.get(`/admin/articles/${id}`);
    assert.match(now.body, /Ann&#39;s version|Ann's version/, 'the first save stands');
    assert.doesNotMatch(now.body, /Bob&#39;s version|Bob's version/, 'nothing of the second was stored');
    const revs = await ann.get(`/admin/articles/${id}/revisions`);
    assert.equal([...revs.body.matchAll(/<tr>/g)].length - 1, 2, 'two revisions: create and Ann\'s save');

    // Opened again, Bob's save goes through.
    const fresh = loadedRevision(now.body);
    const third = await bob.post(`/admin/articles/${id}`,
      { ...STORY, body: 'Bob\'s version of the story.\r\n', loaded_revision: fresh, action: 'save' },
      { multipart: true });
    assert.equal(third.status, 303);
  });
});
