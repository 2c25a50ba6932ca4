// import-limits.test.mjs - Markdown rendered once (docs/import.md): the
// import refuses bodies that would make cmark-gfm slow, as FILE:LINE with
// what to change, and imports nothing of them; an ordinary article is
// stored with its HTML, which its page serves; HTML missing from the store
// is made again when the server starts.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';

import { markdown, plainText, writeArticle } from '../lib/fixtures.mjs';
import {
  describeRun, get, run, runOk, slow, tempSite, withServer,
} from '../lib/gazette.mjs';
import { articleLinks } from '../lib/html.mjs';

const T = { timeout: slow(120000) };

// The article that took two seconds a view: 20,000 ">" then 20,000 "["
// (40 KB), here as the body of a front-matter file whose body starts on
// line 6 (---, title, date, ---, blank).
function pathological() {
  return markdown({ title: 'Never to be published', date: '2021-05-18 18:31' },
    `${'>'.repeat(20000)}${'['.repeat(20000)}\n`);
}

// What a reader sees: the front page's links and each article page's
// story body.
async function pages(site) {
  return withServer(site, async (srv) => {
    const front = (await get(`${srv.url}/`)).body;
    const out = [];
    for (const l of articleLinks(front)) {
      const page = (await get(srv.url + l.path)).body;
      const m = /<div class="story-body">([\s\S]*?)<\/div>/.exec(page);
      out.push({ id: l.id, body: m ? m[1].trim() : null });
    }
    return out.sort((a, b) => a.id - b.id);
  });
}

// Runs one statement with the sqlite3 shell; null when there is none.
function sqlite(site, sql) {
  const r = spawnSync('sqlite3', [path.join(site, 'gazette.db'), sql], { encoding: 'utf8' });
  if (r.error) return null;
  assert.equal(r.status, 0, `sqlite3 ${sql}: ${r.stderr}`);
  return r.stdout;
}
const haveSqlite = !spawnSync('sqlite3', ['-version']).error;

const GOOD = markdown({
  title: 'Council approves new river bridge',
  date: '2021-05-18 18:31',
  dateline: 'RIVERTON',
}, 'The council voted **7-2** on Tuesday.\n\n> "We have waited twenty years."\n');
const GOOD_HTML = '<p><span class="dateline">RIVERTON</span> - The council voted ' +
  '<strong>7-2</strong> on Tuesday.</p>\n<blockquote>\n<p>&quot;We have waited ' +
  'twenty years.&quot;</p>\n</blockquote>';

