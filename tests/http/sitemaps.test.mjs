// sitemaps.test.mjs - what crawlers read (issue 13): /robots.txt names
// both sitemaps; /sitemap.xml is a sitemap index whose pieces each hold at
// most 50,000 URLs and list every visible article exactly once, and never
// a draft or a story scheduled for later; /sitemap-news.xml holds the
// articles of the last 48 hours in the Google News schema. Every file is
// validated with xmllint against the schemas in tests/schemas/ (the
// sitemaps.org urlset schema as published; the index and Google News
// schemas written from their protocols), offline.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { utcStamp } from '../lib/comments.mjs';
import { markdown, writeArticle } from '../lib/fixtures.mjs';
import {
  ROOT, get, request, runOk, slow, startServer, stopChecked, tempDir, tempSite,
} from '../lib/gazette.mjs';

const T = { timeout: slow(240000) };
const XMLLINT = '/usr/bin/xmllint';
const XSD = path.join(ROOT, 'tests', 'schemas');
const DAY = 24 * 3600 * 1000;

// Validates xml against tests/schemas/<schema>; fails with xmllint's words.
function validate(xml, schema, what) {
  const dir = tempDir('gazette-xsd-');
  const file = path.join(dir, 'doc.xml');
  writeFileSync(file, xml);
  const r = spawnSync(XMLLINT, ['--noout', '--schema', path.join(XSD, schema), file],
    { encoding: 'utf8' });
  assert.equal(r.status, 0, `${what} does not validate against ${schema}:\n${r.stderr}`);
}

// The text of every <tag> element, entities decoded.
function texts(xml, tag) {
  const re = new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g');
  return [...xml.matchAll(re)].map((m) => m[1]
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&amp;/g, '&'));
}

function pathOf(url) {
  const u = new URL(url);
  return u.pathname + u.search;
}

