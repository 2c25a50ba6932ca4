// comments.test.mjs - readers' comments over HTTP (design.md section 6):
// the form on the article page and its arithmetic question, every way a
// submission fails (the form again, everything typed kept, a fresh
// question, one sentence saying what to fix), the bot traps, replayed and
// racing tokens, the rate limit, malformed and oversized posts, moderation
// from the command line seen on the very next GET and in the Atom feeds,
// markup and bidi controls that must stay text, closed comments, and
// nested replies.
//
// Each describe block makes its own site (a UTC site whose articles are
// dated an hour ago, so comments are open) with the [comments] policy it
// is about, and its own server, stopped in its after() hook.
//
// Not tested here: a token's expiry (token_seconds is at least 60 and the
// server's clock cannot be moved from outside; tests/unit covers expiry
// in test_comments_captcha.c and test_comments_intake.c).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import {
  articlePaths, commentSite, feedEntries, fieldsFor, flatten, listComments, moderate,
  numberWords, openArticle, postComment, publishedId, readForm, readThread, setConf, solve, submit,
  xmllint,
} from '../lib/comments.mjs';
import { rawExchange, request, slow, startServer, stopChecked, tempSite } from '../lib/gazette.mjs';
import { attr, openTags } from '../lib/html.mjs';

const T = { timeout: slow(120000) };