describe('import refuses Markdown past the renderer limits', T, () => {
  it('the 40 KB pathological file: exit 1, FILE:LINE: expected, nothing imported', async () => {
    const { dir, site } = tempSite();
    const good = writeArticle(dir, 'good.md', GOOD);
    runOk(['import', '--site', site, good]);
    const before = await pages(site);
    assert.equal(before.length, 1);

    const bad = writeArticle(dir, 'bad.md', pathological());
    const args = ['import', '--site', site, bad];
    const started = Date.now();
    const r = run(args);
    assert.equal(r.status, 1, describeRun(args, r));
    assert.match(r.stderr, /(^|\/)bad\.md:6: expected block quotes and lists nested at most 32 deep/m,
      describeRun(args, r));
    assert.match(r.stderr, /0 new, 0 updated, 1 failed/, describeRun(args, r));
    // Refused by the check, not after a render: far under the 2 s the
    // render takes (generous, for sanitizer builds on a busy machine;
    // both scale alike under valgrind, GAZETTE_TEST_SLOW).
    assert.ok(Date.now() - started < slow(1500), `refused in ${Date.now() - started} ms`);
    assert.deepEqual(await pages(site), before, 'the site is unchanged');
  });

  it('a dry run refuses it the same way', () => {
    const { dir, site } = tempSite();
    const bad = writeArticle(dir, 'bad.md', pathological());
    const args = ['import', '--site', site, '--dry-run', bad];
    const r = run(args);
    assert.equal(r.status, 1, describeRun(args, r));
    assert.match(r.stderr, /bad\.md:6: expected/, describeRun(args, r));
  });

  it('plain text names the line of the file, past blank lines and the dateline', async () => {
    const { dir, site } = tempSite();
    // Line 9: a word with more ")" than an autolink may end with.
    const bad = writeArticle(dir, 'bad.txt', plainText('Parens everywhere', [
      'RIVERTON - First paragraph.',
      'Second paragraph.',
      `See www.example.org${')'.repeat(17)} for more.`,
    ]));
    const args = ['import', '--site', site, bad];
    const r = run(args);
    assert.equal(r.status, 1, describeRun(args, r));
    assert.match(r.stderr, /(^|\/)bad\.txt:9: expected at most 16 "\)" in one word/m,
      describeRun(args, r));
    assert.deepEqual(await pages(site), []);
  });

  it('a table too wide for the renderer names its delimiter row', () => {
    const { dir, site } = tempSite();
    const cols = 65;
    const bad = writeArticle(dir, 'wide.md', markdown(
      { title: 'A wide table', date: '2021-05-18 18:31' },
      `Intro.\n\n|${' h |'.repeat(cols)}\n|${'---|'.repeat(cols)}\n|${' x |'.repeat(cols)}\n`));
    const args = ['import', '--site', site, bad];
    const r = run(args);
    assert.equal(r.status, 1, describeRun(args, r));
    assert.match(r.stderr, /wide\.md:9: expected a table of at most 64 columns \(this one has 65/,
      describeRun(args, r));
  });

  it('the other files of the same import are still imported', async () => {
    const { dir, site } = tempSite();
    const bad = writeArticle(dir, 'bad.md', pathological());
    const good = writeArticle(dir, 'good.md', GOOD);
    const args = ['import', '--site', site, bad, good];
    const r = run(args);
    assert.equal(r.status, 1, describeRun(args, r));
    assert.match(r.stderr, /1 new, 0 updated, 1 failed/, describeRun(args, r));
    const got = await pages(site);
    assert.equal(got.length, 1);
    assert.equal(got[0].body, GOOD_HTML);
  });
});

describe('an article is rendered when it is stored', T, () => {
  it('its page shows the body as rendered at import, dateline first', async () => {
    const { dir, site } = tempSite();
    runOk(['import', '--site', site, writeArticle(dir, 'good.md', GOOD)]);
    const [page] = await pages(site);
    assert.equal(page.body, GOOD_HTML);
  });

  it('the page serves the stored HTML, not a fresh render', { skip: !haveSqlite && 'no sqlite3 shell' }, async () => {
    const { dir, site } = tempSite();
    runOk(['import', '--site', site, writeArticle(dir, 'good.md', GOOD)]);
    assert.equal(sqlite(site, 'SELECT html_version FROM articles;').trim(), '1',
      'stored with the renderer version');
    // Stored HTML of the current version is what the page shows.
    sqlite(site, "UPDATE articles SET body_html = '<p>stored-html-marker</p>';");
    const [page] = await pages(site);
    assert.equal(page.body, '<p>stored-html-marker</p>');
  });

  it('HTML missing or of another renderer version is made again at start-up', {
    skip: !haveSqlite && 'no sqlite3 shell',
  }, async () => {
    const { dir, site } = tempSite();
    runOk(['import', '--site', site, writeArticle(dir, 'a.md', GOOD),
      writeArticle(dir, 'b.txt', plainText('Ferry service resumes', ['RIVERTON - The ferry runs again.']))]);
    sqlite(site, 'UPDATE articles SET body_html = NULL, html_version = 0 WHERE id = 1;' +
      "UPDATE articles SET body_html = '<p>old renderer</p>', html_version = 999 WHERE id = 2;");
    const got = await pages(site);
    assert.equal(got[0].body, GOOD_HTML);
    assert.equal(got[1].body, '<p><span class="dateline">RIVERTON</span> - The ferry runs again.</p>');
    assert.equal(sqlite(site, 'SELECT count(*) FROM articles WHERE body_html IS NULL OR html_version != 1;').trim(),
      '0', 'the server stored the HTML it made');
  });
});
