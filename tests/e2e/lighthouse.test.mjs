// lighthouse.test.mjs - Lighthouse (12.2.3, offline, Debian's Chromium) on
// the demo's front page and an article (issue 13): SEO, accessibility
// and best practices must score 100. Performance is printed, not judged:
// it measures this machine's load as much as the page, and timed
// assertions are not allowed here.

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

// Runs Lighthouse on url; resolves to its categories' scores (0-100) and
// the titles of the failed audits of the judged categories.
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
    if (id === 'performance') continue;
    for (const ref of c.auditRefs) {
      const a = report.audits[ref.id];
      if (ref.weight > 0 && a.score !== null && a.score < 1) failed.push(`${id}: ${a.title}`);
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
    article = front.match(/href="(\/news\/\d+\/[^"#?]+)"/)[1];
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  for (const [name, page] of [['front', () => '/'], ['article', () => article]]) {
    it(`scores 100 for SEO, accessibility and best practices on the ${name} page`, () => {
      const { scores, failed } = audit(`${srv.url}${page()}`, name);
      console.log(`lighthouse ${name}: ${JSON.stringify(scores)}`);
      assert.deepEqual(failed, [], `failed audits on the ${name} page`);
      assert.equal(scores.seo, 100);
      assert.equal(scores.accessibility, 100);
      assert.equal(scores['best-practices'], 100);
    });
  }
});
