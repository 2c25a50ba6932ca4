// server.test.mjs - HTTP behaviour of `gazette demo`'s server (design.md
// section 4): statuses, redirects, conditional requests, HEAD, content
// types, cache headers, keep-alive, and staying up under malformed and
// oversized requests. Article, section and tag URLs are found by reading
// the site's own links, never guessed.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';

import {
  drained, rawExchange, request, runOk, slow, startServer, stopChecked, tempDir,
} from '../lib/gazette.mjs';
import { attr, crawl, openTags } from '../lib/html.mjs';

const T = { timeout: slow(180000) };

function contentType(res) {
  return (res.headers['content-type'] || '').replace(/\s/g, '').toLowerCase();
}
const HTML = 'text/html;charset=utf-8';

describe('gazette demo over HTTP', T, () => {
  let srv;
  let site;
  let base;
  let demoDir;

  before(async () => {
    demoDir = `${tempDir()}/demo`;
    srv = await startServer(['demo', '--site', demoDir]);
    base = srv.url;
    site = await crawl(base);
  });

  // Stopped on SIGTERM, cleanly, with no sanitizer report.
  after(async () => {
    if (srv) await stopChecked(srv);
  });

  describe('the demo newsroom', () => {
    it('has about 15 articles in City, Schools, Weather and Sport', () => {
      assert.ok(site.articles.length >= 10, `found ${site.articles.length} articles`);
      const sections = site.sections.map((s) => s.path);
      for (const s of ['/section/city', '/section/schools', '/section/weather', '/section/sport']) {
        assert.ok(sections.includes(s), `front page or articles link ${s}: ${sections}`);
      }
    });

    // A new moderator finds work in the queue: held comments, each with
    // why, and none of them on the public page.
    it('has comments waiting for a moderator, each with the reason it was held', async () => {
      const list = runOk(['comments', 'list', '--site', demoDir]).stdout;
      const ids = [...list.matchAll(/^\s*(\d+)\s+pending\b/gm)].map((m) => m[1]);
      assert.ok(ids.length >= 2, `pending comments in:\n${list}`);
      for (const id of ids) {
        const shown = runOk(['comments', 'show', id, '--site', demoDir]).stdout;
        assert.match(shown, /^held for\s+\S/m, shown);
        const article = shown.match(/^article\s+(\d+)/m)[1];
        const body = shown.trim().split('\n').pop().slice(0, 40);
        const a = site.articles.find((x) => x.path.startsWith(`/news/${article}/`));
        assert.ok(a, `article ${article} is on the site`);
        const page = await request(base + a.path);
        assert.equal(page.status, 200, a.path);
        assert.ok(!page.body.includes(body), `pending comment ${id} is not public`);
      }
    });

    it('has one Persian article, marked lang="fa" dir="rtl"', () => {
      const fa = site.articles.filter((a) => a.lang === 'fa');
      assert.equal(fa.length, 1, site.articles.map((a) => `${a.path} ${a.lang}`).join('\n'));
      assert.equal(fa[0].dir, 'rtl');
    });
  });

  describe('statuses', () => {
    it('GET / is a 200 UTF-8 HTML page with an ETag', async () => {
      const res = await request(`${base}/`);
      assert.equal(res.status, 200);
      assert.equal(contentType(res), HTML);
      assert.ok(res.headers.etag, 'ETag');
      assert.match(res.body, /^<!doctype html>/i);
    });

    it('every article, section and tag page is a 200 UTF-8 HTML page with an ETag', async () => {
      const paths = [...site.articles.map((a) => a.path), ...site.sections.map((s) => s.path),
        ...site.tags];
      assert.ok(site.tags.length > 0, 'the demo has tag pages');
      for (const p of paths) {
        const res = await request(base + p);
        assert.equal(res.status, 200, p);
        assert.equal(contentType(res), HTML, p);
        assert.ok(res.headers.etag, `${p} has an ETag`);
      }
    });

    it('/healthz answers 200 "ok"', async () => {
      const res = await request(`${base}/healthz`);
      assert.equal(res.status, 200);
      assert.equal(res.body.trim(), 'ok');
    });

    it('an unknown path is a 404 HTML page from the theme', async () => {
      const res = await request(`${base}/no/such/page`);
      assert.equal(res.status, 404);
      assert.equal(contentType(res), HTML);
      assert.match(res.body, /^<!doctype html>/i);
      const css = openTags(res.body, 'link').map((t) => attr(t, 'href'))
        .filter((h) => h && h.startsWith('/static/'));
      assert.ok(css.length > 0, 'the 404 page uses the theme stylesheet');
    });

    it('an article id that does not exist is 404', async () => {
      const ids = site.articles.map((a) => Number(a.path.split('/')[2]));
      const res = await request(`${base}/news/${Math.max(...ids) + 1000}/nothing`);
      assert.equal(res.status, 404);
    });

    it('an id that is not a number is 404 or 400', async () => {
      const res = await request(`${base}/news/abc/nothing`);
      assert.ok([400, 404].includes(res.status), `got ${res.status}`);
    });
  });

  describe('canonical article URLs', () => {
    it('a wrong slug answers 301 to /news/{id}/{slug}', async () => {
      const a = site.articles[0];
      const id = a.path.split('/')[2];
      const res = await request(`${base}/news/${id}/wrong-slug`);
      assert.equal(res.status, 301);
      assert.equal(new URL(res.headers.location, base).pathname, a.path);
    });

    it('a missing slug answers 301 to /news/{id}/{slug}', async () => {
      const a = site.articles[site.articles.length - 1];
      const id = a.path.split('/')[2];
      const res = await request(`${base}/news/${id}`);
      assert.equal(res.status, 301);
      assert.equal(new URL(res.headers.location, base).pathname, a.path);
    });
  });

  describe('listings and pagination', () => {
    it('?page=1 is the first page', async () => {
      const s = site.sections[0].path;
      assert.equal((await request(`${base}${s}?page=1`)).status, 200);
    });

    it('a page beyond the last is 404', async () => {
      const s = site.sections[0].path;
      assert.equal((await request(`${base}${s}?page=9999`)).status, 404);
      assert.equal((await request(`${base}${site.tags[0]}?page=9999`)).status, 404);
    });

    for (const bad of ['0', '-1', 'abc', '1x', '99999999999999999999999']) {
      it(`?page=${bad} is 400 or 404`, async () => {
        const res = await request(`${base}${site.sections[0].path}?page=${encodeURIComponent(bad)}`);
        assert.ok([400, 404].includes(res.status), `got ${res.status}`);
      });
    }

    it('a section that does not exist is 404', async () => {
      assert.equal((await request(`${base}/section/no-such-section`)).status, 404);
      assert.equal((await request(`${base}/tag/no-such-tag`)).status, 404);
    });
  });

  describe('theme assets', () => {
    let css;
    before(() => {
      css = openTags(site.front, 'link')
        .filter((t) => /stylesheet/i.test(attr(t, 'rel') || ''))
        .map((t) => attr(t, 'href'))[0];
    });

    it('the stylesheet has a fingerprinted /static/ name', () => {
      assert.ok(css, 'the front page links a stylesheet');
      assert.match(css, /^\/static\/[\w-]+\.[\w-]{6,}\.css$/);
    });

    it('is served as CSS, cacheable forever', async () => {
      const res = await request(base + css);
      assert.equal(res.status, 200);
      assert.equal(contentType(res), 'text/css;charset=utf-8');
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.ok(res.raw.length > 0);
    });

    it('an unknown asset is 404', async () => {
      assert.equal((await request(`${base}/static/nothing.0123456789.css`)).status, 404);
    });
  });

  describe('conditional requests and HEAD', () => {
    const targets = () => [
      '/',
      site.articles[0].path,
      site.sections[0].path,
      openTags(site.front, 'link').map((t) => attr(t, 'href'))
        .find((h) => h && h.startsWith('/static/')),
    ];

    it('If-None-Match with the ETag answers 304 with no body', async () => {
      for (const p of targets()) {
        const first = await request(base + p);
        assert.equal(first.status, 200, p);
        const etag = first.headers.etag;
        assert.ok(etag, `${p} has an ETag`);
        const again = await request(base + p, { headers: { 'If-None-Match': etag } });
        assert.equal(again.status, 304, p);
        assert.equal(again.raw.length, 0, `${p}: 304 has no body`);
        assert.equal(again.headers.etag, etag, `${p}: 304 repeats the ETag`);
      }
    });

    it('a different ETag answers 200 with the page', async () => {
      const res = await request(`${base}/`, { headers: { 'If-None-Match': '"not-the-etag"' } });
      assert.equal(res.status, 200);
      assert.ok(res.raw.length > 0);
    });

    it('HEAD answers the same headers as GET and no body', async () => {
      for (const p of [...targets(), '/no/such/page']) {
        const g = await request(base + p);
        const h = await request(base + p, { method: 'HEAD' });
        assert.equal(h.status, g.status, p);
        assert.equal(h.raw.length, 0, `${p}: HEAD has no body`);
        for (const k of ['content-type', 'etag', 'cache-control', 'allow']) {
          assert.equal(h.headers[k], g.headers[k], `${p}: ${k}`);
        }
        if (h.headers['content-length'] !== undefined) {
          assert.equal(Number(h.headers['content-length']), g.raw.length,
            `${p}: HEAD's Content-Length is GET's body length`);
        }
      }
    });

    it('HEAD and 304 put no body bytes on the wire', async () => {
      const etag = (await request(`${base}/`)).headers.etag;
      const wire = [
        'HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
        `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: ${etag}\r\nConnection: close\r\n\r\n`,
      ];
      for (const req of wire) {
        const r = await rawExchange(srv.port, req, { untilClose: true });
        assert.ok(r.closed, `the server closes after Connection: close (${req.split('\r\n')[0]})`);
        assert.ok(r.status === 200 || r.status === 304, r.head);
        const bodyStart = r.text.indexOf('\r\n\r\n') + 4;
        assert.equal(r.text.slice(bodyStart), '', `${req.split('\r\n')[0]}: no bytes after the head`);
      }
    });

    it('gzip, when offered, carries the same page and Vary: Accept-Encoding', async () => {
      const plain = await request(`${base}/`);
      const gz = await request(`${base}/`, { headers: { 'Accept-Encoding': 'gzip' } });
      assert.equal(gz.status, 200);
      if (gz.headers['content-encoding'] === 'gzip') {
        assert.equal(gunzipSync(gz.raw).toString('utf8'), plain.body);
        assert.match(gz.headers.vary || '', /accept-encoding/i);
        if (gz.headers.etag === plain.headers.etag) {
          assert.match(gz.headers.etag, /^W\//,
            'a gzip variant has its own strong ETag, or both are weak');
        }
      } else {
        assert.equal(gz.headers['content-encoding'], undefined);
        assert.equal(gz.body, plain.body);
      }
    });
  });

  describe('methods', () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      it(`${method} to a page is 405 with Allow: GET, HEAD`, async () => {
        for (const p of ['/', site.articles[0].path, site.sections[0].path]) {
          const res = await request(base + p, { method, body: 'x=1',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
          assert.equal(res.status, 405, `${method} ${p}`);
          const allow = (res.headers.allow || '').split(',').map((s) => s.trim()).sort();
          assert.deepEqual(allow, ['GET', 'HEAD'], `${method} ${p}: Allow ${res.headers.allow}`);
        }
      });
    }
  });

  describe('keep-alive', () => {
    for (const paths of [['/', '/'], ['/healthz', '/'], ['/no/such/page', '/']]) {
      it(`GET ${paths.join(' then GET ')} reuse one connection`, async () => {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        try {
          const sockets = [];
          for (const p of [...paths, site.articles[0].path]) {
            const res = await request(base + p, { agent });
            assert.ok(res.status < 500, `${p}: ${res.status}`);
            assert.notEqual((res.headers.connection || '').toLowerCase(), 'close',
              `${p} answered Connection: close`);
            sockets.push(res.socket);
          }
          assert.equal(new Set(sockets).size, 1, 'every request went over the same socket');
        } finally {
          agent.destroy();
        }
      });
    }
  });

  describe('malformed and oversized requests', () => {
    async function stillServing() {
      const res = await request(`${base}/healthz`);
      assert.equal(res.status, 200);
      assert.equal(res.body.trim(), 'ok');
    }

    // A broken request must be answered with a 4xx or the connection
    // closed; never left hanging, never a 2xx or a 5xx.
    function refused(r, allowed) {
      assert.ok(!r.timedOut, `the server neither answered nor closed: ${r.text.slice(0, 300)}`);
      if (r.status !== null) {
        assert.ok(allowed.includes(r.status), `status ${r.status}, wanted one of ${allowed}:\n` +
          r.head);
      }
    }

    it('a garbage request line', async () => {
      refused(await rawExchange(srv.port, 'GARBAGE\r\n\r\n'), [400]);
      await stillServing();
    });

    it('a request line with a 100 KB URL', async () => {
      const r = await rawExchange(srv.port,
        `GET /${'a'.repeat(100 * 1024)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      refused(r, [400, 414, 431]);
      await stillServing();
    });

    it('100 KB of headers', async () => {
      let req = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n';
      for (let i = 0; i < 100; i++) req += `X-Filler-${i}: ${'b'.repeat(1000)}\r\n`;
      refused(await rawExchange(srv.port, `${req}\r\n`), [400, 413, 431]);
      await stillServing();
    });

    it('one 100 KB header', async () => {
      const r = await rawExchange(srv.port,
        `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'c'.repeat(100 * 1024)}\r\n\r\n`);
      refused(r, [400, 413, 431]);
      await stillServing();
    });

    it('a POST announcing 10 MB with Expect: 100-continue gets 413 or 405', async () => {
      const r = await rawExchange(srv.port, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        'Content-Type: application/octet-stream\r\nExpect: 100-continue\r\n' +
        `Content-Length: ${10 * 1024 * 1024}\r\n\r\n`);
      assert.ok(!r.timedOut, 'the server answered without the body');
      assert.ok([405, 413].includes(r.status), `status ${r.status}:\n${r.head}`);
      await stillServing();
    });

    // A client that sends the body at once, as most do without Expect, must
    // still read the refusal: the server has to close in stages (RFC 9112
    // section 9.6) rather than reset the connection under the client.
    // Three tries, because a reset loses the answer only some of the time.
    it('a POST streaming a 10 MB body to / reads a 413 or 405 every time', async () => {
      const size = 10 * 1024 * 1024;
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      for (let attempt = 1; attempt <= 3; attempt++) {
        const r = await rawExchange(srv.port, async (sock, state) => {
          sock.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
            'Content-Type: application/octet-stream\r\n' +
            `Content-Length: ${size}\r\n\r\n`);
          // Send like a real client: stop once the server has answered.
          for (let sent = 0; sent < size && !state.answered && !state.closed; sent += chunk.length) {
            if (!sock.write(chunk)) await drained(sock, state);
          }
        }, { timeout: slow(60000) });
        assert.ok(!r.timedOut, `try ${attempt}: the server answered or closed the connection`);
        assert.ok([405, 413].includes(r.status),
          `try ${attempt}: status ${r.status}${r.reset ? ' (connection reset before any answer)' : ''}:\n${r.head}`);
        await stillServing();
      }
    });

    it('a request with a body length that is a lie', async () => {
      const r = await rawExchange(srv.port,
        'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\nhello');
      refused(r, [400, 405, 411, 413]);
      await stillServing();
    });

    it('after all that, /healthz and the front page still answer', async () => {
      await stillServing();
      assert.equal((await request(`${base}/`)).status, 200);
      assert.equal(srv.exited(), null, 'the server is still running');
    });
  });
});
