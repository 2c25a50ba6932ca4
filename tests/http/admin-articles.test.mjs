// admin-articles.test.mjs - the newsroom's articles over HTTP: an editor
// writes a story with a dateline and publishes it (on the front, its
// section and the feeds at once), a writer's draft stays private and a
// writer's forged publish is refused, a moderator is refused on every
// article route, five edits leave five revisions and a restore is one
// more, the diff shows the changed line, unpublish and delete take a
// story down everywhere, a correction shows on the page, in its JSON-LD
// and at /corrections with a valid Atom feed, and the editor's
// validation keeps what was typed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  ROOT, get, request, runOk, slow, startServer, stopChecked, tempDir,
} from '../lib/gazette.mjs';
import {
  addUser, articleIdOf, newsroomSite, signIn,
} from '../lib/newsroom.mjs';

const T = { timeout: slow(240000) };
const JING = '/usr/bin/jing';
const XMLLINT = '/usr/bin/xmllint';
const ATOM_RNC = path.join(ROOT, 'tests', 'schemas', 'atom.rnc');

function save(text, name) {
  const file = path.join(tempDir('gazette-admin-'), name);
  writeFileSync(file, text);
  return file;
}

function validAtom(xml, what) {
  const file = save(xml, 'feed.atom');
  let r = spawnSync(XMLLINT, ['--noout', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${what} is not well-formed XML:\n${r.stderr}`);
  r = spawnSync(JING, ['-c', ATOM_RNC, file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${what} is not valid Atom (RFC 4287 schema):\n${r.stdout}`);
}

// The JSON-LD things of a page (each block may hold an array of them).
function jsonld(html) {
  return [...html.matchAll(/<script type="application\/ld\+json">([^<]*)<\/script>/g)]
    .flatMap((m) => [JSON.parse(m[1])].flat());
}

// The public page of article id (following its slug redirect), or the
// status it answers.
async function publicPage(base, id) {
  let r = await request(`${base}/news/${id}`);
  if (r.status === 301) r = await request(`${base}${r.headers.location}`);
  return r;
}

const STORY = {
  headline: 'Council approves the river budget',
  dateline: 'RIVERTON',
  byline: 'By Ann Lee',
  authors: '',
  section: 'City Hall',
  tags: 'budget, river',
  lang: 'en',
  summary: 'The council voted for the new budget.',
  body: 'The council voted 6-1 on Tuesday.\r\n\r\nThe river project gets most of it.\r\n',
  slug: '',
};

describe('the newsroom: articles', T, () => {
  let srv;
  let base;
  let site;
  let editor;
  let writer;
  let moderator;

  before(async () => {
    ({ site } = newsroomSite({ timezone: 'America/New_York' }));
    addUser(site, 'eddie', 'editor');
    addUser(site, 'wendy', 'writer');
    addUser(site, 'molly', 'moderator');
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    editor = await signIn(base, 'eddie');
    writer = await signIn(base, 'wendy');
    moderator = await signIn(base, 'molly');
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  async function create(who, fields) {
    const r = await who.post('/admin/articles', { ...STORY, ...fields }, { multipart: true });
    return articleIdOf(r);
  }

  it('publishes an editor\'s story with its dateline on the front, its section and the feeds at once', async () => {
    const id = await create(editor, { headline: 'Bridge reopens after repairs', action: 'publish' });
    const page = await publicPage(base, id);
    assert.equal(page.status, 200);
    assert.match(page.body, /Bridge reopens after repairs/);
    assert.match(page.body, /RIVERTON/, 'the dateline opens the story');
    const front = await get(`${base}/`);
    assert.match(front.body, /Bridge reopens after repairs/);
    const section = await get(`${base}/section/city-hall`);
    assert.match(section.body, /Bridge reopens after repairs/);
    for (const feed of ['/feed.atom', '/feed.rss', '/feed.json', '/section/city-hall/feed.atom']) {
      const f = await get(`${base}${feed}`);
      assert.match(f.body, /Bridge reopens after repairs/, feed);
    }
    const list = await editor.get('/admin/articles?status=published');
    assert.match(list.body, /Bridge reopens after repairs/);
    assert.equal(list.headers['cache-control'], 'no-store');
    // The change and its audit entry landed together.
    const log = runOk(['log', '--site', site, '--actor', 'admin:eddie']).stdout;
    assert.match(log, new RegExp(`admin:eddie\\s+publish\\s+article:${id}\\s+Bridge reopens`));
  });

  it('keeps a writer\'s draft private and refuses a writer\'s forged publish', async () => {
    const id = await create(writer, { headline: 'Writer keeps a secret draft', action: 'save' });
    assert.equal((await publicPage(base, id)).status, 404);
    assert.doesNotMatch((await get(`${base}/`)).body, /secret draft/);
    assert.doesNotMatch((await get(`${base}/feed.atom`)).body, /secret draft/);
    const before = await editor.get(`/admin/articles/${id}/revisions`);

    const forged = await writer.post(`/admin/articles/${id}`,
      { ...STORY, headline: 'Writer keeps a secret draft', action: 'publish' }, { multipart: true });
    assert.equal(forged.status, 403);
    const created = await writer.post('/admin/articles',
      { ...STORY, headline: 'Writer forges a new story', action: 'publish' }, { multipart: true });
    assert.equal(created.status, 403);
    assert.equal((await publicPage(base, id)).status, 404, 'still not public');
    const list = await editor.get('/admin/articles');
    assert.doesNotMatch(list.body, /Writer forges a new story/, 'nothing was created');
    const after = await editor.get(`/admin/articles/${id}/revisions`);
    assert.equal(after.body, before.body, 'no revision was recorded');

    // Submitting for review is what a writer may do.
    const sub = await writer.post(`/admin/articles/${id}`,
      { ...STORY, headline: 'Writer keeps a secret draft', action: 'submit' }, { multipart: true });
    assert.equal(sub.status, 303);
    const review = await editor.get('/admin/articles?status=review');
    assert.match(review.body, /Writer keeps a secret draft/);
    assert.equal((await publicPage(base, id)).status, 404);

    // A writer sees only their own, and may not open another's.
    const eid = await create(editor, { headline: 'Editor only story', action: 'save' });
    const wl = await writer.get('/admin/articles');
    assert.doesNotMatch(wl.body, /Editor only story/);
    assert.equal((await writer.get(`/admin/articles/${eid}`)).status, 403);
    const edit = await writer.post(`/admin/articles/${eid}`,
      { ...STORY, headline: 'Hijacked', action: 'save' }, { multipart: true });
    assert.equal(edit.status, 403);
  });

  it('refuses a moderator every article route', async () => {
    const id = await create(editor, { headline: 'Moderators cannot touch this', action: 'publish' });
    const gets = ['/admin/articles', '/admin/articles/new', `/admin/articles/${id}`,
      `/admin/articles/${id}/preview`, `/admin/articles/${id}/delete`,
      `/admin/articles/${id}/revisions`];
    for (const p of gets) {
      assert.equal((await moderator.get(p)).status, 403, `GET ${p}`);
    }
    const posts = [['/admin/articles', { ...STORY, action: 'save' }],
      [`/admin/articles/${id}`, { ...STORY, headline: 'Moderated', action: 'save' }],
      [`/admin/articles/${id}/delete`, {}],
      [`/admin/articles/${id}/corrections`, { correction: 'No.' }]];
    for (const [p, f] of posts) {
      assert.equal((await moderator.post(p, f, { multipart: true })).status, 403, `POST ${p}`);
    }
    const page = await publicPage(base, id);
    assert.equal(page.status, 200);
    assert.match(page.body, /Moderators cannot touch this/);
    assert.doesNotMatch(page.body, /Correction,/);
    const dash = await moderator.get('/admin');
    assert.equal(dash.status, 200);
    assert.match(dash.body, /comments awaiting moderation/);
    assert.doesNotMatch(dash.body, /Latest published/);
  });

  it('answers 403 and changes nothing for a save without the csrf token or with a wrong one', async () => {
    const id = await create(editor, { headline: 'Guarded by a token', action: 'publish' });
    for (const csrf of [null, 'x'.repeat(43)]) {
      const r = await editor.post(`/admin/articles/${id}`,
        { ...STORY, headline: 'Changed without a token', action: 'save' }, { multipart: true, csrf });
      assert.equal(r.status, 403);
    }
    const page = await publicPage(base, id);
    assert.match(page.body, /Guarded by a token/);
  });

  it('keeps a revision per save, diffs one against the current body, and restores it as one more', async () => {
    const id = await create(editor, { headline: 'Five edits story', action: 'save' });
    const count = async () => {
      const r = await editor.get(`/admin/articles/${id}/revisions`);
      assert.equal(r.status, 200);
      return Number(r.body.match(/<p>(\d+) revisions?,/)[1]);
    };
    const start = await count();
    for (let i = 1; i <= 5; i++) {
      const r = await editor.post(`/admin/articles/${id}`, {
        ...STORY, headline: 'Five edits story', body: `Line one.\n\nEdit number ${i}.\n`, action: 'save',
      }, { multipart: true });
      assert.equal(r.status, 303);
    }
    assert.equal(await count(), start + 5, 'five edits leave five revisions');

    // The revision of edit 2: its page shows the changed line both ways.
    const list = await editor.get(`/admin/articles/${id}/revisions`);
    const links = [...list.body.matchAll(/href="(\/admin\/articles\/\d+\/revisions\/\d+)">(\d+)</g)];
    const edit2 = links.find((m) => Number(m[2]) === start + 2);
    assert.ok(edit2, 'the second edit is listed');
    const diff = await editor.get(edit2[1]);
    assert.equal(diff.status, 200);
    assert.match(diff.body, /<del><span class="diff-label">Removed: <\/span>Edit number 2\.<\/del>/);
    assert.match(diff.body, /<ins><span class="diff-label">Added: <\/span>Edit number 5\.<\/ins>/);

    const restore = await editor.post(`${edit2[1]}/restore`, {});
    assert.equal(restore.status, 303);
    assert.equal(await count(), start + 6, 'the restore is itself a revision');
    const ed = await editor.get(`/admin/articles/${id}`);
    assert.match(ed.body, /Edit number 2\./, 'the restored body is current');
    const again = await editor.get(`/admin/articles/${id}/revisions`);
    assert.match(again.body, new RegExp(`restore of revision ${start + 2}<`));
  });

  it('previews without saving, and shows a scheduled story to staff only', async () => {
    const id = await create(editor, { headline: 'Preview me', action: 'save' });
    const pv = await editor.post(`/admin/articles/${id}`,
      { ...STORY, headline: 'Preview shows this headline', action: 'preview' }, { multipart: true });
    assert.equal(pv.status, 200);
    assert.match(pv.body, /Preview shows this headline/);
    assert.match(pv.body, /class="preview-banner"/);
    assert.equal(pv.headers['cache-control'], 'no-store');
    const ed = await editor.get(`/admin/articles/${id}`);
    assert.doesNotMatch(ed.body, /Preview shows this headline/, 'a preview stores nothing');
    const staff = await editor.get(`/admin/articles/${id}/preview`);
    assert.equal(staff.status, 200);
    assert.match(staff.body, /Preview me/);
  });

  it('refuses a schedule at a time the zone skips or repeats, with a sentence, keeping the form', async () => {
    const id = await create(editor, { headline: 'Schedule me', action: 'save' });
    const year = new Date().getUTCFullYear() + 1;
    // The second Sunday of March and the first of November, in New York.
    const sunday = (month, nth) => {
      const d = new Date(Date.UTC(year, month, 1));
      const first = (7 - d.getUTCDay()) % 7 + 1;
      return `${year}-${String(month + 1).padStart(2, '0')}-${String(first + 7 * (nth - 1)).padStart(2, '0')}`;
    };
    let r = await editor.post(`/admin/articles/${id}`, {
      ...STORY, headline: 'Schedule me', publish_day: sunday(2, 2), publish_time: '02:30', action: 'schedule',
    }, { multipart: true });
    assert.equal(r.status, 422);
    assert.match(r.body, /no such time in America\/New_York/);
    assert.match(r.body, /id="publish_time"[^>]*aria-invalid="true"/);
    assert.match(r.body, /value="Schedule me"/, 'what was typed is kept');
    r = await editor.post(`/admin/articles/${id}`, {
      ...STORY, headline: 'Schedule me', publish_day: sunday(10, 1), publish_time: '01:30', action: 'schedule',
    }, { multipart: true });
    assert.equal(r.status, 422);
    assert.match(r.body, /happens twice in America\/New_York/);
    r = await editor.post(`/admin/articles/${id}`, {
      ...STORY, headline: 'Schedule me', publish_day: `${year}-06-01`, publish_time: '09:00', action: 'schedule',
    }, { multipart: true });
    assert.equal(r.status, 303);
    const ed = await editor.get(`/admin/articles/${id}`);
    assert.match(ed.body, /scheduled for June 1, \d{4} - 09:00/);
    assert.equal((await publicPage(base, id)).status, 404, 'embargoed');
  });

  it('shows every problem of a bad form as a sentence on its field (422), keeping the rest', async () => {
    const r = await editor.post('/admin/articles', {
      ...STORY, headline: '', lang: 'not a language!', slug: 'Not A Slug', body: 'Kept body text', action: 'save',
    }, { multipart: true });
    assert.equal(r.status, 422);
    assert.match(r.body, /Give the article a headline\./);
    assert.match(r.body, /id="headline"[^>]*aria-invalid="true" aria-describedby="headline-problem"/);
    assert.match(r.body, /id="lang"[^>]*aria-invalid="true"/);
    assert.match(r.body, /id="slug"[^>]*aria-invalid="true"/);
    assert.match(r.body, /Kept body text/);
    assert.match(r.body, /value="RIVERTON"/);
  });

  it('unpublishes a story: 404 on its page, gone from listings and feeds', async () => {
    const id = await create(editor, { headline: 'Soon taken down', action: 'publish' });
    assert.match((await get(`${base}/`)).body, /Soon taken down/);
    const r = await editor.post(`/admin/articles/${id}`, { action: 'unpublish' }, { multipart: true });
    assert.equal(r.status, 303);
    assert.equal((await publicPage(base, id)).status, 404);
    for (const p of ['/', '/section/city-hall', '/feed.atom', '/feed.json', '/tag/budget']) {
      const res = await request(`${base}${p}`);
      assert.doesNotMatch(res.body, /Soon taken down/, p);
    }
    const ed = await editor.get(`/admin/articles/${id}`);
    assert.match(ed.body, /status-unpublished/);
  });

  it('deletes a story after a confirmation', async () => {
    const id = await create(editor, { headline: 'Doomed story', action: 'publish' });
    const ask = await editor.get(`/admin/articles/${id}/delete`);
    assert.equal(ask.status, 200);
    assert.match(ask.body, /Delete Doomed story\?/);
    assert.match(ask.body, /This removes its 0 comments and history\./);
    const r = await editor.post(`/admin/articles/${id}/delete`, {});
    assert.equal(r.status, 303);
    assert.equal((await publicPage(base, id)).status, 404);
    assert.equal((await editor.get(`/admin/articles/${id}`)).status, 404);
    assert.doesNotMatch((await get(`${base}/feed.atom`)).body, /Doomed story/);
  });

  it('shows a correction on the page, in its JSON-LD and at /corrections with a valid feed', async () => {
    const id = await create(editor, { headline: 'Budget vote story', action: 'publish' });
    const text = 'An earlier version said the vote was 6-1; it was 5-2.';
    const r = await editor.post(`/admin/articles/${id}/corrections`, { correction: text });
    assert.equal(r.status, 303);
    const page = await publicPage(base, id);
    assert.match(page.body, /<aside class="story-corrections"/);
    assert.match(page.body, new RegExp(`Correction, <time datetime="[^"]+">[^<]+</time>:</strong> ${text}`));
    const art = jsonld(page.body).find((o) => o['@type'] === 'NewsArticle');
    assert.deepEqual(art.correction.map((c) => [c['@type'], c.text]), [['CorrectionComment', text]]);
    assert.match(art.correction[0].datePublished, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$/);

    const list = await get(`${base}/corrections`);
    assert.match(list.body, /Budget vote story/);
    assert.match(list.body, /it was 5-2/);
    assert.match(list.body, /<link rel="alternate" type="application\/atom\+xml"[^>]*href="\/corrections\.atom"/);
    const feed = await get(`${base}/corrections.atom`);
    assert.match(feed.headers['content-type'], /application\/atom\+xml/);
    assert.match(feed.body, /Correction: Budget vote story/);
    validAtom(feed.body, '/corrections.atom');

    // A draft takes no correction.
    const did = await create(editor, { headline: 'Draft not corrected', action: 'save' });
    const d = await editor.post(`/admin/articles/${did}/corrections`, { correction: 'x' });
    assert.equal(d.status, 303);
    assert.match(d.headers.location, /done=correction-unpublished/);
  });

  it('shows the dashboard\'s counts and lists by role', async () => {
    const dash = await editor.get('/admin');
    assert.equal(dash.status, 200);
    assert.match(dash.body, /drafts awaiting review/);
    assert.match(dash.body, /Latest published/);
    assert.match(dash.body, /Awaiting review/);
    const w = await writer.get('/admin');
    assert.match(w.body, /My drafts/);
    assert.doesNotMatch(w.body, /comments awaiting moderation/);
  });
});
