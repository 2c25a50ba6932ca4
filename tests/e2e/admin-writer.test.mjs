// admin-writer.test.mjs - a writer in Chromium: signs in, writes a story
// and submits it for review; the story is public nowhere (its page, the
// front page, its section, the feeds, search, the API, the sitemap), the
// writer's editor offers no way to publish it, and an editor finds it on
// the dashboard awaiting review.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { launch } from '../lib/browser.mjs';
import { request, slow, startServer, stopChecked } from '../lib/gazette.mjs';
import { PASSWORD, addUser, newsroomSite } from '../lib/newsroom.mjs';

const T = { timeout: slow(300000) };
const HEADLINE = 'Harbour dredging plan leaks before the vote';

async function signIn(context, base, name) {
  const page = await context.newPage();
  await page.goto(`${base}/admin/login`);
  await page.fill('#signin-name', name);
  await page.fill('#signin-password', PASSWORD);
  await Promise.all([page.waitForURL(`${base}/admin`), page.click('button[type=submit]')]);
  return page;
}

describe('a writer\'s draft in a browser', T, () => {
  let srv;
  let base;
  let browser;

  before(async () => {
    const { site } = newsroomSite();
    addUser(site, 'wren', 'writer');
    addUser(site, 'eddie', 'editor');
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    browser = await launch();
  });

  after(async () => {
    if (browser) await browser.close();
    if (srv) await stopChecked(srv);
  });

  it('is submitted for review and public nowhere', async () => {
    const writer = await signIn(await browser.newContext(), base, 'wren');
    await writer.goto(`${base}/admin/articles/new`);
    assert.equal(await writer.locator('button[value=publish]').count(), 0,
      'a writer is offered no Publish button');
    await writer.fill('#headline', HEADLINE);
    await writer.fill('#dateline', 'RIVERTON');
    await writer.fill('#section', 'City');
    await writer.fill('#body', 'The plan would deepen the channel by two metres.');
    await Promise.all([writer.waitForURL(/\/admin\/articles\/\d+\?done=/),
      writer.click('button[value=submit]')]);
    const id = Number(writer.url().match(/articles\/(\d+)/)[1]);
    assert.equal(await writer.locator('button[value=publish]').count(), 0);

    // A reader's browser, without the newsroom's cookie.
    const reader = await (await browser.newContext()).newPage();
    const story = await reader.goto(`${base}/news/${id}`);
    assert.equal(story.status(), 404, 'the draft has no public page');
    await reader.goto(`${base}/`);
    assert.doesNotMatch(await reader.content(), new RegExp(HEADLINE));
    for (const p of ['/section/city', '/feed.atom', '/feed.json',
      '/search?q=dredging', '/api/v1/articles', '/sitemap-articles.xml']) {
      const r = await request(`${base}${p}`);
      assert.doesNotMatch(r.body, /Harbour dredging plan/, p);
    }
    const preview = await reader.goto(`${base}/admin/articles/${id}/preview`);
    assert.match(reader.url(), /\/admin\/login/, 'the staff preview asks a reader to sign in');
    assert.ok(preview.status() < 400);

    const editor = await signIn(await browser.newContext(), base, 'eddie');
    assert.match(await editor.textContent('main'), new RegExp(HEADLINE),
      'the dashboard shows the draft awaiting review');
  });
});
