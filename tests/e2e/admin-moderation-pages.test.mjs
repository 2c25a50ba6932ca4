// admin-moderation-pages.test.mjs - the moderation queue, a comment's
// thread and the settings page as a browser shows them: each in its
// states (a queue with a held reply, an empty one, a done notice; a
// refused settings form), checked by axe-core in light and dark and by the
// Nu Html Checker; and a moderator approving a comment from the queue in
// chromium with JavaScript off, after which it is on the article.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { axeViolations, formatViolations, launch } from '../lib/browser.mjs';
import {
  articlePaths, commentSite, listComments, moderate, postComment, readThread,
} from '../lib/comments.mjs';
import { ROOT, startServer, stopChecked, tempDir } from '../lib/gazette.mjs';
import {
  PASSWORD, addUser, adminGet, adminPost, cheapHashes, signIn,
} from '../lib/staff.mjs';

const T = { timeout: 300000 };
const VNU = path.join(ROOT, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
const JAVA = process.env.JAVA || 'java';

describe('moderation and settings pages in chromium', T, () => {
  let site; let srv; let base; let story; let browser; let checker;
  const pages = []; // {name, html}

  // Posts a comment on the story; resolves to its id (the newest).
  async function comment(fields) {
    const r = await postComment(base, story, fields);
    assert.equal(r.status, 303, r.body.slice(0, 300));
    return Math.max(...listComments(site, 'all').map((c) => c.id));
  }

  before(async () => {
    ({ site } = commentSite([{ title: 'Tram Line Extended' }],
      { moderation: 'pre', hold_words: 'refund' }));
    cheapHashes(site);
    addUser(site, 'ann', 'admin');
    addUser(site, 'mo', 'moderator');
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    [story] = await articlePaths(base, ['Tram Line Extended']);
    browser = await launch();
    checker = await (await browser.newContext()).newPage();
    checker.setDefaultTimeout(30000);
  });

  after(async () => {
    await browser?.close();
    if (srv) await stopChecked(srv);
  });

  it('collects every page and its states', async () => {
    const ann = await signIn(base, 'ann');
    const add = (name, res, status = 200) => {
      assert.equal(res.status, status, `${name}: ${res.body.slice(0, 300)}`);
      pages.push({ name, html: res.body });
    };
    add('queue-empty', await adminGet(ann, '/admin/comments'));
    const top = await comment({ name: 'Ada', comment: 'Good news for the east side.' });
    moderate(site, 'approve', top);
    const reply = await comment({
      name: 'Bea', email: 'bea@example.org', parent: String(top),
      comment: 'I want a refund\nfor the old tickets.',
    });
    add('queue', await adminGet(ann, '/admin/comments'));
    add('queue-all', await adminGet(ann, '/admin/comments?status=all'));
    add('queue-done', await adminGet(ann, '/admin/comments?status=pending&done=approved'));
    add('thread', await adminGet(ann, `/admin/comments/${reply}`));
    add('thread-top', await adminGet(ann, `/admin/comments/${top}`));
    add('settings', await adminGet(ann, '/admin/settings'));
    add('settings-refused', await adminPost(ann, '/admin/settings',
      { 'comments.moderation': 'sometimes' }), 422);
    assert.equal((await adminPost(ann, '/admin/settings', { 'comments.hold_words': 'refund, casino' })).status, 303);
    add('settings-stored', await adminGet(ann, '/admin/settings?done=settings-saved'));
  });

  for (const scheme of ['light', 'dark']) {
    it(`axe finds no violations (${scheme})`, async () => {
      assert.ok(pages.length >= 9, 'pages were collected');
      await checker.emulateMedia({ colorScheme: scheme });
      const found = [];
      for (const p of pages) {
        // The page as the server sent it, at the site's origin so that
        // its stylesheet loads.
        await checker.goto(`${base}/admin/login`);
        await checker.setContent(p.html, { waitUntil: 'load' });
        const violations = await axeViolations(checker);
        if (violations.length) found.push(`${p.name}:\n${formatViolations(violations)}`);
      }
      assert.equal(found.length, 0, `axe (${scheme}):\n${found.join('\n')}`);
    });
  }

  it('the Nu Html Checker reports no errors', async () => {
    assert.ok(existsSync(VNU), `vnu.jar at ${VNU}: run npm ci`);
    const dir = tempDir('gazette-vnu-');
    const files = pages.map((p) => {
      const f = path.join(dir, `${p.name}.html`);
      writeFileSync(f, p.html);
      return f;
    });
    const r = spawnSync(JAVA, ['-jar', VNU, '--errors-only', '--format', 'gnu', '--stdout', ...files], {
      encoding: 'utf8', timeout: 240000, maxBuffer: 16 * 1024 * 1024,
    });
    if (r.error) throw new Error(`could not run ${JAVA}: ${r.error.message}`);
    const report = `${r.stdout}${r.stderr}`.trim();
    assert.equal(r.status, 0, `vnu found errors:\n${report}`);
    assert.equal(report, '', `vnu printed:\n${report}`);
  });

  it('a moderator approves a comment from the queue without JavaScript, and it is on the article', async () => {
    const id = await comment({ name: 'Cy', comment: 'Will it run on Sundays?' });
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${base}/admin/login?next=%2Fadmin%2Fcomments`);
    await page.getByLabel('Name').fill('mo');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/admin/comments`);
    await page.getByRole('button', { name: `Approve comment ${id}`, exact: true }).click();
    await page.waitForURL(/\/admin\/comments\?status=pending&done=approved$/);
    assert.match(await page.getByRole('status').textContent(), /Approved\./);
    await page.goto(`${base}${story}`);
    const items = readThread(await page.content()).items;
    assert.ok(items.some((c) => c.id === id), `comment ${id} is on the article`);
    await ctx.close();
  });
});
