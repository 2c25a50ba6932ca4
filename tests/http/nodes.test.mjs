// nodes.test.mjs - many gazette nodes on one PostgreSQL (issue 16,
// "Tests"): two nodes serving one database behind nginx (round robin,
// tests/lib/nginx.mjs), each with a site directory of its own holding the
// same gazette.conf (one secret, one [store] url).
//
// 1. A comment posted on node A and approved with the command line on
//    node B's site directory shows on both nodes' cached article pages:
//    the commit NOTIFYs every node's listener (src/store/pg_listen.c),
//    which drops the page from its cache. The delays are printed, never
//    asserted (a deadline only keeps a broken build from hanging).
// 2. A comment storm through nginx, node A SIGKILLed in the middle: every
//    comment answered 303 (acknowledged) is in the database exactly once.
// 3. PostgreSQL restarted under a node (a cluster of the test's own)
//    while readers post comments: while it is away the node answers 503
//    within a client timeout, never hangs; once it is back the node serves
//    pages and takes comments again without a restart, its listener is
//    back (a command-line approval leaves its cached page), and every
//    comment acknowledged around the restart is stored once.
// 4. Six restarts at random moments under reads, searches and comments:
//    every answer is 200, 303 or 503 (a 500 here was a bug: a page whose
//    navigation query met the dropped connection said "out of memory"),
//    and no acknowledged comment is lost.
// 5. The database frozen (SIGSTOP: it answers nothing and closes
//    nothing, as in a network partition): reads answer 503 within the
//    client timeout, and the node serves again once it thaws.
//
// Skipped without GAZETTE_TEST_PG (scripts/check.sh sets it when
// PostgreSQL is installed); 1 and 2 also without nginx.

import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  EASY, articlePaths, fieldsFor, listComments, moderate, openArticle, postComment, publishedId,
  readThread, recentDate, setConf, submit,
} from '../lib/comments.mjs';
import { markdown, writeArticle } from '../lib/fixtures.mjs';
import {
  describeRun, get, request, run, runOk, slow, startServer, stopChecked, tempSite,
} from '../lib/gazette.mjs';
import { nginxMissing, startNginx } from '../lib/nginx.mjs';
import {
  canStartClusters, freshSchemaUrl, pgMissing, psql, removeOwnCluster, startOwnCluster,
} from '../lib/pg.mjs';

const T = { timeout: slow(300000) };
// How long a change may take to show before the test gives up: generous,
// so that a slow machine never fails it; the printed delays are the figure.
const SHOW_DEADLINE_MS = slow(10000);
// A request answered by neither a page nor a 503 within this is a hang.
const NO_HANG_MS = slow(15000);
const SKIP = pgMissing() || nginxMissing();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A site directory on the database at `url` holding `articles` (titles),
// imported through it, and a second one with the same gazette.conf: two
// nodes of one site. `comments` overrides the [comments] policy.
function twoNodeSite(url, titles, comments = {}) {
  const a = tempSite({ title: 'The Two Node Times' });
  setConf(a.site, 'store', { url });
  setConf(a.site, 'comments', { ...EASY, ...comments });
  // Readers' addresses come in X-Forwarded-For (nginx passes it on).
  setConf(a.site, 'server', { trust_proxy: 'yes' });
  const files = titles.map((t, i) => writeArticle(a.dir, `n${i}.md`,
    markdown({ title: t, date: recentDate() }, `The story of ${t.toLowerCase()}.\n`)));
  runOk(['import', '--site', a.site, ...files]);
  const b = tempSite({ title: 'The Two Node Times' });
  copyFileSync(path.join(a.site, 'gazette.conf'), path.join(b.site, 'gazette.conf'));
  return { siteA: a.site, siteB: b.site };
}

// The node's counter of page cache hits (/metrics).
async function cacheHits(base) {
  const body = (await get(`${base}/metrics`)).body;
  const m = /^gazette_cache_requests_total\{result="hit"\} (\d+)/m.exec(body);
  return m ? Number(m[1]) : 0;
}

