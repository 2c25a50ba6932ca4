// comments.mjs - helpers for the readers' comments tests (design.md
// section 6): sites whose [comments] policy a test chooses, articles dated
// so that their comments are open (or closed), the comment form read out of
// an article page, the arithmetic question answered, submissions POSTed
// with fetch (redirects never followed), the thread read back as a tree,
// and `gazette comments` run on the command line.
//
// Assumes the default theme's markup (themes/default/templates/
// comments.mustache and comment.mustache). Runs on Node 18: node: built-ins
// and the global fetch only.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

import { markdown, writeArticle } from './fixtures.mjs';
import { get, runOk, tempSite } from './gazette.mjs';
import { attr, decode, elements, linkTo, openTags, text } from './html.mjs';

// ---- sites and articles ----------------------------------------------------

// "YYYY-MM-DD HH:MM" in UTC for `ms` (a Date or epoch milliseconds), the
// form a front-matter date takes in a site whose time zone is UTC.
export function utcStamp(ms) {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

// A front-matter date an hour ago: comments are open on such an article
// under any close_after_days >= 1.
export function recentDate() {
  return utcStamp(Date.now() - 3600 * 1000);
}

// Sets keys of one section of the site's gazette.conf (as `gazette init`
// wrote it: "key = value" lines under "[section]"), replacing a key that is
// there and adding one that is not.
export function setConf(site, section, values) {
  const file = `${site}/gazette.conf`;
  const lines = readFileSync(file, 'utf8').split('\n');
  let start = lines.findIndex((l) => l.trim() === `[${section}]`);
  if (start < 0) {
    lines.push('', `[${section}]`);
    start = lines.length - 1;
  }
  let end = lines.findIndex((l, i) => i > start && /^\s*\[/.test(l));
  if (end < 0) end = lines.length;
  for (const [key, value] of Object.entries(values)) {
    const re = new RegExp(`^\\s*${key}\\s*=`);
    const at = lines.findIndex((l, i) => i > start && i < end && re.test(l));
    if (at >= 0) {
      lines[at] = `${key} = ${value}`;
    } else {
      // After the section's last non-blank line.
      let ins = end;
      while (ins - 1 > start && lines[ins - 1].trim() === '') ins--;
      lines.splice(ins, 0, `${key} = ${value}`);
      end++;
    }
  }
  writeFileSync(file, lines.join('\n'));
}

// The [comments] policy most tests want: no minimum fill time (so nothing
// sleeps) and a rate limit no test reaches by accident (every request comes
// from 127.0.0.1): 64 valid comments per server, the most gazette.conf
// allows. Tests override what they are about.
export const EASY = { min_fill_seconds: 0, rate_limit_count: 64 };

// A new UTC site whose [comments] section has `comments` set, holding the
// Markdown articles `articles` ([{title, date, body, slug?, comments?}];
// date defaults to an hour ago; comments is the front-matter key: open,
// closed or a number of days). Returns {dir, site}.
export function commentSite(articles, comments = {}) {
  const { dir, site } = tempSite({ title: 'The Comment Ledger', timezone: 'UTC' });
  // A key given as undefined keeps what `gazette init` wrote.
  const policy = Object.fromEntries(Object.entries({ ...EASY, ...comments })
    .filter(([, v]) => v !== undefined));
  setConf(site, 'comments', policy);
  const files = articles.map((a, i) => writeArticle(dir, `a${i}.md`, markdown({
    title: a.title,
    date: a.date || recentDate(),
    ...(a.slug ? { slug: a.slug } : {}),
    ...(a.comments !== undefined ? { comments: a.comments } : {}),
  }, `${a.body || 'A paragraph of the story.'}\n`)));
  if (files.length) runOk(['import', '--site', site, ...files]);
  return { dir, site };
}

// The paths of the articles headlined `titles`, read from the front page.
export async function articlePaths(base, titles) {
  const front = (await get(`${base}/`)).body;
  return titles.map((t) => linkTo(front, t).path);
}

// ---- the form ------------------------------------------------------------------

// The "Leave a Comment" form of an article page, or null when the page has
// none: {action, token, question, spoken, name, email, comment, parent,
// hasHoneypot, errors: {name, email, body, answer}, formError, replyingTo}.
export function readForm(html) {
  const forms = elements(html, 'form').filter((f) => /\/comments(#[\w-]+)?$/.test(attr(f.tag, 'action') || ''));
  if (forms.length === 0) return null;
  if (forms.length > 1) throw new Error(`${forms.length} comment forms on one page`);
  const f = forms[0];
  const input = (name) => openTags(f.inner, 'input').find((t) => attr(t, 'name') === name) || null;
  const value = (name) => {
    const t = input(name);
    return t ? (attr(t, 'value') ?? '') : null;
  };
  const textarea = elements(f.inner, 'textarea').find((e) => attr(e.tag, 'name') === 'comment');
  const label = elements(f.inner, 'label').find((e) => attr(e.tag, 'for') === 'c-answer');
  const hidden = label ? elements(label.inner, 'span') : [];
  const q = hidden.find((s) => attr(s.tag, 'aria-hidden') === 'true');
  const spoken = hidden.find((s) => /visually-hidden/.test(attr(s.tag, 'class') || ''));
  const fieldError = (id) => {
    const e = elements(f.inner, 'span').find((s) => attr(s.tag, 'id') === id);
    if (!e) return null;
    if (!/\bfield-error\b/.test(attr(e.tag, 'class') || '')) {
      throw new Error(`#${id} is not a .field-error: ${e.tag}`);
    }
    return text(e.inner);
  };
  // The form section: from the form's section to the end of the form.
  const sectionStart = html.lastIndexOf('<section', f.index);
  const section = html.slice(sectionStart, f.index);
  const formErr = elements(section, 'p').find((p) => /\bform-error\b/.test(attr(p.tag, 'class') || ''));
  const replying = elements(f.inner, 'p').find((p) => /\breplying\b/.test(attr(p.tag, 'class') || ''));
  return {
    action: attr(f.tag, 'action'),
    method: (attr(f.tag, 'method') || 'get').toLowerCase(),
    token: value('token'),
    question: q ? text(q.inner) : null,
    spoken: spoken ? text(spoken.inner) : null,
    name: value('name'),
    email: value('email'),
    // A textarea's first newline is not part of its value (HTML).
    comment: textarea ? decode(textarea.inner).replace(/^\r?\n/, '') : null,
    parent: value('parent'),
    hasAnswer: input('answer') !== null,
    hasHoneypot: input('website') !== null,
    errors: {
      name: fieldError('c-name-error'),
      email: fieldError('c-email-error'),
      body: fieldError('c-comment-error'),
      answer: fieldError('c-answer-error'),
    },
    formError: formErr ? text(formErr.inner) : null,
    replyingTo: replying ? text(replying.inner) : null,
  };
}

// The answer to "7 + 3 =", "9 - 4 =" or "3 x 5 =" (also "×", "*", "−");
// throws on anything else, so that a changed question fails loudly.
export function solve(question) {
  const m = /^\s*(\d+)\s*([+\-x×*−])\s*(\d+)\s*=?\s*$/.exec(question || '');
  if (!m) throw new Error(`not an arithmetic question: ${JSON.stringify(question)}`);
  const a = Number(m[1]);
  const b = Number(m[3]);
  switch (m[2]) {
    case '+': return a + b;
    case '-': case '−': return a - b;
    default: return a * b;
  }
}

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight',
  'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen',
  'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

// n (0 to 100) in English words: "seven", "twenty-one", "one hundred".
export function numberWords(n) {
  if (n < 0 || n > 100 || !Number.isInteger(n)) throw new Error(`no words for ${n}`);
  if (n === 100) return 'one hundred';
  if (n < 20) return ONES[n];
  return TENS[Math.floor(n / 10)] + (n % 10 ? `-${ONES[n % 10]}` : '');
}

// ---- HTTP --------------------------------------------------------------------------

// GET an article page (with `query`, e.g. '?reply=3'); resolves to
// {status, body, form} with the form read out of the page.
export async function openArticle(base, path, query = '') {
  const res = await fetch(base + path + query, { redirect: 'manual' });
  const body = await res.text();
  return { status: res.status, headers: res.headers, body, form: body ? readForm(body) : null };
}

// The fields a reader sends for `form` (as read from the page), with
// `fields` overriding: name, email, comment, answer (default: the right
// one), token (default: the page's), website, parent (default: the page's).
export function fieldsFor(form, fields = {}) {
  const out = {
    name: 'Reader',
    email: '',
    comment: 'A comment.',
    answer: String(solve(form.question)),
    token: form.token,
    website: '',
  };
  if (form.parent) out.parent = form.parent;
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

// POSTs `fields` to `action` as application/x-www-form-urlencoded (or as
// multipart/form-data with opts.multipart), never following a redirect.
// Resolves to {status, location, body, form, headers}; `form` is the form
// read out of a page answered again (422, 429, 403), else null.
export async function submit(base, action, fields, opts = {}) {
  let body;
  const headers = { ...(opts.headers || {}) };
  if (opts.multipart) {
    body = new FormData();
    for (const [k, v] of Object.entries(fields)) body.append(k, v);
  } else if (opts.raw !== undefined) {
    body = opts.raw;
    headers['Content-Type'] = headers['Content-Type'] || 'application/x-www-form-urlencoded';
  } else {
    body = new URLSearchParams(fields).toString();
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  const res = await fetch(base + action, { method: 'POST', body, headers, redirect: 'manual' });
  const html = await res.text();
  let form = null;
  if (html && /^<!doctype html>/i.test(html)) form = readForm(html);
  return { status: res.status, location: res.headers.get('location'), body: html, form, headers: res.headers };
}

// Opens the article at `path` (with `query`), answers its question and
// submits `fields` (see fieldsFor) with submit()'s `opts`. Resolves to
// submit()'s result plus `page` (the page the form came from) and `sent`
// (the fields sent).
export async function postComment(base, path, fields = {}, query = '', opts = {}) {
  const page = await openArticle(base, path, query);
  if (page.status !== 200) throw new Error(`GET ${path}${query}: ${page.status}`);
  if (!page.form) throw new Error(`GET ${path}${query}: no comment form on the page`);
  const sent = fieldsFor(page.form, fields);
  const res = await submit(base, page.form.action, sent, opts);
  return { ...res, page, sent };
}

// The comment id in a 303's Location when the comment was published
// (".../{slug}?comment=ID#comment-ID"), else null.
export function publishedId(location) {
  const m = /\?comment=(\d+)#comment-(\d+)$/.exec(location || '');
  if (!m || m[1] !== m[2]) return null;
  return Number(m[1]);
}

// ---- the thread -----------------------------------------------------------------

// The comments section of an article page: {count (from the heading, or
// null), notice, closed, items: tree}. Each item: {id, number, author,
// body (text), bodyHtml, replyUrl, replies: [items]}. Walks <ol>/<li> tags
// of the theme's comment list; assumes no raw <li> or <ol> inside a
// comment body (render_text never makes one).
export function readThread(html) {
  const start = html.indexOf('<section class="comments"');
  if (start < 0) return null;
  const end = html.indexOf('</section>', start);
  const sec = html.slice(start, end);
  const heading = elements(sec, 'h2')[0];
  const cm = heading ? /Comments \((\d+)\)/.exec(text(heading.inner)) : null;
  const notice = elements(sec, 'p').find((p) => /comments-notice/.test(attr(p.tag, 'class') || ''));
  const closed = elements(sec, 'p').find((p) => /comments-closed/.test(attr(p.tag, 'class') || ''));

  const root = { replies: [] };
  const stack = [root];
  const re = /<(\/?)(li|ol)\b[^>]*>/gi;
  let m;
  const open = [];
  while ((m = re.exec(sec)) !== null) {
    const closing = m[1] === '/';
    const tag = m[2].toLowerCase();
    if (tag === 'li' && !closing) {
      const id = /id="comment-(\d+)"/.exec(m[0]);
      const item = {
        id: id ? Number(id[1]) : null, replies: [], startAt: m.index + m[0].length,
      };
      stack[stack.length - 1].replies.push(item);
      open.push(item);
    } else if (tag === 'li' && closing) {
      const item = open.pop();
      item.inner = sec.slice(item.startAt, m.index);
    } else if (tag === 'ol' && !closing) {
      // The top list belongs to root; a nested one to the open <li>.
      stack.push(open.length ? open[open.length - 1] : root);
    } else {
      stack.pop();
    }
  }
  const finish = (item) => {
    const own = item.inner.replace(/<ol class="comment-replies">[\s\S]*$/, '');
    const num = /<span class="comment-number">#(\d+)<\/span>/.exec(own);
    const author = /<span class="comment-author"><bdi>([\s\S]*?)<\/bdi><\/span>/.exec(own);
    const body = /<div class="comment-body"[^>]*>([\s\S]*?)<\/div>/.exec(own);
    const reply = elements(own, 'p').find((p) => /comment-reply/.test(attr(p.tag, 'class') || ''));
    return {
      id: item.id,
      number: num ? Number(num[1]) : null,
      author: author ? decode(author[1]) : null,
      bodyHtml: body ? body[1].trim() : null,
      body: body ? text(body[1]) : null,
      replyUrl: reply ? attr(openTags(reply.inner, 'a')[0] || '', 'href') : null,
      replies: item.replies.map(finish),
    };
  };
  return {
    count: cm ? Number(cm[1]) : null,
    notice: notice ? text(notice.inner) : null,
    closed: closed ? text(closed.inner) : null,
    items: root.replies.map(finish),
  };
}

// Every comment of a thread tree, depth first, each with its `depth`
// (0 for top level) and `parent` id (null at top level).
export function flatten(items, depth = 0, parent = null, out = []) {
  for (const it of items) {
    out.push({ ...it, depth, parent });
    flatten(it.replies, depth + 1, it.id, out);
  }
  return out;
}

// ---- the command line ------------------------------------------------------------

// `gazette comments list --status STATUS [--article ID] --site S`, parsed:
// [{id, status, article, rest}] (rest: the date, author and comment
// columns as printed).
export function listComments(site, status = 'all', article = null) {
  const args = ['comments', 'list', '--status', status, '--site', site, '--limit', '1000'];
  if (article) args.push('--article', String(article));
  const r = runOk(args);
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 1 && /^no comments/.test(lines[0])) return [];
  if (!/^\s*ID\s+STATUS\s+ARTICLE/.test(lines[0] || '')) {
    throw new Error(`gazette ${args.join(' ')}: unexpected output:\n${r.stdout}`);
  }
  return lines.slice(1).map((l) => {
    const m = /^\s*(\d+)\s+(\w+)\s+(\d+)\s+(.*)$/.exec(l);
    if (!m) throw new Error(`gazette ${args.join(' ')}: unexpected row: ${l}`);
    return { id: Number(m[1]), status: m[2], article: Number(m[3]), rest: m[4] };
  });
}

// `gazette comments ACTION ID... --site S`, which must succeed.
export function moderate(site, action, ...ids) {
  return runOk(['comments', action, '--site', site, ...ids.map(String)]);
}

// ---- feeds ----------------------------------------------------------------------------

export const XMLLINT = '/usr/bin/xmllint';

// Checks `xml` with `xmllint --noout -`: resolves to null when it is
// well-formed, the complaint when not, and undefined when xmllint is not
// installed.
export function xmllint(xml) {
  if (!existsSync(XMLLINT)) return undefined;
  const r = spawnSync(XMLLINT, ['--noout', '-'], { input: xml, encoding: 'utf8', timeout: 60000 });
  if (r.error) throw r.error;
  return r.status === 0 ? null : (r.stderr || `xmllint exited ${r.status}`);
}

// The entries of an Atom feed: [{id, title, author, content (decoded once:
// the HTML as the feed carries it)}].
export function feedEntries(xml) {
  return elements(xml, 'entry').map((e) => {
    const one = (name) => {
      const x = elements(e.inner, name)[0];
      return x ? decode(x.inner) : null;
    };
    const author = elements(e.inner, 'author')[0];
    return {
      id: one('id'),
      title: one('title'),
      author: author ? decode((elements(author.inner, 'name')[0] || { inner: '' }).inner) : null,
      content: one('content'),
    };
  });
}
