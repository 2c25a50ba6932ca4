// admin-signin-attacks.test.mjs - the newsroom's sign-in under attack,
// over HTTP, on a real server: many wrong passwords at once, the rehash
// after a sign-in done off the server's threads, and the rules that
// close the holes of issue 14 (docs/security.md, "Newsroom sign-in").
//
// One site (hash_cost = minimum, trust_proxy = yes so that each test
// signs in from its own X-Forwarded-For address) serves most blocks.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  Jar, addUser, adminSite, csrfOf, getWith, postWith, signIn, signedIn, sql,
} from '../lib/admin.mjs';
import { request, slow, startServer, stopChecked } from '../lib/gazette.mjs';

const T = { timeout: slow(120000) };
const PW = 'correct horse battery';

let ipSerial = 0;
const freshIp = () => `10.9.${Math.floor(++ipSerial / 250)}.${ipSerial % 250 + 1}`;

describe('admin sign-in under attack', () => {
  let srv;
  let base;
  let site;

  before(async () => {
    ({ site } = adminSite({ trustProxy: true }));
    addUser(site, 'ann', 'admin', PW);
    addUser(site, 'bob', 'editor', PW);
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
  }, T);

  after(async () => { if (srv) await stopChecked(srv); });

  it('hashes no more than 5 of 30 wrong passwords sent at once', T, async () => {
    const ip = freshIp();
    // Thirty forms first, then thirty POSTs at once: none has an answer
    // when the others are checked.
    const forms = await Promise.all(Array.from({ length: 30 }, async () => {
      const jar = new Jar();
      const form = await getWith(base, jar, '/admin/login', { 'X-Forwarded-For': ip });
      return { jar, csrf: csrfOf(form.body) };
    }));
    const answers = await Promise.all(forms.map(({ jar, csrf }, i) =>
      postWith(base, jar, '/admin/login',
        { csrf, name: 'bob', password: `wrong password number ${i}`, next: '/admin' },
        { headers: { 'X-Forwarded-For': ip } })));
    const statuses = answers.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 422).length, 5, `statuses: ${statuses}`);
    assert.equal(statuses.filter((s) => s === 429).length, 25, `statuses: ${statuses}`);
    assert.equal(sql(site, "SELECT count(*) FROM audit_log WHERE action = 'signin-failed' " +
      "AND object = 'user:bob'"), '5', 'five were tried');
  });
});

describe('admin sign-in rehash', () => {
  it('makes a weaker hash again at the site\'s cost, off the server\'s threads', T, async () => {
    const { site } = adminSite();
    addUser(site, 'ann', 'admin', PW);
    const old = sql(site, "SELECT password_hash FROM users WHERE name = 'ann'");
    const conf = path.join(site, 'gazette.conf');
    writeFileSync(conf, readFileSync(conf, 'utf8')
      .replace(/^hash_cost = .*$/m, 'hash_cost = interactive'));
    const srv = await startServer(['serve', '--site', site]);
    try {
      const jar = await signedIn(srv.url, 'ann', PW);
      assert.equal((await getWith(srv.url, jar, '/admin/account')).status, 200);
      const now = sql(site, "SELECT password_hash FROM users WHERE name = 'ann'");
      assert.notEqual(now, old, 'rehashed');
      assert.match(now, /^\$argon2id\$v=19\$m=65536,/, 'at the interactive cost');
      // The new hash is the same password's.
      const again = await signIn(srv.url, 'ann', PW);
      assert.equal(again.res.status, 303);
      assert.equal(sql(site, "SELECT password_hash FROM users WHERE name = 'ann'"), now,
        'made once');
    } finally {
      await stopChecked(srv);
    }
  });
});