// True when the article page at base+path shows a comment whose text is
// `marker`.
async function shows(base, p, marker) {
  const res = await request(base + p);
  if (res.status !== 200) return false;
  const thread = readThread(res.body);
  return !!thread && thread.items.some((c) => c.body === marker);
}

// Polls shows() every `every` ms until it is true; resolves to the
// milliseconds since `t0`, or null after `deadline` ms.
async function whenShown(base, p, marker, t0, every = 20, deadline = SHOW_DEADLINE_MS) {
  for (;;) {
    if (await shows(base, p, marker)) return Date.now() - t0;
    if (Date.now() - t0 > deadline) return null;
    await sleep(every);
  }
}

// The pending comment whose text is `marker`, read with the command line.
function pendingId(site, marker) {
  const c = listComments(site, 'pending').find((x) => x.rest.includes(marker));
  assert.ok(c, `comment ${marker} is pending`);
  return c.id;
}

// A comment storm: `clients` readers at once, each opening the article at
// base+p and posting a comment with a text of its own, from an address of
// its own (the rate limit is per address, and these tests are not about
// it), until stop(); with `also` (paths), each reader GETs those too
// between comments (counted as "get STATUS"). storm.phase is the test's
// to set; each acknowledged comment (303) keeps the phase its POST was
// sent in. Returns {acked (text -> {by: X-Upstream, phase}), twice (texts
// acknowledged twice), statuses (answer -> how many), phase, count(pred),
// stop()}. A GET of `also` unanswered within NO_HANG_MS counts as an
// error; a hung comment request (fetch, no limit of its own) is ended by
// the test's timeout, a failure too.
function storm(base, p, clients, tag, also = []) {
  const st = {
    acked: new Map(), twice: [], statuses: {}, phase: 'before', done: false,
  };
  let serial = 0;
  const note = (k) => { st.statuses[k] = (st.statuses[k] || 0) + 1; };
  const one = async () => {
    while (!st.done) {
      const n = ++serial;
      const text = `${tag}-${process.pid}-${n}`;
      const headers = { 'X-Forwarded-For': `10.7.${(n >> 8) & 255}.${n & 255}` };
      try {
        for (const q of also) {
          const r = await request(base + q.replace('{n}', String(n)), { timeout: NO_HANG_MS });
          note(`get ${r.status}`);
        }
        const page = await openArticle(base, p);
        if (page.status !== 200 || !page.form) {
          note(`page ${page.status}`);
          await sleep(50); // a refusal comes at once: no busy loop
          continue;
        }
        const phase = st.phase;
        const res = await submit(base, page.form.action,
          fieldsFor(page.form, { name: `Storm ${n}`, comment: text }), { headers });
        note(res.status);
        if (res.status === 303) {
          if (st.acked.has(text)) st.twice.push(text);
          st.acked.set(text, { by: res.headers.get('x-upstream'), phase });
        } else {
          await sleep(50);
        }
      } catch (e) {
        note(`error ${e.cause?.code || e.code || e.message}`);
        await sleep(50);
      }
    }
  };
  const all = Array.from({ length: clients }, one);
  st.count = (pred = () => true) => [...st.acked.values()].filter(pred).length;
  st.stop = async () => {
    st.done = true;
    await Promise.all(all);
  };
  return st;
}

// Waits until check() is true, trying every 20 ms; throws `what` after
// `ms` (a deadline against a hang, never a timing assertion).
async function until(check, ms, what) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`gave up after ${ms} ms waiting until ${what}`);
    await sleep(20);
  }
}

