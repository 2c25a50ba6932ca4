// admin-media.test.mjs - the newsroom's photo library over HTTP: an editor
// uploads a small JPEG (303 to its page, listed in the library, its
// variants served); a text file named .jpg, a truncated JPEG and a
// decompression bomb (a PNG whose header claims 100000 x 100000) are
// refused with 422, a sentence saying why and the words as typed, and
// nothing is stored; no file, or no alt text without "decorative", is 422;
// no csrf token is 403; a writer uploads and changes their own photo's
// words but not an editor's, and cannot delete; a moderator is refused;
// delete is refused while an article uses the photo (lead image or inline
// in its body) and works after, taking the photo's files with it; a
// JPEG with GPS EXIF comes back with no EXIF, XMP or GPS in any variant
// file (exiftool).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';

import { ROOT, request, slow, startServer, stopChecked, tempDir } from '../lib/gazette.mjs';
import { addUser, newsroomSite, signIn } from '../lib/newsroom.mjs';

const T = { timeout: slow(240000) };
const GPS_JPEG = path.join(ROOT, 'tests', 'fixtures', 'media', 'gps.jpg');
const EXIFTOOL = '/usr/bin/exiftool';

// A flat-colour JPEG of w x h made with the vips command, its bytes.
function makeJpeg(w, h, grey) {
  const d = tempDir('gazette-media-');
  const black = path.join(d, 'black.v');
  const out = path.join(d, 'photo.jpg');
  let r = spawnSync('vips', ['black', black, String(w), String(h), '--bands', '3']);
  assert.equal(r.status, 0, `vips black: ${r.stderr}`);
  r = spawnSync('vips', ['linear', black, out, '1', String(grey), '--uchar']);
  assert.equal(r.status, 0, `vips linear: ${r.stderr}`);
  return readFileSync(out);
}

// A PNG chunk: length, type, data, CRC-32 of type and data.
function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

