// lighthouse.test.mjs - Lighthouse (12.2.3, offline, Debian's Chromium) on
// the demo's front page and an article with a lead photo (issues 13 and
// 15): SEO, accessibility and best practices must score 100, and the
// image audits that measure bytes, not time (properly sized images,
// next-gen formats, offscreen images, explicit width and height) must
// pass. The performance score is printed, not judged: it measures this
// machine's load as much as the page, and timed assertions are not
// allowed here.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { CHROMIUM } from '../lib/browser.mjs';
import { ROOT, get, slow, startServer, stopChecked, tempDir } from '../lib/gazette.mjs';

const LIGHTHOUSE = path.join(ROOT, 'node_modules', '.bin', 'lighthouse');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'].join(' ');

// The performance audits about images that depend on bytes and markup
// only: each must pass (or not apply) whatever the machine's speed.
const IMAGE_AUDITS = ['uses-responsive-images', 'modern-image-formats', 'offscreen-images',
  'unsized-images', 'uses-optimized-images'];

// Runs Lighthouse on url; resolves to its categories' scores (0-100) and
// the titles of the failed audits of the judged categories and of
// IMAGE_AUDITS.
function audit(url, name) {
  const out = path.join(tempDir('gazette-lh-'), `${name}.json`);
  const r = spawnSync(LIGHTHOUSE, [url, '--quiet', '--output=json', `--output-path=${out}`,
    `--chrome-flags=${FLAGS}`], {
    encoding: 'utf8', timeout: slow(180000), env: { ...process.env, CHROME_PATH: CHROMIUM },
  });
  assert.ok(existsSync(out), `lighthouse wrote no report (status ${r.status}):\n${r.stderr}`);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  const scores = {};
  const failed = [];
  for (const [id, c] of Object.entries(report.categories)) {
    scores[id] = c.score === null ? null : Math.round(c.score * 100);
    for (const ref of c.auditRefs) {
      if (id === 'performance' && !IMAGE_AUDITS.includes(ref.id)) continue;
      const a = report.audits[ref.id];
      const judged = ref.weight > 0 || IMAGE_AUDITS.includes(ref.id);
      if (judged && a.score !== null && a.score < 1) failed.push(`${id}: ${a.title}`);
    }
  }
  return { scores, failed };
}

describe('Lighthouse', { timeout: slow(600000) }, () => {
  let srv;
  let article;

  before(async () => {
    assert.ok(existsSync(LIGHTHOUSE), 'node_modules is missing lighthouse: run npm ci');
    srv = await startServer(['demo', '--site', path.join(tempDir(), 'demo')]);
    const front = (await get(`${srv.url}/`)).body;
    assert.match(front, /<img /, 'the demo front page shows photos');
    // The first story on the front page with a lead photo.
    for (const m of front.matchAll(/href="(\/news\/\d+\/[^"#?]+)"/g)) {
      if (/<figure class="lead"/.test((await get(`${srv.url}${m[1]}`)).body)) {
        article = m[1];
        break;
      }
    }
    assert.ok(article, 'a demo story on the front page has a lead photo');
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  for (const [name, page] of [['front', () => '/'], ['article', () => article]]) {
    it(`scores 100 for SEO, accessibility and best practices, and sizes its images, on the ${name} page`, () => {
      const { scores, failed } = audit(`${srv.url}${page()}`, name);
      console.log(`lighthouse ${name}: ${JSON.stringify(scores)}`);
      assert.deepEqual(failed, [], `failed audits on the ${name} page`);
      assert.equal(scores.seo, 100);
      assert.equal(scores.accessibility, 100);
      assert.equal(scores['best-practices'], 100);
    });
  }
});
