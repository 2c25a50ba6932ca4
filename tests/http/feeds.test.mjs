// feeds.test.mjs - the news as feeds (issue 13): Atom 1.0, RSS 2.0 and
// JSON Feed 1.1 for the site and for each section and tag. Atom is
// validated with jing against RFC 4287's RELAX NG schema
// (tests/schemas/atom.rnc); Atom and RSS are parsed by feedparser, which
// must report no error (bozo 0); JSON Feed is checked field by field
// against the 1.1 specification. Ids stay when a story is edited, dates
// carry offsets, only visible stories appear (never a draft or one
// scheduled for later), text that looks like markup stays text, every
// page's head links the feeds, and an unchanged feed answers 304.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { utcStamp } from '../lib/comments.mjs';
import { markdown, writeArticle } from '../lib/fixtures.mjs';
import {
  ROOT, get, request, runOk, slow, startServer, stopChecked, tempDir, tempSite,
} from '../lib/gazette.mjs';

const T = { timeout: slow(240000) };
const JING = '/usr/bin/jing';
const PYTHON = '/usr/bin/python3';
const ATOM_RNC = path.join(ROOT, 'tests', 'schemas', 'atom.rnc');
const HOUR = 3600 * 1000;
const ISO_OFFSET = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/;
const RFC5322 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}$/;
const NASTY = 'Tom & Jerry say </script><b>"hi"</b> \'there\'';

function save(text, name) {
  const file = path.join(tempDir('gazette-feed-'), name);
  writeFileSync(file, text);
  return file;
}