// Asserts that every comment `st` saw acknowledged is in the database
// at `url` exactly once, and that none is there twice.
function assertStored(url, st, tag) {
  assert.deepEqual(st.twice, [], 'no comment was acknowledged twice');
  const rows = psql(url, `SELECT body, count(*) FROM comments WHERE body LIKE '${tag}-%' GROUP BY body`)
    .split('\n').filter(Boolean).map((l) => l.split('|'));
  const stored = new Map(rows.map(([body, n]) => [body, Number(n)]));
  for (const [body, n] of stored) assert.equal(n, 1, `${body} is stored once`);
  const lost = [...st.acked.keys()].filter((m) => !stored.has(m));
  assert.deepEqual(lost, [], 'every acknowledged comment is in the database');
}

// Resolves once the node's output (from now on) matches `re`.
function logSays(node, re) {
  return new Promise((resolve) => {
    let tail = '';
    const on = (chunk) => {
      tail = (tail + chunk).slice(-8192);
      if (re.test(tail)) {
        node.child.stderr.off('data', on);
        resolve();
      }
    };
    node.child.stderr.on('data', on);
  });
}

// `promise`, or an error `what` after `ms`.
function within(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up after ${ms} ms waiting until ${what}`)), ms);
  })]).finally(() => clearTimeout(timer));
}

describe('two nodes on one PostgreSQL behind nginx', { ...T, skip: SKIP || false }, () => {
  let url; let siteA; let siteB; let nodeA; let nodeB; let lb; let P;

  before(async () => {
    url = freshSchemaUrl('nodes');
    ({ siteA, siteB } = twoNodeSite(url, ['Two nodes, one story', 'The storm'],
      { moderation: 'pre' }));
    nodeA = await startServer(['serve', '--site', siteA]);
    nodeB = await startServer(['serve', '--site', siteB]);
    lb = await startNginx([nodeA.port, nodeB.port]);
    [P] = await articlePaths(lb.url, ['Two nodes, one story']);
  });
  after(async () => {
    if (lb) await lb.stop();
    for (const n of [nodeA, nodeB]) if (n && !n.exited()) await stopChecked(n);
  });

  it('balances over both nodes', T, async () => {
    const seen = new Set();
    for (let i = 0; i < 6; i++) {
      const res = await get(lb.url + P);
      seen.add(res.headers['x-upstream']);
    }
    assert.deepEqual([...seen].sort(),
      [`127.0.0.1:${nodeA.port}`, `127.0.0.1:${nodeB.port}`].sort());
  });

  it('a comment posted on node A and approved on node B shows on both cached pages', T, async (t) => {
    const marker = `Seen on both nodes ${process.pid}`;
    const res = await postComment(nodeA.url, P, { name: 'Nadia', comment: marker });
    assert.equal(res.status, 303, res.body.slice(0, 500));
    assert.equal(publishedId(res.location), null, 'the comment waits for moderation');

    // Each node holds the page in its cache, without the comment. The
    // pending comment's own change event reaches node B by NOTIFY a
    // moment after the 303 and may drop the page between two reads:
    // read until one is a hit.
    for (const [name, node] of [['A', nodeA], ['B', nodeB]]) {
      await until(async () => {
        const h0 = await cacheHits(node.url);
        for (let i = 0; i < 2; i++) assert.equal(await shows(node.url, P, marker), false);
        return (await cacheHits(node.url)) > h0;
      }, SHOW_DEADLINE_MS, `node ${name} answered the page from its cache`);
    }

    moderate(siteB, 'approve', pendingId(siteB, marker));
    const t0 = Date.now();
    const [dA, dB] = await Promise.all([whenShown(nodeA.url, P, marker, t0),
      whenShown(nodeB.url, P, marker, t0)]);
    t.diagnostic(`approved on node B's site directory: node A showed it ${dA} ms, ` +
      `node B ${dB} ms after the command returned (polled every 20 ms)`);
    assert.notEqual(dA, null, `node A shows the approved comment within ${SHOW_DEADLINE_MS} ms`);
    assert.notEqual(dB, null, `node B shows the approved comment within ${SHOW_DEADLINE_MS} ms`);
  });

  it('node A SIGKILLed during a comment storm through nginx loses no acknowledged comment', T, async (t) => {
    const [S] = await articlePaths(lb.url, ['The storm']);
    const A = `127.0.0.1:${nodeA.port}`;
    const st = storm(lb.url, S, 8, 'storm');
    // In the middle: once both nodes have acknowledged comments.
    await until(() => st.count((c) => c.by === A) >= 5 && st.count((c) => c.by !== A) >= 5,
      slow(60000), 'both nodes acknowledged 5 comments');
    nodeA.child.kill('SIGKILL');
    st.phase = 'after';
    // Node B carries on alone for a while.
    await until(() => st.count((c) => c.phase === 'after') >= 20, slow(60000),
      'node B acknowledged 20 comments after the SIGKILL');
    await st.stop();
    const exit = await nodeA.stop();
    t.diagnostic(`acknowledged ${st.count((c) => c.phase === 'before')} sent before the SIGKILL ` +
      `(${st.count((c) => c.by === A)} by node A), ${st.count((c) => c.phase === 'after')} after; ` +
      `answers: ${JSON.stringify(st.statuses)}`);
    assert.equal(exit.signal, 'SIGKILL');
    assertStored(url, st, 'storm');
  });
});

