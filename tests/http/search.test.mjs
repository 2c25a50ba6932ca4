// search.test.mjs - /search?q= (issue 13): SQLite FTS5 with the headline
// weighted above the summary above the body and recency breaking ties,
// snippets escaped then highlighted, phrases and prefixes, diacritics
// folded both ways, Persian found, pagination, a search box in every
// page's header that works without JavaScript, the index following an
// edit at once, drafts and embargoed stories never found, and any query
// text at all answered with a page, never an error.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { utcStamp } from '../lib/comments.mjs';
import { markdown, writeArticle } from '../lib/fixtures.mjs';
import {
  get, request, runOk, slow, startServer, stopChecked, tempDir, tempSite,
} from '../lib/gazette.mjs';

const T = { timeout: slow(120000) };
const HOUR = 3600 * 1000;

function titles(html) {
  return [...html.matchAll(/<h2 class="card-title"><a href="[^"]+">([\s\S]*?)<\/a><\/h2>/g)]
    .map((m) => m[1].replace(/<\/?mark>/g, ''));
}

function summary(html) {
  const m = html.match(/<p class="search-summary">([^<]*)<\/p>/);
  return m ? m[1] : null;
}

describe('search', T, () => {
  let srv;
  let base;
  let site;
  let dir;
  const now = Date.now();
  const files = {};

  before(async () => {
    ({ site } = tempSite({ title: 'The Test Gazette', timezone: 'UTC' }));
    dir = tempDir('gazette-search-');
    const put = (name, fm, body) => {
      files[name] = writeArticle(dir, `${name}.md`, markdown({ date: utcStamp(now - 10 * HOUR), ...fm }, body));
    };
    // BM25 needs a corpus: filler stories that never say the test words.
    for (let i = 0; i < 14; i++) {
      put(`filler-${i}`, { title: `Weather note number ${i}`, date: utcStamp(now - (20 + i) * HOUR) },
        `Clouds and sun over the valley, day ${i}.\n`);
    }
    put('in-body', { title: 'Market day', summary: 'Stalls and music.' },
      'Vendors say the zeppelin drew the crowd.\n');
    put('in-summary', { title: 'Airship over town', summary: 'A zeppelin was seen.' },
      'It floated for an hour.\n');
    put('in-headline', { title: 'Zeppelin lands in the square', summary: 'Crowds gather.' },
      'The crew waved.\n');
    put('tie-old', { title: 'Regatta report', date: utcStamp(now - 30 * HOUR) }, 'Rowers rowed.\n');
    put('tie-new', { title: 'Regatta report', date: utcStamp(now - 2 * HOUR) }, 'Rowers rowed.\n');
    put('cafe', { title: 'Café opens on Main Street' }, 'The café serves crème brûlée.\n');
    put('plain-cafe', { title: 'Cafe owners meet' }, 'A cafe association forms.\n');
    put('persian', { title: 'کتابخانه ریورتون', lang: 'fa' }, 'برنامه قصه‌گویی فارسی گسترش می‌یابد.\n');
    put('markup', { title: 'Council <b>votes</b> & "decides"' }, 'The council voted on the **budget**.\n');
    put('phrase', { title: 'River crossing' }, 'The new river bridge opens in May.\n');
    put('reversed', { title: 'Crossing words' }, 'A bridge over the river, reversed.\n');
    put('draft', { title: 'Secret zeppelin draft', status: 'draft' }, 'Hidden.\n');
    put('later', { title: 'Zeppelin embargo', date: utcStamp(now + 24 * HOUR) }, 'Not yet.\n');
    for (let i = 0; i < 23; i++) {
      put(`many-${i}`, { title: `Harvest story ${i}`, date: utcStamp(now - (40 + i) * HOUR) }, 'Pumpkins everywhere.\n');
    }
    runOk(['import', '--site', site, ...Object.values(files)]);
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  const search = async (q, extra = '') => {
    const res = await request(`${base}/search?q=${encodeURIComponent(q)}${extra}`);
    assert.equal(res.status, 200, `q=${q}`);
    return res.body;
  };

  it('ranks a headline match above a summary match above a body match', async () => {
    assert.deepEqual(titles(await search('zeppelin')),
      ['Zeppelin lands in the square', 'Airship over town', 'Market day']);
  });

  it('breaks a tie with recency, newest first', async () => {
    assert.deepEqual(titles(await search('regatta')), ['Regatta report', 'Regatta report']);
    const html = await search('regatta');
    const dates = [...html.matchAll(/<time datetime="([^"]+)"/g)].map((m) => Date.parse(m[1]));
    assert.ok(dates[0] > dates[1], 'the newer of two equal stories first');
  });

  it('folds diacritics both ways and finds Persian', async () => {
    const a = titles(await search('cafe'));
    const b = titles(await search('café'));
    assert.deepEqual(new Set(a), new Set(['Café opens on Main Street', 'Cafe owners meet']));
    assert.deepEqual(new Set(b), new Set(a));
    assert.deepEqual(titles(await search('creme brulee')), ['Café opens on Main Street']);
    assert.deepEqual(titles(await search('فارسی')), ['کتابخانه ریورتون']);
  });

  it('keeps phrases in order and matches prefixes', async () => {
    assert.deepEqual(titles(await search('"river bridge"')), ['River crossing']);
    assert.deepEqual(new Set(titles(await search('river bridge'))), new Set(['River crossing', 'Crossing words']));
    assert.deepEqual(titles(await search('zeppel*')).length, 3);
  });

  it('escapes before it highlights', async () => {
    const html = await search('council votes');
    assert.match(html, /Council &lt;b&gt;<mark>votes<\/mark>&lt;\/b&gt; &amp; &quot;decides&quot;|<mark>Council<\/mark> &lt;b&gt;<mark>votes<\/mark>&lt;\/b&gt;/);
    assert.doesNotMatch(html, /<b>votes<\/b>/);
    const snippet = html.match(/<p class="search-snippet">([^\n]*)<\/p>/)[1];
    assert.match(snippet, /<mark>council<\/mark>/i);
    assert.doesNotMatch(snippet, /\*\*/, 'the snippet is the text, not the Markdown');
  });

  it('never finds a draft or an embargoed story', async () => {
    const all = titles(await search('zeppelin'));
    assert.ok(!all.some((t) => /Secret|embargo/i.test(t)), all.join(', '));
  });

  it('paginates, keeping the query in the links', async () => {
    const first = await search('pumpkins');
    assert.match(summary(first), /^23 stories match “pumpkins”\.$/);
    assert.equal(titles(first).length, 20, 'per_page (20) to a page');
    assert.match(first, /<a class="page-next" rel="next" href="\/search\?q=pumpkins&amp;page=2">/);
    const second = await search('pumpkins', '&page=2');
    assert.equal(titles(second).length, 3);
    assert.match(second, /rel="prev" href="\/search\?q=pumpkins"/);
    assert.doesNotMatch(second, /rel="next"/);
  });

  it('answers anything typed with a page, never an error', async () => {
    const hostile = ['"', '""', 'AND', 'OR', 'NOT', '*', '**', 'NEAR(', 'NEAR(a b)', 'a OR', '(', ')',
      '{a}', 'col:term', '^x', '-x', '+', "'", '\\', '%', '&', '<script>alert(1)</script>',
      'x'.repeat(10000), 'word '.repeat(500), '\u202e\u2066', 'a\u0000b'];
    for (const q of hostile) {
      const html = await search(q);
      assert.ok(summary(html), `a sentence for ${JSON.stringify(q.slice(0, 20))}`);
      assert.doesNotMatch(html, /<script>alert/);
    }
    // Bytes that are not UTF-8, sent raw.
    const raw = await request(`${base}/search?q=%FF%FE%C3`);
    assert.equal(raw.status, 200);
    assert.match(summary(raw.body), /No stories match|Type a word/);
    assert.equal(summary(await search('')), 'Type a word or two to search the news.');
    assert.equal((await request(`${base}/search`)).status, 200);
    assert.match(await search('x'.repeat(10000)), /Only the first 256 characters were searched for\./);
    assert.match(await search('word '.repeat(500)), /Only the first 16 words were searched for\./);
    assert.match(summary(await search('nothingmatchesthis')), /^No stories match “nothingmatchesthis”\. Try fewer words, or other ones\.$/);
  });

  it('follows an edit at once', async () => {
    assert.deepEqual(titles(await search('hovercraft')), []);
    writeFileSync(files['in-body'], markdown({ title: 'Market day', date: utcStamp(now - 10 * HOUR) },
      'Vendors say the hovercraft drew the crowd.\n'));
    runOk(['import', '--site', site, files['in-body']]);
    assert.deepEqual(titles(await search('hovercraft')), ['Market day']);
    assert.deepEqual(titles(await search('zeppelin')), ['Zeppelin lands in the square', 'Airship over town']);
  });

  it('every page has a search box that works without JavaScript', async () => {
    for (const path of ['/', '/archive', '/search?q=x']) {
      const html = (await get(`${base}${path}`)).body;
      const form = html.match(/<form class="site-search" role="search" action="\/search" method="get">([\s\S]*?)<\/form>/);
      assert.ok(form, `${path}: a role=search form`);
      assert.match(form[1], /<label for="site-search-q">[^<]+<\/label>/);
      assert.match(form[1], /<input type="search" id="site-search-q" name="q"/);
    }
    // The box on the results page holds the query, escaped.
    assert.match(await search('a "b" <c>'), /name="q" value="a &quot;b&quot; &lt;c&gt;"/);
    // Search results are not for indexing.
    assert.match(await search('zeppelin'), /<meta name="robots" content="noindex">/);
  });
});

// Past STORE_SEARCH_MAX (1,000) matches the store ranks the most recent
// 1,000 only and says there are more: the page, its pages and the API.
describe('search past 1,000 matches', T, () => {
  let srv;
  let base;

  before(async () => {
    const now = Date.now();
    const { site } = tempSite({ title: 'The Test Gazette', timezone: 'UTC' });
    const dir = tempDir('gazette-search-cap-');
    const paths = [];
    for (let i = 0; i < 1001; i++) {
      paths.push(writeArticle(dir, `otter-${i}.md`, markdown(
        { title: `Otter seen, number ${i}`, date: utcStamp(now - (2000 - i) * HOUR) },
        'An otter by the weir.\n')));
    }
    runOk(['import', '--site', site, ...paths]);
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it('says more than 1,000 match, and pages through those 1,000', async () => {
    const first = (await request(`${base}/search?q=otter`)).body;
    assert.equal(summary(first), 'More than 1,000 stories match “otter”.');
    assert.equal(titles(first).length, 20);
    const last = (await request(`${base}/search?q=otter&page=50`)).body;
    assert.equal(titles(last).length, 20);
    assert.doesNotMatch(last, /rel="next"/);
    const past = (await request(`${base}/search?q=otter&page=51`)).body;
    // Past the 50th page (GZ_LIMIT_SEARCH_PAGES, the cap's 1,000 at 20 a
    // page) there is a sentence, and no query is made.
    assert.equal(summary(past), 'Only the first 50 pages of results are shown; add a word to find fewer stories.');
    const api = await request(`${base}/api/v1/search?q=otter&limit=3`);
    assert.equal(api.status, 200);
    const body = JSON.parse(api.body);
    assert.equal(body.total, 1000);
    assert.equal(body.total_capped, true);
    assert.equal(body.results.length, 3);
    const few = JSON.parse((await request(`${base}/api/v1/search?q=weir&limit=3`)).body);
    assert.equal(few.total_capped, true);
    const none = JSON.parse((await request(`${base}/api/v1/search?q=heron`)).body);
    assert.equal(none.total, 0);
    assert.equal(none.total_capped, false);
  });
});
