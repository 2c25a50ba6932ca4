// admin-articles.test.mjs - the newsroom's article pages in Chromium: an
// editor signs in, writes a story with a dateline, previews it (a new
// tab, nothing stored), publishes it and finds it on the front page, its
// section and the feed at once, adds a correction and finds it on the
// story; every article page of the newsroom passes axe-core in the light
// and the dark colour scheme, and the Nu Html Checker.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { axeViolations, formatViolations, launch } from '../lib/browser.mjs';
import { ROOT, request, slow, startServer, stopChecked, tempDir } from '../lib/gazette.mjs';
import { PASSWORD, addUser, newsroomSite } from '../lib/newsroom.mjs';

const T = { timeout: slow(300000) };
const VNU = path.join(ROOT, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');

describe('the newsroom\'s articles in a browser', T, () => {
  let srv;
  let base;
  let browser;
  let context;
  let page;
  let id;

  before(async () => {
    const { site } = newsroomSite({ timezone: 'Europe/Lisbon' });
    addUser(site, 'eddie', 'editor');
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    browser = await launch();
    context = await browser.newContext();
    page = await context.newPage();
  });

  after(async () => {
    if (browser) await browser.close();
    if (srv) await stopChecked(srv);
  });

  it('an editor writes, previews, publishes and corrects a story', async () => {
    await page.goto(`${base}/admin/login`);
    await page.fill('#signin-name', 'eddie');
    await page.fill('#signin-password', PASSWORD);
    await Promise.all([page.waitForURL(`${base}/admin`), page.click('button[type=submit]')]);
    await page.click('a[href="/admin/articles"]');
    await page.click('a[href="/admin/articles/new"]');
    await page.fill('#headline', 'Ferry service resumes on the estuary');
    await page.fill('#dateline', 'SEIXAL');
    await page.fill('#byline', 'By Rita Sousa');
    await page.fill('#section', 'Transport');
    await page.fill('#tags', 'ferries, estuary');
    await page.fill('#body', 'The first ferry left at dawn.\n\nCommuters cheered.');

    const [preview] = await Promise.all([
      context.waitForEvent('page'),
      page.click('button[value=preview]'),
    ]);
    await preview.waitForLoadState();
    assert.match(await preview.textContent('.preview-banner'), /Preview/);
    assert.match(await preview.textContent('h1'), /Ferry service resumes/);
    assert.match(await preview.textContent('.story-body'), /SEIXAL/);
    await preview.close();
    const before = await request(`${base}/`);
    assert.doesNotMatch(before.body, /Ferry service resumes/, 'a preview publishes nothing');

    await Promise.all([page.waitForURL(/\/admin\/articles\/\d+\?done=published/),
      page.click('button[value=publish]')]);
    id = Number(page.url().match(/articles\/(\d+)/)[1]);
    for (const p of ['/', '/section/transport', '/feed.atom']) {
      const r = await request(`${base}${p}`);
      assert.match(r.body, /Ferry service resumes on the estuary/, p);
    }

    await page.fill('#correction', 'An earlier version gave the wrong pier.');
    await Promise.all([page.waitForURL(/done=corrected/), page.click('form[action$="/corrections"] button')]);
    await page.goto(`${base}/news/${id}`);
    assert.match(await page.textContent('aside.story-corrections'), /Correction, .*: An earlier version gave the wrong pier\./s);
  });

  it('every article page passes axe, light and dark, and the Nu Html Checker', async () => {
    assert.ok(id, 'the story of the first test');
    // A second save, so the story has a revision to compare.
    await page.goto(`${base}/admin/articles/${id}`);
    await page.fill('#body', 'The first ferry left at dawn.\n\nCommuters cheered loudly.');
    await Promise.all([page.waitForURL(/done=saved/), page.click('button[value=save]')]);
    await page.goto(`${base}/admin/articles/${id}/revisions`);
    const rev = await page.getAttribute('table a[href*="/revisions/"]', 'href');
    const pages = {
      dashboard: '/admin', list: '/admin/articles', 'new article': '/admin/articles/new',
      editor: `/admin/articles/${id}`, revisions: `/admin/articles/${id}/revisions`,
      revision: rev, delete: `/admin/articles/${id}/delete`, preview: `/admin/articles/${id}/preview`,
      corrections: '/corrections',
    };
    const html = {};
    const problems = [];
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [what, p] of Object.entries(pages)) {
        await page.goto(`${base}${p}`);
        html[what] = await page.content();
        const v = await axeViolations(page);
        if (v.length) problems.push(`${what} (${scheme}):\n${formatViolations(v)}`);
      }
      // The editor with problems on its fields.
      await page.goto(`${base}/admin/articles/new`);
      await page.fill('#headline', 'A headline');
      await page.fill('#lang', 'not a language');
      await page.fill('#slug', 'Not A Slug');
      await page.click('button[value=save]');
      await page.waitForSelector('.error-summary');
      html['editor with problems'] = await page.content();
      const v = await axeViolations(page);
      if (v.length) problems.push(`editor with problems (${scheme}):\n${formatViolations(v)}`);
    }
    assert.equal(problems.join('\n'), '', 'axe found violations');

    assert.ok(existsSync(VNU), `vnu.jar at ${VNU}: run npm ci`);
    const dir = tempDir('gazette-vnu-');
    const files = Object.entries(html).map(([what, h]) => {
      const f = path.join(dir, `${what.replace(/\W+/g, '-')}.html`);
      writeFileSync(f, h);
      return f;
    });
    const r = spawnSync('java', ['-jar', VNU, '--errors-only', '--format', 'gnu', '--stdout', ...files],
      { encoding: 'utf8' });
    assert.equal(r.status, 0, `vnu found errors:\n${r.stdout}${r.stderr}`);
  });
});
