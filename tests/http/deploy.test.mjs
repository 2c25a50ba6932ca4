// deploy.test.mjs - deploy/ as an operator runs it, on one machine
// (deploy/README.md: "All of it also runs on one machine"): the very files
// deploy/nginx/gazette.conf (the front and the balancer) and
// deploy/varnish/gazette.vcl, with only their ports and addresses
// replaced, in front of two gazette nodes on one PostgreSQL schema:
//
//   reader -> nginx front -> Varnish (ESI) -> nginx balancer -> node A, B
//
// A reader's page comes through the whole chain, cached by Varnish with
// the challenge filled in per reader; a comment posted through the front
// is taken; approved with the command line on node B's site directory, it
// shows through the front (gazette's purge at Varnish, LISTEN/NOTIFY in
// both nodes' caches); and an X-Forwarded-For a reader makes up does not
// get them past the comment rate limit (the front sets the header, Varnish
// takes its own hop back off, the balancer passes it on).
//
// Delays are printed, never asserted. Skipped without GAZETTE_TEST_PG,
// nginx or varnishd.

import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  fieldsFor, listComments, moderate, openArticle, readThread, recentDate, setConf, submit,
} from '../lib/comments.mjs';
import { markdown, writeArticle } from '../lib/fixtures.mjs';
import {
  ROOT, holdPort, request, runOk, slow, startServer, stopChecked, tempSite,
} from '../lib/gazette.mjs';
import { nginxMissing, startNginxConf } from '../lib/nginx.mjs';
import { freshSchemaUrl, pgMissing } from '../lib/pg.mjs';
import { startVarnish, varnishMissing } from '../lib/varnish.mjs';

const NGINX_CONF = path.join(ROOT, 'deploy', 'nginx', 'gazette.conf');
const T = { timeout: slow(300000) };
const SHOW_DEADLINE_MS = slow(30000);
const RATE = 3; // comments per address per window, for the last test
const SKIP = pgMissing() || nginxMissing() || varnishMissing();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Replaces `from` (a RegExp) in `text` by `to`, failing when the file no
// longer has it: the test must run the file operators copy, not a guess.
function must(text, from, to) {
  assert.match(text, from, `${NGINX_CONF} no longer has ${from}`);
  return text.replace(from, to);
}

// deploy/nginx/gazette.conf with the example's addresses made local: the
// nodes at a and b, the balancer at lb, the front at front, Varnish at v.
function deployConf({ a, b, lb, front, v }) {
  let conf = readFileSync(NGINX_CONF, 'utf8');
  conf = must(conf, /^(\s*server )10\.0\.0\.11:8080/m, `$1127.0.0.1:${a}`);
  conf = must(conf, /^(\s*server )10\.0\.0\.12:8080/m, `$1127.0.0.1:${b}`);
  conf = must(conf, /^(\s*listen )127\.0\.0\.1:8080;/m, `$1127.0.0.1:${lb};`);
  conf = must(conf, /^(\s*listen )80;/m, `$1127.0.0.1:${front};`);
  conf = must(conf, /^(\s*proxy_pass http:\/\/)127\.0\.0\.1:6081;/m, `$1127.0.0.1:${v};`);
  return conf;
}