const idOf = (path) => Number(/^\/news\/(\d+)\//.exec(path)[1]);

// A name no other test uses, so that `gazette comments list` rows can be
// told apart by it.
let serial = 0;
const uniq = (what) => `${what}${++serial}x${process.pid % 1000}`;

// One sentence: a capital, no sentence end inside, a full stop at the end.
const ONE_SENTENCE = /^[A-Z][^.!?]*(\.\d[^.!?]*)*[.!?]$/;

const heldLocation = (path) => `${path}?held=1#comments`;

// The answer `res` (a submit() result) must be: the article page again
// with `status`, the reader's text kept, a fresh question and token, and
// one sentence next to `field` (or on top of the form when field is null).
function assertAgain(res, sent, status, field) {
  const what = `${status} expected for ${JSON.stringify({ ...sent, token: '...' })}`;
  assert.equal(res.status, status, `${what}; got ${res.status} ${res.location || ''}\n` +
    `${res.body.slice(0, 500)}`);
  assert.match(res.headers.get('content-type') || '', /^text\/html/i, what);
  assert.ok(res.form, `${what}: the answer is the article page with the comment form`);
  const f = res.form;
  assert.ok(f.token, `${what}: the form has a token`);
  assert.notEqual(f.token, sent.token, `${what}: the form carries a fresh token`);
  assert.ok(f.question && solve(f.question) !== undefined, `${what}: a new question`);
  // Kept as typed; surrounding white space may go (the server checks and
  // stores fields trimmed).
  const kept = (v) => (v ?? '').replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  assert.equal(kept(f.name), kept(sent.name), `${what}: the name is kept`);
  assert.equal(kept(f.email), kept(sent.email), `${what}: the email is kept`);
  assert.equal(kept(f.comment), kept(sent.comment), `${what}: the comment is kept`);
  const errors = Object.entries(f.errors).filter(([, v]) => v !== null);
  if (field) {
    assert.deepEqual(errors.map(([k]) => k), [field],
      `${what}: one .field-error, next to ${field}; got ${JSON.stringify(f.errors)} ` +
      `and form error ${JSON.stringify(f.formError)}`);
    assert.equal(f.formError, null, `${what}: no .form-error on top as well`);
    assert.match(f.errors[field], ONE_SENTENCE, `${what}: one sentence`);
  } else {
    assert.deepEqual(errors, [], `${what}: no .field-error`);
    assert.ok(f.formError, `${what}: a .form-error on top of the form`);
    assert.match(f.formError, ONE_SENTENCE, `${what}: one sentence`);
  }
  assert.match(res.headers.get('cache-control') || '', /no-store/,
    `${what}: a page with a token and the reader's text is not stored by caches`);
}

// The comments stored on `site` whose author is `name`.
function storedBy(site, name) {
  return listComments(site, 'all').filter((r) => r.rest.includes(name));
}

// Checks the server still answers /healthz.
async function healthy(base) {
  const res = await request(`${base}/healthz`);
  assert.equal(res.status, 200);
  assert.equal(res.body.trim(), 'ok');
}

describe('comments: the form and its failures (pre-moderation)', T, () => {
  let srv;
  let site;
  let base;
  let A;
  let B;

  before(async () => {
    ({ site } = commentSite([
      { title: 'Ferry timetable changes' },
      { title: 'Library opens on Sundays' },
    ], { moderation: 'pre', max_length: 200 }));
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    [A, B] = await articlePaths(base, ['Ferry timetable changes', 'Library opens on Sundays']);
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it('an article page has the form: question, spoken question, token, honeypot', async () => {
    const page = await openArticle(base, A);
    assert.equal(page.status, 200);
    const f = page.form;
    assert.ok(f, 'the page has a comment form');
    assert.equal(f.method, 'post');
    // The fragment brings a reader shown the form again straight to it.
    assert.equal(f.action, `/news/${idOf(A)}/comments#leave-a-comment`);
    assert.match(f.question, /^\d+ [+\-x] \d+ =$/);
    assert.ok(Number.isInteger(solve(f.question)) && solve(f.question) >= 0);
    assert.match(f.spoken, /^What is \d+ (plus|minus|times) \d+\?$/);
    assert.ok(f.token && f.token.length > 20, 'a token');
    assert.ok(f.hasAnswer, 'an answer field');
    assert.ok(f.hasHoneypot, 'the honeypot field');
    assert.match(page.body, /<div class="form-trap" hidden>[\s\S]*?name="website"[\s\S]*?<\/div>/,
      'the honeypot sits in a hidden div');
    assert.equal(f.parent, null, 'no parent field unless replying');
  });

  it('every response carries a fresh token', async () => {
    const tokens = new Set();
    for (let i = 0; i < 4; i++) tokens.add((await openArticle(base, A)).form.token);
    assert.equal(tokens.size, 4);
  });

  it('a wrong answer: 422, text kept, fresh token, error next to the answer', async () => {
    const page = await openArticle(base, A);
    const sent = fieldsFor(page.form, {
      name: 'Wanda Wrong', email: 'wanda@example.org',
      comment: 'Line one\nLine two & <three>',
      answer: String(solve(page.form.question) + 1),
    });
    const res = await submit(base, page.form.action, sent);
    assertAgain(res, sent, 422, 'answer');
    assert.deepEqual(storedBy(site, 'Wanda Wrong'), []);
  });

  it('the corrected form (its new question answered) is taken', async () => {
    const page = await openArticle(base, A);
    const name = uniq('Carla');
    const sent = fieldsFor(page.form, { name, answer: '1000' });
    const again = await submit(base, page.form.action, sent);
    assertAgain(again, sent, 422, 'answer');
    const fixed = fieldsFor(again.form, { name: again.form.name, comment: again.form.comment });
    const res = await submit(base, again.form.action, fixed);
    assert.equal(res.status, 303, res.body.slice(0, 300));
    assert.equal(res.location, heldLocation(A));
    assert.equal(storedBy(site, name).length, 1);
  });

  it('an empty answer: 422 next to the answer', async () => {
    const page = await openArticle(base, A);
    const sent = fieldsFor(page.form, { name: 'Emma Empty', answer: '' });
    assertAgain(await submit(base, page.form.action, sent), sent, 422, 'answer');
    const again = await openArticle(base, A);
    const blank = fieldsFor(again.form, { name: 'Emma Empty', answer: '   ' });
    assertAgain(await submit(base, again.form.action, blank), blank, 422, 'answer');
  });

  it('an answer that is not a number: 422 next to the answer', async () => {
    const page = await openArticle(base, A);
    const sent = fieldsFor(page.form, { name: 'Nora Nan', answer: 'banana' });
    assertAgain(await submit(base, page.form.action, sent), sent, 422, 'answer');
  });

  it('the answer in words ("seven", " Twenty-one ") is right', async () => {
    for (const style of [(w) => w, (w) => ` ${w[0].toUpperCase()}${w.slice(1)} `]) {
      const page = await openArticle(base, A);
      const name = uniq('Wordy');
      const sent = fieldsFor(page.form, { name, answer: style(numberWords(solve(page.form.question))) });
      const res = await submit(base, page.form.action, sent);
      assert.equal(res.status, 303, `answer ${JSON.stringify(sent.answer)} to ` +
        `"${page.form.question}": ${res.status}\n${res.body.slice(0, 300)}`);
      assert.equal(res.location, heldLocation(A));
      assert.equal(storedBy(site, name).length, 1);
    }
  });

  it('a missing or blank name: 422 next to the name', async () => {
    for (const name of [undefined, '', '   ']) {
      const page = await openArticle(base, A);
      const sent = fieldsFor(page.form, { name, comment: 'Nameless but sincere.' });
      const res = await submit(base, page.form.action, sent);
      assertAgain(res, sent, 422, 'name');
    }
  });

  it('an empty comment: 422 next to the comment', async () => {
    for (const comment of [undefined, '', ' \n\t ']) {
      const page = await openArticle(base, A);
      const sent = fieldsFor(page.form, { name: 'Quiet Quentin', comment });
      assertAgain(await submit(base, page.form.action, sent), sent, 422, 'body');
    }
  });

  it('a malformed email: 422 next to the email', async () => {
    const page = await openArticle(base, A);
    const sent = fieldsFor(page.form, { name: 'Mail Mallory', email: 'not an address' });
    assertAgain(await submit(base, page.form.action, sent), sent, 422, 'email');
  });

  it('a comment over max_length characters: 422 naming the limit', async () => {
    const page = await openArticle(base, A);
    const sent = fieldsFor(page.form, { name: 'Long Lena', comment: 'é'.repeat(201) });
    const res = await submit(base, page.form.action, sent);
    assertAgain(res, sent, 422, 'body');
    assert.match(res.form.errors.body, /\b200\b/, res.form.errors.body);
  });

  it('a comment of exactly max_length characters (not bytes) is taken', async () => {
    const page = await openArticle(base, A);
    const name = uniq('Exact');
    const sent = fieldsFor(page.form, { name, comment: 'é'.repeat(200) });
    const res = await submit(base, page.form.action, sent);
    assert.equal(res.status, 303, res.body.slice(0, 300));
    assert.equal(storedBy(site, name).length, 1);
  });

  it('a forged token (one character changed): 422 next to the answer', async () => {
    const page = await openArticle(base, A);
    const t = page.form.token;
    const at = Math.floor(t.length / 2);
    const forged = t.slice(0, at) + (t[at] === 'A' ? 'B' : 'A') + t.slice(at + 1);
    const name = uniq('Forger');
    const sent = fieldsFor(page.form, { name, token: forged });
    assertAgain(await submit(base, page.form.action, sent), sent, 422, 'answer');
    assert.deepEqual(storedBy(site, name), []);
  });

  it('a missing, empty or garbage token: 422 next to the answer', async () => {
    for (const token of [undefined, '', 'not-a-token', 'A'.repeat(5000)]) {
      const page = await openArticle(base, A);
      const name = uniq('Tokenless');
      const sent = fieldsFor(page.form, { name, token });
      assertAgain(await submit(base, page.form.action, sent), sent, 422, 'answer');
      assert.deepEqual(storedBy(site, name), []);
    }
  });

  it("article B's token posted to article A: refused with 422", async () => {
    const pageB = await openArticle(base, B);
    const pageA = await openArticle(base, A);
    const name = uniq('Crosser');
    const sent = fieldsFor(pageB.form, { name });
    const res = await submit(base, pageA.form.action, sent);
    assertAgain(res, sent, 422, 'answer');
    assert.deepEqual(storedBy(site, name), []);
  });

  it('a filled honeypot: answered like a held comment (303), nothing stored', async () => {
    const name = uniq('Honeybot');
    const res = await postComment(base, A, { name, website: 'http://spam.example/' });
    assert.equal(res.status, 303);
    assert.equal(res.location, heldLocation(A));
    assert.deepEqual(storedBy(site, name), []);
  });

  it('an unknown article is 404; a POST with a parent that is not a number is 4xx', async () => {
    const page = await openArticle(base, A);
    const res = await submit(base, '/news/99999/comments', fieldsFor(page.form));
    assert.equal(res.status, 404);
    const bad = await submit(base, page.form.action, fieldsFor(page.form, { parent: 'abc' }));
    assert.ok(bad.status >= 400 && bad.status < 500, `parent=abc: ${bad.status}`);
    await healthy(base);
  });

  describe('a held comment, then moderation from the command line', () => {
    let name;
    let id;

    it('is answered 303 to ?held=1#comments, and the page says it awaits moderation', async () => {
      name = uniq('Patience');
      const res = await postComment(base, A, { name, comment: 'Worth the wait.' });
      assert.equal(res.status, 303, res.body.slice(0, 300));
      assert.equal(res.location, heldLocation(A));
      const page = await openArticle(base, res.location.replace(/#.*$/, ''), '');
      assert.equal(page.status, 200);
      const thread = readThread(page.body);
      assert.match(thread.notice || '', /Your comment is awaiting moderation\./);
      assert.ok(!page.body.includes('Worth the wait.'), 'the held comment is not on the page');
    });

    it('is listed as pending by `gazette comments list`', () => {
      const rows = storedBy(site, name);
      assert.equal(rows.length, 1, JSON.stringify(rows));
      assert.equal(rows[0].status, 'pending');
      assert.equal(rows[0].article, idOf(A));
      id = rows[0].id;
      const pending = listComments(site, 'pending', idOf(A)).map((r) => r.id);
      assert.ok(pending.includes(id), `--status pending --article lists ${id}: ${pending}`);
      const other = listComments(site, 'all', idOf(B)).map((r) => r.id);
      assert.ok(!other.includes(id), '--article B does not list it');
    });

    it('is in neither Atom feed while pending', async () => {
      for (const feed of [`/news/${idOf(A)}/comments.atom`, '/comments.atom']) {
        const res = await request(base + feed);
        assert.equal(res.status, 200, feed);
        assert.ok(!res.body.includes(`#comment-${id}<`), `${feed} lists pending comment ${id}`);
      }
    });

    it('appears on the next GET once approved (no restart), and in both feeds', async () => {
      moderate(site, 'approve', id);
      assert.equal(storedBy(site, name)[0].status, 'approved');
      const page = await openArticle(base, A);
      const items = flatten(readThread(page.body).items);
      const mine = items.find((c) => c.id === id);
      assert.ok(mine, `comment ${id} on the page: ${JSON.stringify(items)}`);
      assert.equal(mine.author, name);
      assert.equal(mine.body, 'Worth the wait.');
      assert.match(page.body, new RegExp(`<li class="comment" id="comment-${id}">`));
      assert.match(page.body, new RegExp(`<bdi>${name}</bdi>`));
      assert.equal(readThread(page.body).count, items.length, 'Comments (N) counts them');
      for (const feed of [`/news/${idOf(A)}/comments.atom`, '/comments.atom']) {
        const res = await request(base + feed);
        assert.equal(res.status, 200, feed);
        assert.match(res.headers['content-type'], /^application\/atom\+xml/);
        const entry = feedEntries(res.body).find((e) => e.id.endsWith(`${A}#comment-${id}`));
        assert.ok(entry, `${feed} has an entry for comment ${id}:\n${res.body.slice(0, 1500)}`);
        assert.equal(entry.author, name);
        assert.match(entry.content, /Worth the wait\./);
        const bad = xmllint(res.body);
        if (bad !== undefined) assert.equal(bad, null, `${feed} is well-formed XML`);
      }
    });

    it('the approved count shows in listings: the front page card links to the comments', async () => {
      const page = await openArticle(base, A);
      const n = readThread(page.body).count;
      assert.ok(n >= 1, 'at least the approved comment');
      const front = await request(`${base}/`);
      const label = n === 1 ? '1 comment' : `${n} comments`;
      assert.ok(front.body.includes(`href="${A}#comments">${label}</a>`),
        `the front page links "${label}" to ${A}#comments`);
    });

    it('reject, spam and delete each take an approved comment off the page and feeds', async () => {
      const ids = {};
      for (const action of ['reject', 'spam', 'delete']) {
        const who = uniq(`To${action}`);
        const res = await postComment(base, A, { name: who, comment: `Soon to ${action}.` });
        assert.equal(res.status, 303);
        const [row] = storedBy(site, who);
        assert.ok(row, `${who} stored`);
        moderate(site, 'approve', row.id);
        ids[action] = row.id;
      }
      let page = await openArticle(base, A);
      for (const cid of Object.values(ids)) {
        assert.match(page.body, new RegExp(`id="comment-${cid}"`), `approved ${cid} is shown`);
      }
      for (const [action, cid] of Object.entries(ids)) {
        moderate(site, action, cid);
        page = await openArticle(base, A);
        assert.ok(!page.body.includes(`id="comment-${cid}"`),
          `after \`gazette comments ${action} ${cid}\` the page still shows it`);
        assert.ok(!page.body.includes(`Soon to ${action}.`));
        for (const feed of [`/news/${idOf(A)}/comments.atom`, '/comments.atom']) {
          const res = await request(base + feed);
          assert.ok(!res.body.includes(`#comment-${cid}<`), `${feed} still lists ${action}ed ${cid}`);
        }
      }
      const statuses = Object.fromEntries(listComments(site, 'all').map((r) => [r.id, r.status]));
      assert.equal(statuses[ids.reject], 'rejected');
      assert.equal(statuses[ids.spam], 'spam');
      assert.equal(statuses[ids.delete], undefined, 'a deleted comment is gone from the list');
      assert.equal(statuses[id], 'approved', 'the first comment is still approved');
    });
  });

  describe('tokens work once', () => {
    it('the same token posted twice: the second is refused with 422', async () => {
      const page = await openArticle(base, A);
      const name = uniq('Replay');
      const sent = fieldsFor(page.form, { name, comment: 'Said once.' });
      const first = await submit(base, page.form.action, sent);
      assert.equal(first.status, 303);
      const second = await submit(base, page.form.action, sent);
      assertAgain(second, sent, 422, 'answer');
      assert.equal(storedBy(site, name).length, 1, 'one comment stored');
    });

    it('a token answered wrongly cannot be tried again with another answer', async () => {
      const page = await openArticle(base, A);
      const name = uniq('Guesser');
      const right = solve(page.form.question);
      const wrong = await submit(base, page.form.action, fieldsFor(page.form, { name, answer: String(right + 1) }));
      assert.equal(wrong.status, 422);
      const sent = fieldsFor(page.form, { name });
      const retry = await submit(base, page.form.action, sent);
      assertAgain(retry, sent, 422, 'answer');
      assert.deepEqual(storedBy(site, name), [], 'guessing through the answers with one token stores nothing');
    });

    it('revalidating the article page after a comment does not hand back the spent token', async () => {
      // A browser keeps the page it was shown and revalidates it with
      // If-None-Match ("private, no-cache"): a 304 makes it show the form
      // with the token just spent again.
      const first = await request(base + A);
      assert.equal(first.status, 200);
      const form = readForm(first.body);
      const name = uniq('Returner');
      const res = await submit(base, form.action, fieldsFor(form, { name }));
      assert.equal(res.status, 303);
      const again = await request(base + A, { headers: { 'If-None-Match': first.headers.etag } });
      assert.equal(again.status, 200, `GET ${A} with If-None-Match: ${first.headers.etag} answered ` +
        `${again.status}: the browser shows its copy of the form, whose token was spent`);
      assert.notEqual(readForm(again.body).token, form.token);
    });

    it('8 POSTs of one token at once: exactly one 303, seven 422, one comment', async () => {
      const page = await openArticle(base, A);
      const name = uniq('Racer');
      const sent = fieldsFor(page.form, { name, comment: 'First!' });
      const all = await Promise.all(Array.from({ length: 8 },
        () => submit(base, page.form.action, sent)));
      const statuses = all.map((r) => r.status).sort();
      assert.deepEqual(statuses, [303, 422, 422, 422, 422, 422, 422, 422],
        `statuses: ${statuses}`);
      for (const r of all.filter((x) => x.status === 422)) assertAgain(r, sent, 422, 'answer');
      assert.equal(storedBy(site, name).length, 1, 'exactly one comment stored');
      await healthy(base);
    });
  });

  describe('malformed and oversized posts', () => {
    it('a 200 KB comment field is 413', async () => {
      const page = await openArticle(base, A);
      const name = uniq('Huge');
      let res;
      try {
        res = await submit(base, page.form.action, fieldsFor(page.form, {
          name, comment: 'x'.repeat(200 * 1024),
        }));
      } catch (e) {
        assert.fail(`the server did not answer a 200 KB post (${e.cause?.code || e.message})`);
      }
      assert.equal(res.status, 413, res.body.slice(0, 300));
      assert.deepEqual(storedBy(site, name), []);
      await healthy(base);
    });

    it('malformed percent-escapes (%ZZ, a lone %) are 400', async () => {
      const page = await openArticle(base, A);
      for (const raw of ['name=%ZZ&comment=%', `name=%ZZ&comment=hello&answer=1&token=${page.form.token}`]) {
        const res = await submit(base, page.form.action, {}, { raw });
        assert.equal(res.status, 400, `${raw}: ${res.status}\n${res.body.slice(0, 300)}`);
        await healthy(base);
      }
    });

    it('an encoded NUL byte (%00) is 400', async () => {
      const page = await openArticle(base, A);
      const res = await submit(base, page.form.action, {},
        { raw: `name=Nul%00Nelly&comment=hello&answer=1&token=${page.form.token}` });
      assert.equal(res.status, 400, `${res.status}\n${res.body.slice(0, 300)}`);
      await healthy(base);
    });

    it('a body that is not a form (application/json) is refused with 4xx', async () => {
      const page = await openArticle(base, A);
      const res = await submit(base, page.form.action, {}, {
        raw: JSON.stringify(fieldsFor(page.form)), headers: { 'Content-Type': 'application/json' },
      });
      assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
      await healthy(base);
    });

    it('a comment with invalid UTF-8 (%FF) is 422 or 400, never stored', async () => {
      const page = await openArticle(base, A);
      const name = uniq('Latin');
      const f = fieldsFor(page.form, { name });
      const raw = `${new URLSearchParams({ ...f, comment: 'PLACEHOLDER' })}`.replace('PLACEHOLDER', 'caf%E9%FF');
      const res = await submit(base, page.form.action, {}, { raw });
      assert.ok([400, 422].includes(res.status), `status ${res.status}`);
      if (res.status === 422) assert.ok(res.form.errors.body, 'the error is next to the comment');
      assert.deepEqual(storedBy(site, name), []);
      await healthy(base);
    });

    it('a repeated field keeps its first value, however long the second', async () => {
      const page = await openArticle(base, A);
      const name = uniq('Twice');
      const f = fieldsFor(page.form, { name, answer: 'wrong' });
      const raw = `${new URLSearchParams(f)}&comment=${'B'.repeat(9000)}`;
      const res = await submit(base, page.form.action, {}, { raw });
      assertAgain(res, f, 422, 'answer');
    });

    // Eight times: how the body is cut into reads differs between runs,
    // and a form parser that loses a field only for some cuts must not
    // pass by luck.
    it('multipart/form-data works like urlencoded, every time', async () => {
      const outcomes = [];
      let last = null;
      for (let i = 0; i < 8; i++) {
        const page = await openArticle(base, A);
        const name = uniq('Multi');
        const sent = fieldsFor(page.form, { name, comment: `Sent as multipart (${i}), ünïcode kept.` });
        const res = await submit(base, page.form.action, sent, { multipart: true });
        const lost = res.form ? Object.entries(res.form.errors).filter(([, v]) => v)
          .map(([k, v]) => `${k}: ${v}`).join('; ') : '';
        outcomes.push(`${res.status}${lost ? ` (${lost})` : ''}`);
        if (res.status === 303) last = { name, sent };
      }
      assert.deepEqual(outcomes, Array(8).fill('303'),
        `8 correct multipart posts answered: ${outcomes.join(', ')}`);
      const [row] = storedBy(site, last.name);
      assert.ok(row, 'stored');
      moderate(site, 'approve', row.id);
      const shown = flatten(readThread((await openArticle(base, A)).body).items)
        .find((c) => c.id === row.id);
      assert.equal(shown?.body, last.sent.comment);
      assert.equal(shown?.author, last.name);
    });

    it('a multipart post with a wrong answer: 422 with the text kept', async () => {
      const again = await openArticle(base, A);
      const wrong = fieldsFor(again.form, { name: 'Multi Wrong', comment: 'multi & wrong', answer: '-1' });
      assertAgain(await submit(base, again.form.action, wrong, { multipart: true }), wrong, 422, 'answer');
    });

    it('a multipart file upload is refused with 4xx', async () => {
      const page = await openArticle(base, A);
      const fd = new FormData();
      for (const [k, v] of Object.entries(fieldsFor(page.form))) fd.append(k, v);
      fd.append('file', new Blob(['hello']), 'hello.txt');
      const res = await fetch(base + page.form.action, { method: 'POST', body: fd, redirect: 'manual' });
      await res.text();
      assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
      await healthy(base);
    });

    it('a POST announcing a huge body with Expect: 100-continue is 413 at once', async () => {
      const r = await rawExchange(srv.port, `POST /news/${idOf(A)}/comments HTTP/1.1\r\n` +
        'Host: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
        `Expect: 100-continue\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n`);
      assert.equal(r.status, 413, r.head);
      await healthy(base);
    });

    it('after all that the server is still up', async () => {
      await healthy(base);
      assert.equal(srv.exited(), null);
    });
  });
});

describe('comments: the default minimum fill time', T, () => {
  let srv;
  let site;
  let A;

  before(async () => {
    // Only the rate limit is raised; min_fill_seconds stays as init wrote it.
    ({ site } = commentSite([{ title: 'Bridge reopens' }], { min_fill_seconds: undefined }));
    const conf = readFileSync(`${site}/gazette.conf`, 'utf8');
    assert.match(conf, /^min_fill_seconds = 3$/m, 'gazette init writes the default of 3 s');
    srv = await startServer(['serve', '--site', site]);
    [A] = await articlePaths(srv.url, ['Bridge reopens']);
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it('a post sent at once gets the form again with its text and a sentence, and stores nothing', async () => {
    // A quick person (a pasted comment) is not silently dropped; a bot
    // gets a new question and must wait again.
    const res = await postComment(srv.url, A, { name: 'Speedy Reader', comment: 'Too fast.' });
    assertAgain(res, res.sent, 422, null);
    assert.match(res.form.formError, /too quickly/);
    assert.deepEqual(listComments(site, 'all'), [], 'nothing stored');
  });

  it('the same post after the minimum fill time is stored', async () => {
    const page = await openArticle(srv.url, A);
    await new Promise((r) => { setTimeout(r, 3200); });
    const res = await submit(srv.url, page.form.action,
      fieldsFor(page.form, { name: 'Patient Person', comment: 'Took my time.' }));
    assert.equal(res.status, 303);
    assert.equal(listComments(site, 'all').length, 1, 'one comment stored');
  });
});

// Expiry end to end: the shortest token_seconds gazette.conf accepts is
// 60, so this waits that long once. It checks an outcome, not a duration:
// the wait is only the way to an expired token.
describe('comments: an expired question (token_seconds = 60)', T, () => {
  let srv;
  let site;
  let A;

  before(async () => {
    ({ site } = commentSite([{ title: 'Clock tower repaired' }], { token_seconds: 60 }));
    srv = await startServer(['serve', '--site', site]);
    [A] = await articlePaths(srv.url, ['Clock tower repaired']);
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it('is refused with the text kept and a new question, and stores nothing', async () => {
    const page = await openArticle(srv.url, A);
    await new Promise((r) => { setTimeout(r, 61500); });
    const sent = fieldsFor(page.form, { name: 'Late Reader', comment: 'Typed slowly.' });
    const res = await submit(srv.url, page.form.action, sent);
    assertAgain(res, sent, 422, 'answer');
    assert.match(res.form.errors.answer, /expired/);
    assert.deepEqual(listComments(site, 'all'), [], 'nothing stored');
  });
});

describe('comments: the rate limit', T, () => {
  let srv;
  let site;
  let A;

  before(async () => {
    ({ site } = commentSite([{ title: 'Market day moves' }], { rate_limit_count: 2 }));
    srv = await startServer(['serve', '--site', site]);
    [A] = await articlePaths(srv.url, ['Market day moves']);
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  // Each post claims another address in X-Forwarded-For, which a server
  // not told to trust a proxy (the default) must ignore.
  const xff = (i) => ({ headers: { 'X-Forwarded-For': `203.0.113.${i}` } });

  it('a wrong answer does not count; the third valid comment is 429 with the text kept', async () => {
    const wrong = await postComment(srv.url, A, { name: 'Rita', answer: '-5' }, '', xff(0));
    assert.equal(wrong.status, 422);
    for (let i = 1; i <= 2; i++) {
      const ok = await postComment(srv.url, A, { name: `Rita${i}`, comment: `Number ${i}.` }, '', xff(i));
      assert.equal(ok.status, 303, `valid comment ${i}: ${ok.status}\n${ok.body.slice(0, 300)}`);
    }
    const third = await postComment(srv.url, A, {
      name: 'Rita Third', email: 'rita@example.org', comment: 'Number three, kept for later.',
    }, '', xff(3));
    assertAgain(third, third.sent, 429, null);
    assert.equal(listComments(site, 'all').length, 2, 'two comments stored');
  });
});

describe('comments: the rate limit behind a trusted proxy (trust_proxy = yes)', T, () => {
  let srv;
  let A;

  before(async () => {
    const { site } = commentSite([{ title: 'Ferry fares frozen' }], { rate_limit_count: 1 });
    setConf(site, 'server', { trust_proxy: 'yes' });
    srv = await startServer(['serve', '--site', site]);
    [A] = await articlePaths(srv.url, ['Ferry fares frozen']);
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  const via = (chain) => ({ headers: { 'X-Forwarded-For': chain } });

  it('counts the address the proxy added (the last one), whatever the client put before it', async () => {
    const a = await postComment(srv.url, A, { name: 'Proxied One' }, '', via('198.51.100.7'));
    assert.equal(a.status, 303);
    const b = await postComment(srv.url, A, { name: 'Proxied Two' }, '', via('198.51.100.8'));
    assert.equal(b.status, 303, 'another reader behind the proxy has a budget of their own');
    const spoof = await postComment(srv.url, A, { name: 'Spoofer', comment: 'Try again.' }, '',
      via('192.0.2.1, 198.51.100.7'));
    assertAgain(spoof, spoof.sent, 429, null);
  });
});

describe('comments: moderation rules (moderation = post)', T, () => {
  let srv;
  let site;
  let base;
  let A;

  before(async () => {
    ({ site } = commentSite([{ title: 'Budget vote delayed' }], {
      moderation: 'post', hold_words: 'lottery, casino', block_words: 'viagra', max_links: 1,
    }));
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    [A] = await articlePaths(base, ['Budget vote delayed']);
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  const cases = [
    ['a plain comment is published at once', { comment: 'Sensible.' }, 'approved'],
    ['a hold word holds it', { comment: 'I won the LOTTERY today.' }, 'pending'],
    ['a block word rejects it, answered like a held one', { comment: 'Cheap Viagra here.' }, 'rejected'],
    ['more links than max_links hold it', { comment: 'See http://a.example/ and https://b.example/' }, 'pending'],
  ];
  for (const [what, fields, status] of cases) {
    it(what, async () => {
      const name = uniq('Mod');
      const res = await postComment(base, A, { name, ...fields });
      assert.equal(res.status, 303, `${res.status}\n${res.body.slice(0, 300)}`);
      if (status === 'approved') assert.ok(publishedId(res.location), res.location);
      else assert.equal(res.location, heldLocation(A));
      const rows = storedBy(site, name);
      assert.equal(rows.length, 1);
      assert.equal(rows[0].status, status);
      const page = (await openArticle(base, A)).body;
      assert.equal(page.includes(`id="comment-${rows[0].id}"`), status === 'approved',
        `comment ${rows[0].id} (${status}) shown on the page`);
    });
  }
});

describe('comments: moderation = first-time', T, () => {
  let srv;
  let site;
  let A;

  before(async () => {
    ({ site } = commentSite([{ title: 'Pool hours extended' }], { moderation: 'first-time' }));
    srv = await startServer(['serve', '--site', site]);
    [A] = await articlePaths(srv.url, ['Pool hours extended']);
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  // The browser is what is known again, by its commenter cookie, never the
  // address typed: tests/http/first-time.test.mjs has the strangers.
  it("holds a new browser's first comment, publishes once one was approved", async () => {
    const email = 'frida@example.org';
    const first = await postComment(srv.url, A, { name: 'Frida', email, comment: 'First.' });
    assert.equal(first.location, heldLocation(A));
    const cookie = (first.headers.get('set-cookie') || '').split(';')[0];
    assert.match(cookie, /^gz_commenter=/);
    const [row] = storedBy(site, 'Frida');
    moderate(site, 'approve', row.id);
    const second = await postComment(srv.url, A, { name: 'Frida', email, comment: 'Second.' },
      '', { headers: { Cookie: cookie } });
    assert.ok(publishedId(second.location), `published at once: ${second.location}`);
    const again = await postComment(srv.url, A, { name: 'Frida', email, comment: 'Third.' });
    assert.equal(again.location, heldLocation(A), 'the address alone: held');
    const stranger = await postComment(srv.url, A, { name: 'Gus', email: 'gus@example.org' });
    assert.equal(stranger.location, heldLocation(A));
    const anonymous = await postComment(srv.url, A, { name: 'Hal', email: '' },
      '', { headers: { Cookie: 'gz_commenter=nonsense' } });
    assert.equal(anonymous.location, heldLocation(A), 'a cookie not of ours: held');
  });
});

describe('comments: configuration the server takes', T, () => {
  // A value gazette.conf's check lets through must start the server (once
  // the check allowed up to 10,000 and the server refused more than 64
  // with "theme: comments: invalid input").
  for (const n of [1, 64, 65, 1000, 10000]) {
    it(`rate_limit_count = ${n} starts the server, or is refused naming the key`, async () => {
      const { site } = tempSite();
      setConf(site, 'comments', { rate_limit_count: n });
      let srv;
      try {
        srv = await startServer(['serve', '--site', site]);
      } catch (e) {
        assert.match(e.message, /rate_limit_count/,
          `serve refuses rate_limit_count = ${n} without naming the key:\n${e.message}`);
        return;
      }
      await stopChecked(srv);
    });
  }
});

// ---- markup and bidi controls ------------------------------------------------

const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const BIDI_NAMES = (s) => [...s].filter((ch) => BIDI.test(ch))
  .map((ch) => `U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}`);

// Asserts `re` does not match `s`, showing where it does.
function absent(s, re, what) {
  const m = re.exec(s);
  if (!m) return;
  assert.fail(`${what}: ${JSON.stringify(s.slice(Math.max(0, m.index - 100), m.index + 60))}`);
}

// Attributes a page or feed content must never carry: event handlers, and
// links or sources with a scheme other than http(s) or a relative path.
function assertNoLiveMarkup(html, where) {
  // The one script element a page may have is its own JSON-LD in the
  // head: a data block, never run, whose text holds no '<' at all.
  const cut = html.indexOf('</head>');
  if (cut >= 0) {
    const head = html.slice(0, cut);
    const blocks = head.match(/<script type="application\/ld\+json">[^<]*<\/script>/g) || [];
    assert.ok(blocks.length <= 1, `${where}: ${blocks.length} JSON-LD blocks`);
    html = head.replace(/<script type="application\/ld\+json">[^<]*<\/script>/, '') + html.slice(cut);
  }
  absent(html, /<script/i, `${where}: a <script> element`);
  for (const tag of html.match(/<[a-zA-Z][^>]*>/g) || []) {
    const attrs = tag.match(/\s([^\s=/>]+)\s*=/g) || [];
    for (const a of attrs) {
      assert.doesNotMatch(a, /^\s*on/i, `${where}: an event handler attribute in ${tag}`);
    }
    for (const name of ['href', 'src', 'action', 'formaction']) {
      const v = attr(tag, name);
      if (v === null) continue;
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(v.replace(/[\s\u0000-\u001f]/g, ''));
      assert.ok(!scheme || /^https?$/i.test(scheme[1]), `${where}: ${name}="${v}" in ${tag}`);
    }
  }
  absent(html, /href\s*=\s*["']?\s*javascript:/i, `${where}: a javascript: link`);
}

const NASTY = [
  { name: '<script>alert(1)</script>', comment: 'Hello <script>alert(1)</script> there' },
  { name: '"><img src=x onerror=alert(1)>', comment: '"><img src=x onerror=alert(1)> and \'><svg onload=alert(1)>' },
  { name: 'Jay Script', comment: 'javascript:alert(1) and JaVaScRiPt:alert(1) and <a href="javascript:alert(1)">x</a>' },
  { name: 'Link Layer', comment: 'See http://example.com/"><script>alert(1)</script> or https://example.org/?q=<img/src/onerror=alert(1)> or www.example.net/" onmouseover="alert(1)' },
  { name: 'Eve \u202Egnp.exe', comment: 'Reversed \u202Etxet\u202C and isolates \u2066a\u2069 \u2067b\u2069 \u2068c\u2069 end' },
  { name: '\u2066Isolde\u2069 \u202Bembedded\u202C', comment: 'Link with a bidi control http://example.com/\u202Eevil' },
];

describe('comments: markup and bidi controls stay text (moderation = post)', T, () => {
  let srv;
  let site;
  let base;
  let A;
  let page;
  const feeds = {};

  before(async () => {
    ({ site } = commentSite([{ title: 'Council minutes published' }],
      { moderation: 'post', max_links: 100 }));
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    [A] = await articlePaths(base, ['Council minutes published']);
    for (const n of NASTY) {
      const res = await postComment(base, A, n);
      assert.equal(res.status, 303, `${JSON.stringify(n)}: ${res.status}\n${res.body.slice(0, 400)}`);
      assert.ok(publishedId(res.location), `published at once: ${res.location}`);
    }
    page = (await openArticle(base, A)).body;
    feeds.article = (await request(`${base}/news/${idOf(A)}/comments.atom`)).body;
    feeds.site = (await request(`${base}/comments.atom`)).body;
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it('every comment is shown, its markup as text', () => {
    const items = flatten(readThread(page).items);
    assert.equal(items.length, NASTY.length);
    assert.equal(items[0].body, NASTY[0].comment);
    assert.equal(items[1].author, NASTY[1].name);
    assert.ok(items[2].body.includes('<a href="javascript:alert(1)">x</a>'), items[2].body);
  });

  it('the article page has no script, event handler or javascript: link', () => {
    assertNoLiveMarkup(page, 'the article page');
  });

  it('links in comments are http(s) only, rel="nofollow ugc noopener"', () => {
    const thread = readThread(page);
    const links = flatten(thread.items).flatMap((c) => openTags(c.bodyHtml, 'a'));
    assert.ok(links.length >= 3, `links made: ${links}`);
    for (const a of links) {
      assert.match(attr(a, 'href'), /^https?:\/\/[^\s"<>]+$/, a);
      assert.equal(attr(a, 'rel'), 'nofollow ugc noopener', a);
    }
  });

  it('the article page has no bidi control characters', () => {
    const found = BIDI_NAMES(page);
    assert.deepEqual(found, [], `bidi controls in the page: ${found.join(' ')}; around: ` +
      JSON.stringify(page.slice(Math.max(0, page.search(BIDI) - 80), page.search(BIDI) + 40)));
  });

  for (const which of ['article', 'site']) {
    it(`the ${which} feed has no live markup once its content is decoded`, () => {
      assertNoLiveMarkup(feeds[which], `the ${which} feed`);
      const entries = feedEntries(feeds[which]);
      assert.equal(entries.length, NASTY.length);
      for (const e of entries) assertNoLiveMarkup(e.content, `a ${which} feed entry's content`);
    });

    it(`the ${which} feed has no bidi control characters`, () => {
      const found = BIDI_NAMES(feeds[which]);
      assert.deepEqual(found, [], `bidi controls in the ${which} feed: ${found.join(' ')}`);
    });

    it(`the ${which} feed is well-formed XML`, (t) => {
      const bad = xmllint(feeds[which]);
      if (bad === undefined) {
        t.skip('xmllint is not installed (apt-get install libxml2-utils)');
        return;
      }
      assert.equal(bad, null, `xmllint: ${bad}`);
    });
  }

  describe('a name with C0 control characters (BEL, ESC)', () => {
    const name = 'Bell\u0007Ringer\u001b[31m';
    let res;
    before(async () => {
      res = await postComment(base, A, { name, comment: 'Ding.' });
    });

    it('is refused next to the name, or published', () => {
      if (res.status === 422) {
        assertAgain(res, res.sent, 422, 'name');
        return;
      }
      assert.equal(res.status, 303, `${res.status}\n${res.body.slice(0, 300)}`);
    });

    it('leaves no C0 control character in the page', async () => {
      const html = (await openArticle(base, A)).body;
      absent(html, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/, 'a C0 control character in the page');
    });

    for (const feed of ['/comments.atom', 'article']) {
      it(`leaves ${feed === 'article' ? 'the article feed' : feed} well-formed XML`, async (t) => {
        const atom = (await request(base + (feed === 'article'
          ? `/news/${idOf(A)}/comments.atom` : feed))).body;
        const bad = xmllint(atom);
        if (bad === undefined) {
          t.skip('xmllint is not installed (apt-get install libxml2-utils)');
          return;
        }
        assert.equal(bad, null, `xmllint: ${bad}`);
      });
    }
  });
});

// ---- closed comments ---------------------------------------------------------------

describe('comments: closed after close_after_days', T, () => {
  let srv;
  let site;
  let base;
  let open;
  let closed;

  before(async () => {
    const old = new Date(Date.now() - 20 * 86400 * 1000).toISOString().slice(0, 16).replace('T', ' ');
    ({ site } = commentSite([
      { title: 'Fresh story' },
      { title: 'Stale story', date: old },
      { title: 'Fresh but closed', comments: 'closed' },
      { title: 'Stale but open', date: old, comments: 'open' },
      { title: 'Stale with thirty days', date: old, comments: 30 },
    ], { moderation: 'post', close_after_days: 14 }));
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    [open, closed] = await articlePaths(base, ['Fresh story', 'Stale story']);
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it('an article older than close_after_days says "Comments are closed." and has no form', async () => {
    const page = await openArticle(base, closed);
    assert.equal(page.status, 200);
    assert.equal(page.form, null, 'no comment form');
    // The header's search box is the one form a closed article keeps.
    const forms = page.body.match(/<form\b[^>]*>/gi) || [];
    assert.deepEqual(forms, ['<form class="site-search" role="search" action="/search" method="get">']);
    assert.doesNotMatch(page.body, /method="post"/i);
    assert.doesNotMatch(page.body, /name="token"/);
    assert.equal(readThread(page.body).closed, 'Comments are closed.');
    assert.doesNotMatch(page.body, /\?reply=/, 'no reply links');
    const fresh = await openArticle(base, open);
    assert.ok(fresh.form, 'the fresh article has its form');
    assert.equal(readThread(fresh.body).closed, null);
  });

  it('a POST to it answers 403 and stores nothing', async () => {
    const fresh = await openArticle(base, open);
    const sent = fieldsFor(fresh.form, { name: 'Late Larry', comment: 'Am I too late?' });
    const res = await submit(base, `/news/${idOf(closed)}/comments`, sent);
    assert.equal(res.status, 403, `${res.status}\n${res.body.slice(0, 300)}`);
    assert.match(res.body, /Comments are closed\./);
    assert.deepEqual(listComments(site, 'all'), []);
    // Its token was not spent on the closed article: it still works where
    // it was made.
    const ok = await submit(base, fresh.form.action, sent);
    assert.equal(ok.status, 303);
  });

  it('front matter "comments:" overrides close_after_days for its article', async () => {
    const [freshClosed, staleOpen, staleThirty] = await articlePaths(base,
      ['Fresh but closed', 'Stale but open', 'Stale with thirty days']);
    for (const [p, isOpen] of [[freshClosed, false], [staleOpen, true], [staleThirty, true]]) {
      const page = await openArticle(base, p);
      assert.equal(page.form !== null, isOpen, `${p}: form ${isOpen ? '' : 'not '}shown`);
      assert.equal(readThread(page.body).closed, isOpen ? null : 'Comments are closed.', p);
    }
    const name = uniq('Overrider');
    const res = await postComment(base, staleOpen, { name });
    assert.ok(publishedId(res.location), `comments: open takes a comment: ${res.status}`);
    const donor = await openArticle(base, open);
    const refused = await submit(base, `/news/${idOf(freshClosed)}/comments`,
      fieldsFor(donor.form, { name: uniq('Overrider') }));
    assert.equal(refused.status, 403);
    assert.equal(storedBy(site, name).length, 1);
  });
});

// ---- replies -----------------------------------------------------------------------

describe('comments: replies nest up to max_depth', T, () => {
  let srv;
  let site;
  let base;
  let A;
  let B;
  const ids = [];

  before(async () => {
    ({ site } = commentSite([{ title: 'Park gets new trees' }, { title: 'Other story' }],
      { moderation: 'post', max_depth: 3 }));
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    [A, B] = await articlePaths(base, ['Park gets new trees', 'Other story']);
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  async function reply(parent, name) {
    const query = parent ? `?reply=${parent}` : '';
    const res = await postComment(base, A, { name, comment: `I am ${name}.` }, query);
    if (parent) {
      assert.equal(res.page.form.parent, String(parent), `?reply=${parent} pre-fills the parent`);
    }
    assert.equal(res.status, 303, `${res.status}\n${res.body.slice(0, 300)}`);
    const id = publishedId(res.location);
    assert.ok(id, `published: ${res.location}`);
    return id;
  }

  it('?reply=ID shows "Replying to" and a hidden parent field', async () => {
    ids.push(await reply(0, 'Root Ruth'));
    const page = await openArticle(base, A, `?reply=${ids[0]}`);
    assert.equal(page.form.parent, String(ids[0]));
    assert.match(page.body, new RegExp(`<input type="hidden" name="parent" value="${ids[0]}">`));
    assert.match(page.form.replyingTo, /^Replying to Root Ruth\./);
    const thread = readThread(page.body);
    assert.equal(thread.items[0].replyUrl, `${A}?reply=${ids[0]}#leave-a-comment`);
  });

  it('a reply nests under its parent in <ol class="comment-replies">', async () => {
    ids.push(await reply(ids[0], 'Reply Rob'));
    const page = await openArticle(base, A);
    const [root] = readThread(page.body).items;
    assert.equal(root.id, ids[0]);
    assert.deepEqual(root.replies.map((r) => r.id), [ids[1]]);
    assert.match(page.body, new RegExp(
      `id="comment-${ids[0]}">[\\s\\S]*?<ol class="comment-replies">\\s*<li class="comment" id="comment-${ids[1]}">`));
  });

  it('replies deeper than max_depth flatten at the last level', async () => {
    ids.push(await reply(ids[1], 'Third Tess'));   // depth 2: the last level
    ids.push(await reply(ids[2], 'Fourth Finn'));  // would be 3: joins depth 2
    ids.push(await reply(ids[3], 'Fifth Fay'));    // would be 4: joins depth 2
    const page = await openArticle(base, A);
    const thread = readThread(page.body);
    const flat = flatten(thread.items);
    const depth = Object.fromEntries(flat.map((c) => [c.id, c.depth]));
    const parent = Object.fromEntries(flat.map((c) => [c.id, c.parent]));
    assert.deepEqual(ids.map((id) => depth[id]), [0, 1, 2, 2, 2], JSON.stringify(flat.map(
      ({ id, depth: d, parent: p }) => ({ id, d, p }))));
    assert.equal(parent[ids[2]], ids[1]);
    assert.equal(parent[ids[3]], ids[1]);
    assert.equal(parent[ids[4]], ids[1]);
    assert.equal(thread.count, 5);
    // A comment's number is its id: what `gazette comments list` shows.
    assert.deepEqual(flat.map((c) => c.number), flat.map((c) => c.id), 'numbered by id');
    assert.deepEqual(flat.map((c) => c.id), [...ids].sort((x, y) => x - y), 'oldest first');
  });

  it('?reply= of a comment on another article, or of none, is not a reply', async () => {
    const other = await postComment(base, B, { name: 'Elsewhere Ed' });
    const otherId = publishedId(other.location);
    assert.ok(otherId);
    for (const q of [`?reply=${otherId}`, '?reply=999999', '?reply=abc']) {
      const page = await openArticle(base, A, q);
      assert.equal(page.status, 200, q);
      assert.equal(page.form.parent, null, `${q}: no parent field`);
      assert.equal(page.form.replyingTo, null, `${q}: no "Replying to"`);
    }
  });

  it('a reply to a comment that is not there: 422, text kept, nothing stored', async () => {
    const page = await openArticle(base, A);
    const sent = fieldsFor(page.form, { name: 'Orphan Olga', comment: 'To whom?', parent: '999999' });
    const res = await submit(base, page.form.action, sent);
    assertAgain(res, sent, 422, 'body');
    assert.equal(res.form.parent, null, 'the form no longer replies');
    assert.deepEqual(storedBy(site, 'Orphan Olga'), []);
  });
});
