// media-pages.test.mjs - photos on the reader's pages (issue 15): the
// variant files under /media/ (type, immutable caching, ETag and 304,
// HEAD, 404 for every path that is not exactly a variant's name or is a
// FIFO), the
// article's lead figure (srcset of every width, width and height, eager,
// caption and credit), cards' thumbnails on every listing (the first one
// a reader sees eager, the others lazy), og:image and twitter:image (absolute), the
// JSON-LD ImageObject, the feeds' enclosures (Atom valid by RFC 4287's
// schema, RSS's enclosure and media:content, both clean to feedparser)
// and the JSON API's image object.
//
// The photos are seeded as media_ingest and the store would leave them:
// rows in the media table (sqlite3) and variant files of a few bytes
// under the site's media directory. No image is decoded here; the bytes
// only have to come back as they are.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { sql } from '../lib/admin.mjs';
import { utcStamp } from '../lib/comments.mjs';
import { markdown, writeArticle } from '../lib/fixtures.mjs';
import {
  ROOT, get, request, runOk, slow, startServer, stopChecked, tempDir, tempSite,
} from '../lib/gazette.mjs';

const T = { timeout: slow(240000) };
const BASE = 'https://news.example.org';
const JING = '/usr/bin/jing';
const PYTHON = '/usr/bin/python3';
const ATOM_RNC = path.join(ROOT, 'tests', 'schemas', 'atom.rnc');
const HOUR = 3600 * 1000;

// Two photos: a JPEG wide enough for five variants, with words and an
// off-centre focal point; a narrow decorative PNG whose widest variant
// is its own width.
const BRIDGE = {
  hash: 'ab' + '0123456789abcdef0123456789abcd',
  format: 'jpeg', width: 1600, height: 1067, widths: [320, 640, 960, 1280, 1600],
  alt: 'The old bridge & its "rusted" girders at dusk',
  caption: 'The bridge the council wants to replace.', credit: 'Photo: Ann Lee',
  focal: [300, 700], decorative: 0,
};
const OTTER = {
  hash: 'c7' + 'fedcba9876543210fedcba98765432',
  format: 'png', width: 800, height: 600, widths: [320, 640, 800],
  alt: '', caption: '', credit: '', focal: [500, 500], decorative: 1,
};

function variant(m, w, ext) {
  return `${m.hash.slice(0, 2)}/${m.hash}-${w}.${ext}`;
}

// Bytes that say which file they are: what /media/ serves must be them.
function bytesOf(name) {
  return Buffer.from(`not really an image: ${name}\n`);
}

function seedFiles(site, m) {
  const dir = path.join(site, 'media', m.hash.slice(0, 2));
  mkdirSync(dir, { recursive: true });
  for (const w of m.widths) {
    for (const ext of new Set([m.format, 'webp'])) {
      writeFileSync(path.join(site, 'media', variant(m, w, ext)), bytesOf(variant(m, w, ext)));
    }
  }
}

function q(s) {
  return `'${String(s).replaceAll("'", "''")}'`;
}

function seedRow(site, m) {
  return sql(site, 'INSERT INTO media (hash, format, width, height, bytes, widths, avif, alt, ' +
    'decorative, caption, credit, focal_x, focal_y, created_at, actor) VALUES (' +
    [q(m.hash), q(m.format), m.width, m.height, 12345, q(m.widths.join(',')), 0, q(m.alt),
      m.decorative, q(m.caption), q(m.credit), m.focal[0], m.focal[1],
      Math.floor(Date.now() / 1000), q('import')].join(', ') + '); SELECT last_insert_rowid();');
}

function save(text, name) {
  const file = path.join(tempDir('gazette-media-feed-'), name);
  writeFileSync(file, text);
  return file;
}

function feedparser(xml) {
  const script = `
import json, sys, feedparser
d = feedparser.parse(open(sys.argv[1], 'rb').read())
print(json.dumps({'bozo': d.bozo, 'exc': str(d.get('bozo_exception', '')),
  'entries': [{'title': e.get('title'),
               'enclosures': [dict(href=x.get('href'), type=x.get('type'), length=x.get('length'))
                              for x in e.get('enclosures', [])],
               'media': [dict(url=x.get('url'), width=x.get('width')) for x in e.get('media_content', [])]}
              for e in d.entries]}))
`;
  const r = spawnSync(PYTHON, ['-c', script, save(xml, 'feed.xml')], { encoding: 'utf8' });
  assert.equal(r.status, 0, `feedparser failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// Every <img ...> tag of html, as text.
function imgs(html) {
  return [...html.matchAll(/<img [^>]*>/g)].map((m) => m[0]);
}

function attr(tag, name) {
  const m = tag.match(new RegExp(`\\s${name}="([^"]*)"`));
  return m ? m[1] : null;
}

