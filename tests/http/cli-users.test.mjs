// cli-users.test.mjs - `gazette user` and the first admin `gazette init`
// makes: the one-time password printed once, accounts added with a
// password on stdin, listed, given a new password, a new role and no
// second factor, and removed; the last admin kept; bad roles, bad names
// and short passwords refused with a sentence and the right exit status.
// What the commands did is checked in the database itself (sqlite3),
// where the hashes and the audit log are.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';

import { describeRun, run, runOk, slow, tempDir } from '../lib/gazette.mjs';

const T = { timeout: slow(120000) };
const PASSWORD = 'correct horse battery staple';
const ONETIME_RE = /^ {4}([2-9a-hj-km-np-z]{4}(?:-[2-9a-hj-km-np-z]{4}){4})$/m;

function sql(site, query) {
  return execFileSync('sqlite3', [path.join(site, 'gazette.db'), query],
    { encoding: 'utf8' }).trim();
}

function newSite() {
  const site = path.join(tempDir(), 'site');
  const r = runOk(['init', '--site', site, '--base-url', 'https://news.example.org']);
  return { site, init: r };
}

function expectStatus(args, r, status) {
  assert.equal(r.status, status, describeRun(args, r));
}

// Runs `gazette user ARGS --site SITE` with input on stdin (none by
// default: a command that stops at a usage error never reads it).
function user(site, args, input) {
  const all = ['user', ...args, '--site', site];
  return { args: all, r: run(all, { input: input ?? '' }) };
}

describe('gazette init makes the first admin', T, () => {
  it('prints a one-time password once, with where to sign in', () => {
    const { site, init } = newSite();
    const m = ONETIME_RE.exec(init.stdout);
    assert.ok(m, `a one-time password on its own line:\n${init.stdout}`);
    assert.match(init.stdout, /"admin"/);
    assert.match(init.stdout, /https:\/\/news\.example\.org\/admin\/login/);
    assert.match(init.stdout, /must change it/);
    assert.equal(sql(site, "SELECT role || ' ' || must_change_password FROM users WHERE name = 'admin'"),
      'admin 1');
    const hash = sql(site, "SELECT password_hash FROM users WHERE name = 'admin'");
    assert.match(hash, /^\$argon2id\$/);
    assert.ok(!hash.includes(m[1]), 'the store keeps a hash, not the password');
    assert.match(sql(site, "SELECT actor || ' ' || action || ' ' || object FROM audit_log"),
      /^cli:\S+ user-add user:admin$/);
  });

  it('gives each site its own password', () => {
    const a = ONETIME_RE.exec(newSite().init.stdout)[1];
    const b = ONETIME_RE.exec(newSite().init.stdout)[1];
    assert.notEqual(a, b);
  });
});

