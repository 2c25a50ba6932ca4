// article.test.mjs - the page we exist to serve (design.md section 1), end
// to end: article files written here, `gazette import`ed into a site in
// Asia/Tehran, served by `gazette serve`, read back over HTTP.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TEHRAN, markdown, plainText, tehranText, writeArticle } from '../lib/fixtures.mjs';
import {
  get, request, runOk, slow, startServer, stopChecked, tempSite,
} from '../lib/gazette.mjs';
import {
  articleTag, attr, elements, h1, linkTo, listingLinks, text,
} from '../lib/html.mjs';

const T = { timeout: slow(120000) };

const FEATURE = {
  title: 'Schools open a week early',
  slug: 'schools-open-early',
  date: '2021-05-20 07:05',
  iso: '2021-05-20T07:05:00+04:30',
  human: 'May 20, 2021 - 07:05',
  byline: 'Dana Reyes',
};

const PERSIAN = {
  title: 'شورای شهر ساخت پل تازه را تصویب کرد',
  body: 'شورای شهر روز سه‌شنبه با هفت رأی موافق ساخت پل تازه روی رودخانه را تصویب کرد.',
};

const NASTY = {
  headline: 'Mayor says <script>alert(1)</script> & "more"',
  body: 'Budget <b>cut</b> by 5% & more <img src=x onerror=alert(1)>',
};

// The parts of an article page the tests compare; `paragraphs` are those
// inside the <article> element.
function story(html) {
  const tag = articleTag(html);
  assert.ok(tag, 'the page has an <article> element');
  const inner = elements(html, 'article')[0].inner;
  const time = elements(inner, 'time')[0];
  assert.ok(time, 'the <article> has a <time> element');
  return {
    lang: attr(tag, 'lang'),
    dir: attr(tag, 'dir'),
    headline: h1(html),
    datetime: attr(time.tag, 'datetime'),
    when: text(time.inner),
    paragraphs: elements(inner, 'p').map((p) => text(p.inner)),
  };
}

// The HTML of the article body: from the paragraph that starts with
// `firstText` to the end of the element holding the body paragraphs.
function bodyRegion(html, firstText) {
  const ps = elements(html, 'p');
  const first = ps.find((p) => text(p.inner).startsWith(firstText));
  assert.ok(first, `a paragraph starts with ${JSON.stringify(firstText)}`);
  const rest = html.slice(first.index);
  const end = rest.search(/<\/div>|<\/section>|<\/article>|<form\b|<h2\b|<footer\b|<aside\b|<nav\b/i);
  return end < 0 ? rest : rest.slice(0, end);
}

