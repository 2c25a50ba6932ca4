// admin-auth.test.mjs - signing in to the newsroom, over HTTP, on a real
// server: right and wrong passwords (one sentence, whether or not the
// account exists), the throttle per account and per address, the session
// cookie's attributes, idle and absolute expiry, signing out here and
// everywhere, CSRF and Origin refusals that change nothing, TOTP
// enrolment and sign-in with codes computed here (RFC 6238), replayed
// codes, recovery codes, the one-time password flow, the staff page and
// its role check, the admin's headers, and every admin route from
// `gazette routes`: without a session or a valid token none acts.
//
// One site (hash_cost = minimum, trust_proxy = yes so that each test
// signs in from its own X-Forwarded-For address) serves most blocks;
// the https and interactive-cost checks have sites of their own.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  Jar, addUser, adminSite, base32Decode, csrfOf, fieldOf, getWith, postWith, signIn,
  signedIn, snapshot, sql, stepOf, totpAt,
} from '../lib/admin.mjs';
import { plainText, writeArticle } from '../lib/fixtures.mjs';
import { request, runOk, slow, startServer, stopChecked } from '../lib/gazette.mjs';
import { text } from '../lib/html.mjs';

const T = { timeout: slow(120000) };
const PW = 'correct horse battery';

// Each sign-in from an address of its own, so that the per-address
// throttle of one test does not reach another.
let ipSerial = 0;
const freshIp = () => `10.1.${Math.floor(++ipSerial / 250)}.${ipSerial % 250 + 1}`;

// The error sentence of a sign-in page.
const signinError = (html) => {
  const m = /<p class="error-summary" id="signin-error">([^<]*)<\/p>/.exec(html);
  return m ? text(m[1]) : null;
};

// Every admin answer: never stored, never framed.
function assertAdminHeaders(res, what) {
  assert.match(res.headers['cache-control'] || '', /no-store/, `${what}: Cache-Control`);
  assert.match(res.headers['content-security-policy'] || '', /frame-ancestors 'none'/,
    `${what}: CSP frame-ancestors`);
}

// The route table as `gazette routes` prints it: [{method, pattern}].
function routesOf(site) {
  return runOk(['routes', '--site', site]).stdout.trim().split('\n').map((l) => {
    const [method, pattern] = l.split(' ');
    return { method, pattern };
  });
}

