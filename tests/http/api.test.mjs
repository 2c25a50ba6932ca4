// api.test.mjs - the read-only JSON content API (issue 13, docs/api.md):
// articles newest first with section, tag, author and since filters,
// cursor pagination that visits every visible article once, fields; one
// article with its HTML, tags and authors; sections, tags, authors;
// search; JSON errors with a status and a message; ETag and 304; CORS for
// GET; and never a draft or a story scheduled for later.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { utcStamp } from '../lib/comments.mjs';
import { markdown, writeArticle } from '../lib/fixtures.mjs';
import {
  request, runOk, slow, startServer, stopChecked, tempDir, tempSite,
} from '../lib/gazette.mjs';

const T = { timeout: slow(120000) };
const HOUR = 3600 * 1000;

describe('JSON content API', T, () => {
  let srv;
  let base;
  const now = Date.now();

  before(async () => {
    const { site } = tempSite({ title: 'The Test Gazette', baseUrl: 'https://news.example.org' });
    const dir = tempDir('gazette-api-');
    const files = [];
    for (let i = 0; i < 25; i++) {
      files.push(writeArticle(dir, `s${i}.md`, markdown({
        title: `Story ${i}`, date: utcStamp(now - (30 - i) * HOUR),
        section: i % 2 ? 'City' : 'Sport', tags: i % 3 ? ['river'] : ['harvest'],
        byline: i % 5 ? 'By Ann Lee' : 'By Ann Lee and Ben Ode',
        summary: `Summary ${i}.`,
      }, `Body of story ${i} about the zeppelin.\n`)));
    }
    files.push(writeArticle(dir, 'draft.md', markdown({ title: 'Secret draft', status: 'draft', section: 'City' }, 'x\n')));
    files.push(writeArticle(dir, 'later.md', markdown({ title: 'Embargoed', date: utcStamp(now + 24 * HOUR), section: 'City' }, 'zeppelin\n')));
    runOk(['import', '--site', site, ...files]);
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  const json = async (path, status = 200, headers = {}) => {
    const res = await request(`${base}${path}`, { headers });
    assert.equal(res.status, status, `${path}: ${res.body.slice(0, 300)}`);
    if (status !== 304) assert.match(res.headers['content-type'], /^application\/json; charset=utf-8$/);
    return { res, body: status === 304 ? null : JSON.parse(res.body) };
  };

  it('pages through every visible article once, newest first, with a cursor', async () => {
    const seen = [];
    let path = '/api/v1/articles?limit=10';
    let pages = 0;
    for (;;) {
      const { body } = await json(path);
      pages++;
      for (const a of body.articles) seen.push(a);
      if (!body.next_cursor) break;
      path = `/api/v1/articles?limit=10&cursor=${encodeURIComponent(body.next_cursor)}`;
    }
    assert.equal(pages, 3);
    assert.equal(seen.length, 25);
    assert.equal(new Set(seen.map((a) => a.id)).size, 25, 'no article twice');
    const times = seen.map((a) => Date.parse(a.published));
    for (let i = 1; i < times.length; i++) assert.ok(times[i - 1] >= times[i], 'newest first');
    assert.ok(!seen.some((a) => /Secret|Embargoed/.test(a.headline)));
    const first = seen[0];
    assert.equal(first.headline, 'Story 24');
    assert.ok(first.url.startsWith('https://news.example.org/news/'));
    assert.deepEqual(Object.keys(first).sort(), ['byline', 'comment_count', 'dateline', 'headline', 'id',
      'image', 'lang', 'modified', 'published', 'section', 'summary', 'url'].sort());
    assert.equal(first.image, null, 'no lead photo: image is null');
  });

  it('filters by section, tag, author and since, and picks fields', async () => {
    const city = (await json('/api/v1/articles?section=city&limit=100')).body.articles;
    assert.equal(city.length, 12);
    assert.ok(city.every((a) => a.section.slug === 'city'));
    const harvest = (await json('/api/v1/articles?tag=harvest&limit=100')).body.articles;
    assert.equal(harvest.length, 9);
    const ben = (await json('/api/v1/articles?author=ben-ode&limit=100')).body.articles;
    assert.equal(ben.length, 5);
    // Stories 20 to 24 were published in the last ten hours.
    const since = new Date(now - 10.5 * HOUR).toISOString().slice(0, 19) + 'Z';
    const recent = (await json(`/api/v1/articles?since=${since}&limit=100`)).body.articles;
    assert.deepEqual(recent.map((a) => a.headline), ['Story 24', 'Story 23', 'Story 22', 'Story 21', 'Story 20']);
    const slim = (await json('/api/v1/articles?fields=id,headline&limit=2')).body.articles;
    assert.deepEqual(Object.keys(slim[0]).sort(), ['headline', 'id']);
    assert.deepEqual((await json('/api/v1/articles?section=nowhere')).body.articles, []);
  });

  it('answers one article with its HTML, tags and authors, and never a hidden one', async () => {
    const id = (await json('/api/v1/articles?limit=1')).body.articles[0].id;
    const { body } = await json(`/api/v1/articles/${id}`);
    assert.equal(body.article.id, id);
    assert.match(body.article.body_html, /<p>Body of story 24 about the zeppelin\.<\/p>/);
    assert.deepEqual(body.article.tags.map((t) => t.slug), ['harvest']); // 24 % 3 == 0
    assert.deepEqual(body.article.authors.map((a) => a.slug), ['ann-lee']);
    assert.equal(body.article.authors[0].url, 'https://news.example.org/author/ann-lee');
    // The draft and the embargoed story exist, but not for the API.
    for (let hidden = 1; hidden <= 40; hidden++) {
      const res = await request(`${base}/api/v1/articles/${hidden}`);
      if (res.status === 200) assert.doesNotMatch(JSON.parse(res.body).article.headline, /Secret|Embargoed/);
      else assert.equal(res.status, 404);
    }
  });

  it('lists sections, tags and authors', async () => {
    const s = (await json('/api/v1/sections')).body.sections;
    assert.deepEqual(s.map((x) => x.slug), ['city', 'sport']);
    assert.equal(s[0].url, 'https://news.example.org/section/city');
    assert.equal(typeof s[0].article_count, 'number');
    const t = (await json('/api/v1/tags')).body.tags;
    assert.deepEqual(t.map((x) => x.slug).sort(), ['harvest', 'river']);
    const a = (await json('/api/v1/authors')).body.authors;
    assert.deepEqual(a.map((x) => x.slug), ['ann-lee', 'ben-ode']);
  });

  it('searches, escaped and highlighted, never finding the embargoed story', async () => {
    const { body } = await json('/api/v1/search?q=zeppelin&limit=5');
    assert.equal(body.total, 25);
    assert.equal(body.results.length, 5);
    assert.match(body.results[0].snippet_html, /<mark>zeppelin<\/mark>/);
    await json('/api/v1/search?q=', 400);
    await json('/api/v1/search?q=%22%20AND%20NEAR(', 200);
  });

  it('answers errors in JSON with a status and a message', async () => {
    for (const [path, status] of [
      ['/api/v1/articles?limit=0', 400], ['/api/v1/articles?limit=1000', 400],
      ['/api/v1/articles?cursor=nonsense', 400], ['/api/v1/articles?since=yesterday', 400],
      ['/api/v1/articles?fields=password', 400], ['/api/v1/articles/999999', 404],
      ['/api/v1/articles/x', 404], ['/api/v1/nothing', 404],
    ]) {
      const { body } = await json(path, status);
      assert.equal(body.error.status, status, path);
      assert.equal(typeof body.error.message, 'string');
      assert.ok(body.error.message.length > 10, path);
    }
    const post = await request(`${base}/api/v1/articles`, { method: 'POST', body: '' });
    assert.equal(post.status, 405);
    assert.equal(JSON.parse(post.body).error.status, 405);
  });

  it('has an ETag and answers 304, and lets any origin read it', async () => {
    const first = await json('/api/v1/sections');
    const etag = first.res.headers.etag;
    assert.ok(etag);
    assert.equal(first.res.headers['access-control-allow-origin'], '*');
    const again = await json('/api/v1/sections', 200, { Origin: 'https://app.example' });
    assert.equal(again.res.headers['access-control-allow-origin'], '*', 'also when cached');
    await json('/api/v1/sections', 304, { 'If-None-Match': etag });
    const list = await json('/api/v1/articles?limit=3');
    assert.ok(list.res.headers.etag);
    await json('/api/v1/articles?limit=3', 304, { 'If-None-Match': list.res.headers.etag });
  });
});
