// comment-pages.test.mjs - the pages a long discussion makes: an article
// whose comment threads run over several pages (here two threads a page,
// [comments] per_page = 2), each page checked by axe-core in light and
// dark and by the Nu Html Checker; and the article page as a browser
// gets it compressed (gzip and brotli, from the page cache, with their
// own challenge spliced in), decompressed and checked as HTML too.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';

import { axeViolations, formatViolations, launch } from '../lib/browser.mjs';
import { articlePaths, commentSite, postComment, setConf } from '../lib/comments.mjs';
import { ROOT, request, startServer, stopChecked, tempDir } from '../lib/gazette.mjs';

const T = { timeout: 300000 };
const VNU = path.join(ROOT, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
const JAVA = process.env.JAVA || 'java';

describe('comment pages in chromium', T, () => {
  let srv; let base; let A; let browser; let checker;
  const pages = [];

  before(async () => {
    const { site } = commentSite([{ title: 'Long discussion' }], { moderation: 'post' });
    setConf(site, 'comments', { per_page: 2 });
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    [A] = await articlePaths(base, ['Long discussion']);
    for (let i = 0; i < 5; i++) {
      const res = await postComment(base, A, { name: `Reader ${i}`, comment: `Point ${i} of the discussion.` });
      assert.equal(res.status, 303);
    }
    browser = await launch();
    checker = await (await browser.newContext()).newPage();
    checker.setDefaultTimeout(30000);
  });

  after(async () => {
    await browser?.close();
    if (srv) await stopChecked(srv);
  });

  it('the comment pages link to each other', async () => {
    const one = await request(base + A);
    assert.match(one.body, /rel="next" href="[^"]*\?comments=2#comments"/);
    const two = await request(`${base}${A}?comments=2`);
    assert.match(two.body, /rel="prev"/);
    assert.match(two.body, /rel="next" href="[^"]*\?comments=3#comments"/);
    const three = await request(`${base}${A}?comments=3`);
    assert.doesNotMatch(three.body, /rel="next"/);
    pages.push({ name: 'comments-page1', path: A }, { name: 'comments-page2', path: `${A}?comments=2` },
      { name: 'comments-page3', path: `${A}?comments=3` });
  });

  for (const scheme of ['light', 'dark']) {
    for (const name of ['comments-page1', 'comments-page2', 'comments-page3']) {
      it(`axe finds no violations on ${name} (${scheme})`, async () => {
        const p = pages.find((x) => x.name === name);
        assert.ok(p, `${name} was collected`);
        await checker.emulateMedia({ colorScheme: scheme });
        const res = await checker.goto(base + p.path);
        assert.equal(res.status(), 200);
        const violations = await axeViolations(checker);
        assert.equal(violations.length, 0, `axe on ${name} (${scheme}):\n${formatViolations(violations)}`);
      });
    }
  }

  it('the Nu Html Checker reports no errors, compressed pages included', async () => {
    assert.ok(existsSync(VNU), `vnu.jar at ${VNU}: run npm ci`);
    const dir = tempDir('gazette-vnu-');
    const files = [];
    for (const p of pages) {
      const res = await request(base + p.path);
      assert.equal(res.status, 200, p.path);
      files.push(path.join(dir, `${p.name}.html`));
      writeFileSync(files[files.length - 1], res.raw);
    }
    for (const [enc, unzip] of [['gzip', gunzipSync], ['br', brotliDecompressSync]]) {
      const res = await request(base + A, { headers: { 'Accept-Encoding': enc } });
      assert.equal(res.headers['content-encoding'], enc);
      files.push(path.join(dir, `article-${enc}.html`));
      writeFileSync(files[files.length - 1], unzip(res.raw));
    }
    const r = spawnSync(JAVA, ['-jar', VNU, '--errors-only', '--format', 'gnu', '--stdout', ...files], {
      encoding: 'utf8', timeout: 240000, maxBuffer: 16 * 1024 * 1024,
    });
    if (r.error) throw new Error(`could not run ${JAVA}: ${r.error.message}`);
    const report = `${r.stdout}${r.stderr}`.trim();
    assert.equal(r.status, 0, `vnu found errors:\n${report}`);
    assert.equal(report, '', `vnu printed:\n${report}`);
  });
});
