// upload-shutdown.test.mjs - SIGTERM while photos are being processed
// (src/site/admin_upload.c, site_stop before http_server_stop): the
// uploads waiting in the queue are answered at once, 503 with one
// sentence saying the server is stopping, while the one being processed
// goes on; the server waits for it, answers it (303: stored), and exits
// 0. Every client gets an answer; none hangs.
//
// The photo being processed is held by a stand-in for the gazette-ingest
// helper ($GAZETTE_INGEST): a script that says it has started, waits
// until the test lets it go, then runs the real helper on the same input.
// Nothing here asserts how long anything took: every wait is bounded only
// so that a broken server fails instead of hanging.

import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { ROOT, ingestBin, request, slow, startServer, tempDir } from '../lib/gazette.mjs';
import { addUser, newsroomSite, signIn } from '../lib/newsroom.mjs';

const T = { timeout: slow(180000) };
const WAIT_MS = slow(60000);
const JPEG = readFileSync(path.join(ROOT, 'tests', 'fixtures', 'media', 'gps.jpg'));
// limits.h: GZ_LIMIT_UPLOAD_QUEUE uploads wait behind the one processed.
const QUEUE = 4;
const STOPPING = 'The server is stopping: upload the photo again once it is back.';
const BUSY = 'Too many photos are being processed at once.';

const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

async function until(what, fn) {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await sleep(20);
  }
}

// A helper that writes started.<pid> into dir, waits for dir/release
// (at most a minute, so nothing outlives a failed test), then becomes
// the real helper, standard input and all.
function heldHelper(dir) {
  const real = ingestBin();
  const script = path.join(dir, 'held-ingest');
  writeFileSync(script, `#!/bin/sh
: > "${dir}/started.$$"
i=0
while [ ! -e "${dir}/release" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
exec "${real}" "$@"
`);
  chmodSync(script, 0o755);
  return script;
}

function uploadBody(fields, data) {
  const boundary = `----gazette${Math.random().toString(16).slice(2)}`;
  const parts = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; ` +
    'filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'), data, Buffer.from('\r\n'));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

function upload(s, alt) {
  const enc = uploadBody({ alt, csrf: s.csrf }, JPEG);
  return request(`${s.base}/admin/media`, {
    method: 'POST',
    headers: { Cookie: s.cookie, Origin: s.base, 'Content-Type': enc.type },
    body: enc.body,
  });
}

describe('SIGTERM with uploads queued', T, () => {
  it('answers the queued ones 503 at once, finishes the running one, exits 0', async () => {
    const { site } = newsroomSite();
    addUser(site, 'eddie', 'editor');
    const held = tempDir('gazette-held-ingest-');
    const srv = await startServer(['serve', '--site', site],
      { env: { GAZETTE_INGEST: heldHelper(held) } });
    const exited = new Promise((resolve) => {
      if (srv.exited()) resolve(srv.exited());
      srv.child.on('exit', (code, signal) => resolve({ code, signal }));
    });
    try {
      const eddie = await signIn(srv.url, 'eddie');

      // The first upload is being processed: its helper has started.
      const running = upload(eddie, 'The photo being processed');
      await until('the first helper to start',
        () => readdirSync(held).some((f) => f.startsWith('started.')));

      // QUEUE more wait behind it, and one past that is refused at once
      // (busy): once that answer is in, the others are all queued.
      const settled = [];
      const queued = [];
      for (let i = 0; i <= QUEUE; i++) {
        const p = upload(eddie, `Waiting photo ${i}`);
        queued.push(p);
        p.then((r) => settled.push(r), (e) => settled.push(e));
      }
      await until('the upload past the queue to be refused', () => settled.length >= 1);
      const [busy] = settled;
      assert.equal(busy.status, 503, `past the queue: ${busy.status}`);
      assert.ok(busy.body.includes(BUSY), busy.body.slice(0, 2000));

      srv.child.kill('SIGTERM');
      const answers = await Promise.all(queued);
      const stopped = answers.filter((r) => r !== busy);
      assert.equal(stopped.length, QUEUE);
      for (const r of stopped) {
        assert.equal(r.status, 503, `a queued upload: ${r.status}\n${r.body.slice(0, 2000)}`);
        assert.ok(r.body.includes(STOPPING), r.body.slice(0, 2000));
      }
      // Only the first helper ever started: the queued ones never ran.
      assert.equal(readdirSync(held).filter((f) => f.startsWith('started.')).length, 1);
      // The server waits for the photo being processed.
      assert.equal(srv.exited(), null, 'still running with an upload under way');

      writeFileSync(path.join(held, 'release'), '');
      const first = await running;
      assert.equal(first.status, 303, `the running upload: ${first.status}\n${first.body.slice(0, 2000)}`);
      assert.match(first.headers.location, /^\/admin\/media\/\d+\?done=uploaded$/);

      // The child is unref'd (tests/lib/gazette.mjs): keep the event
      // loop alive until it exits.
      const alive = setInterval(() => {}, 1000);
      const end = await exited.finally(() => clearInterval(alive));
      assert.deepEqual(end, { code: 0, signal: null }, srv.log());
      assert.doesNotMatch(srv.log(), /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/);
      assert.match(srv.log(), /SIGTERM received, stopping/);
    } finally {
      if (!existsSync(path.join(held, 'release'))) writeFileSync(path.join(held, 'release'), '');
      await srv.stop();
    }
  });
});