describe('admin sign-in', () => {
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
    addUser(site, 'carol', 'editor', PW);
    addUser(site, 'dan', 'admin', PW);
    addUser(site, 'eve', 'moderator', PW);
    addUser(site, 'fay', 'admin', PW);
    addUser(site, 'gus', 'writer', PW);
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
  }, T);

  after(async () => { if (srv) await stopChecked(srv); });

  it('signs in with the right password, refuses a wrong one in one sentence', T, async () => {
    const ip = freshIp();
    const form = await getWith(base, new Jar(), '/admin/login', { 'X-Forwarded-For': ip });
    assert.equal(form.status, 200);
    assertAdminHeaders(form, 'GET /admin/login');
    assert.match(form.body, /<h1>Sign in<\/h1>/);
    assert.ok(csrfOf(form.body), 'the form has a csrf token');

    const wrong = await signIn(base, 'ann', 'not the password at all', { ip });
    assert.equal(wrong.res.status, 422);
    assertAdminHeaders(wrong.res, 'wrong password');
    assert.equal(wrong.jar.get('gz_session'), undefined, 'no session for a wrong password');
    assert.equal(fieldOf(wrong.res.body, 'name'), 'ann', 'the name is kept');

    const nobody = await signIn(base, 'nobody', 'not the password at all', { ip });
    assert.equal(nobody.res.status, 422);
    assert.equal(signinError(nobody.res.body), 'The name or password is wrong.');
    assert.equal(signinError(wrong.res.body), signinError(nobody.res.body),
      'the same sentence whether or not the account exists');

    // A name no account can have, not even UTF-8: the same answer.
    const odd = new Jar();
    const oddForm = await getWith(base, odd, '/admin/login', { 'X-Forwarded-For': ip });
    const raw = await request(`${base}/admin/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: odd.header(),
        Origin: new URL(base).origin, 'X-Forwarded-For': ip },
      body: `csrf=${encodeURIComponent(csrfOf(oddForm.body))}&name=%FF%FE%3Cb%3E&password=x`,
    });
    assert.equal(raw.status, 422);
    assert.equal(signinError(raw.body), 'The name or password is wrong.');

    const right = await signIn(base, 'ann', PW, { ip });
    assert.equal(right.res.status, 303);
    assert.equal(right.res.headers.location, '/admin');
    const acct = await getWith(base, right.jar, '/admin/account');
    assert.equal(acct.status, 200);
    assert.match(acct.body, /<h1>Your account<\/h1>/);
    assert.match(sql(site, "SELECT count(*) FROM audit_log WHERE action = 'signin-failed'"),
      /^[1-9]/, 'failures are audited');
    assert.equal(sql(site, "SELECT count(*) FROM audit_log WHERE action = 'signin' " +
      "AND object = 'user:ann'"), '1');
  });

  it('goes on to a local next path only', T, async () => {
    const ok = await signIn(base, 'ann', PW, { ip: freshIp(), next: '/admin/users' });
    assert.equal(ok.res.headers.location, '/admin/users');
    for (const next of ['https://evil.example/admin', '//evil.example/admin', '/news/1',
      '/admin/../news', '/administrator', '/admin\\x']) {
      const r = await signIn(base, 'ann', PW, { ip: freshIp(), next });
      assert.equal(r.res.headers.location, '/admin', `next=${next}`);
    }
  });

  it('throttles an account after 5 failures, while another signs in from elsewhere', T, async () => {
    const ip = freshIp();
    for (let i = 0; i < 5; i++) {
      const r = await signIn(base, 'bob', `wrong password ${i}`, { ip });
      assert.equal(r.res.status, 422, `failure ${i + 1}`);
    }
    const held = await signIn(base, 'bob', PW, { ip });
    assert.equal(held.res.status, 429, 'the sixth try, even right, is refused');
    assert.match(signinError(held.res.body),
      /^Too many failed sign-ins\. Try again in \d+ minutes?\.$/);
    assert.equal(fieldOf(held.res.body, 'name'), 'bob');
    assert.equal(held.jar.get('gz_session'), undefined);
    const other = await signIn(base, 'carol', PW, { ip: freshIp() });
    assert.equal(other.res.status, 303, 'another account from another address signs in');
  });

  it('sets the session cookie HttpOnly, SameSite=Strict, Path=/admin, not Secure on http', T,
    async () => {
      const { res } = await signIn(base, 'ann', PW, { ip: freshIp() });
      const cookie = (res.headers['set-cookie'] || []).find((c) => c.startsWith('gz_session='));
      assert.ok(cookie, 'a session cookie');
      assert.match(cookie, /; HttpOnly/);
      assert.match(cookie, /; SameSite=Strict/);
      assert.match(cookie, /; Path=\/admin(;|$)/);
      assert.doesNotMatch(cookie, /Secure/);
      assert.match(cookie.split(';')[0], /^gz_session=[A-Za-z0-9_-]{43}$/);
      const login = await request(`${base}/admin/login`);
      const pre = (login.headers['set-cookie'] || []).find((c) => c.startsWith('gz_login='));
      assert.match(pre, /; Path=\/admin; HttpOnly; SameSite=Strict/);
      assert.match(pre, /Max-Age=1800/);
    });

  // Only the editor's routes take a big body: a sign-in form of 100 KB,
  // or a moderation POST, is refused before anything reads it.
  it('refuses a 100 KB body anywhere but the editor', T, async () => {
    const big = 'x'.repeat(100 * 1024);
    const jar = await signedIn(base, 'ann', PW, { ip: freshIp() });
    const csrf = csrfOf((await getWith(base, jar, '/admin/account')).body);
    for (const [who, p] of [[new Jar(), '/admin/login'], [jar, '/admin/comments'],
      [jar, '/admin/settings']]) {
      const res = await postWith(base, who, p, { csrf, name: 'ann', password: big });
      assert.equal(res.status, 413, `POST ${p}: ${res.status}`);
    }
    const editor = await postWith(base, jar, '/admin/articles',
      { csrf, headline: 'Long', body: big.slice(0, 90 * 1024), lang: 'en', action: 'save' });
    assert.equal(editor.status, 303, `the editor takes it: ${editor.body.slice(0, 300)}`);
  });

  it('ends idle and expired sessions', T, async () => {
    for (const [what, update] of [
      ['idle', 'seen_at = seen_at - 3 * 3600, created_at = created_at - 3 * 3600'],
      ['expired', "expires_at = strftime('%s', 'now') - 1"],
    ]) {
      const jar = await signedIn(base, 'dan', PW, { ip: freshIp() });
      assert.equal((await getWith(base, jar, '/admin/account')).status, 200);
      sql(site, `UPDATE sessions SET ${update} WHERE user_id = ` +
        "(SELECT id FROM users WHERE name = 'dan')");
      const res = await getWith(base, jar, '/admin/account');
      assert.equal(res.status, 303, what);
      assert.equal(res.headers.location, '/admin/login?next=%2Fadmin%2Faccount', what);
      assertAdminHeaders(res, what);
    }
  });

  it('signs out here, and everywhere', T, async () => {
    const a = await signedIn(base, 'fay', PW, { ip: freshIp() });
    const page = await getWith(base, a, '/admin/account');
    const old = a.clone();
    const out = await postWith(base, a, '/admin/logout', { csrf: csrfOf(page.body) });
    assert.equal(out.status, 303);
    assert.equal(out.headers.location, '/admin/login?done=signed-out');
    assert.match(out.headers['set-cookie'].join('\n'), /gz_session=; Path=\/admin.*Max-Age=0/);
    assert.equal((await getWith(base, old, '/admin/account')).status, 303,
      'the old cookie no longer works');

    const one = await signedIn(base, 'fay', PW, { ip: freshIp() });
    const two = await signedIn(base, 'fay', PW, { ip: freshIp() });
    const p1 = await getWith(base, one, '/admin/account');
    const everywhere = await postWith(base, one, '/admin/logout/all',
      { csrf: csrfOf(p1.body, '/admin/logout/all') });
    assert.equal(everywhere.status, 303);
    assert.equal(everywhere.headers.location, '/admin/login?done=signed-out-all');
    assert.equal((await getWith(base, two, '/admin/account')).status, 303,
      'the other session is signed out too');
    assert.equal(sql(site, "SELECT count(*) FROM sessions WHERE user_id = " +
      "(SELECT id FROM users WHERE name = 'fay')"), '0');
    const done = await getWith(base, new Jar(), '/admin/login?done=signed-out-all');
    assert.match(done.body, /role="status"><p class="notice">You are signed out everywhere\./);
  });

  it('refuses a POST without csrf, with a wrong or another session\'s, or from another origin',
    T, async () => {
      const jar = await signedIn(base, 'ann', PW, { ip: freshIp() });
      const other = await signedIn(base, 'dan', PW, { ip: freshIp() });
      const mine = csrfOf((await getWith(base, jar, '/admin/account')).body);
      const theirs = csrfOf((await getWith(base, other, '/admin/account')).body);
      assert.notEqual(mine, theirs);
      const fields = { current: PW, new: 'a brand new passphrase', confirm: 'a brand new passphrase' };
      const before_ = snapshot(site);
      for (const [what, extra, opts] of [
        ['no csrf', {}, {}],
        ['a wrong csrf', { csrf: 'x'.repeat(43) }, {}],
        ["another session's csrf", { csrf: theirs }, {}],
        ['another origin', { csrf: mine }, { origin: 'http://evil.example' }],
        ['a null origin', { csrf: mine }, { origin: 'null' }],
      ]) {
        const res = await postWith(base, jar, '/admin/account/password',
          { ...fields, ...extra }, opts);
        assert.equal(res.status, 403, what);
        assertAdminHeaders(res, what);
      }
      // The sign-in form's own token, and its Origin.
      const login = await getWith(base, new Jar(), '/admin/login');
      const lj = new Jar();
      lj.set(login);
      for (const [what, f, opts] of [
        ['sign-in without csrf', { name: 'ann', password: PW }, {}],
        ['sign-in from another origin', { name: 'ann', password: PW, csrf: csrfOf(login.body) },
          { origin: 'http://evil.example' }],
      ]) {
        const res = await postWith(base, lj, '/admin/login', f, opts);
        assert.equal(res.status, 403, what);
      }
      assert.equal(snapshot(site), before_, 'nothing changed');
      const ok = await postWith(base, jar, '/admin/account/password', { ...fields, csrf: mine });
      assert.equal(ok.status, 303, 'the same POST with its token works');
      sql(site, "UPDATE users SET password_hash = (SELECT password_hash FROM users " +
        "WHERE name = 'dan') WHERE name = 'ann'");
    });

  it('enrols TOTP, signs in with a code, refuses a replay, takes a recovery code once', T,
    async () => {
      const jar = await signedIn(base, 'dan', PW, { ip: freshIp() });
      const page = await getWith(base, jar, '/admin/account/totp');
      assert.equal(page.status, 200);
      assert.match(page.body, /<svg[^>]*role="img"/, 'a QR code');
      const groups = /<p class="secret"[^>]*><code>([A-Z2-7 ]+)<\/code>/.exec(page.body)[1];
      assert.match(groups, /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/, 'the key in groups of four');
      const secret = base32Decode(groups);
      const pending = fieldOf(page.body, 'pending');
      const csrf = csrfOf(page.body, '/admin/account/totp');

      const bad = await postWith(base, jar, '/admin/account/totp',
        { csrf, pending, code: '000000' === totpAt(secret, stepOf()) ? '111111' : '000000' });
      assert.equal(bad.status, 422);
      const forged = await postWith(base, jar, '/admin/account/totp',
        { csrf, pending: pending.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')),
          code: totpAt(secret, stepOf()) });
      assert.equal(forged.status, 422, 'a pending secret changed in the browser is refused');
      assert.equal(sql(site, "SELECT totp_secret IS NULL FROM users WHERE name = 'dan'"), '1');

      const ok = await postWith(base, jar, '/admin/account/totp',
        { csrf, pending, code: totpAt(secret, stepOf()) });
      assert.equal(ok.status, 200);
      const codes = [...ok.body.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((m) => m[1]);
      assert.equal(codes.length, 10, 'ten recovery codes, shown once');
      assert.equal(sql(site, "SELECT count(*) FROM recovery_codes WHERE user_id = " +
        "(SELECT id FROM users WHERE name = 'dan')"), '10');

      // The password alone now owes the code.
      const step1 = await signIn(base, 'dan', PW, { ip: freshIp() });
      assert.equal(step1.res.status, 303);
      assert.equal(step1.res.headers.location, '/admin/login/code');
      assert.equal((await getWith(base, step1.jar, '/admin/account')).headers.location,
        '/admin/login/code', 'nothing else before the code');
      const last = Number(sql(site, "SELECT totp_last_step FROM users WHERE name = 'dan'"));
      const code = totpAt(secret, last + 1);
      const cpage = await getWith(base, step1.jar, '/admin/login/code');
      assert.equal(cpage.status, 200);
      const cok = await postWith(base, step1.jar, '/admin/login/code',
        { csrf: csrfOf(cpage.body), code });
      assert.equal(cok.status, 303);
      assert.equal((await getWith(base, step1.jar, '/admin/account')).status, 200);

      const again = await signIn(base, 'dan', PW, { ip: freshIp() });
      const apage = await getWith(base, again.jar, '/admin/login/code');
      const replay = await postWith(base, again.jar, '/admin/login/code',
        { csrf: csrfOf(apage.body), code });
      assert.equal(replay.status, 422, 'a code works once');
      const rec = await postWith(base, again.jar, '/admin/login/code',
        { csrf: csrfOf(apage.body), code: codes[0] });
      assert.equal(rec.status, 303, 'a recovery code works');
      assert.equal(sql(site, "SELECT count(*) FROM recovery_codes WHERE user_id = " +
        "(SELECT id FROM users WHERE name = 'dan')"), '9');
      const third = await signIn(base, 'dan', PW, { ip: freshIp() });
      const tpage = await getWith(base, third.jar, '/admin/login/code');
      const reused = await postWith(base, third.jar, '/admin/login/code',
        { csrf: csrfOf(tpage.body), code: codes[0].toUpperCase() });
      assert.equal(reused.status, 422, 'a recovery code works once');
    });

  it('makes a one-time password be changed first; an editor gets 403 on the users page', T,
    async () => {
      const admin = await signedIn(base, 'ann', PW, { ip: freshIp() });
      const users = await getWith(base, admin, '/admin/users');
      assert.equal(users.status, 200);
      assert.match(users.body, /<th scope="row">bob<\/th>/);
      const add = await postWith(base, admin, '/admin/users', {
        csrf: csrfOf(users.body, '/admin/users'), name: 'hal', display_name: 'Hal Ito',
        role: 'editor',
      });
      assert.equal(add.status, 200);
      const onetime = /One-time password for hal[\s\S]*?<code>([^<]+)<\/code>/.exec(add.body)[1];
      assert.equal(sql(site, "SELECT role || ' ' || must_change_password FROM users " +
        "WHERE name = 'hal'"), 'editor 1');
      assert.match(sql(site, "SELECT actor || ' ' || action || ' ' || object FROM audit_log " +
        "WHERE action = 'user-add'"), /^admin:ann user-add user:hal$/m);
      const dup = await postWith(base, admin, '/admin/users', {
        csrf: csrfOf(users.body, '/admin/users'), name: 'hal', role: 'writer',
      });
      assert.equal(dup.status, 422);
      assert.match(dup.body, /That name is taken\./);

      const hal = await signedIn(base, 'hal', onetime, { ip: freshIp() });
      const forced = await getWith(base, hal, '/admin/users');
      assert.equal(forced.status, 303);
      assert.equal(forced.headers.location, '/admin/account?done=change-password');
      const acct = await getWith(base, hal, '/admin/account?done=change-password');
      assert.match(acct.body, /Choose a new password before you go on/);
      const csrf = csrfOf(acct.body, '/admin/account/password');
      const short = await postWith(base, hal, '/admin/account/password',
        { csrf, current: onetime, new: 'short', confirm: 'short' });
      assert.equal(short.status, 422);
      assert.match(short.body, /aria-describedby="pw-hint pw-new-error"/);
      const changed = await postWith(base, hal, '/admin/account/password',
        { csrf, current: onetime, new: 'hal picks his own', confirm: 'hal picks his own' });
      assert.equal(changed.status, 303);
      assert.equal(sql(site, "SELECT must_change_password FROM users WHERE name = 'hal'"), '0');
      const refused = await getWith(base, hal, '/admin/users');
      assert.equal(refused.status, 403, 'an editor may not manage staff');
      assertAdminHeaders(refused, 'the 403');

      // The last admin cannot be demoted... once the others are gone.
      const mod = await signedIn(base, 'eve', PW, { ip: freshIp() });
      assert.equal((await getWith(base, mod, '/admin/users')).status, 403);
      assert.equal((await getWith(base, mod, '/admin/log')).status, 403);
      const log = await getWith(base, admin, '/admin/log?actor=admin%3Aann');
      assert.equal(log.status, 200);
      assert.match(log.body, /<td>user-add<\/td><td>user:hal<\/td>/);
    });

  it('refuses to leave the site without an admin', T, async () => {
    const { site: s2 } = adminSite();
    addUser(s2, 'solo', 'admin', PW);
    // gazette init made the first admin: solo is to be the only one.
    runOk(['user', 'remove', 'admin', '--site', s2]);
    const srv2 = await startServer(['serve', '--site', s2]);
    try {
      const jar = await signedIn(srv2.url, 'solo', PW);
      const page = await getWith(srv2.url, jar, '/admin/users');
      const id = sql(s2, "SELECT id FROM users WHERE name = 'solo'");
      const res = await postWith(srv2.url, jar, `/admin/users/${id}`,
        { csrf: csrfOf(page.body, `/admin/users/${id}`), action: 'role', role: 'editor' });
      assert.equal(res.status, 422);
      assert.match(res.body, /at least one admin/);
      assert.equal(sql(s2, "SELECT role FROM users WHERE name = 'solo'"), 'admin');
    } finally {
      await stopChecked(srv2);
    }
  });

  it('guards every admin route from `gazette routes`', T, async () => {
    const routes = routesOf(site).filter((r) => r.pattern.startsWith('/admin'));
    assert.ok(routes.length >= 14, `admin routes: ${routes.length}`);
    const open = new Set(['/admin/login', '/admin/login/code']);
    // Each {capture} a real row: the user gus, the article, its first
    // revision (by id and by number), any comment.
    const ids = {
      users: sql(site, "SELECT id FROM users WHERE name = 'gus'"),
      articles: sql(site, 'SELECT min(id) FROM articles'),
      comments: sql(site, 'SELECT coalesce(min(id), 1) FROM comments'),
    };
    const id = ids.users;
    const fill = (p) => {
      const kind = /^\/admin\/([a-z]+)\//.exec(p);
      return p.replace(/\{rev\}/g, '1')
        .replace(/\{[a-z_]+\}/g, (kind && ids[kind[1]]) || id);
    };
    const admin = await signedIn(base, 'ann', PW, { ip: freshIp() });
    const csrf = csrfOf((await getWith(base, admin, '/admin/account')).body);
    for (const { method, pattern } of routes) {
      const p = fill(pattern);
      if (method === 'GET') {
        const res = await request(base + p);
        assertAdminHeaders(res, `GET ${p}`);
        if (p === '/admin/login') {
          assert.equal(res.status, 200);
        } else {
          assert.equal(res.status, 303, `GET ${p} without a session`);
          assert.match(res.headers.location, /^\/admin\/login(\?|$)/, `GET ${p}`);
        }
        const signed = await getWith(base, admin, p);
        assertAdminHeaders(signed, `GET ${p} signed in`);
        assert.notEqual(signed.status, 500, `GET ${p} signed in`);
        continue;
      }
      const before_ = snapshot(site);
      const fields = { csrf: 'x'.repeat(43), action: 'remove', role: 'admin', name: 'mallory',
        password: PW, current: PW, new: 'mallory was here', confirm: 'mallory was here',
        display_name: 'M', code: '123456', pending: 'x', id };
      const none = await postWith(base, new Jar(), p, fields);
      assert.ok([303, 403].includes(none.status), `POST ${p} without a session: ${none.status}`);
      if (none.status === 303 && !open.has(p)) {
        assert.match(none.headers.location, /^\/admin\/login(\?|$)/);
      }
      assertAdminHeaders(none, `POST ${p} without a session`);
      const bad = await postWith(base, admin, p, fields);
      assert.ok([303, 403].includes(bad.status), `POST ${p} with a wrong csrf: ${bad.status}`);
      const noToken = { ...fields };
      delete noToken.csrf;
      const missing = await postWith(base, admin, p, noToken);
      assert.ok([303, 403].includes(missing.status), `POST ${p} without csrf: ${missing.status}`);
      const foreign = await postWith(base, admin, p, { ...fields, csrf },
        { origin: 'http://evil.example' });
      assert.ok([303, 403].includes(foreign.status), `POST ${p} cross-origin: ${foreign.status}`);
      // The right token, but neither Origin nor Referer: refused too.
      const blind = await postWith(base, admin, p, { ...fields, csrf }, { origin: null });
      assert.ok([303, 403].includes(blind.status), `POST ${p} with no Origin: ${blind.status}`);
      assert.equal(snapshot(site), before_, `POST ${p} changed nothing`);
    }
  });
});

describe('admin sign-in on an https site', () => {
  it('marks both cookies Secure', T, async () => {
    const { site } = adminSite({ baseUrl: 'https://news.example' });
    addUser(site, 'ann', 'admin', PW);
    const srv = await startServer(['serve', '--site', site]);
    try {
      const jar = new Jar();
      const form = await getWith(srv.url, jar, '/admin/login');
      assert.match(form.headers['set-cookie'].join('\n'), /gz_login=[^;]+;.*; Secure/);
      const res = await postWith(srv.url, jar, '/admin/login',
        { csrf: csrfOf(form.body), name: 'ann', password: PW, next: '/admin' },
        { origin: 'https://news.example' });
      assert.equal(res.status, 303);
      const cookie = res.headers['set-cookie'].find((c) => c.startsWith('gz_session='));
      assert.match(cookie, /; Path=\/admin; HttpOnly; SameSite=Strict; Secure$/);
    } finally {
      await stopChecked(srv);
    }
  });
});

describe('admin sign-in at the interactive hash cost', () => {
  it('signs in', T, async () => {
    const { site } = adminSite({ hashCost: 'interactive' });
    addUser(site, 'ann', 'admin', PW);
    const srv = await startServer(['serve', '--site', site]);
    try {
      const jar = await signedIn(srv.url, 'ann', PW);
      assert.equal((await getWith(srv.url, jar, '/admin/account')).status, 200);
      assert.match(sql(site, "SELECT password_hash FROM users WHERE name = 'ann'"),
        /^\$argon2id\$/);
    } finally {
      await stopChecked(srv);
    }
  });
});

describe('admin sign-in when admins must have a second factor', () => {
  it('sends an admin to enrol before anything else', T, async () => {
    const { site } = adminSite({ requireTotp: true });
    addUser(site, 'ann', 'admin', PW);
    addUser(site, 'bob', 'editor', PW);
    const srv = await startServer(['serve', '--site', site]);
    try {
      const { res, jar } = await signIn(srv.url, 'ann', PW);
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/admin/account/totp?done=enrol-totp');
      const users = await getWith(srv.url, jar, '/admin/users');
      assert.equal(users.headers.location, '/admin/account/totp?done=enrol-totp');
      const page = await getWith(srv.url, jar, '/admin/account/totp?done=enrol-totp');
      assert.equal(page.status, 200);
      assert.match(page.body, /this site asks it of every admin/);
      const editor = await signedIn(srv.url, 'bob', PW);
      assert.equal((await getWith(srv.url, editor, '/admin/account')).status, 200,
        'an editor is not asked');
    } finally {
      await stopChecked(srv);
    }
  });
});