describe('gazette user', T, () => {
  it('adds, lists, sets passwords and roles, resets TOTP and removes', () => {
    const { site } = newSite();
    let { args, r } = user(site, ['add', 'ann', '--role', 'editor', '--display-name', 'Ann Lee'],
      `${PASSWORD}\n`);
    expectStatus(args, r, 0);
    assert.match(r.stdout, /ann: added, role editor/);
    const hash1 = sql(site, "SELECT password_hash FROM users WHERE name = 'ann'");
    assert.match(hash1, /^\$argon2id\$/);
    assert.equal(sql(site, "SELECT display_name || '|' || must_change_password FROM users WHERE name = 'ann'"),
      'Ann Lee|0');

    ({ args, r } = user(site, ['list']));
    expectStatus(args, r, 0);
    assert.match(r.stdout, /^admin\s+admin\s+never\s*$/m);
    assert.match(r.stdout, /^ann\s+editor\s+never\s+Ann Lee$/m);

    // The same name twice is refused.
    ({ args, r } = user(site, ['add', 'ann', '--role', 'writer'], `${PASSWORD}\n`));
    expectStatus(args, r, 1);
    assert.match(r.stderr, /there is a user "ann" already/);

    ({ args, r } = user(site, ['passwd', 'ann'], 'another long passphrase\n'));
    expectStatus(args, r, 0);
    const hash2 = sql(site, "SELECT password_hash FROM users WHERE name = 'ann'");
    assert.match(hash2, /^\$argon2id\$/);
    assert.notEqual(hash2, hash1);

    ({ args, r } = user(site, ['passwd', 'nobody'], `${PASSWORD}\n`));
    expectStatus(args, r, 1);
    assert.match(r.stderr, /no user "nobody"/);

    ({ args, r } = user(site, ['role', 'ann', 'admin']));
    expectStatus(args, r, 0);
    assert.equal(sql(site, "SELECT role FROM users WHERE name = 'ann'"), 'admin');

    sql(site, "UPDATE users SET totp_secret = x'3132333435363738393031323334353637383930' WHERE name = 'ann'");
    ({ args, r } = user(site, ['reset-totp', 'ann']));
    expectStatus(args, r, 0);
    assert.equal(sql(site, "SELECT totp_secret IS NULL OR length(totp_secret) = 0 FROM users WHERE name = 'ann'"), '1');

    // Two admins: one may go.
    ({ args, r } = user(site, ['remove', 'admin']));
    expectStatus(args, r, 0);
    ({ args, r } = user(site, ['list']));
    assert.doesNotMatch(r.stdout, /^admin\s/m);

    const audit = sql(site, "SELECT action || ' ' || object FROM audit_log ORDER BY id").split('\n');
    assert.deepEqual(audit, ['user-add user:admin', 'user-add user:ann', 'user-passwd user:ann',
      'user-role user:ann', 'user-totp-reset user:ann', 'user-remove user:admin']);
    assert.equal(sql(site, "SELECT count(*) FROM audit_log WHERE actor NOT LIKE 'cli:%'"), '0');
  });

  it('names the actor from $USER', () => {
    const { site } = newSite();
    const args = ['user', 'add', 'bob', '--role', 'writer', '--site', site];
    const r = run(args, { input: `${PASSWORD}\n`, env: { USER: 'mallory' } });
    expectStatus(args, r, 0);
    assert.equal(sql(site, "SELECT actor FROM audit_log WHERE object = 'user:bob'"), 'cli:mallory');
  });

  it('keeps the last admin', () => {
    const { site } = newSite();
    let { args, r } = user(site, ['remove', 'admin']);
    expectStatus(args, r, 1);
    assert.match(r.stderr, /"admin" is the last admin/);
    ({ args, r } = user(site, ['role', 'admin', 'editor']));
    expectStatus(args, r, 1);
    assert.match(r.stderr, /"admin" is the last admin/);
    assert.equal(sql(site, "SELECT role FROM users WHERE name = 'admin'"), 'admin');
    assert.equal(sql(site, 'SELECT count(*) FROM audit_log'), '1');
  });

  it('refuses bad roles and names with a usage status', () => {
    const { site } = newSite();
    let { args, r } = user(site, ['add', 'carl', '--role', 'boss']);
    expectStatus(args, r, 2);
    assert.match(r.stderr, /no role "boss": a role is admin, editor, writer or moderator/);
    ({ args, r } = user(site, ['add', 'carl']));
    expectStatus(args, r, 2);
    assert.match(r.stderr, /needs --role/);
    for (const bad of ['Carl', 'carl lee', 'x'.repeat(33), '', 'carl/../x']) {
      ({ args, r } = user(site, ['add', bad, '--role', 'writer']));
      expectStatus(args, r, 2);
      assert.match(r.stderr, /is not a valid name: a name is 1-32 characters/);
    }
    ({ args, r } = user(site, ['frobnicate']));
    expectStatus(args, r, 2);
    ({ args, r } = user(site, ['remove']));
    expectStatus(args, r, 2);
    ({ args, r } = user(site, ['list', '--role', 'admin']));
    expectStatus(args, r, 2);
    assert.equal(sql(site, 'SELECT count(*) FROM users'), '1');
  });

  it('refuses a weak password with the sentence', () => {
    const { site } = newSite();
    const cases = [
      ['short\n', 'Use at least 12 characters.'],
      ['', 'no password given'],
      [`${'x'.repeat(1025)}\n`, 'Use at most 1024 bytes.'],
      ['             \n', 'Use something other than spaces.'],
    ];
    for (const [input, sentence] of cases) {
      const { args, r } = user(site, ['add', 'dora', '--role', 'writer'], input);
      expectStatus(args, r, 1);
      assert.ok(r.stderr.includes(sentence), `${JSON.stringify(sentence)} in ${r.stderr}`);
    }
    const { args, r } = user(site, ['passwd', 'admin'], 'short\n');
    expectStatus(args, r, 1);
    assert.match(r.stderr, /Use at least 12 characters\./);
    assert.equal(sql(site, 'SELECT count(*) FROM users'), '1');
    // A 1024-byte password is fine, and a line without its break too.
    const ok = user(site, ['add', 'dora', '--role', 'writer'], 'y'.repeat(1024));
    expectStatus(ok.args, ok.r, 0);
  });

  it('--help prints the usage', () => {
    const r = runOk(['user', '--help']);
    assert.match(r.stdout, /usage: gazette user add/);
    assert.match(r.stdout, /--role ROLE/);
  });
});