function metaOf(html, key) {
  const m = html.match(new RegExp(`<meta (?:property|name)="${key}" content="([^"]*)">`));
  return m ? m[1] : null;
}

function unescape(s) {
  return s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

function srcsetOf(m, ext) {
  return m.widths.map((w) => `/media/${variant(m, w, ext)} ${w}w`).join(', ');
}

describe('photos on the page', T, () => {
  let srv;
  let base;
  let site;
  const now = Date.now();
  const ids = {};

  before(async () => {
    ({ site } = tempSite({ title: 'The Test Gazette', baseUrl: BASE }));
    const dir = tempDir('gazette-media-articles-');
    const files = [];
    const put = (name, fm, body) => files.push(writeArticle(dir, `${name}.md`, markdown(fm, body)));
    put('bridge', {
      title: 'Council approves new river bridge', date: utcStamp(now - 1 * HOUR),
      section: 'City', tags: ['bridge'], byline: 'By Maya Okafor', summary: 'A wider crossing.',
    }, 'The council voted.\n');
    put('otters', {
      title: 'Otters win the derby', date: utcStamp(now - 2 * HOUR), section: 'Sport',
      tags: ['bridge'], byline: 'By Maya Okafor',
    }, 'A rain-soaked bridge derby.\n');
    put('frost', { title: 'Frost warning for the farms', date: utcStamp(now - 3 * HOUR), section: 'City' },
      'Cold nights near the bridge.\n');
    runOk(['import', '--site', site, ...files]);
    seedFiles(site, BRIDGE);
    seedFiles(site, OTTER);
    const bridgeId = seedRow(site, BRIDGE);
    const otterId = seedRow(site, OTTER);
    for (const [key, headline] of [['bridge', 'Council approves new river bridge'],
      ['otters', 'Otters win the derby'], ['frost', 'Frost warning for the farms']]) {
      ids[key] = sql(site, `SELECT id FROM articles WHERE headline = ${q(headline)}`);
    }
    sql(site, `UPDATE articles SET image_id = ${bridgeId} WHERE id = ${ids.bridge}`);
    sql(site, `UPDATE articles SET image_id = ${otterId} WHERE id = ${ids.otters}`);
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  async function articlePage(key) {
    const res = await request(`${base}/news/${ids[key]}`);
    assert.equal(res.status, 301);
    return get(`${base}${res.headers.location}`);
  }

  describe('/media/', () => {
    const name = variant(BRIDGE, 640, 'webp');

    it('serves a variant with its type, a year of immutable caching and an ETag', async () => {
      const res = await get(`${base}/media/${name}`);
      assert.equal(res.headers['content-type'], 'image/webp');
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['content-encoding'], undefined, 'images are not compressed again');
      assert.ok(res.headers.etag, 'an ETag');
      assert.deepEqual(res.raw, bytesOf(name));
      const jpeg = await get(`${base}/media/${variant(BRIDGE, 1600, 'jpeg')}`);
      assert.equal(jpeg.headers['content-type'], 'image/jpeg');
      const png = await get(`${base}/media/${variant(OTTER, 800, 'png')}`);
      assert.equal(png.headers['content-type'], 'image/png');
    });

    it('is not compressed even when the client asks for it', async () => {
      const res = await get(`${base}/media/${name}`, { headers: { 'accept-encoding': 'gzip, br' } });
      assert.equal(res.headers['content-encoding'], undefined);
      assert.deepEqual(res.raw, bytesOf(name));
    });

    it('answers 304 to its ETag, and HEAD with the headers and no body', async () => {
      const first = await get(`${base}/media/${name}`);
      const again = await request(`${base}/media/${name}`,
        { headers: { 'if-none-match': first.headers.etag } });
      assert.equal(again.status, 304);
      assert.equal(again.raw.length, 0);
      const head = await request(`${base}/media/${name}`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers['content-type'], 'image/webp');
      assert.equal(Number(head.headers['content-length']), bytesOf(name).length);
      assert.equal(head.raw.length, 0);
    });

    it('serves a variant larger than any page whole, from its file (HEAD too)', async () => {
      // A 2048-wide PNG can pass 6 MiB: 7 MiB of bytes that say where
      // they are, so a cut or a shifted copy shows.
      const big = variant({ hash: '5e' + '00112233445566778899aabbccddee' }, 2048, 'png');
      const data = Buffer.alloc(7 * 1024 * 1024);
      for (let i = 0; i + 4 <= data.length; i += 4) data.writeUInt32BE(i, i);
      mkdirSync(path.join(site, 'media', '5e'), { recursive: true });
      writeFileSync(path.join(site, 'media', big), data);
      const res = await get(`${base}/media/${big}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'image/png');
      assert.equal(Number(res.headers['content-length']), data.length);
      assert.ok(res.raw.equals(data), 'every byte, in order');
      const head = await request(`${base}/media/${big}`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(Number(head.headers['content-length']), data.length);
      assert.equal(head.raw.length, 0);
      const again = await request(`${base}/media/${big}`,
        { headers: { 'if-none-match': res.headers.etag } });
      assert.equal(again.status, 304);
    });

    it('answers 404 for a missing file and for every path that is not a variant name', async () => {
      const h = BRIDGE.hash;
      writeFileSync(path.join(site, 'secret.txt'), 'the site directory');
      symlinkSync(path.join(site, 'gazette.conf'),
        path.join(site, 'media', 'ab', `${h}-999.webp`));
      const bad = [
        `/media/ab/${h}-2048.webp`, // no such file
        `/media/ab/${h}-999.webp`, // a link: not followed
        `/media/ab/${h}-640.gif`, // not a variant type
        `/media/ab/${h}-640.WEBP`,
        `/media/ab/${h.toUpperCase()}-640.webp`,
        `/media/cd/${h}-640.webp`, // directory not the hash's
        `/media/ab/${h}-0640.webp`, // leading zero
        `/media/ab/${h}-+640.webp`,
        `/media/ab/${h}-640.webp.`,
        `/media/ab/${h}-640`,
        `/media/ab/${h.slice(0, 31)}-640.webp`,
        `/media/ab/${h}0-640.webp`,
        `/media/ab/${h}-640.webp/x`,
        '/media/ab/..%2f..%2fgazette.conf',
        '/media/..%2fsecret.txt',
        '/media/ab/%2e%2e',
        '/media/../secret.txt',
        `/media/ab/..%2fab%2f${h}-640.webp`,
        // A file that exists, spelled with escapes: one URL per variant.
        `/media/ab/${h}%2d640.webp`,
        `/media/ab%2f${h}-640.webp`,
        `/media/%61b/${h}-640.webp`,
        '/media/ab',
        '/media/',
      ];
      for (const p of bad) {
        const res = await request(`${base}${p}`);
        assert.equal(res.status, 404, `${p} answered ${res.status}`);
        assert.ok(!res.body.includes('the site directory') && !res.body.includes('[site]'), p);
      }
    });
    it('answers 404 for a FIFO under a variant name, without waiting for a writer', async () => {
      const h = BRIDGE.hash;
      const fifo = path.join(site, 'media', 'ab', `${h}-998.webp`);
      const r = spawnSync('mkfifo', [fifo], { encoding: 'utf8' });
      assert.equal(r.status, 0, `mkfifo: ${r.stderr}`);
      const res = await request(`${base}/media/ab/${h}-998.webp`);
      assert.equal(res.status, 404);
      const page = await request(`${base}/`);
      assert.equal(page.status, 200, 'the server still answers');
    });
  });

  describe('the article page', () => {
    it('has the lead figure: WebP and JPEG srcsets of every width, width and height, eager, caption and credit', async () => {
      const { body } = await articlePage('bridge');
      const fig = body.match(/<figure class="lead">([\s\S]*?)<\/figure>/);
      assert.ok(fig, 'a lead figure');
      const f = fig[1];
      const source = f.match(/<source type="image\/webp" srcset="([^"]*)" sizes="([^"]*)">/);
      assert.ok(source, 'a WebP source');
      assert.equal(source[1], srcsetOf(BRIDGE, 'webp'));
      assert.ok(!/image\/avif/.test(f), 'no AVIF unless the site serves it');
      const [img] = imgs(f);
      assert.equal(attr(img, 'src'), `/media/${variant(BRIDGE, 960, 'jpeg')}`);
      assert.equal(attr(img, 'srcset'), srcsetOf(BRIDGE, 'jpeg'));
      assert.equal(attr(img, 'sizes'), source[2]);
      assert.match(attr(img, 'sizes'), /rem/);
      assert.equal(attr(img, 'width'), '1600');
      assert.equal(attr(img, 'height'), '1067');
      assert.equal(unescape(attr(img, 'alt')), BRIDGE.alt);
      assert.equal(attr(img, 'loading'), null, 'the lead is above the fold: not lazy');
      assert.equal(attr(img, 'fetchpriority'), 'high');
      assert.equal(attr(img, 'decoding'), 'async');
      assert.match(f, /<figcaption>The bridge the council wants to replace\. <small class="credit">Photo: Ann Lee<\/small><\/figcaption>/);
      assert.ok(body.indexOf('<figure class="lead">') < body.indexOf('class="story-body"'),
        'the figure comes before the body');
    });

    it('a decorative photo has alt="" and no caption', async () => {
      const { body } = await articlePage('otters');
      const fig = body.match(/<figure class="lead">([\s\S]*?)<\/figure>/);
      assert.ok(fig);
      const [img] = imgs(fig[1]);
      assert.equal(attr(img, 'alt'), '');
      assert.equal(attr(img, 'src'), `/media/${variant(OTTER, 800, 'png')}`, 'nearest 960: its own 800');
      assert.ok(!fig[1].includes('<figcaption'));
    });

    it('an article without a photo has no figure and the theme share picture', async () => {
      const { body } = await articlePage('frost');
      assert.ok(!body.includes('<figure class="lead">'));
      const story = body.match(/<article class="story"[\s\S]*?<\/article>/)[0];
      assert.ok(!story.includes('/media/'), 'no photo in the story');
      assert.match(metaOf(body, 'og:image'), /\/static\/share\./);
    });

    it('og:image and twitter:image are an absolute JPEG of at most 1280, with its size and alt', async () => {
      const { body } = await articlePage('bridge');
      const url = `${BASE}/media/${variant(BRIDGE, 1280, 'jpeg')}`;
      assert.equal(metaOf(body, 'og:image'), url);
      assert.equal(metaOf(body, 'og:image:width'), '1280');
      assert.equal(metaOf(body, 'og:image:height'), '854');
      assert.equal(unescape(metaOf(body, 'og:image:alt')), BRIDGE.alt);
      assert.equal(metaOf(body, 'twitter:card'), 'summary_large_image');
      assert.equal(metaOf(body, 'twitter:image'), url);
      assert.equal((body.match(/property="og:image"/g) || []).length, 1, 'one og:image');
    });

    it('the JSON-LD image is an ImageObject with url, width, height, caption and creditText', async () => {
      const { body } = await articlePage('bridge');
      const ld = JSON.parse(body.match(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/)[1]);
      const art = ld.find((x) => x['@type'] === 'NewsArticle');
      assert.deepEqual(
        { ...art.image, description: undefined },
        {
          '@type': 'ImageObject', url: `${BASE}/media/${variant(BRIDGE, 1280, 'jpeg')}`,
          width: 1280, height: 854, caption: BRIDGE.caption, creditText: BRIDGE.credit,
          description: undefined,
        });
    });
  });

  describe('cards', () => {
    it('the front page: the lead story\'s photo eager, every other thumbnail lazy', async () => {
      const { body } = await get(`${base}/`);
      const all = imgs(body);
      assert.ok(all.length >= 2, `photos on the front: ${all.length}`);
      const lead = body.match(/<article class="lead has-thumb"[\s\S]*?<\/article>/);
      assert.ok(lead, 'the lead story has its photo');
      const [leadImg] = imgs(lead[0]);
      assert.equal(attr(leadImg, 'loading'), null);
      assert.equal(attr(leadImg, 'fetchpriority'), 'high');
      assert.equal(attr(leadImg, 'alt'), '', 'beside the headline link: decorative');
      assert.match(attr(leadImg, 'class'), /\bfx3 fy7\b/, 'focal point classes');
      const rest = all.filter((t) => t !== leadImg);
      assert.ok(rest.length >= 1);
      for (const t of rest) {
        assert.equal(attr(t, 'loading'), 'lazy', t);
        assert.equal(attr(t, 'fetchpriority'), null, t);
      }
    });

    it('section, tag, author and search pages: the first thumbnail eager, the rest lazy, with width, height and alt=""', async () => {
      const pages = { '/section/city': 1, '/tag/bridge': 2, '/author/maya-okafor': 2, '/search?q=bridge': 2 };
      for (const [p, count] of Object.entries(pages)) {
        const { body } = await get(`${base}${p}`);
        const all = imgs(body);
        assert.equal(all.length, count, `${p}: ${all.length} photos`);
        assert.ok(all.some((t) => attr(t, 'src') === `/media/${variant(BRIDGE, 960, 'jpeg')}`),
          `${p} shows the bridge photo`);
        // Above the fold: the first is fetched at once, as the front
        // page's first is; the others wait for the reader to scroll.
        const [first, ...rest] = all;
        assert.equal(attr(first, 'loading'), null, `${p}: the first is eager: ${first}`);
        assert.equal(attr(first, 'fetchpriority'), 'high', `${p}: ${first}`);
        for (const t of rest) {
          assert.equal(attr(t, 'loading'), 'lazy', `${p}: ${t}`);
          assert.equal(attr(t, 'fetchpriority'), null, `${p}: ${t}`);
        }
        for (const t of all) {
          assert.equal(attr(t, 'alt'), '', `${p}: ${t}`);
          assert.ok(attr(t, 'width') && attr(t, 'height'), `${p}: ${t}`);
          assert.match(attr(t, 'class'), /\bcard-thumb fx\d+ fy\d+\b/);
        }
        assert.ok(!body.includes('style="'), `${p}: no style attributes (the CSP forbids them)`);
      }
    });

    it('related cards on the article page are lazy', async () => {
      const { body } = await articlePage('frost');
      const related = body.match(/<section class="related"[\s\S]*?<\/section>/)[0];
      const all = imgs(related);
      assert.ok(all.length >= 1);
      for (const t of all) assert.equal(attr(t, 'loading'), 'lazy');
    });
  });

  describe('feeds', () => {
    it('Atom has a valid enclosure link with the variant file\'s length', async () => {
      const { body } = await get(`${base}/feed.atom`);
      const name = variant(BRIDGE, 1280, 'jpeg');
      const link = body.match(/<link rel="enclosure" [^>]*\/>/);
      assert.ok(link, 'an enclosure');
      assert.equal(attr(link[0], 'type'), 'image/jpeg');
      assert.equal(attr(link[0], 'href'), `${BASE}/media/${name}`);
      assert.equal(attr(link[0], 'length'), String(bytesOf(name).length));
      const r = spawnSync(JING, ['-c', ATOM_RNC, save(body, 'feed.atom')], { encoding: 'utf8' });
      assert.equal(r.status, 0, `not valid Atom:\n${r.stdout}`);
      const f = feedparser(body);
      assert.equal(f.bozo, false, f.exc);
      const e = f.entries.find((x) => x.title === 'Council approves new river bridge');
      assert.deepEqual(e.enclosures, [{ href: `${BASE}/media/${name}`, type: 'image/jpeg',
        length: String(bytesOf(name).length) }]);
    });

    it('RSS has an enclosure and media:content', async () => {
      const { body } = await get(`${base}/feed.rss`);
      const name = variant(BRIDGE, 1280, 'jpeg');
      assert.ok(body.includes(`<enclosure url="${BASE}/media/${name}" length="${bytesOf(name).length}" type="image/jpeg"/>`));
      assert.match(body, /xmlns:media="http:\/\/search\.yahoo\.com\/mrss\/"/);
      const f = feedparser(body);
      assert.equal(f.bozo, false, f.exc);
      const e = f.entries.find((x) => x.title === 'Council approves new river bridge');
      assert.equal(e.enclosures[0].href, `${BASE}/media/${name}`);
      assert.deepEqual(e.media, [{ url: `${BASE}/media/${name}`, width: '1280' }]);
      const frost = f.entries.find((x) => x.title === 'Frost warning for the farms');
      assert.deepEqual(frost.enclosures, []);
    });

    it('JSON Feed names the image', async () => {
      const feed = JSON.parse((await get(`${base}/feed.json`)).body);
      const item = feed.items.find((x) => x.title === 'Council approves new river bridge');
      assert.equal(item.image, `${BASE}/media/${variant(BRIDGE, 1280, 'jpeg')}`);
      assert.equal(feed.items.find((x) => x.title === 'Frost warning for the farms').image, undefined);
    });
  });

  it('the API has an image object for articles with one and null for others', async () => {
    const one = JSON.parse((await get(`${base}/api/v1/articles/${ids.bridge}`)).body).article;
    assert.deepEqual(one.image, {
      url: `${BASE}/media/${variant(BRIDGE, 1280, 'jpeg')}`, width: 1600, height: 1067,
      alt: BRIDGE.alt, decorative: false, caption: BRIDGE.caption, credit: BRIDGE.credit,
      srcset: BRIDGE.widths.map((w) => `${BASE}/media/${variant(BRIDGE, w, 'jpeg')} ${w}w`).join(', '),
      srcset_webp: BRIDGE.widths.map((w) => `${BASE}/media/${variant(BRIDGE, w, 'webp')} ${w}w`).join(', '),
      srcset_avif: null,
    });
    const list = JSON.parse((await get(`${base}/api/v1/articles?fields=id,image`)).body).articles;
    assert.equal(list.find((a) => String(a.id) === ids.frost).image, null);
    assert.equal(list.find((a) => String(a.id) === ids.otters).image.alt, '');
  });
});
