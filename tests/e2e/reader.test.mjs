// reader.test.mjs - a reader in a real browser (Debian's chromium through
// playwright-core) on `gazette demo`: from the front page to an article,
// what they see there, and an axe-core accessibility check of every page
// kind, in light and dark colour schemes.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { axeViolations, formatViolations, launch, resultsDir } from '../lib/browser.mjs';
import { startServer, stopChecked, tempDir } from '../lib/gazette.mjs';
import { articleLinks, crawl, h1 } from '../lib/html.mjs';

const T = { timeout: 300000 };

describe('a reader in chromium', T, () => {
  let srv;
  let base;
  let site;
  let browser;
  let context;
  let page;
  const failures = [];

  before(async () => {
    srv = await startServer(['demo', '--site', path.join(tempDir(), 'demo')]);
    base = srv.url;
    site = await crawl(base);
    browser = await launch();
    context = await browser.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(30000);
    // Anything the page asks for that fails (other than the 404 page we
    // visit on purpose) is a broken link in the theme.
    page.on('response', (res) => {
      const url = res.url();
      if (res.status() >= 400 && !url.includes('/no/such/page') && !url.endsWith('/favicon.ico')) {
        failures.push(`${res.status()} ${res.url()}`);
      }
    });
    // A request the browser itself gave up on because the page was left
    // (a lazy thumbnail scrolled into view by the click that navigates
    // away: net::ERR_ABORTED) never reached an answer to judge; a reset,
    // an empty or a cut answer from the server is still a failure.
    page.on('requestfailed', (req) => {
      const why = req.failure()?.errorText || '';
      if (why !== 'net::ERR_ABORTED') failures.push(`failed ${req.url()} (${why})`);
    });
  });

  after(async () => {
    await browser?.close();
    if (srv) await stopChecked(srv);
  });

  // The article a reader clicks: linked from the front page, with a dateline.
  function pickArticle() {
    const onFront = new Set(articleLinks(site.front).map((l) => l.path));
    const a = site.articles.find((x) => onFront.has(x.path) && x.hasDateline && x.lang !== 'fa');
    assert.ok(a, 'the front page links an article with a dateline');
    return a;
  }

  const persian = () => {
    const a = site.articles.find((x) => x.lang === 'fa');
    assert.ok(a, 'the demo has a Persian article');
    return a;
  };

  it('goes from the front page to an article and sees headline, date and dateline', async () => {
    const target = pickArticle();
    await page.goto(`${base}/`);
    await page.screenshot({ path: path.join(resultsDir(), 'front.png'), fullPage: true });
    // The full-page screenshot brought every lazy thumbnail into view:
    // let them finish loading, or leaving the page would cancel them.
    await page.waitForLoadState('networkidle');
    await Promise.all([
      page.waitForURL(base + target.path),
      page.locator(`a[href="${target.path}"]`).first().click(),
    ]);

    const headline = page.locator('h1').first();
    await headline.waitFor({ state: 'visible' });
    assert.equal((await headline.innerText()).trim(), h1(target.html));

    const time = page.locator('article time').first();
    await time.waitFor({ state: 'visible' });
    assert.match(await time.getAttribute('datetime'),
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    assert.match((await time.innerText()).trim(), /^[A-Z][a-z]+ \d{1,2}, \d{4} - \d\d:\d\d$/);

    const dateline = page.locator('.dateline').first();
    await dateline.waitFor({ state: 'visible' });
    assert.match((await dateline.innerText()).trim(), /^[\p{Lu}][\p{Lu} .'-]*$/u);

    await page.screenshot({ path: path.join(resultsDir(), 'article.png'), fullPage: true });
    assert.deepEqual(failures, [], 'every resource the pages use loads');
  });

  it('searches from the header of an article page and opens a result', async () => {
    const target = pickArticle();
    await page.goto(base + target.path);
    const box = page.getByRole('search').getByLabel('Search the news');
    await box.fill('river');
    await page.getByRole('search').getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/search\?q=river/);
    assert.match(await page.locator('.search-summary').innerText(), /\d+ stor(y|ies) match/);
    assert.ok(await page.locator('.search-result mark').count() > 0, 'the words found are marked');
    assert.equal(await page.getByRole('search').getByLabel('Search the news').inputValue(), 'river');
    const first = page.locator('.search-result h2 a').first();
    const title = (await first.innerText()).trim();
    await first.click();
    await page.waitForURL(/\/news\/\d+\//);
    assert.equal((await page.locator('h1').first().innerText()).trim(), title);
    await page.screenshot({ path: path.join(resultsDir(), 'search-opened.png') });
  });

  it('sees the Persian article laid out right to left', async () => {
    await page.goto(base + persian().path);
    const dir = await page.locator('article').first()
      .evaluate((el) => getComputedStyle(el).direction);
    assert.equal(dir, 'rtl');
    await page.screenshot({ path: path.join(resultsDir(), 'article-fa.png'), fullPage: true });
  });

  const pages = {
    'the front page': () => '/',
    'an article': () => pickArticle().path,
    'a section page': () => site.sections[0].path,
    'a tag page': () => site.tags[0],
    'the Persian article': () => persian().path,
    'the archive': () => '/archive',
    'an author page': () => '/author/maya-okafor',
    'a newsroom page': () => '/corrections',
    'a search': () => '/search?q=river',
    'the 404 page': () => '/no/such/page',
  };

  async function assertAccessible(what, p) {
    const res = await page.goto(base + p);
    assert.equal(res.status(), p === '/no/such/page' ? 404 : 200, `${what} (${p})`);
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0,
      `axe found ${violations.length} violation(s) on ${what} (${p}):\n` +
      formatViolations(violations));
  }

  describe('axe-core finds no violations', () => {
    for (const [what, p] of Object.entries(pages)) {
      it(`on ${what}`, async () => {
        assert.ok(site.tags.length > 0, 'the demo has tags');
        await assertAccessible(what, p());
      });
    }
  });

  describe('axe-core finds no violations in the dark colour scheme', () => {
    before(async () => {
      await page.emulateMedia({ colorScheme: 'dark' });
    });
    after(async () => {
      await page.emulateMedia({ colorScheme: 'light' });
    });

    for (const what of ['the front page', 'an article', 'a search']) {
      it(`on ${what}`, async () => {
        await assertAccessible(`${what} (dark)`, pages[what]());
        await page.screenshot({
          path: path.join(resultsDir(), `${what === 'an article' ? 'article' : 'front'}-dark.png`),
          fullPage: true,
        });
      });
    }
  });
});
