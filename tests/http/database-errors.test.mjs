// database-errors.test.mjs - a site whose gazette.db cannot be used (issue
// 12, item 4): missing, unreadable, locked by another process, from a
// newer gazette, or not a database at all. `serve`, `import` and
// `comments` each stop with exit status 1 and one sentence that says
// what is wrong and what to do, never a raw SQLite code or a hang, and
// leave the file as it was.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync, existsSync, readFileSync, rmSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { bin, describeRun, run, slow, tempSite } from '../lib/gazette.mjs';

const T = { timeout: slow(120000) };

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const sha = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

// The commands that open a site's database, each run with --site.
const COMMANDS = [
  ['serve', '--listen', '127.0.0.1:0'],
  ['comments', 'list'],
  ['import', '--dry-run', '/dev/null'],
];

function each(site, check) {
  for (const cmd of COMMANDS) {
    const args = [...cmd, '--site', site];
    const r = run(args, { timeout: 60000 });
    check(args, r);
  }
}

// Nothing from SQLite's own vocabulary reaches the reader.
function assertNoRawSqlite(args, r) {
  assert.doesNotMatch(r.stderr, /SQLite \d+|sqlite3?_|SQLITE_/i, describeRun(args, r));
}

function sqlite(db, sql) {
  const r = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe('a site whose database cannot be used', T, () => {
  it('no gazette.db: says there is no site and how to make one; nothing is created', T, () => {
    const { site } = tempSite();
    const db = path.join(site, 'gazette.db');
    rmSync(db);
    each(site, (args, r) => {
      assert.equal(r.status, 1, describeRun(args, r));
      assert.match(r.stderr, new RegExp(
        `^gazette: no site at ${escape(site)} \\(no gazette\\.db\\): run \`gazette init --site ${escape(site)}\`$`, 'm'),
      describeRun(args, r));
      assert.equal(existsSync(db), false, 'no empty database was made');
    });
  });

  it('unreadable gazette.db: "cannot open ...: Permission denied"', T, () => {
    const { site } = tempSite();
    const db = path.join(site, 'gazette.db');
    chmodSync(db, 0o000);
    // Root reads any file whatever its mode, by its capabilities: run
    // gazette as root without them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
    // dropped from the bounding set), so that the mode counts, and the
    // binary, wherever it is (root's home is 0700), can still be run.
    const asRoot = process.getuid && process.getuid() === 0;
    for (const cmd of COMMANDS) {
      const args = [...cmd, '--site', site];
      const r = asRoot
        ? spawnSync('setpriv', ['--bounding-set=-dac_override,-dac_read_search', bin(), ...args],
          { cwd: '/', encoding: 'utf8', timeout: slow(60000), env: { ...process.env, GAZETTE_SITE: '' } })
        : run(args, { timeout: 60000 });
      assert.equal(r.status, 1, describeRun(args, r));
      assert.match(r.stderr, new RegExp(`gazette: cannot open ${escape(db)}: Permission denied`),
        describeRun(args, r));
      assertNoRawSqlite(args, r);
    }
  });

  it('gazette.db from a newer gazette: names both versions, exit 1, the file untouched', T, () => {
    const { site } = tempSite();
    const db = path.join(site, 'gazette.db');
    const known = Number(sqlite(db, 'PRAGMA user_version'));
    sqlite(db, 'PRAGMA user_version = 99');
    const before = sha(db);
    each(site, (args, r) => {
      assert.equal(r.status, 1, describeRun(args, r));
      assert.match(r.stderr, new RegExp(
        `gazette: ${escape(db)} has schema version 99, newer than this gazette \\(${known}\\): upgrade gazette`),
      describeRun(args, r));
      assertNoRawSqlite(args, r);
      assert.equal(sha(db), before, 'gazette.db is byte for byte what it was');
    });
    assert.equal(sqlite(db, 'PRAGMA user_version'), '99');
  });

  it('gazette.db that is not a database: says so', T, () => {
    const { site } = tempSite();
    const db = path.join(site, 'gazette.db');
    writeFileSync(db, 'Notes for the weekend edition, saved over the database by mistake.\n'.repeat(50));
    const before = sha(db);
    each(site, (args, r) => {
      assert.equal(r.status, 1, describeRun(args, r));
      assert.match(r.stderr, new RegExp(`gazette: ${escape(db)} is not a database`), describeRun(args, r));
      assertNoRawSqlite(args, r);
      assert.equal(sha(db), before);
    });
  });

  it('gazette.db locked by another process: "locked by another process" after the wait, exit 1', T, async () => {
    const { site } = tempSite();
    const db = path.join(site, 'gazette.db');
    // Another program holds the write lock until its stdin closes.
    const holder = spawn('sqlite3', [db], { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      await new Promise((resolve, reject) => {
        let out = '';
        holder.stdout.on('data', (c) => {
          out += c;
          if (out.includes('holding')) resolve();
        });
        holder.on('exit', (code) => reject(new Error(`sqlite3 exited ${code}`)));
        holder.stdin.write("BEGIN EXCLUSIVE;\nCREATE TABLE lock_holder (x);\nSELECT 'holding';\n");
      });
      // Not every command: each waits out the busy timeout.
      for (const cmd of [COMMANDS[0], COMMANDS[1]]) {
        const args = [...cmd, '--site', site];
        const r = run(args, { timeout: 60000 });
        assert.equal(r.status, 1, describeRun(args, r));
        assert.match(r.stderr, new RegExp(`gazette: ${escape(db)} is locked by another process`),
          describeRun(args, r));
        assert.doesNotMatch(r.stderr, /listening on/, 'serve did not start');
      }
    } finally {
      holder.stdin.end();
      await new Promise((resolve) => {
        if (holder.exitCode !== null) resolve();
        else holder.on('exit', resolve);
      });
    }
    // Once the lock is gone the site opens again.
    const args = ['comments', 'list', '--site', site];
    const r = run(args);
    assert.equal(r.status, 0, describeRun(args, r));
  });
});