// A decompression bomb: a valid PNG header saying 100000 x 100000 RGB
// (10 gigapixels) with a few bytes of pixels.
function bombPng() {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(100000, 0);
  ihdr.writeUInt32BE(100000, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(Buffer.alloc(1024))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// A multipart/form-data body: text fields, then the file (when given) as
// the part named "file".
function uploadBody(fields, file) {
  const boundary = `----gazette${Math.random().toString(16).slice(2)}`;
  const parts = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; ` +
      `filename="${file.name}"\r\nContent-Type: ${file.type || 'image/jpeg'}\r\n\r\n`));
    parts.push(file.data);
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

// POSTs an upload as session s; fields get s's csrf unless csrf: null.
function upload(s, fields, file, opts = {}) {
  const all = { ...fields };
  if (opts.csrf !== null) all.csrf = s.csrf;
  const enc = uploadBody(all, file);
  return request(`${s.base}/admin/media`, {
    method: 'POST',
    headers: { Cookie: s.cookie, Origin: s.base, 'Content-Type': enc.type },
    body: enc.body,
  });
}

// The media id of a 303 to an image's page.
function mediaIdOf(res) {
  const m = (res.headers.location || '').match(/^\/admin\/media\/(\d+)\?done=/);
  assert.ok(res.status === 303 && m,
    `expected a 303 to a photo, got ${res.status} ${res.headers.location}\n${res.body.slice(0, 3000)}`);
  return Number(m[1]);
}

// "N photos" from the library page.
async function libraryCount(s) {
  const r = await s.get('/admin/media');
  assert.equal(r.status, 200);
  const m = r.body.match(/(\d+) photos?</);
  assert.ok(m, 'the library says how many photos it has');
  return Number(m[1]);
}

// Every variant file of hash under the site's media directory.
function variantFiles(site, hash) {
  const dir = path.join(site, 'media', hash.slice(0, 2));
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.startsWith(`${hash}-`)).map((f) => path.join(dir, f));
}

describe('the photo library over HTTP', T, () => {
  let srv;
  let base;
  let site;
  let eddie;
  let wendy;
  let photoId;
  let photoHash;

  before(async () => {
    ({ site } = newsroomSite());
    addUser(site, 'eddie', 'editor');
    addUser(site, 'wendy', 'writer');
    addUser(site, 'moe', 'moderator');
    srv = await startServer(['serve', '--site', site]);
    base = srv.url;
    eddie = await signIn(base, 'eddie');
    wendy = await signIn(base, 'wendy');
  });

  after(async () => {
    if (srv) await stopChecked(srv);
  });

  it('the library page has the upload form and the Photos link', async () => {
    const r = await eddie.get('/admin/media');
    assert.equal(r.status, 200);
    assert.match(r.body, /<a href="\/admin\/media" aria-current="page">Photos<\/a>/);
    assert.match(r.body, /<form class="media-upload" method="post" action="\/admin\/media" enctype="multipart\/form-data">/);
    assert.match(r.body, /type="file"[^>]*accept="image\/jpeg,image\/png,image\/webp,image\/gif,image\/avif"/);
    assert.match(r.body, /name="decorative" type="checkbox"/);
    assert.match(r.body, /name="csrf" value="[^"]+"/);
  });

  it('an editor uploads a JPEG: 303, listed, its variants served', async () => {
    const jpeg = makeJpeg(1000, 600, 90);
    const res = await upload(eddie, {
      alt: 'The river bridge at dusk', caption: 'The new bridge, seen from the quay', credit: 'Photo: Ann Lee',
    }, { name: 'bridge.jpg', data: jpeg });
    photoId = mediaIdOf(res);
    assert.match(res.headers.location, /done=uploaded$/);
    const page = await eddie.get(res.headers.location);
    assert.equal(page.status, 200);
    assert.match(page.body, /The photo is in the library\./);
    const md = page.body.match(/!\[The river bridge at dusk\]\((\/media\/[0-9a-f]{2}\/([0-9a-f]{32})-960\.jpeg)\)/);
    assert.ok(md, 'the page gives the Markdown of the 960 JPEG variant');
    photoHash = md[2];
    const lib = await eddie.get('/admin/media');
    assert.match(lib.body, /The new bridge, seen from the quay/);
    assert.match(lib.body, /Photo: Ann Lee/);
    assert.match(lib.body, /1000 × 600/);
    const thumb = lib.body.match(/src="(\/media\/[0-9a-f]{2}\/[0-9a-f]{32}-320\.webp)"/);
    assert.ok(thumb, 'the grid shows the 320 WebP variant');
    for (const url of [thumb[1], md[1]]) {
      const v = await request(`${base}${url}`);
      assert.equal(v.status, 200, url);
      assert.match(v.headers['content-type'], url.endsWith('.webp') ? /^image\/webp/ : /^image\/jpeg/);
    }
    // Searching finds it by its caption, and not by a word it lacks.
    assert.match((await eddie.get('/admin/media?q=quay')).body, /The new bridge/);
    assert.doesNotMatch((await eddie.get('/admin/media?q=zebra')).body, /The new bridge/);
  });

  it('the same bytes again give the photo already there', async () => {
    const n = await libraryCount(eddie);
    const res = await upload(eddie, { alt: 'Another description' },
      { name: 'again.jpg', data: makeJpeg(1000, 600, 90) });
    assert.equal(mediaIdOf(res), photoId);
    assert.match(res.headers.location, /done=uploaded-again$/);
    assert.equal(await libraryCount(eddie), n);
  });

  it('a text file named .jpg is refused with a sentence, the words kept', async () => {
    const n = await libraryCount(eddie);
    const res = await upload(eddie, { alt: 'Not a photo', caption: 'My typed caption' },
      { name: 'notes.jpg', data: Buffer.from('These are my notes, not a photo.\n'.repeat(20)) });
    assert.equal(res.status, 422);
    assert.match(res.body, /The file is not a JPEG, PNG, WebP, GIF or AVIF image\./);
    assert.match(res.body, /value="My typed caption"/);
    assert.match(res.body, /value="Not a photo"/);
    assert.equal(await libraryCount(eddie), n, 'nothing stored');
  });

  it('a truncated JPEG is refused and nothing is stored', async () => {
    const n = await libraryCount(eddie);
    const jpeg = makeJpeg(640, 480, 30);
    const res = await upload(eddie, { alt: 'Half a photo', credit: 'Kept credit' },
      { name: 'half.jpg', data: jpeg.subarray(0, Math.floor(jpeg.length / 2)) });
    assert.equal(res.status, 422);
    assert.match(res.body, /class="field-error" id="media-problem">[^<]+\./);
    assert.match(res.body, /value="Kept credit"/);
    assert.equal(await libraryCount(eddie), n);
  });

  it('a decompression bomb is refused before it is decoded', async () => {
    const n = await libraryCount(eddie);
    const res = await upload(eddie, { alt: 'A bomb' },
      { name: 'bomb.png', type: 'image/png', data: bombPng() });
    assert.equal(res.status, 422);
    assert.match(res.body, /more than the 50 megapixels/);
    assert.equal(await libraryCount(eddie), n);
  });

  it('no file, or no alt text without "decorative", is 422', async () => {
    let res = await upload(eddie, { alt: 'Nothing chosen', caption: 'c' }, null);
    assert.equal(res.status, 422);
    assert.match(res.body, /Choose a photo to upload\./);
    res = await upload(eddie, { alt: 'Empty file' }, { name: 'empty.jpg', data: Buffer.alloc(0) });
    assert.equal(res.status, 422);
    assert.match(res.body, /Choose a photo to upload\./);
    const jpeg = makeJpeg(400, 300, 200);
    res = await upload(eddie, { alt: '  ', caption: 'No alt here' }, { name: 'x.jpg', data: jpeg });
    assert.equal(res.status, 422);
    assert.match(res.body, /Describe the photo in the alt text/);
    assert.match(res.body, /value="No alt here"/);
    assert.match(res.body, /id="media-alt"[^>]*aria-invalid="true"/);
    res = await upload(eddie, { alt: '', decorative: 'yes' }, { name: 'x.jpg', data: jpeg });
    const id = mediaIdOf(res);
    const page = await eddie.get(`/admin/media/${id}`);
    assert.match(page.body, /id="media-decorative"[^>]*checked/);
  });

  it('no csrf token, or another origin, is 403 and stores nothing', async () => {
    const n = await libraryCount(eddie);
    const jpeg = makeJpeg(300, 200, 10);
    let res = await upload(eddie, { alt: 'Forged' }, { name: 'f.jpg', data: jpeg }, { csrf: null });
    assert.equal(res.status, 403);
    const enc = uploadBody({ alt: 'Forged', csrf: eddie.csrf }, { name: 'f.jpg', data: jpeg });
    res = await request(`${base}/admin/media`, {
      method: 'POST',
      headers: { Cookie: eddie.cookie, Origin: 'http://evil.example', 'Content-Type': enc.type },
      body: enc.body,
    });
    assert.equal(res.status, 403);
    res = await request(`${base}/admin/media`, { method: 'POST', headers: { 'Content-Type': enc.type }, body: enc.body });
    assert.equal(res.status, 303, 'no session: to the sign-in');
    assert.equal(await libraryCount(eddie), n);
  });

  it('edits words and the focal point; checks what is typed', async () => {
    let res = await eddie.post(`/admin/media/${photoId}`, {
      alt: 'The river bridge at dusk, lit', caption: 'New caption', credit: 'Photo: A. Lee', focal_x: '20', focal_y: '70',
    });
    assert.equal(res.status, 303);
    assert.match(res.headers.location, /done=media-saved/);
    const page = await eddie.get(`/admin/media/${photoId}`);
    assert.match(page.body, /value="New caption"/);
    assert.match(page.body, /name="focal_x" type="number" min="0" max="100" step="1" value="20"/);
    assert.match(page.body, /name="focal_y" type="number" min="0" max="100" step="1" value="70"/);
    // The 3:2 card crop of a 1000 x 600 image is 900 x 600, at x 200 - 450
    // clamped to 0.
    assert.match(page.body, /class="media-crop" viewBox="0 0 900 600"/);
    res = await eddie.post(`/admin/media/${photoId}`, { alt: '', caption: 'Kept', focal_x: '50', focal_y: '50' });
    assert.equal(res.status, 422);
    assert.match(res.body, /Describe the photo in the alt text/);
    assert.match(res.body, /value="Kept"/);
    res = await eddie.post(`/admin/media/${photoId}`, { alt: 'x', focal_x: '101', focal_y: '50' });
    assert.equal(res.status, 422);
    assert.match(res.body, /from 0 to\s+100/);
    // One line, no controls or bidi overrides: refused naming the field,
    // the words kept; nothing changes.
    for (const [field, value, why] of [
      ['caption', 'Two\nlines', /The caption has a line break or a tab: keep it on one line\./],
      ['alt', 'A tab\there', /The alt text has a line break or a tab/],
      ['credit', 'Photo: \u202EeeL nnA', /The credit has an invisible control or text-direction character \(U\+202E\): remove it\./],
      ['caption', 'Isolated \u2067x\u2069', /The caption has an invisible control or text-direction character \(U\+2067\)/],
      ['alt', 'Bell\u0007', /The alt text has an invisible control or text-direction character \(U\+0007\)/],
    ]) {
      res = await eddie.post(`/admin/media/${photoId}`, { alt: 'Fine', [field]: value, focal_x: '50', focal_y: '50' });
      assert.equal(res.status, 422, `${field}: ${JSON.stringify(value)}`);
      assert.match(res.body, why);
    }
    const up = await upload(eddie, { alt: 'A\u202Dcard' }, { name: 'c.jpg', data: makeJpeg(64, 48, 30) });
    assert.equal(up.status, 422);
    assert.match(up.body, /The alt text has an invisible control or text-direction character \(U\+202D\)/);
    assert.match((await eddie.get(`/admin/media/${photoId}`)).body, /value="New caption"/);
    res = await eddie.post(`/admin/media/${photoId}`, { alt: 'x', focal_x: '50', focal_y: '50' }, { csrf: null });
    assert.equal(res.status, 403);
  });

  it('a writer uploads and edits their own, not an editor\'s, and cannot delete', async () => {
    assert.equal((await wendy.get('/admin/media')).status, 200);
    const res = await upload(wendy, { alt: 'A writer\'s photo of the market' },
      { name: 'm.jpg', data: makeJpeg(500, 400, 150) });
    const own = mediaIdOf(res);
    let r = await wendy.post(`/admin/media/${own}`, { alt: 'The Saturday market', focal_x: '50', focal_y: '50' });
    assert.equal(r.status, 303);
    r = await wendy.post(`/admin/media/${photoId}`, { alt: 'Vandalised', focal_x: '50', focal_y: '50' });
    assert.equal(r.status, 403);
    const page = await wendy.get(`/admin/media/${photoId}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.body, /class="media-form"/);
    assert.doesNotMatch(page.body, /Vandalised/);
    assert.equal((await wendy.get(`/admin/media/${own}/delete`)).status, 403);
    assert.equal((await wendy.post(`/admin/media/${own}/delete`, {})).status, 403);
    const moe = await signIn(base, 'moe');
    assert.equal((await moe.get('/admin/media')).status, 403);
    assert.equal((await upload(moe, { alt: 'm' }, { name: 'm.jpg', data: makeJpeg(64, 64, 5) })).status, 403);
  });

  it('delete is refused while an article uses the photo, allowed after', async () => {
    const created = await eddie.post('/admin/articles', {
      headline: 'Bridge opens', body: 'The bridge opened.', image: String(photoId), action: 'publish',
    }, { multipart: true });
    assert.equal(created.status, 303, created.body.slice(0, 2000));
    const articleUrl = created.headers.location.replace(/\?.*/, '');
    const editor = await eddie.get(articleUrl);
    assert.match(editor.body, new RegExp(`<option value="${photoId}" selected>`));
    const uses = await eddie.get(`/admin/media/${photoId}`);
    assert.match(uses.body, new RegExp(`<a href="${articleUrl}">Bridge opens</a>`));
    const ask = await eddie.get(`/admin/media/${photoId}/delete`);
    assert.equal(ask.status, 200);
    assert.match(ask.body, /This photo cannot be removed/);
    let res = await eddie.post(`/admin/media/${photoId}/delete`, {});
    assert.equal(res.status, 409);
    assert.match(res.body, /used by 1 article, as the lead image or in the body/);
    assert.equal((await eddie.get(`/admin/media/${photoId}`)).status, 200, 'still there');

    // "none" takes the lead image away; shown inline in the body (the
    // library's snippet), the photo is still used.
    const snippet = uses.body.match(/!\[[^\]]*\]\(\/media\/[0-9a-f]{2}\/[0-9a-f]{32}-960\.jpeg\)/)[0];
    const save = async (body) => {
      const ed = await eddie.get(articleUrl);
      const loaded = ed.body.match(/name="loaded_revision" value="(\d+)"/)[1];
      const r = await eddie.post(articleUrl, {
        headline: 'Bridge opens', body, image: 'none', action: 'save', loaded_revision: loaded,
      }, { multipart: true });
      assert.equal(r.status, 303, r.body.slice(0, 2000));
    };
    await save(`The bridge opened.\n\n${snippet}\n`);
    assert.match((await eddie.get(articleUrl)).body, /<option value="none" selected>/);
    assert.match((await eddie.get(`/admin/media/${photoId}`)).body,
      new RegExp(`<a href="${articleUrl}">Bridge opens</a>`));
    res = await eddie.post(`/admin/media/${photoId}/delete`, {});
    assert.equal(res.status, 409);
    assert.match(res.body, /used by 1 article, as the lead image or in the body/);
    await save('The bridge opened.');
    const confirm = await eddie.get(`/admin/media/${photoId}/delete`);
    assert.match(confirm.body, /Remove the photo/);
    res = await eddie.post(`/admin/media/${photoId}/delete`, {});
    assert.equal(res.status, 303);
    assert.match(res.headers.location, /^\/admin\/media\?done=media-deleted/);
    assert.equal((await eddie.get(`/admin/media/${photoId}`)).status, 404);
    assert.deepEqual(variantFiles(site, photoHash), [], 'its files go with it');
    const gone = await request(`${base}/media/${photoHash.slice(0, 2)}/${photoHash}-320.webp`);
    assert.equal(gone.status, 404);
  });

  it('a JPEG with GPS EXIF comes back with no metadata in any variant', { skip: !existsSync(EXIFTOOL) && 'exiftool is not installed' }, async () => {
    const res = await upload(eddie, { alt: 'A phone photo' },
      { name: 'gps.jpg', data: readFileSync(GPS_JPEG) });
    const id = mediaIdOf(res);
    const page = await eddie.get(`/admin/media/${id}`);
    const hash = page.body.match(/\/media\/[0-9a-f]{2}\/([0-9a-f]{32})-/)[1];
    // Orientation 6 was applied: 720 x 480 shows as 480 x 720.
    assert.match(page.body, /480 × 720/);
    const files = variantFiles(site, hash);
    assert.ok(files.some((f) => f.endsWith('.webp')) && files.some((f) => f.endsWith('.jpeg')),
      `WebP and JPEG variants: ${files}`);
    const r = spawnSync(EXIFTOOL, ['-json', '-a', '-G1', ...files], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    for (const info of JSON.parse(r.stdout)) {
      const leaked = Object.keys(info).filter((k) => /^(EXIF|XMP|GPS|IPTC|ICC_Profile|IFD0|IFD1|ExifIFD|InteropIFD|XMP-\w+):/.test(k) ||
        /GPS|Artist|Creator|Make|Orientation/.test(k));
      assert.deepEqual(leaked, [], `${info.SourceFile} carries ${leaked.map((k) => `${k}=${info[k]}`).join(', ')}`);
    }
  });
});
