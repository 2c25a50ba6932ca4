// admin-media.test.mjs - photos in Chromium: an editor uploads a photo
// with alt text, caption and credit through the real form (setInputFiles),
// picks it as an article's lead image in the editor and publishes; the
// article page's lead <img> loads in WebP (currentSrc), its srcset lists
// every width the library made, and the caption and credit are visible.
// The library, an image's page (with a problem on a field too), the delete
// confirmation and the editor with a lead image pass axe-core in the light
// and the dark colour scheme, and the Nu Html Checker.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { axeViolations, formatViolations, launch } from '../lib/browser.mjs';
import { ROOT, slow, startServer, stopChecked, tempDir } from '../lib/gazette.mjs';
import { PASSWORD, addUser, newsroomSite } from '../lib/newsroom.mjs';

const T = { timeout: slow(300000) };
const VNU = path.join(ROOT, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');

// A 1400 x 900 JPEG of a gradient (so the variants differ by width),
// made with the vips command. Its path.
function makePhoto() {
  const d = tempDir('gazette-e2e-media-');
  const grey = path.join(d, 'grey.v');
  const out = path.join(d, 'harbour.jpg');
  let r = spawnSync('vips', ['grey', grey, '1400', '900']);
  assert.equal(r.status, 0, `vips grey: ${r.stderr}`);
  r = spawnSync('vips', ['linear', grey, out, '200', '20', '--uchar']);
  assert.equal(r.status, 0, `vips linear: ${r.stderr}`);
  return out;
}

describe('photos in a browser', T, () => {
  let srv;
  let base;
  let browser;
  let page;
  let mediaId;
  let articleId;

  before(async () => {
    const { site } = newsroomSite();
    addUser(site, 'eddie', 'editor');
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    browser = await launch();
    page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/admin/login`);
    await page.fill('#signin-name', 'eddie');
    await page.fill('#signin-password', PASSWORD);
    await Promise.all([page.waitForURL(`${base}/admin`), page.click('button[type=submit]')]);
  });

  after(async () => {
    if (browser) await browser.close();
    if (srv) await stopChecked(srv);
  });

  it('an editor uploads a photo and makes it an article\'s lead image', async () => {
    await page.click('a[href="/admin/media"]');
    await page.setInputFiles('#media-file', makePhoto());
    await page.fill('#media-alt', 'Fishing boats moored in the harbour at dawn');
    await page.fill('#media-caption', 'The fleet stayed in port for a third day.');
    await page.fill('#media-credit', 'Photo: Rita Sousa');
    await Promise.all([page.waitForURL(/\/admin\/media\/\d+\?done=uploaded$/),
      page.click('form.media-upload button[type=submit]')]);
    mediaId = Number(page.url().match(/media\/(\d+)/)[1]);
    assert.match(await page.textContent('.notice-area'), /The photo is in the library\./);
    assert.match(await page.inputValue('#media-markdown'), /^!\[Fishing boats moored in the harbour at dawn\]\(\/media\/[0-9a-f]{2}\/[0-9a-f]{32}-960\.jpeg\)$/);

    await page.goto(`${base}/admin/articles/new`);
    await page.fill('#headline', 'Storm keeps the fleet in port');
    await page.fill('#section', 'Harbour');
    await page.fill('#body', 'The boats stayed in for a third day.\n\nThe forecast is better.');
    await page.selectOption('#image', String(mediaId));
    await Promise.all([page.waitForURL(/\/admin\/articles\/\d+\?done=published/),
      page.click('button[value=publish]')]);
    articleId = Number(page.url().match(/articles\/(\d+)/)[1]);
    assert.equal(await page.inputValue('#image'), String(mediaId), 'the editor shows the chosen photo');
    assert.ok(await page.isVisible('.lead-thumb img'), 'with its thumbnail');
  });

  it('the article page shows it in WebP with its srcset, caption and credit', async () => {
    assert.ok(articleId, 'the article of the first test');
    await page.goto(`${base}/news/${articleId}`);
    const img = page.locator('figure img').first();
    await img.waitFor();
    await page.waitForFunction(() => {
      const i = document.querySelector('figure img');
      return i && i.complete && i.naturalWidth > 0;
    });
    // The WebP widths are the <img>'s own srcset, or its <picture>'s
    // WebP <source>'s (the <img> then keeps the JPEG ones as fallback).
    const { currentSrc, srcset, imgSrcset, alt, naturalWidth } = await img.evaluate((i) => {
      const source = i.parentElement && i.parentElement.tagName === 'PICTURE'
        ? i.parentElement.querySelector('source[type="image/webp"]') : null;
      return {
        currentSrc: i.currentSrc, srcset: source ? source.srcset : i.srcset, imgSrcset: i.srcset,
        alt: i.alt, naturalWidth: i.naturalWidth,
      };
    });
    assert.match(currentSrc, /\.webp$/, `currentSrc ${currentSrc}`);
    assert.ok(naturalWidth > 0, 'the WebP decoded');
    assert.equal(alt, 'Fishing boats moored in the harbour at dawn');
    // A 1400-pixel photo: 320, 480, 720, 960, 1280 and its own 1400.
    for (const w of [320, 480, 720, 960, 1280, 1400]) {
      assert.match(srcset, new RegExp(`-${w}\\.webp ${w}w`), `WebP srcset lists ${w}w: ${srcset}`);
      assert.match(imgSrcset, new RegExp(`-${w}\\.(webp|jpeg) ${w}w`), `img srcset lists ${w}w: ${imgSrcset}`);
    }
    const figcaption = await page.textContent('figure figcaption');
    assert.match(figcaption, /The fleet stayed in port for a third day\./);
    assert.match(figcaption, /Photo: Rita Sousa/);
    assert.ok(await page.isVisible('figure figcaption'), 'the caption is visible');
  });

  it('the photo pages pass axe, light and dark, and the Nu Html Checker', async () => {
    assert.ok(mediaId && articleId, 'the photo and article of the first test');
    const pages = {
      library: '/admin/media',
      'library search': '/admin/media?q=nothing-matches',
      photo: `/admin/media/${mediaId}`,
      'delete refused': `/admin/media/${mediaId}/delete`,
      editor: `/admin/articles/${articleId}`,
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
      // The upload form sent without alt text, and the photo's page with
      // a focal point out of range: the problems on their fields.
      await page.goto(`${base}/admin/media`);
      await page.setInputFiles('#media-file', makePhoto());
      await page.fill('#media-caption', 'No alt text here');
      await page.click('form.media-upload button[type=submit]');
      await page.waitForSelector('.error-summary');
      html['upload with problems'] = await page.content();
      let v = await axeViolations(page);
      if (v.length) problems.push(`upload with problems (${scheme}):\n${formatViolations(v)}`);
      await page.goto(`${base}/admin/media/${mediaId}`);
      await page.fill('#media-alt', '');
      await page.click('form.media-form button[type=submit]');
      await page.waitForSelector('.error-summary');
      html['photo with problems'] = await page.content();
      v = await axeViolations(page);
      if (v.length) problems.push(`photo with problems (${scheme}):\n${formatViolations(v)}`);
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
    assert.ok(readFileSync(files[0], 'utf8').includes('media-grid'), 'the library was checked with its grid');
  });
});
