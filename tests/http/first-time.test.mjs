// first-time.test.mjs - `moderation = first-time` keyed on the browser
// (docs/security.md, "First-time moderation"): a comment is published at
// once only when it comes with the gz_commenter cookie of a browser one of
// whose comments a moderator approved. A stranger who types a regular's
// exact name and email, or sends no cookie, a mangled one or a made-up
// one, is moderated. Also: what the cookie says of itself (HttpOnly,
// SameSite=Lax, a year; on an https site named __Host-gz_commenter,
// Secure, and the plain name a subdomain could plant is not read), that
// it is set only with a stored comment and only under this policy, and
// that no page carrying it is cached.
//
// Once, `first-time` trusted the email typed into the form: the stranger
// test below fails on that code (the stranger's comment was published).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  articlePaths, commentSite, listComments, moderate, openArticle, postComment, publishedId,
  setConf,
} from '../lib/comments.mjs';
import { slow, startServer, stopChecked } from '../lib/gazette.mjs';

const T = { timeout: slow(120000) };

const COOKIE = 'gz_commenter';
// An https site's: a browser takes it only Secure, Path=/, without Domain.
const HOST_COOKIE = '__Host-gz_commenter';
const VALUE_RE = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/; // 32 bytes, base64url

const heldLocation = (path) => `${path}?held=1#comments`;

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

// `value` with a padding bit of its last character set: it decodes to the
// same bytes, and must not be taken for the same cookie.
function paddingBitSet(value) {
  const last = B64URL.indexOf(value.at(-1));
  return value.slice(0, -1) + B64URL[last | 1];
}

// The commenter cookie a response sets: {value, attrs: {lowercased
// name: value or true}}, or null when it sets none.
// `name`: the name expected (an https site's is HOST_COOKIE).
function setCookie(res, name0 = COOKIE) {
  const h = res.headers.get('set-cookie');
  if (!h) return null;
  const parts = h.split(';').map((p) => p.trim());
  const [name, ...rest] = parts[0].split('=');
  assert.equal(name, name0, `the cookie set is ${name0}: ${h}`);
  const attrs = {};
  for (const p of parts.slice(1)) {
    const i = p.indexOf('=');
    if (i < 0) attrs[p.toLowerCase()] = true;
    else attrs[p.slice(0, i).toLowerCase()] = p.slice(i + 1);
  }
  return { value: rest.join('='), attrs, raw: h };
}

// postComment's opts for a request that carries `value` as the cookie.
const withCookie = (value) => ({ headers: { Cookie: `${COOKIE}=${value}` } });

// The single stored comment whose row (date, author, text) holds `what`.
function storedBy(site, what) {
  const rows = listComments(site, 'all').filter((r) => r.rest.includes(what));
  assert.equal(rows.length, 1, `one comment with ${what}: ${JSON.stringify(rows)}`);
  return rows[0];
}

