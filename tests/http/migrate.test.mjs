// migrate.test.mjs - `gazette migrate --to postgresql://...` (src/cli/
// cmd_migrate.c, src/store/migrate.c): a site made by `gazette init`,
// with imported articles and a reader's comment approved on the command
// line, is served on SQLite, copied into a fresh PostgreSQL schema
// (GAZETTE_TEST_PG, search_path in the URL) and served again from there
// with `[store] url`: the article page has the same headline and the same
// approved comment. A second migrate into the now full database is
// refused and changes nothing (skipped without GAZETTE_TEST_PG), and no
// message shows the URL's password.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { articlePaths, commentSite, listComments, moderate, postComment, readThread, setConf }
  from '../lib/comments.mjs';
import { describeRun, get, run, runOk, startServer, stopChecked } from '../lib/gazette.mjs';
import { freshSchemaUrl, pgMissing, psql } from '../lib/pg.mjs';

// The article at `path` of a site served with `site`'s config: its
// headline (the page's <h1>) and its comment thread.
async function articleSeen(site, path) {
  const srv = await startServer(['serve', '--site', site]);
  try {
    const page = await get(`${srv.url}${path}`);
    assert.equal(page.status, 200, page.body.slice(0, 500));
    const h1 = /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(page.body);
    return { headline: h1 && h1[1].trim(), thread: readThread(page.body) };
  } finally {
    await stopChecked(srv);
  }
}

describe('gazette migrate', {
  timeout: 300000,
  skip: pgMissing() || false,
}, () => {
  it('copies a served site into PostgreSQL, which then serves the same page and comment', async () => {
    const { site } = commentSite([
      { title: 'Zeppelin returns to Riverton', body: 'The airship floated over the valley.' },
      { title: 'Council meets on Tuesday', body: 'The agenda is short.' },
    ]);

    // A reader's comment, approved on the command line.
    const srv = await startServer(['serve', '--site', site]);
    let path;
    try {
      [path] = await articlePaths(srv.url, ['Zeppelin returns to Riverton']);
      const res = await postComment(srv.url, path, {
        name: 'Cora', comment: 'Saw it from the bridge.',
      });
      assert.equal(res.status, 303);
    } finally {
      await stopChecked(srv);
    }
    const pending = listComments(site, 'pending');
    if (pending.length) moderate(site, 'approve', ...pending.map((c) => c.id));
    const before = await articleSeen(site, path);
    assert.equal(before.headline, 'Zeppelin returns to Riverton');
    assert.equal(before.thread.items.length, 1);
    assert.equal(before.thread.items[0].body, 'Saw it from the bridge.');

    // A schema of this test's own in the shared database (dropped when
    // the test process exits).
    const url = freshSchemaUrl('migrate');
    const args = ['migrate', '--site', site, '--to', url];
    const r = runOk(args);
    assert.match(r.stdout, /^articles: 2 rows$/m, describeRun(args, r));
    assert.match(r.stdout, /^comments: 1 row$/m);
    assert.match(r.stdout, /^users: 1 row$/m);
    assert.match(r.stdout, /^migrated \d+ rows in 19 tables to postgresql:/m);
    assert.ok(r.stdout.includes(`url = ${url}`), r.stdout);
    assert.equal(psql(url, 'SELECT count(*) FROM articles'), '2');

    // Again: refused, nothing changed.
    const again = run(args);
    assert.equal(again.status, 1, describeRun(args, again));
    assert.match(again.stderr, /already holds rows.*nothing was written/);
    assert.equal(psql(url, 'SELECT count(*) FROM articles'), '2');
    assert.equal(psql(url, 'SELECT count(*) FROM comments'), '1');

    // Served from PostgreSQL: the same page.
    setConf(site, 'store', { url });
    const after = await articleSeen(site, path);
    assert.equal(after.headline, before.headline);
    assert.equal(after.thread.items.length, 1);
    assert.equal(after.thread.items[0].author, before.thread.items[0].author);
    assert.equal(after.thread.items[0].body, before.thread.items[0].body);

    // The site is on PostgreSQL now: migrate says so.
    const onPg = run(args);
    assert.equal(onPg.status, 1);
    assert.match(onPg.stderr, /already keeps its database in PostgreSQL/);
  });
});

// No server needed: the URL's host does not exist.
describe('gazette migrate without a database', () => {
  it('shows no password and refuses what is not a PostgreSQL URL', () => {
    const { site } = commentSite([]);
    const r = run(['migrate', '--site', site, '--to', 'postgresql://ann:s3cret@/x?host=/nonexistent']);
    assert.equal(r.status, 1);
    assert.ok(!r.stdout.includes('s3cret') && !r.stderr.includes('s3cret'), r.stderr);
    assert.match(r.stderr, /postgresql:\/\/ann:\*\*\*@\/x/);
    const bad = run(['migrate', '--site', site, '--to', '/tmp/elsewhere.db']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /not a PostgreSQL URL/);
    const none = run(['migrate', '--site', site]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /usage: gazette migrate --to URL/);
    assert.equal(none.stdout, '');
    const extra = run(['migrate', '--site', site, '--to', 'postgresql:///x', 'more']);
    assert.equal(extra.status, 2);
    const help = run(['migrate', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /usage: gazette migrate --to URL \[--site DIR\]/);
    assert.match(run(['--help']).stdout, /migrate/);
  });
});
