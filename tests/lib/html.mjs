// html.mjs - just enough HTML reading for the HTTP tests: entity decoding,
// element text, links, and a crawl of a running site that finds the pages
// the tests need (articles, sections, tags, a Persian article, ...).
// Regular expressions over our own theme's output, not a general parser:
// each helper says what it assumes. Runs on Node 18, no dependencies.

import { get, request } from './gazette.mjs';

const NAMED = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0',
  ldquo: '\u201c', rdquo: '\u201d', lsquo: '\u2018', rsquo: '\u2019',
  ndash: '\u2013', mdash: '\u2014', hellip: '\u2026', laquo: '\u00ab',
  raquo: '\u00bb', copy: '\u00a9', middot: '\u00b7', bull: '\u2022',
};

// Decodes character references: numeric ones and the named ones above.
export function decode(s) {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (all, ref) => {
    if (ref[0] === '#') {
      const n = ref[1] === 'x' || ref[1] === 'X'
        ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return String.fromCodePoint(n);
    }
    return Object.prototype.hasOwnProperty.call(NAMED, ref) ? NAMED[ref] : all;
  });
}

// The text of an HTML fragment: tags dropped, references decoded,
// whitespace runs (including no-break spaces) collapsed, ends trimmed.
export function text(fragment) {
  return decode(fragment.replace(/<[^>]*>/g, ''))
    .replace(/[\s\u00a0]+/g, ' ').trim();
}

// The value of attribute `name` in an opening tag string, decoded, or null.
export function attr(tag, name) {
  const re = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i');
  const m = re.exec(tag);
  if (!m) return null;
  return decode(m[1] ?? m[2] ?? m[3]);
}

// Every element <name ...>inner</name> (not nested in itself), in order:
// [{tag: '<name ...>', inner, index}].
export function elements(html, name) {
  const re = new RegExp(`(<${name}\\b[^>]*>)([\\s\\S]*?)</${name}\\s*>`, 'gi');
  const out = [];
  let m;
  while ((m = re.exec(html)) !== null) out.push({ tag: m[1], inner: m[2], index: m.index });
  return out;
}

// Every opening tag <name ...> in order, as strings.
export function openTags(html, name) {
  return html.match(new RegExp(`<${name}\\b[^>]*>`, 'gi')) || [];
}

// Links in a page: [{href, text}] for every <a href>.
export function links(html) {
  return elements(html, 'a')
    .map((e) => ({ href: attr(e.tag, 'href'), text: text(e.inner) }))
    .filter((l) => l.href !== null);
}

const ARTICLE_RE = /^\/news\/(\d+)\/([^/?#]+)$/;

// Article links in a page, one per path: [{path, id, slug, text}]; `text`
// joins the texts of every link to that path (a card may link twice).
export function articleLinks(html) {
  const byPath = new Map();
  for (const l of links(html)) {
    const m = ARTICLE_RE.exec(l.href);
    if (!m) continue;
    const e = byPath.get(l.href);
    if (e) e.text = `${e.text} ${l.text}`.trim();
    else byPath.set(l.href, { path: l.href, id: Number(m[1]), slug: m[2], text: l.text });
  }
  return [...byPath.values()];
}

// The path of the article linked with `headline` in its link text; throws
// listing the links it saw when there is none.
export function linkTo(html, headline) {
  const all = articleLinks(html);
  const hit = all.find((l) => l.text.includes(headline));
  if (!hit) {
    throw new Error(`no link to an article headlined "${headline}"; article links seen:\n` +
      all.map((l) => `  ${l.path}  ${l.text}`).join('\n'));
  }
  return hit;
}

// Distinct paths of links starting with `prefix` (/section/, /tag/) that
// name one listing (no further slash, no query).
export function listingLinks(html, prefix) {
  const set = new Set();
  for (const l of links(html)) {
    if (l.href.startsWith(prefix) && /^\/[a-z]+\/[^/?#]+$/.test(l.href)) set.add(l.href);
  }
  return [...set];
}

// The first <h1>'s text, or null.
export function h1(html) {
  const e = elements(html, 'h1')[0];
  return e ? text(e.inner) : null;
}

// The opening <article ...> tag, or null.
export function articleTag(html) {
  return openTags(html, 'article')[0] || null;
}

// Crawls a running site from its front page: the front page, every section
// page it links to, and every article either links to; then the tag pages
// the articles link to. Resolves to
//   {front, articles: [{path, html, lang, dir, hasDateline, tags, section}],
//    sections: [{path, html}], tags: [path...]}.
export async function crawl(base) {
  const front = (await get(`${base}/`)).body;
  const articlePaths = new Set(articleLinks(front).map((l) => l.path));
  const sectionPaths = listingLinks(front, '/section/');
  const sections = [];
  for (const p of sectionPaths) {
    const html = (await get(base + p)).body;
    sections.push({ path: p, html });
    for (const l of articleLinks(html)) articlePaths.add(l.path);
  }
  const articles = [];
  const tagSet = new Set(listingLinks(front, '/tag/'));
  for (const p of [...articlePaths].sort()) {
    const res = await request(base + p);
    if (res.status !== 200) {
      throw new Error(`crawl: ${p} (linked from the site) answered ${res.status}`);
    }
    const html = res.body;
    const tag = articleTag(html) || '';
    const tags = listingLinks(html, '/tag/');
    tags.forEach((t) => tagSet.add(t));
    articles.push({
      path: p, html,
      lang: attr(tag, 'lang'), dir: attr(tag, 'dir'),
      hasDateline: /<span class="dateline">/.test(html),
      tags,
      section: listingLinks(html, '/section/')[0] || null,
    });
    for (const s of listingLinks(html, '/section/')) {
      if (!sections.some((x) => x.path === s)) {
        sections.push({ path: s, html: (await get(base + s)).body });
      }
    }
  }
  return { front, articles, sections, tags: [...tagSet].sort() };
}
