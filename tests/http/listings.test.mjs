// listings.test.mjs - every story reachable from some listing (issue 13):
// the front page's later pages (?page=2 showed page one again), the
// dated archive, author pages with their bio and feeds, the newsroom's
// pages seeded by init and edited with `gazette pages`, the footer that
// links them, and the masthead's date.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { utcStamp } from '../lib/comments.mjs';
import { markdown, writeArticle } from '../lib/fixtures.mjs';
import {
  get, request, run, runOk, slow, startServer, stopChecked, tempDir, tempSite,
} from '../lib/gazette.mjs';

const T = { timeout: slow(120000) };
const DAY = 24 * 3600 * 1000;

const articleLinks = (html) => [...html.matchAll(/href="(\/news\/\d+\/[^"#?]+)"/g)].map((m) => m[1]);

describe('listings', T, () => {
  let srv;
  let base;
  let site;
  const now = Date.now();

  before(async () => {
    ({ site } = tempSite({ title: 'The Test Gazette', timezone: 'UTC' }));
    const dir = tempDir('gazette-listings-');
    const files = [];
    // 45 stories a day apart: two months of archive, three front pages.
    for (let i = 0; i < 45; i++) {
      files.push(writeArticle(dir, `s${i}.md`, markdown({
        title: `Story number ${i}`, date: utcStamp(now - (i + 1) * DAY),
        byline: i % 2 ? 'By Ann Lee' : 'By Ben Ode',
      }, `Body ${i}.\n`)));
    }
    // Months written with a leading zero (January to September).
    files.push(writeArticle(dir, 'march.md', markdown({
      title: 'A story of March', date: '2025-03-15 10:00', byline: 'By Cy Day',
    }, 'Spring.\n')));
    files.push(writeArticle(dir, 'january.md', markdown({
      title: 'A story of January', date: '2025-01-05 10:00', byline: 'By Cy Day',
    }, 'Winter.\n')));
    files.push(writeArticle(dir, 'draft.md', markdown({ title: 'Secret draft', status: 'draft', byline: 'By Ann Lee' }, 'x\n')));
    runOk(['import', '--site', site, ...files]);
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it('the front page and its later pages reach every story, each once', async () => {
    const seen = new Set();
    let pathNow = '/';
    let pages = 0;
    while (pathNow) {
      const html = (await get(`${base}${pathNow}`)).body;
      pages++;
      for (const l of articleLinks(html)) seen.add(l);
      const next = html.match(/<a class="page-next" rel="next" href="([^"]+)">/);
      pathNow = next ? next[1].replace(/&amp;/g, '&') : null;
      assert.ok(pages < 10, 'pagination ends');
    }
    assert.equal(pages, 3, 'the front page (9), then 20 a page');
    assert.equal(seen.size, 47);
    const two = (await get(`${base}/?page=2`)).body;
    const one = (await get(`${base}/`)).body;
    assert.notDeepEqual(articleLinks(two), articleLinks(one), 'page 2 is not page 1 again');
    assert.match(two, /rel="prev" href="\/"/);
    assert.equal((await request(`${base}/?page=4`)).status, 404);
    assert.equal((await request(`${base}/?page=0`)).status, 404);
  });

  it('the archive lists months with counts, and each month its stories', async () => {
    const html = (await get(`${base}/archive`)).body;
    const months = [...html.matchAll(/<a href="(\/archive\/\d{4}\/\d\d)">[A-Z][a-z]+<\/a> <span class="archive-count">\((\d+)\)<\/span>/g)]
      .map((m) => ({ path: m[1], count: Number(m[2]) }));
    assert.ok(months.length >= 2, html.slice(0, 500));
    assert.equal(months.reduce((a, m) => a + m.count, 0), 47);
    assert.ok(months.some((m) => m.path === '/archive/2025/03'), 'March 2025 is listed');
    assert.ok(months.some((m) => m.path === '/archive/2025/01'), 'January 2025 is listed');
    const seen = new Set();
    for (const m of months) {
      let p = m.path;
      let inMonth = 0;
      while (p) {
        const page = (await get(`${base}${p}`)).body;
        const links = articleLinks(page);
        inMonth += links.length;
        for (const l of links) seen.add(l);
        const next = page.match(/rel="next" href="([^"]+)"/);
        p = next ? next[1].replace(/&amp;/g, '&') : null;
      }
      assert.equal(inMonth, m.count, m.path);
    }
    assert.equal(seen.size, 47);
    assert.equal((await request(`${base}/archive/1999/01`)).status, 404);
    assert.equal((await request(`${base}/archive/2025/3`)).status, 301);
    assert.equal((await request(`${base}/archive/2025/3`)).headers.location, '/archive/2025/03');
    assert.equal((await request(`${base}/archive/2026/13`)).status, 404);
  });

  it('an author page has the name, the bio and their stories only, with feeds', async () => {
    const html = (await get(`${base}/author/ann-lee`)).body;
    assert.match(html, /<h1 class="listing-title">Ann Lee<\/h1>/);
    assert.equal(articleLinks(html).length, 20, 'a full first page');
    assert.doesNotMatch(html, /Secret draft/);
    assert.match(html, /<link rel="alternate" type="application\/atom\+xml" title="Ann Lee \(Atom\)" href="\/author\/ann-lee\/feed.atom">/);
    assert.equal(JSON.parse((await get(`${base}/author/ann-lee/feed.json`)).body).items.length, 20);
    const p2 = (await get(`${base}/author/ann-lee?page=2`)).body;
    assert.equal(articleLinks(p2).length, 2, '22 stories in all');
    runOk(['authors', 'bio', '--site', site, 'ann-lee', 'Covers <city hall> & schools.']);
    assert.match((await get(`${base}/author/ann-lee`)).body,
      /<p class="listing-bio">Covers &lt;city hall&gt; &amp; schools\.<\/p>/);
    assert.equal((await request(`${base}/author/nobody`)).status, 404);
    const article = (await get(`${base}${articleLinks(html)[0]}`)).body;
    assert.match(article, /<p class="story-byline">By <a href="\/author\/ann-lee" rel="author">Ann Lee<\/a><\/p>/);
    const list = run(['authors', 'list', '--site', site]);
    assert.equal(list.status, 0);
    assert.match(list.stdout, /ann-lee\s+Ann Lee/);
  });

  it('the newsroom pages are seeded, served, editable and in every footer', async () => {
    for (const [slug, title] of [['about', 'About us'], ['contact', 'Contact'],
      ['corrections', 'Corrections policy'], ['privacy', 'Privacy']]) {
      const html = (await get(`${base}/${slug}`)).body;
      assert.match(html, new RegExp(`<h1 class="story-title">${title}</h1>`));
    }
    const footer = (await get(`${base}/`)).body.match(/<footer[\s\S]*<\/footer>/)[0];
    for (const href of ['/search', '/archive', '/feed.atom', '/about', '/contact', '/corrections', '/privacy']) {
      assert.ok(footer.includes(`href="${href}"`), `the footer links ${href}`);
    }
    const md = path.join(tempDir('gazette-page-'), 'contact.md');
    writeFileSync(md, 'Write to **tips@example.org**, or call 555-0100.\n');
    runOk(['pages', 'set', '--site', site, 'contact', md]);
    assert.match((await get(`${base}/contact`)).body, /<strong><a href="mailto:tips@example.org">tips@example.org<\/a><\/strong>/);
    runOk(['pages', 'set', '--site', site, '--title', 'Ethics', 'ethics', md]);
    assert.ok((await get(`${base}/archive`)).body.includes('href="/ethics">Ethics</a>'), 'a new page joins the footer');
    const reserved = run(['pages', 'set', '--site', site, '--title', 'X', 'search', md]);
    assert.equal(reserved.status, 1);
    assert.equal((await request(`${base}/no-such-page`)).status, 404);
  });

  it('the front page shows today under the masthead', async () => {
    const html = (await get(`${base}/`)).body;
    const m = html.match(/<p class="masthead-date"><time datetime="(\d{4}-\d\d-\d\d)">([A-Z][a-z]+day, [A-Z][a-z]+ \d{1,2}, \d{4})<\/time><\/p>/);
    assert.ok(m, 'a masthead date');
    assert.equal(m[1], new Date().toISOString().slice(0, 10));
    assert.doesNotMatch((await get(`${base}/archive`)).body, /masthead-date/);
  });
});
