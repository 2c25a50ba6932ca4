// upload-limits.test.mjs - a photo's upload at the HTTP layer: a signed-in
// editor's 17 MiB JPEG (past GZ_LIMIT_DRAIN_BYTES, inside the upload
// limit) is read whole and stored; a 25 MiB one is answered 413 with the
// sentence saying the file is over the 20 MB limit, read as a response
// once the body is sent, not a reset; strangers' uploads are refused on
// their headers (a 303 to sign in, as an unsigned POST is), so three of
// them announcing 20 MiB and trickling take none of the upload memory and
// an editor's upload still goes through; one past the uploads' memory
// budget is a 503 page, its body drained, not a reset; a path holding
// %00 is 400.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { rawExchange, request, slow, startServer, stopChecked, tempDir } from '../lib/gazette.mjs';
import { addUser, newsroomSite, signIn } from '../lib/newsroom.mjs';

const T = { timeout: slow(300000) };
const MIB = 1024 * 1024;

// A small flat-colour JPEG made with the vips command, its bytes.
function smallJpeg(grey) {
  const d = tempDir('gazette-upload-');
  const black = path.join(d, 'black.v');
  const out = path.join(d, 'photo.jpg');
  let r = spawnSync('vips', ['black', black, '800', '600', '--bands', '3']);
  assert.equal(r.status, 0, `vips black: ${r.stderr}`);
  r = spawnSync('vips', ['linear', black, out, '1', String(grey), '--uchar']);
  assert.equal(r.status, 0, `vips linear: ${r.stderr}`);
  return readFileSync(out);
}

// A valid JPEG of about `size` bytes: a small one with COM (comment)
// segments of 65,533 bytes each after its SOI marker, which decoders
// skip. fill makes the bytes (and so the photo's hash) differ.
function bigJpeg(size, grey, fill) {
  const jpeg = smallJpeg(grey);
  const segs = [jpeg.subarray(0, 2)];
  let have = jpeg.length;
  while (have < size) {
    const n = Math.min(65533, Math.max(1, size - have - 4));
    const seg = Buffer.alloc(4 + n, fill);
    seg[0] = 0xff;
    seg[1] = 0xfe;
    seg.writeUInt16BE(n + 2, 2);
    segs.push(seg);
    have += seg.length;
  }
  segs.push(jpeg.subarray(2));
  return Buffer.concat(segs);
}