describe('sitemaps and robots.txt', T, () => {
  let srv;
  let base;
  const bulk = 5003; // one more piece than SITEMAP_PIECE_URLS (5,000) holds
  const now = Date.now();

  before(async () => {
    const { site } = tempSite({ title: 'The Test & "Gazette"', baseUrl: 'https://news.example.org' });
    const dir = tempDir('gazette-sitemap-articles-');
    const files = [];
    for (let i = 0; i < bulk; i++) {
      files.push(writeArticle(dir, `old-${i}.md`, markdown({
        title: `Archive story ${i}`, date: utcStamp(now - 30 * DAY + i * 1000), section: 'City',
      }, 'An old story.\n')));
    }
    files.push(writeArticle(dir, 'fresh.md', markdown({
      title: 'Fresh: <b>"Quotes" & \'apostrophes\'</b>', date: utcStamp(now - 3600 * 1000), lang: 'en-GB',
    }, 'A story of this morning.\n')));
    files.push(writeArticle(dir, 'persian.md', markdown({
      title: 'خبر تازه از شهر', date: utcStamp(now - 2 * 3600 * 1000), lang: 'fa',
    }, 'متن خبر.\n')));
    files.push(writeArticle(dir, 'yesterday.md', markdown({
      title: 'Three days old', date: utcStamp(now - 3 * DAY),
    }, 'Older than the news window.\n')));
    files.push(writeArticle(dir, 'draft.md', markdown({
      title: 'Secret draft', status: 'draft',
    }, 'Not for readers yet.\n')));
    files.push(writeArticle(dir, 'later.md', markdown({
      title: 'Scheduled for tomorrow', date: utcStamp(now + DAY),
    }, 'Embargoed.\n')));
    runOk(['import', '--site', site, ...files]);
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it('robots.txt allows crawling and names both sitemaps', async () => {
    const res = await get(`${base}/robots.txt`);
    assert.match(res.headers['content-type'], /^text\/plain/);
    assert.match(res.body, /^User-agent: \*$/m);
    assert.match(res.body, /^Sitemap: https:\/\/news\.example\.org\/sitemap\.xml$/m);
    assert.match(res.body, /^Sitemap: https:\/\/news\.example\.org\/sitemap-news\.xml$/m);
    assert.doesNotMatch(res.body, /^Disallow: \/$/m);
  });

  it('the index and every piece validate, and list each visible article once', async () => {
    const index = await get(`${base}/sitemap.xml`);
    assert.match(index.headers['content-type'], /^application\/xml/);
    validate(index.body, 'siteindex.xsd', '/sitemap.xml');
    const pieces = texts(index.body, 'loc');
    assert.ok(pieces.length >= 3, `pages plus two article pieces: ${pieces.join(' ')}`);
    for (const lm of texts(index.body, 'lastmod')) {
      assert.match(lm, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    }
    const seen = new Map();
    for (const loc of pieces) {
      assert.ok(loc.startsWith('https://news.example.org/'), loc);
      const res = await get(`${base}${pathOf(loc)}`);
      validate(res.body, 'sitemap.xsd', loc);
      const urls = texts(res.body, 'loc');
      assert.ok(urls.length >= 1 && urls.length <= 50000, `${loc}: ${urls.length} URLs`);
      assert.ok(res.raw.length < 50 * 1024 * 1024, `${loc}: ${res.raw.length} bytes`);
      for (const u of urls) seen.set(u, (seen.get(u) || 0) + 1);
    }
    const articles = [...seen.keys()].filter((u) => u.includes('/news/'));
    assert.equal(articles.length, bulk + 3, 'every visible article, and no other');
    for (const [u, n] of seen) assert.equal(n, 1, `${u} listed ${n} times`);
    assert.ok(seen.has('https://news.example.org/'), 'the front page');
    assert.ok(seen.has('https://news.example.org/section/city'), 'the sections');
    const all = [...seen.keys()].join('\n');
    assert.doesNotMatch(all, /secret-draft|scheduled-for-tomorrow/);
    // Every article URL answers (the canonical one, not a redirect).
    for (const u of articles.filter((x) => !x.includes('archive-story'))) {
      assert.equal((await request(`${base}${pathOf(u)}`)).status, 200, u);
    }
  });

  it('a piece past the last, and a bad page number, are 404', async () => {
    assert.equal((await request(`${base}/sitemap-articles.xml?page=3`)).status, 404);
    assert.equal((await request(`${base}/sitemap-articles.xml?page=0`)).status, 404);
    assert.equal((await request(`${base}/sitemap-articles.xml?page=x`)).status, 404);
  });

  it('the news sitemap has the last 48 hours in the Google News schema', async () => {
    const res = await get(`${base}/sitemap-news.xml`);
    validate(res.body, 'sitemap-with-news.xsd', '/sitemap-news.xml');
    const titles = texts(res.body, 'news:title');
    assert.deepEqual(titles, ['Fresh: <b>"Quotes" & \'apostrophes\'</b>', 'خبر تازه از شهر'],
      'newest first, escaped, nothing older than two days, no draft or scheduled story');
    assert.deepEqual(texts(res.body, 'news:language'), ['en', 'fa']);
    assert.deepEqual(texts(res.body, 'news:name'), ['The Test & "Gazette"', 'The Test & "Gazette"']);
    for (const d of texts(res.body, 'news:publication_date')) {
      assert.ok(Math.abs(Date.parse(d) - now) < 3 * 3600 * 1000, d);
    }
  });
});

describe('sitemaps follow the archive', T, () => {
  it('a story imported while serving is in the last piece and the news sitemap at once', async () => {
    const { site } = tempSite({ baseUrl: 'https://news.example.org' });
    const dir = tempDir('gazette-sitemap-live-');
    runOk(['import', '--site', site, writeArticle(dir, 'a.md', markdown({
      title: 'Before', date: utcStamp(Date.now() - 3600 * 1000),
    }, 'One.\n'))]);
    const srv = await startServer(['serve', '--site', site]);
    try {
      const piece = `${srv.url}/sitemap-articles.xml?page=1`;
      assert.equal(texts((await get(piece)).body, 'loc').length, 1);
      await get(`${srv.url}/sitemap-news.xml`);
      runOk(['import', '--site', site, writeArticle(dir, 'b.md', markdown({
        title: 'Breaking after', date: utcStamp(Date.now() - 60 * 1000),
      }, 'Two.\n'))]);
      const urls = texts((await get(piece)).body, 'loc');
      assert.equal(urls.length, 2, 'the cached piece was made again');
      assert.ok(urls[1].includes('/breaking-after'), urls.join(' '));
      assert.deepEqual(texts((await get(`${srv.url}/sitemap-news.xml`)).body, 'news:title'),
        ['Breaking after', 'Before']);
    } finally {
      await stopChecked(srv);
    }
  });
});

describe('sitemaps of a site with nothing published yet', T, () => {
  it('still validate: the index lists the pages, the news sitemap the front page', async () => {
    const { site } = tempSite();
    const srv = await startServer(['serve', '--site', site]);
    try {
      const index = await get(`${srv.url}/sitemap.xml`);
      validate(index.body, 'siteindex.xsd', '/sitemap.xml');
      assert.equal(texts(index.body, 'loc').length, 1);
      validate((await get(`${srv.url}/sitemap-pages.xml`)).body, 'sitemap.xsd', 'pages');
      validate((await get(`${srv.url}/sitemap-news.xml`)).body, 'sitemap-with-news.xsd', 'news');
      assert.equal((await request(`${srv.url}/sitemap-articles.xml?page=1`)).status, 404);
    } finally {
      await stopChecked(srv);
    }
  });
});
