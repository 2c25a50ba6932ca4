// html-valid.test.mjs - every page kind `gazette demo` serves is valid HTML
// to the Nu Html Checker (vnu.jar, from the vnu-jar npm package, on the
// system's Java): one JVM checks all pages at once.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  ROOT, get, request, startServer, stopChecked, tempDir,
} from '../lib/gazette.mjs';
import { crawl, links } from '../lib/html.mjs';

const T = { timeout: 300000 };
const VNU = path.join(ROOT, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
const JAVA = process.env.JAVA || 'java';

// The href of the link to page 2 of a listing, if it has one.
function page2Link(html, listing) {
  return links(html).map((l) => l.href)
    .find((h) => (h.startsWith(listing) || h.startsWith('?')) && /[?&]page=2(&|$)/.test(h)) || null;
}

describe('HTML validity (Nu Html Checker)', T, () => {
  let srv;
  let site;
  const pages = [];

  before(async () => {
    srv = await startServer(['demo', '--site', path.join(tempDir(), 'demo')]);
    site = await crawl(srv.url);
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it('the pages to check are found', async () => {
    const persian = site.articles.find((a) => a.lang === 'fa');
    const english = site.articles.find((a) => a.lang !== 'fa');
    assert.ok(persian, 'a Persian article');
    assert.ok(english, 'an article');
    assert.ok(site.sections.length > 0, 'a section page');
    assert.ok(site.tags.length > 0, 'a tag page');
    const add = (name, p, status = 200) => pages.push({ name, path: p, status });
    add('front', '/');
    add('article', english.path);
    add('article-fa', persian.path);
    add('section', site.sections[0].path);
    add('tag', site.tags[0]);
    add('archive', '/archive');
    const month = (await get(`${srv.url}/archive`)).body.match(/href="(\/archive\/\d{4}\/\d\d)"/);
    assert.ok(month, 'the archive lists a month');
    add('archive-month', month[1]);
    add('search', '/search?q=river');
    add('author', '/author/maya-okafor');
    add('newsroom-page', '/privacy');
    add('search-empty', '/search?q=');
    add('search-none', '/search?q=nothingmatches');
    add('front-page2', '/?page=2');
    add('not-found', '/no/such/page', 404);
  });

  it('a second listing page, when a section has one', async (t) => {
    // Sections in order of size: the biggest is the likeliest to paginate.
    const sizes = site.sections.map((s) => ({
      s, n: (s.html.match(/href="\/news\/\d+\//g) || []).length,
    })).sort((a, b) => b.n - a.n);
    for (const { s } of sizes) {
      const res = await request(`${srv.url}${s.path}?page=2`);
      if (res.status !== 200) continue;
      assert.ok(page2Link(s.html, s.path),
        `${s.path}?page=2 exists, so ${s.path} links to it`);
      pages.push({ name: 'section-page2', path: `${s.path}?page=2`, status: 200 });
      return;
    }
    t.skip('no section has a second page');
  });

  it('vnu reports no errors', async () => {
    assert.ok(pages.length >= 6, 'pages were collected');
    assert.ok(existsSync(VNU), `vnu.jar at ${VNU}: run npm ci`);
    const dir = tempDir('gazette-vnu-');
    const files = [];
    for (const pg of pages) {
      const res = pg.status === 200 ? await get(srv.url + pg.path) : await request(srv.url + pg.path);
      assert.equal(res.status, pg.status, pg.path);
      const file = path.join(dir, `${pg.name}.html`);
      writeFileSync(file, res.raw);
      files.push(file);
    }
    const r = spawnSync(JAVA, ['-jar', VNU, '--errors-only', '--format', 'gnu', '--stdout', ...files], {
      encoding: 'utf8', timeout: 240000, maxBuffer: 16 * 1024 * 1024,
    });
    if (r.error) throw new Error(`could not run ${JAVA}: ${r.error.message}`);
    const report = `${r.stdout}${r.stderr}`.trim();
    const named = report.split('\n').map((line) => {
      const pg = pages.find((x) => line.includes(`/${x.name}.html`));
      return pg ? `${line}   [${pg.path}]` : line;
    }).join('\n');
    assert.equal(r.status, 0, `vnu found errors:\n${named}`);
    assert.equal(report, '', `vnu printed:\n${named}`);
  });
});
