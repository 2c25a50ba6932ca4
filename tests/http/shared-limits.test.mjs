// shared-limits.test.mjs - two gazette nodes on one PostgreSQL share
// their limits (issue 16, "Shared state"; docs/security.md, "Limits
// every node shares"): two site directories with the same gazette.conf
// (the same secret, [store] url naming one fresh schema) served at once,
// and a client that splits its requests between them:
//   (a) comments from one address hit the rate limit at the configured
//       count in total, not per node;
//   (b) wrong passwords for one account hit the sign-in throttle at its
//       count in total;
//   (c) a sign-in form's token spent on node A is refused on node B;
//   (d) with the limits' table unreadable, both are refused 503 (the
//       limits fail closed, never open).
// The database holds no client address. Skipped without GAZETTE_TEST_PG.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Jar, addUser, csrfOf, getWith, postWith, signedIn } from '../lib/admin.mjs';
import { articlePaths, postComment, setConf } from '../lib/comments.mjs';
import { markdown, writeArticle } from '../lib/fixtures.mjs';
import { runOk, slow, startServer, stopChecked, tempSite } from '../lib/gazette.mjs';

const SERVER = process.env.GAZETTE_TEST_PG || '';
const PSQL = '/usr/bin/psql';
const T = { timeout: slow(120000) };
const PW = 'correct horse battery';
// [comments] rate_limit_count: comments one address may post per hour.
const RATE = 4;
// GZ_LIMIT_SIGNIN_FAILS_ACCOUNT (src/util/limits.h).
const ACCOUNT_FAILS = 5;

