// backup.test.mjs - `gazette backup` while the site is served and taking
// comments, and `gazette restore` of that backup (src/store/backup.c,
// src/cli/cmd_backup.c): several clients post real comments through the
// form (CAPTCHA answered, trust_proxy with one X-Forwarded-For each) while
// a backup runs; the backup exits 0, passes SQLite's integrity check and
// holds every comment acknowledged (303) before it started. A restore is
// refused while the server runs, then for a truncated copy and a file of
// random bytes, each time leaving the site as it was; after the server
// stops, the backup is restored and the site serves its articles again.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { articlePaths, commentSite, fieldsFor, openArticle, postComment, readThread, setConf, submit }
  from '../lib/comments.mjs';
import { bin, get, run, startServer, stopChecked, tempDir } from '../lib/gazette.mjs';

const SQLITE = '/usr/bin/sqlite3';
const haveSqlite = spawnSync(SQLITE, ['-version']).status === 0;

// Generous bounds, so that a broken server fails instead of hanging; no
// assertion is about time.
const WAIT_MS = 60000;
// Older articles in the site besides the two the storm is about.
const FILLER = 40;

function sql(db, query) {
  const r = spawnSync(SQLITE, [db, query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function bodies(db) {
  return new Set(sql(db, 'SELECT body FROM comments;').split('\n').filter((l) => l));
}

// Runs `gazette ARGS` without blocking the event loop (the posting
// clients go on meanwhile). Resolves to {status, stdout, stderr}.
function runAsync(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), WAIT_MS * 2);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

async function until(what, fn) {
  const end = Date.now() + WAIT_MS;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`waited in vain for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The site directory's file names, sorted.
function siteFiles(site) {
  return readdirSync(site).sort();
}

describe('backup and restore', { timeout: 300000, skip: !haveSqlite && 'no sqlite3 shell' }, () => {
  it('backup during load holds every acknowledged comment; restore checks, refuses and restores', async () => {
    // Enough older articles (about 2.5 MB) that the backup takes several
    // steps while the comments are being committed.
    const filler = Array.from({ length: FILLER }, (_, i) => ({
      title: `Archive ${i}`,
      date: '2021-05-18 18:31',
      body: `Archive paragraph ${i}, long enough to fill pages. `.repeat(1200),
    }));
    const { site } = commentSite([{ title: 'Storm' }, { title: 'Quiet' }, ...filler],
      { moderation: 'post' });
    const ARTICLES = 2 + FILLER;
    setConf(site, 'server', { trust_proxy: 'yes' });
    const db = path.join(site, 'gazette.db');
    const out = tempDir('gazette-backup-');
    const file = path.join(out, 'site.backup');

    let srv = await startServer(['serve', '--site', site]);
    const [storm] = await articlePaths(srv.url, ['Storm']);
    const acked = [];  // markers answered 303, in order
    const failures = [];
    let serial = 0;
    let stop = false;
    const client = async () => {
      while (!stop) {
        const n = ++serial;
        const marker = `backup-storm-${n}-x`;
        try {
          const page = await openArticle(srv.url, storm);
          const res = await submit(srv.url, page.form.action,
            fieldsFor(page.form, { name: `Storm ${n}`, comment: marker }),
            { headers: { 'X-Forwarded-For': `10.7.${(n >> 8) & 255}.${n & 255}` } });
          if (res.status === 303) acked.push(marker);
          else failures.push(`${marker}: ${res.status}`);
        } catch (e) {
          failures.push(`${marker}: ${e.message}`);
        }
      }
    };
    const clients = Array.from({ length: 6 }, client);

    // The storm is on; the backup starts in the middle of it.
    await until('20 acknowledged comments', () => acked.length >= 20);
    const before = acked.slice();
    const backup = await runAsync(['backup', '--site', site, file]);
    const duringBackup = acked.length - before.length;
    // The storm goes on after the backup: the server was not disturbed.
    const afterBackup = acked.length;
    await until('more comments after the backup', () => acked.length >= afterBackup + 10);
    stop = true;
    await Promise.all(clients);
    assert.deepEqual(failures, [], 'every comment of the storm was acknowledged');

    assert.equal(backup.status, 0, `gazette backup: ${backup.stderr}`);
    assert.match(backup.stdout, new RegExp(`^backed up .* to .*site\\.backup: .*, ${ARTICLES} articles, \\d+ comments\n$`));
    // Piped: no progress on stderr.
    assert.equal(backup.stderr, '');
    assert.equal(sql(file, 'PRAGMA integrity_check;'), 'ok');
    const saved = bodies(file);
    for (const m of before) assert.ok(saved.has(m), `acknowledged ${m} before the backup: in it`);
    const inBackup = Number(sql(file, 'SELECT count(*) FROM comments;'));
    assert.match(backup.stdout, new RegExp(`, ${inBackup} comments\\n$`));
    assert.ok(inBackup >= before.length && inBackup <= before.length + duringBackup + 6,
      `the backup holds the comments of its moment (${inBackup})`);
    // Nothing but the backup itself in its directory.
    assert.deepEqual(readdirSync(out), ['site.backup']);
    // A second backup to the same name is refused without --force.
    const again = run(['backup', '--site', site, file]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /exists already; give --force/);

    // Restore is refused while the server runs, and the server is fine.
    const filesServing = siteFiles(site);
    const busy = run(['restore', '--site', site, file]);
    assert.equal(busy.status, 1, busy.stdout);
    assert.match(busy.stderr, /in use by another program .*stop it and try again/);
    assert.deepEqual(siteFiles(site), filesServing);
    const late = await postComment(srv.url, storm, { comment: 'after-refusal-x' },
      '', { headers: { 'X-Forwarded-For': '10.8.0.1' } });
    assert.equal(late.status, 303);
    await stopChecked(srv);

    const all = bodies(db);
    for (const m of acked) assert.ok(all.has(m));
    assert.ok(all.has('after-refusal-x'));
    const filesStopped = siteFiles(site);

    // A truncated copy and random bytes are refused; the site is as it was.
    const cut = path.join(out, 'cut.backup');
    const whole = readFileSync(file);
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const junk = path.join(out, 'junk.backup');
    writeFileSync(junk, randomBytes(64 * 1024));
    for (const [bad, why] of [[cut, /is damaged/], [junk, /is not an SQLite database/]]) {
      const r = run(['restore', '--site', site, bad]);
      assert.equal(r.status, 1, `restore ${bad}: ${r.stdout}`);
      assert.match(r.stderr, why);
      assert.match(r.stderr, /gazette\.db is unchanged/);
      assert.deepEqual(siteFiles(site), filesStopped);
      assert.equal(bodies(db).size, all.size);
    }
    assert.equal(sql(db, 'PRAGMA integrity_check;'), 'ok');

    // The backup goes back in; the old database is kept beside it.
    const restored = run(['restore', '--site', site, file]);
    assert.equal(restored.status, 0, restored.stderr);
    assert.match(restored.stdout, new RegExp(`^restored .* from .*: ${ARTICLES} articles, ${inBackup} comments\\n`));
    const kept = /kept as (\S+)\n/.exec(restored.stdout);
    assert.ok(kept, restored.stdout);
    assert.equal(bodies(kept[1]).size, all.size, 'the old database, whole, is kept');
    const names = siteFiles(site);
    assert.ok(!names.some((n) => /restore\.tmp|-wal$|-shm$/.test(n)), names.join(' '));
    assert.equal(Number(sql(db, 'SELECT count(*) FROM comments;')), inBackup);
    assert.equal(sql(db, 'PRAGMA integrity_check;'), 'ok');

    // Served again: the articles, and the comments of the backup.
    srv = await startServer(['serve', '--site', site]);
    const front = (await get(`${srv.url}/`)).body;
    assert.match(front, /Storm/);
    assert.match(front, /Quiet/);
    const page = await get(`${srv.url}${storm}`);
    const thread = readThread(page.body);
    assert.equal(thread.count, inBackup);
    assert.ok(!page.body.includes('after-refusal-x'));
    const fresh = await postComment(srv.url, storm, { comment: 'after-restore-x' },
      '', { headers: { 'X-Forwarded-For': '10.8.0.2' } });
    assert.equal(fresh.status, 303);
    await stopChecked(srv);
  });
});
