// framing.test.mjs - requests whose framing RFC 9112 refuses are answered
// at once, not after the idle timeout: a transfer coding gazette does not
// know is 501, an HTTP/1.1 request without exactly one Host is 400; a
// cross-site form post that names another Origin is refused even without
// Sec-Fetch-Site; and a comment form shown again never echoes bytes that
// are not UTF-8 into its UTF-8 page.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { articlePaths, commentSite, fieldsFor, openArticle, submit } from '../lib/comments.mjs';
import { rawExchange, request, slow, startServer, stopChecked } from '../lib/gazette.mjs';

// Quick enough that an answer held back until the 15 s idle timeout
// counts as none (a guard, not a timing assertion). Longer on a slow
// server (GAZETTE_TEST_SLOW), but always short of the idle timeout.
const SOON = { timeout: Math.min(slow(5000), 12000) };

describe('framing and origin', { timeout: slow(120000) }, () => {
  let srv; let A;

  before(async () => {
    const { site } = commentSite([{ title: 'Framed' }], { moderation: 'post' });
    srv = await startServer(['serve', '--site', site]);
    [A] = await articlePaths(srv.url, ['Framed']);
  });
  after(async () => { if (srv) await stopChecked(srv); });

  for (const te of ['gzip', 'chunked ', 'gzip, chunked', 'x-custom']) {
    it(`Transfer-Encoding: "${te}" answers 501 at once`, async () => {
      const r = await rawExchange(srv.port,
        `POST /news/1/comments HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: ${te}\r\n` +
        'Content-Type: application/x-www-form-urlencoded\r\n\r\nname=x', SOON);
      assert.equal(r.timedOut, false, 'answered before the guard');
      assert.equal(r.status, 501, r.head);
    });
  }

  it('chunked is still taken', async () => {
    const body = 'name=x';
    const r = await rawExchange(srv.port,
      'POST /news/1/comments HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n' +
      'Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n' +
      `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`, SOON);
    assert.notEqual(r.status, 501, r.head);
    assert.ok(r.status >= 200 && r.status < 500, r.head);
  });

  it('HTTP/1.1 without Host, or with two, is 400; HTTP/1.0 without Host is served', async () => {
    const none = await rawExchange(srv.port, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n', SOON);
    assert.equal(none.status, 400, none.head);
    const two = await rawExchange(srv.port,
      'GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n', SOON);
    assert.equal(two.status, 400, two.head);
    const old = await rawExchange(srv.port, 'GET /healthz HTTP/1.0\r\n\r\n', SOON);
    assert.equal(old.status, 200, old.head);
    const ok = await rawExchange(srv.port, 'GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', SOON);
    assert.equal(ok.status, 200, ok.head);
  });

  it('a form posted with another Origin and no Sec-Fetch-Site is refused', async () => {
    const page = await openArticle(srv.url, A);
    const sent = fieldsFor(page.form, { name: 'Cross Site' });
    const evil = await submit(srv.url, page.form.action, sent, { headers: { Origin: 'https://evil.example' } });
    assert.equal(evil.status, 403);
    // The same form from the site itself is taken.
    const own = await submit(srv.url, page.form.action, fieldsFor((await openArticle(srv.url, A)).form,
      { name: 'Same Site' }), { headers: { Origin: srv.url } });
    assert.equal(own.status, 303);
  });

  it('a comment with invalid UTF-8 is shown again as valid UTF-8', async () => {
    const page = await openArticle(srv.url, A);
    const f = fieldsFor(page.form, { name: 'Latin' });
    const raw = `${new URLSearchParams({ ...f, comment: 'PLACEHOLDER' })}`
      .replace('PLACEHOLDER', 'caf%E9%FF ok');
    const res = await request(srv.url + page.form.action, {
      method: 'POST', body: raw, headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.status, 422);
    const text = new TextDecoder('utf-8', { fatal: true }).decode(res.raw);
    assert.match(text, /caf\uFFFD\uFFFD ok<\/textarea>/, 'the text kept, the bad bytes shown as U+FFFD');
  });
});