describe('first-time moderation: the browser is trusted, not the address', T, () => {
  let srv;
  let site;
  let A;
  let cookieA;
  const regular = { name: 'Frida Regular', email: 'frida@example.org' };

  before(async () => {
    ({ site } = commentSite([{ title: 'Pool hours extended' }], { moderation: 'first-time' }));
    srv = await startServer(['serve', '--site', site]);
    [A] = await articlePaths(srv.url, ['Pool hours extended']);
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it("holds a new browser's first comment and gives it a commenter cookie", async () => {
    const first = await postComment(srv.url, A, { ...regular, comment: 'First.' });
    assert.equal(first.status, 303);
    assert.equal(first.location, heldLocation(A));
    const c = setCookie(first);
    assert.ok(c, 'the 303 of a stored comment sets the commenter cookie');
    assert.match(c.value, VALUE_RE, `32 random bytes, base64url: ${c.raw}`);
    assert.equal(c.attrs.path, '/');
    assert.equal(c.attrs['max-age'], '31536000');
    assert.equal(c.attrs.httponly, true, 'no script reads it');
    assert.equal(c.attrs.samesite, 'Lax', 'not sent on another site\'s POST');
    assert.equal(c.attrs.secure, undefined, 'an http site cannot set a Secure cookie');
    assert.match(first.headers.get('cache-control') || '', /no-store/);
    cookieA = c.value;
    assert.equal(storedBy(site, 'First.').status, 'pending');
  });

  it('publishes the same browser at once once a moderator approved it', async () => {
    const row = storedBy(site, 'First.');
    moderate(site, 'approve', row.id);
    const second = await postComment(srv.url, A, { ...regular, comment: 'Second.' },
      '', withCookie(cookieA));
    assert.ok(publishedId(second.location), `published at once: ${second.location}`);
    const c = setCookie(second);
    assert.ok(c, 'the cookie is given again, for another year');
    assert.equal(c.value, cookieA, 'a cookie of ours is kept, not replaced');
    // The published comment is on the page.
    const page = await openArticle(srv.url, A);
    assert.ok(page.body.includes(`id="comment-${publishedId(second.location)}"`));
  });

  it("holds a stranger who types the regular's exact name and email", async () => {
    const stranger = await postComment(srv.url, A, { ...regular, comment: 'I am Frida, honest.' });
    assert.equal(stranger.location, heldLocation(A),
      'an address anyone can type must not publish unmoderated');
    const c = setCookie(stranger);
    assert.ok(c && c.value !== cookieA, 'the stranger gets a cookie of their own');
    const upper = await postComment(srv.url, A, {
      name: regular.name, email: regular.email.toUpperCase(), comment: 'Still Frida.',
    });
    assert.equal(upper.location, heldLocation(A));
  });

  it('holds a mangled cookie and replaces it with a fresh one', async () => {
    const bad = [
      'garbage',
      `${cookieA}x`, // one character too many
      cookieA.slice(0, -1), // one too few
      paddingBitSet(cookieA), // the same 32 bytes, spelt another way
      `${cookieA.slice(0, 10)}+${cookieA.slice(11)}`, // standard base64, not base64url
      // ("value" in double quotes is the same cookie in RFC 6265, and
      // libmicrohttpd reads it so: knowing the value is what counts.)
    ];
    for (const value of bad) {
      const res = await postComment(srv.url, A, { ...regular, comment: `Forged ${bad.indexOf(value)}.` },
        '', withCookie(value));
      assert.equal(res.location, heldLocation(A), `cookie ${JSON.stringify(value)} is held`);
      const c = setCookie(res);
      assert.ok(c, `cookie ${JSON.stringify(value)}: a fresh one is set`);
      assert.match(c.value, VALUE_RE);
      assert.notEqual(c.value, value);
      assert.notEqual(c.value, cookieA);
    }
  });

  it('holds a well-formed cookie nobody was given', async () => {
    const madeUp = 'A'.repeat(42) + 'w';
    const res = await postComment(srv.url, A, { ...regular, comment: 'Made up.' },
      '', withCookie(madeUp));
    assert.equal(res.location, heldLocation(A));
  });

  it('a moderator who rejects the approved comment takes the trust back', async () => {
    const row = storedBy(site, 'First.');
    moderate(site, 'reject', row.id);
    const res = await postComment(srv.url, A, { ...regular, comment: 'After the reject.' },
      '', withCookie(cookieA));
    assert.equal(res.location, heldLocation(A));
    moderate(site, 'approve', row.id);
    const again = await postComment(srv.url, A, { ...regular, comment: 'Approved again.' },
      '', withCookie(cookieA));
    assert.ok(publishedId(again.location), `published: ${again.location}`);
  });

  it('sets no cookie on a form shown again, and none on the article page', async () => {
    const wrong = await postComment(srv.url, A, { ...regular, answer: '1000' });
    assert.equal(wrong.status, 422);
    assert.equal(setCookie(wrong), null, 'no comment stored, no cookie');
    const page = await openArticle(srv.url, A);
    assert.equal(page.headers.get('set-cookie'), null);
    assert.equal(page.headers.get('cache-control'), 'private, no-cache');
    // A second view (from the page cache) sets none either.
    const again = await openArticle(srv.url, A);
    assert.equal(again.headers.get('set-cookie'), null);
  });
});

describe('first-time moderation: an https site', T, () => {
  let srv;
  let site;
  let A;

  before(async () => {
    ({ site } = commentSite([{ title: 'Harbour dredging starts' }], { moderation: 'first-time' }));
    setConf(site, 'site', { base_url: 'https://news.example.org' });
    srv = await startServer(['serve', '--site', site]);
    [A] = await articlePaths(srv.url, ['Harbour dredging starts']);
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  let cookieI;

  it('names the commenter cookie __Host-, Secure, Path=/, without Domain', async () => {
    const res = await postComment(srv.url, A, { name: 'Ines', comment: 'Good.' });
    assert.equal(res.location, heldLocation(A));
    const c = setCookie(res, HOST_COOKIE);
    assert.ok(c);
    assert.equal(c.attrs.secure, true, `Secure on an https site: ${c.raw}`);
    assert.equal(c.attrs.path, '/', c.raw);
    assert.equal(c.attrs.domain, undefined, `a __Host- cookie has no Domain: ${c.raw}`);
    assert.match(c.value, VALUE_RE);
    cookieI = c.value;
  });

  it('reads only the __Host- name: a planted gz_commenter trusts nobody', async () => {
    moderate(site, 'approve', storedBy(site, 'Good.').id);
    // The trusted value under the plain name, as a subdomain or a
    // plain-http answer could have set it: a new browser.
    const planted = await postComment(srv.url, A, { name: 'Ines', comment: 'Planted.' },
      '', withCookie(cookieI));
    assert.equal(planted.location, heldLocation(A), 'the plain name is not read on https');
    const c = setCookie(planted, HOST_COOKIE);
    assert.ok(c && c.value !== cookieI, 'a fresh __Host- cookie is given');
    const own = await postComment(srv.url, A, { name: 'Ines', comment: 'Mine.' },
      '', { headers: { Cookie: `${COOKIE}=${c.value}; ${HOST_COOKIE}=${cookieI}` } });
    assert.ok(publishedId(own.location), `the __Host- cookie is read: ${own.location}`);
    assert.equal(setCookie(own, HOST_COOKIE).value, cookieI, 'and kept');
  });
});

describe('first-time moderation: other policies set no cookie', T, () => {
  for (const moderation of ['pre', 'post']) {
    it(`moderation = ${moderation}: a stored comment sets no cookie`, async () => {
      const { site } = commentSite([{ title: 'Library reopens' }], { moderation });
      const srv = await startServer(['serve', '--site', site]);
      try {
        const [A] = await articlePaths(srv.url, ['Library reopens']);
        const res = await postComment(srv.url, A, { name: 'Jo', comment: 'Nice.' });
        assert.equal(res.status, 303);
        assert.equal(res.headers.get('set-cookie'), null, 'the cookie would serve nothing');
      } finally {
        await stopChecked(srv);
      }
    });
  }
});