function psql(url, query) {
  const r = spawnSync(PSQL, ['-qAt', '-v', 'ON_ERROR_STOP=1', url, '-c', query],
    { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe('two nodes on one PostgreSQL share their limits', {
  timeout: slow(300000),
  skip: (!SERVER && 'GAZETTE_TEST_PG is not set: no PostgreSQL for two nodes') ||
    (spawnSync(PSQL, ['--version']).status !== 0 && 'no psql'),
}, () => {
  const schema = `shared_${process.pid}`;
  const url = `${SERVER}${SERVER.includes('?') ? '&' : '?'}options=-csearch_path%3D${schema}`;
  let A;
  let B;
  let article;

  before(async () => {
    psql(SERVER, `CREATE SCHEMA ${schema}`);
    const { dir, site: siteA } = tempSite({ title: 'The Two Node Times' });
    setConf(siteA, 'store', { url });
    setConf(siteA, 'server', { trust_proxy: 'yes' });
    setConf(siteA, 'comments', {
      min_fill_seconds: 0, rate_limit_count: RATE, rate_limit_seconds: 3600,
    });
    runOk(['import', '--site', siteA, writeArticle(dir, 'a.md', markdown({
      title: 'Ferry timetable changes', date: new Date(Date.now() - 3600e3).toISOString(),
    }, 'The morning ferry leaves earlier.\n'))]);
    addUser(siteA, 'ann', 'admin', PW);
    addUser(siteA, 'bob', 'editor', PW);
    // Node B: its own directory, the same gazette.conf (secret included).
    const { site: siteB } = tempSite({ title: 'Node B' });
    copyFileSync(path.join(siteA, 'gazette.conf'), path.join(siteB, 'gazette.conf'));
    assert.equal(readFileSync(path.join(siteB, 'gazette.conf'), 'utf8'),
      readFileSync(path.join(siteA, 'gazette.conf'), 'utf8'));
    A = await startServer(['serve', '--site', siteA]);
    B = await startServer(['serve', '--site', siteB]);
    [article] = await articlePaths(A.url, ['Ferry timetable changes']);
  }, T);

  after(async () => {
    try {
      if (A) await stopChecked(A);
      if (B) await stopChecked(B);
    } finally {
      psql(SERVER, `DROP SCHEMA ${schema} CASCADE`);
    }
  });

  it(`takes ${RATE} comments from one address across both nodes, then 429 on either`, T,
    async () => {
      const via = { headers: { 'X-Forwarded-For': '192.0.2.77' } };
      const statuses = [];
      for (let i = 0; i < RATE + 2; i++) {
        const node = i % 2 ? B : A;
        const res = await postComment(node.url, article,
          { name: `Reader ${i}`, comment: `Comment number ${i}.` }, '', via);
        statuses.push(res.status);
      }
      assert.deepEqual(statuses, [...Array(RATE).fill(303), 429, 429],
        `statuses A,B,A,B...: ${statuses}`);
      // Another address is not limited by the first.
      const other = await postComment(B.url, article, { comment: 'Another reader.' }, '',
        { headers: { 'X-Forwarded-For': '192.0.2.78' } });
      assert.equal(other.status, 303);
      // Counted in the database, by keyed hash only: no address there.
      assert.ok(Number(psql(url, 'SELECT count(*) FROM limit_hits')) >= RATE + 1);
      assert.equal(psql(url, "SELECT count(*) FROM limit_hits WHERE position(" +
        "convert_to('192.0.2.77', 'UTF8') IN key) > 0"), '0');
    });

  it(`throttles an account after ${ACCOUNT_FAILS} wrong passwords across both nodes`, T,
    async () => {
      const statuses = [];
      for (let i = 0; i < ACCOUNT_FAILS + 2; i++) {
        const node = i % 2 ? B : A;
        // Each try from its own address: only the account's count binds.
        const headers = { 'X-Forwarded-For': `198.51.100.${i + 1}` };
        const jar = new Jar();
        const form = await getWith(node.url, jar, '/admin/login', headers);
        assert.equal(form.status, 200);
        const res = await postWith(node.url, jar, '/admin/login',
          { csrf: csrfOf(form.body), name: 'bob', password: `wrong ${i}`, next: '/admin' },
          { headers });
        statuses.push(res.status);
      }
      assert.deepEqual(statuses, [...Array(ACCOUNT_FAILS).fill(422), 429, 429],
        `statuses A,B,A,B...: ${statuses}`);
    });

  it('refuses on node B a sign-in token spent on node A', T, async () => {
    const headers = { 'X-Forwarded-For': '203.0.113.9' };
    const jar = new Jar();
    const form = await getWith(A.url, jar, '/admin/login', headers);
    const login = jar.get('gz_login');
    assert.ok(login, 'a gz_login cookie');
    const fields = { csrf: csrfOf(form.body), name: 'ann', password: PW, next: '/admin' };
    const ok = await postWith(A.url, jar, '/admin/login', fields, { headers });
    assert.equal(ok.status, 303, ok.body);
    const sessions = psql(url, 'SELECT count(*) FROM sessions');
    // The same form and cookie, sent to the other node.
    const again = await postWith(B.url, new Jar(), '/admin/login', fields,
      { headers: { ...headers, Cookie: `gz_login=${login}` } });
    assert.equal(again.status, 403, 'a token spent on A signs in on B no more');
    assert.equal(psql(url, 'SELECT count(*) FROM sessions'), sessions);
    assert.equal(psql(url, 'SELECT count(*) FROM login_spent'), '1');
  });

  // Last: it breaks the limits' table under both nodes for a moment.
  it('fails closed: with the limits unreadable, comments and sign-ins are refused 503', T,
    async () => {
      // Signed in first (on B), for the account page's password check.
      const staff = await signedIn(B.url, 'ann', PW, { ip: '203.0.113.10' });
      const acctCsrf = csrfOf((await getWith(B.url, staff, '/admin/account')).body);
      psql(url, 'ALTER TABLE limit_hits RENAME TO limit_hits_away');
      try {
        const headers = { 'X-Forwarded-For': '192.0.2.99' };
        const comment = await postComment(B.url, article, { comment: 'While it is down.' }, '',
          { headers });
        assert.equal(comment.status, 503, 'a comment is not taken unlimited');
        const jar = new Jar();
        const form = await getWith(A.url, jar, '/admin/login', headers);
        const res = await postWith(A.url, jar, '/admin/login',
          { csrf: csrfOf(form.body), name: 'ann', password: PW, next: '/admin' }, { headers });
        assert.equal(res.status, 503, 'a sign-in is not let through unthrottled');
        assert.match(res.body, /Try again in a moment/);
        const change = await postWith(B.url, staff, '/admin/account/password',
          { csrf: acctCsrf, current: PW, new: 'a brand new passphrase',
            confirm: 'a brand new passphrase' }, { headers: { 'X-Forwarded-For': '203.0.113.10' } });
        assert.equal(change.status, 503, 'a password check is not let through unthrottled');
      } finally {
        psql(url, 'ALTER TABLE limit_hits_away RENAME TO limit_hits');
      }
      // Back: the same reader's comment is taken again.
      const again = await postComment(B.url, article, { comment: 'Back again.' }, '',
        { headers: { 'X-Forwarded-For': '192.0.2.99' } });
      assert.equal(again.status, 303);
    });
});
