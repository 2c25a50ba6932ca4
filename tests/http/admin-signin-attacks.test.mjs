// admin-signin-attacks.test.mjs - the newsroom's sign-in under attack,
// over HTTP, on a real server (issue 14; docs/security.md, "Newsroom
// sign-in"): thirty wrong passwords at once, wrong codes between right
// passwords, admin POSTs that name no origin (every POST route of
// `gazette routes`, the two sign-in steps with their own valid tokens),
// and the rehash after a sign-in, done off the server's threads.
//
// One site (hash_cost = minimum, trust_proxy = yes so that each test
// signs in from its own X-Forwarded-For address) serves most blocks.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  Jar, addUser, adminSite, csrfOf, getWith, postWith, signIn, signedIn, snapshot, sql, stepOf,
  totpAt,
} from '../lib/admin.mjs';
import { plainText, writeArticle } from '../lib/fixtures.mjs';
import { request, runOk, slow, startServer, stopChecked } from '../lib/gazette.mjs';

const T = { timeout: slow(120000) };
const PW = 'correct horse battery';

let ipSerial = 0;
const freshIp = () => `10.9.${Math.floor(++ipSerial / 250)}.${ipSerial % 250 + 1}`;

describe('admin sign-in under attack', () => {
  let srv;
  let base;
  let site;

  before(async () => {
    let dir;
    ({ dir, site } = adminSite({ trustProxy: true }));
    // An article, so that the article routes' {id} names a real one.
    runOk(['import', '--site', site, writeArticle(dir, 'story.txt',
      plainText('Council approves the bridge', ['The vote was seven to two.']))]);
    addUser(site, 'ann', 'admin', PW);
    addUser(site, 'bob', 'editor', PW);
    addUser(site, 'gus', 'writer', PW);
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

  it('counts wrong codes against the account until a full sign-in; a right password ' +
    'does not reset them', T, async () => {
    // carol has a second factor whose secret the test knows.
    addUser(site, 'carol', 'editor', PW);
    const secret = Buffer.alloc(20, 7);
    sql(site, `UPDATE users SET totp_secret = X'${secret.toString('hex')}' ` +
      "WHERE name = 'carol'");
    const near = new Set([-1, 0, 1].map((d) => totpAt(secret, stepOf() + d)));
    const wrongTotp = ['000000', '111111', '222222', '333333'].find((c) => !near.has(c));
    // Wrong codes of both kinds: six digits, and a recovery code's shape.
    const wrong = [wrongTotp, 'aaaaa-bbbbb'];
    const statuses = [];
    for (let round = 0; round < 3; round++) {
      // Each round from a new address: it is the account that counts.
      const ip = freshIp();
      const step1 = await signIn(base, 'carol', PW, { ip });
      statuses.push(step1.res.status);
      if (step1.res.status !== 303) break;
      assert.equal(step1.res.headers.location, '/admin/login/code');
      const page = await getWith(base, step1.jar, '/admin/login/code',
        { 'X-Forwarded-For': ip });
      for (const code of wrong) {
        const r = await postWith(base, step1.jar, '/admin/login/code',
          { csrf: csrfOf(page.body), code }, { headers: { 'X-Forwarded-For': ip } });
        statuses.push(r.status);
      }
    }
    // Five failures in all: two rounds of two, then the third round's
    // password (right, not counted) and one more wrong code; the sixth
    // try is refused, code or password.
    assert.deepEqual(statuses, [303, 422, 422, 303, 422, 422, 303, 422, 429]);
    const later = await signIn(base, 'carol', PW, { ip: freshIp() });
    assert.equal(later.res.status, 429, 'the password step is closed too');
    assert.equal(sql(site, "SELECT count(*) FROM audit_log WHERE action = 'signin-failed' " +
      "AND object = 'user:carol'"), '5');
  });

  it('refuses every admin POST that names no origin (neither Origin nor Referer)', T,
    async () => {
      const routes = runOk(['routes', '--site', site]).stdout.trim().split('\n')
        .map((l) => { const [method, pattern] = l.split(' '); return { method, pattern }; })
        .filter((r) => r.method === 'POST' && r.pattern.startsWith('/admin'));
      assert.ok(routes.length >= 10, `admin POST routes: ${routes.length}`);
      const ids = {
        users: sql(site, "SELECT id FROM users WHERE name = 'gus'"),
        articles: sql(site, 'SELECT min(id) FROM articles'),
        comments: sql(site, 'SELECT coalesce(min(id), 1) FROM comments'),
      };
      const fill = (p) => {
        const kind = /^\/admin\/([a-z]+)\//.exec(p);
        return p.replace(/\{rev\}/g, '1')
          .replace(/\{[a-z_]+\}/g, (kind && ids[kind[1]]) || ids.users);
      };
      const ip = freshIp();
      const admin = await signedIn(base, 'ann', PW, { ip });
      const csrf = csrfOf((await getWith(base, admin, '/admin/account')).body);
      // The sign-in form's own cookie and token, and a session owing its
      // code, for the two sign-in routes.
      const login = new Jar();
      const loginCsrf = csrfOf((await getWith(base, login, '/admin/login',
        { 'X-Forwarded-For': ip })).body);
      addUser(site, 'dora', 'editor', PW);
      sql(site, "UPDATE users SET totp_secret = X'0707070707070707070707070707070707070707' " +
        "WHERE name = 'dora'");
      const pending = (await signIn(base, 'dora', PW, { ip })).jar;
      const codeCsrf = csrfOf((await getWith(base, pending, '/admin/login/code',
        { 'X-Forwarded-For': ip })).body);
      // One snapshot around the whole loop (a refused POST changes
      // nothing, so neither do all of them); admin-auth.test.mjs takes
      // one per route.
      const before_ = snapshot(site);
      for (const { pattern } of routes) {
        const p = fill(pattern);
        const jar = p === '/admin/login' ? login : p === '/admin/login/code' ? pending : admin;
        const token = p === '/admin/login' ? loginCsrf
          : p === '/admin/login/code' ? codeCsrf : csrf;
        const fields = { csrf: token, action: 'remove', role: 'admin', name: 'ann',
          password: PW, current: PW, new: 'mallory was here', confirm: 'mallory was here',
          display_name: 'M', code: '123456', pending: 'x', id: ids.users, next: '/admin' };
        const res = await postWith(base, jar, p, fields,
          { origin: null, headers: { 'X-Forwarded-For': ip } });
        assert.equal(res.status, 403, `POST ${p} with no Origin or Referer: ${res.status}`);
      }
      assert.equal(snapshot(site), before_, 'no POST without an origin changed anything');
      // The same with the site's Referer (an old browser): let through.
      const out = await postWith(base, admin, '/admin/logout', { csrf },
        { origin: null, headers: { Referer: `${base}/admin/account`, 'X-Forwarded-For': ip } });
      assert.equal(out.status, 303, 'a Referer of the site is enough');
    });

  it('keeps the readers\' rule: a comment POST with no Origin is judged by its token', T,
    async () => {
      const id = sql(site, 'SELECT min(id) FROM articles');
      const post = (headers) => request(`${base}/news/${id}/comments`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
        body: 'name=R&email=r%40example.org&body=Hello&token=x&answer=3',
      });
      // Another site's Origin: the bare refusal. No Origin: past that
      // check, answered by the article's own page (the form again).
      const evil = await post({ Origin: 'http://evil.example' });
      assert.equal(evil.status, 403);
      assert.doesNotMatch(evil.body, /Council approves the bridge/);
      const none = await post({});
      assert.match(none.body, /Council approves the bridge/,
        `a comment POST with no Origin: ${none.status}`);
    });

  it('expires the sign-in form\'s cookie on success, and takes its token once', T,
    async () => {
      const ip = freshIp();
      const jar = new Jar();
      const form = await getWith(base, jar, '/admin/login', { 'X-Forwarded-For': ip });
      const login = jar.get('gz_login');
      assert.ok(login, 'a gz_login cookie');
      const fields = { csrf: csrfOf(form.body), name: 'ann', password: PW, next: '/admin' };
      const ok = await postWith(base, jar, '/admin/login', fields,
        { headers: { 'X-Forwarded-For': ip } });
      assert.equal(ok.status, 303);
      const cookies = ok.headers['set-cookie'] || [];
      assert.ok(cookies.some((c) => /^gz_session=[^;]+;/.test(c)), 'the session cookie');
      assert.ok(cookies.some((c) => /^gz_login=;.*Max-Age=0/.test(c)),
        `gz_login expired: ${cookies.join(' | ')}`);
      assert.equal(jar.get('gz_login'), undefined);
      // The same form, sent again with its old cookie (a replay, or a
      // second tab): refused, and no second session made.
      const sessions = sql(site, 'SELECT count(*) FROM sessions');
      const again = await postWith(base, new Jar(), '/admin/login', fields,
        { headers: { 'X-Forwarded-For': ip, Cookie: `gz_login=${login}` } });
      assert.equal(again.status, 403, 'a spent token signs in no more');
      assert.equal(sql(site, 'SELECT count(*) FROM sessions'), sessions);
      // Its cookie gets a fresh token from the form.
      const fresh = new Jar();
      await getWith(base, fresh, '/admin/login',
        { 'X-Forwarded-For': ip, Cookie: `gz_login=${login}` });
      assert.ok(fresh.get('gz_login') && fresh.get('gz_login') !== login, 'a new token');
    });

  it('answers the pages that hash off the server\'s threads: TOTP off, reset, change', T,
    async () => {
      // eli, with a second factor whose secret the test knows.
      addUser(site, 'eli', 'editor', PW);
      const secret = Buffer.alloc(20, 9);
      sql(site, `UPDATE users SET totp_secret = X'${secret.toString('hex')}' ` +
        "WHERE name = 'eli'");
      const eli = await signedIn(base, 'eli', PW,
        { ip: freshIp(), code: () => totpAt(secret, stepOf()) });
      const acct = await getWith(base, eli, '/admin/account');
      const csrf = csrfOf(acct.body, '/admin/account/totp/remove');
      const wrong = await postWith(base, eli, '/admin/account/totp/remove',
        { csrf, password: 'not the password at all' });
      assert.equal(wrong.status, 422);
      assert.match(wrong.body, /The password is wrong\./);
      const off = await postWith(base, eli, '/admin/account/totp/remove', { csrf, password: PW });
      assert.equal(off.status, 303);
      assert.equal(sql(site, "SELECT totp_secret IS NULL FROM users WHERE name = 'eli'"), '1');
      // An admin resets eli's password: a one-time password, made on the
      // hashing thread, that signs in.
      const admin = await signedIn(base, 'ann', PW, { ip: freshIp() });
      const users = await getWith(base, admin, '/admin/users');
      const id = sql(site, "SELECT id FROM users WHERE name = 'eli'");
      const reset = await postWith(base, admin, `/admin/users/${id}`,
        { csrf: csrfOf(users.body), action: 'reset-password' });
      assert.equal(reset.status, 200);
      const onetime = /One-time password for eli[\s\S]*?<code>([^<]+)<\/code>/.exec(reset.body)[1];
      const again = await signedIn(base, 'eli', onetime, { ip: freshIp() });
      // eli chooses a password: the old one checked and the new one
      // hashed by one job; a wrong current one changes nothing.
      const page = await getWith(base, again, '/admin/account');
      const pcsrf = csrfOf(page.body, '/admin/account/password');
      const before_ = sql(site, "SELECT password_hash FROM users WHERE name = 'eli'");
      const bad = await postWith(base, again, '/admin/account/password',
        { csrf: pcsrf, current: 'wrong wrong wrong', new: 'eli picks her own',
          confirm: 'eli picks her own' });
      assert.equal(bad.status, 422);
      assert.equal(sql(site, "SELECT password_hash FROM users WHERE name = 'eli'"), before_);
      const changed = await postWith(base, again, '/admin/account/password',
        { csrf: pcsrf, current: onetime, new: 'eli picks her own', confirm: 'eli picks her own' });
      assert.equal(changed.status, 303);
      assert.equal((await signIn(base, 'eli', 'eli picks her own', { ip: freshIp() })).res.status,
        303);
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
