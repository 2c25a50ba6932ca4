// media-cli.test.mjs - photos from the command line (docs/import.md,
// `gazette media`): an import whose front matter names an image gives the
// article its lead image, the variant files under the site's media/ and
// one row in the media library (one again when imported twice); images
// that are not images, truncated ones and paths out of the file's folder
// fail their file as FILE:LINE with nothing imported; no variant of a JPEG
// with GPS EXIF carries any of it (exiftool, when installed); `media add`,
// `list`, `show`, `edit` and `rm`, which refuses while an article uses the
// image; and the demo's six photos. Page markup is the pages' tests'.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { sql } from '../lib/admin.mjs';
import { markdown, writeArticle } from '../lib/fixtures.mjs';
import {
  ROOT, describeRun, run, runOk, slow, startServer, stopChecked, tempDir, tempSite,
} from '../lib/gazette.mjs';

const T = { timeout: slow(180000) };
// 720 x 480 JPEG, orientation 6 (so 480 x 720 upright), with GPS EXIF, an
// EXIF Artist and an XMP creator (tests/fixtures/media/README.md).
const GPS_JPEG = path.join(ROOT, 'tests/fixtures/media/gps.jpg');
const VARIANT_RE = /^[0-9a-f]{2}\/[0-9a-f]{32}-\d+\.(webp|jpeg|png|avif)$/;
const NOT_IMAGE = 'The file is not a JPEG, PNG, WebP, GIF or AVIF image.';

function have(cmd) {
  return spawnSync(cmd, ['-ver'], { encoding: 'utf8' }).error === undefined;
}

// Every file under dir, as paths relative to it ("ab/...-320.webp").
function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const e of readdirSync(dir, { recursive: true })) {
    if (statSync(path.join(dir, e)).isFile()) out.push(e.split(path.sep).join('/'));
  }
  return out.sort();
}

// An article beside its photo: dir/name.md naming `image` (line 4 of the
// file is image:).
function photoArticle(dir, name, image, extra = {}) {
  return writeArticle(dir, `${name}.md`, markdown({
    title: `Story ${name}`,
    date: '2026-11-18 18:31',
    image,
    image_alt: 'A flat grey rectangle standing on its short side',
    image_caption: 'A test card, upright',
    image_credit: 'Photo: Test Desk',
    ...extra,
  }, `The body of ${name}.`));
}

function articleCount(site) {
  return Number(sql(site, 'SELECT count(*) FROM articles'));
}

function mediaCount(site) {
  return Number(sql(site, 'SELECT count(*) FROM media'));
}

