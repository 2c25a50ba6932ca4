// crash.test.mjs - a comment acknowledged to a reader is never lost: a
// comment storm (several clients posting through the real form), the
// server SIGKILLed at random moments five times and restarted, then every
// comment answered 303 is in the database exactly once, and SQLite's
// integrity check is clean. And an import killed half-way leaves every
// file whole or absent, never half-imported.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';

import { articlePaths, commentSite, fieldsFor, openArticle, setConf, submit } from '../lib/comments.mjs';
import { markdown, writeArticle } from '../lib/fixtures.mjs';
import { bin, run, slow, startServer, tempSite } from '../lib/gazette.mjs';

const SQLITE = '/usr/bin/sqlite3';
const haveSqlite = spawnSync(SQLITE, ['-version']).status === 0;

function sql(site, query) {
  const r = spawnSync(SQLITE, [path.join(site, 'gazette.db'), query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe('crash safety', { timeout: slow(240000), skip: !haveSqlite && 'no sqlite3 shell' }, () => {
  it('five SIGKILLs during a comment storm lose no acknowledged comment', async () => {
    const { site } = commentSite([{ title: 'Storm' }], { moderation: 'post' });
    setConf(site, 'server', { trust_proxy: 'yes' });
    const acked = new Map(); // marker text -> times acknowledged
    let serial = 0;
    for (let round = 0; round < 5; round++) {
      const srv = await startServer(['serve', '--site', site]);
      const [A] = await articlePaths(srv.url, ['Storm']);
      let stop = false;
      const client = async () => {
        while (!stop) {
          const n = ++serial;
          const marker = `storm-${n}-x`;
          try {
            const page = await openArticle(srv.url, A);
            const res = await submit(srv.url, page.form.action,
              fieldsFor(page.form, { name: `Storm ${n}`, comment: marker }),
              { headers: { 'X-Forwarded-For': `10.9.${(n >> 8) & 255}.${n & 255}` } });
            if (res.status === 303) acked.set(marker, (acked.get(marker) || 0) + 1);
          } catch {
            return; // the server died under us: this client is done
          }
        }
      };
      const clients = Array.from({ length: 6 }, client);
      // A random moment a little into the storm (later on a slow server,
      // GAZETTE_TEST_SLOW, so that some comments are acknowledged first).
      await new Promise((r) => setTimeout(r, slow(300 + Math.floor(Math.random() * 700))));
      srv.child.kill('SIGKILL');
      stop = true;
      await Promise.all(clients);
      await srv.stop();
    }
    assert.ok(acked.size > 0, 'some comments were acknowledged');
    assert.equal(sql(site, 'PRAGMA integrity_check;'), 'ok');
    for (const [marker, times] of acked) {
      assert.equal(times, 1);
      assert.equal(sql(site, `SELECT count(*) FROM comments WHERE body = '${marker}';`), '1',
        `acknowledged comment ${marker} is stored exactly once`);
    }
  });

  it('an import killed half-way leaves each file whole or absent', async () => {
    const { dir, site } = tempSite();
    const files = [];
    for (let i = 0; i < 3000; i++) {
      files.push(writeArticle(dir, `k${i}.md`, markdown({ title: `Killed ${i}`, date: '2021-05-18 18:31', tags: 'a, b' },
        `Paragraph one of ${i}.\n\nParagraph two of ${i}, the last.\n`)));
    }
    const child = spawn(bin(), ['import', '--site', site, ...files], { stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    await new Promise((r) => setTimeout(r, slow(150 + Math.floor(Math.random() * 300))));
    child.kill('SIGKILL');
    await exited;
    assert.equal(sql(site, 'PRAGMA integrity_check;'), 'ok');
    const n = Number(sql(site, 'SELECT count(*) FROM articles;'));
    // Whole: every stored article has its body, its HTML and both tags.
    assert.equal(sql(site, "SELECT count(*) FROM articles WHERE body NOT LIKE '%the last.'" +
      ' OR body_html IS NULL;'), '0');
    assert.equal(Number(sql(site, 'SELECT count(*) FROM article_tags;')), 2 * n);
    // And importing everything again completes the rest.
    const r = run(['import', '--site', site, ...files], { timeout: slow(120000) });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(sql(site, 'SELECT count(*) FROM articles;'), '3000');
  });
});
