// admin-trust.test.mjs - whose HTML reaches readers: a writer's body is
// rendered as a reader's comment is (raw HTML left out, dangerous links
// emptied) in the preview, on the page, in the feeds and in the API, even
// once an editor publishes it unread or fixes a word in it; an editor who
// ticks "trust" makes its HTML the page's, and an editor's own HTML is
// kept. docs/newsroom.md, "Whose HTML".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { get, request, slow, startServer, stopChecked } from '../lib/gazette.mjs';
import { addUser, articleIdOf, newsroomSite, signIn } from '../lib/newsroom.mjs';

const T = { timeout: slow(120000) };

const EVIL = [
  'The council voted on Tuesday.',
  '',
  '<script>alert("s")</script>',
  '',
  'See <img src="x" onerror="alert(1)"> and [the report](javascript:alert(2)).',
  '',
  '<aside class="factbox" onmouseover="alert(3)">Fact box</aside>',
  '',
].join('\r\n');

const STORY = {
  headline: 'Council votes on the river budget',
  dateline: 'RIVERTON',
  byline: 'By Wendy Writer',
  authors: '',
  section: 'City Hall',
  tags: 'budget',
  lang: 'en',
  summary: 'The council voted.',
  body: EVIL,
  slug: '',
};

// What a writer's HTML must never bring: script, handlers, javascript:.
function assertInert(text, where) {
  assert.doesNotMatch(text, /<script>alert/i, `${where}: a script`);
  assert.doesNotMatch(text, /onerror|onmouseover/i, `${where}: an event handler`);
  assert.doesNotMatch(text, /javascript:alert/i, `${where}: a javascript: link`);
  assert.doesNotMatch(text, /<aside class="factbox"/i, `${where}: the writer's raw HTML`);
}

async function publicPage(base, id) {
  let r = await request(`${base}/news/${id}`);
  if (r.status === 301) r = await request(`${base}${r.headers.location}`);
  return r;
}

describe('the newsroom: whose HTML reaches readers', T, () => {
  let srv;
  let base;
  let editor;
  let writer;

  before(async () => {
    const { site } = newsroomSite();
    addUser(site, 'eddie', 'editor');
    addUser(site, 'wendy', 'writer');
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    editor = await signIn(base, 'eddie');
    writer = await signIn(base, 'wendy');
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it('keeps a writer\'s HTML inert in the preview, the page, the feeds and the API', async () => {
    const id = articleIdOf(await writer.post('/admin/articles', { ...STORY, action: 'save' },
      { multipart: true }));
    const preview = await writer.post(`/admin/articles/${id}`, { ...STORY, action: 'preview' },
      { multipart: true });
    assert.equal(preview.status, 200);
    assert.match(preview.body, /The council voted on Tuesday/);
    assertInert(preview.body, 'the writer\'s preview');
    const own = await writer.get(`/admin/articles/${id}`);
    assert.match(own.body, /Raw HTML you write is left out/);

    // The editor publishes it without touching the body.
    const page = await editor.get(`/admin/articles/${id}`);
    assert.match(page.body, /A writer wrote this body last/);
    assert.match(page.body, /name="trust_html"/);
    const pub = await editor.post(`/admin/articles/${id}`, { ...STORY, action: 'publish' },
      { multipart: true });
    assert.equal(pub.status, 303);
    const art = await publicPage(base, id);
    assert.equal(art.status, 200);
    assert.match(art.body, /The council voted on Tuesday/);
    assert.match(art.body, /class="dateline"/, 'the dateline still opens it');
    assertInert(art.body, 'the article page');
    for (const feed of ['/feed.atom', '/feed.rss', '/feed.json']) {
      const f = await get(`${base}${feed}`);
      assert.match(f.body, /The council voted on Tuesday/, feed);
      assertInert(f.body.replace(/&amp;/g, '&'), feed);
    }
    const api = await get(`${base}/api/v1/articles/${id}`);
    assertInert(JSON.parse(api.body).body_html || api.body, 'the API');

    // The editor fixes one word and publishes: still the writer's HTML,
    // unread, in the preview (the admin's own origin) and on the page.
    const fixed = { ...STORY, body: EVIL.replace('Tuesday', 'Monday') };
    const fixPreview = await editor.post(`/admin/articles/${id}`,
      { ...fixed, action: 'preview' }, { multipart: true });
    assert.equal(fixPreview.status, 200);
    assertInert(fixPreview.body, 'the editor\'s preview of a fixed word');
    const fix = await editor.post(`/admin/articles/${id}`, { ...fixed, action: 'publish' },
      { multipart: true });
    assert.equal(fix.status, 303);
    const fixedPage = await publicPage(base, id);
    assert.match(fixedPage.body, /voted on Monday/);
    assertInert(fixedPage.body, 'the page after an editor fixed a word');

    // Trusted on purpose: the editor ticks the box; the HTML is the page's.
    const trusted = await editor.post(`/admin/articles/${id}`,
      { ...STORY, trust_html: 'yes', action: 'publish' }, { multipart: true });
    assert.equal(trusted.status, 303);
    const now = await publicPage(base, id);
    assert.match(now.body, /<aside class="factbox"/);
    const again = await editor.get(`/admin/articles/${id}`);
    assert.doesNotMatch(again.body, /A writer wrote this body last/);

  });

  it('keeps an editor\'s own HTML, and a writer\'s forged trust_html does nothing', async () => {
    const id = articleIdOf(await editor.post('/admin/articles',
      { ...STORY, headline: 'Editor writes a fact box', action: 'publish' }, { multipart: true }));
    const art = await publicPage(base, id);
    assert.match(art.body, /<aside class="factbox"/, 'an editor\'s HTML is kept');

    const wid = articleIdOf(await writer.post('/admin/articles',
      { ...STORY, headline: 'Writer asks for trust', trust_html: 'yes', action: 'save' },
      { multipart: true }));
    const preview = await writer.post(`/admin/articles/${wid}`,
      { ...STORY, headline: 'Writer asks for trust', trust_html: 'yes', action: 'preview' },
      { multipart: true });
    assertInert(preview.body, 'a writer\'s preview with trust_html');
  });
});