describe('gazette import with front-matter images', T, () => {
  it('gives the article its lead image, the variants and one library row', () => {
    const { dir, site } = tempSite();
    copyFileSync(GPS_JPEG, path.join(dir, 'photo.jpg'));
    const file = photoArticle(dir, 'bridge', 'photo.jpg');

    let r = runOk(['import', '--site', site, file]);
    assert.match(r.stderr, /1 new, 0 updated, 0 failed/);
    r = runOk(['media', 'list', '--site', site]);
    const row = /^\s*(\d+)\s+480x720\s+1\s+A flat grey rectangle/m.exec(r.stdout);
    assert.ok(row, `media list shows the upright photo, used once:\n${r.stdout}`);
    const id = row[1];
    assert.equal(sql(site, 'SELECT image_id FROM articles'), id);
    assert.equal(sql(site, `SELECT actor || '|' || caption || '|' || credit FROM media WHERE id = ${id}`),
      'import|A test card, upright|Photo: Test Desk');

    // The variants: WebP and JPEG at each width, named by hash; show
    // names the same files.
    const files = filesUnder(path.join(site, 'media'));
    assert.ok(files.length >= 2, `variants under media/: ${files}`);
    for (const f of files) assert.match(f, VARIANT_RE);
    assert.ok(files.some((f) => f.endsWith('.webp')) && files.some((f) => f.endsWith('.jpeg')),
      `WebP and JPEG variants: ${files}`);
    r = runOk(['media', 'show', '--site', site, id]);
    const shown = [...r.stdout.matchAll(/^\s+\/media\/(\S+)$/gm)].map((m) => m[1]).sort();
    assert.deepEqual(shown, files, 'media show lists exactly the files written');
    assert.match(r.stdout, /^size\s+480 x 720$/m);
    assert.match(r.stdout, /^credit\s+Photo: Test Desk$/m);
    assert.match(r.stdout, /^\s+article \d+: Story bridge$/m);

    // Imported again: the same article, the same single row.
    r = runOk(['import', '--site', site, file]);
    assert.match(r.stderr, /0 new, 1 updated, 0 failed/);
    assert.equal(mediaCount(site), 1);
    assert.equal(sql(site, 'SELECT image_id FROM articles'), id);

    // The file no longer names an image: the article loses it, the
    // library keeps it.
    writeArticle(dir, 'bridge.md', markdown({ title: 'Story bridge', date: '2026-11-18 18:31' }, 'Body.'));
    runOk(['import', '--site', site, file]);
    assert.equal(sql(site, 'SELECT ifnull(image_id, 0) FROM articles'), '0');
    assert.equal(mediaCount(site), 1);
  });

  it('strips GPS, EXIF and XMP from every variant', { skip: !have('exiftool') && 'no exiftool' }, () => {
    const { dir, site } = tempSite();
    copyFileSync(GPS_JPEG, path.join(dir, 'gps.jpg'));
    // The fixture really carries what must go.
    const before = JSON.parse(spawnSync('exiftool', ['-json', '-G', GPS_JPEG], { encoding: 'utf8' }).stdout)[0];
    assert.ok(Object.keys(before).some((k) => /GPS/.test(k)), 'the fixture has GPS fields');
    runOk(['import', '--site', site, photoArticle(dir, 'gps', 'gps.jpg')]);
    const files = filesUnder(path.join(site, 'media'));
    assert.ok(files.length > 0);
    for (const f of files) {
      const r = spawnSync('exiftool', ['-json', '-G', path.join(site, 'media', f)], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const tags = JSON.parse(r.stdout)[0];
      const leaked = Object.keys(tags).filter((k) => /GPS|^EXIF:|^XMP|Artist|Creator/i.test(k));
      assert.deepEqual(leaked, [], `${f} carries ${leaked.map((k) => `${k}=${tags[k]}`)}`);
      assert.doesNotMatch(r.stdout, /Jane Source|TestCam/, `${f} keeps the source's name`);
    }
  });

  it('fails the file on what is not an image, with nothing imported', () => {
    const { dir, site } = tempSite();
    const cases = [
      ['text', 'not-a-photo.jpg', 'This is a text file, named .jpg.\n', NOT_IMAGE],
      ['truncated', 'cut.jpg', readFileSync(GPS_JPEG).subarray(0, 2000), null],
      ['empty', 'empty.jpg', '', null],
    ];
    for (const [name, image, bytes, why] of cases) {
      writeFileSync(path.join(dir, image), bytes);
      const file = photoArticle(dir, name, image);
      const args = ['import', '--site', site, file];
      const r = run(args);
      assert.equal(r.status, 1, describeRun(args, r));
      if (why) assert.ok(r.stderr.includes(`${file}:4: image: ${why}\n`), describeRun(args, r));
      else assert.match(r.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: image: \\S`));
      assert.match(r.stderr, /0 new, 0 updated, 1 failed/);
      assert.equal(articleCount(site), 0, `${name}: no article`);
      assert.equal(mediaCount(site), 0, `${name}: no library row`);
    }
    // A missing file, and paths the parser refuses, likewise.
    let file = photoArticle(dir, 'missing', 'nowhere.jpg');
    let r = run(['import', '--site', site, file]);
    assert.equal(r.status, 1);
    assert.ok(r.stderr.includes(`${file}:4: image: cannot read `), r.stderr);
    file = photoArticle(dir, 'outside', '../photo.jpg');
    r = run(['import', '--site', site, file]);
    assert.equal(r.status, 1);
    assert.ok(r.stderr.includes(`${file}:4: expected an image path inside this file's folder (no "..")`), r.stderr);
    // A link out of the folder is refused as ".." is, even to a photo.
    const away = tempDir();
    writeFileSync(path.join(away, 'real.jpg'), readFileSync(GPS_JPEG));
    symlinkSync(path.join(away, 'real.jpg'), path.join(dir, 'linked.jpg'));
    file = photoArticle(dir, 'linked', 'linked.jpg');
    r = run(['import', '--site', site, file]);
    assert.equal(r.status, 1, r.stderr);
    assert.ok(r.stderr.includes(`${file}:4: image: `) && r.stderr.includes('leads outside the imported file\'s folder'), r.stderr);
    assert.equal(articleCount(site), 0);
    assert.equal(mediaCount(site), 0);
    file = writeArticle(dir, 'no-alt.md', markdown({ title: 'T', date: '2026-11-18', image: 'x.jpg' }, 'B'));
    r = run(['import', '--site', site, file]);
    assert.equal(r.status, 1);
    assert.ok(r.stderr.includes(`${file}:4: image_alt: expected a description of the photo for readers `
      + 'who cannot see it (or image_decorative: yes)'), r.stderr);
    assert.equal(articleCount(site), 0);
  });

  it('refuses control and text-direction characters in the image\'s words, naming the key', () => {
    const { dir, site } = tempSite();
    copyFileSync(GPS_JPEG, path.join(dir, 'photo.jpg'));
    // photoArticle's lines: 1 ---, 2 title, 3 date, 4 image, 5 alt, 6 caption, 7 credit.
    const cases = [
      ['tab', { image_caption: 'A test\tcard' }, 6, 'a caption', 'U+0009'],
      ['rlo', { image_alt: 'A card \u202Eevil' }, 5, 'an alt text', 'U+202E'],
      ['isolate', { image_credit: 'Photo: \u2066Desk\u2069' }, 7, 'a credit', 'U+2066'],
      ['del', { image_alt: 'A card\u007F' }, 5, 'an alt text', 'U+007F'],
    ];
    for (const [name, extra, line, what, cp] of cases) {
      const file = photoArticle(dir, name, 'photo.jpg', extra);
      const args = ['import', '--site', site, file];
      const r = run(args);
      assert.equal(r.status, 1, describeRun(args, r));
      assert.ok(r.stderr.includes(`${file}:${line}: expected ${what} without control or text-direction `
        + `characters (this one has ${cp})`), describeRun(args, r));
    }
    assert.equal(articleCount(site) + mediaCount(site), 0);
    // A right-to-left mark is the words' own.
    runOk(['import', '--site', site, photoArticle(dir, 'rtl', 'photo.jpg', { image_credit: 'عکس: میز\u200F' })]);
    assert.equal(mediaCount(site), 1);
  });

  it('checks the image on a dry run and writes nothing', () => {
    const { dir, site } = tempSite();
    copyFileSync(GPS_JPEG, path.join(dir, 'photo.jpg'));
    const r = runOk(['import', '--site', site, '--dry-run', photoArticle(dir, 'dry', 'photo.jpg')]);
    assert.match(r.stderr, /dry run, nothing changed: 1 new/);
    assert.deepEqual(filesUnder(path.join(site, 'media')), []);
    assert.equal(articleCount(site) + mediaCount(site), 0);
  });
});

describe('gazette media', T, () => {
  it('adds, lists, shows, edits and removes photos; rm refuses while one is used', () => {
    const { dir, site } = tempSite();
    const env = { USER: 'tester' };
    copyFileSync(GPS_JPEG, path.join(dir, 'lead.jpg'));
    runOk(['import', '--site', site, photoArticle(dir, 'lead', 'lead.jpg')]);
    const used = sql(site, 'SELECT image_id FROM articles');

    // rm refuses, naming the article, and deletes nothing.
    let args = ['media', 'rm', '--site', site, used];
    let r = run(args, { env });
    assert.equal(r.status, 1, describeRun(args, r));
    assert.match(r.stderr, new RegExp(`media ${used} is used by 1 article \\(as the lead image or in the body\\): `
      + '\\d+ "Story lead"; take it out of them first'));
    assert.equal(mediaCount(site), 1);

    // add: the usage rules first.
    const png = path.join(dir, 'card.png');
    assert.equal(run(['media', 'add', '--site', site, GPS_JPEG]).status, 2, 'alt is required');
    assert.equal(run(['media', 'add', '--site', site, GPS_JPEG, '--alt', 'A', '--decorative']).status, 2);
    assert.equal(run(['media', 'frobnicate', '--site', site]).status, 2);
    r = run(['media', 'add', '--site', site, path.join(dir, 'nothing.png'), '--alt', 'A']);
    assert.equal(r.status, 1);
    const vips = spawnSync('vips', ['black', png, '40', '30'], { encoding: 'utf8' });
    if (vips.error || vips.status !== 0) writeFileSync(png, readFileSync(GPS_JPEG));
    args = ['media', 'add', '--site', site, png, '--alt', 'A black test card',
      '--caption', 'Nothing to see', '--credit', 'Card: Test Desk'];
    r = runOk(args, { env });
    const added = /^media (\d+): \/media\/([0-9a-f]{2}\/[0-9a-f]{32}-\d+\.(png|jpeg)) \((\d+) x (\d+), (png|jpeg), (\d+) sizes?\)$/m
      .exec(r.stdout);
    assert.ok(added, describeRun(args, r));
    const id = added[1];
    assert.ok(existsSync(path.join(site, 'media', added[2])), `${added[2]} is on disk`);
    assert.equal(sql(site, `SELECT actor FROM media WHERE id = ${id}`), 'cli:tester');
    // The same bytes again: the same row, its words kept.
    r = runOk(['media', 'add', '--site', site, png, '--alt', 'Other words'], { env });
    assert.match(r.stdout, new RegExp(`^media ${id}: .*already in the library`, 'm'));
    assert.equal(mediaCount(site), 2);

    r = runOk(['media', 'list', '--site', site]);
    assert.match(r.stdout, /^\s*ID\s+SIZE\s+USES\s+ALT$/m);
    assert.match(r.stdout, new RegExp(`^\\s*${id}\\s+\\d+x\\d+\\s+0\\s+A black test card$`, 'm'));
    assert.match(r.stdout, new RegExp(`^\\s*${used}\\s+480x720\\s+1\\s+A flat grey`, 'm'));
    r = runOk(['media', 'list', '--site', site, '--search', 'black']);
    assert.doesNotMatch(r.stdout, /A flat grey/);
    assert.match(r.stdout, /A black test card/);

    runOk(['media', 'edit', '--site', site, id, '--caption', 'Still nothing', '--focal', '250,750'], { env });
    r = runOk(['media', 'show', '--site', site, id]);
    assert.match(r.stdout, /^caption\s+Still nothing$/m);
    assert.match(r.stdout, /^focal\s+250,750$/m);
    assert.match(r.stdout, /^alt\s+A black test card$/m);
    assert.match(r.stdout, /^used by\s+0$/m);
    assert.equal(run(['media', 'edit', '--site', site, id, '--focal', '1001,2']).status, 2);
    assert.equal(run(['media', 'edit', '--site', site, id]).status, 2, 'nothing to change');
    assert.equal(run(['media', 'edit', '--site', site, id, '--alt', '']).status, 1, 'alt stays required');
    // One line, no controls or bidi overrides, in every word.
    for (const [opt, value, why] of [
      ['--caption', 'two\nlines', 'has a line break or a tab: keep it on one line'],
      ['--alt', 'A card\u202E', 'has an invisible control or text-direction character \\(U\\+202E\\): remove it'],
      ['--credit', 'x\u0007', 'has an invisible control or text-direction character \\(U\\+0007\\)'],
    ]) {
      for (const sub of [['edit', id], ['add', png]]) {
        const a = ['media', sub[0], '--site', site, sub[1], '--alt', 'A card', opt, value];
        r = run(a);
        assert.equal(r.status, 2, describeRun(a, r));
        assert.match(r.stderr, new RegExp(`^gazette: ${opt} ${why}`, 'm'));
      }
    }
    assert.match(runOk(['media', 'show', '--site', site, id]).stdout, /^caption\s+Still nothing$/m);

    // Shown inline in a body, it is used: rm refuses and names the article.
    const hash = sql(site, `SELECT hash FROM media WHERE id = ${id}`);
    const inline = writeArticle(dir, 'inline.md', markdown({ title: 'Inline card', date: '2026-11-18 18:31' },
      `Before.\n\n![A black test card](/media/${hash.slice(0, 2)}/${hash}-960.png)\n`));
    runOk(['import', '--site', site, inline]);
    r = run(['media', 'rm', '--site', site, id], { env });
    assert.equal(r.status, 1, describeRun(['media', 'rm', id], r));
    assert.match(r.stderr, new RegExp(`media ${id} is used by 1 article .*"Inline card"`));
    r = runOk(['media', 'show', '--site', site, id]);
    assert.match(r.stdout, /^used by\s+1$/m);
    assert.match(r.stdout, /article \d+: Inline card/);
    writeFileSync(inline, markdown({ title: 'Inline card', date: '2026-11-18 18:31' }, 'No photo now.\n'));
    runOk(['import', '--site', site, inline]);

    // rm takes the row and every variant file of its hash; the other
    // photo's files stay.
    const before = filesUnder(path.join(site, 'media'));
    assert.ok(before.some((f) => f.includes(hash)), before.join('\n'));
    r = runOk(['media', 'rm', '--site', site, id], { env });
    assert.match(r.stdout, new RegExp(`deleted media ${id}`));
    assert.equal(mediaCount(site), 1);
    const after = filesUnder(path.join(site, 'media'));
    assert.deepEqual(after.filter((f) => f.includes(hash)), []);
    assert.deepEqual(after, before.filter((f) => !f.includes(hash)));
    assert.ok(after.length > 0, 'the lead photo keeps its files');
    r = run(['media', 'show', '--site', site, id]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`no media ${id}`));
    r = runOk(['log', '--site', site, '--actor', 'cli:tester']);
    assert.match(r.stdout, /media-add/);
    assert.match(r.stdout, /media-edit/);
    assert.match(r.stdout, /media-delete/);
  });
});

describe('gazette demo photos', T, () => {
  it('gives six demo stories their drawn photos, credited as illustrations', async () => {
    const site = path.join(tempDir(), 'demo');
    const srv = await startServer(['demo', '--site', site]);
    await stopChecked(srv);
    const rows = sql(site, 'SELECT a.slug, m.credit, m.alt != \'\' FROM articles a JOIN media m ON m.id = a.image_id ORDER BY a.slug')
      .split('\n');
    assert.equal(rows.length, 6, rows.join('\n'));
    for (const row of rows) assert.match(row, /\|Illustration: The Riverton Gazette\|1$/);
    assert.ok(rows.some((r) => r.startsWith('council-approves-new-river-bridge|')), rows.join('\n'));
    assert.equal(mediaCount(site), 6);
    const files = filesUnder(path.join(site, 'media'));
    assert.ok(files.length >= 12, `variants of six photos: ${files.length}`);
  });
});
