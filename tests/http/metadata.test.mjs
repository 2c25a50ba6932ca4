// metadata.test.mjs - what search engines and share previews read from a
// page's head (issue 13): a canonical link, a description, Open Graph
// and Twitter card tags on every page; on an article, a schema.org
// NewsArticle and its BreadcrumbList in JSON-LD whose text can never end
// the script element (a headline holding "</script>" is the test), with
// dates carrying offsets; a favicon; a description made from the story's
// first words when it has no summary.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { utcStamp } from '../lib/comments.mjs';
import { markdown, writeArticle } from '../lib/fixtures.mjs';
import {
  get, request, runOk, slow, startServer, stopChecked, tempDir, tempSite,
} from '../lib/gazette.mjs';

const T = { timeout: slow(120000) };
const NASTY = 'Mayor says </script><script>alert(1)</script> <!-- & "more"';
const ISO_OFFSET = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/;

function meta(html, attr, name) {
  const m = html.match(new RegExp(`<meta ${attr}="${name}" content="([^"]*)">`));
  return m ? m[1].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>').replace(/&amp;/g, '&') : null;
}

function scripts(html) {
  return [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((m) => m[1]);
}

describe('page metadata', T, () => {
  let srv;
  let base;
  const pages = {};

  before(async () => {
    const { site } = tempSite({ title: 'The Test Gazette', baseUrl: 'https://news.example.org', timezone: 'Asia/Tehran' });
    const dir = tempDir('gazette-meta-');
    const now = Date.now();
    runOk(['import', '--site', site,
      writeArticle(dir, 'nasty.md', markdown({
        title: NASTY, date: utcStamp(now - 3600 * 1000), section: 'City',
        tags: ['council'], byline: 'By Ann Lee and Ben Ode', summary: 'A summary & more.',
      }, 'The body.\n')),
      writeArticle(dir, 'plain.md', markdown({
        title: 'A story without a summary', date: utcStamp(now - 7200 * 1000), lang: 'fa',
      }, `${'Words of the first paragraph go on and on. '.repeat(10)}\n\nSecond.\n`)),
    ]);
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    const front = (await get(`${base}/`)).body;
    const links = [...front.matchAll(/href="(\/news\/\d+\/[^"]+)"/g)].map((m) => m[1]);
    pages.front = '/';
    pages.nasty = links.find((l) => l.includes('mayor-says'));
    pages.plain = links.find((l) => l.includes('without-a-summary'));
    pages.section = '/section/city';
    pages.tag = '/tag/council';
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it('every page has a canonical link, a description, Open Graph and Twitter tags', async () => {
    for (const [name, path] of Object.entries(pages)) {
      const html = (await get(`${base}${path}`)).body;
      const canonical = html.match(/<link rel="canonical" href="([^"]+)">/);
      assert.ok(canonical, `${name}: canonical`);
      assert.ok(canonical[1].startsWith('https://news.example.org/'), canonical[1]);
      assert.ok(meta(html, 'name', 'description'), `${name}: description`);
      assert.ok(meta(html, 'property', 'og:title'), `${name}: og:title`);
      assert.equal(meta(html, 'property', 'og:url'), canonical[1]);
      assert.equal(meta(html, 'property', 'og:site_name'), 'The Test Gazette');
      assert.equal(meta(html, 'property', 'og:type'), name === 'nasty' || name === 'plain' ? 'article' : 'website');
      assert.equal(meta(html, 'name', 'twitter:card'), 'summary_large_image');
      const image = meta(html, 'property', 'og:image');
      assert.match(image, /^https:\/\/news\.example\.org\/static\/share\.[0-9a-f]+\.png$/);
      assert.equal(meta(html, 'name', 'twitter:image'), image);
      assert.equal(meta(html, 'property', 'og:image:width'), '1200');
      const icon = html.match(/<link rel="icon" href="([^"]+)" type="image\/svg\+xml">/);
      assert.ok(icon, `${name}: favicon`);
    }
  });

  it('an article has a NewsArticle and a BreadcrumbList no text can break out of', async () => {
    const html = (await get(`${base}${pages.nasty}`)).body;
    const blocks = scripts(html);
    assert.equal(blocks.length, 1);
    assert.doesNotMatch(blocks[0], /<\/script|<!--|<script/i);
    // The page has exactly the script element it means to have.
    assert.equal(html.split('</script>').length - 1, 1);
    const [article, crumbs] = JSON.parse(blocks[0]);
    assert.equal(article['@context'], 'https://schema.org');
    assert.equal(article['@type'], 'NewsArticle');
    assert.equal(article.headline, NASTY);
    assert.equal(article.description, 'A summary & more.');
    assert.match(article.datePublished, ISO_OFFSET);
    assert.match(article.datePublished, /\+03:30$/);
    assert.match(article.dateModified, ISO_OFFSET);
    assert.deepEqual(article.author, [
      { '@type': 'Person', name: 'Ann Lee', url: 'https://news.example.org/author/ann-lee' },
      { '@type': 'Person', name: 'Ben Ode', url: 'https://news.example.org/author/ben-ode' }]);
    assert.equal(article.publisher['@type'], 'NewsMediaOrganization');
    assert.equal(article.publisher.name, 'The Test Gazette');
    assert.ok(article.publisher.logo.url.startsWith('https://news.example.org/static/logo.'));
    assert.equal(article.articleSection, 'City');
    assert.equal(article.inLanguage, 'en');
    const canonical = `https://news.example.org${pages.nasty}`;
    assert.deepEqual(article.mainEntityOfPage, { '@type': 'WebPage', '@id': canonical });
    assert.equal(article.isAccessibleForFree, true);
    assert.equal(article.image['@type'], 'ImageObject');
    assert.equal(article.image.width, 1200);
    const share = await get(`${base}${new URL(article.image.url).pathname}`);
    assert.equal(share.headers['content-type'], 'image/png');
    assert.equal(crumbs['@type'], 'BreadcrumbList');
    assert.deepEqual(crumbs.itemListElement.map((c) => [c.position, c.name, c.item]), [
      [1, 'The Test Gazette', 'https://news.example.org/'],
      [2, 'City', 'https://news.example.org/section/city'],
      [3, NASTY, canonical],
    ]);
    // The logo it names is served.
    const logo = await get(`${base}${new URL(article.publisher.logo.url).pathname}`);
    assert.equal(logo.headers['content-type'], 'image/png');
    assert.equal(meta(html, 'property', 'article:section'), 'City');
    assert.equal(meta(html, 'property', 'article:tag'), 'council');
    assert.match(meta(html, 'property', 'article:published_time'), ISO_OFFSET);
  });

  it('a story without a summary is described by its first words, whole words only', async () => {
    const html = (await get(`${base}${pages.plain}`)).body;
    const d = meta(html, 'name', 'description');
    assert.ok(d.startsWith('Words of the first paragraph go on and on.'), d);
    assert.ok(Buffer.byteLength(d) <= 160 + 3, `${Buffer.byteLength(d)} bytes`);
    assert.match(d, /[a-z.]…$/);
    const [article, crumbs] = JSON.parse(scripts(html)[0]);
    assert.equal(article.inLanguage, 'fa');
    assert.deepEqual(article.author, [{ '@type': 'NewsMediaOrganization', name: 'The Test Gazette',
      url: 'https://news.example.org/', logo: article.publisher.logo }], 'no byline: the publisher');
    assert.equal(crumbs.itemListElement.length, 2, 'no section: home, then the story');
  });

  it('the favicon is served, and /favicon.ico leads to it', async () => {
    const html = (await get(`${base}/`)).body;
    const icon = html.match(/<link rel="icon" href="([^"]+)"/)[1];
    assert.equal((await get(`${base}${icon}`)).headers['content-type'], 'image/svg+xml');
    const ico = await request(`${base}/favicon.ico`);
    assert.equal(ico.status, 301);
    assert.match(ico.headers.location, /\/static\/logo\.[0-9a-f]+\.png$/);
  });
});