// A multipart/form-data body: the fields, then the file as "file".
function uploadBody(fields, file) {
  const boundary = `----gazette${Math.random().toString(16).slice(2)}`;
  const parts = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; ` +
    `filename="${file.name}"\r\nContent-Type: image/jpeg\r\n\r\n`));
  parts.push(file.data);
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

// POSTs the photo data as session s (null: no session), with the
// Content-Length a browser sends and no Expect header.
function upload(base, s, data, name = 'photo.jpg') {
  const enc = uploadBody(s ? { alt: 'A large photo', csrf: s.csrf } : { alt: 'x' }, { name, data });
  const headers = { Origin: base, 'Content-Type': enc.type };
  if (s) headers.Cookie = s.cookie;
  return request(`${base}/admin/media`, { method: 'POST', headers, body: enc.body, timeout: slow(120000) });
}

function assertStored(res) {
  assert.equal(res.status, 303,
    `expected a 303 to the photo, got ${res.status}\n${res.body.slice(0, 2000)}`);
  assert.match(res.headers.location || '', /^\/admin\/media\/\d+\?done=uploaded/);
}

describe('uploads at the HTTP layer', T, () => {
  let srv;
  let base;
  let eddie;

  before(async () => {
    const { site } = newsroomSite();
    addUser(site, 'eddie', 'editor');
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    eddie = await signIn(base, 'eddie');
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it('an editor\'s 17 MiB photo is read whole and stored', async () => {
    const data = bigJpeg(17 * MIB, 90, 0x41);
    assert.ok(data.length > 16 * MIB && data.length < 20 * MIB);
    assertStored(await upload(base, eddie, data, 'big.jpg'));
  });

  it('a 25 MiB photo is answered 413 with the sentence, not a reset', async () => {
    const data = Buffer.concat([smallJpeg(40), Buffer.alloc(25 * MIB, 0x42)]);
    const res = await upload(base, eddie, data, 'huge.jpg');
    assert.equal(res.status, 413, res.body.slice(0, 2000));
    assert.match(res.headers['content-type'], /^text\/html/);
    assert.match(res.body, /The file is over the 20 MB limit/);
    // A stranger's is refused as an unsigned POST is: to the sign-in.
    const anon = await upload(base, null, data, 'huge.jpg');
    assert.equal(anon.status, 303);
    assert.equal(anon.headers.location, '/admin/login');
  });

  it('strangers trickling 20 MiB uploads leave an editor\'s upload its memory', async () => {
    const socks = [];
    const answers = [];
    try {
      for (let i = 0; i < 3; i++) {
        const sock = net.connect({ host: '127.0.0.1', port: srv.port });
        const got = [];
        sock.on('data', (c) => got.push(c));
        sock.on('error', () => {});
        answers.push(got);
        await new Promise((resolve) => sock.on('connect', resolve));
        sock.write('POST /admin/media HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
          'Content-Type: multipart/form-data; boundary=x\r\n' +
          `Content-Length: ${20 * MIB}\r\n\r\n--x\r\n`);
        socks.push(sock);
      }
      // Time for the server to read their headers (under the old
      // budget each would hold 20 MiB from here on); nothing is timed.
      await new Promise((resolve) => setTimeout(resolve, slow(1000)));
      for (const sock of socks) sock.write('Content-Disposition: form-data; name="a"\r\n');
      // 6 MiB: under GZ_LIMIT_DRAIN_BYTES, but past what 3 x 20 MiB
      // would leave of the 64 MiB.
      const data = bigJpeg(6 * MIB, 120, 0x43);
      assertStored(await upload(base, eddie, data, 'while-trickled.jpg'));
      for (const got of answers) {
        assert.doesNotMatch(Buffer.concat(got).toString('latin1'), /^HTTP\/1\.1 503/);
      }
    } finally {
      for (const sock of socks) sock.destroy();
    }
  });

  it('an upload past the uploads\' memory is answered 503, not a reset', async () => {
    const socks = [];
    try {
      // Three of the editor's own uploads announcing 20 MiB and sending
      // little: they hold 60 MiB of the 64 MiB budget.
      for (let i = 0; i < 3; i++) {
        const sock = net.connect({ host: '127.0.0.1', port: srv.port });
        sock.on('error', () => {});
        await new Promise((resolve) => sock.on('connect', resolve));
        sock.write(`POST /admin/media HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\n` +
          `Cookie: ${eddie.cookie}\r\nOrigin: ${base}\r\n` +
          'Content-Type: multipart/form-data; boundary=x\r\n' +
          `Content-Length: ${20 * MIB}\r\n\r\n--x\r\n`);
        socks.push(sock);
      }
      // Their headers must be read before the fourth comes; nothing is
      // timed on it.
      await new Promise((resolve) => setTimeout(resolve, slow(1000)));
      const res = await upload(base, eddie, bigJpeg(19 * MIB, 130, 0x44), 'over-budget.jpg');
      assert.equal(res.status, 503, res.body.slice(0, 2000));
      assert.match(res.headers['content-type'], /^text\/html/);
    } finally {
      for (const sock of socks) sock.destroy();
    }
  });

  it('a path holding %00 is 400', async () => {
    for (const p of ['/media/ab%00x', '/articles/a%00b', '/admin/media%00', '/%00']) {
      const r = await rawExchange(srv.port, `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      assert.equal(r.status, 400, `${p}:\n${r.head}`);
    }
    const r = await rawExchange(srv.port, 'GET /media/ab HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.equal(r.status, 404);
  });
});