describe('deploy/: nginx, Varnish and two nodes on PostgreSQL, on one machine', { ...T, skip: SKIP || false }, () => {
  let nodeA;
  let nodeB;
  let varnish;
  let nginx;
  let siteA;
  let siteB;
  let frontUrl;
  let articles;

  before(async () => {
    const url = freshSchemaUrl('deploy');
    const held = {};
    for (const k of ['a', 'b', 'lb', 'front']) held[k] = await holdPort();
    const ports = Object.fromEntries(Object.entries(held).map(([k, h]) => [k, h.port]));
    // Varnish first, its backend the balancer; then nginx, then the
    // nodes, each on the port the configuration names.
    varnish = await startVarnish(ports.lb);
    for (const h of Object.values(held)) await h.release();
    nginx = await startNginxConf(deployConf({ ...ports, v: varnish.port }), [ports.lb, ports.front]);
    frontUrl = `http://127.0.0.1:${ports.front}`;

    // One site, two directories with one gazette.conf, as deploy/README.md
    // says (copy the first node's, change only listen).
    const a = tempSite({ title: 'The Deployed Gazette' });
    siteA = a.site;
    setConf(siteA, 'store', { url });
    setConf(siteA, 'server', { trust_proxy: 'yes' });
    setConf(siteA, 'edge', { esi: 'yes', purge: `${varnish.url}/` });
    setConf(siteA, 'comments', { min_fill_seconds: 0, rate_limit_count: RATE });
    const files = ['Flood gates open at dawn', 'Council meets on the bridge'].map((t, i) =>
      writeArticle(a.dir, `d${i}.md`, markdown({ title: t, date: recentDate() }, `The story of ${t}.\n`)));
    runOk(['import', '--site', siteA, ...files]);
    siteB = tempSite({ title: 'The Deployed Gazette' }).site;
    copyFileSync(path.join(siteA, 'gazette.conf'), path.join(siteB, 'gazette.conf'));
    nodeA = await startServer(['serve', '--site', siteA], { listen: `127.0.0.1:${ports.a}` });
    nodeB = await startServer(['serve', '--site', siteB], { listen: `127.0.0.1:${ports.b}` });

    const front = await request(`${frontUrl}/`);
    assert.equal(front.status, 200, front.body.slice(0, 300));
    articles = [...front.body.matchAll(/href="(\/news\/\d+\/[^"#?]+)"/g)].map((m) => m[1]);
    assert.ok(articles.length >= 2, 'the front page links its articles');

  });

  after(async () => {
    if (nginx) await nginx.stop();
    if (varnish) await varnish.stop();
    if (nodeA) await stopChecked(nodeA);
    if (nodeB) await stopChecked(nodeB);
  });

  it('a reader\'s page comes through the front, cached by Varnish, the challenge per reader', async () => {
    const first = await request(frontUrl + articles[0]);
    const second = await request(frontUrl + articles[0]);
    for (const r of [first, second]) {
      assert.equal(r.status, 200);
      assert.doesNotMatch(r.body, /esi:include/, 'Varnish assembled the page');
      assert.equal(r.headers['surrogate-key'], undefined, 'edge headers stay at the edge');
    }
    assert.equal(second.headers['x-cache'], 'HIT');
    const tokens = [first, second].map((r) => /name="token" value="([^"]+)"/.exec(r.body)?.[1]);
    assert.ok(tokens[0] && tokens[1], 'each view has its challenge');
    assert.notEqual(tokens[0], tokens[1], 'a fresh one for every reader');
  });

  it('a comment posted through the front and approved on node B shows through the front', async () => {
    const p = articles[1];
    const marker = `Seen from the deployed edge ${process.pid}`;
    const page = await openArticle(frontUrl, p);
    assert.equal(page.status, 200);
    const res = await submit(frontUrl, page.form.action, fieldsFor(page.form, { comment: marker }),
      { headers: { 'X-Forwarded-For': '198.51.100.7' } });
    assert.equal(res.status, 303, res.body.slice(0, 300));
    // The pending comment's own change event purges the page too, a
    // moment after the 303: wait until Varnish holds it again.
    const warm = Date.now();
    for (;;) {
      const r = await request(frontUrl + p);
      if (r.headers['x-cache'] === 'HIT') break;
      assert.ok(Date.now() - warm < SHOW_DEADLINE_MS, 'the page was not cached again');
      await sleep(20);
    }

    const pending = listComments(siteB, 'pending').filter((c) => c.rest.includes(marker));
    assert.equal(pending.length, 1, 'node B\'s directory sees the comment node A or B took');
    const t0 = Date.now();
    moderate(siteB, 'approve', pending[0].id);
    let seen = null;
    while (seen === null && Date.now() - t0 < SHOW_DEADLINE_MS) {
      const r = await request(frontUrl + p);
      if (r.status === 200 && readThread(r.body).items.some((c) => c.body === marker)) seen = Date.now() - t0;
      else await sleep(20);
    }
    assert.ok(seen !== null, `the approved comment did not show through the front in ${SHOW_DEADLINE_MS} ms`);
    console.log(`deploy: the comment approved on node B showed through the front after ${seen} ms`);
    for (const node of [nodeA, nodeB]) {
      const r = await request(node.url + p);
      assert.ok(readThread(r.body).items.some((c) => c.body === marker), `node ${node.port} shows it too`);
    }
  });

  it('an X-Forwarded-For a reader makes up does not get past the rate limit', async () => {
    // The front replaces the header with the reader's own address, so
    // every made-up address below is one reader (127.0.0.1), whose limit
    // is RATE comments (one is spent already by the test above).
    const statuses = [];
    for (let i = 0; i < RATE + 1; i++) {
      const page = await openArticle(frontUrl, articles[0]);
      const res = await submit(frontUrl, page.form.action,
        fieldsFor(page.form, { comment: `Spoofed ${i} ${process.pid}` }),
        { headers: { 'X-Forwarded-For': `203.0.113.${i + 1}` } });
      statuses.push(res.status);
    }
    assert.ok(statuses.includes(429), `a made-up address passed the limit: ${statuses.join(' ')}`);
  });
});