// jing -c exits 0 on a valid document; its warnings about optional jars
// on stderr are not findings.
function jing(xml, what) {
  const r = spawnSync(JING, ['-c', ATOM_RNC, save(xml, 'feed.atom')], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${what} is not valid Atom (RFC 4287 schema):\n${r.stdout}`);
}

// feedparser's view of a feed: bozo (0 when it found nothing wrong), the
// feed's version, title and self link, and each entry's id, title, link,
// published date and content.
function feedparser(xml) {
  const script = `
import json, sys, feedparser
d = feedparser.parse(open(sys.argv[1], 'rb').read())
print(json.dumps({
  'bozo': d.bozo, 'exc': str(d.get('bozo_exception', '')), 'version': d.version,
  'title': d.feed.get('title'),
  'links': [l.get('href') for l in d.feed.get('links', []) if l.get('rel') == 'self'],
  'entries': [{'id': e.get('id'), 'title': e.get('title'), 'link': e.get('link'),
               'published': e.get('published'),
               'content': (e.get('content') or [{}])[0].get('value'),
               'author': e.get('author')} for e in d.entries]}))
`;
  const r = spawnSync(PYTHON, ['-c', script, save(xml, 'feed.xml')], { encoding: 'utf8' });
  assert.equal(r.status, 0, `feedparser failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function tagTexts(xml, tag) {
  return [...xml.matchAll(new RegExp(`<${tag}[^>]*>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]);
}

describe('article feeds', T, () => {
  let srv;
  let base;
  let site;
  let dir;
  const now = Date.now();
  const files = {};

  before(async () => {
    ({ site } = tempSite({ title: 'The Test Gazette', baseUrl: 'https://news.example.org', timezone: 'Asia/Tehran' }));
    dir = tempDir('gazette-feed-articles-');
    const put = (name, fm, body) => {
      files[name] = writeArticle(dir, `${name}.md`, markdown(fm, body));
    };
    put('bridge', {
      title: 'Council approves new river bridge', date: utcStamp(now - 5 * HOUR),
      section: 'City', tags: ['council', 'bridge'], byline: 'By Maya Okafor',
      summary: 'A wider crossing with a path.', dateline: 'RIVERTON',
    }, 'The council voted.\n\nSee [the plan](/news/1) and [elsewhere](https://example.com/x).\n');
    put('nasty', { title: NASTY, date: utcStamp(now - 4 * HOUR), section: 'City' },
      'A body with <script>alert(1)</script> in it and **bold**.\n');
    put('persian', { title: 'خبر تازه از شهر', date: utcStamp(now - 3 * HOUR), lang: 'fa', tags: ['bridge'] },
      'متن خبر.\n');
    put('sport', { title: 'Otters win the derby', date: utcStamp(now - 2 * HOUR), section: 'Sport' },
      'A rain-soaked game.\n');
    put('draft', { title: 'Secret draft', status: 'draft', section: 'City' }, 'Not yet.\n');
    put('later', { title: 'Embargoed until tomorrow', date: utcStamp(now + 24 * HOUR), section: 'City' },
      'Not yet either.\n');
    runOk(['import', '--site', site, ...Object.values(files)]);
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  const scopes = ['', '/section/city', '/tag/bridge'];

  it('every Atom feed is valid by the RFC 4287 schema and parses cleanly', async () => {
    for (const scope of scopes) {
      const res = await get(`${base}${scope}/feed.atom`);
      assert.equal(res.headers['content-type'], 'application/atom+xml; charset=utf-8');
      jing(res.body, `${scope}/feed.atom`);
      const f = feedparser(res.body);
      assert.equal(f.bozo, false, `${scope}/feed.atom: ${f.exc}`);
      assert.equal(f.version, 'atom10');
      assert.deepEqual(f.links, [`https://news.example.org${scope}/feed.atom`]);
      assert.ok(f.entries.length >= 1);
      for (const d of tagTexts(res.body, 'updated').concat(tagTexts(res.body, 'published'))) {
        assert.match(d, ISO_OFFSET);
        assert.match(d, /\+03:30$/, 'dates in the site zone, with its offset');
      }
    }
  });

  it('every RSS feed parses cleanly, with RFC 5322 dates and a self link', async () => {
    for (const scope of scopes) {
      const res = await get(`${base}${scope}/feed.rss`);
      assert.equal(res.headers['content-type'], 'application/rss+xml; charset=utf-8');
      const f = feedparser(res.body);
      assert.equal(f.bozo, false, `${scope}/feed.rss: ${f.exc}`);
      assert.equal(f.version, 'rss20');
      assert.deepEqual(f.links, [`https://news.example.org${scope}/feed.rss`]);
      for (const d of tagTexts(res.body, 'pubDate').concat(tagTexts(res.body, 'lastBuildDate'))) {
        assert.match(d, RFC5322);
      }
      assert.match(res.body, /<channel>\n<title>[^<]+<\/title>\n<link>https:\/\/news\.example\.org\//);
      assert.match(res.body, /<description>[^<]+<\/description>/);
    }
  });

  it('every JSON Feed follows version 1.1', async () => {
    for (const scope of scopes) {
      const res = await get(`${base}${scope}/feed.json`);
      assert.equal(res.headers['content-type'], 'application/feed+json; charset=utf-8');
      const f = JSON.parse(res.body);
      assert.equal(f.version, 'https://jsonfeed.org/version/1.1');
      assert.equal(typeof f.title, 'string');
      assert.equal(f.feed_url, `https://news.example.org${scope}/feed.json`);
      assert.ok(f.home_page_url.startsWith('https://news.example.org/'));
      assert.ok(Array.isArray(f.items) && f.items.length >= 1);
      const ids = new Set();
      for (const item of f.items) {
        assert.equal(typeof item.id, 'string');
        assert.ok(!ids.has(item.id), `id ${item.id} twice`);
        ids.add(item.id);
        assert.ok(item.url.startsWith('https://news.example.org/news/'));
        assert.ok(typeof item.content_html === 'string' || typeof item.content_text === 'string');
        assert.match(item.date_published, ISO_OFFSET);
        assert.match(item.date_modified, ISO_OFFSET);
        if (item.authors) for (const a of item.authors) assert.equal(typeof a.name, 'string');
      }
    }
  });

  it('only visible stories, newest first, in the right scope', async () => {
    const titles = (scope) => get(`${base}${scope}/feed.json`)
      .then((r) => JSON.parse(r.body).items.map((i) => i.title));
    assert.deepEqual(await titles(''),
      ['Otters win the derby', 'خبر تازه از شهر', NASTY, 'Council approves new river bridge']);
    assert.deepEqual(await titles('/section/city'), [NASTY, 'Council approves new river bridge']);
    assert.deepEqual(await titles('/tag/bridge'), ['خبر تازه از شهر', 'Council approves new river bridge']);
    for (const fmt of ['atom', 'rss', 'json']) {
      const body = (await get(`${base}/feed.${fmt}`)).body;
      assert.doesNotMatch(body, /Secret draft|Embargoed/, `feed.${fmt}`);
    }
    assert.equal((await request(`${base}/section/nowhere/feed.atom`)).status, 404);
    assert.equal((await request(`${base}/tag/nowhere/feed.rss`)).status, 404);
  });

  it('markup in a headline stays text, and the body is full HTML with absolute links', async () => {
    const atom = feedparser((await get(`${base}/feed.atom`)).body);
    const rss = feedparser((await get(`${base}/feed.rss`)).body);
    const json = JSON.parse((await get(`${base}/feed.json`)).body);
    for (const f of [atom, rss]) {
      assert.ok(f.entries.some((e) => e.title === NASTY), 'the headline comes back as text');
      const bridge = f.entries.find((e) => e.title === 'Council approves new river bridge');
      assert.match(bridge.content, /href="https:\/\/news\.example\.org\/news\/1"/);
      assert.match(bridge.content, /href="https:\/\/example\.com\/x"/);
      assert.match(bridge.content, /RIVERTON/);
      assert.equal(bridge.author, 'Maya Okafor');
    }
    const nasty = json.items.find((i) => i.title === NASTY);
    assert.doesNotMatch(nasty.content_html, /<script>/, 'the stored HTML, raw HTML omitted');
    const raw = (await get(`${base}/feed.atom`)).body;
    assert.doesNotMatch(raw, /<script>|<\/script>/, 'nothing in the XML is markup but the feed\'s');
  });

  it('an edit keeps every id and moves the updated date; an unchanged feed is 304', async () => {
    const first = JSON.parse((await get(`${base}/feed.json`)).body);
    const atom = await get(`${base}/feed.atom`);
    const etag = atom.headers.etag;
    assert.ok(etag, 'feeds have an ETag');
    assert.equal((await request(`${base}/feed.atom`, { headers: { 'If-None-Match': etag } })).status, 304);

    writeFileSync(files.sport, markdown({
      title: 'Otters win the derby, 3-1', date: utcStamp(now - 2 * HOUR), section: 'Sport',
    }, 'A rain-soaked game, three goals to one.\n'));
    await new Promise((r) => setTimeout(r, 1100)); // updated_at has whole seconds
    runOk(['import', '--site', site, files.sport]);
    const second = JSON.parse((await get(`${base}/feed.json`)).body);
    assert.deepEqual(second.items.map((i) => i.id), first.items.map((i) => i.id));
    const before = first.items.find((i) => i.title === 'Otters win the derby');
    const edited = second.items.find((i) => i.id === before.id);
    assert.equal(edited.title, 'Otters win the derby, 3-1');
    assert.ok(Date.parse(edited.date_modified) > Date.parse(before.date_modified));
    assert.equal(edited.date_published, before.date_published);
    assert.equal((await request(`${base}/feed.atom`, { headers: { 'If-None-Match': etag } })).status, 200);
  });

  it('every page links the feeds in its head, a listing its own first', async () => {
    const links = (html) => [...html.matchAll(/<link rel="alternate" type="([^"]+)" title="[^"]+" href="([^"]+)">/g)]
      .map((m) => `${m[1]} ${m[2]}`);
    const front = links((await get(`${base}/`)).body);
    assert.deepEqual(front, ['application/atom+xml /feed.atom', 'application/rss+xml /feed.rss',
      'application/feed+json /feed.json']);
    const city = links((await get(`${base}/section/city`)).body);
    assert.equal(city[0], 'application/atom+xml /section/city/feed.atom');
    assert.ok(city.includes('application/atom+xml /feed.atom'));
    const tag = links((await get(`${base}/tag/bridge`)).body);
    assert.equal(tag[0], 'application/atom+xml /tag/bridge/feed.atom');
    const article = (await get(`${base}/`)).body.match(/href="(\/news\/\d+\/[^"]+)"/)[1];
    assert.ok(links((await get(`${base}${article}`)).body).includes('application/atom+xml /feed.atom'));
    for (const u of front.map((l) => l.split(' ')[1])) await get(`${base}${u}`);
  });

  it('the comment feeds stay valid Atom', async () => {
    jing((await get(`${base}/comments.atom`)).body, '/comments.atom');
    const article = (await get(`${base}/`)).body.match(/href="\/news\/(\d+)\//)[1];
    jing((await get(`${base}/news/${article}/comments.atom`)).body, 'an article\'s comments.atom');
  });
});

describe('feeds of a site with nothing published', T, () => {
  it('are valid and empty', async () => {
    const { site } = tempSite();
    const srv = await startServer(['serve', '--site', site]);
    try {
      const atom = (await get(`${srv.url}/feed.atom`)).body;
      jing(atom, 'empty feed.atom');
      assert.equal(feedparser(atom).bozo, false);
      assert.equal(feedparser((await get(`${srv.url}/feed.rss`)).body).bozo, false);
      assert.deepEqual(JSON.parse((await get(`${srv.url}/feed.json`)).body).items, []);
    } finally {
      await stopChecked(srv);
    }
  });
});