describe('a node through a PostgreSQL restart', {
  ...T,
  // No nginx here: one node, spoken to directly.
  skip: (pgMissing() || (!canStartClusters() && 'PostgreSQL\'s server programs are not installed')) ||
    false,
}, () => {
  let cluster; let site; let node;

  before(async () => {
    cluster = startOwnCluster();
    ({ siteA: site } = twoNodeSite(cluster.url, ['Before the restart', 'Never read before'],
      { moderation: 'pre' }));
    node = await startServer(['serve', '--site', site]);
  });
  after(async () => {
    if (node) {
      // The database must be up for a clean stop to be asked of it.
      if (cluster) cluster.thaw();
      if (cluster) await cluster.start();
      await stopChecked(node);
    }
    if (cluster) removeOwnCluster(cluster);
  });

  it('answers 503 while the database is away, then serves and listens again without a restart', T, async (t) => {
    const [P1, P2] = await articlePaths(node.url, ['Before the restart', 'Never read before']);
    await get(node.url + P1);
    await get(node.url + P1);
    // A form to send while the database is away (its token unspent).
    const form = (await openArticle(node.url, P1)).form;
    assert.ok(form, 'the page has a comment form');
    const away = logSays(node, /PostgreSQL is away/);
    const listening = logSays(node, /listening for changes again/);

    // Readers posting all along, before, during and after the restart.
    const st = storm(node.url, P1, 4, 'restart');
    await until(() => st.count() >= 5, slow(60000), '5 comments were acknowledged');
    st.phase = 'away';
    await cluster.stop();
    const stopped = Date.now();
    // Twice: the first failure must not leave the next request hanging.
    for (let round = 1; round <= 2; round++) {
      const answers = {};
      const timed = async (name, fn) => {
        const t1 = Date.now();
        const res = await fn();
        answers[name] = `${res.status} in ${Date.now() - t1} ms`;
        return res.status;
      };
      const opts = { timeout: NO_HANG_MS };
      const cached = await timed('cached page', () => request(node.url + P1, opts));
      const uncached = await timed('uncached page', () => request(node.url + P2, opts));
      const health = await timed('/healthz', () => request(`${node.url}/healthz`, opts));
      const post = await timed('comment', () => request(node.url + form.action, {
        ...opts,
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fieldsFor(form, { name: 'Away', comment: 'While away.' })).toString(),
      }));
      t.diagnostic(`database away, round ${round}: ${JSON.stringify(answers)}`);
      assert.ok([200, 503].includes(cached), `the cached page answers 200 or 503, not ${cached}`);
      assert.equal(uncached, 503, 'a page not in the cache answers 503');
      assert.equal(health, 503, '/healthz answers 503');
      assert.equal(post, 503, 'a comment answers 503');
    }
    // The command line says so and stops, too (no hang: run()'s limit).
    const cli = run(['comments', 'list', '--site', site]);
    t.diagnostic(`database away: gazette comments list -> ${cli.status}: ${cli.stderr.trim().split('\n').pop()}`);
    assert.equal(cli.status, 1, describeRun(['comments', 'list'], cli));
    assert.match(cli.stderr, /cannot open the PostgreSQL database: the server cannot be reached/);
    // The listener has found the database gone and is trying again.
    await within(away, slow(30000), 'the node said the database is away');

    await cluster.start();
    const back = Date.now();
    st.phase = 'back';
    let page = null;
    await until(async () => {
      const res = await request(node.url + P2, { timeout: NO_HANG_MS });
      return res.status === 200;
    }, slow(60000), 'the uncached page answered 200 again');
    page = Date.now() - back;
    await until(() => st.count((c) => c.phase === 'back') >= 5, slow(60000),
      '5 comments were acknowledged after the restart');
    const comments = Date.now() - back;
    await st.stop();
    t.diagnostic(`database away ${back - stopped} ms; once it was back the node served the ` +
      `uncached page in ${page} ms and had acknowledged 5 comments in ${comments} ms; ` +
      `storm answers: ${JSON.stringify(st.statuses)}`);
    assert.equal(node.exited(), null, 'the node was not restarted');
    // Away is 503, never another server error.
    const errorLines = () => node.log().split('\n').filter((l) => / error /.test(l)).slice(-60).join('\n');
    assert.deepEqual(Object.keys(st.statuses).filter((k) => /5\d\d/.test(k) && !/503/.test(k)), [],
      `the storm's answers ${JSON.stringify(st.statuses)}; the node's last errors:\n${errorLines()}`);
    assertStored(cluster.url, st, 'restart');

    // The listener is back on the database: it says so, and an approval
    // from the command line leaves the node's cached page.
    await within(listening, slow(30000), 'the node listened for changes again');
    const [text] = [...st.acked].find(([, c]) => c.phase === 'back');
    await get(node.url + P1);
    await get(node.url + P1);
    const t0 = Date.now();
    moderate(site, 'approve', pendingId(site, text));
    const t1 = Date.now();
    const d = await whenShown(node.url, P1, text, t1);
    t.diagnostic(`after the restart, an approval (command ${t1 - t0} ms) showed on the ` +
      `cached page ${d} ms after the command returned`);
    assert.notEqual(d, null, `the approved comment shows within ${SHOW_DEADLINE_MS} ms`);
  });

  it('six restarts under reads, searches and comments: only 503s, no hang, nothing lost', T, async (t) => {
    const [P1] = await articlePaths(node.url, ['Before the restart']);
    // Pages the cache does not answer (another page number each time),
    // and a search, so that every turn asks the database.
    const st = storm(node.url, P1, 6, 'flap', [`${P1}?page={n}`, '/search?q=restart']);
    await until(() => st.count() >= 5, slow(60000), '5 comments were acknowledged');
    // Moments chosen at random, to meet a request at a different point
    // each time (mid-query, at BEGIN, at COMMIT, while reconnecting).
    for (let i = 0; i < 6; i++) {
      st.phase = `up ${i}`;
      await sleep(200 + Math.floor(Math.random() * 600));
      st.phase = `away ${i}`;
      await cluster.stop();
      await sleep(100 + Math.floor(Math.random() * 500));
      await cluster.start();
    }
    st.phase = 'back';
    await until(() => st.count((c) => c.phase === 'back') >= 5, slow(60000),
      '5 comments were acknowledged after the last restart');
    await st.stop();
    // Every thread's connection is back, not only some: 40 requests in a
    // row, each on a connection of its own (so on any server thread),
    // read the database. A connection lost for good answers 503 on its
    // thread for ever and never lets the run complete.
    let inARow = 0;
    let n = 0;
    await until(async () => {
      const r = await request(`${node.url}${P1}?page=${1000 + ++n}`, { timeout: NO_HANG_MS });
      inARow = r.status === 200 ? inARow + 1 : 0;
      return inARow >= 40;
    }, slow(60000), '40 uncached pages in a row answered 200');
    t.diagnostic(`six restarts: ${st.count()} comments acknowledged; answers: ${JSON.stringify(st.statuses)}`);
    assert.equal(node.exited(), null, 'the node was not restarted');
    const errorLines = () => node.log().split('\n').filter((l) => / error /.test(l) && !/answered 503/.test(l))
      .slice(-40).join('\n');
    const unexpected = Object.keys(st.statuses).filter((k) => !/^(get |page )?(200|303|503)$/.test(k));
    assert.deepEqual(unexpected, [], `answers ${JSON.stringify(st.statuses)}; the node's last errors:\n${errorLines()}`);
    assertStored(cluster.url, st, 'flap');
  });

  it('after a crash of the database, the first statement on each old connection is sent again, not failed', T, async (t) => {
    // Every serving thread's connection in use once, so that each is
    // left stale by the crash.
    const [P1] = await articlePaths(node.url, ['Before the restart']);
    for (let i = 0; i < 16; i++) await request(`${node.url}${P1}?page=${100 + i}`, { timeout: NO_HANG_MS });
    await cluster.crash();
    await cluster.start();
    // The statement that finds its connection dead is sent once more on
    // a new one (pg_driver.c, pg_reconnected; libpq learns of a crash
    // only when it reads the socket, which pg_await does): no reader
    // sees the crash.
    const statuses = {};
    for (let i = 0; i < 24; i++) {
      const r = await request(`${node.url}${P1}?page=${200 + i}`, { timeout: NO_HANG_MS });
      statuses[r.status] = (statuses[r.status] || 0) + 1;
    }
    t.diagnostic(`after the crash: ${JSON.stringify(statuses)}`);
    assert.deepEqual(statuses, { 200: 24 }, 'every uncached page after the database came back');
  });

  it('answers 503, not a hang, while the database is frozen, and recovers when it thaws', T, async (t) => {
    const [P1] = await articlePaths(node.url, ['Before the restart']);
    await get(node.url + P1);
    cluster.freeze();
    let thawed = false;
    try {
      const answers = {};
      for (const [name, p] of [['uncached page', `${P1}?page=77`], ['/healthz', '/healthz'],
        ['search', '/search?q=frozen']]) {
        const t1 = Date.now();
        const r = await request(node.url + p, { timeout: NO_HANG_MS });
        answers[name] = `${r.status} in ${Date.now() - t1} ms`;
        assert.equal(r.status, 503, `${name} while the database is frozen`);
      }
      // A cached page while another request waits on the frozen
      // database: it must not queue behind that request's look for
      // change events (changes.c); its time is printed, not judged.
      const pending = request(`${node.url}${P1}?page=79`, { timeout: NO_HANG_MS });
      await new Promise((r) => setTimeout(r, 200));
      const t2 = Date.now();
      const cached = await request(node.url + P1, { timeout: NO_HANG_MS });
      answers['cached page, beside a waiting request'] = `${cached.status} in ${Date.now() - t2} ms`;
      assert.ok([200, 503].includes(cached.status), `cached page: ${cached.status}`);
      assert.equal((await pending).status, 503);
      t.diagnostic(`database frozen: ${JSON.stringify(answers)}`);
      cluster.thaw();
      thawed = true;
      const t0 = Date.now();
      await until(async () => (await request(`${node.url}${P1}?page=78`, { timeout: NO_HANG_MS })).status === 200,
        slow(60000), 'an uncached page answered 200 after the thaw');
      t.diagnostic(`thawed: an uncached page answered 200 after ${Date.now() - t0} ms`);
    } finally {
      if (!thawed) cluster.thaw();
    }
  });
});
