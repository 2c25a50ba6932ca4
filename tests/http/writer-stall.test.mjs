// writer-stall.test.mjs - readers keep being served while another process
// holds the database's write lock (an import, `gazette comments approve`,
// someone's `BEGIN IMMEDIATE` in the sqlite3 shell) and comment POSTs that
// must write keep arriving.
//
// A refused comment (a wrong answer) spends its token's nonce, a database
// write. That write goes to the store's writer thread with the request
// suspended, like a stored comment's: no server thread waits for the lock.
// When the spend waited on the server thread instead, a few such POSTs took
// every worker thread and a GET of a cached page waited for the lock
// (about 11 s with a lock held 12 s).
//
// Not a timing test: the bound on each GET is a generous liveness check,
// far below how long the lock is held, so "answered while the lock is
// held" is what it asserts.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  articlePaths, commentSite, fieldsFor, openArticle, setConf, solve, submit,
} from '../lib/comments.mjs';
import { request, slow, startServer, stopChecked } from '../lib/gazette.mjs';

const haveSqlite = !spawnSync('sqlite3', ['-version']).error;
const T = { timeout: slow(180000), skip: !haveSqlite && 'no sqlite3 shell' };

// Comment POSTs sent while the lock is held: ten times the worker threads.
const POSTS = 40;
const THREADS = 4;
const WAVE = 5;
const WAVE_SPACING_MS = 150;
// How long one GET may take while the lock is held before it counts as
// not answered: generous, and well below the lock's hold (several GETs
// spaced over more than the store's 5 s busy timeout).
const GET_BOUND_MS = slow(3000);
const GETS = 8;
const GET_SPACING_MS = 700;

const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

// Holds the write lock of `db` from another process (the sqlite3 shell)
// until release() is called. Resolves once the lock is held.
async function holdWriteLock(db) {
  const holder = spawn('sqlite3', [db], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  holder.stderr.on('data', (c) => { err += c; });
  const exited = new Promise((resolve) => { holder.on('exit', resolve); });
  await new Promise((resolve, reject) => {
    let out = '';
    holder.stdout.on('data', (c) => {
      out += c;
      if (out.includes('holding')) resolve();
    });
    holder.on('exit', (code) => reject(new Error(`sqlite3 exited ${code}: ${err}`)));
    holder.stdin.write("BEGIN IMMEDIATE;\nSELECT 'holding';\n");
  });
  return {
    held: () => holder.exitCode === null,
    release: async () => {
      if (holder.exitCode === null) {
        holder.stdin.end('COMMIT;\n');
        await exited;
      }
    },
  };
}

describe('a write lock held by another process', T, () => {
  let srv;
  let site;
  let A;

  before(async () => {
    ({ site } = commentSite([{ title: 'Harbour dredging starts' }]));
    // Each POST comes from its own address behind the "proxy", so the
    // failure limit per address plays no part here.
    setConf(site, 'server', { trust_proxy: 'yes', threads: THREADS });
    srv = await startServer(['serve', '--site', site]);
    [A] = await articlePaths(srv.url, ['Harbour dredging starts']);
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it('does not stop a cached page from being answered while refused POSTs wait to write', async () => {
    const robots = `${srv.url}/robots.txt`;
    assert.equal((await request(robots)).status, 200, 'robots.txt is served (and now cached)');
    const forms = [];
    for (let i = 0; i < POSTS; i++) {
      const page = await openArticle(srv.url, A);
      assert.equal(page.status, 200);
      forms.push(page.form);
    }

    const lock = await holdWriteLock(path.join(site, 'gazette.db'));
    let posts;
    const late = [];
    try {
      // In waves: a thread busy with one wave accepts no connection of
      // the next, so the waves reach every worker thread.
      posts = [];
      for (let i = 0; i < POSTS; i++) {
        if (i > 0 && i % WAVE === 0) await sleep(WAVE_SPACING_MS);
        const form = forms[i];
        const sent = fieldsFor(form, {
          name: `Guesser ${i}`, comment: `Guess number ${i}.`, answer: String(solve(form.question) + 1),
        });
        posts.push(submit(srv.url, form.action, sent, {
          headers: { 'X-Forwarded-For': `198.51.100.${i + 1}` },
        }).then((res) => ({ res, sent }), (error) => ({ error, sent })));
      }
      // Give the last wave time to reach the server.
      await sleep(500);
      for (let g = 0; g < GETS; g++) {
        let timer;
        const answered = request(robots).then((res) => ({ res }), (error) => ({ error }));
        const bound = new Promise((resolve) => {
          timer = setTimeout(() => resolve({ timedOut: true }), GET_BOUND_MS);
        });
        const r = await Promise.race([answered, bound]);
        clearTimeout(timer);
        if (r.timedOut || r.error) {
          late.push(`#${g} ${r.error ? r.error.message : 'no answer yet'}`);
          await answered; // the server is blocked; wait it out, then fail below
        } else {
          assert.equal(r.res.status, 200, `GET /robots.txt #${g}`);
          assert.ok(lock.held(), 'the write lock was still held when the GET was answered');
        }
        await sleep(GET_SPACING_MS);
      }
    } finally {
      await lock.release();
    }
    assert.deepEqual(late, [], `GETs of /robots.txt not answered within ${GET_BOUND_MS} ms ` +
      `while the write lock was held (of ${GETS}): ${late.join('; ')}`);

    // Once the lock is gone, every POST has its usual refusal: the form
    // again with the text kept and the answer's sentence.
    const results = await Promise.all(posts);
    for (const { res, sent, error } of results) {
      assert.ifError(error);
      assert.equal(res.status, 422, `${sent.name}: ${res.status}\n${res.body.slice(0, 300)}`);
      assert.ok(res.form, `${sent.name}: the article page with the form again`);
      assert.equal(res.form.comment, sent.comment, `${sent.name}: the text is kept`);
      assert.match(res.form.errors.answer || '', /not right/, `${sent.name}: the answer's sentence`);
      assert.notEqual(res.form.token, sent.token, `${sent.name}: a fresh token`);
    }

    // And the writer is free again: a right answer is stored.
    const page = await openArticle(srv.url, A);
    const ok = await submit(srv.url, page.form.action, fieldsFor(page.form, { name: 'After The Lock' }),
      { headers: { 'X-Forwarded-For': '198.51.100.200' } });
    assert.equal(ok.status, 303, `a comment after the lock: ${ok.status}\n${ok.body.slice(0, 300)}`);
  });
});