describe('an imported article, served', T, () => {
  let srv;
  let crlfSrv;
  let tehran;

  before(async () => {
    const { dir, site } = tempSite({ title: 'The Riverton Ledger', timezone: 'Asia/Tehran' });
    const files = [
      writeArticle(dir, 'bridge.txt', tehranText()),
      writeArticle(dir, 'schools.md', markdown({
        title: FEATURE.title,
        date: FEATURE.date,
        dateline: 'RIVERTON',
        byline: FEATURE.byline,
        section: 'Schools',
        tags: ['education', 'riverton'],
        lang: 'en',
        summary: 'Classes start on Monday.',
        slug: FEATURE.slug,
        status: 'published',
      }, [
        'Classes start on **Monday**, a week ahead of the usual calendar.',
        '',
        '"We are ready," said [the superintendent](https://example.org/sup).',
        '',
        '| Grade | Start |',
        '| --- | --- |',
        '| K-5 | Monday |',
        '',
      ].join('\n'))),
      writeArticle(dir, 'pol.md', markdown({
        title: PERSIAN.title, date: '2021-05-18 18:31', lang: 'fa', section: 'City',
      }, `${PERSIAN.body}\n`)),
      writeArticle(dir, 'nasty.txt', plainText(NASTY.headline, [NASTY.body])),
    ];
    runOk(['import', '--site', site, ...files]);
    srv = await startServer(['serve', '--site', site]);

    // The same article as a Windows editor saves it: BOM and CRLF.
    const crlf = tempSite({ title: 'The Riverton Ledger', timezone: 'Asia/Tehran' });
    const crlfFile = writeArticle(crlf.dir, 'bridge-crlf.txt', Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(tehranText().replace(/\n/g, '\r\n'), 'utf8'),
    ]));
    runOk(['import', '--site', crlf.site, crlfFile]);
    crlfSrv = await startServer(['serve', '--site', crlf.site]);

    const front = (await get(`${srv.url}/`)).body;
    tehran = await get(srv.url + linkTo(front, TEHRAN.headline).path);
  });

  after(async () => {
    if (srv) await stopChecked(srv);
    if (crlfSrv) await stopChecked(crlfSrv);
  });

  describe('the plain-text article from Tehran', () => {
    it('has the headline as its h1', () => {
      assert.equal(story(tehran.body).headline, TEHRAN.headline);
    });

    it('shows its date in the site time zone, with an ISO 8601 datetime', () => {
      const s = story(tehran.body);
      assert.equal(s.datetime, TEHRAN.iso);
      assert.equal(s.when, TEHRAN.date);
    });

    it('opens the first paragraph with the dateline', () => {
      assert.match(tehran.body,
        /<p\b[^>]*>\s*<span class="dateline">TEHRAN<\/span> - The city council voted 7-2/);
      const s = story(tehran.body);
      assert.ok(s.paragraphs.includes(`TEHRAN - ${TEHRAN.first}`),
        `paragraphs: ${JSON.stringify(s.paragraphs)}`);
    });

    it('keeps the paragraphs in order with their typographic quotes', () => {
      const { paragraphs } = story(tehran.body);
      const want = [`TEHRAN - ${TEHRAN.first}`, ...TEHRAN.paragraphs];
      const start = paragraphs.indexOf(want[0]);
      assert.ok(start >= 0, `paragraphs: ${JSON.stringify(paragraphs, null, 1)}`);
      assert.deepEqual(paragraphs.slice(start, start + want.length), want);
    });

    it('leaves the comment-form residue out of the body', () => {
      const body = bodyRegion(tehran.body, 'TEHRAN - ');
      assert.ok(body.includes('did not add up'), 'the region holds the last paragraph');
      assert.doesNotMatch(body, /Leave a Comment/i);
      assert.doesNotMatch(body, /2 \+ 1 =/);
    });

    it('is a UTF-8 HTML page in a left-to-right language', () => {
      assert.equal(tehran.headers['content-type'].replace(/\s/g, '').toLowerCase(),
        'text/html;charset=utf-8');
      const s = story(tehran.body);
      assert.ok(s.lang, '<article> has a lang');
      assert.notEqual(s.dir, 'rtl');
    });

    it('reads the same from a file with a BOM and CRLF line ends', async () => {
      const front = (await get(`${crlfSrv.url}/`)).body;
      const link = linkTo(front, TEHRAN.headline);
      const page = await get(crlfSrv.url + link.path);
      const { paragraphs: _a, ...crlfParts } = story(page.body);
      const { paragraphs: _b, ...lfParts } = story(tehran.body);
      assert.deepEqual(crlfParts, lfParts);
      const body = (html) => elements(bodyRegion(html, 'TEHRAN - '), 'p').map((p) => text(p.inner));
      assert.deepEqual(body(page.body), body(tehran.body));
      assert.equal(body(page.body).length, 1 + TEHRAN.paragraphs.length);
      assert.ok(!page.body.includes('\uFEFF'), 'no BOM in the page');
    });
  });

  describe('the Markdown article with front matter', () => {
    let page;
    let path;
    before(async () => {
      const front = (await get(`${srv.url}/`)).body;
      path = linkTo(front, FEATURE.title).path;
      page = await get(srv.url + path);
    });

    it('is served at the slug its front matter gives', () => {
      assert.match(path, new RegExp(`^/news/\\d+/${FEATURE.slug}$`));
    });

    it('has title, date and byline from the front matter', () => {
      const s = story(page.body);
      assert.equal(s.headline, FEATURE.title);
      assert.equal(s.datetime, FEATURE.iso);
      assert.equal(s.when, FEATURE.human);
      assert.ok(text(page.body).includes(FEATURE.byline), 'the byline is on the page');
    });

    it('renders the Markdown body after the dateline', () => {
      assert.match(page.body,
        /<p\b[^>]*>\s*<span class="dateline">RIVERTON<\/span> - Classes start on <strong>Monday<\/strong>/);
      assert.match(page.body, /<a href="https:\/\/example\.org\/sup"[^>]*>the superintendent<\/a>/);
      const table = elements(page.body, 'table')[0];
      assert.ok(table, 'the GFM table is a <table>');
      assert.deepEqual(elements(table.inner, 'th').map((e) => text(e.inner)), ['Grade', 'Start']);
    });

    it('links to its section and tags, whose listings link back', async () => {
      assert.ok(listingLinks(page.body, '/section/').includes('/section/schools'),
        'links to /section/schools');
      const tags = listingLinks(page.body, '/tag/');
      assert.ok(tags.includes('/tag/education') && tags.includes('/tag/riverton'),
        `tag links: ${tags}`);
      for (const listing of ['/section/schools', '/tag/education']) {
        const res = await get(srv.url + listing);
        assert.ok(res.body.includes(`href="${path}"`), `${listing} links to ${path}`);
      }
    });
  });

  describe('the Persian article', () => {
    let page;
    before(async () => {
      const front = (await get(`${srv.url}/`)).body;
      page = await get(new URL(linkTo(front, PERSIAN.title).path, srv.url).href);
    });

    it('is marked lang="fa" dir="rtl" on its <article>', () => {
      const tag = articleTag(page.body);
      assert.equal(attr(tag, 'lang'), 'fa', tag);
      assert.equal(attr(tag, 'dir'), 'rtl', tag);
    });

    it('keeps its Persian text byte for byte', () => {
      const s = story(page.body);
      assert.equal(s.headline, PERSIAN.title);
      assert.ok(s.paragraphs.includes(PERSIAN.body), JSON.stringify(s.paragraphs));
    });
  });

  describe('markup in a plain-text article', () => {
    it('is shown as text, never run', async () => {
      const front = (await get(`${srv.url}/`)).body;
      assert.ok(!front.includes('<script>alert(1)'), 'front page escapes the headline');
      const page = await get(srv.url + linkTo(front, NASTY.headline).path);
      assert.equal(h1(page.body), NASTY.headline);
      assert.ok(story(page.body).paragraphs.includes(NASTY.body));
      assert.ok(!page.body.includes('<script>alert(1)'), 'no live <script>');
      assert.ok(!page.body.includes('<img src=x'), 'no live <img>');
      assert.ok(!page.body.includes('<b>cut</b>'), 'no live <b>');
    });
  });

  describe('an article URL', () => {
    it('with a wrong slug redirects to the canonical one', async () => {
      const front = (await get(`${srv.url}/`)).body;
      const link = linkTo(front, TEHRAN.headline);
      const res = await request(`${srv.url}/news/${link.id}/not-the-slug`);
      assert.equal(res.status, 301);
      assert.equal(new URL(res.headers.location, srv.url).pathname, link.path);
    });
  });
});
