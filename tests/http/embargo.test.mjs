// embargo.test.mjs - a story scheduled from the newsroom a few seconds
// ahead is invisible everywhere a reader or a crawler could find it (its
// page, the front, its section and tag, the feeds, the sitemaps, search,
// the API, another story's related list) until its time, then visible on
// all of them without a restart; the staff preview link shows it before.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { request, slow, startServer, stopChecked } from '../lib/gazette.mjs';
import { addUser, articleIdOf, newsroomSite, signIn } from '../lib/newsroom.mjs';

const T = { timeout: slow(120000) };
// Seconds ahead the story is scheduled: enough for every "not yet"
// check below to run before it comes due, even on a slow machine.
const AHEAD = 6 * slow(1);
// How long "visible at once" may take, at most: generous, this is not a
// timing test.
const BOUND_MS = slow(20000);

const WORD = 'zanzibarquill';

// Every place a reader or crawler finds stories, and the story's own.
function places(id) {
  return ['/', '/section/harbour', '/tag/tides', '/feed.atom', '/feed.rss', '/feed.json',
    '/section/harbour/feed.atom', '/sitemap-articles.xml', '/sitemap-news.xml',
    `/search?q=${WORD}`, '/api/v1/articles', `/api/v1/search?q=${WORD}`];
}

async function page(base, id) {
  let r = await request(`${base}/news/${id}`);
  if (r.status === 301) r = await request(`${base}${r.headers.location}`);
  return r;
}

describe('an embargoed story', T, () => {
  let srv;
  let base;
  let editor;

  before(async () => {
    const { site } = newsroomSite({ timezone: 'UTC' });
    addUser(site, 'eddie', 'editor');
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    editor = await signIn(base, 'eddie');
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it('is invisible everywhere until its time, then visible everywhere without a restart', async () => {
    const common = {
      dateline: 'PORT', byline: 'By Ann Lee', section: 'Harbour', tags: 'tides',
      lang: 'en', summary: '', slug: '',
    };
    // A story already out in the same section: its related list is one
    // of the places.
    const other = await editor.post('/admin/articles', {
      ...common, headline: 'Harbour opens new quay', body: 'The quay opened.', action: 'publish',
    }, { multipart: true });
    const otherId = articleIdOf(other);

    const due = new Date(Date.now() + AHEAD * 1000);
    const iso = due.toISOString();
    const r = await editor.post('/admin/articles', {
      ...common, headline: 'Embargoed tide report', body: `The ${WORD} tide report.`,
      publish_day: iso.slice(0, 10), publish_time: iso.slice(11, 19), action: 'schedule',
    }, { multipart: true });
    const id = articleIdOf(r);
    // The search page repeats the query: the headline and the URL tell.
    const seen = (body) => body.includes('Embargoed tide report') || body.includes(`/news/${id}/`);

    // Before its time.
    assert.equal((await page(base, id)).status, 404);
    assert.equal((await request(`${base}/api/v1/articles/${id}`)).status, 404);
    for (const p of places(id)) {
      const res = await request(`${base}${p}`);
      assert.ok(!seen(res.body), `${p} shows the story before its time`);
    }
    const related = await page(base, otherId);
    assert.ok(!seen(related.body), 'a related list shows the story before its time');
    const preview = await editor.get(`/admin/articles/${id}/preview`);
    assert.equal(preview.status, 200);
    assert.match(preview.body, /Embargoed tide report/);
    assert.match(preview.headers['cache-control'], /no-store/);
    assert.ok(Date.now() < due.getTime(), 'the checks ran before the story came due; raise AHEAD');

    // After it: every place shows it, eventually, within a generous bound.
    const deadline = due.getTime() + BOUND_MS;
    const pending = new Set([...places(id), `/news/${id}`, `/api/v1/articles/${id}`, `related:${otherId}`]);
    while (pending.size && Date.now() < deadline) {
      for (const p of [...pending]) {
        let res;
        if (p.startsWith('related:')) res = await page(base, otherId);
        else if (p === `/news/${id}`) res = await page(base, id);
        else res = await request(`${base}${p}`);
        if (res.status === 200 && (p === `/api/v1/articles/${id}` || seen(res.body))) pending.delete(p);
      }
      if (pending.size) await new Promise((ok) => setTimeout(ok, 250));
    }
    assert.deepEqual([...pending], [], 'still hidden after its time');
  });
});
