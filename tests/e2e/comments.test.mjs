// comments.test.mjs - readers' comments in a real browser (Debian's
// chromium through playwright-core), with JavaScript off as the form needs
// none: a reader answers the question they see, is told their comment
// awaits moderation, and finds it on the page once a moderator approves it
// with `gazette comments approve`; a wrong answer keeps what they typed; a
// reply nests under its parent. Then axe-core (every rule it runs by
// default, best practices included) and the Nu Html Checker on the pages
// comments add: the thread with a nested reply, the form with its errors
// (a 422 answer), the reply form, the held notice, and the closed-comments
// page; and the per-article Atom feed must be well-formed XML.
//
// Screenshots go to test-results/comments-*.png.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { axeViolations, formatViolations, launch, resultsDir } from '../lib/browser.mjs';
import {
  articlePaths, commentSite, fieldsFor, listComments, moderate, openArticle, solve, submit,
  utcStamp, xmllint,
} from '../lib/comments.mjs';
import { ROOT, request, startServer, stopChecked, tempDir } from '../lib/gazette.mjs';

const T = { timeout: 180000 };
const VNU = path.join(ROOT, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
const JAVA = process.env.JAVA || 'java';

const OPEN = 'Harbour wall to be rebuilt';
const CLOSED = 'Tram line opens';

describe('comments in chromium', T, () => {
  let srv;
  let site;
  let base;
  let article;
  let closed;
  let browser;
  let reader;   // JavaScript off: the form must work without it
  let checker;  // JavaScript on: axe runs in the page
  const failures = [];

  before(async () => {
    ({ site } = commentSite([
      { title: OPEN, body: 'The harbour wall will be rebuilt over two summers, the council said.' },
      { title: CLOSED, date: utcStamp(Date.now() - 30 * 86400 * 1000), body: 'The first tram ran at dawn.' },
    ], { moderation: 'pre', close_after_days: 14, max_depth: 3 }));
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    [article, closed] = await articlePaths(base, [OPEN, CLOSED]);
    browser = await launch();
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    reader = await ctx.newPage();
    reader.setDefaultTimeout(30000);
    reader.on('response', (res) => {
      if (res.status() >= 500 || (res.status() >= 400 && res.status() !== 422 &&
          !res.url().endsWith('/favicon.ico'))) {
        failures.push(`${res.status()} ${res.url()}`);
      }
    });
    checker = await (await browser.newContext()).newPage();
    checker.setDefaultTimeout(30000);
  });

  after(async () => {
    await browser?.close();
    if (srv) await stopChecked(srv);
  });

  // The question as the reader sees it (the visible, aria-hidden span),
  // answered.
  async function answerShown(page) {
    const q = page.locator('label[for="c-answer"] span[aria-hidden="true"]');
    await q.waitFor({ state: 'visible' });
    return solve((await q.innerText()).trim());
  }

  // Fills and sends the form on `page`; resolves to the response of the
  // page the submission ends on (after the 303, if any).
  async function sendForm(page, { name, comment, answer }) {
    await page.fill('#c-name', name);
    await page.fill('#c-comment', comment);
    await page.fill('#c-answer', String(answer ?? await answerShown(page)));
    const [res] = await Promise.all([
      page.waitForNavigation(),
      page.click('form[action*="/comments"] button[type="submit"]'),
    ]);
    return res;
  }

  // The id of the one stored comment by `name`, approved from the CLI.
  function approve(name) {
    const rows = listComments(site, 'all').filter((r) => r.rest.includes(name));
    assert.equal(rows.length, 1, `one comment by ${name}: ${JSON.stringify(rows)}`);
    moderate(site, 'approve', rows[0].id);
    return rows[0].id;
  }

  let firstId;
  let replyId;

  it('a reader answers the question shown and is told the comment awaits moderation', async () => {
    await reader.goto(base + article);
    await reader.locator('#leave-heading').waitFor({ state: 'visible' });
    const res = await sendForm(reader, {
      name: 'Maryam Ahmadi',
      comment: 'About time.\nThe old wall has been crumbling for years.',
    });
    assert.equal(res.status(), 200);
    assert.match(reader.url(), /\?held=1#comments$/);
    const notice = reader.locator('.comments-notice');
    await notice.waitFor({ state: 'visible' });
    assert.match(await notice.innerText(), /Your comment is awaiting moderation\./);
    assert.equal(await reader.locator('.comment').count(), 0, 'not shown before approval');
  });

  it('coming back to the article, the same reader can comment again', async () => {
    // As a reader does: back to the article's own address, which the
    // browser has seen (and cached) before; nothing on it has changed,
    // since the first comment is still held.
    await reader.goto(base + article);
    const res = await sendForm(reader, { name: 'Maryam Ahmadi', comment: 'And a second thought.' });
    const err = await reader.locator('.field-error, .form-error').allInnerTexts();
    assert.deepEqual(err, [], `no error for a correct second comment (status ${res.status()})`);
    assert.equal(res.status(), 200);
    assert.match(reader.url(), /\?held=1#comments$/);
  });

  it('once approved with `gazette comments approve`, the comment is on the page on reload', async () => {
    const rows = listComments(site, 'all').filter((r) => r.rest.includes('About time.'));
    assert.equal(rows.length, 1, JSON.stringify(rows));
    firstId = rows[0].id;
    moderate(site, 'approve', firstId);
    await reader.reload();
    const mine = reader.locator(`#comment-${firstId}`);
    await mine.waitFor({ state: 'visible' });
    assert.match(await mine.locator('.comment-author').innerText(), /Maryam Ahmadi/);
    assert.match(await mine.locator('.comment-body').innerText(),
      /About time\.\s+The old wall has been crumbling for years\./);
    // The heading is drawn in capitals (text-transform); its text is not.
    assert.match(await reader.locator('#comments-heading').textContent(), /^Comments \(1\)$/);
  });

  it('a wrong answer keeps the typed text and shows the error next to the answer field', async () => {
    await reader.goto(base + article);
    const typed = 'A long comment I would hate to type again.\n\nIt has two paragraphs.';
    const res = await sendForm(reader, {
      name: 'Tomas Berg', comment: typed, answer: (await answerShown(reader)) + 1,
    });
    assert.equal(res.status(), 422);
    assert.equal(await reader.inputValue('#c-comment'), typed);
    assert.equal(await reader.inputValue('#c-name'), 'Tomas Berg');
    assert.equal(await reader.inputValue('#c-answer'), '', 'the answer field is empty for the new question');
    const error = reader.locator('.field-captcha .field-error');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.innerText(), /answer/i);
    const described = await reader.getAttribute('#c-answer', 'aria-describedby');
    const errorId = await error.getAttribute('id');
    assert.ok(described.split(/\s+/).includes(errorId),
      `#c-answer aria-describedby="${described}" names the error #${errorId}`);
    assert.equal(await reader.getAttribute('#c-answer', 'aria-invalid'), 'true');
    // Placed next to the field: just below the answer input, not far away.
    const input = await reader.locator('#c-answer').boundingBox();
    const box = await error.boundingBox();
    assert.ok(box.y >= input.y && box.y - (input.y + input.height) < 120,
      `the error (y=${box.y}) sits just below the answer field (y=${input.y}+${input.height})`);
    await reader.screenshot({ path: path.join(resultsDir(), 'comments-error.png'), fullPage: true });
    await reader.screenshot({ path: path.join(resultsDir(), 'comments-error-viewport.png') });

    // The new question answered, the kept text goes through.
    await reader.fill('#c-answer', String(await answerShown(reader)));
    const [ok] = await Promise.all([
      reader.waitForNavigation(),
      reader.click('form[action*="/comments"] button[type="submit"]'),
    ]);
    assert.equal(ok.status(), 200);
    assert.match(reader.url(), /\?held=1#comments$/);
  });

  it('after a failed submission the reader sees the error without scrolling', async () => {
    await reader.goto(base + article);
    const res = await sendForm(reader, {
      name: 'Ines Ruiz', comment: 'Where did my comment go?', answer: (await answerShown(reader)) + 1,
    });
    assert.equal(res.status(), 422);
    const view = reader.viewportSize();
    const box = await reader.locator('.field-error, .form-error').first().boundingBox();
    assert.ok(box, 'an error is shown');
    assert.ok(box.y >= 0 && box.y + box.height <= view.height,
      `the error is drawn at y=${Math.round(box.y)}, the window is ${view.height} px high: the ` +
      `page opened at its top (${reader.url()}), so the reader sees the article again and ` +
      'not what went wrong (see test-results/comments-error-viewport.png)');
  });

  it('a reply nests under its parent', async () => {
    await reader.goto(base + article);
    await Promise.all([
      reader.waitForNavigation(),
      reader.locator(`#comment-${firstId} .comment-reply a`).click(),
    ]);
    assert.match(reader.url(), new RegExp(`\\?reply=${firstId}#leave-a-comment$`));
    assert.match(await reader.locator('.replying').innerText(), /Replying to Maryam Ahmadi/);
    await sendForm(reader, { name: 'Dara Cole', comment: 'Agreed; my street floods every spring.' });
    assert.match(reader.url(), /\?held=1#comments$/);
    replyId = approve('Dara Cole');
    await reader.goto(base + article);
    const nested = reader.locator(`#comment-${firstId} > ol.comment-replies > li#comment-${replyId}`);
    await nested.waitFor({ state: 'visible' });
    assert.match(await nested.locator('.comment-body').innerText(), /my street floods/);
    // Drawn inside its parent, indented.
    const parentBox = await reader.locator(`#comment-${firstId} > .comment-meta`).boundingBox();
    const replyBox = await nested.locator('.comment-meta').boundingBox();
    assert.ok(replyBox.x > parentBox.x, `the reply (x=${replyBox.x}) is indented from its parent (x=${parentBox.x})`);
    await reader.screenshot({ path: path.join(resultsDir(), 'comments-article.png'), fullPage: true });
    assert.deepEqual(failures, [], 'no page or resource failed');
  });

  // ---- accessibility and validity -------------------------------------------------

  // The pages comments add, as {name, path, status, body?} (body: a POST's
  // answer, for the form with errors).
  const pages = [];

  it('the pages to check are collected', async () => {
    assert.ok(firstId && replyId, 'the tests above made a thread with a reply');
    pages.push({ name: 'comments-thread', path: article, status: 200 });
    pages.push({ name: 'comments-reply-form', path: `${article}?reply=${firstId}`, status: 200 });
    pages.push({ name: 'comments-held', path: `${article}?held=1`, status: 200 });
    pages.push({ name: 'comments-closed', path: closed, status: 200 });
    const open = await openArticle(base, article);
    const errors = await submit(base, open.form.action, fieldsFor(open.form, {
      name: '', comment: 'No name & a wrong answer <b>kept</b>.', answer: '-1',
    }));
    assert.equal(errors.status, 422);
    pages.push({ name: 'comments-errors', path: open.form.action, status: 422, body: errors.body });
    const rate = await openArticle(base, `${article}?reply=${firstId}`);
    const empty = await submit(base, rate.form.action, fieldsFor(rate.form, { comment: '' }));
    assert.equal(empty.status, 422);
    pages.push({ name: 'comments-reply-errors', path: rate.form.action, status: 422, body: empty.body });
  });

  async function show(p) {
    if (p.body === undefined) {
      const res = await checker.goto(base + p.path);
      assert.equal(res.status(), p.status, p.path);
    } else {
      // The 422 page as the reader's browser got it, from its own origin
      // so that the stylesheet loads.
      await checker.goto(`${base}/healthz`);
      await checker.route(`${base}/__page`, (route) => route.fulfill({
        status: 200, contentType: 'text/html; charset=utf-8', body: p.body,
      }));
      await checker.goto(`${base}/__page`);
      await checker.unroute(`${base}/__page`);
    }
  }

  describe('axe-core finds no violations', () => {
    for (const scheme of ['light', 'dark']) {
      for (const name of ['comments-thread', 'comments-reply-form', 'comments-held',
        'comments-closed', 'comments-errors', 'comments-reply-errors']) {
        it(`on ${name} (${scheme})`, async () => {
          const p = pages.find((x) => x.name === name);
          assert.ok(p, `${name} was collected`);
          await checker.emulateMedia({ colorScheme: scheme });
          await show(p);
          if (name === 'comments-thread' || name === 'comments-errors') {
            await checker.screenshot({
              path: path.join(resultsDir(), `${name}-${scheme}.png`), fullPage: true,
            });
          }
          const violations = await axeViolations(checker);
          assert.equal(violations.length, 0,
            `axe found ${violations.length} violation(s) on ${name} (${scheme}):\n` +
            formatViolations(violations));
        });
      }
    }
  });

  it('the Nu Html Checker reports no errors', async () => {
    assert.ok(pages.length >= 6, 'pages were collected');
    assert.ok(existsSync(VNU), `vnu.jar at ${VNU}: run npm ci`);
    const dir = tempDir('gazette-vnu-');
    const files = [];
    for (const p of pages) {
      let body = p.body;
      if (body === undefined) {
        const res = await request(base + p.path);
        assert.equal(res.status, p.status, p.path);
        body = res.raw;
      }
      const file = path.join(dir, `${p.name}.html`);
      writeFileSync(file, body);
      files.push(file);
    }
    const r = spawnSync(JAVA, ['-jar', VNU, '--errors-only', '--format', 'gnu', '--stdout', ...files], {
      encoding: 'utf8', timeout: 240000, maxBuffer: 16 * 1024 * 1024,
    });
    if (r.error) throw new Error(`could not run ${JAVA}: ${r.error.message}`);
    const report = `${r.stdout}${r.stderr}`.trim();
    assert.equal(r.status, 0, `vnu found errors:\n${report}`);
    assert.equal(report, '', `vnu printed:\n${report}`);
  });

  it('the per-article Atom feed is well-formed and lists the approved comments', async (t) => {
    const id = /^\/news\/(\d+)\//.exec(article)[1];
    const res = await request(`${base}/news/${id}/comments.atom`);
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^application\/atom\+xml/);
    assert.match(res.body, new RegExp(`#comment-${firstId}</id>`));
    assert.match(res.body, new RegExp(`#comment-${replyId}</id>`));
    const bad = xmllint(res.body);
    if (bad === undefined) {
      t.skip('xmllint is not installed (apt-get install libxml2-utils)');
      return;
    }
    assert.equal(bad, null, `xmllint: ${bad}`);
  });
});
